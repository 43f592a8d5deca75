"""Error bodies, declared so the OpenAPI document lists every error a client can get."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorRead(BaseModel):
    detail: str = Field(
        examples=["This organisation has already registered with this contact email."]
    )


class FieldErrorRead(BaseModel):
    loc: list[str | int] = Field(examples=[["body", "contact_email"]])
    msg: str = Field(
        examples=["Enter an email address in the correct format, like name@example.org.my"]
    )
    type: str = Field(examples=["invalid"])


class ValidationErrorRead(BaseModel):
    detail: list[FieldErrorRead] | str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorRead,
        "description": "The body could not be read, or the address holds a NUL byte.",
    },
    401: {"model": ErrorRead, "description": "No valid staff token or session."},
    403: {"model": ErrorRead, "description": "The call has closed; nothing was stored."},
    404: {"model": ErrorRead, "description": "No such registration."},
    409: {
        "model": ErrorRead,
        "description": "This organisation already registered with this email.",
    },
    413: {"model": ErrorRead, "description": "The body is over 64 KiB."},
    422: {"model": ValidationErrorRead, "description": "Invalid input, with a message per field."},
    429: {
        "model": ErrorRead,
        "description": "Too many submissions from this client; see Retry-After.",
    },
}
