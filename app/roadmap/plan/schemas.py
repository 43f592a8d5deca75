"""Outcomes and commitments as the staff API and the spreadsheet read and write them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.core.i18n import N_
from app.schemas.errors import FieldErrorRead
from app.vocab import Pillar

# Single-line texts take no control character at all; a description keeps tabs and breaks.
_CONTROL_SINGLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTI = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Direction overrides can make text display in another order than it is stored.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Outcome numbers and commitment codes are dotted numbers: 1.1, 1.1.3.
DOTTED_NUMBER = r"^[0-9]{1,3}(\.[0-9]{1,3}){0,4}$"
REFERENCE = re.compile(r"^[A-Z0-9]{8}$")

CONTROL_MESSAGE = N_("Remove the invisible control characters from this text")
NUMBER_MESSAGE = N_("Give a number made of digits and dots, like 1.1 or 1.1.3")
REFERENCE_MESSAGE = N_("Give a registration's reference: 8 letters and digits")
LEAD_MESSAGE = N_("Give the lead's reference or the name of a body that never registered, not both")
DATES_MESSAGE = N_("The end date cannot be before the start date")
YEAR_MESSAGE = N_("Give a year from 2000 to 2100")
WEIGHT_MESSAGE = N_("Give a whole number from 1 to 100")
DATE_MESSAGE = N_("Give a date like 2023-01-31")
REQUIRED_MESSAGE = N_("Fill this in")
TOO_LONG_MESSAGE = N_("This is too long")
INVALID_MESSAGE = N_("Check this value")
PILLAR_MESSAGE = N_("Give one of the pillar codes: prevention, protection, "
                    "prosecution_enforcement, partnership")


def _text(value: Any, *, multiline: bool) -> Any:
    if not isinstance(value, str):
        return value
    if (_CONTROL_MULTI if multiline else _CONTROL_SINGLE).search(value):
        raise PydanticCustomError("control_character", CONTROL_MESSAGE)
    text = _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", value)).strip()
    return text if multiline else " ".join(text.split())


def _single_line(value: Any) -> Any:
    return _text(value, multiline=False)


def _multiline(value: Any) -> Any:
    return _text(value, multiline=True)


def _not_true_or_false(value: object) -> object:
    # JSON true and false would otherwise be read as 1 and 0.
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", WEIGHT_MESSAGE)
    return value


def _written_date(value: object) -> object:
    # A number would otherwise be read as seconds since 1970.
    if not isinstance(value, str | dt.date):
        raise PydanticCustomError("date_type", DATE_MESSAGE)
    return value


def _dotted(value: str) -> str:
    if not re.match(DOTTED_NUMBER, value):
        raise PydanticCustomError("number_format", NUMBER_MESSAGE)
    return value


def _reference(value: str) -> str:
    value = value.upper()
    if not REFERENCE.match(value):
        raise PydanticCustomError("reference_format", REFERENCE_MESSAGE)
    return value


Line = Annotated[str, BeforeValidator(_single_line)]
Paragraphs = Annotated[str, BeforeValidator(_multiline)]
DottedNumber = Annotated[Line, AfterValidator(_dotted)]
Reference = Annotated[Line, AfterValidator(_reference)]
Year = Annotated[int, BeforeValidator(_not_true_or_false), Field(ge=2000, le=2100)]
Weight = Annotated[int, BeforeValidator(_not_true_or_false), Field(ge=1, le=100)]
Day = Annotated[dt.date, BeforeValidator(_written_date)]


class OutcomeCreate(BaseModel):
    """A new outcome: its number, pillar, title and indicator, baseline and target."""

    model_config = ConfigDict(extra="forbid")

    number: DottedNumber = Field(max_length=16, examples=["1.1"])
    pillar: Pillar
    title_ms: Line = Field(min_length=1, max_length=300)
    title_en: Line = Field(min_length=1, max_length=300)
    indicator_ms: Line = Field(min_length=1, max_length=500)
    indicator_en: Line = Field(min_length=1, max_length=500)
    baseline: Line = Field(default="", max_length=100, examples=["12"])
    baseline_year: Year | None = Field(default=None, examples=[2021])
    target: Line = Field(default="", max_length=100, examples=["50"])
    target_year: Year | None = Field(default=None, examples=[2025])


class OutcomePatch(BaseModel):
    """Changes to an outcome; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    number: DottedNumber | None = Field(default=None, max_length=16)
    pillar: Pillar | None = None
    title_ms: Line | None = Field(default=None, min_length=1, max_length=300)
    title_en: Line | None = Field(default=None, min_length=1, max_length=300)
    indicator_ms: Line | None = Field(default=None, min_length=1, max_length=500)
    indicator_en: Line | None = Field(default=None, min_length=1, max_length=500)
    baseline: Line | None = Field(default=None, max_length=100)
    baseline_year: Year | None = None
    target: Line | None = Field(default=None, max_length=100)
    target_year: Year | None = None


