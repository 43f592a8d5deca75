"""Announcements: choose the recipients as the registrant list does, and queue one mail each."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from email.utils import parseaddr

from sqlalchemy import ColumnElement, Integer, String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.db import insert_or_skip
from app.core.i18n import N_
from app.models import Announcement, OutboxMail, Registration
from app.models.base import table_of
from app.schemas.staff import RegistrationFilters
from app.services import audit, mail_queue, staff_registrations
from app.services.announcement_mail import placeholder_values, render_test
from app.services.announcement_texts import (
    AnnouncementInvalid,
    AnnouncementTexts,
    Problem,
)
from app.vocab import LANGUAGES

# Recipients are queued by ranges of registration ids, one INSERT … SELECT each, all in
# the request's transaction: the rows never pass through Python, so memory stays flat
# however many there are.
QUEUE_BATCH = 5_000
NO_RECIPIENTS = N_("No registrations match these filters, so there is no one to write to.")
_ANNOUNCEMENT = table_of(Announcement)
_OUTBOX = table_of(OutboxMail)


class KeyReused(Exception):
    """The idempotency key was used before for a different announcement."""


@dataclass(frozen=True, slots=True)
class Selection:
    """How many registrants the filters reach, in each language."""

    by_language: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_language.values())


@dataclass(frozen=True, slots=True)
class Sent:
    """The announcement, and whether this request made it (False: it was there already)."""

    announcement: Announcement
    created: bool


def _message_id_domain() -> str:
    return parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "localhost"


def recipient_conditions(filters: RegistrationFilters) -> list[ColumnElement[bool]]:
    """Return the registrant list's conditions for `filters`, never with withdrawn ones."""
    return [*staff_registrations.matching(filters), Registration.withdrawn_at.is_(None)]


def select_recipients(*, session: Session, filters: RegistrationFilters) -> Selection:
    """Count the registrants the filters reach, per preferred language."""
    counts: dict[str, int] = dict.fromkeys(LANGUAGES, 0)
    rows = session.execute(
        select(Registration.preferred_language, func.count())
        .where(*recipient_conditions(filters)).group_by(Registration.preferred_language))
    for language, count in rows:
        counts[language] = int(count)
    return Selection(counts)


def sample_recipient(*, session: Session, filters: RegistrationFilters) -> Registration | None:
    """Return one registrant the filters reach (the longest-registered), for previews."""
    return session.scalar(
        select(Registration).where(*recipient_conditions(filters))
        .order_by(Registration.id).limit(1))


def fingerprint(texts: AnnouncementTexts, filters: RegistrationFilters) -> str:
    """Return the SHA-256 of what is asked, to tell a retry from a different announcement."""
    asked = {"texts": [texts.subject_ms, texts.body_ms, texts.subject_en, texts.body_en],
             "filters": filters.active()}
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


def _find_by_key(session: Session, key: str, request_fingerprint: str) -> Announcement | None:
    found = session.scalar(select(Announcement).where(Announcement.idempotency_key == key)
                           .execution_options(populate_existing=True))
    if found is not None and found.request_fingerprint != request_fingerprint:
        raise KeyReused(key)
    return found


def _queue_recipients(
    session: Session, announcement_id: int, prefix: str, conditions: list[ColumnElement[bool]],
    now: dt.datetime,
) -> None:
    domain = _message_id_domain()
    connection = session.connection()
    low, high = connection.execute(
        select(func.min(Registration.id), func.max(Registration.id)).where(*conditions)).one()
    if low is None:
        return
    columns = ["announcement_id", "registration_id", "kind", "to_address", "language",
               "body_text", "body_html", "message_id", "status", "attempts",
               "next_attempt_at", "last_error", "created_at"]
    for start in range(low, high + 1, QUEUE_BATCH):
        rows = select(
            literal(announcement_id, Integer), Registration.id, literal("announcement"),
            Registration.contact_email, Registration.preferred_language, literal(""),
            literal(""),
            literal(prefix, String) + cast(Registration.id, String) + literal(f"@{domain}>"),
            literal("queued"), literal(0, Integer),
            literal(now, _OUTBOX.c.next_attempt_at.type), literal(""),
            literal(now, _OUTBOX.c.created_at.type),
        ).where(*conditions, Registration.id.between(start, start + QUEUE_BATCH - 1))
        connection.execute(_OUTBOX.insert().from_select(columns, rows))


