"""Outcomes: add, change and list them, each change audited with before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import RoadmapOutcome
from app.roadmap.plan.schemas import OutcomeCreate, OutcomePatch
from app.services import audit

OUTCOME_FIELDS = tuple(OutcomeCreate.model_fields)


class OutcomeNotFound(Exception):
    """No outcome has this id."""


class NumberTaken(Exception):
    """Another outcome already has this number."""


def dotted_key(number: str) -> tuple[int, ...]:
    """Return the sort key of a dotted number, so 1.10 comes after 1.9."""
    return tuple(int(part) if part.isdigit() else 0 for part in number.split("."))


def outcome_values(outcome: RoadmapOutcome) -> dict[str, Any]:
    """Return an outcome's fields as the API gives them."""
    return {name: getattr(outcome, name) for name in OUTCOME_FIELDS}


def list_outcomes(*, session: Session) -> list[RoadmapOutcome]:
    """Return every outcome in the order of their numbers."""
    return sorted(session.scalars(select(RoadmapOutcome)), key=lambda o: dotted_key(o.number))


def get_outcome(*, session: Session, outcome_id: int) -> RoadmapOutcome:
    """Return the outcome with this id."""
    outcome = session.get(RoadmapOutcome, outcome_id)
    if outcome is None:
        raise OutcomeNotFound(outcome_id)
    return outcome


def _flush_unique(session: Session, outcome: RoadmapOutcome) -> None:
    # The number was checked before, but the unique index decides: of two staff adding the
    # same number at once, one is refused here, and its request's transaction rolls back.
    try:
        session.flush()
    except IntegrityError:
        raise NumberTaken(outcome.number) from None


def create_outcome(*, session: Session, details: OutcomeCreate, actor: audit.Actor,
                   now: dt.datetime) -> RoadmapOutcome:
    """Add an outcome, refusing a number already used."""
    if session.scalar(select(RoadmapOutcome.id).where(RoadmapOutcome.number == details.number)):
        raise NumberTaken(details.number)
    outcome = RoadmapOutcome(**details.model_dump(), created_at=now, updated_at=now)
    session.add(outcome)
    _flush_unique(session, outcome)
    audit.record_change(session=session, actor=actor, action="roadmap_outcome_created", now=now,
                        detail={"number": outcome.number, "before": None,
                                "after": outcome_values(outcome)})
    return outcome


def full_patch(details: OutcomeCreate) -> OutcomePatch:
    """Return a change that sets every field to `details` (a form sends them all)."""
    return OutcomePatch.model_validate(details.model_dump())


def update_outcome(*, session: Session, outcome_id: int, changes: OutcomePatch,
                   actor: audit.Actor, now: dt.datetime) -> RoadmapOutcome:
    """Change the fields sent; a number already used by another outcome is refused."""
    outcome = get_outcome(session=session, outcome_id=outcome_id)
    before = outcome_values(outcome)
    sent = changes.model_dump(exclude_unset=True)
    # Required texts cannot be blanked by sending null; optional ones can.
    sent = {name: value for name, value in sent.items()
            if value is not None or name in ("baseline_year", "target_year")}
    sent.update({name: "" for name in ("baseline", "target")
                 if name in changes.model_fields_set and getattr(changes, name) is None})
    if "number" in sent and sent["number"] != outcome.number and session.scalar(
            select(RoadmapOutcome.id).where(RoadmapOutcome.number == sent["number"])):
        raise NumberTaken(sent["number"])
    for name, value in sent.items():
        setattr(outcome, name, value)
    after = outcome_values(outcome)
    if after != before:
        outcome.updated_at = now
        _flush_unique(session, outcome)
        audit.record_change(session=session, actor=actor, action="roadmap_outcome_changed",
                            now=now, detail={"number": outcome.number, "before": before,
                                             "after": after})
    return outcome
