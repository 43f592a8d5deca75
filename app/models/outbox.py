"""The transactional outbox: mail queued with the change that caused it, delivered later."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime
from app.vocab import MAIL_STATUS_CODES, one_of

# The longest subject kept; a mail's subject is never longer (see announcement_mail).
SUBJECT_LENGTH = 300


class OutboxMail(Base):
    """A message to send and its delivery state.

    The subject and bodies are rendered by the worker that sends them, from the registration
    as stored then, and kept once sent (with the private link removed); staff's view of a
    waiting mail renders its subject to show it. Rows queued by earlier versions carry
    their subject (and perhaps their bodies) already. A worker claims a row by
    moving it to `inflight` with a lease (`next_attempt_at` in the future); a worker that
    dies leaves the lease to run out and the row is tried again.
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (
        CheckConstraint(one_of("status", MAIL_STATUS_CODES), name="status_known"),
        Index("ix_outbox_mail_due", "status", "next_attempt_at"),
        # One mail per registration per announcement, held by the database (other mail
        # has no announcement, and NULLs never collide).
        Index("uq_outbox_mail_announcement_registration", "announcement_id", "registration_id",
              unique=True),
        # One request (and one reminder) per lead per reporting period, held by the database.
        Index("uq_outbox_mail_roadmap_period_registration", "roadmap_period_id",
              "registration_id", "kind", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True, default=None
    )
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcement.id", ondelete="CASCADE"), default=None
    )
    # A workshop mail's invitation: which workshop it tells about.
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitation.id", ondelete="SET NULL"), default=None
    )
    # A progress report's request (per lead and period) or review (per report).
    roadmap_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_period.id", ondelete="CASCADE"), default=None)
    roadmap_report_id: Mapped[int | None] = mapped_column(
        ForeignKey("roadmap_report.id", ondelete="CASCADE"), default=None)
    kind: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str | None] = mapped_column(String(SUBJECT_LENGTH), default=None)
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
