"""POST /api/v1/registrations: what a client sending JSON sees, and what is stored."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.main import app
from app.models import OutboxMail, Registration
from app.services.mail_content import render_mail
from app.services.references import REFERENCE_ALPHABET
from app.services.registration import store as registrations
from tests.conftest import count_rows
from tests.factories import registration_payload

URL = "/api/v1/registrations"


def test_valid_registration_is_stored_once_with_a_readable_reference(
    client: TestClient, session: Session, payload: dict[str, object]
) -> None:
    response = client.post(URL, json=payload)

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(f"[{REFERENCE_ALPHABET}]{{8}}", body["reference"])
    assert dt.datetime.fromisoformat(body["submitted_at"]).utcoffset() == dt.timedelta(hours=8)
    stored = session.scalars(select(Registration)).one()
    assert stored.reference == body["reference"]
    assert stored.contact_phone == "+60123456789"
    assert stored.pillars == ["prevention", "partnership"]
    assert stored.focus_areas == ["labour_migration"]
    assert stored.contact_email == payload["contact_email"]


def test_accepted_registration_queues_confirmation_and_notification(
    client: TestClient, session: Session, payload: dict[str, object]
) -> None:
    client.post(URL, json=payload | {"preferred_language": "en"})

    mails = session.scalars(select(OutboxMail).order_by(OutboxMail.kind)).all()
    assert [(m.kind, m.to_address, m.language) for m in mails] == [
        ("confirmation", payload["contact_email"], "en"),
        ("notification", "alliance8.7@mohr.gov.my", "en"),
    ]


def test_a_reference_already_taken_is_drawn_again(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.post(URL, json=registration_payload()).json()["reference"]
    drawn = iter([first, "ABCD2345"])
    monkeypatch.setattr(registrations, "new_reference", lambda: next(drawn))

    response = client.post(URL, json=registration_payload(organisation_name="Tenaganita"))

    assert response.status_code == 201
    assert response.json()["reference"] == "ABCD2345"
    second = session.scalars(select(Registration).where(Registration.reference == "ABCD2345")).one()
    assert second.organisation_name == "Tenaganita"
    assert second.pillars == ["prevention", "partnership"]
    mails = session.scalars(select(OutboxMail).where(OutboxMail.registration_id == second.id)).all()
    subjects = [render_mail(session=session, mail=mail).subject for mail in mails]
    assert len(subjects) == 2 and all("(ABCD2345)" in subject for subject in subjects)


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("012-345 6789", "+60123456789"),
        ("03-8886 5000", "+60388865000"),
        ("+60 12 345 6789", "+60123456789"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(
    client: TestClient, session: Session, phone: str, stored: str
) -> None:
    response = client.post(URL, json=registration_payload(contact_phone=phone))

    assert response.status_code == 201
    assert session.scalars(select(Registration.contact_phone)).one() == stored


INVALID = [
    ("organisation_name", "A", "2 to 200 characters"),
    ("organisation_name", "   ", "Enter the name of your organisation"),
    ("organisation_name", "x" * 201, "2 to 200 characters"),
    ("category", "government", "Choose one of the kinds"),
    ("address", "", "Enter your organisation's address"),
    ("postcode", "5040", "5 digits"),
    ("postcode", "ABCDE", "5 digits"),
    ("state", "singapore", "Choose one of the states"),
    ("website", "ftp://example.org", "Enter the website address in full"),
    ("website", "javascript:alert(1)", "Enter the website address in full"),
    ("contact_name", "", "Enter the contact person's name"),
    ("contact_designation", "", "designation"),
    ("contact_email", "aisyah@", "correct format"),
    ("contact_email", "not an email", "correct format"),
    ("contact_phone", "12", "Enter a telephone number"),
    ("contact_phone", "abc", "Enter a telephone number"),
    ("pillars", [], "Choose at least one pillar"),
    ("pillars", ["everything"], "Choose pillars from the list"),
    ("focus_areas", ["gardening"], "Choose focus areas from the list"),
    ("interest_statement", "", "Tell us about"),
    ("interest_statement", "x" * 2001, "2,000 characters"),
    ("workshop_attendees", 4, "from 0 to 3"),
    ("workshop_attendees", -1, "from 0 to 3"),
    ("workshop_attendees", True, "from 0 to 3"),
    ("preferred_language", "fr", "Bahasa Melayu or English"),
    ("consent_pdpa", False, "personal data notice"),
    ("organisation_name", 42, "2 to 200 characters"),
    ("pillars", "prevention,protection", "Choose pillars from the list"),
    ("organisation_name", "Tenaga\x00nita", "control characters"),
]


@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_invalid_answers_get_a_message_at_the_field_and_store_nothing(
    client: TestClient, session: Session, field: str, value: object, message: str
) -> None:
    response = client.post(URL, json=registration_payload(**{field: value}))

    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}
    assert message in errors[("body", field)]
    assert count_rows(session, "registration") == 0
    assert count_rows(session, "outbox_mail") == 0


def test_other_category_needs_a_description(client: TestClient) -> None:
    response = client.post(URL, json=registration_payload(category="other", category_other=""))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "category_other"]


def test_description_of_other_is_dropped_for_a_listed_category(
    client: TestClient, session: Session
) -> None:
    client.post(URL, json=registration_payload(category="academic", category_other="leftover"))

    assert session.scalars(select(Registration.category_other)).one() == ""


def test_postcode_abroad_may_have_letters(client: TestClient) -> None:
    response = client.post(
        URL, json=registration_payload(state="outside_malaysia", postcode="SW1A 2AA")
    )

    assert response.status_code == 201


def test_missing_fields_are_each_named(client: TestClient) -> None:
    response = client.post(URL, json={})

    assert response.status_code == 422
    fields = {e["loc"][-1] for e in response.json()["detail"]}
    assert {
        "organisation_name",
        "category",
        "address",
        "postcode",
        "state",
        "contact_name",
        "contact_email",
        "contact_phone",
        "pillars",
        "interest_statement",
        "consent_pdpa",
    } <= fields


@pytest.mark.parametrize(
    ("name", "email"),
    [
        ("Persatuan Sahabat Wanita", "aisyah@example.org.my"),
        ("  persatuan   SAHABAT wanita ", "AISYAH@Example.org.my"),
    ],
)
def test_same_organisation_and_email_is_a_conflict(
    client: TestClient, session: Session, name: str, email: str
) -> None:
    first = registration_payload(
        organisation_name="Persatuan Sahabat Wanita", contact_email="aisyah@example.org.my"
    )
    assert client.post(URL, json=first).status_code == 201

    again = client.post(URL, json=registration_payload(organisation_name=name, contact_email=email))

    assert again.status_code == 409
    assert "already registered" in again.json()["detail"]
    assert count_rows(session, "registration") == 1
    assert count_rows(session, "outbox_mail") == 2


def test_same_organisation_with_another_contact_is_accepted(client: TestClient) -> None:
    body = registration_payload()
    client.post(URL, json=body)

    response = client.post(URL, json=body | {"contact_email": "someone.else@example.org.my"})

    assert response.status_code == 201


def test_idempotency_key_retry_returns_the_first_answer(
    client: TestClient, session: Session, payload: dict[str, object]
) -> None:
    headers = {"Idempotency-Key": "4b8f6a2e-retry"}
    first = client.post(URL, json=payload, headers=headers)
    second = client.post(URL, json=payload, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert count_rows(session, "registration") == 1
    assert count_rows(session, "outbox_mail") == 2


def test_idempotency_key_reused_for_another_body_is_refused(
    client: TestClient, session: Session
) -> None:
    headers = {"Idempotency-Key": "reused-key"}
    client.post(URL, json=registration_payload(), headers=headers)

    response = client.post(URL, json=registration_payload(), headers=headers)

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert count_rows(session, "registration") == 1


def test_body_over_64_kib_is_refused_by_its_declared_length(client: TestClient) -> None:
    response = client.post(
        URL, content=b"{" + b" " * (64 * 1024) + b"}", headers={"content-type": "application/json"}
    )

    assert response.status_code == 413


def test_body_over_64_kib_is_refused_while_streaming(client: TestClient, session: Session) -> None:
    def chunks():  # no Content-Length: the body arrives chunked
        yield b'{"organisation_name": "'
        for _ in range(80):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(URL, content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413
    assert count_rows(session, "registration") == 0


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[" * 20000 + b"]" * 20000,
        b'{"a":' * 5000 + b"1" + b"}" * 5000,
        b"null",
        b'"just a string"',
        b"\xff\xfe\x00garbage",
        b"\xff\xfe\x00\xd8",
        json.dumps(registration_payload(organisation_name={"$gt": ""})).encode(),
        json.dumps(registration_payload(pillars=[["prevention"]])).encode(),
        json.dumps(registration_payload(workshop_attendees="2; DROP TABLE registration")).encode(),
        json.dumps(registration_payload(interest_statement="\u202eevil\u0000")).encode(),
    ],
)
def test_hostile_bodies_get_a_client_error_not_a_server_error(
    client: TestClient, session: Session, raw: bytes
) -> None:
    response = client.post(URL, content=raw, headers={"content-type": "application/json"})

    assert 400 <= response.status_code < 500
    assert count_rows(session, "registration") == 0


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_not_sent_as_json_is_refused_with_a_message(
    client: TestClient, session: Session, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(URL, content=json.dumps(registration_payload()), headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body"],
            "msg": "Send the registration as a JSON object with the fields listed in the API",
            "type": "invalid",
        }
    ]
    assert count_rows(session, "registration") == 0


def test_json_with_a_charset_or_a_json_suffix_is_read(client: TestClient) -> None:
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        payload = registration_payload(contact_email=f"{len(content_type)}@example.org.my")
        response = client.post(
            URL, content=json.dumps(payload), headers={"content-type": content_type}
        )

        assert response.status_code == 201, content_type


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_json_with_a_byte_order_mark_or_in_utf_16_or_32_is_read(
    client: TestClient, session: Session, encoding: str
) -> None:
    payload = registration_payload(organisation_name="Persatuan Ibu Tunggal Sabah")
    body = json.dumps(payload, ensure_ascii=False).encode(encoding)

    response = client.post(URL, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 201
    stored = session.scalars(select(Registration.organisation_name)).one()
    assert stored == "Persatuan Ibu Tunggal Sabah"


def test_an_idempotency_key_over_255_characters_is_refused(
    client: TestClient, session: Session
) -> None:
    response = client.post(URL, json=registration_payload(), headers={"Idempotency-Key": "k" * 256})
    accepted = client.post(URL, json=registration_payload(), headers={"Idempotency-Key": "k" * 255})

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"] == "Check the request and try again"
    assert accepted.status_code == 201
    assert count_rows(session, "registration") == 1


def test_a_client_gone_before_its_body_arrived_is_not_a_server_error(
    client: TestClient, session: Session
) -> None:
    messages: list[dict[str, object]] = [
        {"type": "http.request", "body": b'{"organisation_name": "Persa', "more_body": True},
        {"type": "http.disconnect"},
    ]
    statuses: list[object] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": URL, "raw_path": URL.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"500")],
    }
    asyncio.run(app(scope, receive, send))

    assert statuses == [400]
    assert count_rows(session, "registration") == 0


def test_call_describes_deadline_and_vocabulary(client: TestClient) -> None:
    call = client.get("/api/v1/call").json()

    assert call["open"] is True
    assert dt.datetime.fromisoformat(call["deadline"]) == dt.datetime(2022, 10, 21, tzinfo=MALAYSIA)
    assert call["deadline_text_ms"] == "20 Oktober 2022, 11:59 malam waktu Malaysia (UTC+8)"
    assert {c["code"] for c in call["categories"]} >= {"cso", "academic", "other"}
    assert len(call["states"]) == 17
    assert {"code": "prevention", "label_ms": "Pencegahan", "label_en": "Prevention"} in call[
        "pillars"
    ]


def test_openapi_documents_every_field_and_error(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/registrations"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    fields = schema["components"]["schemas"]["RegistrationCreate"]["properties"]

    assert operation["requestBody"]["required"] is True
    assert body == {"$ref": "#/components/schemas/RegistrationCreate"}
    assert set(fields) >= {"organisation_name", "contact_email", "pillars", "consent_pdpa"}
    assert {p["name"]: p["in"] for p in operation["parameters"]} == {"Idempotency-Key": "header"}
    assert {"201", "403", "409", "413", "422", "429"} <= set(operation["responses"])
    assert all(field.get("examples") for field in fields.values())
    assert all(field.get("description") for field in fields.values())


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_names_that_grow_when_case_folded_are_stored(client: TestClient, session: Session) -> None:
    response = client.post(URL, json=registration_payload(organisation_name="ß" * 200))

    assert response.status_code == 201
    assert session.scalars(select(Registration.organisation_key)).one() == "ss" * 200


def test_addresses_that_need_smtputf8_are_refused(client: TestClient) -> None:
    response = client.post(URL, json=registration_payload(contact_email="pengguna.ß@example.com"))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "contact_email"]


def test_a_write_lock_not_granted_in_time_is_a_503_and_stores_nothing(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.registration import writer as submissions

    def timed_out(_session: Session) -> None:
        raise TimeoutError("timed out waiting for the SQLite write lock")

    monkeypatch.setattr(submissions, "begin_write", timed_out)

    response = client.post(URL, json=registration_payload())

    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert count_rows(session, "registration") == 0
