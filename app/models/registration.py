"""A stakeholder's expression of interest, with its pillars and focus areas."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, new_link_nonce
from app.vocab import CATEGORY_CODES, FOCUS_AREA_CODES, PILLAR_CODES, STATE_CODES
from app.vocab import one_of as _one_of


class Registration(Base):
    __tablename__ = "registration"
    __table_args__ = (
        # The duplicate rule lives here, not in Python: two racing requests cannot both pass.
        Index(
            "uq_registration_organisation_contact",
            "organisation_key",
            "contact_email_key",
            unique=True,
        ),
        CheckConstraint(_one_of("category", CATEGORY_CODES), name="category_known"),
        CheckConstraint(_one_of("state", STATE_CODES), name="state_known"),
        CheckConstraint("preferred_language IN ('ms', 'en')", name="language_known"),
        CheckConstraint("workshop_attendees BETWEEN 0 AND 3", name="attendees_range"),
        CheckConstraint("consent_pdpa", name="consent_pdpa_given"),
        CheckConstraint(
            "(category = 'other') = (category_other <> '')", name="category_other_iff_other"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(8), unique=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)

    organisation_name: Mapped[str] = mapped_column(String(200))
    # Case-folded, spaces collapsed: what the duplicate rule compares. Case folding can
    # make text up to three times longer ("ß" becomes "ss"), hence the room.
    organisation_key: Mapped[str] = mapped_column(String(600))
    # No index on category, state, pillar or focus area: with a handful of values each,
    # an index narrows little, and each one costs every registration another write.
    category: Mapped[str] = mapped_column(String(32))
    category_other: Mapped[str] = mapped_column(String(200), default="")
    registration_number: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(500))
    postcode: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(32))
    website: Mapped[str] = mapped_column(String(500), default="")

    contact_name: Mapped[str] = mapped_column(String(200))
    contact_designation: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(320))
    contact_email_key: Mapped[str] = mapped_column(String(960))
    contact_phone: Mapped[str] = mapped_column(String(20))
    # When a mail server last refused the contact email for good (5xx); cleared when a
    # later mail to it is delivered.
    contact_undeliverable_at: Mapped[dt.datetime | None] = mapped_column(
        UTCDateTime, default=None
    )

    interest_statement: Mapped[str] = mapped_column(Text)
    workshop_attendees: Mapped[int] = mapped_column(Integer)
    preferred_language: Mapped[str] = mapped_column(String(2))
    consent_pdpa: Mapped[bool] = mapped_column(Boolean)
    consent_share_partners: Mapped[bool] = mapped_column(Boolean, default=False)

    # The registrant's private link is signed from the id and this nonce (`private_links`);
    # a new nonce kills every older link, and an erased registration has none.
    link_nonce: Mapped[str | None] = mapped_column(String(32), default=new_link_nonce)
    # The SHA-256 of a link mailed before signed links, accepted until a new link is made.
    manage_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # Workshop planning, kept by the secretariat (invitations are rows of their own).
    staff_notes: Mapped[str] = mapped_column(Text, default="")

    pillar_rows: Mapped[list[RegistrationPillar]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    focus_area_rows: Mapped[list[RegistrationFocusArea]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def pillars(self) -> list[str]:
        """The chosen pillars, in the vocabulary's order."""
        chosen = {row.pillar for row in self.pillar_rows}
        return [code for code in PILLAR_CODES if code in chosen]

    @property
    def focus_areas(self) -> list[str]:
        """The chosen focus areas, in the vocabulary's order."""
        chosen = {row.focus_area for row in self.focus_area_rows}
        return [code for code in FOCUS_AREA_CODES if code in chosen]


class RegistrationEvent(Base):
    """One recorded change to a registration: who did what, and when."""

    __tablename__ = "registration_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # "registrant", "staff:<id>" or "system"; never an email address.
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")


class RegistrationPillar(Base):
    __tablename__ = "registration_pillar"
    __table_args__ = (CheckConstraint(_one_of("pillar", PILLAR_CODES), name="pillar_known"),)

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    pillar: Mapped[str] = mapped_column(String(32), primary_key=True)


class RegistrationFocusArea(Base):
    __tablename__ = "registration_focus_area"
    __table_args__ = (
        CheckConstraint(_one_of("focus_area", FOCUS_AREA_CODES), name="focus_area_known"),
    )

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True
    )
    focus_area: Mapped[str] = mapped_column(String(40), primary_key=True)
