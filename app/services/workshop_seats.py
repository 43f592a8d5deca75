"""A workshop's seats: the lock every change of seats takes first, and the seats held."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Invitation, Representative, Workshop

# Invitations whose representatives hold seats: accepted, or offered and not yet answered.
HOLDING_SEATS = ("accepted", "offered")


class WorkshopNotFound(LookupError):
    """No workshop has this id."""


def lock_workshop(*, session: Session, workshop_id: int) -> Workshop:
    """Return the workshop locked for seating (FOR UPDATE on PostgreSQL).

    Everything that hands out or frees seats takes this lock first, so two replies for
    the last seats are counted one after the other. On SQLite the write lock, taken by
    begin_write, already serialises writers.
    """
    workshop = session.get(Workshop, workshop_id, with_for_update=True, populate_existing=True)
    if workshop is None:
        raise WorkshopNotFound(workshop_id)
    return workshop


def held_seats(*, session: Session, workshop_id: int, except_invitation: int | None = None) -> int:
    """Count the seats accepted or offered, leaving one invitation out if asked."""
    statement = (select(func.count(Representative.id)).join(Invitation)
                 .where(Invitation.workshop_id == workshop_id,
                        Invitation.status.in_(HOLDING_SEATS)))
    if except_invitation is not None:
        statement = statement.where(Invitation.id != except_invitation)
    return int(session.scalar(statement) or 0)
