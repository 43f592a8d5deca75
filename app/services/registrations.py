"""Accept registrations: the deadline, the duplicate rule and the stored record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Registration, RegistrationEvent, RegistrationFocusArea, RegistrationPillar
from app.schemas.registration import RegistrationCreate, organisation_key
from app.services import deadline, outbox
from app.services.references import new_reference

_REFERENCE_ATTEMPTS = 5


class CallClosed(Exception):
    """The submission arrived after the deadline."""

    def __init__(self, closes_at: dt.datetime) -> None:
        super().__init__("the call for registrations has closed")
        self.closes_at = closes_at


class DuplicateRegistration(Exception):
    """This organisation has already registered with this contact email."""


def _is_duplicate(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "uq_registration_organisation_contact" in text or (
        "organisation_key" in text and "contact_email_key" in text
    )


def _is_reference_clash(error: IntegrityError) -> bool:
    text = str(error.orig)
    return "uq_registration_reference" in text or "registration.reference" in text


def build_registration(data: RegistrationCreate, *, now: dt.datetime) -> Registration:
    """Make an unsaved registration from checked answers."""
    return Registration(
        reference=new_reference(),
        submitted_at=now,
        updated_at=now,
        organisation_name=data.organisation_name,
        organisation_key=organisation_key(data.organisation_name),
        category=data.category,
        category_other=data.category_other,
        registration_number=data.registration_number,
        address=data.address,
        postcode=data.postcode,
        state=data.state,
        website=data.website,
        contact_name=data.contact_name,
        contact_designation=data.contact_designation,
        contact_email=data.contact_email,
        contact_email_key=data.contact_email.casefold(),
        contact_phone=data.contact_phone,
        interest_statement=data.interest_statement,
        workshop_attendees=data.workshop_attendees,
        preferred_language=data.preferred_language,
        consent_pdpa=data.consent_pdpa,
        consent_share_partners=data.consent_share_partners,
        pillar_rows=[RegistrationPillar(pillar=code) for code in data.pillars],
        focus_area_rows=[RegistrationFocusArea(focus_area=code) for code in data.focus_areas],
    )


def register(*, session: Session, data: RegistrationCreate, now: dt.datetime) -> Registration:
    """Store a registration and queue its mails, if it arrived in time and is not a duplicate."""
    closes_at = deadline.registration_closes_at(session)
    if not deadline.is_open(closes_at, now):
        raise CallClosed(closes_at)
    for _ in range(_REFERENCE_ATTEMPTS):
        registration = build_registration(data, now=now)
        try:
            # A savepoint, so a clash of references can be retried in the same transaction.
            with session.begin_nested():
                session.add(registration)
                session.flush()
        except IntegrityError as error:
            if _is_duplicate(error):
                raise DuplicateRegistration from error
            if not _is_reference_clash(error):
                raise
            continue
        break
    else:  # pragma: no cover - 32**8 references make five clashes in a row unthinkable
        raise RuntimeError("could not find a free reference")
    session.add(
        RegistrationEvent(
            registration_id=registration.id, at=now, actor="registrant", action="submitted"
        )
    )
    outbox.queue_registration_mails(
        session=session, registration=registration, now=now, closes_at=closes_at
    )
    session.flush()
    return registration
