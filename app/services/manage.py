"""The registrant's private link: view, correct or withdraw a registration until the deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Registration, RegistrationEvent, RegistrationFocusArea, RegistrationPillar
from app.schemas.registration import RegistrationCreate, organisation_key
from app.schemas.registration_fields import CORRECTABLE_FIELDS as CORRECTABLE_FIELDS
from app.services import deadline, invitations, mail_queue
from app.services.registration.receipt import CallClosed, DuplicateRegistration


def is_duplicate(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "uq_registration_organisation_contact" in text or (
        "organisation_key" in text and "contact_email_key" in text
    )


class AlreadyWithdrawn(Exception):
    """The registration was withdrawn; it can be viewed but not changed."""


def can_change(*, session: Session, registration: Registration, now: dt.datetime) -> bool:
    """Say whether the registrant may still correct or withdraw the registration."""
    closes_at = deadline.registration_closes_at(session)
    return registration.withdrawn_at is None and deadline.is_open(closes_at, now)


def form_values(registration: Registration) -> dict[str, Any]:
    """Return the registration's answers as the form shows them."""
    values: dict[str, Any] = {
        field: getattr(registration, field) for field in CORRECTABLE_FIELDS
    }
    values["workshop_attendees"] = str(registration.workshop_attendees)
    values["consent_share_partners"] = "true" if registration.consent_share_partners else ""
    return values


def _check_changeable(session: Session, registration: Registration, now: dt.datetime) -> None:
    if registration.withdrawn_at is not None:
        raise AlreadyWithdrawn
    closes_at = deadline.registration_closes_at(session)
    if not deadline.is_open(closes_at, now):
        raise CallClosed(closes_at)


def _replace_pillars(registration: Registration, codes: Sequence[str]) -> None:
    rows = registration.pillar_rows
    rows[:] = [row for row in rows if row.pillar in codes]
    kept = {row.pillar for row in rows}
    rows.extend(RegistrationPillar(pillar=code) for code in codes if code not in kept)


def _replace_focus_areas(registration: Registration, codes: Sequence[str]) -> None:
    rows = registration.focus_area_rows
    rows[:] = [row for row in rows if row.focus_area in codes]
    kept = {row.focus_area for row in rows}
    rows.extend(RegistrationFocusArea(focus_area=code) for code in codes if code not in kept)


def correct_registration(
    *, session: Session, registration: Registration, data: RegistrationCreate, now: dt.datetime
) -> list[str]:
    """Apply the registrant's corrections and record which fields changed."""
    _check_changeable(session, registration, now)
    changed = [
        field for field in CORRECTABLE_FIELDS
        if getattr(data, field) != getattr(registration, field)
    ]
    if not changed:
        return []
    try:
        # A savepoint, so that a clash with another registration leaves this one as it was.
        with session.begin_nested():
            for field in changed:
                if field == "pillars":
                    _replace_pillars(registration, data.pillars)
                elif field == "focus_areas":
                    _replace_focus_areas(registration, data.focus_areas)
                else:
                    setattr(registration, field, getattr(data, field))
            registration.organisation_key = organisation_key(data.organisation_name)
            registration.contact_email_key = data.contact_email.casefold()
            registration.updated_at = now
            session.flush()
    except IntegrityError as error:
        session.refresh(registration)
        if is_duplicate(error):
            raise DuplicateRegistration from error
        raise
    # Which fields changed, not their values: the event log holds no personal data.
    session.add(RegistrationEvent(
        registration_id=registration.id, at=now, actor="registrant", action="corrected",
        detail=", ".join(changed),
    ))
    session.flush()
    return changed


def withdraw_registration(
    *, session: Session, registration: Registration, now: dt.datetime
) -> None:
    """Withdraw the registration, record it, and queue the mails that confirm it."""
    _check_changeable(session, registration, now)
    registration.withdrawn_at = now
    registration.updated_at = now
    session.add(RegistrationEvent(
        registration_id=registration.id, at=now, actor="registrant", action="withdrawn"
    ))
    mail_queue.queue(session, [
        mail_queue.to_registrant(
            "withdrawal", registration_id=registration.id, address=registration.contact_email,
            language=registration.preferred_language, now=now,
        ),
        mail_queue.to_secretariat("withdrawal_notice", registration_id=registration.id, now=now),
    ])
    # A withdrawn organisation keeps no workshop seats: they go to the waiting list.
    invitations.withdraw_invitations(session=session, registration_id=registration.id, now=now)
    session.flush()
