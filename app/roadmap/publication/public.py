"""The public roadmap: one document, built from one query, for the page, JSON and CSV.

It names organisations, never people: no contact's name, email or phone is read.
A commitment's status and progress come from its latest approved report (SPEC 8.2); until
reports exist every commitment is "not yet reported", with no progress, and an outcome's
and a pillar's progress are the weighted mean over the commitments that have one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.models import Registration, RoadmapCommitment, RoadmapOutcome, RoadmapPartner
from app.roadmap.plan.outcomes import dotted_key
from app.roadmap.publication.public_reports import approved_reports
from app.services.purge import ERASED_KEY_PREFIX
from app.services.text_sheets import text_csv
from app.vocab import PILLARS

NOT_REPORTED = "not_reported"
CSV_COLUMNS = ("code", "outcome", "pillar", "title_ms", "title_en", "lead", "partners",
               "starts_on", "ends_on", "weight", "status", "progress")


def weighted_progress(items: Iterable[tuple[int, float | None]]) -> float | None:
    """Return the weighted mean of the progresses given, or None when none is given.

    The one roll-up rule: commitments to an outcome, and commitments under a pillar.
    """
    total = weights = 0.0
    for weight, progress in items:
        if progress is not None:
            total += weight * progress
            weights += weight
    return round(total / weights, 1) if weights else None


def _roll_up(commitments: list[dict[str, Any]]) -> dict[str, Any]:
    return {"progress": weighted_progress((c["weight"], c["progress"]) for c in commitments),
            "commitments": len(commitments),
            "reported": sum(c["progress"] is not None for c in commitments)}


def _latest_value(commitments: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the indicator's value from the latest approved report that gives one."""
    valued = [report for c in commitments for report in c["reports"] if report["value"]]
    if not valued:
        return {}
    latest = max(valued, key=lambda report: report["period_ends_on"])
    return {"latest_value": latest["value"], "latest_value_period": latest["period"]}


def _organisation(registration_id: int | None, name: str | None, key: str | None,
                  withdrawn: bool) -> dict[str, Any]:
    # An erased registration's name is blanked with its personal data: it is shown as a
    # withdrawn organisation, unnamed.
    erased = bool(key and key.startswith(ERASED_KEY_PREFIX))
    return {"name": None if erased else name, "registered": registration_id is not None,
            "withdrawn": withdrawn or erased}


def _rows(session: Session) -> list[Any]:
    lead = aliased(Registration)
    partner = aliased(Registration)
    # Core rows, not ORM ones: the page is read far more than it changes, and the ORM's
    # per-row work was a third of the time at 500 commitments.
    return list(session.connection().execute(
        select(RoadmapOutcome.id.label("outcome_id"), RoadmapOutcome.number,
               RoadmapOutcome.pillar, RoadmapOutcome.title_ms.label("outcome_title_ms"),
               RoadmapOutcome.title_en.label("outcome_title_en"), RoadmapOutcome.indicator_ms,
               RoadmapOutcome.indicator_en, RoadmapOutcome.baseline,
               RoadmapOutcome.baseline_year, RoadmapOutcome.target, RoadmapOutcome.target_year,
               RoadmapCommitment.id.label("commitment_id"), RoadmapCommitment.code,
               RoadmapCommitment.title_ms, RoadmapCommitment.title_en,
               RoadmapCommitment.description_ms, RoadmapCommitment.description_en,
               RoadmapCommitment.lead_registration_id, RoadmapCommitment.lead_name,
               RoadmapCommitment.starts_on, RoadmapCommitment.ends_on, RoadmapCommitment.weight,
               lead.organisation_name.label("lead_organisation"),
               lead.organisation_key.label("lead_key"),
               lead.withdrawn_at.label("lead_withdrawn_at"),
               partner.id.label("partner_id"), partner.organisation_name.label("partner_name"),
               partner.organisation_key.label("partner_key"),
               partner.withdrawn_at.label("partner_withdrawn_at"))
        .outerjoin(RoadmapCommitment, RoadmapCommitment.outcome_id == RoadmapOutcome.id)
        .outerjoin(lead, lead.id == RoadmapCommitment.lead_registration_id)
        .outerjoin(RoadmapPartner, RoadmapPartner.commitment_id == RoadmapCommitment.id)
        .outerjoin(partner, partner.id == RoadmapPartner.registration_id)
        .order_by(RoadmapCommitment.id, RoadmapPartner.position)
    ))


def _outcome(row: Any) -> dict[str, Any]:
    return {"number": row.number, "pillar": row.pillar, "title_ms": row.outcome_title_ms,
            "title_en": row.outcome_title_en, "indicator_ms": row.indicator_ms,
            "indicator_en": row.indicator_en, "baseline": row.baseline or None,
            "baseline_year": row.baseline_year, "target": row.target or None,
            "target_year": row.target_year, "latest_value": None, "latest_value_period": None,
            "progress": None, "commitments": 0, "reported": 0}


