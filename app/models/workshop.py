"""Workshops, the invitations to them, and the representatives an organisation names."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false

from app.models.base import Base, UTCDateTime, new_link_nonce
from app.models.registration import Registration
from app.vocab import INVITATION_STATUS_CODES, PILLAR_CODES, REPLY_CHANNEL_CODES


def _one_of(column: str, codes: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{code}'" for code in codes)
    return f"{column} IN ({quoted})"


class Workshop(Base):
    """A meeting registrants are invited to; its seats are counted in representatives."""

    __tablename__ = "workshop"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("replies_close_at <= starts_at", name="replies_close_before_start"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("max_representatives BETWEEN 1 AND 20", name="max_representatives_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_ms: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(500))
    online_url: Mapped[str] = mapped_column(String(500), default="")
    replies_close_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    max_representatives: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_ms


class Invitation(Base):
    """One organisation's invitation to one workshop, and its answer.

    The private link is signed from the id and `link_nonce` (`app.services.invitation_links`),
    so no token is stored; `token_hash` is the SHA-256 of a link mailed before signed links,
    accepted until a new link is made. `waiting_since` orders the waiting list.
    """

    __tablename__ = "invitation"
    __table_args__ = (
        UniqueConstraint("workshop_id", "registration_id",
                         name="uq_invitation_workshop_registration"),
        CheckConstraint(_one_of("status", INVITATION_STATUS_CODES), name="status_known"),
        CheckConstraint(_one_of("reply_channel", ("", *REPLY_CHANNEL_CODES)),
                        name="reply_channel_known"),
        Index("ix_invitation_workshop_status", "workshop_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="invited")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # None while the invitation has no link (cancelled); a new nonce kills the older links.
    link_nonce: Mapped[str | None] = mapped_column(String(32), default=new_link_nonce)
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # When the invitation itself was last mailed (invited, or sent again): a reminder goes
    # only to those who have had it for a while (`workshop_due`).
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    waiting_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    # Seats asked for while waiting or offered: the representatives named when accepting.
    offer_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    reply_channel: Mapped[str] = mapped_column(String(16), default="")
    decline_reason: Mapped[str] = mapped_column(Text, default="")

    registration: Mapped[Registration] = relationship(lazy="joined", viewonly=True)
    representatives: Mapped[list[Representative]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Representative.position")


class Representative(Base):
    """A person an organisation names to attend; counts as one seat once accepted."""

    __tablename__ = "representative"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    full_name: Mapped[str] = mapped_column(String(200))
    designation: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str] = mapped_column(String(40), default="")
    needs: Mapped[str] = mapped_column(String(500), default="")
    # The workshop day (SPEC 7.3): the working group, and who checked the person in, when.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("working_group.id", ondelete="SET NULL"), index=True, default=None)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    checked_in_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class WorkingGroup(Base):
    """A working group of a workshop: by default one per pillar, with an optional seat limit."""

    __tablename__ = "working_group"
    __table_args__ = (
        CheckConstraint("seat_limit IS NULL OR seat_limit >= 1", name="seat_limit_positive"),
        CheckConstraint("pillar IS NULL OR " + _one_of("pillar", PILLAR_CODES),
                        name="pillar_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True)
    name_ms: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    pillar: Mapped[str | None] = mapped_column(String(32), default=None)
    seat_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_ms
