"""The call for interest: its deadline as the secretariat last set it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime


class CallDeadline(Base):
    """Each row is one decision about the deadline; the newest one is in force."""

    __tablename__ = "call_deadline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    closes_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # What the person typed (a date or a date-time), kept so the notice can show it back.
    given_as: Mapped[str] = mapped_column(String(40))
    set_by: Mapped[str] = mapped_column(String(320))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class PortalSetting(Base):
    """A small key/value store for settings the secretariat changes, such as data retention."""

    __tablename__ = "portal_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
