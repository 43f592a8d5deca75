"""Send a registration's confirmation again, with its private link (the same one as before)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Registration, RegistrationEvent
from app.services import audit, mail_queue
from app.services.references import normalise_reference


class RegistrationNotFound(LookupError):
    """No registration has this reference."""


class RegistrationWithdrawn(Exception):
    """The registration was withdrawn, so its confirmation is not sent again."""


def resend_confirmation(
    *, session: Session, reference: str, now: dt.datetime, actor: str,
    staff_user_id: int | None = None,
) -> None:
    """Queue the confirmation again; its private link is the one mailed before, still working."""
    registration = session.scalar(
        select(Registration).where(Registration.reference == normalise_reference(reference))
    )
    if registration is None:
        raise RegistrationNotFound(reference)
    if registration.withdrawn_at is not None:
        raise RegistrationWithdrawn(reference)
    mail_queue.queue(session, [mail_queue.to_registrant(
        "confirmation", registration_id=registration.id, address=registration.contact_email,
        language=registration.preferred_language, now=now,
    )])
    session.add(RegistrationEvent(
        registration_id=registration.id, at=now, actor=actor, action="confirmation_resent"
    ))
    session.flush()
    audit.record(session=session, action="confirmation_resent", staff_user_id=staff_user_id,
                 now=now, detail={"reference": registration.reference})
