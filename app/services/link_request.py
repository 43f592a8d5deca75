""""Send me my link": a registrant's private links mailed again to the contact address.

The page answers the same whether or not the address is registered, so it does the same
work either way: one look-up by the address, and one audit entry (which names the
registrations found, never the address). Only a match adds one row: the queued mail. The
links mailed are the registrations' current ones (`private_links.manage_token`): mailing
them again adds no link and kills none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.core.templating import render_bodies, render_subject
from app.models import Invitation, OutboxMail, Registration, Workshop
from app.schemas.registration_checks import checked_email
from app.services import audit, mail_queue
from app.services.invitation_links import invitation_token, invitation_url
from app.services.mail_content import MailCannotBeRendered, RenderedMail
from app.services.private_links import manage_token, manage_url

KIND = "manage_links"
MAX_LENGTH = 320
EMAIL_REQUIRED = N_("Enter the email address your registration was made with")
EMAIL_INVALID = N_("Enter an email address in the correct format, like name@example.org.my")


@dataclass(frozen=True, slots=True)
class LinkedRegistration:
    """One registration listed in the mail, with its private link."""

    registration: Registration
    url: str
    # Each open invitation's workshop title and link to its reply page.
    invitations: tuple[tuple[str, str], ...] = ()


def address_problem(value: str) -> str | None:
    """Return what is wrong with a typed address (a message to translate), or None."""
    if not value:
        return EMAIL_REQUIRED
    if len(value) > MAX_LENGTH:
        return EMAIL_INVALID
    try:
        checked_email(value)  # the form's own check of a contact email
    except PydanticCustomError:
        return EMAIL_INVALID
    return None


def address_key(address: str) -> str:
    """Return the form an address is matched in (as `contact_email_key` holds it)."""
    return address.strip().casefold()


def _registrations_at(session: Session, key: str) -> list[Registration]:
    # Newest first: the newest registration's language is the mail's. A registration
    # without a link (erased) has nothing to send.
    return list(session.scalars(
        select(Registration)
        .where(Registration.contact_email_key == key, Registration.link_nonce.is_not(None))
        .order_by(Registration.id.desc())
    ))


def send_links(*, session: Session, address: str, now: dt.datetime) -> None:
    """Queue one mail listing the private links of the registrations made with `address`."""
    # Only the columns the mail row needs, newest first (the newest one's language is the
    # mail's), so that a match costs little more than no match: one more row inserted.
    found = session.execute(
        select(Registration.id, Registration.reference, Registration.contact_email,
               Registration.preferred_language)
        .where(Registration.contact_email_key == address_key(address),
               Registration.link_nonce.is_not(None))
        .order_by(Registration.id.desc())
    ).all()
    if found:
        mail_queue.queue(session, [mail_queue.to_registrant(
            KIND, registration_id=found[0].id, address=found[0].contact_email,
            language=found[0].preferred_language, now=now,
        )])
    # Written the same for both answers; it names the registrations, never the address.
    audit.record(session=session, action="links_requested", staff_user_id=None, now=now,
                 detail={"references": sorted(row.reference for row in found)})


def _invitation_links(session: Session, registration: Registration,
                      language: str) -> tuple[tuple[str, str], ...]:
    rows = session.execute(
        select(Invitation, Workshop).join(Workshop, Invitation.workshop_id == Workshop.id)
        .where(Invitation.registration_id == registration.id)
        .order_by(Workshop.starts_at, Invitation.id)
    ).all()
    return tuple((workshop.title(language), invitation_url(token))
                 for invitation, workshop in rows
                 if (token := invitation_token(invitation)) is not None)


def render(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Return the mail listing the links of every registration made with its address, and
    of their open invitations."""
    listed = [LinkedRegistration(registration, manage_url(token),
                                 _invitation_links(session, registration, mail.language))
              for registration in _registrations_at(session, address_key(mail.to_address))
              if (token := manage_token(registration)) is not None]
    if not listed:
        raise MailCannotBeRendered(f"mail {mail.id}: no registration uses its address now")
    context = {"listed": listed, "registration": listed[0].registration}
    return RenderedMail(render_subject(KIND, mail.language, context),
                        *render_bodies(KIND, mail.language, context))
