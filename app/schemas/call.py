"""The public description of the call for interest."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from app import vocab
from app.core.config import ENQUIRIES_EMAIL, MALAYSIA
from app.core.i18n import format_malaysian_time
from app.services.deadline import is_open, last_moment


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


def _terms(terms: tuple[vocab.Term, ...]) -> list[TermRead]:
    return [TermRead(code=t.code, label_ms=t.ms, label_en=t.en) for t in terms]


def describe_call(closes_at: dt.datetime, now: dt.datetime) -> CallRead:
    """Describe the call as it stands at `now`."""
    shown = last_moment(closes_at)
    return CallRead(
        deadline=closes_at.astimezone(MALAYSIA),
        open=is_open(closes_at, now),
        deadline_text_ms=format_malaysian_time(shown, "ms"),
        deadline_text_en=format_malaysian_time(shown, "en"),
        enquiries_email=ENQUIRIES_EMAIL,
        categories=_terms(vocab.CATEGORIES),
        states=_terms(vocab.STATES),
        pillars=_terms(vocab.PILLARS),
        focus_areas=_terms(vocab.FOCUS_AREAS),
    )