class OutcomeRead(OutcomeCreate):
    id: int


class LeadRef(BaseModel):
    """A commitment's lead: a registration's reference, or the name of a body."""

    model_config = ConfigDict(extra="forbid")

    reference: Reference | None = Field(default=None, examples=["K7M2Q9TX"])
    name: Line | None = Field(default=None, max_length=200,
                              examples=["Jabatan Tenaga Kerja Semenanjung Malaysia"])

    @model_validator(mode="after")
    def _exactly_one(self) -> LeadRef:
        if self.name == "":
            self.name = None
        if (self.reference is None) == (self.name is None):
            raise PydanticCustomError("lead", LEAD_MESSAGE)
        return self


class CommitmentCreate(BaseModel):
    """A new commitment under an outcome, with its lead, partners, dates and weight."""

    model_config = ConfigDict(extra="forbid")

    code: DottedNumber = Field(max_length=20, examples=["1.1.3"])
    outcome: DottedNumber = Field(max_length=16, examples=["1.1"])
    title_ms: Line = Field(min_length=1, max_length=300)
    title_en: Line = Field(min_length=1, max_length=300)
    description_ms: Paragraphs = Field(default="", max_length=5000)
    description_en: Paragraphs = Field(default="", max_length=5000)
    lead: LeadRef
    partners: list[Reference] = Field(default_factory=list, max_length=50)
    starts_on: Day = Field(examples=["2023-01-01"])
    ends_on: Day = Field(examples=["2025-12-31"])
    weight: Weight = 1

    @model_validator(mode="after")
    def _ends_after_start(self) -> CommitmentCreate:
        if self.ends_on < self.starts_on:
            raise PydanticCustomError("dates", DATES_MESSAGE)
        return self


class CommitmentPatch(BaseModel):
    """Changes to a commitment; only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    code: DottedNumber | None = Field(default=None, max_length=20)
    outcome: DottedNumber | None = Field(default=None, max_length=16)
    title_ms: Line | None = Field(default=None, min_length=1, max_length=300)
    title_en: Line | None = Field(default=None, min_length=1, max_length=300)
    description_ms: Paragraphs | None = Field(default=None, max_length=5000)
    description_en: Paragraphs | None = Field(default=None, max_length=5000)
    lead: LeadRef | None = None
    partners: list[Reference] | None = Field(default=None, max_length=50)
    starts_on: Day | None = None
    ends_on: Day | None = None
    weight: Weight | None = None


class CommitmentRead(CommitmentCreate):
    id: int


class ImportCounts(BaseModel):
    """What an import did: commitments created, updated, and left as they were."""

    created: int
    updated: int
    unchanged: int


class ImportProblemRead(BaseModel):
    """One bad cell of an import: its row (the header is row 1; 0 is the file), column, why."""

    row: int = Field(examples=[4])
    column: str = Field(examples=["outcome"])
    msg: str = Field(examples=["No outcome has the number 9.9"])


class ImportRefusedRead(BaseModel):
    """An import refused: every bad row and column (or, with no file sent, the missing field
    as any other request says it); nothing was changed."""

    detail: list[ImportProblemRead | FieldErrorRead]


_MESSAGES_BY_TYPE = {
    "missing": REQUIRED_MESSAGE,
    "string_too_short": REQUIRED_MESSAGE,
    "string_too_long": TOO_LONG_MESSAGE,
    "too_long": TOO_LONG_MESSAGE,
    "date_from_datetime_parsing": DATE_MESSAGE,
    "date_parsing": DATE_MESSAGE,
    "date_type": DATE_MESSAGE,
    "literal_error": PILLAR_MESSAGE,
}


def error_message(error: Any) -> str:
    """Return a person's message (in English, translatable) for one of pydantic's errors."""
    kind = str(error.get("type", ""))
    location = error.get("loc", ())
    if kind in _MESSAGES_BY_TYPE:
        return _MESSAGES_BY_TYPE[kind]
    if location and str(location[-1]).endswith("_year"):
        return YEAR_MESSAGE
    if location and location[-1] == "weight":
        return WEIGHT_MESSAGE
    if "ctx" not in error or kind in ("control_character", "number_format", "reference_format",
                                      "lead", "dates", "date_type", "int_type"):
        return str(error.get("msg") or INVALID_MESSAGE)
    return INVALID_MESSAGE
