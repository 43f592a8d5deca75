"""The staff side: registrant filters, registrations as staff read them, and the API's pages."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from app.schemas.registration_fields import STAFF_FIELDS, FieldKind
from app.vocab import Category, FocusArea, Pillar, RegistrantInvitationStatus, State

Sort = Literal[
    "-submitted_at", "submitted_at", "organisation_name", "-organisation_name",
    "category", "-category", "state", "-state", "workshop_attendees", "-workshop_attendees",
]
Withdrawn = Literal["exclude", "include", "only"]
SEVERAL_VALUES = ("Give one value for this filter: several values are not combined. "
                  "Make one request for each value.")


def one_value(value: Any) -> Any:
    """Refuse a list where a filter takes one value, naming the filter in the error.

    Narrowed to one value without a word (as a list once was, to its last), a filter
    would invite or write to fewer organisations than asked for; an error is better.
    """
    if isinstance(value, list):
        raise PydanticCustomError("several_values", SEVERAL_VALUES)
    return value


# The codes of vocab.CONTACT_EMAIL_STATES.
EmailStatus = Literal["undeliverable", "deliverable"]


class RegistrationFilters(BaseModel):
    """Which registrations a list, a page of the API or an export holds, and in what order."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(default="", max_length=200,
                   description="Text in the organisation's name, the contact's name or email, "
                   "or the reference; any case.")
    category: Category | None = None
    state: State | None = None
    pillar: Pillar | None = None
    focus_area: FocusArea | None = None
    attending: Literal["yes", "no"] | None = Field(
        default=None, description="`yes`: at least one workshop representative; `no`: none.")
    invitation_status: RegistrantInvitationStatus | None = None
    email_status: EmailStatus | None = Field(
        default=None, description="`undeliverable`: a mail server refused the contact email "
        "for good; `deliverable`: the others.")
    withdrawn: Withdrawn = Field(
        default="exclude", description="Withdrawn registrations: leave out, include, or only.")
    sort: Sort = "-submitted_at"

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: Any) -> Any:
        # An HTML form sends "" for "any"; treat it as not filtering.
        value = one_value(value)
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return cls.model_fields[info.field_name].default
        return value

    def active(self) -> dict[str, str]:
        """Return the filters that differ from the defaults, as strings for a URL or a log."""
        return {key: str(value) for key, value in self.model_dump(exclude_defaults=True).items()}

    def query_string(self, **changes: Any) -> str:
        """Return these filters as a query string, with `changes` applied."""
        values = {**self.active(), **{k: str(v) for k, v in changes.items() if v is not None}}
        return urlencode(values)


def _blank_means_default(schema: dict[str, Any]) -> None:
    # A blank value is read as the filter's default (see _blank_is_unset); say so in the
    # API's document, which otherwise lists only the codes.
    blank = {"type": "string", "pattern": r"^\s*$"}
    if "anyOf" in schema:
        schema["anyOf"].append(blank)
    else:
        choice = {key: schema.pop(key) for key in ("type", "enum", "const") if key in schema}
        schema["anyOf"] = [choice, blank]


# Every filter given as a code (all but the free text `q`) also accepts a blank value.
for _field in RegistrationFilters.model_fields.values():
    if _field.annotation is not str:
        _field.json_schema_extra = _blank_means_default
RegistrationFilters.model_rebuild(force=True)


class _RegistrationRecord(BaseModel):
    """A registration as staff see it, with the secretariat's planning fields."""

    model_config = ConfigDict(from_attributes=True)

    reference: str = Field(examples=["K7MX3QPA"])
    submitted_at: dt.datetime
    updated_at: dt.datetime
    withdrawn_at: dt.datetime | None
    contact_undeliverable_at: dt.datetime | None = Field(
        default=None, description="When a mail server last refused the contact email for good.")


_READ_TYPES: dict[FieldKind, Any] = {
    "text": (str, ...),
    "phone": (str, Field(examples=["+60123456789"])),
    "code": (str, ...),
    "codes": (list[str], ...),
    "count": (int, ...),
    "flag": (bool, ...),
}


def _read_model() -> type[_RegistrationRecord]:
    """Return the read schema: the record, the answers staff see, then the planning fields."""
    answers = {field.name: _READ_TYPES[field.kind] for field in STAFF_FIELDS}
    return create_model(
        "RegistrationRead",
        __base__=_RegistrationRecord,
        __doc__=_RegistrationRecord.__doc__,
        __module__=__name__,
        **answers,
        staff_notes=(str, ...),
    )


# Built from the field declaration; a type checker sees the record it extends.
if TYPE_CHECKING:
    RegistrationRead = _RegistrationRecord
else:
    RegistrationRead = _read_model()


class RegistrationPageRead(BaseModel):
    """One page of registrations, with what is needed to fetch the next."""

    items: list[RegistrationRead]
    total: int = Field(description="Registrations matching the filters, on every page.")
    page: int
    per_page: int
    pages: int
