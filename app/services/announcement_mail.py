"""An announcement's mail to one registrant: its language, placeholders filled, safe HTML.

The outbox's worker renders an "announcement" mail here when it sends it, from the
announcement and the registration as stored then. The body is plain text; in the HTML part,
blank lines make paragraphs and web addresses become links, and everything else is escaped,
so nothing the author or a registrant typed can add markup.
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA, get_settings
from app.core.templating import render_bodies
from app.models import Announcement, OutboxMail, Registration
from app.models.outbox import SUBJECT_LENGTH
from app.services.announcement_texts import (
    AnnouncementTexts,
    PlaceholderValues,
    fill,
    fill_subject,
)
from app.services.mail_content import MailCannotBeRendered, RenderedMail

# "announcement_test": the same, to a member of staff, rendered when queued.
ANNOUNCEMENT_KINDS = ("announcement", "announcement_test")
_URL = re.compile(r"https?://[^\s<>\"'{}]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")


def placeholder_values(registration: Registration) -> PlaceholderValues:
    """Return what the placeholders stand for, for this registration."""
    return PlaceholderValues(registration.organisation_name, registration.contact_name,
                             registration.reference)


def texts_of(announcement: Announcement) -> AnnouncementTexts:
    """Return an announcement's stored texts."""
    return AnnouncementTexts(announcement.subject_ms, announcement.body_ms,
                             announcement.subject_en, announcement.body_en)


def myt(moment: dt.datetime, language: str) -> str:
    """Format an instant in Malaysian time, written "MYT (UTC+8)"."""
    local = moment.astimezone(MALAYSIA)
    return f"{format_date(local.date(), 'd MMMM y', locale=language)}, {local:%H:%M} MYT (UTC+8)"


def _linked(line: str) -> Markup:
    parts: list[Markup] = []
    last = 0
    for found in _URL.finditer(line):
        url = found.group(0).rstrip(".,;:!?)")
        parts.append(escape(line[last:found.start()]))
        # Markup.format escapes its arguments: the address is text in both places.
        parts.append(Markup('<a href="{0}" style="color:#1d4ed8;">{0}</a>').format(url))
        last = found.start() + len(url)
    parts.append(escape(line[last:]))
    return Markup("").join(parts)


def body_html(text: str) -> Markup:
    """Turn a plain-text body into HTML paragraphs and links, escaping everything else."""
    paragraphs = [part for part in _PARAGRAPH_BREAK.split(text.strip()) if part.strip()]
    return Markup("\n").join(
        Markup('<p style="margin:0 0 16px;">{}</p>').format(
            Markup("<br>\n").join(_linked(line) for line in paragraph.split("\n")))
        for paragraph in paragraphs)


def render_texts(
    texts: AnnouncementTexts, language: str, values: PlaceholderValues, *, written_at: dt.datetime,
    reply_to: str = "",
) -> RenderedMail:
    """Return the mail one registrant gets: its language's texts, filled in for it."""
    body = fill(texts.body(language), values)
    context: dict[str, object] = {
        "body": body, "body_html": body_html(body), "reference": values.reference,
        "written_at": myt(written_at, language),
    }
    body_text, html = render_bodies("announcement", language, context)
    return RenderedMail(_fitted(fill_subject(texts.subject(language), values)), body_text, html,
                        reply_to=reply_to)


def _fitted(subject: str) -> str:
    # Filled in, placeholders can make a subject longer than the outbox keeps (which
    # PostgreSQL would refuse when the sent mail is recorded): it is cut, visibly.
    return subject if len(subject) <= SUBJECT_LENGTH else subject[:SUBJECT_LENGTH - 1] + "…"


def render_test(
    texts: AnnouncementTexts, language: str, values: PlaceholderValues, *, now: dt.datetime
) -> RenderedMail:
    """Return a test of the announcement, marked as one, as a recipient would get it."""
    rendered = render_texts(texts, language, values, written_at=now)
    return RenderedMail(_fitted(f"[TEST] {rendered.subject}"), rendered.body_text,
                        rendered.body_html)


def render_announcement(*, session: Session, mail: OutboxMail) -> RenderedMail:
    """Return a queued announcement mail, rendered now; Reply-To is the secretariat.

    A test was rendered when it was queued (it belongs to no announcement yet): it is sent
    as it is.
    """
    if mail.kind == "announcement_test":
        return RenderedMail(mail.subject or "", mail.body_text, mail.body_html,
                            reply_to=get_settings().notify_email)
    announcement = session.get(Announcement, mail.announcement_id) if mail.announcement_id else None
    registration = session.get(Registration, mail.registration_id) if mail.registration_id else None
    if announcement is None or registration is None:
        raise MailCannotBeRendered(f"mail {mail.id} has no announcement or registration")
    if registration.withdrawn_at is not None:
        # Withdrawn after the announcement was queued: it is not sent.
        raise MailCannotBeRendered(f"mail {mail.id}: the registration was withdrawn")
    return render_texts(texts_of(announcement), mail.language, placeholder_values(registration),
                        written_at=announcement.created_at, reply_to=get_settings().notify_email)


def announcement_subject(*, session: Session, mail: OutboxMail) -> str:
    """Return the subject a waiting announcement mail will be sent with."""
    announcement = session.get(Announcement, mail.announcement_id) if mail.announcement_id else None
    registration = session.get(Registration, mail.registration_id) if mail.registration_id else None
    if announcement is None or registration is None:
        return ""
    return fill_subject(texts_of(announcement).subject(mail.language),
                        placeholder_values(registration))
