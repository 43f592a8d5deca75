"""The registrant's private link: view, correct and withdraw until the deadline, read-only after."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.models import OutboxMail, Registration, RegistrationEvent
from app.services.mail_content import render_mail
from app.services.private_links import form_guard
from app.services.registration import resend
from tests.conftest import Clock
from tests.factories import registration_payload

URL = "/api/v1/registrations"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/manage/([A-Za-z0-9_.-]+))")


def _register(client: TestClient, **overrides: object) -> dict[str, object]:
    body = registration_payload(**overrides)
    response = client.post(URL, json=body)
    assert response.status_code == 201, response.text
    return body | response.json()


def _link(session: Session, reference: str) -> tuple[str, str]:
    """Return the private link's path and token, read from the confirmation as it is sent."""
    session.expire_all()
    mail = session.scalars(
        select(OutboxMail).join(Registration, OutboxMail.registration_id == Registration.id)
        .where(Registration.reference == reference, OutboxMail.kind == "confirmation")
        .order_by(OutboxMail.id.desc()).limit(1)
    ).one()
    found = LINK.search(render_mail(session=session, mail=mail).body_text)
    assert found is not None
    return found.group(1), found.group(2)


def _registration(session: Session, reference: object) -> Registration:
    session.expire_all()
    return session.scalars(select(Registration).where(Registration.reference == reference)).one()


def _events(session: Session, registration: Registration) -> list[RegistrationEvent]:
    return list(session.scalars(
        select(RegistrationEvent).where(RegistrationEvent.registration_id == registration.id)
        .order_by(RegistrationEvent.id)
    ))


def _edit_fields(registration: Registration, token: str, **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "guard": form_guard(token),
        "organisation_name": registration.organisation_name, "category": registration.category,
        "category_other": registration.category_other,
        "registration_number": registration.registration_number,
        "address": registration.address, "postcode": registration.postcode,
        "state": registration.state, "website": registration.website,
        "contact_name": registration.contact_name,
        "contact_designation": registration.contact_designation,
        "contact_email": registration.contact_email, "contact_phone": registration.contact_phone,
        "pillars": registration.pillars, "focus_areas": registration.focus_areas,
        "interest_statement": registration.interest_statement,
        "workshop_attendees": str(registration.workshop_attendees),
        "preferred_language": registration.preferred_language,
    }
    fields.update(changes)
    return fields


def test_the_link_shows_the_registration_in_the_registrants_language(
    client: TestClient, session: Session
) -> None:
    body = _register(client, preferred_language="en")
    path, _token = _link(session, str(body["reference"]))

    page = client.get(path)

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert str(body["reference"]) in page.text
    assert str(body["organisation_name"]) in page.text
    assert "You can correct or withdraw this registration until" in page.text
    assert "20 October 2022, 11:59 pm Malaysia time" in page.text
    assert f'href="{path}/edit"' in page.text and f'href="{path}/withdraw"' in page.text
    assert page.headers["cache-control"] == "no-store"
    malay = client.get(path, params={"lang": "ms"})
    assert "Pendaftaran anda" in malay.text


def test_the_database_holds_no_usable_link(client: TestClient, session: Session) -> None:
    body = _register(client)
    _path, token = _link(session, str(body["reference"]))

    registration = _registration(session, body["reference"])
    mails = session.scalars(select(OutboxMail).where(
        OutboxMail.registration_id == registration.id)).all()

    signature = token.partition(".")[2]
    assert len(signature) >= 40
    stored = " ".join(str(getattr(row, column.key)) for row in [registration, *mails]
                      for column in type(row).__table__.columns)
    assert signature not in stored
    assert registration.manage_token_hash is None


def test_an_unknown_token_is_not_found(client: TestClient) -> None:
    for path in ("/manage/" + "A" * 43, "/manage/short", "/manage/" + "B" * 43 + "/edit"):
        page = client.get(path)
        assert page.status_code == 404
        assert "Pautan ini tidak sah" in page.text or "This link does not work" in page.text
    assert client.post("/manage/" + "A" * 43 + "/withdraw", data={"guard": "x"}).status_code == 404


