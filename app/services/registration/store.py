"""Store registrations: their rows, the deadline, the duplicate rule, and their mails queued."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.orm import Session

from app.core.db import insert_or_skip
from app.models import Registration, RegistrationEvent, RegistrationFocusArea, RegistrationPillar
from app.models.base import table_of
from app.schemas.registration import RegistrationCreate, organisation_key
from app.schemas.registration_fields import COLUMN_FIELDS
from app.services import deadline, mail_queue
from app.services.private_links import new_link_nonce
from app.services.references import new_reference
from app.services.registration.receipt import CallClosed, DuplicateRegistration, NewRegistration

_REFERENCE_ATTEMPTS = 5


@dataclass(slots=True)
class PreparedRegistration:
    """A registration's rows, made before the write lock is taken so that it is held briefly."""

    data: RegistrationCreate
    registration: NewRegistration
    values: dict[str, Any]
    mails: list[dict[str, Any]]


_ANSWERS = attrgetter(*COLUMN_FIELDS)


def registration_values(data: RegistrationCreate, *, now: dt.datetime) -> dict[str, Any]:
    """Return the registration's columns for checked answers (without its reference)."""
    values = dict(zip(COLUMN_FIELDS, _ANSWERS(data), strict=True))
    values["submitted_at"] = values["updated_at"] = now
    values["organisation_key"] = organisation_key(data.organisation_name)
    values["contact_email_key"] = data.contact_email.casefold()
    return values


_REGISTRATION = table_of(Registration)
# What tells the rows of one multi-row insert apart: no two stored rows share all three.
_REGISTRATION_KEY = (
    _REGISTRATION.c.reference,
    _REGISTRATION.c.organisation_key,
    _REGISTRATION.c.contact_email_key,
)
_INSERT_PILLARS = insert(table_of(RegistrationPillar))
_INSERT_FOCUS_AREAS = insert(table_of(RegistrationFocusArea))
_INSERT_EVENT = insert(table_of(RegistrationEvent))
_FIND_DUPLICATE = select(_REGISTRATION.c.id).where(
    _REGISTRATION.c.organisation_key == bindparam("organisation_key"),
    _REGISTRATION.c.contact_email_key == bindparam("contact_email_key"),
)


def prepare_registration(data: RegistrationCreate, *, now: dt.datetime) -> PreparedRegistration:
    """Make the rows for a registration: its columns, a reference, a private link and mails."""
    values = registration_values(data, now=now)
    values["reference"] = new_reference()
    # The private link is signed from the id and this nonce when the confirmation is sent.
    values["link_nonce"] = new_link_nonce()
    registration = NewRegistration(
        reference=values["reference"],
        submitted_at=now,
        organisation_name=data.organisation_name,
        contact_email=data.contact_email,
        preferred_language=data.preferred_language,
    )
    # The registrant's confirmation, with its private link, and the secretariat's notice.
    mails = [
        mail_queue.to_registrant(
            "confirmation", registration_id=None, address=data.contact_email,
            language=data.preferred_language, now=now,
        ),
        mail_queue.to_secretariat("notification", registration_id=None, now=now),
    ]
    return PreparedRegistration(data, registration, values, mails)


def _is_duplicate(connection: Connection, prepared: PreparedRegistration) -> bool:
    return connection.scalar(_FIND_DUPLICATE, prepared.values) is not None


def register_all(
    *, session: Session, batch: Sequence[PreparedRegistration]
) -> list[NewRegistration | CallClosed | DuplicateRegistration]:
    """Store registrations and queue their mails; refuse each one late or a duplicate.

    This is the busiest write of the deadline rush, so it is Core statements, each built
    once, rather than an ORM flush: one multi-row insert of the registrations (a row that
    clashes on a unique index is skipped, not failed, so no savepoint is needed), then one
    `executemany` each for all their pillars, focus areas, events and mails. A refused
    registration has written nothing.
    """
    closes_at = deadline.registration_closes_at(session)
    connection = session.connection()
    in_time = [p for p in batch if deadline.is_open(closes_at, p.registration.submitted_at)]
    insert_registration = insert_or_skip(session, _REGISTRATION, _REGISTRATION.c.id)
    # One statement for all; a row left out clashed with one stored (or earlier in the batch).
    insert_all = insert_or_skip(session, _REGISTRATION, *_REGISTRATION_KEY, _REGISTRATION.c.id)
    stored_ids = {
        (reference, organisation, email): registration_id
        for reference, organisation, email, registration_id in connection.execute(
            insert_all, [prepared.values for prepared in in_time]
        )
    } if in_time else {}
    outcomes: list[NewRegistration | CallClosed | DuplicateRegistration] = []
    pillars: list[dict[str, Any]] = []
    focus_areas: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    mails: list[dict[str, Any]] = []
    for prepared in batch:
        now = prepared.registration.submitted_at
        if not deadline.is_open(closes_at, now):
            outcomes.append(CallClosed(closes_at))
            continue
        registration_id = stored_ids.get(tuple(prepared.values[c.key] for c in _REGISTRATION_KEY))
        attempts = 0
        # Left out: the unique index on organisation and email decides, also between racing
        # requests; if it was not that, the reference was taken, and another is drawn.
        while registration_id is None and not _is_duplicate(connection, prepared):
            attempts += 1
            if attempts > _REFERENCE_ATTEMPTS:  # pragma: no cover - 32**8 references
                raise RuntimeError("could not find a free reference")
            prepared = prepare_registration(prepared.data, now=now)
            registration_id = connection.scalar(insert_registration, prepared.values)
        if registration_id is None:
            outcomes.append(DuplicateRegistration())
            continue
        data = prepared.data
        pillars += ({"registration_id": registration_id, "pillar": code} for code in data.pillars)
        focus_areas += (
            {"registration_id": registration_id, "focus_area": code} for code in data.focus_areas
        )
        events.append({
            "registration_id": registration_id, "at": now, "actor": "registrant",
            "action": "submitted",
        })
        for mail in prepared.mails:
            mail["registration_id"] = registration_id
        mails += prepared.mails
        prepared.registration.id = registration_id
        outcomes.append(prepared.registration)
    if events:
        connection.execute(_INSERT_PILLARS, pillars)
        if focus_areas:
            connection.execute(_INSERT_FOCUS_AREAS, focus_areas)
        connection.execute(_INSERT_EVENT, events)
        mail_queue.queue(session, mails)
    return outcomes
