"""Small keyword-default factories."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.schemas.registration import RegistrationCreate
from app.services.registration.receipt import Accepted
from app.services.registration.writer import RegistrationWriter, Submission

_numbers = itertools.count(1)
# Before the Ministry's deadline (20 October 2022).
IN_TIME = dt.datetime(2022, 10, 15, 2, 0, tzinfo=dt.UTC)


def registration_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid registration body; each call names a different organisation."""
    number = next(_numbers)
    body: dict[str, Any] = {
        "organisation_name": f"Persatuan Sahabat Wanita {number}",
        "category": "cso",
        "category_other": "",
        "registration_number": "PPM-001-10-12345678",
        "address": "No. 12, Jalan Tun Razak\nKuala Lumpur",
        "postcode": "50400",
        "state": "wp_kuala_lumpur",
        "website": "https://www.example.org.my",
        "contact_name": "Nur Aisyah binti Ahmad",
        "contact_designation": "Pengurus Program",
        "contact_email": f"aisyah{number}@example.org.my",
        "contact_phone": "012-345 6789",
        "pillars": ["prevention", "partnership"],
        "focus_areas": ["labour_migration"],
        "interest_statement": "Kami membantu pekerja migran yang menjadi mangsa buruh paksa.",
        "workshop_attendees": 2,
        "preferred_language": "ms",
        "consent_pdpa": True,
        "consent_share_partners": False,
    }
    body.update(overrides)
    return body


def form_fields(**overrides: Any) -> dict[str, Any]:
    """Return the registration as the HTML form posts it (strings and repeated fields).

    It carries a valid form token, as the page would give it.
    """
    from app.core.csrf import new_form_token

    body = registration_payload(**overrides)
    fields: dict[str, Any] = {"form_token": new_form_token("registration")}
    for name, value in body.items():
        if isinstance(value, bool):
            if value:
                fields[name] = "true"
        elif isinstance(value, int):
            fields[name] = str(value)
        else:
            fields[name] = value
    return fields


def store_registrations(engine: Engine, count: int) -> list[str]:
    """Store `count` registrations by the portal's own group commit, with their mail queued
    (a confirmation and a notification each); return their references."""
    writer = RegistrationWriter(lambda: Session(engine, expire_on_commit=False))
    outcomes = writer.store_batch([
        Submission.of(RegistrationCreate.model_validate(registration_payload()), now=IN_TIME,
                      idempotency_key=None, request_fingerprint="-")
        for _ in range(count)
    ])
    assert all(isinstance(outcome, Accepted) for outcome in outcomes), outcomes
    return [outcome.receipt.reference for outcome in outcomes]  # type: ignore[union-attr]