def _commitment(row: Any) -> dict[str, Any]:
    if row.lead_registration_id is None:
        lead = {"name": row.lead_name, "registered": False, "withdrawn": False}
    else:
        lead = _organisation(row.lead_registration_id, row.lead_organisation, row.lead_key,
                             row.lead_withdrawn_at is not None)
    return {"code": row.code, "outcome": row.number, "pillar": row.pillar,
            "title_ms": row.title_ms, "title_en": row.title_en,
            "description_ms": row.description_ms, "description_en": row.description_en,
            "lead": lead, "partners": [], "starts_on": row.starts_on.isoformat(),
            "ends_on": row.ends_on.isoformat(), "weight": row.weight,
            "status": NOT_REPORTED, "progress": None, "reports": []}


def roadmap_document(*, session: Session) -> dict[str, Any]:
    """Return the public roadmap: pillars, outcomes and commitments, with their progress."""
    outcomes: dict[int, dict[str, Any]] = {}
    found: dict[int, dict[str, Any]] = {}
    for row in _rows(session):
        outcomes.setdefault(row.outcome_id, _outcome(row))
        if row.commitment_id is None:
            continue
        commitment = found.get(row.commitment_id)
        if commitment is None:
            commitment = found[row.commitment_id] = _commitment(row)
        if row.partner_id is not None:
            commitment["partners"].append(_organisation(
                row.partner_id, row.partner_name, row.partner_key,
                row.partner_withdrawn_at is not None))
    timelines = approved_reports(session)
    for commitment_id, commitment in found.items():
        timeline = timelines.get(commitment_id, [])
        if timeline:
            # The latest approved report speaks for the commitment.
            commitment.update(reports=timeline, status=timeline[-1]["status"],
                              progress=timeline[-1]["progress"])
    commitments = sorted(found.values(), key=lambda c: dotted_key(c["code"]))
    by_outcome = {outcome["number"]: outcome for outcome in outcomes.values()}
    by_pillar: dict[str, list[dict[str, Any]]] = {term.code: [] for term in PILLARS}
    mine: dict[str, list[dict[str, Any]]] = {number: [] for number in by_outcome}
    for commitment in commitments:
        mine[commitment["outcome"]].append(commitment)
        by_pillar[commitment["pillar"]].append(commitment)
    for number, outcome in by_outcome.items():
        outcome.update(_roll_up(mine[number]), **_latest_value(mine[number]))
    pillars = [{"code": term.code, "title_ms": term.ms, "title_en": term.en,
                **_roll_up(by_pillar[term.code])} for term in PILLARS]
    return {"pillars": pillars,
            "outcomes": sorted(by_outcome.values(), key=lambda o: dotted_key(o["number"])),
            "commitments": commitments}


def document_bytes(document: dict[str, Any]) -> bytes:
    """Return the document as compact UTF-8 JSON, the same bytes for the same roadmap."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def roadmap_csv(document: dict[str, Any]) -> bytes:
    """Return one row per commitment, organisations by name, for spreadsheets."""
    def name(organisation: dict[str, Any]) -> str:
        return organisation["name"] or "-"

    rows = [[c["code"], c["outcome"], c["pillar"], c["title_ms"], c["title_en"],
             name(c["lead"]), "; ".join(name(p) for p in c["partners"]), c["starts_on"],
             c["ends_on"], str(c["weight"]), c["status"],
             "" if c["progress"] is None else str(c["progress"])]
            for c in document["commitments"]]
    return text_csv(rows, CSV_COLUMNS)


def entity_tag(content: bytes) -> str:
    """Return a strong ETag for `content`: any change to the roadmap changes it."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


@lru_cache(maxsize=4096)
def long_date(iso_date: str, language: str) -> str:
    """Return a date as people read it: "1 Januari 2023", "1 January 2023"."""
    return format_date(dt.date.fromisoformat(iso_date), "d MMMM y", locale=language)


def page_sections(document: dict[str, Any]) -> list[tuple[dict[str, Any], list[Any]]]:
    """Return the document nested for the page: each pillar, its outcomes, their commitments."""
    commitments: dict[str, list[dict[str, Any]]] = {o["number"]: [] for o in document["outcomes"]}
    for commitment in document["commitments"]:
        commitments[commitment["outcome"]].append(commitment)
    outcomes: dict[str, list[Any]] = {p["code"]: [] for p in document["pillars"]}
    for outcome in document["outcomes"]:
        outcomes[outcome["pillar"]].append((outcome, commitments[outcome["number"]]))
    return [(pillar, outcomes[pillar["code"]]) for pillar in document["pillars"]]
