"""Progress reports on the roadmap: reporting periods, one report per commitment, evidence."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, new_link_nonce
from app.models.roadmap import RoadmapCommitment
from app.vocab import one_of

# The Open Government Partnership's completion scale.
COMPLETION_SCALE = ("not_started", "limited", "substantial", "completed")
REPORT_STATES = ("requested", "submitted", "approved", "returned")


class RoadmapPeriod(Base):
    """A reporting period: its label, the span it reports on, and the date reports are due."""

    __tablename__ = "roadmap_period"
    __table_args__ = (
        CheckConstraint("label <> ''", name="label_given"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    # When the one reminder was queued; set in the transaction that queues it.
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RoadmapReport(Base):
    """One commitment's report for one period, from the request to the review.

    Its private link is signed from the id and `link_nonce` (`app.roadmap.report_links`).
    """

    __tablename__ = "roadmap_report"
    __table_args__ = (
        UniqueConstraint("period_id", "commitment_id"),
        CheckConstraint(one_of("state", REPORT_STATES), name="state_known"),
        CheckConstraint(f"status IS NULL OR {one_of('status', COMPLETION_SCALE)}",
                        name="status_known"),
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_period.id", ondelete="CASCADE"), index=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_commitment.id", ondelete="CASCADE"), index=True)
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_link_nonce)
    state: Mapped[str] = mapped_column(String(16), default="requested")
    status: Mapped[str | None] = mapped_column(String(16), default=None)
    progress: Mapped[int | None] = mapped_column(Integer, default=None)
    value: Mapped[str] = mapped_column(String(100), default="")
    narrative_ms: Mapped[str] = mapped_column(Text, default="")
    narrative_en: Mapped[str] = mapped_column(Text, default="")
    # One web address a line, in the order given.
    evidence_urls: Mapped[str] = mapped_column(Text, default="")
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    period: Mapped[RoadmapPeriod] = relationship()
    commitment: Mapped[RoadmapCommitment] = relationship()
    files: Mapped[list[RoadmapEvidence]] = relationship(
        cascade="all, delete-orphan", order_by="RoadmapEvidence.id")

    @property
    def urls(self) -> list[str]:
        return [url for url in self.evidence_urls.splitlines() if url]


class RoadmapEvidence(Base):
    """A file given as evidence with a report: checked by its content, stored in the database.

    In the database, not on a disk: several instances of the portal share it, and a backup
    of the database is a backup of the evidence.
    """

    __tablename__ = "roadmap_evidence"
    __table_args__ = (
        CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg')",
                        name="type_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("roadmap_report.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
