"""What a registration must look like, with validation messages written for people."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.schemas.one_line import ONE_LINE_ERROR
from app.schemas.registration_checks import (
    POSTCODE_ABROAD,
    POSTCODE_MY,
    TEXT_RULES,
    checked_email,
    checked_website,
    clean_text,
    known_code,
    known_codes,
    message_for,
    mistake,
    normalise_phone,
)
from app.schemas.registration_checks import organisation_key as organisation_key
from app.schemas.registration_fields import (
    CODE_FIELDS,
    FIELD_BY_NAME,
    FIELD_MESSAGES,
    LIST_FIELDS,
)
from app.vocab import OUTSIDE_MALAYSIA, Category, FocusArea, Language, Pillar, State


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
    preferred_language: Language = Field(
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

    @field_validator(*TEXT_RULES, mode="before")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> str:
        field = str(info.field_name)
        return clean_text(value, field, **TEXT_RULES[field])

    @field_validator(*CODE_FIELDS, mode="before")
    @classmethod
    def _known_code(cls, value: Any, info: ValidationInfo) -> Any:
        return known_code(value, FIELD_BY_NAME[str(info.field_name)])

    @field_validator(*LIST_FIELDS, mode="before")
    @classmethod
    def _known_codes(cls, value: Any, info: ValidationInfo) -> list[str]:
        return known_codes(value, FIELD_BY_NAME[str(info.field_name)])

    @field_validator("workshop_attendees", mode="before")
    @classmethod
    def _attendees(cls, value: Any) -> int:
        if value is None or value == "":
            raise mistake("workshop_attendees", "required")
        if isinstance(value, bool):
            raise mistake("workshop_attendees", "invalid")
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        # JSON has one kind of number: 2.0 is the integer 2, as the JSON Schema says.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or not 0 <= value <= 3:
            raise mistake("workshop_attendees", "invalid")
        return value

    @field_validator("consent_pdpa", mode="before")
    @classmethod
    def _consent_given(cls, value: Any) -> bool:
        if value in (True, "true", "on", "yes", "1"):
            return True
        if value in (None, "", False, "false"):
            raise mistake("consent_pdpa", "required")
        raise mistake("consent_pdpa", "invalid")

    @field_validator("consent_share_partners", mode="before")
    @classmethod
    def _share_answer(cls, value: Any) -> bool:
        if value in (True, "true", "on", "yes", "1"):
            return True
        if value in (None, "", False, "false", "no", "0"):
            return False
        raise mistake("consent_share_partners", "invalid")

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return checked_email(value)

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("website")
    @classmethod
    def _website(cls, value: str) -> str:
        return checked_website(value)

    @field_validator("category_other")
    @classmethod
    def _other_described(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("category") != "other":
            return ""
        if not value:
            raise mistake("category_other", "required")
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode_fits_state(cls, value: str, info: ValidationInfo) -> str:
        state = info.data.get("state")
        if state == OUTSIDE_MALAYSIA:
            if not POSTCODE_ABROAD.match(value):
                raise mistake("postcode", "abroad")
        elif (
            state is not None
            and not POSTCODE_MY.match(value)
            or state is None
            and not (POSTCODE_MY.match(value) or POSTCODE_ABROAD.match(value))
        ):
            raise mistake("postcode", "invalid")
        return value


# The class spells its fields out for the API's documentation; the declaration rules them.
if set(RegistrationCreate.model_fields) != set(FIELD_BY_NAME):
    raise RuntimeError("RegistrationCreate's fields differ from registration_fields.FIELDS")


class RegistrationReceipt(BaseModel):
    """What the portal answers when it has stored a registration."""

    reference: str = Field(description="8 characters, no I, O, 0 or 1.", examples=["K7MX3QPA"])
    submitted_at: dt.datetime = Field(examples=["2022-10-18T09:30:00+08:00"])
    organisation_name: str = Field(examples=["Persatuan Sahabat Wanita Selangor"])
    contact_email: str = Field(examples=["aisyah@example.org.my"])
    preferred_language: Language = Field(examples=["ms"])


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
        elif error.get("type") in ("control_character", ONE_LINE_ERROR):
            message = error["msg"]
        else:
            message = message_for(field, kind)
        found.setdefault(field, message)
    return found