def send_announcement(
    *, session: Session, texts: AnnouncementTexts, filters: RegistrationFilters,
    staff_user_id: int, now: dt.datetime, idempotency_key: str | None = None,
) -> Sent:
    """Store the announcement and queue one mail per registrant it reaches, in one transaction.

    With an `idempotency_key` seen before, the first announcement is returned and nothing
    more is queued; two requests racing with the same key insert one row (the database's
    unique key decides), and the loser returns the winner's. Raises AnnouncementInvalid
    when the filters reach no one, and KeyReused for a key used for something else.
    """
    request_fingerprint = fingerprint(texts, filters)
    if idempotency_key is not None:
        existing = _find_by_key(session, idempotency_key, request_fingerprint)
        if existing is not None:
            return Sent(existing, created=False)
    if select_recipients(session=session, filters=filters).total == 0:
        raise AnnouncementInvalid({"filters": Problem(NO_RECIPIENTS)})
    prefix = f"<a87.{secrets.token_hex(8)}."
    announcement_id = session.scalar(
        insert_or_skip(session, _ANNOUNCEMENT, _ANNOUNCEMENT.c.id),
        {"subject_ms": texts.subject_ms, "body_ms": texts.body_ms,
         "subject_en": texts.subject_en, "body_en": texts.body_en,
         "filters": json.dumps(filters.active(), sort_keys=True), "recipients": 0,
         "recipients_ms": 0, "recipients_en": 0, "created_by": staff_user_id,
         "created_at": now, "idempotency_key": idempotency_key,
         "request_fingerprint": request_fingerprint, "message_id_prefix": prefix[:32]})
    if announcement_id is None:  # the same key, stored a moment ago by a racing request
        assert idempotency_key is not None
        raced = _find_by_key(session, idempotency_key, request_fingerprint)
        assert raced is not None
        return Sent(raced, created=False)
    _queue_recipients(session, announcement_id, prefix, recipient_conditions(filters), now)
    counts: dict[str, int] = dict.fromkeys(LANGUAGES, 0)
    for language, count in session.execute(
            select(OutboxMail.language, func.count())
            .where(OutboxMail.announcement_id == announcement_id).group_by(OutboxMail.language)):
        counts[language] = int(count)
    session.execute(update(Announcement).where(Announcement.id == announcement_id).values(
        recipients=sum(counts.values()), recipients_ms=counts["ms"], recipients_en=counts["en"]))
    audit.record(session=session, action="announcement_sent", staff_user_id=staff_user_id,
                 now=now, detail={"announcement": announcement_id, "filters": filters.active(),
                                  "by_language": counts},
                 row_count=sum(counts.values()))
    announcement = session.get(Announcement, announcement_id, populate_existing=True)
    assert announcement is not None
    return Sent(announcement, created=True)


def queue_test(
    *, session: Session, texts: AnnouncementTexts, filters: RegistrationFilters,
    to_address: str, staff_user_id: int, now: dt.datetime,
) -> int:
    """Queue the announcement in both languages to a member of staff, filled for a real recipient.

    The test goes through the outbox like the real mail; it is rendered now, since it
    belongs to no announcement yet. Returns the number of mails queued (two).
    """
    sample = sample_recipient(session=session, filters=filters)
    if sample is None:
        raise AnnouncementInvalid({"filters": Problem(NO_RECIPIENTS)})
    values = placeholder_values(sample)
    rows = []
    for language in LANGUAGES:
        rendered = render_test(texts, language, values, now=now)
        rows.append({
            "registration_id": None, "kind": "announcement_test", "to_address": to_address,
            "language": language, "subject": rendered.subject, "body_text": rendered.body_text,
            "body_html": rendered.body_html,
            "message_id": f"<{secrets.token_hex(16)}@{_message_id_domain()}>",
            "status": "queued", "attempts": 0, "next_attempt_at": now, "last_error": "",
            "created_at": now,
        })
    mail_queue.queue(session, rows)
    audit.record(session=session, action="announcement_test", staff_user_id=staff_user_id,
                 now=now, detail={"filters": filters.active(), "sample": sample.reference},
                 row_count=len(rows))
    return len(rows)
