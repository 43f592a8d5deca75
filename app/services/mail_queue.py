"""Queue mail in the outbox, in the transaction of the change that causes it.

Rows are made from plain values and nothing is rendered now: the worker renders each mail
when it sends it (`app.services.mail_content`), from the registration as stored then.
"""

from __future__ import annotations

import datetime as dt
import secrets
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.models import OutboxMail
from app.models.base import table_of

# The secretariat reads its notifications in English, the language of its other records.
SECRETARIAT_LANGUAGE = "en"
_INSERT_MAIL = insert(table_of(OutboxMail))


@lru_cache
def _message_id_domain(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def _message_id() -> str:
    return f"<{secrets.token_hex(16)}@{_message_id_domain(get_settings().mail_from)}>"


def _row(
    kind: str, registration_id: int | None, address: str, language: str, now: dt.datetime,
) -> dict[str, Any]:
    return {
        "registration_id": registration_id,
        "kind": kind,
        "to_address": address,
        "language": language,
        "message_id": _message_id(),
        "status": "queued",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def to_registrant(
    kind: str,
    *,
    registration_id: int | None,
    address: str,
    language: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """Make a mail to the registrant, in their language.

    No private link is stored with it: the link is signed from the registration (or the
    invitation) when the mail is rendered. `registration_id` may be None until the
    registration is stored, and filled in then.
    """
    return _row(kind, registration_id, address, language, now)


def to_secretariat(
    kind: str, *, registration_id: int | None, now: dt.datetime
) -> dict[str, Any]:
    """Make a notice to the secretariat, in English."""
    return _row(kind, registration_id, get_settings().notify_email, SECRETARIAT_LANGUAGE, now)


def queue(session: Session, rows: list[dict[str, Any]]) -> None:
    """Queue mails made by the functions here, in one statement."""
    session.connection().execute(_INSERT_MAIL, rows)
