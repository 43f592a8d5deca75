"""One submission, from the form or the API: idempotent, deadline-checked, stored once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.core.db import begin_write
from app.schemas.registration import RegistrationCreate, RegistrationReceipt
from app.services import idempotency
from app.services.registrations import DuplicateRegistration, prepare_registration, register


@dataclass(frozen=True, slots=True)
class Accepted:
    """A stored registration's receipt, as JSON; `replayed` when a retry got the first answer."""

    receipt_json: str
    replayed: bool = False

    @property
    def receipt(self) -> RegistrationReceipt:
        return RegistrationReceipt.model_validate_json(self.receipt_json)


def submit_registration(
    *,
    session: Session,
    data: RegistrationCreate,
    now: dt.datetime,
    idempotency_key: str | None,
    request_fingerprint: str,
) -> Accepted:
    """Accept a registration once, or give back the first answer to a retried request."""
    prepared = prepare_registration(data, now=now)
    begin_write(session)
    if idempotency_key:
        stored = idempotency.find_answer(
            session=session, key=idempotency_key, request_fingerprint=request_fingerprint
        )
        if stored is not None:
            return Accepted(stored.body, replayed=True)
    try:
        registration = register(session=session, prepared=prepared)
    except DuplicateRegistration:
        # A retry racing its own first attempt loses on the unique index; the first
        # attempt has committed by then, so its answer is there to give back.
        if idempotency_key:
            stored = idempotency.find_answer(
                session=session, key=idempotency_key, request_fingerprint=request_fingerprint
            )
            if stored is not None:
                return Accepted(stored.body, replayed=True)
        raise
    receipt = RegistrationReceipt(
        reference=registration.reference,
        submitted_at=registration.submitted_at.astimezone(MALAYSIA),
        organisation_name=registration.organisation_name,
        contact_email=registration.contact_email,
        preferred_language=data.preferred_language,
    )
    receipt_json = receipt.model_dump_json()
    if idempotency_key:
        idempotency.remember_answer(
            session=session,
            key=idempotency_key,
            request_fingerprint=request_fingerprint,
            answer=idempotency.StoredAnswer(201, receipt_json),
            now=now,
        )
    return Accepted(receipt_json)
