"""Inviting organisations to a workshop: private links, cancelling, re-sending, and lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Invitation, Registration, Representative, Workshop
from app.schemas.staff import RegistrationFilters
from app.services import audit, seating, workshop_mail
from app.services.invitation_links import ensure_link, kill_links
from app.services.purge import is_erased
from app.services.references import normalise_reference
from app.services.staff_registrations import filtered
from app.services.workshops import lock_workshop, status_rank


class InvitationNotFound(LookupError):
    """No invitation has this id (in this workshop)."""


class InvitingClosed(Exception):
    """Replies to the workshop have closed, so nobody new is invited."""


class ResendRefused(Exception):
    """The invitation cannot be sent again; `reason` says why (see `why_not_resend`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Only an invitation not answered yet, or one cancelled (invited again), is sent again:
# for an answer given, another invitation would mean nothing.
RESENDABLE = ("invited", "cancelled")


@dataclass(frozen=True)
class InviteResult:
    invited: int
    already_invited: int
    unknown_references: list[str]


@dataclass(frozen=True)
class InvitePreview:
    """Whom inviting would mail now, by organisation name, and how many already are invited."""

    to_invite: list[Registration]
    already_invited: int

    @property
    def invited(self) -> int:
        return len(self.to_invite)


def _registrations(session: Session, references: list[str] | None,
                   filters: RegistrationFilters | None) -> tuple[list[Registration], list[str]]:
    if filters is not None:
        chosen = filters.model_copy(update={"withdrawn": "exclude"})
        return list(session.scalars(filtered(select(Registration), chosen))), []
    wanted = {normalise_reference(reference): reference for reference in references or []}
    found = list(session.scalars(select(Registration).where(
        Registration.reference.in_(wanted), Registration.withdrawn_at.is_(None))))
    known = {registration.reference for registration in found}
    return found, [original for ref, original in wanted.items() if ref not in known]


def invite(
    *, session: Session, workshop_id: int, now: dt.datetime, staff_user_id: int | None,
    references: list[str] | None = None, filters: RegistrationFilters | None = None,
) -> InviteResult:
    """Invite organisations by reference or by the list's filters; each is mailed once.

    Withdrawn registrations are never invited. An organisation already invited (whatever
    its answer) is counted and sent nothing.
    """
    workshop = lock_workshop(session=session, workshop_id=workshop_id)
    if now >= workshop.replies_close_at:
        raise InvitingClosed(workshop_id)
    registrations, unknown = _registrations(session, references, filters)
    already = set(session.scalars(select(Invitation.registration_id).where(
        Invitation.workshop_id == workshop.id)))
    new = [registration for registration in registrations if registration.id not in already]
    made: list[tuple[Invitation, Registration]] = []
    for registration in new:
        invitation = Invitation(workshop_id=workshop.id, registration_id=registration.id,
                                status="invited", invited_at=now, sent_at=now)
        made.append((invitation, registration))
        session.add(invitation)
    session.flush()
    workshop_mail.queue(session, [
        workshop_mail.mail_row("workshop_invitation", registration, invitation, now)
        for invitation, registration in made])
    result = InviteResult(len(new), len(registrations) - len(new), unknown)
    audit.record(session=session, action="workshop_invited", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop.id, "invited": result.invited,
                                  "already_invited": result.already_invited,
                                  "filters": filters.active() if filters else {}},
                 row_count=result.invited)
    return result


