"""The floor for POST /api/v1/registrations: FastAPI, pydantic validation, one sqlite3 insert.

Run with FLOOR_SCHEMA=portal to validate with the portal's own RegistrationCreate (the same
validation work: phone numbers, email syntax, postcodes), or FLOOR_SCHEMA=plain for a plain
pydantic model of the same fields (types and lengths only).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel, Field

from app.schemas.registration import RegistrationCreate

DATABASE = os.environ.get("FLOOR_DATABASE", "/tmp/floor.sqlite3")


class PlainRegistration(BaseModel):
    organisation_name: str = Field(min_length=2, max_length=200)
    category: str = Field(max_length=32)
    category_other: str = Field(default="", max_length=200)
    registration_number: str = Field(default="", max_length=100)
    address: str = Field(max_length=500)
    postcode: str = Field(max_length=12)
    state: str = Field(max_length=32)
    website: str = Field(default="", max_length=500)
    contact_name: str = Field(max_length=200)
    contact_designation: str = Field(max_length=200)
    contact_email: str = Field(max_length=320)
    contact_phone: str = Field(max_length=30)
    pillars: list[str] = Field(min_length=1)
    focus_areas: list[str] = Field(default_factory=list)
    interest_statement: str = Field(max_length=2000)
    workshop_attendees: int = Field(ge=0, le=3)
    preferred_language: Literal["ms", "en"] = "ms"
    consent_pdpa: Literal[True]
    consent_share_partners: bool = False


Schema = (
    RegistrationCreate
    if os.environ.get("FLOOR_SCHEMA", "portal") == "portal"
    else PlainRegistration
)
_local = threading.local()


def _connection() -> sqlite3.Connection:
    if not hasattr(_local, "connection"):
        connection = sqlite3.connect(DATABASE, timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        _local.connection = connection
    return _local.connection  # type: ignore[no-any-return]


with sqlite3.connect(DATABASE) as setup:
    setup.execute(
        "CREATE TABLE IF NOT EXISTS registration (id INTEGER PRIMARY KEY, reference TEXT UNIQUE, "
        "organisation_name TEXT, contact_email TEXT, body TEXT)"
    )

app = FastAPI()


@app.post("/api/v1/registrations", status_code=201)
def create(data: Schema) -> dict[str, str]:  # type: ignore[valid-type]
    reference = secrets.token_hex(4).upper()
    _connection().execute(
        "INSERT INTO registration (reference, organisation_name, contact_email, body) "
        "VALUES (?, ?, ?, ?)",
        (reference, data.organisation_name, data.contact_email, data.model_dump_json()),
    )
    return {"reference": reference}
