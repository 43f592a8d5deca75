"""What a queued mail says: rendered when it is sent, built into a MIME message, kept once sent."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy.orm import Session

from app.core.config import ENQUIRIES_EMAIL, Settings, get_settings
from app.core.templating import render_bodies, render_subject
from app.models import OutboxMail, Registration
from app.services import deadline
from app.services.private_links import manage_url

_PRIVATE_LINK = re.compile(r"(/manage/|/invitation/)[A-Za-z0-9_-]{20,}")


class MailCannotBeRendered(Exception):
    """The mail's registration is gone, so there is nothing to write."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a mail (a workshop's calendar file)."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class InlineImage:
    """A PNG the HTML part shows as `cid:{content_id}` (a check-in link's QR code)."""

    content_id: str
    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """A mail's subject and bodies, as they are sent."""

    subject: str
    body_text: str
    body_html: str
    # Whom a reply reaches; empty: the enquiries mailbox.
    reply_to: str = ""
    attachments: tuple[Attachment, ...] = ()
    inline_images: tuple[InlineImage, ...] = ()


# The secretariat's notices: pressing Reply writes to the registrant.
SECRETARIAT_KINDS = ("notification", "withdrawal_notice")


def _staff_url(reference: str) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/staff/registrations/{reference}"


def subject_of(mail: OutboxMail, registration: Registration) -> str:
    """Return a mail's subject, rendered now in its language."""
    return render_subject(mail.kind, mail.language, {"registration": registration})


def render_mail(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Return a queued mail, rendered now from its registration.

    The deadline is read afresh, so a confirmation sent after the secretariat moved the
    deadline tells the registrant the new one.
    """
    registration = (
        session.get(Registration, mail.registration_id) if mail.registration_id else None
    )
    if registration is None:
        raise MailCannotBeRendered(f"mail {mail.id} has no registration to describe")
    context: dict[str, object] = {
        "registration": registration,
        "staff_url": _staff_url(registration.reference),
        "withdrawn_at": registration.withdrawn_at,
        "manage_url": manage_url(mail.manage_token) if mail.manage_token else "",
    }
    if mail.kind == "confirmation":
        context["last_moment"] = deadline.last_moment(deadline.registration_closes_at(session))
    reply_to = registration.contact_email if mail.kind in SECRETARIAT_KINDS else ""
    return RenderedMail(subject_of(mail, registration),
                        *render_bodies(mail.kind, mail.language, context), reply_to=reply_to)


def build_message(
    mail: OutboxMail, rendered: RenderedMail, *, settings: Settings, now: dt.datetime
) -> EmailMessage:
    """Build the MIME message for an outbox row: plain text, HTML with its images, files."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = settings.mail_from
    message["To"] = mail.to_address
    message["Reply-To"] = rendered.reply_to or ENQUIRIES_EMAIL
    message["Date"] = format_datetime(now)
    message["Message-ID"] = mail.message_id
    # Automatic replies (out-of-office) should not answer a machine's mail (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.body_text)
    message.add_alternative(rendered.body_html, subtype="html")
    if rendered.inline_images:
        # The HTML part becomes multipart/related, holding the images its cid: links name.
        html = message.get_body(("html",))
        assert html is not None
        for image in rendered.inline_images:
            html.add_related(image.content, maintype="image", subtype="png",
                             cid=f"<{image.content_id}>", filename=image.filename,
                             disposition="inline")
    for attachment in rendered.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                               filename=attachment.filename)
    # After the content: setting the content clears every Content-* header.
    message["Content-Language"] = mail.language
    return message


def redact_private_links(body: str) -> str:
    """Remove private-link tokens from a sent message's stored text."""
    return _PRIVATE_LINK.sub(r"\1[removed-after-sending]", body)
