"""Announcements in the staff API: what is asked, and what is answered."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from app.schemas.errors import ErrorRead
from app.schemas.staff import one_value


class AnnouncementCreate(BaseModel):
    """An announcement to write; both languages' subject and body are required."""

    subject_ms: str = Field(default="", examples=["Bengkel perancangan strategik"])
    body_ms: str = Field(default="", examples=["Tuan/Puan {contact_name}, …"])
    subject_en: str = Field(default="", examples=["Strategic planning workshop"])
    body_en: str = Field(default="", examples=["Dear {contact_name}, …"])
    filters: dict[str, Annotated[str | None, BeforeValidator(one_value)]] = Field(
        default_factory=dict, examples=[{"category": "cso", "pillar": "prevention"}],
        description="The registrant list's filters, by its query parameter names, one value "
        "each (a list is refused). Withdrawn registrations are never included.")
    dry_run: bool = Field(default=False, description="Count the recipients; queue nothing.")


class AnnouncementCreated(BaseModel):
    """How many registrants the announcement reaches (or would reach, on a dry run)."""

    id: int | None = Field(description="None on a dry run: nothing was stored.")
    recipients: int
    by_language: dict[str, int] = Field(examples=[{"ms": 120, "en": 45}])


class DeliveryRead(BaseModel):
    delivered: int
    waiting: int
    failed: int


class AnnouncementRead(BaseModel):
    """An announcement as staff see it: who sent what, when, to whom, and how delivery goes."""

    id: int
    subject_ms: str
    subject_en: str
    sent_by: str | None
    created_at: dt.datetime
    filters: dict[str, object]
    recipients: int
    by_language: dict[str, int]
    delivery: DeliveryRead


class AnnouncementDetailRead(AnnouncementRead):
    body_ms: str
    body_en: str


class AnnouncementListRead(BaseModel):
    items: list[AnnouncementRead]
    total: int


FORBIDDEN_RESPONSE = {"model": ErrorRead, "description": "Only an administrator's token may send."}
