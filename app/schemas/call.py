"""The public description of the call for interest."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app.core.config import ENQUIRIES_EMAIL


class TermRead(BaseModel):
    code: str = Field(examples=["cso"])
    label_ms: str = Field(examples=["Pertubuhan masyarakat madani (CSO)"])
    label_en: str = Field(examples=["Civil society organisation (CSO)"])


class CallRead(BaseModel):
    deadline: dt.datetime = Field(
        description="The instant the call closes (submissions must arrive before it).",
        examples=["2022-10-21T00:00:00+08:00"],
    )
    open: bool
    deadline_text_ms: str = Field(examples=["20 Oktober 2022, 11:59 malam waktu Malaysia (UTC+8)"])
    deadline_text_en: str = Field(examples=["20 October 2022, 11:59 pm Malaysia time (UTC+8)"])
    enquiries_email: str = Field(examples=[ENQUIRIES_EMAIL])
    categories: list[TermRead]
    states: list[TermRead]
    pillars: list[TermRead]
    focus_areas: list[TermRead]
