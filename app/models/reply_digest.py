"""The secretariat's digest of workshop replies: each reply noted, and the digests made of them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime
from app.vocab import REPLY_CHANNEL_CODES, REPLY_OUTCOME_CODES, one_of


class ReplyDigest(Base):
    """One digest mailed to the secretariat; the replies it tells point at it.

    Each digest names the one before it (`follows_id`, 0 for the first), and no two may
    name the same one: of two workers making a digest at the same moment, only one can
    store it, so the secretariat never gets two for the same replies or the same hour.
    """

    __tablename__ = "reply_digest"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    follows_id: Mapped[int] = mapped_column(Integer, unique=True)
    made_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_mail.id", ondelete="SET NULL"), unique=True, default=None)


class ReplyNotice(Base):
    """A reply to a workshop invitation (or an offer that ran out), for the next digest.

    Written in the reply's transaction, as it was then: a later answer is a notice of its
    own. `digest_id` is empty until a digest claims it.
    """

    __tablename__ = "reply_notice"
    __table_args__ = (
        CheckConstraint(one_of("outcome", REPLY_OUTCOME_CODES), name="outcome_known"),
        CheckConstraint(one_of("channel", ("", *REPLY_CHANNEL_CODES)), name="channel_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitation.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    # Representatives named with an accept or a move to the waiting list.
    seats: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16), default="")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    digest_id: Mapped[int | None] = mapped_column(
        ForeignKey("reply_digest.id", ondelete="CASCADE"), index=True, default=None)
