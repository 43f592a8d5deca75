"""What a registration must look like, with validation messages written for people."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from app.vocab import (
    CATEGORY_CODES,
    FOCUS_AREA_CODES,
    OUTSIDE_MALAYSIA,
    PILLAR_CODES,
    STATE_CODES,
)

# Control characters other than tab and line breaks have no place in a registration;
# PostgreSQL refuses NUL outright, so they are turned away here with a message instead.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# Direction overrides and isolates can make text display in another order than it is
# stored (and spill into what follows it on a page); nobody needs them in a registration.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_POSTCODE_MY = re.compile(r"^[0-9]{5}$")
_POSTCODE_ABROAD = re.compile(r"^[0-9A-Za-z][0-9A-Za-z \-]{1,11}$")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark `message` for the catalogs without translating it here."""
    return message


# One message per field and kind of mistake. They are msgids for the gettext catalogs,
# so the form shows them in Malay or English and the API answers in English.
FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "organisation_name": {
        "required": N_("Enter the name of your organisation"),
        "invalid": N_("The organisation's name must be 2 to 200 characters"),
    },
    "category": {
        "required": N_("Choose the kind of organisation"),
        "invalid": N_("Choose one of the kinds of organisation listed"),
    },
    "category_other": {
        "required": N_("Describe your kind of organisation"),
        "invalid": N_("The description must be 200 characters or fewer"),
    },
    "registration_number": {
        "invalid": N_("The registration number must be 100 characters or fewer"),
    },
    "address": {
        "required": N_("Enter your organisation's address"),
        "invalid": N_("The address must be 500 characters or fewer"),
    },
    "postcode": {
        "required": N_("Enter the postcode"),
        "invalid": N_("Enter a postcode of 5 digits, like 62530"),
        "abroad": N_("Enter a postcode of up to 12 letters, digits, spaces or hyphens"),
    },
    "state": {
        "required": N_("Choose the state, or Outside Malaysia"),
        "invalid": N_("Choose one of the states listed"),
    },
    "website": {
        "invalid": N_("Enter the website address in full, like https://www.example.org.my"),
    },
    "contact_name": {
        "required": N_("Enter the contact person's name"),
        "invalid": N_("The contact person's name must be 200 characters or fewer"),
    },
    "contact_designation": {
        "required": N_("Enter the contact person's designation"),
        "invalid": N_("The designation must be 200 characters or fewer"),
    },
    "contact_email": {
        "required": N_("Enter the contact person's email address"),
        "invalid": N_("Enter an email address in the correct format, like name@example.org.my"),
    },
    "contact_phone": {
        "required": N_("Enter the contact person's telephone number"),
        "invalid": N_(
            "Enter a telephone number, like 012-345 6789, 03-8886 5000 or +60 12 345 6789"
        ),
    },
    "pillars": {
        "required": N_("Choose at least one pillar your organisation wants to work on"),
        "invalid": N_("Choose pillars from the list"),
    },
    "focus_areas": {
        "invalid": N_("Choose focus areas from the list"),
    },
    "interest_statement": {
        "required": N_("Tell us about your organisation's work and what it can contribute"),
        "invalid": N_("The statement must be 2,000 characters or fewer"),
    },
    "workshop_attendees": {
        "required": N_("Choose how many representatives would attend the workshop"),
        "invalid": N_("Choose a number of representatives from 0 to 3"),
    },
    "preferred_language": {
        "invalid": N_("Choose Bahasa Melayu or English"),
    },
    "consent_pdpa": {
        "required": N_("Confirm that you have read the personal data notice"),
        "invalid": N_("Confirm that you have read the personal data notice"),
    },
    "consent_share_partners": {
        "invalid": N_("Answer yes or no to sharing with Alliance 8.7 partners"),
    },
}
GENERIC_MESSAGE = N_("Check this answer")
CONTROL_CHARACTER_MESSAGE = N_("Remove the invisible control characters from this answer")


def message_for(field: str, kind: str) -> str:
    """Return the message for a mistake of `kind` in `field`."""
    messages = FIELD_MESSAGES.get(field, {})
    return messages.get(kind) or messages.get("invalid") or GENERIC_MESSAGE


def _mistake(field: str, kind: str) -> PydanticCustomError:
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
        raise _mistake(field, "invalid")
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", CONTROL_CHARACTER_MESSAGE)
    text = _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", value)).strip()
    if not multiline:
        text = _SPACES.sub(" ", text)
    if not text:
        if required:
            raise _mistake(field, "required")
        return ""
    if not (min_length <= len(text) <= max_length):
        raise _mistake(field, "invalid")
    return text


def organisation_key(name: str) -> str:
    """Return the form of a name that the duplicate rule compares: no case, single spaces."""
    return _SPACES.sub(" ", name).strip().casefold()


