"""Commitments: add and change them, with their lead and partners found by reference.

The API, the back office and the spreadsheet import all save through `save_commitment`,
so a commitment is checked, stored and audited the same way whichever way it came.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.core.i18n import N_, gettext
from app.models import Registration, RoadmapCommitment, RoadmapOutcome, RoadmapPartner
from app.roadmap.plan.outcomes import dotted_key
from app.roadmap.plan.schemas import CommitmentCreate, CommitmentPatch
from app.services import audit

Saved = Literal["created", "updated", "unchanged"]
UNKNOWN_OUTCOME = N_("No outcome has the number {value}")
UNKNOWN_REFERENCE = N_("No registration has the reference {value}")
PARTNER_TWICE = N_("The partner {value} is named twice")
LEAD_AS_PARTNER = N_("The lead {value} cannot also be a partner")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a field's value cannot be saved; `message` is English, translated when shown."""

    field: str
    message: str
    value: str = ""

    def worded(self, language: str) -> str:
        return gettext(language, self.message).format(value=self.value)


class CommitmentNotFound(Exception):
    """No commitment has this id."""


class CodeTaken(Exception):
    """Another commitment already has this code."""


class CommitmentInvalid(Exception):
    """The commitment names an outcome or registrations that do not exist."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class Lookups:
    """Outcome ids by number and registration ids by reference, found in one query each."""

    outcomes: dict[str, int] = field(default_factory=dict)
    registrations: dict[str, int] = field(default_factory=dict)


def find_lookups(*, session: Session, details: Iterable[CommitmentCreate]) -> Lookups:
    """Return the outcomes and registrations that `details` name."""
    numbers: set[str] = set()
    references: set[str] = set()
    for commitment in details:
        numbers.add(commitment.outcome)
        references.update(commitment.partners)
        if commitment.lead.reference:
            references.add(commitment.lead.reference)
    outcomes = {number: outcome_id for number, outcome_id in session.execute(
        select(RoadmapOutcome.number, RoadmapOutcome.id)
        .where(RoadmapOutcome.number.in_(numbers)))}
    registrations = {reference: registration_id for reference, registration_id in session.execute(
        select(Registration.reference, Registration.id)
        .where(Registration.reference.in_(references)))}
    return Lookups(outcomes, registrations)


def problems_of(details: CommitmentCreate, found: Lookups) -> list[Problem]:
    """Return what `details` name that does not exist, or is named twice."""
    problems = []
    if details.outcome not in found.outcomes:
        problems.append(Problem("outcome", UNKNOWN_OUTCOME, details.outcome))
    lead = details.lead.reference
    if lead and lead not in found.registrations:
        problems.append(Problem("lead", UNKNOWN_REFERENCE, lead))
    seen: set[str] = set()
    for reference in details.partners:
        if reference not in found.registrations:
            problems.append(Problem("partners", UNKNOWN_REFERENCE, reference))
        elif reference in seen:
            problems.append(Problem("partners", PARTNER_TWICE, reference))
        elif reference == lead:
            problems.append(Problem("partners", LEAD_AS_PARTNER, reference))
        seen.add(reference)
    return problems


def commitment_values(commitment: RoadmapCommitment) -> dict[str, Any]:
    """Return a commitment's fields as the API gives them (dates as ISO text)."""
    lead = commitment.lead_registration
    return {
        "code": commitment.code, "outcome": commitment.outcome.number,
        "title_ms": commitment.title_ms, "title_en": commitment.title_en,
        "description_ms": commitment.description_ms,
        "description_en": commitment.description_en,
        "lead": {"reference": lead.reference, "name": None} if lead
        else {"reference": None, "name": commitment.lead_name},
        "partners": [row.registration.reference for row in commitment.partner_rows],
        "starts_on": commitment.starts_on.isoformat(), "ends_on": commitment.ends_on.isoformat(),
        "weight": commitment.weight,
    }


def _with_relations() -> list[Any]:
    return [joinedload(RoadmapCommitment.outcome),
            joinedload(RoadmapCommitment.lead_registration),
            selectinload(RoadmapCommitment.partner_rows).joinedload(RoadmapPartner.registration)]


def list_commitments(*, session: Session) -> list[RoadmapCommitment]:
    """Return every commitment with its outcome, lead and partners, in the order of codes."""
    rows = session.scalars(select(RoadmapCommitment).options(*_with_relations())).unique()
    return sorted(rows, key=lambda c: dotted_key(c.code))


def organisation_choices(*, session: Session) -> list[tuple[str, str]]:
    """Return every registration's reference and organisation name, by name, for pickers."""
    return [(reference, name) for reference, name in session.execute(
        select(Registration.reference, Registration.organisation_name)
        .order_by(Registration.organisation_key))]


