"""Workshops as rows: create and change them, count their seats, and lock them to seat people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.models import Invitation, Registration, Representative, Workshop
from app.schemas.workshop import WorkshopCreate, WorkshopPatch
from app.services import audit, seating, workshop_mail
from app.services.workshop_seats import HOLDING_SEATS as HOLDING_SEATS
from app.services.workshop_seats import WorkshopNotFound as WorkshopNotFound
from app.services.workshop_seats import held_seats as held_seats
from app.services.workshop_seats import lock_workshop as lock_workshop

# Changing these tells everyone invited or accepted, once.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "venue", "online_url")


class WorkshopInvalid(ValueError):
    """The workshop's details do not hold together; `errors` says why, by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Seats:
    """A workshop's seats, in representatives."""

    capacity: int
    accepted: int
    waiting: int
    offered: int
    invited: int
    declined: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.accepted - self.offered, 0)


def check_details(values: dict[str, Any], *, accepted: int) -> dict[str, str]:
    """Return what is wrong with a workshop's details, by field (nothing: they hold)."""
    errors: dict[str, str] = {}
    if values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = N_("The workshop must end after it starts")
    if values["replies_close_at"] > values["starts_at"]:
        errors["replies_close_at"] = N_("Replies must close before the workshop starts")
    url = values.get("online_url") or ""
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        errors["online_url"] = N_("Enter a web address starting with https:// or http://")
    if values["capacity"] < accepted:
        errors["capacity"] = N_("The capacity cannot be below the seats already accepted")
    return errors


def get_workshop(*, session: Session, workshop_id: int) -> Workshop:
    """Return the workshop, or raise WorkshopNotFound."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopNotFound(workshop_id)
    return workshop


def seat_counts(*, session: Session, workshop: Workshop) -> Seats:
    """Count the workshop's seats by invitation status, in representatives."""
    named = dict(session.execute(
        select(Invitation.status, func.count(Representative.id)).join(Invitation)
        .where(Invitation.workshop_id == workshop.id).group_by(Invitation.status)).all())
    expected = dict(session.execute(
        select(Invitation.status, func.sum(Registration.workshop_attendees))
        .join(Registration, Registration.id == Invitation.registration_id)
        .where(Invitation.workshop_id == workshop.id,
               Invitation.status.in_(("invited", "declined")))
        .group_by(Invitation.status)).all())
    return Seats(capacity=workshop.capacity, accepted=int(named.get("accepted") or 0),
                 waiting=int(named.get("waiting") or 0), offered=int(named.get("offered") or 0),
                 invited=int(expected.get("invited") or 0),
                 declined=int(expected.get("declined") or 0))


def invitation_counts(*, session: Session, workshop_id: int) -> dict[str, int]:
    """Count the workshop's invitations (organisations) by status."""
    return {status: int(count) for status, count in session.execute(
        select(Invitation.status, func.count()).where(Invitation.workshop_id == workshop_id)
        .group_by(Invitation.status))}


def list_workshops(*, session: Session) -> list[tuple[Workshop, Seats]]:
    """Return every workshop, soonest first, with its seats."""
    workshops = session.scalars(select(Workshop).order_by(Workshop.starts_at, Workshop.id))
    return [(workshop, seat_counts(session=session, workshop=workshop)) for workshop in workshops]


def create_workshop(
    *, session: Session, details: WorkshopCreate, staff_user_id: int | None, now: dt.datetime
) -> Workshop:
    """Check and store a new workshop, and log who made it."""
    values = details.model_dump()
    errors = check_details(values, accepted=0)
    if errors:
        raise WorkshopInvalid(errors)
    workshop = Workshop(**values, created_at=now, updated_at=now)
    session.add(workshop)
    session.flush()
    audit.record(session=session, action="workshop_created", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop.id})
    return workshop


def update_workshop(
    *, session: Session, workshop_id: int, changes: WorkshopPatch, staff_user_id: int | None,
    now: dt.datetime,
) -> Workshop:
    """Change a workshop's details; a new date, time or venue is mailed to invitees, once."""
    workshop = lock_workshop(session=session, workshop_id=workshop_id)
    sent = changes.model_dump(exclude_unset=True)
    values = {column: getattr(workshop, column) for column in WorkshopCreate.model_fields}
    values.update({key: value for key, value in sent.items() if value is not None})
    accepted = seat_counts(session=session, workshop=workshop).accepted
    errors = check_details(values, accepted=accepted)
    if errors:
        raise WorkshopInvalid(errors)
    changed = [key for key, value in values.items() if getattr(workshop, key) != value]
    if not changed:
        return workshop
    for key in changed:
        setattr(workshop, key, values[key])
    workshop.updated_at = now
    session.flush()
    audit.record(session=session, action="workshop_changed", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop.id, "fields": changed})
    if any(key in NOTIFIED_FIELDS for key in changed):
        workshop_mail.queue_details_changed(session=session, workshop=workshop, now=now)
    if "capacity" in changed:
        seating.offer_free_seats(session=session, workshop=workshop, now=now)
    return workshop


REPLIES_CLOSED = N_("Replies have closed: nobody new can be invited, and organisations can no "
                    "longer accept. To reopen replies, change when they close.")
REPLIES_CLOSE_IN_THE_PAST = N_("This time is in the past: once it is saved, nobody can be "
                               "invited and organisations cannot accept. Save again to keep "
                               "it, or change it.")


def replies_warning(*, replies_close_at: dt.datetime, starts_at: dt.datetime,
                    now: dt.datetime) -> str:
    """Say that replies have closed while the workshop is still to come (or nothing).

    Replies closing after the start is refused by `check_details` and by the database.
    """
    return REPLIES_CLOSED if replies_close_at <= now < starts_at else ""


def is_closed_for_replies(workshop: Workshop, now: dt.datetime) -> bool:
    return now >= workshop.replies_close_at


def status_rank() -> Any:
    """An order for invitation lists: open answers first, then accepted, and so on."""
    return case({"waiting": 0, "offered": 1, "invited": 2, "accepted": 3, "declined": 4,
                 "expired": 5, "cancelled": 6}, value=Invitation.status)

