"""Accept registrations: the deadline, the duplicate rule and the stored record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from app.core.db import insert_or_skip
from app.models import Registration, RegistrationEvent, RegistrationFocusArea, RegistrationPillar
from app.models.base import table_of
from app.schemas.registration import RegistrationCreate, organisation_key
from app.services import deadline, outbox
from app.services.private_links import hash_manage_token, new_manage_token
from app.services.references import new_reference

_REFERENCE_ATTEMPTS = 5


class CallClosed(Exception):
    """The submission arrived after the deadline."""

    def __init__(self, closes_at: dt.datetime) -> None:
        super().__init__("the call for registrations has closed")
        self.closes_at = closes_at


class DuplicateRegistration(Exception):
    """This organisation has already registered with this contact email."""


@dataclass(slots=True)
class NewRegistration:
    """What a registration's receipt and mails need to know of it; `id` once it is stored."""

    reference: str
    submitted_at: dt.datetime
    organisation_name: str
    contact_email: str
    preferred_language: str
    id: int | None = None


@dataclass(slots=True)
class PreparedRegistration:
    """A registration's rows, made before the write lock is taken so that it is held briefly."""

    data: RegistrationCreate
    registration: NewRegistration
    values: dict[str, Any]
    mails: list[dict[str, Any]]


def registration_values(data: RegistrationCreate, *, now: dt.datetime) -> dict[str, Any]:
    """Return the registration's columns for checked answers (without its reference)."""
    return {
        "submitted_at": now,
        "updated_at": now,
        "organisation_name": data.organisation_name,
        "organisation_key": organisation_key(data.organisation_name),
        "category": data.category,
        "category_other": data.category_other,
        "registration_number": data.registration_number,
        "address": data.address,
        "postcode": data.postcode,
        "state": data.state,
        "website": data.website,
        "contact_name": data.contact_name,
        "contact_designation": data.contact_designation,
        "contact_email": data.contact_email,
        "contact_email_key": data.contact_email.casefold(),
        "contact_phone": data.contact_phone,
        "interest_statement": data.interest_statement,
        "workshop_attendees": data.workshop_attendees,
        "preferred_language": data.preferred_language,
        "consent_pdpa": data.consent_pdpa,
        "consent_share_partners": data.consent_share_partners,
    }


_REGISTRATION = table_of(Registration)
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
    manage_token = new_manage_token()
    values["manage_token_hash"] = hash_manage_token(manage_token)
    registration = NewRegistration(
        reference=values["reference"],
        submitted_at=now,
        organisation_name=data.organisation_name,
        contact_email=data.contact_email,
        preferred_language=data.preferred_language,
    )
    mails = outbox.registration_mail_rows(registration, manage_token=manage_token, now=now)
    return PreparedRegistration(data, registration, values, mails)


def register_all(
    *, session: Session, batch: Sequence[PreparedRegistration]
) -> list[NewRegistration | CallClosed | DuplicateRegistration]:
    """Store registrations and queue their mails; refuse each one late or a duplicate.

    This is the busiest write of the deadline rush, so it is Core statements, each built
    once, rather than an ORM flush: one insert per registration (skipped, not failed, on a
    unique clash, so no savepoint is needed), then one `executemany` each for all their
    pillars, focus areas, events and mails. A refused registration has written nothing.
    """
    closes_at = deadline.registration_closes_at(session)
    connection = session.connection()
    insert_registration = insert_or_skip(session, _REGISTRATION, _REGISTRATION.c.id)
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
        for _ in range(_REFERENCE_ATTEMPTS):
            registration_id = connection.scalar(insert_registration, prepared.values)
            if registration_id is not None:
                break
            # The unique index on organisation and email decides, also between racing requests.
            if connection.scalar(_FIND_DUPLICATE, prepared.values) is not None:
                break
            prepared = prepare_registration(prepared.data, now=now)  # the reference was taken
        else:  # pragma: no cover - 32**8 references make five clashes in a row unthinkable
            raise RuntimeError("could not find a free reference")
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
        outbox.queue(session, mails)
    return outcomes
