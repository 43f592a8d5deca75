"""The Alliance 8.7 Roadmap: numbered outcomes under the pillars, and commitments to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime
from app.models.registration import Registration
from app.vocab import PILLAR_CODES, one_of

# Baselines and targets are years a plan speaks of, not arbitrary numbers.
_YEARS = "BETWEEN 2000 AND 2100"


class RoadmapOutcome(Base):
    """A numbered outcome (`1.1`) under one pillar, with its indicator, baseline and target."""

    __tablename__ = "roadmap_outcome"
    __table_args__ = (
        CheckConstraint(one_of("pillar", PILLAR_CODES), name="pillar_known"),
        CheckConstraint("number <> ''", name="number_given"),
        CheckConstraint(f"baseline_year IS NULL OR baseline_year {_YEARS}",
                        name="baseline_year_range"),
        CheckConstraint(f"target_year IS NULL OR target_year {_YEARS}", name="target_year_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    pillar: Mapped[str] = mapped_column(String(32))
    title_ms: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    indicator_ms: Mapped[str] = mapped_column(String(500))
    indicator_en: Mapped[str] = mapped_column(String(500))
    # Values as the plan words them ("12", "35%", "3 states"); empty when there is none.
    baseline: Mapped[str] = mapped_column(String(100), default="")
    baseline_year: Mapped[int | None] = mapped_column(Integer, default=None)
    target: Mapped[str] = mapped_column(String(100), default="")
    target_year: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    commitments: Mapped[list[RoadmapCommitment]] = relationship(back_populates="outcome")


class RoadmapCommitment(Base):
    """What one lead (a registered organisation, or a named body) commits to under an outcome.

    Its status and progress come from the partners' approved reports (SPEC 8.2); until one
    exists, it is "not yet reported".
    """

    __tablename__ = "roadmap_commitment"
    __table_args__ = (
        CheckConstraint("code <> ''", name="code_given"),
        # Exactly one lead: a registration, or the name of a body that never registered.
        CheckConstraint("(lead_registration_id IS NULL) <> (lead_name = '')", name="one_lead"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # RESTRICT: an outcome with commitments is never deleted from under them.
    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_outcome.id", ondelete="RESTRICT"), index=True)
    title_ms: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_ms: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    # Registrations are never deleted (erasure blanks their personal data), so a lead's
    # or a partner's commitment stays, marked, when the organisation withdraws.
    lead_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="RESTRICT"), default=None, index=True)
    lead_name: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    weight: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    outcome: Mapped[RoadmapOutcome] = relationship(back_populates="commitments")
    lead_registration: Mapped[Registration | None] = relationship()
    partner_rows: Mapped[list[RoadmapPartner]] = relationship(
        cascade="all, delete-orphan", order_by="RoadmapPartner.position")


class RoadmapPartner(Base):
    """A registered organisation that carries out a commitment with its lead."""

    __tablename__ = "roadmap_partner"
    __table_args__ = (CheckConstraint("position >= 0", name="position_not_negative"),)

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_commitment.id", ondelete="CASCADE"), primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="RESTRICT"), primary_key=True, index=True)
    # The order the partners were named in, kept for the export's round trip.
    position: Mapped[int] = mapped_column(Integer, default=0)

    registration: Mapped[Registration] = relationship()
