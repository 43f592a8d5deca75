"""Announcements in the back-office: compose, preview, test, send once, and read them back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.models import AuditLog, OutboxMail
from app.services.mailer import deliver_due
from tests.conftest import count_rows
from tests.smtp import SmtpServer
from tests.staff_helpers import registration, sign_in, staff_user

pytestmark = pytest.mark.usefixtures("staff_ready")
COMPOSE = "/staff/announcements/new"


@pytest.fixture(autouse=True)
def _in_english(client: TestClient) -> None:
    """The pages in English unless a test asks for Malay with ?lang=ms."""
    client.cookies.set("lang", "en")


def _form_of(html: str) -> dict[str, str]:
    """The compose form's hidden fields, as the page gave them."""
    fields = {}
    for name in ("csrf_token", "form_token", "filters"):
        found = re.search(rf'name="{name}" value="([^"]*)"', html)
        assert found, name
        fields[name] = found.group(1).replace("&amp;", "&")
    return fields


def _texts(**overrides: str) -> dict[str, str]:
    texts = {"subject_ms": "Bengkel November", "body_ms": "Salam {contact_name}.",
             "subject_en": "November workshop", "body_en": "Dear {contact_name}."}
    texts.update(overrides)
    return texts


def _compose(client: TestClient, query: str = "") -> dict[str, str]:
    page = client.get(f"{COMPOSE}?{query}")
    assert page.status_code == 200, page.text
    return _form_of(page.text)


def _post(client: TestClient, form: dict[str, str], action: str, **texts: Any) -> Any:
    return client.post(COMPOSE, data={**form, **_texts(**texts), "action": action},
                       follow_redirects=False)


def test_the_registrant_list_links_to_writing_to_exactly_those_registrants(
    client: TestClient, session: Session
) -> None:
    for _ in range(2):
        registration(session, category="cso")
    registration(session, category="academic")
    sign_in(client, staff_user(session))

    page = client.get("/staff/registrations?category=cso&withdrawn=include")

    assert "Write to these 2 registrants" in page.text
    link = re.search(r'href="(/staff/announcements/new\?[^"]+)"', page.text)
    assert link and "category=cso" in link.group(1)
    compose = client.get(link.group(1).replace("&amp;", "&"))
    assert "2 registrants: 2 in Bahasa Melayu, 0 in English." in compose.text


def test_preview_shows_both_languages_filled_for_a_real_recipient(
    client: TestClient, session: Session
) -> None:
    registered = registration(session, contact_name="Nur Aisyah")
    sign_in(client, staff_user(session))
    form = _compose(client)

    response = _post(client, form, "preview")

    assert response.status_code == 200
    assert "Salam Nur Aisyah." in response.text and "Dear Nur Aisyah." in response.text
    assert registered.reference in response.text
    assert "Send to 1 registrants" in response.text
    assert count_rows(session, "outbox_mail") == 0


def test_an_unknown_placeholder_is_named_beside_its_field_and_what_was_typed_is_kept(
    client: TestClient, session: Session
) -> None:
    registration(session)
    sign_in(client, staff_user(session))
    form = _compose(client)

    response = _post(client, form, "send", body_en="Dear {contact} & <friends>")

    assert response.status_code == 422
    assert 'id="body_en-error"' in response.text
    assert "{contact} is not a placeholder" in response.text
    assert "Dear {contact} &amp; &lt;friends&gt;</textarea>" in response.text
    assert count_rows(session, "announcement") == 0 and count_rows(session, "outbox_mail") == 0


def test_the_errors_are_in_malay_on_the_malay_page(client: TestClient, session: Session) -> None:
    registration(session)
    sign_in(client, staff_user(session))
    form = _compose(client, "lang=ms")

    response = client.post(f"{COMPOSE}?lang=ms", data={**form, **_texts(subject_ms=""),
                                                         "action": "preview"})

    assert response.status_code == 422
    assert "Tulis subjek." in response.text


