"""Answers to invitations and the seats they take: accepting, declining, the waiting list.

Every change to who holds seats happens with the workshop row locked
(`workshop_seats.lock_workshop`), so the representatives accepted never exceed the capacity,
even when two replies arrive for the last seats at the same instant.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import Invitation, Registration, Representative, Workshop
from app.schemas.reply import ReplyAnswer
from app.services import audit, reply_digest, workshop_mail
from app.services.workshop_seats import held_seats, lock_workshop


class ReplyRefused(Exception):
    """The invitation cannot be answered now; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        # "cancelled", "expired", "closed", "started", or "decline_only": replies have
        # closed, but the organisation may still decline.
        self.reason = reason


class NotEnoughSeats(Exception):
    """An organisation that holds seats asked for more than are free."""

    def __init__(self, most: int) -> None:
        super().__init__(most)
        self.most = most


# Answers that may still turn into a decline after replies close, until the workshop starts.
LATE_DECLINE_FROM = ("invited", "accepted", "waiting")


def can_reply(invitation: Invitation, workshop: Workshop, now: dt.datetime) -> str | None:
    """Return why the invitation cannot be answered now, or None if it can."""
    if invitation.status in ("cancelled", "expired"):
        return invitation.status
    if now >= workshop.starts_at:
        return "started"
    if invitation.status == "offered" and invitation.offer_expires_at is not None:
        return None if now < invitation.offer_expires_at else "expired"
    return "closed" if now >= workshop.replies_close_at else None


def only_decline(invitation: Invitation, workshop: Workshop, now: dt.datetime) -> bool:
    """Say whether replies have closed but the organisation may still decline (and free seats)."""
    return (can_reply(invitation, workshop, now) == "closed"
            and invitation.status in LATE_DECLINE_FROM)


def _refuse_unless_answerable(invitation: Invitation, workshop: Workshop, answer: ReplyAnswer,
                      now: dt.datetime, staff_user_id: int | None) -> None:
    refusal = can_reply(invitation, workshop, now)
    if refusal is None or (refusal == "closed" and staff_user_id is not None):
        return
    if refusal == "closed" and only_decline(invitation, workshop, now):
        if answer.answer == "decline":
            return
        raise ReplyRefused("decline_only")
    raise ReplyRefused(refusal)


def reply(
    *, session: Session, invitation: Invitation, answer: ReplyAnswer, now: dt.datetime,
    channel: str = "link", staff_user_id: int | None = None,
) -> str:
    """Record an accept or decline and return the invitation's new status.

    An accept that fits in the free seats is accepted; one that does not joins the
    waiting list (an organisation already accepted is refused more seats than are free,
    rather than losing the ones it has). After replies close, until the workshop starts,
    an organisation may still decline, and its seats are offered on; staff recording a
    reply by phone or letter may record any answer then. A decline is confirmed by mail,
    with the invitation's link, and every reply is noted for the secretariat's digest.
    """
    workshop = lock_workshop(session=session, workshop_id=invitation.workshop_id)
    session.refresh(invitation)  # as it stands now that the workshop is locked
    _refuse_unless_answerable(invitation, workshop, answer, now, staff_user_id)
    status_before = invitation.status
    held_before = status_before in ("accepted", "offered")
    registration = session.get(Registration, invitation.registration_id)
    assert registration is not None
    if answer.answer == "decline":
        invitation.status = "declined"
        invitation.decline_reason = answer.decline_reason
        invitation.representatives.clear()
        invitation.waiting_since = invitation.offer_expires_at = None
        # A decline sent again (a double click, a page reloaded) mails nothing more.
        mail_kind = None if status_before == "declined" else "workshop_declined"
    else:
        taken = held_seats(session=session, workshop_id=workshop.id,
                           except_invitation=invitation.id)
        fits = taken + len(answer.representatives) <= workshop.capacity
        if not fits and invitation.status == "accepted":
            raise NotEnoughSeats(max(workshop.capacity - taken, 0))
        before = (invitation.status, _named(invitation))
        _name_representatives(invitation, answer)
        unchanged = before == ("accepted", _named(invitation))
        invitation.decline_reason = ""
        invitation.offer_expires_at = None
        if fits:
            invitation.status, invitation.waiting_since = "accepted", None
            # The same answer sent again (a double click, a page reloaded) mails nothing.
            mail_kind = None if unchanged else "workshop_accepted"
        else:
            invitation.status = "waiting"
            invitation.waiting_since = invitation.waiting_since or now
            mail_kind = "workshop_waiting"
    invitation.replied_at = now
    invitation.reply_channel = channel
    session.flush()
    if mail_kind:
        workshop_mail.queue(session, [
            workshop_mail.mail_row(mail_kind, registration, invitation, now)])
        took_offer = status_before == "offered" and invitation.status == "accepted"
        reply_digest.note(session=session, invitation=invitation, now=now,
                          outcome="offer_taken" if took_offer else invitation.status)
    if staff_user_id is not None:
        audit.record(session=session, action="invitation_reply_recorded",
                     staff_user_id=staff_user_id, now=now,
                     detail={"workshop": workshop.id, "invitation": invitation.id,
                             "reference": registration.reference, "answer": answer.answer,
                             "channel": channel, "status": invitation.status})
    if held_before:
        offer_free_seats(session=session, workshop=workshop, now=now)
    return invitation.status