def get_invitation(*, session: Session, workshop_id: int, invitation_id: int) -> Invitation:
    """Return one of the workshop's invitations, or raise InvitationNotFound."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.workshop_id != workshop_id:
        raise InvitationNotFound(invitation_id)
    return invitation


def cancel_invitation(
    *, session: Session, workshop_id: int, invitation_id: int, staff_user_id: int | None,
    now: dt.datetime,
) -> Invitation:
    """Cancel an invitation: every link mailed for it stops working, its seats are offered on."""
    workshop = lock_workshop(session=session, workshop_id=workshop_id)
    invitation = get_invitation(session=session, workshop_id=workshop_id,
                                invitation_id=invitation_id)
    invitation.status = "cancelled"
    kill_links(invitation)
    invitation.offer_expires_at = None
    session.flush()
    audit.record(session=session, action="invitation_cancelled", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop_id, "invitation": invitation.id})
    seating.offer_free_seats(session=session, workshop=workshop, now=now)
    return invitation


def resend_invitation(
    *, session: Session, workshop_id: int, invitation_id: int, staff_user_id: int | None,
    now: dt.datetime,
) -> Invitation:
    """Send the invitation again, with the same link as before (older mails' links still work).

    A cancelled invitation is invited again, with a new link (the cancelled one's links stay
    dead). Refused (ResendRefused) for a withdrawn or erased registration, once replies have
    closed, and for an answer already given.
    """
    workshop = lock_workshop(session=session, workshop_id=workshop_id)
    invitation = get_invitation(session=session, workshop_id=workshop_id,
                                invitation_id=invitation_id)
    refusal = why_not_resend(invitation, invitation.registration, workshop, now)
    if refusal:
        raise ResendRefused(refusal)
    if invitation.status == "cancelled":
        invitation.status = "invited"
        invitation.representatives.clear()
    ensure_link(invitation)
    invitation.sent_at = now
    session.flush()
    registration = session.get(Registration, invitation.registration_id)
    assert registration is not None
    workshop_mail.queue(session, [workshop_mail.mail_row(
        "workshop_invitation", registration, invitation, now)])
    audit.record(session=session, action="invitation_resent", staff_user_id=staff_user_id,
                 now=now, detail={"workshop": workshop_id, "invitation": invitation.id})
    return invitation


def why_not_resend(invitation: Invitation, registration: Registration, workshop: Workshop,
                   now: dt.datetime) -> str | None:
    """Return why the invitation cannot be sent again now, or None if it can.

    "withdrawn" (or erased: nobody is there to invite), "closed" (replies have closed, so
    the link could not be used), or "answered" (the organisation has answered).
    """
    if registration.withdrawn_at is not None or is_erased(registration):
        return "withdrawn"
    if now >= workshop.replies_close_at:
        return "closed"
    return None if invitation.status in RESENDABLE else "answered"


def list_invitations(
    *, session: Session, workshop_id: int
) -> list[tuple[Invitation, Registration]]:
    """Return the workshop's invitations with their registrations, open answers first."""
    rows = session.execute(
        select(Invitation, Registration).join(Registration,
                                              Registration.id == Invitation.registration_id)
        .where(Invitation.workshop_id == workshop_id)
        .order_by(status_rank(), Invitation.waiting_since, Registration.organisation_key))
    return [(invitation, registration) for invitation, registration in rows]


def registration_invitations(
    *, session: Session, registration_id: int
) -> list[tuple[Invitation, Workshop]]:
    """Return a registration's invitations, with their workshops, soonest workshop first."""
    rows = session.execute(
        select(Invitation, Workshop).join(Workshop)
        .where(Invitation.registration_id == registration_id).order_by(Workshop.starts_at))
    return [(invitation, workshop) for invitation, workshop in rows]


def attendees(
    *, session: Session, workshop_id: int
) -> list[tuple[Representative, Registration]]:
    """Return each accepted representative with the organisation, by organisation."""
    rows = session.execute(
        select(Representative, Registration)
        .join(Invitation, Invitation.id == Representative.invitation_id)
        .join(Registration, Registration.id == Invitation.registration_id)
        .where(Invitation.workshop_id == workshop_id, Invitation.status == "accepted")
        .order_by(Registration.organisation_key, Representative.position))
    return [(person, registration) for person, registration in rows]


def preview(
    *, session: Session, workshop_id: int, filters: RegistrationFilters | None = None,
    references: list[str] | None = None,
) -> InvitePreview:
    """List whom the references or filters would invite now, and count those already invited."""
    registrations, _unknown = _registrations(session, references, filters)
    already = set(session.scalars(select(Invitation.registration_id).where(
        Invitation.workshop_id == workshop_id)))
    to_invite = sorted((registration for registration in registrations
                        if registration.id not in already),
                       key=lambda registration: registration.organisation_key)
    return InvitePreview(to_invite, len(registrations) - len(to_invite))


def withdraw_invitations(*, session: Session, registration_id: int, now: dt.datetime) -> int:
    """Cancel a withdrawn registration's invitations still in play, offering its seats on."""
    open_ones = list(session.scalars(select(Invitation).where(
        Invitation.registration_id == registration_id,
        Invitation.status.in_(("invited", "accepted", "waiting", "offered")))))
    for invitation in open_ones:
        workshop = lock_workshop(session=session, workshop_id=invitation.workshop_id)
        invitation.status = "cancelled"
        kill_links(invitation)
        invitation.offer_expires_at = None
        session.flush()
        seating.offer_free_seats(session=session, workshop=workshop, now=now)
    return len(open_ones)
