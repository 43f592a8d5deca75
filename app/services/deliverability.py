"""Contact emails that a mail server refused for good, so staff know whom to phone instead."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import OutboxMail, Registration


def note_delivery(
    *, session: Session, mail: OutboxMail, now: dt.datetime, permanently_refused: bool
) -> None:
    """Mark the registration's contact email undeliverable after a 5xx; clear it on delivery.

    Only mail addressed to the registration's contact counts (not the secretariat's copy).
    """
    if mail.registration_id is None or (mail.status != "sent" and not permanently_refused):
        return
    same_contact = (Registration.id == mail.registration_id,
                    Registration.contact_email_key == mail.to_address.casefold())
    if mail.status == "sent":
        session.execute(update(Registration).where(
            *same_contact, Registration.contact_undeliverable_at.is_not(None))
            .values(contact_undeliverable_at=None))
    else:
        session.execute(update(Registration).where(*same_contact)
                        .values(contact_undeliverable_at=now))