def normalise_phone(value: str) -> str:
    """Parse a Malaysian or international number and return it in E.164."""
    try:
        number = phonenumbers.parse(value, "MY")
    except phonenumbers.NumberParseException:
        raise _mistake("contact_phone", "invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise _mistake("contact_phone", "invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _codes(value: Any, field: str, allowed: tuple[str, ...]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _mistake(field, "invalid")
    if any(item not in allowed for item in value):
        raise _mistake(field, "invalid")
    # Keep the vocabulary's order and drop repeats, whatever order the client sent.
    chosen = set(value)
    return [code for code in allowed if code in chosen]


Category = Literal[
    "public_organisation",
    "private_organisation",
    "workers_union",
    "employers_union",
    "cso",
    "academic",
    "other",
]
State = Literal[
    "johor",
    "kedah",
    "kelantan",
    "melaka",
    "negeri_sembilan",
    "pahang",
    "perak",
    "perlis",
    "pulau_pinang",
    "sabah",
    "sarawak",
    "selangor",
    "terengganu",
    "wp_kuala_lumpur",
    "wp_labuan",
    "wp_putrajaya",
    "outside_malaysia",
]
Pillar = Literal["prevention", "protection", "prosecution_enforcement", "partnership"]
FocusArea = Literal[
    "awareness",
    "legal_compliance_enforcement",
    "labour_migration",
    "remedy_protection_services",
    "child_labour",
    "supply_chains",
]

_TEXT_FIELDS: dict[str, dict[str, Any]] = {
    "organisation_name": {"required": True, "min_length": 2, "max_length": 200},
    "category_other": {"required": False, "max_length": 200},
    "registration_number": {"required": False, "max_length": 100},
    "address": {"required": True, "max_length": 500, "multiline": True},
    "postcode": {"required": True, "max_length": 12},
    "contact_name": {"required": True, "max_length": 200},
    "contact_designation": {"required": True, "max_length": 200},
    "contact_email": {"required": True, "max_length": 320},
    "contact_phone": {"required": True, "max_length": 30},
    "website": {"required": False, "max_length": 500},
    "interest_statement": {"required": True, "max_length": 2000, "multiline": True},
}


class RegistrationCreate(BaseModel):
    """An organisation's expression of interest in joining Alliance 8.7 in Malaysia."""

    model_config = ConfigDict(extra="ignore", str_max_length=20_000)

    organisation_name: str = Field(
        description="Name of the organisation, 2 to 200 characters after trimming.",
        examples=["Persatuan Sahabat Wanita Selangor"],
    )
    category: Category = Field(
        description="Kind of organisation (code from GET /api/v1/call).", examples=["cso"]
    )
    category_other: str = Field(
        default="",
        validate_default=True,
        description="Required when category is `other`; ignored otherwise.",
        examples=[""],
    )
    registration_number: str = Field(
        default="",
        description="SSM, ROS, trade-union or other registry number (optional).",
        examples=["PPM-001-10-12345678"],
    )
    address: str = Field(description="Postal address.", examples=["No. 12, Jalan Tun Razak"])
    state: State = Field(
        description="State or federal territory, or `outside_malaysia`.",
        examples=["wp_kuala_lumpur"],
    )
    postcode: str = Field(description="5 digits for an address in Malaysia.", examples=["50400"])
    website: str = Field(
        default="",
        description="http(s) address of the organisation's website (optional).",
        examples=["https://www.example.org.my"],
    )
    contact_name: str = Field(
        description="Contact person's name.", examples=["Nur Aisyah binti Ahmad"]
    )
    contact_designation: str = Field(
        description="Contact person's designation (jawatan).", examples=["Pengurus Program"]
    )
    contact_email: str = Field(
        description="Contact person's email address; the confirmation goes here.",
        examples=["aisyah@example.org.my"],
    )
    contact_phone: str = Field(
        description="Malaysian or international number; stored in E.164.",
        examples=["012-345 6789"],
    )
    pillars: Annotated[list[Pillar], Field(min_length=1)] = Field(
        description="Roadmap pillars the organisation wants to work on; at least one.",
        examples=[["prevention", "partnership"]],
    )
    focus_areas: list[FocusArea] = Field(
        default_factory=list,
        description="Optional focus areas for the workshop's working groups.",
        examples=[["labour_migration"]],
    )
    interest_statement: str = Field(
        description="The organisation's work on forced labour, child labour or trafficking, "
        "and what it can contribute; up to 2,000 characters.",
        examples=["Kami menyediakan khidmat nasihat kepada pekerja migran."],
    )
    workshop_attendees: int = Field(
        ge=0,
        le=3,
        description="Representatives who would attend the November 2022 workshop (0 = none).",
        examples=[2],
    )
    preferred_language: Literal["ms", "en"] = Field(
        default="ms", description="Language of the confirmation email.", examples=["ms"]
    )
    consent_pdpa: Literal[True] = Field(
        description="Must be true: the personal data notice has been read.", examples=[True]
    )
    consent_share_partners: bool = Field(
        default=False,
        description="The organisation's details may be shared with Alliance 8.7 partners.",
        examples=[False],
    )

    @field_validator(*_TEXT_FIELDS, mode="before")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> str:
        field = str(info.field_name)
        return clean_text(value, field, **_TEXT_FIELDS[field])

    @field_validator("category", "state", "preferred_language", mode="before")
    @classmethod
    def _known_code(cls, value: Any, info: ValidationInfo) -> Any:
        field = str(info.field_name)
        allowed = {
            "category": CATEGORY_CODES,
            "state": STATE_CODES,
            "preferred_language": ("ms", "en"),
        }[field]
        if value is None or value == "":
            raise _mistake(field, "required")
        if value not in allowed:
            raise _mistake(field, "invalid")
        return value

    @field_validator("pillars", mode="before")
    @classmethod
    def _pillars(cls, value: Any) -> list[str]:
        codes = _codes(value, "pillars", PILLAR_CODES)
        if not codes:
            raise _mistake("pillars", "required")
        return codes

    @field_validator("focus_areas", mode="before")
    @classmethod
    def _focus_areas(cls, value: Any) -> list[str]:
        return _codes(value, "focus_areas", FOCUS_AREA_CODES)

    @field_validator("workshop_attendees", mode="before")
    @classmethod
    def _attendees(cls, value: Any) -> int:
        if value is None or value == "":
            raise _mistake("workshop_attendees", "required")
        if isinstance(value, bool):
            raise _mistake("workshop_attendees", "invalid")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        # JSON has one kind of number: 2.0 is the integer 2, as the JSON Schema says.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or not 0 <= value <= 3:
            raise _mistake("workshop_attendees", "invalid")
        return value

    @field_validator("consent_pdpa", mode="before")
    @classmethod
    def _consent_given(cls, value: Any) -> bool:
        if value in (True, "true", "on", "yes", "1"):
            return True
        if value in (None, "", False, "false"):
            raise _mistake("consent_pdpa", "required")
        raise _mistake("consent_pdpa", "invalid")

    @field_validator("consent_share_partners", mode="before")
    @classmethod
    def _share_answer(cls, value: Any) -> bool:
        if value in (True, "true", "on", "yes", "1"):
            return True
        if value in (None, "", False, "false", "no", "0"):
            return False
        raise _mistake("consent_share_partners", "invalid")

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        # Addresses that need SMTPUTF8 (non-ASCII) are refused: the Ministry's mail server
        # may not carry them, and a confirmation that cannot be sent helps nobody.
        try:
            validate_email(value, check_deliverability=False, allow_smtputf8=False)
        except EmailNotValidError:
            raise _mistake("contact_email", "invalid") from None
        if not value.isascii():
            raise _mistake("contact_email", "invalid")
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
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
            raise _mistake("website", "invalid")
        return value

    @field_validator("category_other")
    @classmethod
    def _other_described(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("category") != "other":
            return ""
        if not value:
            raise _mistake("category_other", "required")
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode_fits_state(cls, value: str, info: ValidationInfo) -> str:
        state = info.data.get("state")
        if state == OUTSIDE_MALAYSIA:
            if not _POSTCODE_ABROAD.match(value):
                raise _mistake("postcode", "abroad")
        elif (
            state is not None
            and not _POSTCODE_MY.match(value)
            or state is None
            and not (_POSTCODE_MY.match(value) or _POSTCODE_ABROAD.match(value))
        ):
            raise _mistake("postcode", "invalid")
        return value


class RegistrationReceipt(BaseModel):
    """What the portal answers when it has stored a registration."""

    reference: str = Field(description="8 characters, no I, O, 0 or 1.", examples=["K7MX3QPA"])
    submitted_at: dt.datetime = Field(examples=["2022-10-18T09:30:00+08:00"])
    organisation_name: str = Field(examples=["Persatuan Sahabat Wanita Selangor"])
    contact_email: str = Field(examples=["aisyah@example.org.my"])
    preferred_language: Literal["ms", "en"] = Field(examples=["ms"])


def field_errors(errors: Any) -> dict[str, str]:
    """Turn pydantic errors into one English message per field, first mistake first."""
    found: dict[str, str] = {}
    for error in errors:
        location = [part for part in error.get("loc", ()) if part != "body"]
        if location and isinstance(location[0], str):
            field = location[0]
            kind = "required" if error.get("type") == "missing" else error.get("type", "invalid")
        else:
            field, kind = "__root__", "invalid"
        if field == "__root__":
            message = "Send the registration as a JSON object with the fields listed in the API"
        elif field not in FIELD_MESSAGES:
            continue
        elif error.get("type") == "control_character":
            message = error["msg"]
        else:
            message = message_for(field, kind)
        found.setdefault(field, message)
    return found