def offer_free_seats(*, session: Session, workshop: Workshop, now: dt.datetime) -> int:
    """Offer free seats to the waiting list, first come first served; return how many offers.

    The caller holds the workshop's lock. The first waiting organisation whose
    representatives do not fit stops the offers: nobody is passed over. No offer is
    made once the workshop has started, and none lasts beyond its start.
    """
    if now >= workshop.starts_at:
        return 0
    free = workshop.capacity - held_seats(session=session, workshop_id=workshop.id)
    waiting = session.scalars(
        select(Invitation).where(Invitation.workshop_id == workshop.id,
                                 Invitation.status == "waiting")
        .order_by(Invitation.waiting_since, Invitation.id))
    hours = dt.timedelta(hours=get_settings().workshop_offer_hours)
    offers: list[tuple[Invitation, Registration]] = []
    for invitation in waiting:
        wanted = max(len(invitation.representatives), 1)
        if wanted > free:
            break
        free -= wanted
        invitation.status = "offered"
        invitation.offer_expires_at = min(now + hours, workshop.starts_at)
        registration = session.get(Registration, invitation.registration_id)
        assert registration is not None
        offers.append((invitation, registration))
    session.flush()
    workshop_mail.queue(session, [
        workshop_mail.mail_row("workshop_offer", registration, invitation, now)
        for invitation, registration in offers])
    return len(offers)


def expire_offers(*, session: Session, workshop_id: int, now: dt.datetime) -> int:
    """Expire the workshop's offers whose time ran out and pass the seats on; return how many.

    The invitation's link keeps working: its page says the offer ran out.
    """
    workshop = lock_workshop(session=session, workshop_id=workshop_id)
    expired = list(session.scalars(select(Invitation).where(
        Invitation.workshop_id == workshop_id, Invitation.status == "offered",
        Invitation.offer_expires_at <= now)))
    for invitation in expired:
        invitation.status = "expired"
        reply_digest.note(session=session, invitation=invitation, outcome="offer_expired",
                          now=now)
    session.flush()
    if expired:
        offer_free_seats(session=session, workshop=workshop, now=now)
    return len(expired)


def _named(invitation: Invitation) -> list[tuple[str, str, str, str, str]]:
    return [(person.email.casefold(), person.full_name, person.designation, person.phone,
             person.needs) for person in invitation.representatives if not person.walk_in]


def _name_representatives(invitation: Invitation, answer: ReplyAnswer) -> None:
    """Put the answer's people on the invitation, keeping the rows of those named again.

    A person named again (by email) keeps their row: their working group, their check-in
    and the check-in link already mailed to them. Walk-ins added at the desk stay.
    """
    existing = {person.email.casefold(): person for person in invitation.representatives
                if not person.walk_in}
    walk_ins = [person for person in invitation.representatives if person.walk_in]
    named: list[Representative] = []
    for number, person in enumerate(answer.representatives):
        row = existing.pop(person.email.casefold(), None) or Representative()
        row.position, row.full_name, row.designation = number, person.full_name, person.designation
        row.email, row.phone, row.needs = person.email, person.phone, person.needs
        named.append(row)
    invitation.representatives[:] = named + walk_ins

