"""Workshop mail: invitations, confirmations with a calendar file, declines, offers, reminders,
changes.

Queued in the outbox with the change that causes them, unrendered, like the other mail;
the worker renders them when it sends them (`render`, called through
`mail_batch.render_one`).
Every one carries the invitation's private link, signed from the invitation when the mail
is rendered (`invitation_links`): the same link in every mail, so none kills another.
"""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, get_settings
from app.core.i18n import N_, format_myt
from app.core.templating import environment, language_context, text_environment
from app.models import Invitation, OutboxMail, Registration, Workshop
from app.services import mail_queue
from app.services.check_in_codes import check_in_url, qr_png
from app.services.invitation_links import invitation_token, invitation_url
from app.services.mail_content import (
    Attachment,
    InlineImage,
    MailCannotBeRendered,
    RenderedMail,
)

SUBJECTS = {
    "workshop_invitation": N_("Invitation: %(title)s"),
    "workshop_accepted": N_("Your place is confirmed: %(title)s"),
    "workshop_waiting": N_("On the waiting list: %(title)s"),
    "workshop_declined": N_("Your answer is recorded, not attending: %(title)s"),
    "workshop_offer": N_("Seats are free for you: %(title)s"),
    "workshop_reminder": N_("Reminder, please reply: %(title)s"),
    "workshop_changed": N_("Changed details: %(title)s"),
    "workshop_new_link": N_("A new private link: %(title)s"),
}
# The kinds of workshop mail, rendered by `render`.
KINDS = tuple(SUBJECTS)
# Who is told when a workshop's date, time or venue changes.
TOLD_OF_CHANGES = ("invited", "accepted", "waiting", "offered")






def mail_row(kind: str, registration: Registration, invitation: Invitation,
             now: dt.datetime) -> dict[str, Any]:
    """Make one workshop mail to the registrant's contact, in the registrant's language."""
    row = mail_queue.to_registrant(
        kind, registration_id=registration.id, address=registration.contact_email,
        language=registration.preferred_language, now=now,
    )
    return {**row, "invitation_id": invitation.id}


def queue(session: Session, rows: list[dict[str, Any]]) -> None:
    """Queue workshop mails (nothing when there are none)."""
    if rows:
        session.flush()  # the outbox inserts on the connection, past the ORM
        mail_queue.queue(session, rows)


def queue_details_changed(*, session: Session, workshop: Workshop, now: dt.datetime) -> int:
    """Tell everyone invited, accepted or waiting that the workshop's details changed, once."""
    rows = session.execute(
        select(Invitation, Registration).join(Registration,
                                              Registration.id == Invitation.registration_id)
        .where(Invitation.workshop_id == workshop.id, Invitation.status.in_(TOLD_OF_CHANGES),
               Registration.withdrawn_at.is_(None))).all()
    queue(session, [mail_row("workshop_changed", registration, invitation, now)
                    for invitation, registration in rows])
    return len(rows)


def _mail_domain() -> str:
    return parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "localhost"


def check_in_images(invitation: Invitation) -> list[tuple[str, str, InlineImage]]:
    """Return each representative's name, check-in link and the link's QR code as an image."""
    found = []
    for person in invitation.representatives:
        url = check_in_url(workshop_id=invitation.workshop_id, representative_id=person.id)
        image = InlineImage(f"check-in-{person.id}@{_mail_domain()}",
                            f"check-in-{person.position + 1}.png", qr_png(url))
        found.append((person.full_name, url, image))
    return found


def calendar_file(workshop: Workshop, invitation: Invitation, language: str) -> bytes:
    """Return the workshop as an iCalendar file, in the Asia/Kuala_Lumpur zone."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Alliance 8.7 Malaysia//Workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"workshop-{workshop.id}-invitation-{invitation.id}@{_mail_domain()}")
    event.add("dtstamp", workshop.updated_at)
    event.add("dtstart", workshop.starts_at.astimezone(MALAYSIA))
    event.add("dtend", workshop.ends_at.astimezone(MALAYSIA))
    event.add("summary", workshop.title(language))
    event.add("location", workshop.venue)
    if workshop.online_url:
        event.add("url", workshop.online_url)
    names = "\n".join(f"- {person.full_name}, {person.designation}"
                      for person in invitation.representatives)
    event.add("description", f"{workshop.title(language)}\n\n{names}".strip())
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _context(session: Session, mail: OutboxMail) -> tuple[Registration, Invitation, Workshop]:
    invitation = session.get(Invitation, mail.invitation_id) if mail.invitation_id else None
    registration = session.get(Registration, invitation.registration_id) if invitation else None
    workshop = session.get(Workshop, invitation.workshop_id) if invitation else None
    if invitation is None or registration is None or workshop is None:
        raise MailCannotBeRendered(f"mail {mail.id} has no invitation to describe")
    return registration, invitation, workshop


def subject(*, session: Session, mail: OutboxMail) -> str:
    """Return a workshop mail's subject in its language."""
    _registration, _invitation, workshop = _context(session, mail)
    translate = language_context(mail.language)["_"]
    return str(translate(SUBJECTS[mail.kind]) % {"title": workshop.title(mail.language)})


def render(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Render a workshop mail now, from the workshop and the invitation as they stand."""
    registration, invitation, workshop = _context(session, mail)
    context = {
        **language_context(mail.language), "kind": mail.kind, "registration": registration,
        "invitation": invitation, "workshop": workshop, "when": format_myt,
        "link": "",
    }
    token = invitation_token(invitation)  # None once the invitation is cancelled
    if token is not None:
        context["link"] = invitation_url(token)
    attachments: tuple[Attachment, ...] = ()
    check_in: list[tuple[str, str, InlineImage]] = []
    if mail.kind == "workshop_accepted":
        attachments = (Attachment("workshop.ics", "text/calendar",
                                  calendar_file(workshop, invitation, mail.language)),)
        check_in = check_in_images(invitation)
    context["check_in"] = check_in
    return RenderedMail(
        subject(session=session, mail=mail),
        text_environment().get_template("email/workshop.txt").render(context),
        environment().get_template("email/workshop.html").render(context),
        attachments=attachments,
        inline_images=tuple(image for _name, _url, image in check_in),
    )
