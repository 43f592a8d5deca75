"""After the deadline, the private link may still change the contact person, and only that.

Organisations change their contact person all the time; announcements, invitations and
report requests must reach the new one. The answers about the organisation stay as they
were at the deadline. A changed email gets a confirmation at the new address and a notice
at the old one (with the secretariat's address, in case it was not them); the secretariat
is told of every change; mail still queued for the old address goes to the new one. The
private links already mailed keep working (nothing here touches them).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import OutboxMail, Registration, RegistrationEvent
from app.schemas.registration import RegistrationCreate
from app.services import audit, mail_queue
from app.services.manage import AlreadyWithdrawn, is_duplicate
from app.services.registration.receipt import DuplicateRegistration

CONTACT_FIELDS = ("contact_name", "contact_designation", "contact_email", "contact_phone")
# Mail not yet handed to the server, which can still go to the new address.
_NOT_YET_SENT = ("queued", "retry")


def change_contact(
    *, session: Session, registration: Registration, data: RegistrationCreate, now: dt.datetime
) -> list[str]:
    """Change the contact person, tell everyone concerned, and return the fields changed."""
    if registration.withdrawn_at is not None:
        raise AlreadyWithdrawn
    changed = [field for field in CONTACT_FIELDS
               if getattr(data, field) != getattr(registration, field)]
    if not changed:
        return []
    old_email = registration.contact_email
    try:
        # A savepoint, so that a clash with another registration leaves this one as it was.
        with session.begin_nested():
            for field in changed:
                setattr(registration, field, getattr(data, field))
            registration.contact_email_key = data.contact_email.casefold()
            registration.updated_at = now
            session.flush()
    except IntegrityError as error:
        session.refresh(registration)
        if is_duplicate(error):
            raise DuplicateRegistration from error
        raise
    mails = [mail_queue.to_secretariat("contact_change_notice", registration_id=registration.id,
                                       now=now)]
    if "contact_email" in changed:
        registration.contact_undeliverable_at = None
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.registration_id == registration.id,
                   OutboxMail.to_address == old_email,
                   OutboxMail.status.in_(_NOT_YET_SENT))
            .values(to_address=registration.contact_email)
            .execution_options(synchronize_session=False))
        language = registration.preferred_language
        mails += [
            mail_queue.to_registrant("contact_changed", registration_id=registration.id,
                                     address=registration.contact_email, language=language,
                                     now=now),
            mail_queue.to_registrant("contact_changed_old", registration_id=registration.id,
                                     address=old_email, language=language, now=now),
        ]
    mail_queue.queue(session, mails)
    # Which fields changed, not their values: the event log holds no personal data.
    session.add(RegistrationEvent(registration_id=registration.id, at=now, actor="registrant",
                                  action="contact_changed", detail=", ".join(changed)))
    session.flush()
    audit.record(session=session, action="contact_changed", staff_user_id=None, now=now,
                 detail={"reference": registration.reference, "fields": changed})
    return changed
