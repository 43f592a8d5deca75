"""Workshops, invitations and attendees as the staff API reads and writes them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from app.schemas.one_line import OneLine
from app.schemas.staff import RegistrationFilters
from app.vocab import InvitationStatus


def _not_true_or_false(value: object) -> object:
    # JSON true and false would otherwise be read as 1 and 0 seats.
    if isinstance(value, bool):
        raise ValueError("Give a whole number, not true or false")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_true_or_false)]


def _written_out(value: object) -> object:
    # A number would otherwise be read as seconds since 1970.
    if not isinstance(value, str | dt.datetime):
        raise ValueError("Give the date and time as text, like 2022-11-15T09:00:00+08:00")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_written_out)]



class WorkshopCreate(BaseModel):
    """A new workshop; times need a UTC offset (people give them in Malaysian time)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title_ms: OneLine = Field(min_length=1, max_length=200,
                              examples=["Bengkel perancangan strategik"])
    title_en: OneLine = Field(min_length=1, max_length=200,
                              examples=["Strategic planning workshop"])
    starts_at: Moment = Field(examples=["2022-11-15T09:00:00+08:00"])
    ends_at: Moment = Field(examples=["2022-11-15T17:00:00+08:00"])
    venue: OneLine = Field(min_length=1, max_length=500)
    online_url: OneLine = Field(default="", max_length=500)
    replies_close_at: Moment = Field(examples=["2022-11-08T17:00:00+08:00"])
    capacity: WholeNumber = Field(ge=0, le=100_000)
    max_representatives: WholeNumber = Field(default=3, ge=1, le=20)


class WorkshopPatch(BaseModel):
    """Changes to a workshop's details; only the fields sent change."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title_ms: OneLine | None = Field(default=None, min_length=1, max_length=200)
    title_en: OneLine | None = Field(default=None, min_length=1, max_length=200)
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    venue: OneLine | None = Field(default=None, min_length=1, max_length=500)
    online_url: OneLine | None = Field(default=None, max_length=500)
    replies_close_at: Moment | None = None
    capacity: WholeNumber | None = Field(default=None, ge=0, le=100_000)
    max_representatives: WholeNumber | None = Field(default=None, ge=1, le=20)


class WorkshopRead(BaseModel):
    """A workshop with its seats counted in representatives."""

    id: int
    title_ms: str
    title_en: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: str
    online_url: str
    replies_close_at: dt.datetime
    capacity: int
    max_representatives: int
    accepted: int = Field(description="Representatives named by organisations that accepted.")
    waiting: int = Field(description="Representatives named by organisations on the waiting list.")
    offered: int = Field(description="Seats offered to the waiting list and held for them.")
    invited: int = Field(description="Representatives expected (from their registration) "
                         "from organisations that have not answered.")
    declined: int = Field(description="Representatives expected from organisations that declined.")


class InvitationFilters(RegistrationFilters):
    """The registrant list's filters; a name the list does not know is refused, not ignored.

    A misspelt filter that was ignored would invite, and mail, every registrant.
    """

    model_config = ConfigDict(extra="forbid")


class InvitationsCreate(BaseModel):
    """Whom to invite: a list of references, or the registrant list's filters."""

    model_config = ConfigDict(extra="forbid")

    references: list[str] | None = Field(default=None, max_length=10_000)
    filters: InvitationFilters | None = None

    @model_validator(mode="after")
    def _one_of_them(self) -> InvitationsCreate:
        if (self.references is None) == (self.filters is None):
            raise ValueError("send either references or filters")
        return self


class InvitationsCreated(BaseModel):
    invited: int
    already_invited: int
    unknown_references: list[str] = Field(default_factory=list)


class RepresentativeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    designation: str
    email: str
    phone: str
    needs: str


class InvitationRead(BaseModel):
    id: int
    reference: str
    organisation_name: str
    status: InvitationStatus
    replied_at: dt.datetime | None
    reply_channel: str
    offer_expires_at: dt.datetime | None
    representatives: list[RepresentativeRead]


class AttendeeRead(BaseModel):
    """One accepted representative."""

    id: int
    reference: str
    organisation_name: str
    full_name: str
    designation: str
    email: str
    group: str | None = None
    checked_in_at: dt.datetime | None = None


class CheckInRead(BaseModel):
    """When the attendee was first checked in."""

    checked_in_at: dt.datetime
