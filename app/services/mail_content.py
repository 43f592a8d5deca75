"""What a queued mail says: rendered when it is sent, built into a MIME message, kept once sent."""

from __future__ import annotations

import binascii
import datetime as dt
import re
import secrets
from dataclasses import dataclass
from email import encoders
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from sqlalchemy.orm import Session

from app.core.config import ENQUIRIES_EMAIL, Settings, get_settings
from app.core.templating import render_bodies, render_subject
from app.models import OutboxMail, Registration
from app.services import deadline
from app.services.private_links import manage_token, manage_url

# A signed token (`123.` and its HMAC), or a random one mailed before signed links.
_PRIVATE_LINK = re.compile(
    r"(/manage/|/invitation/|/roadmap/report/)(?:[0-9]+\.)?[A-Za-z0-9_-]{20,}")
# The registrant mails that carry the registration's private link.
MANAGE_LINK_KINDS = ("confirmation", "manage_new_link", "contact_changed")


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


# The mails about one registration, each a template pair `email/{kind}.txt|html` (with its
# subject in `email/{kind}.subject.txt`), rendered by `render_mail`.
REGISTRATION_KINDS = (
    "confirmation", "contact_change_notice", "contact_changed", "contact_changed_old",
    "manage_new_link", "notification", "withdrawal", "withdrawal_notice")
# The secretariat's notices: pressing Reply writes to the registrant.
SECRETARIAT_KINDS = ("notification", "withdrawal_notice", "contact_change_notice")


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
        "manage_url": "",
        "to_address": mail.to_address,
    }
    token = manage_token(registration) if mail.kind in MANAGE_LINK_KINDS else None
    if token is not None:
        context["manage_url"] = manage_url(token)
    if mail.kind in MANAGE_LINK_KINDS:
        context["last_moment"] = deadline.last_moment(deadline.registration_closes_at(session))
    reply_to = registration.contact_email if mail.kind in SECRETARIAT_KINDS else ""
    return RenderedMail(subject_of(mail, registration),
                        *render_bodies(mail.kind, mail.language, context), reply_to=reply_to)


# The message is built with the email package's classic API (compat32), not EmailMessage:
# EmailMessage parses every header it is given into objects and folds them back on output,
# which was a third of the worker's time per mail (docs/performance.md, section 7).
# Our headers need none of that: they are our own values, checked on the way in.
class _OwnHeaders(Compat32):
    """compat32, writing a short one-line ASCII header as it is, without folding it.

    Folding (`Header.encode`) would return such a value unchanged, at a cost per header
    that showed in the worker's profile; longer or non-ASCII values are folded as before.
    """

    def fold_binary(self, name: str, value: Any) -> bytes:
        if (isinstance(value, str) and value.isascii() and value.isprintable()
                and len(name) + len(value) + 2 <= _LINE):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        if isinstance(value, str) and _HEADER_BREAK.search(value):
            # The email package refuses "\nBcc:" but writes "\nReply-To :" as a header of
            # its own. Input is checked on the way in (app/schemas/one_line.py); this is
            # for rows stored before that, or past it.
            raise ValueError(f"the {name} header would break its line")
        return super().fold_binary(name, value)


_LINE = 78  # RFC 5322's recommended longest line, as compat32 folds to
# A line break that does not begin a folded line's continuation, or any other control.
_HEADER_BREAK = re.compile(r"\r?\n(?![ \t])|\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SMTP = _OwnHeaders(linesep="\r\n", max_line_length=_LINE)
# Bodies are in quoted-printable (readable as sent, and the size EmailMessage chose for
# them); so is a subject that is not plain ASCII or too long for one line.
_UTF8 = Charset("utf-8")
_UTF8.header_encoding = QP


def _multipart(subtype: str, parts: list[Message]) -> Message:
    # "=_" never occurs in quoted-printable or base64 text (RFC 2045, 6.7), so a boundary
    # that starts with it cannot be in a part: the generator need not search each part
    # for it, which it otherwise does with a regular expression compiled per message.
    return MIMEMultipart(subtype, boundary=f"=_{secrets.token_hex(16)}", _subparts=parts)


def _part(part: Message) -> Message:
    del part["MIME-Version"]  # said once, on the message itself
    return part


def _header(name: str, value: str) -> str:
    if value.isascii() and len(name) + len(value) + 2 <= _LINE:
        return value
    # Encoded words (RFC 2047), which can be folded anywhere, even inside a long word;
    # folded knowing the header's name, as the first line starts with it.
    return Header(value, _UTF8, header_name=name).encode()


def _text(body: str, subtype: str) -> Message:
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    # Quoted-printable by binascii, in C: the email package's own encoder, in Python, was
    # a fifth of the time it took to build a message.
    part.set_payload(binascii.b2a_qp(body.encode(), istext=True).decode("ascii"))
    part["Content-Transfer-Encoding"] = "quoted-printable"
    return _part(part)


def build_message(
    mail: OutboxMail, rendered: RenderedMail, *, settings: Settings, now: dt.datetime
) -> bytes:
    """Return the MIME message for an outbox row, as sent: plain text, HTML with its images,
    and files; lines end in CRLF."""
    html: Message = _text(rendered.body_html, "html")
    if rendered.inline_images:
        # The HTML part becomes multipart/related, holding the images its cid: links name.
        html = _part(_multipart("related", [html]))
        for image in rendered.inline_images:
            picture = _part(MIMEImage(image.content, "png"))
            picture["Content-ID"] = f"<{image.content_id}>"
            picture.add_header("Content-Disposition", "inline", filename=image.filename)
            html.attach(picture)
    message = _multipart("alternative", [_text(rendered.body_text, "plain"), html])
    if rendered.attachments:
        message = _multipart("mixed", [_part(message)])
        for attachment in rendered.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            file = _part(MIMEBase(maintype, subtype))
            file.set_payload(attachment.content)
            encoders.encode_base64(file)
            file.add_header("Content-Disposition", "attachment", filename=attachment.filename)
            message.attach(file)
    message["Subject"] = _header("Subject", rendered.subject)
    message["From"] = formataddr(parseaddr(settings.mail_from), "utf-8")
    message["To"] = mail.to_address
    message["Reply-To"] = rendered.reply_to or ENQUIRIES_EMAIL
    message["Date"] = format_datetime(now)
    message["Message-ID"] = mail.message_id
    # Automatic replies (out-of-office) should not answer a machine's mail (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = mail.language
    return message.as_bytes(policy=_SMTP)


def redact_private_links(body: str) -> str:
    """Remove private-link tokens from a sent message's stored text."""
    return _PRIVATE_LINK.sub(r"\1[removed-after-sending]", body)
