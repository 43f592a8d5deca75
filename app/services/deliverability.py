"""Contact emails that a mail server refused for good, so staff know whom to phone instead."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from app.models import Registration

_SAME_CONTACT = (Registration.id == bindparam("registration_id"),
                 Registration.contact_email_key == bindparam("address_key"))
# Built once: the mail worker runs one of these after nearly every message it sends.
_CLEAR = (update(Registration)
          .where(*_SAME_CONTACT, Registration.contact_undeliverable_at.is_not(None))
          .values(contact_undeliverable_at=None))
_MARK = update(Registration).where(*_SAME_CONTACT).values(
    contact_undeliverable_at=bindparam("marked_at"))


def note_delivery(
    *, session: Session, registration_id: int | None, to_address: str, delivered: bool,
    permanently_refused: bool, now: dt.datetime,
) -> None:
    """Mark the registration's contact email undeliverable after a 5xx; clear it on delivery.

    Only mail addressed to the registration's contact counts (not the secretariat's copy).
    """
    if registration_id is None or not (delivered or permanently_refused):
        return
    # On the connection: no registration held in the session needs keeping in step.
    session.connection().execute(_CLEAR if delivered else _MARK, {
        "registration_id": registration_id, "address_key": to_address.casefold(),
        "marked_at": now})
