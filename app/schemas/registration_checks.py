"""The checks behind a registration's answers, each failing with the field's own message."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic_core import PydanticCustomError

from app.core.i18n import N_
from app.schemas.one_line import one_line
from app.schemas.registration_fields import FIELD_MESSAGES, FIELDS, RegistrationField

# Control characters other than tab and line breaks have no place in a registration;
# PostgreSQL refuses NUL outright, so they are turned away here with a message instead.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# Direction overrides and isolates can make text display in another order than it is
# stored (and spill into what follows it on a page); nobody needs them in a registration.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
POSTCODE_MY = re.compile(r"^[0-9]{5}$")
POSTCODE_ABROAD = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]{1,11}$")

GENERIC_MESSAGE = N_("Check this answer")
CONTROL_CHARACTER_MESSAGE = N_("Remove the invisible control characters from this answer")


def message_for(field: str, kind: str) -> str:
    """Return the message for a mistake of `kind` in `field`."""
    messages = FIELD_MESSAGES.get(field, {})
    return messages.get(kind) or messages.get("invalid") or GENERIC_MESSAGE


def mistake(field: str, kind: str) -> PydanticCustomError:
    """Return the error for a mistake of `kind` in `field`, with the field's message."""
    return PydanticCustomError(kind, message_for(field, kind))


def clean_text(
    value: Any,
    field: str,
    *,
    required: bool,
    max_length: int,
    min_length: int = 1,
    multiline: bool = False,
) -> str:
    """Trim and check one text answer, raising a field-specific message."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise mistake(field, "invalid")
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", CONTROL_CHARACTER_MESSAGE)
    text = _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", value)).strip()
    if not multiline:
        text = _SPACES.sub(" ", one_line(text))
    if not text:
        if required:
            raise mistake(field, "required")
        return ""
    if not (min_length <= len(text) <= max_length):
        raise mistake(field, "invalid")
    return text


# Each text field's declared limits, as `clean_text` takes them.
TEXT_RULES: dict[str, dict[str, Any]] = {
    field.name: {"required": field.required, "max_length": field.max_length,
                 "min_length": field.min_length, "multiline": field.multiline}
    for field in FIELDS if field.max_length
}


def organisation_key(name: str) -> str:
    """Return the form of a name that the duplicate rule compares: no case, single spaces."""
    return _SPACES.sub(" ", name).strip().casefold()


def normalise_phone(value: str) -> str:
    """Parse a Malaysian or international number and return it in E.164."""
    try:
        number = phonenumbers.parse(value, "MY")
    except phonenumbers.NumberParseException:
        raise mistake("contact_phone", "invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise mistake("contact_phone", "invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def known_code(value: Any, field: RegistrationField) -> Any:
    """Check that `value` is one of the field's codes."""
    if value is None or value == "":
        raise mistake(field.name, "required")
    if value not in field.codes:
        raise mistake(field.name, "invalid")
    return value


def known_codes(value: Any, field: RegistrationField) -> list[str]:
    """Return the field's codes chosen in `value`, in the vocabulary's order, once each."""
    if value is None or value == "":
        value = []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise mistake(field.name, "invalid")
    allowed = field.codes
    if any(item not in allowed for item in value):
        raise mistake(field.name, "invalid")
    # Keep the vocabulary's order and drop repeats, whatever order the client sent.
    chosen = set(value)
    codes = [code for code in allowed if code in chosen]
    if not codes and field.required:
        raise mistake(field.name, "required")
    return codes


def checked_email(value: str) -> str:
    """Check an email address that the confirmation can be sent to."""
    # Addresses that need SMTPUTF8 (non-ASCII) are refused: the Ministry's mail server
    # may not carry them, and a confirmation that cannot be sent helps nobody.
    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise mistake("contact_email", "invalid") from None
    if not value.isascii():
        raise mistake("contact_email", "invalid")
    return value


def checked_website(value: str) -> str:
    """Return a website's http(s) address, adding https:// when no scheme is given."""
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    scheme, _, rest = value.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if (
        scheme.lower() not in ("http", "https")
        or " " in value
        or "." not in host
        or host.startswith(".")
        or host.endswith(".")
        or "@" in host
    ):
        raise mistake("website", "invalid")
    return value
