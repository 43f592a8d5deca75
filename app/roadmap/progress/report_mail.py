"""The reports' mail: the request when a period opens, and a returned report's comment.

Queued unrendered with the change that causes them, like the rest of the outbox; the
worker renders them when it sends them, with each report's private link, signed then.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.core.i18n import N_
from app.core.templating import environment, language_context, text_environment
from app.models import OutboxMail, Registration, RoadmapCommitment, RoadmapPeriod, RoadmapReport
from app.roadmap.plan.outcomes import dotted_key
from app.roadmap.progress.periods import REMINDER_KIND, REQUEST_KIND, remind_due
from app.roadmap.progress.reports import RETURNED_KIND, STATE_LABELS, report_url
from app.services.mail_batch import RENDERERS
from app.services.mail_content import MailCannotBeRendered, RenderedMail
from app.services.workshop_due import MORE_DUE_JOBS

SUBJECTS = {
    REQUEST_KIND: N_("Progress report requested: %(label)s"),
    RETURNED_KIND: N_("Your progress report was returned: %(label)s"),
    REMINDER_KIND: N_("Reminder: progress report due %(date)s"),
}
KINDS = tuple(SUBJECTS)


def _request_reports(session: Session, mail: OutboxMail) -> list[RoadmapReport]:
    reports = list(session.scalars(
        select(RoadmapReport).join(RoadmapCommitment)
        .where(RoadmapReport.period_id == mail.roadmap_period_id,
               RoadmapCommitment.lead_registration_id == mail.registration_id)
        .options(selectinload(RoadmapReport.commitment))))
    return sorted(reports, key=lambda report: dotted_key(report.commitment.code))


def render(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Render a report mail now, from the reports as they stand."""
    registration = session.get(Registration, mail.registration_id) if mail.registration_id else None
    if mail.kind in (REQUEST_KIND, REMINDER_KIND):
        period = session.get(RoadmapPeriod, mail.roadmap_period_id) if mail.roadmap_period_id \
            else None
        reports = _request_reports(session, mail) if period else []
    else:
        report = session.get(RoadmapReport, mail.roadmap_report_id) if mail.roadmap_report_id \
            else None
        period = report.period if report else None
        reports = [report] if report else []
    if registration is None or period is None or not reports:
        raise MailCannotBeRendered(f"mail {mail.id} has no report to ask for")
    context = {
        **language_context(mail.language), "kind": mail.kind, "registration": registration,
        "period": period, "links": [(report, report_url(report)) for report in reports],
        "states": STATE_LABELS,
    }
    translate = language_context(mail.language)["_"]
    return RenderedMail(
        str(translate(SUBJECTS[mail.kind]) % {"label": period.label,
                                              "date": period.due_on.isoformat()}),
        text_environment().get_template("email/roadmap_report.txt").render(context),
        environment().get_template("email/roadmap_report.html").render(context),
    )


RENDERERS.update(dict.fromkeys(KINDS, render))
# Each pass of `send-emails` queues the reminders that are due.
if remind_due not in MORE_DUE_JOBS:
    MORE_DUE_JOBS.append(remind_due)
