"""An announcement: the secretariat's message to a filtered set of registrants, in two languages.

Each recipient's mail is an `outbox_mail` row of kind "announcement" that points back here;
a unique index on (announcement_id, registration_id) holds the rule "one mail per
registration per announcement" in the database, whatever the requests do.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000


class Announcement(Base):
    __tablename__ = "announcement"
    __table_args__ = (
        CheckConstraint("recipients = recipients_ms + recipients_en", name="counts_add_up"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_ms: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    body_ms: Mapped[str] = mapped_column(Text)
    subject_en: Mapped[str] = mapped_column(String(SUBJECT_MAX_LENGTH))
    body_en: Mapped[str] = mapped_column(Text)
    # The registrant list's filters, as JSON with the list's query parameter names.
    filters: Mapped[str] = mapped_column(Text, default="{}")
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    recipients_ms: Mapped[int] = mapped_column(Integer, default=0)
    recipients_en: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    # "form:<one-time form token>" or "api:<staff id>:<Idempotency-Key>": a double click,
    # a retry or two instances given the same submission insert one row, and the others
    # find it.
    idempotency_key: Mapped[str | None] = mapped_column(String(320), unique=True, default=None)
    # SHA-256 of what was asked, so a key reused for a different announcement is refused.
    request_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    # Unique per announcement: the start of each recipient mail's Message-ID.
    message_id_prefix: Mapped[str] = mapped_column(String(32), unique=True)
