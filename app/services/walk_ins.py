"""Walk-ins at the check-in desk: who may be added, on which days, and what it changes.

A walk-in is someone from a registered organisation who came without being named. The desk
adds them, checked in, to the organisation's invitation, with the workshop locked first
(`workshop_seats.lock_workshop`), as every change of seats is. Capacity is not a block:
going over it is a warning. What the desk does not do on its own:
- undo an organisation's answer: an invitation cancelled by staff or declined stays so,
  unless an administrator adds the person anyway, with a reason kept in the audit log;
- go past the workshop's most representatives per organisation, again unless an
  administrator does so with a reason;
- add anyone for a registration withdrawn or erased (nobody can);
- add anyone before the workshop's first day (`WORKSHOP_WALK_IN_DAYS_BEFORE` opens the
  desk earlier) or after its last day, in Malaysian time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, get_settings
from app.models import Invitation, Registration, Representative, Workshop
from app.services import audit
from app.services.invitation_links import ensure_link
from app.services.purge import is_erased
from app.services.workshop_seats import lock_workshop

# Answers a walk-in does not undo on its own: staff cancelled, or the organisation declined.
ANSWERED_NO = ("cancelled", "declined")


class OrganisationNotFound(LookupError):
    """No registration has this reference."""


class WalkInRefused(Exception):
    """The desk cannot add this walk-in; `reason` says why.

    "withdrawn", "erased", "not_open", "answered" (the invitation was cancelled or
    declined) or "full" (the organisation has its most representatives). The last two an
    administrator may override with a reason; `invitation` is there for the desk to show
    the organisation's answer.
    """

    def __init__(self, reason: str, invitation: Invitation | None = None,
                 registration: Registration | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation
        self.registration = registration


@dataclass(frozen=True, slots=True)
class WalkIn:
    """A walk-in added, and the organisation's answer before it (None: not invited)."""

    person: Representative
    status_before: str | None


def walk_in_hours(workshop: Workshop) -> tuple[dt.datetime, dt.datetime]:
    """Return when the desk may add walk-ins: from the first day's midnight to the last's end."""
    days_before = dt.timedelta(days=get_settings().workshop_walk_in_days_before)
    first_day = workshop.starts_at.astimezone(MALAYSIA).date() - days_before
    after_last_day = workshop.ends_at.astimezone(MALAYSIA).date() + dt.timedelta(days=1)
    return (dt.datetime.combine(first_day, dt.time(), MALAYSIA),
            dt.datetime.combine(after_last_day, dt.time(), MALAYSIA))


def walk_ins_open(workshop: Workshop, now: dt.datetime) -> bool:
    """Say whether the desk may add walk-ins now."""
    opens, closes = walk_in_hours(workshop)
    return opens <= now < closes


def add_walk_in(
    *, session: Session, workshop_id: int, reference: str, full_name: str, designation: str,
    staff_user_id: int | None, now: dt.datetime, override_reason: str = "",
) -> WalkIn:
    """Add a walk-in from a registered organisation, checked in now.

    The organisation's invitation is accepted (made if it had none), as the person came,
    unless it was cancelled or declined. A non-empty `override_reason` is an
    administrator's: it adds the person to a cancelled or declined invitation, or past the
    most representatives, and goes in the audit log with the change of answer.
    """
    workshop = lock_workshop(session=session, workshop_id=workshop_id)
    if not walk_ins_open(workshop, now):
        raise WalkInRefused("not_open")
    registration = session.scalars(select(Registration).where(
        Registration.reference == reference.strip().upper())).first()
    if registration is None:
        raise OrganisationNotFound(reference)
    if registration.withdrawn_at is not None:
        raise WalkInRefused("withdrawn", registration=registration)
    if is_erased(registration):
        raise WalkInRefused("erased", registration=registration)
    invitation = session.scalars(select(Invitation).where(
        Invitation.workshop_id == workshop.id,
        Invitation.registration_id == registration.id)).first()
    status_before = invitation.status if invitation is not None else None
    overridden = []
    if invitation is not None and invitation.status in ANSWERED_NO:
        if not override_reason:
            raise WalkInRefused("answered", invitation, registration)
        overridden.append("answer")
    staying = _staying(invitation)
    if len(staying) + 1 > workshop.max_representatives:
        if not override_reason:
            raise WalkInRefused("full", invitation, registration)
        overridden.append("most_representatives")
    if invitation is None:
        invitation = Invitation(workshop_id=workshop.id, registration_id=registration.id,
                                status="accepted", invited_at=now, replied_at=now)
        session.add(invitation)
        session.flush()
    elif invitation.status != "accepted":
        invitation.representatives[:] = staying
        invitation.status, invitation.replied_at = "accepted", now
        invitation.waiting_since = invitation.offer_expires_at = None
    # An accepted invitation has a link, as any other: a cancelled one lost its own.
    ensure_link(invitation)
    position = 1 + max((p.position for p in invitation.representatives), default=-1)
    person = Representative(invitation_id=invitation.id, position=position,
                            full_name=full_name.strip(), designation=designation.strip(),
                            email="", walk_in=True, checked_in_at=now,
                            checked_in_by=staff_user_id)
    session.add(person)
    session.flush()
    detail: dict[str, object] = {
        "workshop": workshop.id, "reference": registration.reference,
        "representative": person.id, "status_before": status_before, "status": "accepted"}
    if overridden:
        detail |= {"overridden": overridden, "reason": override_reason}
    audit.record(session=session, action="walk_in_added", staff_user_id=staff_user_id,
                 now=now, detail=detail)
    return WalkIn(person, status_before)


def _staying(invitation: Invitation | None) -> list[Representative]:
    """Return the representatives who stay on the invitation once the walk-in is added.

    A cancelled or declined invitation that an administrator opens again for a walk-in
    does not bring back the people it named before: only those already checked in, and
    earlier walk-ins, stay.
    """
    if invitation is None:
        return []
    if invitation.status not in ANSWERED_NO:
        return list(invitation.representatives)
    return [person for person in invitation.representatives
            if person.walk_in or person.checked_in_at is not None]
