"""The approved reports of the public roadmap: each commitment's timeline, with its evidence.

Only approved reports are read. A commitment's status and progress are its latest
approved report's (the one of the latest period); the roll-up in `public` does the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import RoadmapEvidence, RoadmapPeriod, RoadmapReport


def evidence_url(evidence_id: int) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/roadmap/evidence/{evidence_id}"


def approved_reports(session: Session) -> dict[int, list[dict[str, Any]]]:
    """Return each commitment's approved reports, oldest period first, as the document has them.

    One query: the approved reports, left-joined to their files' names (never their bytes).
    """
    found: dict[int, list[dict[str, Any]]] = {}
    by_id: dict[int, dict[str, Any]] = {}
    for row in session.connection().execute(
            select(RoadmapReport.id, RoadmapReport.commitment_id, RoadmapReport.status,
                   RoadmapReport.progress, RoadmapReport.value, RoadmapReport.narrative_ms,
                   RoadmapReport.narrative_en, RoadmapReport.evidence_urls, RoadmapReport.late,
                   RoadmapPeriod.label, RoadmapPeriod.starts_on, RoadmapPeriod.ends_on,
                   RoadmapEvidence.id.label("file_id"), RoadmapEvidence.filename,
                   RoadmapEvidence.content_type, RoadmapEvidence.size)
            .join(RoadmapPeriod, RoadmapPeriod.id == RoadmapReport.period_id)
            .outerjoin(RoadmapEvidence, RoadmapEvidence.report_id == RoadmapReport.id)
            .where(RoadmapReport.state == "approved")
            .order_by(RoadmapPeriod.ends_on, RoadmapPeriod.id, RoadmapEvidence.id)):
        report = by_id.get(row.id)
        if report is None:
            report = by_id[row.id] = {
                "period": row.label, "period_starts_on": row.starts_on.isoformat(),
                "period_ends_on": row.ends_on.isoformat(), "status": row.status,
                "progress": row.progress, "value": row.value or None,
                "narrative_ms": row.narrative_ms, "narrative_en": row.narrative_en,
                "late": row.late,
                "evidence": {"links": [url for url in row.evidence_urls.splitlines() if url],
                             "files": []}}
            found.setdefault(row.commitment_id, []).append(report)
        if row.file_id is not None:
            report["evidence"]["files"].append(
                {"url": evidence_url(row.file_id), "filename": row.filename,
                 "content_type": row.content_type, "size": row.size})
    return found
