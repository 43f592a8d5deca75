"""A line break or a control character is refused, at its field, in every one-line answer.

Titles, venues, names, designations and subjects reach mail headers, file names and
generated files; a line break there adds a header of the writer's choosing (issue 29: a
workshop titled "Bengkel A\\r\\nBcc: evil@attacker.test"). Answers that are several lines
by nature keep their line breaks.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Registration, Workshop
from app.schemas.one_line import ONE_LINE_MESSAGE, is_one_line
from app.services.announcement_texts import AnnouncementInvalid, clean_texts
from app.services.private_links import form_guard
from tests.day_helpers import accepted
from tests.factories import registration_payload
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import (
    api_token,
    create_workshop,
    invitation_of,
    invited,
    stored_workshop,
    workshop_payload,
)

pytestmark = pytest.mark.usefixtures("staff_ready")

BCC = "Bengkel A\r\nBcc: evil@attacker.test"
REPLY_TO = "Bengkel C\r\nReply-To : evil@attacker.test"
MALAY_MESSAGE = ("Tulis jawapan ini dalam satu baris, tanpa pemisah baris atau aksara kawalan "
                 "yang tidak kelihatan")
BREAKS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1b", "\x9b",
          "\t"]


def field_error(html: str, name: str) -> str:
    found = re.search(rf'id="{re.escape(name)}-error">(.*?)</p>', html, re.S)
    assert found is not None, f"no error at {name}"
    return found.group(1)


@pytest.mark.parametrize("breaking", BREAKS)
def test_the_rule_refuses_every_line_break_and_control_character(breaking: str) -> None:
    assert not is_one_line(f"Bengkel{breaking}Bcc: x@y.test")
    assert is_one_line("Bengkel perancangan strategik — Pulau Pinang, 15/11 (café)")


@pytest.mark.parametrize(("field", "title"), [("title_ms", BCC), ("title_en", REPLY_TO),
                                              ("venue", REPLY_TO), ("online_url", BCC)])
def test_the_api_refuses_a_workshop_whose_one_line_fields_break(
    client: TestClient, session: Session, field: str, title: str
) -> None:
    headers = api_token(session)

    response = client.post("/api/v1/workshops", json=workshop_payload(**{field: title}),
                           headers=headers)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert error["msg"] == ONE_LINE_MESSAGE
    assert session.scalar(select(func.count()).select_from(Workshop)) == 0


def test_the_api_refuses_a_change_that_breaks_a_title(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    workshop_id = create_workshop(client, headers)

    response = client.patch(f"/api/v1/workshops/{workshop_id}", json={"title_en": REPLY_TO},
                            headers=headers)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title_en"]
    session.expire_all()
    workshop = session.get(Workshop, workshop_id)
    assert workshop is not None and workshop.title_en == "Strategic planning workshop"


@pytest.mark.parametrize(("language", "message"), [("en", ONE_LINE_MESSAGE),
                                                   ("ms", MALAY_MESSAGE)])
def test_the_workshop_form_says_so_at_the_field_and_keeps_what_was_typed(
    client: TestClient, session: Session, language: str, message: str
) -> None:
    csrf = sign_in(client, staff_user(session, role="admin"))
    form = {"csrf_token": csrf, "title_ms": BCC, "title_en": REPLY_TO,
            "starts_at": "2022-11-15T09:00", "ends_at": "2022-11-15T17:00",
            "venue": "Dewan Besar, Putrajaya", "online_url": "",
            "replies_close_at": "2022-11-08T17:00", "capacity": "10",
            "max_representatives": "3"}

    response = client.post(f"/staff/workshops/new?lang={language}", data=form)

    assert response.status_code == 422
    assert message in field_error(response.text, "title_ms")
    assert message in field_error(response.text, "title_en")
    assert 'id="venue-error"' not in response.text
    assert f'value="{BCC}"' in response.text
    assert 'value="Dewan Besar, Putrajaya"' in response.text
    assert session.scalar(select(func.count()).select_from(Workshop)) == 0


@pytest.mark.parametrize("field", ["organisation_name", "contact_name", "contact_designation",
                                   "registration_number"])
@pytest.mark.parametrize("breaking", ["\r\nBcc: evil@attacker.test", "\u2028x", "\u0085x"])
def test_a_registrants_one_line_answers_are_refused_with_a_line_break(
    client: TestClient, field: str, breaking: str
) -> None:
    response = client.post("/api/v1/registrations",
                           json=registration_payload(**{field: f"ACME{breaking}"}))

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", field], "msg": ONE_LINE_MESSAGE, "type": "invalid"}]


def test_answers_of_several_lines_keep_their_line_breaks(
    client: TestClient, session: Session
) -> None:
    response = client.post("/api/v1/registrations", json=registration_payload(
        organisation_name="  ACME Berhad \r\n", address="No. 1\nJalan Ampang\nKuala Lumpur",
        interest_statement="Satu.\n\nDua."))

    assert response.status_code == 201, response.text
    stored = session.scalars(select(Registration)).one()
    assert stored.organisation_name == "ACME Berhad"  # a trailing line break is trimmed
    assert stored.address == "No. 1\nJalan Ampang\nKuala Lumpur"
    assert stored.interest_statement == "Satu.\n\nDua."


def test_the_registration_form_says_so_at_the_field_in_malay(client: TestClient) -> None:
    from tests.factories import form_fields

    response = client.post("/", data=form_fields(contact_name="Ali\r\nBcc: x@y.test"))

    assert response.status_code == 422
    assert MALAY_MESSAGE in field_error(response.text, "contact_name")


def test_a_representatives_name_is_refused_at_its_field_and_needs_keep_their_lines(
    client: TestClient, session: Session
) -> None:
    reply = invited(client, session, preferred_language="en")
    form = {"guard": form_guard(reply.token), "answer": "accept",
            "representatives-0-full_name": "Siti\r\nBcc: evil@attacker.test",
            "representatives-0-designation": "Pegawai",
            "representatives-0-email": "siti@example.org.my",
            "representatives-0-needs": "Halal\nKerusi roda"}

    refused = client.post(reply.path, data=form)
    accepted_reply = client.post(reply.path, data={
        **form, "representatives-0-full_name": "Siti Aminah"})

    assert refused.status_code == 422
    assert ONE_LINE_MESSAGE in field_error(refused.text, "representatives-0-full_name")
    assert accepted_reply.status_code == 200
    invitation = invitation_of(session, reply.registration, reply.workshop_id)
    assert invitation.representatives[0].needs == "Halal\nKerusi roda"


@pytest.mark.parametrize("breaking", ["\r\n", "\u0085", "\u2028"])
def test_an_announcement_subject_must_be_one_line(breaking: str) -> None:
    with pytest.raises(AnnouncementInvalid) as refused:
        clean_texts(subject_ms=f"Makluman{breaking}Bcc: x@y.test", body_ms="Isi\n\nPerenggan",
                    subject_en="Notice", body_en="Body\n\nParagraph")

    assert set(refused.value.problems) == {"subject_ms"}


def test_a_working_groups_name_must_be_one_line(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, staff_user(session, role="admin"))
    workshop_id = stored_workshop(session, capacity=5)

    response = client.post(f"/staff/workshops/{workshop_id}/groups/add", data={
        "csrf_token": csrf, "name_ms": "Kumpulan\r\nA", "name_en": "Group A"},
        follow_redirects=False)
    page = client.get(response.headers["location"] + "&lang=en")

    assert ONE_LINE_MESSAGE in page.text
    assert "Kumpulan" not in page.text


def test_a_walk_ins_name_must_be_one_line(client: TestClient, session: Session) -> None:
    csrf = sign_in(client, staff_user(session, role="viewer"))
    workshop_id = stored_workshop(session, capacity=5)
    registered = registration(session)
    accepted(session, workshop_id, registered, "Siti Aminah")

    response = client.post(f"/staff/workshops/{workshop_id}/walk-in?lang=en", data={
        "csrf_token": csrf, "reference": registered.reference,
        "full_name": "Ravi\r\nBcc: evil@attacker.test", "designation": "Pegawai"})

    assert response.status_code == 422
    assert ONE_LINE_MESSAGE in response.text