def test_a_correction_is_checked_saved_and_recorded(client: TestClient, session: Session) -> None:
    body = _register(client)
    path, token = _link(session, str(body["reference"]))
    registration = _registration(session, body["reference"])
    form = client.get(path + "/edit")
    assert form.status_code == 200
    assert f'value="{body["organisation_name"]}"' in form.text

    response = client.post(path + "/edit", follow_redirects=False, data=_edit_fields(
        registration, token, organisation_name="Persatuan Sahabat Wanita Selangor (PSWS)",
        contact_phone="03-8886 5000", pillars=["protection"], workshop_attendees="3"))

    assert response.status_code == 303
    shown = client.get(response.headers["location"])
    assert "Pembetulan anda telah disimpan." in shown.text
    assert "Persatuan Sahabat Wanita Selangor (PSWS)" in shown.text
    registration = _registration(session, body["reference"])
    assert registration.organisation_name == "Persatuan Sahabat Wanita Selangor (PSWS)"
    assert registration.organisation_key == "persatuan sahabat wanita selangor (psws)"
    assert registration.contact_phone == "+60388865000"
    assert registration.pillars == ["protection"]
    assert registration.workshop_attendees == 3
    [submitted, corrected] = _events(session, registration)
    assert (submitted.action, corrected.action, corrected.actor) == (
        "submitted", "corrected", "registrant")
    assert corrected.detail == "organisation_name, contact_phone, pillars, workshop_attendees"
    assert "8886" not in corrected.detail


def test_a_correction_is_checked_like_a_new_registration(
    client: TestClient, session: Session
) -> None:
    body = _register(client)
    path, token = _link(session, str(body["reference"]))
    registration = _registration(session, body["reference"])

    response = client.post(path + "/edit", data=_edit_fields(
        registration, token, postcode="123", pillars=[], contact_email="aisyah@"))

    assert response.status_code == 422
    assert "Masukkan poskod 5 digit, seperti 62530" in response.text
    assert 'value="aisyah@"' in response.text
    assert re.search(r'href="#postcode"', response.text)
    assert _registration(session, body["reference"]).postcode == body["postcode"]
    assert [e.action for e in _events(session, registration)] == ["submitted"]


def test_a_correction_cannot_make_a_duplicate(client: TestClient, session: Session) -> None:
    first = _register(client, organisation_name="Tenaganita", contact_email="a@example.org.my")
    second = _register(client, organisation_name="Tenaganita Baru",
                       contact_email="b@example.org.my")
    path, token = _link(session, str(second["reference"]))
    registration = _registration(session, second["reference"])

    response = client.post(path + "/edit", data=_edit_fields(
        registration, token, organisation_name="TENAGANITA", contact_email="A@example.org.my"))

    assert response.status_code == 409
    assert "Terdapat pendaftaran lain daripada organisasi ini" in response.text
    kept = _registration(session, second["reference"])
    assert (kept.organisation_name, kept.contact_email) == ("Tenaganita Baru", "b@example.org.my")
    assert _registration(session, first["reference"]).organisation_name == "Tenaganita"


def test_a_change_without_the_pages_guard_is_refused(client: TestClient, session: Session) -> None:
    body = _register(client)
    path, token = _link(session, str(body["reference"]))
    registration = _registration(session, body["reference"])

    edit = client.post(path + "/edit", data=_edit_fields(
        registration, token, guard="forged", organisation_name="Hijacked"))
    withdraw = client.post(path + "/withdraw", data={"guard": form_guard("another-token")})

    assert edit.status_code == 403 and withdraw.status_code == 403
    kept = _registration(session, body["reference"])
    assert kept.organisation_name == body["organisation_name"] and kept.withdrawn_at is None


