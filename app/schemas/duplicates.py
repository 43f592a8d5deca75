"""The staff API's likely duplicates (SPEC 9.2): pairs, merging and dismissing."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Reference = Annotated[str, Field(min_length=1, max_length=40, examples=["7KQ2M9XD"])]


class DuplicatePairRead(BaseModel):
    """Two registrations that may be one organisation, the earlier first, and why."""

    references: list[str] = Field(examples=[["7KQ2M9XD", "P3WD8T6A"]])
    reasons: list[str] = Field(
        description="similar_names, acronym, same_registration_number, same_email_domain",
        examples=[["similar_names", "same_email_domain"]])


class MergeCreate(BaseModel):
    """Merge the registration in the path (the later one) into this one, which is kept."""

    model_config = ConfigDict(extra="forbid")
    into: Reference


class MergeRead(BaseModel):
    """What the merge did."""

    reference: str
    into: str
    moved_invitations: list[int]
    cancelled_invitations: list[int]
    rule: str


class DismissCreate(BaseModel):
    """Two registrations that are not the same organisation."""

    model_config = ConfigDict(extra="forbid")
    references: Annotated[list[Reference], Field(min_length=2, max_length=2)]


class DismissRead(BaseModel):
    """The pair dismissed; it is not listed again."""

    references: list[str]
    dismissed: bool = True
