"""The registrant list: one filter, sort and page builder for the pages, the API and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from app.models import (
    Registration,
    RegistrationEvent,
    RegistrationFocusArea,
    RegistrationPillar,
    StaffUser,
)
from app.schemas.staff import RegistrationFilters

_SORT_COLUMNS: dict[str, Any] = {
    "submitted_at": Registration.submitted_at,
    "organisation_name": Registration.organisation_key,
    "category": Registration.category,
    "state": Registration.state,
    "workshop_attendees": Registration.workshop_attendees,
}


@dataclass(frozen=True)
class RegistrationPage:
    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _conditions(filters: RegistrationFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.category:
        conditions.append(Registration.category == filters.category)
    if filters.state:
        conditions.append(Registration.state == filters.state)
    if filters.pillar:
        conditions.append(exists().where(RegistrationPillar.registration_id == Registration.id,
                                         RegistrationPillar.pillar == filters.pillar))
    if filters.focus_area:
        conditions.append(exists().where(RegistrationFocusArea.registration_id == Registration.id,
                                         RegistrationFocusArea.focus_area == filters.focus_area))
    if filters.attending == "yes":
        conditions.append(Registration.workshop_attendees > 0)
    elif filters.attending == "no":
        conditions.append(Registration.workshop_attendees == 0)
    if filters.invitation_status:
        conditions.append(Registration.invitation_status == filters.invitation_status)
    if filters.email_status == "undeliverable":
        conditions.append(Registration.contact_undeliverable_at.is_not(None))
    elif filters.email_status == "deliverable":
        conditions.append(Registration.contact_undeliverable_at.is_(None))
    if filters.withdrawn == "exclude":
        conditions.append(Registration.withdrawn_at.is_(None))
    elif filters.withdrawn == "only":
        conditions.append(Registration.withdrawn_at.is_not(None))
    if filters.q:
        text = filters.q.casefold()
        conditions.append(or_(
            # The keys are stored case-folded, so these compare without lower() on each row.
            Registration.organisation_key.contains(text, autoescape=True),
            Registration.contact_email_key.contains(text, autoescape=True),
            Registration.contact_name.icontains(filters.q, autoescape=True),
            Registration.reference == filters.q.upper(),
        ))
    return conditions


def matching(filters: RegistrationFilters) -> list[ColumnElement[bool]]:
    """Return the conditions that select the registrations the filters match, for a WHERE."""
    return _conditions(filters)


# A select of any columns (Select is generic over each column type).
AnySelect = Select[*tuple[Any, ...]]


def filtered(statement: AnySelect, filters: RegistrationFilters) -> AnySelect:
    """Apply the filters and the chosen order to a select over `registration`."""
    descending = filters.sort.startswith("-")
    column = _SORT_COLUMNS[filters.sort.lstrip("-")]
    order = column.desc() if descending else column.asc()
    # The id breaks ties, so pages never repeat or skip a registration.
    tie_breaker = Registration.id.desc() if descending else Registration.id.asc()
    return statement.where(*_conditions(filters)).order_by(order, tie_breaker)


def count_registrations(*, session: Session, filters: RegistrationFilters) -> int:
    """Count the registrations the filters match."""
    statement = select(func.count()).select_from(Registration).where(*_conditions(filters))
    return int(session.scalar(statement) or 0)


def list_registrations(
    *, session: Session, filters: RegistrationFilters, page: int, per_page: int
) -> RegistrationPage:
    """Return one page of the registrations the filters match."""
    total = count_registrations(session=session, filters=filters)
    statement = filtered(select(Registration), filters).limit(per_page).offset(
        (page - 1) * per_page)
    return RegistrationPage(list(session.scalars(statement)), total, page, per_page)


def find_registration(*, session: Session, reference: str) -> Registration | None:
    """Return the registration with this reference, if there is one."""
    return session.scalar(select(Registration).where(Registration.reference == reference.upper()))


def update_planning(
    *, session: Session, registration: Registration, invitation_status: str,
    staff_notes: str, staff_user_id: int, now: dt.datetime,
) -> list[str]:
    """Change the invitation status and notes, recording each change with who and when."""
    actor = f"staff:{staff_user_id}"
    changed: list[str] = []
    if invitation_status != registration.invitation_status:
        session.add(RegistrationEvent(
            registration_id=registration.id, at=now, actor=actor, action="invitation_status",
            detail=f"{registration.invitation_status} → {invitation_status}"))
        registration.invitation_status = invitation_status
        changed.append("invitation_status")
    if staff_notes != registration.staff_notes:
        # The notes themselves stay on the registration; the history says only that they changed.
        session.add(RegistrationEvent(
            registration_id=registration.id, at=now, actor=actor, action="staff_notes"))
        registration.staff_notes = staff_notes
        changed.append("staff_notes")
    if changed:
        registration.updated_at = now
    session.flush()
    return changed


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: str
    staff_email: str | None
    action: str
    detail: str


def registration_history(*, session: Session, registration: Registration) -> list[HistoryEntry]:
    """Return what happened to a registration, newest first, naming the staff who acted."""
    events = list(session.scalars(
        select(RegistrationEvent).where(RegistrationEvent.registration_id == registration.id)
        .order_by(RegistrationEvent.at.desc(), RegistrationEvent.id.desc())))
    staff_ids = {int(e.actor.split(":", 1)[1]) for e in events
                 if e.actor.startswith("staff:") and e.actor.split(":", 1)[1].isdigit()}
    emails = dict(session.execute(
        select(StaffUser.id, StaffUser.email).where(StaffUser.id.in_(staff_ids))).all()
    ) if staff_ids else {}
    return [
        HistoryEntry(e.at, e.actor, emails.get(int(e.actor[6:])) if e.actor[6:].isdigit()
                     and e.actor.startswith("staff:") else None, e.action, e.detail)
        for e in events
    ]
