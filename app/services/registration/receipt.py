"""What a submission comes to: a receipt, or a refusal that writes nothing of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.config import MALAYSIA
from app.schemas.registration import RegistrationReceipt


class CallClosed(Exception):
    """The submission arrived after the deadline."""

    def __init__(self, closes_at: dt.datetime) -> None:
        super().__init__("the call for registrations has closed")
        self.closes_at = closes_at


class DuplicateRegistration(Exception):
    """This organisation has already registered with this contact email."""


# Answers that refuse one submission and write nothing of it; the batch goes on.
Refusal = CallClosed | DuplicateRegistration


@dataclass(slots=True)
class NewRegistration:
    """What a registration's receipt needs to know of it; `id` once it is stored."""

    reference: str
    submitted_at: dt.datetime
    organisation_name: str
    contact_email: str
    preferred_language: str
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Accepted:
    """A stored registration's receipt, as JSON; `replayed` when a retry got the first answer."""

    receipt_json: str
    replayed: bool = False

    @property
    def receipt(self) -> RegistrationReceipt:
        return RegistrationReceipt.model_validate_json(self.receipt_json)


def receipt_json(registration: NewRegistration) -> str:
    """Return a stored registration's receipt as JSON, with its time in Malaysian time."""
    return RegistrationReceipt(
        reference=registration.reference,
        submitted_at=registration.submitted_at.astimezone(MALAYSIA),
        organisation_name=registration.organisation_name,
        contact_email=registration.contact_email,
        preferred_language=registration.preferred_language,
    ).model_dump_json()
