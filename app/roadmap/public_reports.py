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
    """Return each commitment's approved reports, oldest period first, as the document has them."""
    connection = session.connection()
    files: dict[int, list[dict[str, Any]]] = {}
    for row in connection.execute(
            select(RoadmapEvidence.id, RoadmapEvidence.report_id, RoadmapEvidence.filename,
                   RoadmapEvidence.content_type, RoadmapEvidence.size)
            .join(RoadmapReport, RoadmapReport.id == RoadmapEvidence.report_id)
            .where(RoadmapReport.state == "approved").order_by(RoadmapEvidence.id)):
        files.setdefault(row.report_id, []).append(
            {"url": evidence_url(row.id), "filename": row.filename,
             "content_type": row.content_type, "size": row.size})
    found: dict[int, list[dict[str, Any]]] = {}
    for report in connection.execute(
            select(RoadmapReport.id, RoadmapReport.commitment_id, RoadmapReport.status,
                   RoadmapReport.progress, RoadmapReport.value, RoadmapReport.narrative_ms,
                   RoadmapReport.narrative_en, RoadmapReport.evidence_urls, RoadmapReport.late,
                   RoadmapPeriod.label, RoadmapPeriod.starts_on, RoadmapPeriod.ends_on)
            .join(RoadmapPeriod, RoadmapPeriod.id == RoadmapReport.period_id)
            .where(RoadmapReport.state == "approved")
            .order_by(RoadmapPeriod.ends_on, RoadmapPeriod.id)):
        found.setdefault(report.commitment_id, []).append({
            "period": report.label, "period_starts_on": report.starts_on.isoformat(),
            "period_ends_on": report.ends_on.isoformat(), "status": report.status,
            "progress": report.progress, "value": report.value or None,
            "narrative_ms": report.narrative_ms, "narrative_en": report.narrative_en,
            "late": report.late,
            "evidence": {"links": [url for url in report.evidence_urls.splitlines() if url],
                         "files": files.get(report.id, [])}})
    return found
