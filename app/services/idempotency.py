"""Remembered answers for retried POSTs (`Idempotency-Key`, and the form's own token)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.db import insert_or_skip
from app.models import IdempotencyRecord
from app.models.base import table_of


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: str


class KeyReused(Exception):
    """The key was used before for a different request body."""


def fingerprint(body: bytes) -> str:
    """Return the SHA-256 of a request body."""
    return hashlib.sha256(body).hexdigest()


def find_answer(*, session: Session, key: str, request_fingerprint: str) -> StoredAnswer | None:
    """Return the first answer given for `key`, or None if the key is new."""
    record = session.get(IdempotencyRecord, key, populate_existing=True)
    if record is None:
        return None
    if record.request_fingerprint != request_fingerprint:
        raise KeyReused
    return StoredAnswer(record.status_code, record.response_body)


def remember_answer(
    *, session: Session, key: str, request_fingerprint: str, answer: StoredAnswer, now: dt.datetime
) -> None:
    """Store the answer in the same transaction as the change it reports.

    Raises KeyReused if the key has just been stored by a request racing with another body.
    """
    record = table_of(IdempotencyRecord)
    stored = session.scalar(insert_or_skip(session, record, record.c.key), {
        "key": key,
        "request_fingerprint": request_fingerprint,
        "status_code": answer.status_code,
        "response_body": answer.body,
        "created_at": now,
    })
    if stored is None:
        raise KeyReused
