"""Checking representatives in on the workshop day, and undoing a mistake (walk-ins: walk_ins).

Checking in is one UPDATE … WHERE checked_in_at IS NULL, so when two staff phones check the
same person in at once exactly one of them records the time, and both answer with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import Invitation, Registration, Representative
from app.services import audit


class AttendeeNotFound(LookupError):
    """No representative with this id at this workshop."""


class AttendeeRemoved(ValueError):
    """The representative's organisation is no longer accepted (cancelled, declined)."""


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """The time a person was checked in, and whether this request was the one that did it."""

    checked_in_at: dt.datetime
    first: bool


def get_attendee(
    *, session: Session, workshop_id: int, representative_id: int
) -> tuple[Representative, Registration]:
    """Return an accepted representative of this workshop, with their organisation."""
    row = session.execute(
        select(Representative, Invitation, Registration)
        .join(Invitation, Invitation.id == Representative.invitation_id)
        .join(Registration, Registration.id == Invitation.registration_id)
        .where(Representative.id == representative_id)).first()
    if row is None or row[1].workshop_id != workshop_id:
        raise AttendeeNotFound(representative_id)
    person, invitation, registration = row
    if invitation.status != "accepted":
        raise AttendeeRemoved(representative_id)
    return person, registration


def check_in(
    *, session: Session, workshop_id: int, representative_id: int, staff_user_id: int | None,
    now: dt.datetime,
) -> CheckedIn:
    """Check a representative in; if someone already did, keep and return the first time."""
    person, _registration = get_attendee(session=session, workshop_id=workshop_id,
                                         representative_id=representative_id)
    result = session.execute(
        update(Representative)
        .where(Representative.id == person.id, Representative.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by=staff_user_id)
        .execution_options(synchronize_session=False))
    first = getattr(result, "rowcount", 0) == 1
    session.refresh(person, ["checked_in_at", "checked_in_by"])
    if first:
        audit.record(session=session, action="attendee_checked_in", staff_user_id=staff_user_id,
                     now=now, detail={"workshop": workshop_id, "representative": person.id})
    assert person.checked_in_at is not None  # set by this update or an earlier one
    return CheckedIn(person.checked_in_at, first)


def undo_check_in(
    *, session: Session, workshop_id: int, representative_id: int, staff_user_id: int | None,
    now: dt.datetime,
) -> None:
    """Undo a mistaken check-in (logged with who undid it and the time it had)."""
    person, _registration = get_attendee(session=session, workshop_id=workshop_id,
                                         representative_id=representative_id)
    if person.checked_in_at is None:
        return
    was = person.checked_in_at
    person.checked_in_at = None
    person.checked_in_by = None
    audit.record(session=session, action="attendee_check_in_undone",
                 staff_user_id=staff_user_id, now=now,
                 detail={"workshop": workshop_id, "representative": person.id,
                         "was": was.isoformat()})

