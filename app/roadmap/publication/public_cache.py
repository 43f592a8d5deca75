"""The public roadmap's derived documents, kept in each process while the data is unchanged.

Several instances share the database, so each must notice a change made through any other:
every request asks the database for the roadmap's version, one query of counts and latest
times (outcomes, commitments, partners, approved reports and their reviews, and the
registrations whose names and withdrawals the roadmap shows), and rebuilds only when it
differs. A review sets `reviewed_at`, so an approval shows at once; so does any edit.

The test suite runs every test in a rolled-back transaction with a frozen clock, where two
tests' different roadmaps can have the same counts and times: there (ENVIRONMENT=test) the
cache is off unless a test turns it on (`ENABLED_IN_TESTS`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import (
    Registration,
    RoadmapCommitment,
    RoadmapOutcome,
    RoadmapPartner,
    RoadmapReport,
)
from app.roadmap.publication import public

ENABLED_IN_TESTS = False
_lock = threading.Lock()


@dataclass
class Derived:
    """One version of the roadmap: its document, and what was made from it so far."""

    version: tuple[Any, ...]
    document: dict[str, Any]
    made: dict[str, bytes] = field(default_factory=dict)

    def get(self, key: str, make: Callable[[dict[str, Any]], bytes]) -> bytes:
        """Return what `make` makes of the document, made once per version."""
        found = self.made.get(key)
        if found is None:
            found = self.made[key] = make(self.document)
        return found


_current: Derived | None = None


def version(session: Session) -> tuple[Any, ...]:
    """Return what changes whenever anything the public roadmap shows changes."""
    approved = RoadmapReport.state == "approved"
    return tuple(session.execute(select(
        select(func.count()).select_from(RoadmapOutcome).scalar_subquery(),
        select(func.max(RoadmapOutcome.updated_at)).scalar_subquery(),
        select(func.count()).select_from(RoadmapCommitment).scalar_subquery(),
        select(func.max(RoadmapCommitment.updated_at)).scalar_subquery(),
        select(func.count()).select_from(RoadmapPartner).scalar_subquery(),
        select(func.count()).select_from(RoadmapReport).where(approved).scalar_subquery(),
        select(func.max(RoadmapReport.reviewed_at)).where(approved).scalar_subquery(),
        select(func.max(Registration.updated_at)).scalar_subquery(),
        select(func.count(Registration.withdrawn_at)).scalar_subquery(),
        select(func.max(Registration.withdrawn_at)).scalar_subquery(),
    )).one())


def derived(session: Session) -> Derived:
    """Return the roadmap's derived documents, rebuilt only when its version changed."""
    global _current
    if get_settings().environment == "test" and not ENABLED_IN_TESTS:
        return Derived((), public.roadmap_document(session=session))
    now_version = version(session)
    current = _current
    if current is not None and current.version == now_version:
        return current
    with _lock:
        if _current is None or _current.version != now_version:
            _current = Derived(now_version, public.roadmap_document(session=session))
        return _current
