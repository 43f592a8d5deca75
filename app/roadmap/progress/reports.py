"""Progress reports: the lead's private link, what the lead sends, and the staff's review.

A report's link is signed from its id and `link_nonce` (`app.services.private_links`),
so every mail about it carries the same link, and it keeps working: after the review the
page shows the report as reviewed instead of the form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.config import MALAYSIA, get_settings
from app.core.i18n import N_
from app.models import RoadmapEvidence, RoadmapReport
from app.models.roadmap_reports import COMPLETION_SCALE
from app.roadmap.progress.evidence import MAX_FILES, MAX_URLS, CheckedFile
from app.services import audit, mail_queue
from app.services.private_links import (
    plausible_token,
    signed_row_id,
    signed_token,
    token_matches,
)

PURPOSE = "roadmap-report"
RETURNED_KIND = "roadmap_report_returned"
EDITABLE = ("requested", "submitted", "returned")
MAX_NARRATIVE = 10_000


STATE_LABELS = {
    "requested": N_("Not sent yet"), "submitted": N_("Sent, waiting for review"),
    "approved": N_("Approved"), "returned": N_("Returned for changes"),
}


class ReportNotFound(Exception):
    """No report has this id."""


class AlreadyReviewed(Exception):
    """The report was approved; it no longer changes."""


class NothingToReview(Exception):
    """The report has not been sent (or was returned and not sent again)."""


def report_token(report: RoadmapReport) -> str:
    return signed_token(PURPOSE, report.id, report.link_nonce)


def report_url(report: RoadmapReport) -> str:
    """Return the private link to a report's page."""
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/roadmap/report/{report_token(report)}"


def find_by_token(*, session: Session, token: str) -> RoadmapReport | None:
    """Return the report a private link opens, or None."""
    row_id = signed_row_id(token) if plausible_token(token) else None
    if row_id is None:
        return None
    report = session.get(RoadmapReport, row_id)
    if report is None or not token_matches(PURPOSE, row_id, report.link_nonce, token):
        return None
    return report


@dataclass
class ReportInput:
    """What the report form sent, as typed (kept to show again with its errors)."""

    status: str = ""
    progress: str = ""
    value: str = ""
    narrative_ms: str = ""
    narrative_en: str = ""
    urls: list[str] = field(default_factory=list)


def check_input(values: ReportInput) -> dict[str, str]:
    """Return a message (to translate) per field that is wrong; empty when all are right."""
    errors: dict[str, str] = {}
    if values.status not in COMPLETION_SCALE:
        errors["status"] = N_("Choose how far the commitment has come.")
    text = values.progress.strip().removesuffix("%").strip()
    if not (text.isdigit() and 0 <= int(text) <= 100):
        errors["progress"] = N_("Give the progress as a whole number from 0 to 100.")
    if len(values.value) > 100 or "\n" in values.value:
        errors["value"] = N_("Give the value on one line, in at most 100 characters.")
    if not (values.narrative_ms.strip() or values.narrative_en.strip()):
        errors["narrative_ms"] = N_("Write what was done, in Bahasa Melayu or English.")
    for name in ("narrative_ms", "narrative_en"):
        if len(getattr(values, name)) > MAX_NARRATIVE:
            errors[name] = N_("Write at most 10,000 characters.")
    for index, url in enumerate(values.urls[:MAX_URLS]):
        if url and (not url.startswith(("https://", "http://")) or len(url) > 500
                    or any(c.isspace() for c in url)):
            errors[f"evidence_url-{index}"] = N_(
                "Give a web address starting with https:// (at most 500 characters).")
    return errors


def malaysian_date(now: dt.datetime) -> dt.date:
    return now.astimezone(MALAYSIA).date()


def submit(*, session: Session, report: RoadmapReport, values: ReportInput,
           files: list[CheckedFile], now: dt.datetime) -> None:
    """Save the lead's report (checked by `check_input`); the files given are added."""
    if report.state not in EDITABLE:
        raise AlreadyReviewed(report.id)
    report.status = values.status
    report.progress = int(values.progress.strip().removesuffix("%").strip())
    report.value = values.value.strip()
    report.narrative_ms = values.narrative_ms.strip()
    report.narrative_en = values.narrative_en.strip()
    report.evidence_urls = "\n".join(url for url in values.urls[:MAX_URLS] if url)
    room = MAX_FILES - len(report.files)
    for checked in files[:max(room, 0)]:
        report.files.append(RoadmapEvidence(
            filename=checked.filename, content_type=checked.content_type,
            size=len(checked.content), content=checked.content, created_at=now))
    if report.state == "requested":  # the first sending decides whether it was late
        report.late = malaysian_date(now) > report.period.due_on
    report.state = "submitted"
    report.submitted_at = now
    session.flush()


def get_report(session: Session, report_id: int) -> RoadmapReport:
    report = session.get(RoadmapReport, report_id)
    if report is None:
        raise ReportNotFound(report_id)
    return report


def period_reports(session: Session, period_id: int) -> list[RoadmapReport]:
    """Return a period's reports with their commitments, in the commitments' order."""
    from app.roadmap.plan.outcomes import dotted_key

    reports = list(session.scalars(
        select(RoadmapReport).where(RoadmapReport.period_id == period_id)
        .options(selectinload(RoadmapReport.commitment))))
    return sorted(reports, key=lambda report: dotted_key(report.commitment.code))


def previous_approved(session: Session, report: RoadmapReport) -> RoadmapReport | None:
    """Return the commitment's latest approved report from an earlier period."""
    return session.scalar(
        select(RoadmapReport).where(RoadmapReport.commitment_id == report.commitment_id,
                                    RoadmapReport.state == "approved",
                                    RoadmapReport.period_id < report.period_id)
        .order_by(RoadmapReport.period_id.desc()).limit(1))


def review(*, session: Session, report_id: int, decision: str, comment: str,
           actor: audit.Actor, now: dt.datetime) -> RoadmapReport:
    """Approve a sent report (it becomes public) or return it to its lead with a comment."""
    report = get_report(session, report_id)
    if report.state != "submitted":
        raise NothingToReview(report.id)
    report.state = "approved" if decision == "approve" else "returned"
    report.reviewed_at = now
    report.review_comment = comment.strip()
    lead = report.commitment.lead_registration
    mailed = False
    if decision == "return" and lead is not None and lead.withdrawn_at is None:
        row = mail_queue.to_registrant(RETURNED_KIND, registration_id=lead.id,
                                       address=lead.contact_email,
                                       language=lead.preferred_language, now=now)
        session.flush()
        mail_queue.queue(session, [{**row, "roadmap_report_id": report.id}])
        mailed = True
    audit.record_change(session=session, actor=actor, action=f"roadmap_report_{report.state}",
                        now=now, detail={"report": report.id, "period": report.period_id,
                                         "commitment": report.commitment.code,
                                         "comment": report.review_comment, "mailed": mailed})
    session.flush()
    return report
