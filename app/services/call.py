"""Describe the call for interest to the public: its deadline, whether it is open, its codes."""

from __future__ import annotations

import datetime as dt

from app import vocab
from app.core.config import ENQUIRIES_EMAIL, MALAYSIA
from app.core.i18n import format_malaysian_time
from app.schemas.call import CallRead, TermRead
from app.services.deadline import is_open, last_moment


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