def test_a_test_goes_to_me_in_both_languages_through_the_outbox(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    registration(session, contact_name="Nur Aisyah")
    admin = staff_user(session)
    sign_in(client, admin)
    form = _compose(client)

    response = _post(client, form, "test")

    assert response.status_code == 200 and admin.email in response.text
    deliver_due(session=session, settings=smtp_server.settings())
    received = smtp_server.handler.to(admin.email)
    assert sorted(r.message["Subject"] for r in received) == [
        "[TEST] Bengkel November", "[TEST] November workshop"]
    assert all("Nur Aisyah" in r.text for r in received)
    assert all(r.message["Reply-To"] == "alliance8.7@mohr.gov.my" for r in received)
    assert count_rows(session, "announcement") == 0
    assert session.scalars(select(AuditLog.action).where(
        AuditLog.action == "announcement_test")).one()


def test_sending_twice_from_one_form_makes_one_announcement(
    client: TestClient, session: Session
) -> None:
    for _ in range(3):
        registration(session)
    sign_in(client, staff_user(session))
    form = _compose(client)

    first = _post(client, form, "send")
    second = _post(client, form, "send")

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count_rows(session, "announcement") == 1
    assert count_rows(session, "outbox_mail") == 3
    detail = client.get(first.headers["location"])
    assert "November workshop" in detail.text and "Waiting: 3" in detail.text
    listing = client.get("/staff/announcements")
    assert "November workshop" in listing.text
    assert "Bengkel November" in client.get("/staff/outbox").text
    [logged] = session.scalars(select(AuditLog).where(AuditLog.action == "announcement_sent"))
    assert logged.row_count == 3


def test_filters_that_reach_no_one_and_a_megabyte_body_store_nothing(
    client: TestClient, session: Session
) -> None:
    registration(session, category="cso")
    sign_in(client, staff_user(session))
    form = _compose(client, "category=academic")

    no_one = _post(client, form, "send")
    huge = _post(client, _compose(client), "send", body_en="x" * 1_000_000)
    long_subject = _post(client, _compose(client), "send", subject_ms="y" * 201)

    assert no_one.status_code == 422 and "No registrations match" in no_one.text
    assert huge.status_code == 413
    assert long_subject.status_code == 422 and "200 characters" in long_subject.text
    assert count_rows(session, "announcement") == 0 and count_rows(session, "outbox_mail") == 0


def test_a_registration_withdrawn_after_queueing_is_not_sent_the_announcement(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    staying, leaving = registration(session), registration(session)
    sign_in(client, staff_user(session))
    _post(client, _compose(client), "send")
    leaving.withdrawn_at = utcnow()
    session.commit()

    deliver_due(session=session, settings=smtp_server.settings())

    assert [r.rcpt_tos for r in smtp_server.received] == [[staying.contact_email]]
    failed = session.scalars(select(OutboxMail).where(OutboxMail.status == "failed")).one()
    assert "withdrawn" in failed.last_error


def test_a_forged_post_without_the_csrf_token_stores_nothing(
    client: TestClient, session: Session
) -> None:
    registration(session)
    sign_in(client, staff_user(session))
    form = _compose(client)
    del form["csrf_token"]

    response = _post(client, form, "send")

    assert response.status_code == 403
    assert count_rows(session, "announcement") == 0 and count_rows(session, "outbox_mail") == 0


def test_a_viewer_reads_announcements_but_cannot_write_one(
    client: TestClient, session: Session
) -> None:
    registration(session)
    csrf = sign_in(client, staff_user(session, role="viewer"))

    assert client.get("/staff/announcements").status_code == 200
    assert client.get(COMPOSE).status_code == 403
    response = client.post(COMPOSE, data={"csrf_token": csrf, **_texts(), "action": "send"})
    assert response.status_code == 403
    assert "Write to these" not in client.get("/staff/registrations").text
    assert count_rows(session, "announcement") == 0


def test_the_list_shows_and_filters_undeliverable_contact_emails(
    client: TestClient, session: Session
) -> None:
    refused = registration(session, organisation_name="Refused Org")
    registration(session, organisation_name="Fine Org")
    refused.contact_undeliverable_at = utcnow()
    session.commit()
    sign_in(client, staff_user(session))

    page = client.get("/staff/registrations?email_status=undeliverable")

    assert "Refused Org" in page.text and "Fine Org" not in page.text
    assert "Email undeliverable" in page.text
    assert session.scalars(select(OutboxMail)).all() == []
