"""Demo data a person would believe: it passes the portal's own validators."""

from __future__ import annotations

import datetime as dt
import random

from app.schemas.registration import RegistrationCreate
from app.services.demo import demo_registrations

FIELDS = [
    "organisation_name", "category", "category_other", "registration_number", "address",
    "postcode", "state", "website", "contact_name", "contact_designation", "contact_email",
    "contact_phone", "interest_statement", "workshop_attendees", "preferred_language",
    "consent_pdpa", "consent_share_partners",
]


def test_every_demo_registration_passes_the_form_s_validation() -> None:
    rows = list(demo_registrations(300, rng=random.Random(87),  # noqa: S311
                                   now=dt.datetime(2022, 10, 19, tzinfo=dt.UTC), taken=set()))
    states, phones = set(), set()
    for row, pillars, focus_areas in rows:
        payload = {name: row[name] for name in FIELDS}
        checked = RegistrationCreate.model_validate(
            {**payload, "pillars": pillars, "focus_areas": focus_areas})
        assert checked.contact_phone == row["contact_phone"]  # stored as the form stores it
        assert checked.postcode == row["postcode"] and checked.state == row["state"]
        states.add(row["state"])
        phones.add(row["contact_phone"][:4])
    assert len(states) == 17  # every state, and abroad
    assert {"+601", "+603", "+608"} <= phones  # mobiles, Klang Valley and Borneo lines
