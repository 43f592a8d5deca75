"""Pairs of registrations that staff have said are not the same organisation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class DuplicateDismissal(Base):
    """"Not the same": the pair is never listed as a likely duplicate again."""

    __tablename__ = "duplicate_dismissal"
    __table_args__ = (
        # One row per pair, the lower id first.
        CheckConstraint("first_id < second_id", name="ordered"),
    )

    first_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True)
    second_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), primary_key=True, index=True)
    dismissed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    dismissed_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), default=None)