def test_withdrawing_is_confirmed_recorded_and_mailed(client: TestClient, session: Session) -> None:
    body = _register(client, preferred_language="en")
    path, token = _link(session, str(body["reference"]))
    question = client.get(path + "/withdraw")
    assert question.status_code == 200
    assert "Do you want to withdraw the registration of" in question.text

    response = client.post(path + "/withdraw", data={"guard": form_guard(token)},
                           follow_redirects=False)

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Your registration has been withdrawn." in page.text
    assert "This registration has been withdrawn" in page.text
    assert f'href="{path}/edit"' not in page.text
    registration = _registration(session, body["reference"])
    assert registration.withdrawn_at is not None
    assert [e.action for e in _events(session, registration)] == ["submitted", "withdrawn"]
    mails = session.scalars(select(OutboxMail).where(
        OutboxMail.registration_id == registration.id, OutboxMail.kind.like("withdrawal%"))
    ).all()
    assert sorted((m.kind, m.to_address, m.language) for m in mails) == [
        ("withdrawal", body["contact_email"], "en"),
        ("withdrawal_notice", "alliance8.7@mohr.gov.my", "en"),
    ]
    [to_registrant] = [m for m in mails if m.kind == "withdrawal"]
    withdrawal = render_mail(session=session, mail=to_registrant)
    assert str(body["reference"]) in withdrawal.subject
    assert "was withdrawn through its private link" in withdrawal.body_text
    again = client.post(path + "/withdraw", data={"guard": form_guard(token)})
    edit = client.post(path + "/edit", data=_edit_fields(registration, token))
    assert again.status_code == 403 and edit.status_code == 403


def test_after_the_deadline_the_link_changes_only_the_contact_person(
    client: TestClient, session: Session, clock: Clock
) -> None:
    body = _register(client, preferred_language="ms")
    path, token = _link(session, str(body["reference"]))
    registration = _registration(session, body["reference"])
    clock.set(dt.datetime(2022, 10, 21, 0, 0, tzinfo=MALAYSIA))

    page = client.get(path)
    edit_form = client.get(path + "/edit")
    edit = client.post(path + "/edit", data=_edit_fields(registration, token,
                                                           organisation_name="Too late"))
    withdraw = client.post(path + "/withdraw", data={"guard": form_guard(token)})

    assert page.status_code == 200
    assert "Tarikh tutup telah berlalu" in page.text
    assert str(body["organisation_name"]) in page.text
    assert f'href="{path}/edit"' in page.text and "Tukar pegawai untuk dihubungi" in page.text
    assert 'name="contact_email"' in edit_form.text
    assert 'name="organisation_name"' not in edit_form.text
    assert edit.status_code == 422 and withdraw.status_code == 403
    assert "hanya pegawai untuk dihubungi boleh ditukar" in edit.text
    kept = _registration(session, body["reference"])
    assert kept.organisation_name == body["organisation_name"] and kept.withdrawn_at is None


def test_staff_resending_the_confirmation_keeps_the_link(
    client: TestClient, session: Session
) -> None:
    body = _register(client)
    old_path, _ = _link(session, str(body["reference"]))

    resend.resend_confirmation(session=session, reference=str(body["reference"]).lower(),
                               now=dt.datetime.now(dt.UTC), actor="staff:1")

    new_path, _ = _link(session, str(body["reference"]))
    confirmations = session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "confirmation", OutboxMail.to_address == body["contact_email"])).all()
    assert len(confirmations) == 2
    assert new_path == old_path
    assert client.get(old_path).status_code == 200
    registration = _registration(session, body["reference"])
    assert [(e.action, e.actor) for e in _events(session, registration)][-1] == (
        "confirmation_resent", "staff:1")


def test_a_withdrawn_or_unknown_registration_gets_no_new_confirmation(
    client: TestClient, session: Session
) -> None:
    body = _register(client)
    path, token = _link(session, str(body["reference"]))
    client.post(path + "/withdraw", data={"guard": form_guard(token)})

    with pytest.raises(resend.RegistrationWithdrawn):
        resend.resend_confirmation(session=session, reference=str(body["reference"]),
                                   now=dt.datetime.now(dt.UTC), actor="staff:1")
    with pytest.raises(resend.RegistrationNotFound):
        resend.resend_confirmation(session=session, reference="ZZZZZZZZ",
                                   now=dt.datetime.now(dt.UTC), actor="staff:1")
