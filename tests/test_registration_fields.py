"""Each registration field is declared once, and every place that shows it follows it."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.i18n import gettext
from app.schemas.registration import RegistrationCreate, field_errors
from app.schemas.registration_fields import CORRECTABLE_FIELDS, FIELDS, STAFF_FIELDS
from app.services import staff_auth
from app.vocab import (
    CATEGORIES,
    FOCUS_AREAS,
    LANGUAGE_NAMES,
    PILLARS,
    STATES,
    Category,
    FocusArea,
    Language,
    Pillar,
    State,
)
from tests.factories import form_fields, registration_payload
from tests.staff_helpers import SETUP, registration, sign_in, staff_user

pytestmark = pytest.mark.usefixtures("staff_ready")

RECORD = ["reference", "submitted_at", "updated_at", "withdrawn_at"]
PLANNING = ["invitation_status", "staff_notes"]


def test_the_code_types_list_the_vocabulary_codes_in_order() -> None:
    for code_type, terms in ((Category, CATEGORIES), (State, STATES), (Pillar, PILLARS),
                             (FocusArea, FOCUS_AREAS), (Language, LANGUAGE_NAMES)):
        assert get_args(code_type) == tuple(term.code for term in terms)


def test_the_api_schema_and_the_declaration_hold_the_same_fields() -> None:
    assert set(RegistrationCreate.model_fields) == {field.name for field in FIELDS}


@pytest.mark.parametrize("field", [field for field in FIELDS if field.max_length],
                         ids=lambda field: field.name)
def test_an_answer_too_long_is_refused_with_its_declared_message(field) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError) as refused:
        RegistrationCreate.model_validate(
            registration_payload(category="other", **{field.name: "x" * (field.max_length + 1)}))

    assert field_errors(refused.value.errors())[field.name] == field.messages["invalid"]


def test_the_form_error_summary_follows_the_declared_order(client: TestClient) -> None:
    blank = {field.name: "" for field in FIELDS}
    page = client.post("/", data=form_fields(**blank))

    summary = page.text[page.text.index("error-summary"):]
    shown = [field.name for field in FIELDS if f'href="#{field.name}' in summary]
    positions = [summary.index(f'href="#{name}') for name in shown]
    assert len(shown) >= 5
    assert positions == sorted(positions)


def test_consent_to_the_notice_cannot_be_taken_back_through_the_private_link() -> None:
    assert "consent_pdpa" not in CORRECTABLE_FIELDS
    assert "consent_share_partners" in CORRECTABLE_FIELDS


def test_staff_read_each_declared_field_in_the_api(
    client: TestClient, session: Session
) -> None:
    stored = registration(session, organisation_name="Tenaganita Selangor")
    user = staff_user(session, role="viewer")
    token, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
                                       actor=SETUP)
    session.commit()

    body = client.get(f"/api/v1/registrations/{stored.reference}",
                      headers={"Authorization": f"Bearer {token}"}).json()

    assert list(body) == RECORD + [field.name for field in STAFF_FIELDS] + PLANNING
    assert body["organisation_name"] == "Tenaganita Selangor"
    assert "consent_pdpa" not in body


def test_each_declared_field_has_its_own_column_in_the_export(
    client: TestClient, session: Session
) -> None:
    registration(session, organisation_name="Tenaganita Selangor", state="sabah",
                 postcode="88000", registration_number="PPM-9", website="tenaganita.example.my",
                 contact_phone="03-8886 5000", pillars=["protection"],
                 focus_areas=["child_labour"], workshop_attendees=3, preferred_language="en",
                 consent_share_partners=True)
    sign_in(client, staff_user(session, role="viewer"))

    body = client.get("/staff/exports/registrations.csv", params={"lang": "en"}).content
    header, row = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    cells = dict(zip(header, row, strict=True))

    declared = [gettext("en", field.header) for field in STAFF_FIELDS]
    assert header[2:-3] == declared
    assert cells["Organisation"] == "Tenaganita Selangor"
    assert cells["Registration number"] == "PPM-9"
    assert cells["Postcode"] == "88000"
    assert cells["State"] == "Sabah"
    assert cells["Website"] == "https://tenaganita.example.my"
    assert cells["Telephone"] == "03-8886 5000"
    assert cells["Pillars"] == "Protection"
    assert cells["Focus areas"] == "Child Labour"
    assert cells["Workshop representatives"] == "3"
    assert cells["Preferred language"] == "English"
    assert cells["May share with partners"] == "Yes"
    assert cells["Invitation status"] == "Not invited"