def get_commitment(*, session: Session, commitment_id: int) -> RoadmapCommitment:
    """Return the commitment with this id."""
    commitment = session.get(RoadmapCommitment, commitment_id, options=_with_relations())
    if commitment is None:
        raise CommitmentNotFound(commitment_id)
    return commitment


def commitments_by_code(*, session: Session, codes: Iterable[str]) -> dict[str, RoadmapCommitment]:
    """Return the commitments that have these codes, by code."""
    rows = session.scalars(select(RoadmapCommitment).options(*_with_relations())
                           .where(RoadmapCommitment.code.in_(set(codes)))).unique()
    return {row.code: row for row in rows}


def _apply(commitment: RoadmapCommitment, details: CommitmentCreate, found: Lookups) -> None:
    commitment.code = details.code
    commitment.outcome_id = found.outcomes[details.outcome]
    for name in ("title_ms", "title_en", "description_ms", "description_en", "starts_on",
                 "ends_on", "weight"):
        setattr(commitment, name, getattr(details, name))
    lead = details.lead.reference
    commitment.lead_registration_id = found.registrations[lead] if lead else None
    commitment.lead_name = "" if lead else details.lead.name or ""
    wanted = [found.registrations[reference] for reference in details.partners]
    kept = {row.registration_id: row for row in commitment.partner_rows}
    commitment.partner_rows = [kept.get(registration_id) or RoadmapPartner(
        registration_id=registration_id) for registration_id in wanted]
    for position, row in enumerate(commitment.partner_rows):
        row.position = position


def _as_saved(details: CommitmentCreate) -> dict[str, Any]:
    values = details.model_dump(mode="json")
    values["lead"] = {"reference": details.lead.reference,
                      "name": None if details.lead.reference else details.lead.name}
    return values


def save_commitment(*, session: Session, details: CommitmentCreate, found: Lookups,
                    existing: RoadmapCommitment | None, actor: audit.Actor,
                    now: dt.datetime) -> tuple[RoadmapCommitment, Saved]:
    """Store `details` as a new commitment or over `existing`, and audit what changed."""
    if problems := problems_of(details, found):
        raise CommitmentInvalid(problems)
    before = commitment_values(existing) if existing else None
    if before is not None and before == _as_saved(details):
        assert existing is not None
        return existing, "unchanged"
    commitment = existing or RoadmapCommitment(created_at=now)
    commitment.updated_at = now
    if existing is None:
        session.add(commitment)
    _apply(commitment, details, found)
    try:
        # The code was checked before, but the unique index decides between racing
        # writers; the refused request's transaction rolls back.
        session.flush()
    except IntegrityError:
        raise CodeTaken(details.code) from None
    session.refresh(commitment)
    after = commitment_values(commitment)
    audit.record_change(session=session, actor=actor, now=now,
                        action="roadmap_commitment_changed" if existing
                        else "roadmap_commitment_created",
                        detail={"code": commitment.code, "before": before, "after": after})
    return commitment, "updated" if existing else "created"


def _code_taken(session: Session, code: str, commitment_id: int | None) -> bool:
    found = session.scalar(select(RoadmapCommitment.id).where(RoadmapCommitment.code == code))
    return found is not None and found != commitment_id


def create_commitment(*, session: Session, details: CommitmentCreate, actor: audit.Actor,
                      now: dt.datetime) -> RoadmapCommitment:
    """Add a commitment, refusing a code already used or names that do not exist."""
    if _code_taken(session, details.code, None):
        raise CodeTaken(details.code)
    found = find_lookups(session=session, details=[details])
    return save_commitment(session=session, details=details, found=found, existing=None,
                           actor=actor, now=now)[0]


def patched(commitment: RoadmapCommitment, changes: CommitmentPatch) -> CommitmentCreate:
    """Return the commitment as it would be with `changes`, checked as a whole."""
    values = commitment_values(commitment)
    values.update(changes.model_dump(mode="json", exclude_unset=True, exclude_none=True))
    if values["lead"].get("reference") is None:
        values["lead"].pop("reference")
    if values["lead"].get("name") is None:
        values["lead"].pop("name")
    return CommitmentCreate.model_validate(values)


def update_commitment(*, session: Session, commitment_id: int, details: CommitmentCreate,
                      actor: audit.Actor, now: dt.datetime) -> RoadmapCommitment:
    """Replace a commitment's fields with `details` (see `patched` for a partial change)."""
    commitment = get_commitment(session=session, commitment_id=commitment_id)
    if _code_taken(session, details.code, commitment.id):
        raise CodeTaken(details.code)
    found = find_lookups(session=session, details=[details])
    return save_commitment(session=session, details=details, found=found, existing=commitment,
                           actor=actor, now=now)[0]
