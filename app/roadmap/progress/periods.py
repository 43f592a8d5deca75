"""Reporting periods: opening one asks every registered lead for its commitments' reports.

One request mail goes to each lead (a registration), whatever number of commitments it
leads: the mail lists each commitment with its own private link. One link per report,
not one per lead, because a lead often hands a commitment to the colleague who runs it,
and forwarding that link gives that colleague that report and no other.

The requests are queued with the period, in its transaction, by one INSERT … SELECT
over the leads; the outbox's unique index on (period, registration) holds "one request
per lead" in the database, as announcements do. Commitments led by a body that never
registered get no mail: staff enter their reports.
"""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import parseaddr

from sqlalchemy import Integer, String, cast, func, insert, literal, select, update
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, get_settings
from app.core.db import begin_write
from app.models import OutboxMail, Registration, RoadmapCommitment, RoadmapPeriod, RoadmapReport
from app.models.base import new_link_nonce, table_of
from app.services import audit
from app.services.purge import ERASED_KEY_PREFIX

REQUEST_KIND = "roadmap_report_request"
REMINDER_KIND = "roadmap_report_reminder"
# A report still to send: never sent, or returned and not sent again.
OUTSTANDING = ("requested", "returned")
_OUTBOX = table_of(OutboxMail)


def _message_id_domain() -> str:
    return parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "localhost"


class PeriodNotFound(Exception):
    """No reporting period has this id."""


def _queue_to_leads(session: Session, period_id: int, kind: str, now: dt.datetime) -> int:
    leads = (select(RoadmapCommitment.lead_registration_id)
             .where(RoadmapCommitment.lead_registration_id.is_not(None)))
    if kind == REMINDER_KIND:  # only the leads with a report still to send
        leads = leads.join(RoadmapReport, RoadmapReport.commitment_id == RoadmapCommitment.id) \
            .where(RoadmapReport.period_id == period_id, RoadmapReport.state.in_(OUTSTANDING))
    prefix = f"<roadmap-{period_id}-{secrets.token_hex(6)}."
    rows = select(
        literal(period_id, Integer), Registration.id, literal(kind),
        Registration.contact_email, Registration.preferred_language, literal(""), literal(""),
        literal(prefix, String) + cast(Registration.id, String)
        + literal(f"@{_message_id_domain()}>"),
        literal("queued"), literal(0, Integer), literal(now, _OUTBOX.c.next_attempt_at.type),
        literal(""), literal(now, _OUTBOX.c.created_at.type),
    ).where(Registration.id.in_(leads.scalar_subquery()), Registration.withdrawn_at.is_(None),
            Registration.contact_email != "",
            ~Registration.organisation_key.startswith(ERASED_KEY_PREFIX))
    columns = ["roadmap_period_id", "registration_id", "kind", "to_address", "language",
               "body_text", "body_html", "message_id", "status", "attempts",
               "next_attempt_at", "last_error", "created_at"]
    queued = session.connection().execute(
        _OUTBOX.insert().from_select(columns, rows).returning(_OUTBOX.c.id))
    return len(queued.all())


def open_period(*, session: Session, label: str, starts_on: dt.date, ends_on: dt.date,
                due_on: dt.date, actor: audit.Actor, now: dt.datetime) -> tuple[RoadmapPeriod, int]:
    """Open a period: a report requested for every commitment, a mail to every lead.

    Returns the period and the number of request mails queued.
    """
    period = RoadmapPeriod(label=label, starts_on=starts_on, ends_on=ends_on, due_on=due_on,
                           created_at=now)
    session.add(period)
    session.flush()
    commitment_ids = list(session.scalars(select(RoadmapCommitment.id)))
    if commitment_ids:
        session.execute(insert(RoadmapReport), [
            {"period_id": period.id, "commitment_id": commitment_id,
             "link_nonce": new_link_nonce(), "state": "requested", "value": "",
             "narrative_ms": "", "narrative_en": "", "evidence_urls": "", "late": False,
             "review_comment": "", "created_at": now} for commitment_id in commitment_ids])
    requested = _queue_to_leads(session, period.id, REQUEST_KIND, now)
    audit.record_change(session=session, actor=actor, action="roadmap_period_opened", now=now,
                        detail={"period": period.id, "label": label,
                                "starts_on": starts_on.isoformat(),
                                "ends_on": ends_on.isoformat(), "due_on": due_on.isoformat(),
                                "reports": len(commitment_ids), "requested": requested})
    return period, requested


def get_period(session: Session, period_id: int) -> RoadmapPeriod:
    period = session.get(RoadmapPeriod, period_id)
    if period is None:
        raise PeriodNotFound(period_id)
    return period


def list_periods(session: Session) -> list[tuple[RoadmapPeriod, int, int]]:
    """Return every period, newest first, with its reports' count and the approved count."""
    approved = func.sum(cast(RoadmapReport.state == "approved", Integer))
    rows = session.execute(
        select(RoadmapPeriod, func.count(RoadmapReport.id), func.coalesce(approved, 0))
        .outerjoin(RoadmapReport, RoadmapReport.period_id == RoadmapPeriod.id)
        .group_by(RoadmapPeriod.id).order_by(RoadmapPeriod.id.desc())).all()
    return [(period, int(count), int(done)) for period, count, done in rows]


def remind_due(session: Session, now: dt.datetime) -> int:
    """Queue each due period's one reminder to the leads still to report; return how many.

    Due: from REPORT_REMINDER_DAYS before the due date until the due date (Malaysian
    dates). A period is claimed by setting its `reminded_at` in the transaction that
    queues its mail, with `WHERE reminded_at IS NULL`: of two workers, one queues it.
    """
    today = now.astimezone(MALAYSIA).date()
    soon = today + dt.timedelta(days=get_settings().report_reminder_days)
    due = list(session.scalars(select(RoadmapPeriod.id).where(
        RoadmapPeriod.reminded_at.is_(None), RoadmapPeriod.due_on <= soon,
        RoadmapPeriod.due_on >= today)))
    session.rollback()  # only read so far
    queued = 0
    for period_id in due:
        begin_write(session)
        claimed = session.connection().execute(
            update(RoadmapPeriod).where(RoadmapPeriod.id == period_id,
                                        RoadmapPeriod.reminded_at.is_(None))
            .values(reminded_at=now)).rowcount
        if claimed == 1:
            queued += _queue_to_leads(session, period_id, REMINDER_KIND, now)
        session.commit()
    return queued
