"""Announcements through the staff API, delivered to a real SMTP server on loopback."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.db import begin_write
from app.models import OutboxMail, Registration
from app.schemas.staff import RegistrationFilters
from app.services import announcements, staff_auth
from app.services.announcement_texts import clean_texts
from app.services.mailer import deliver_due
from tests.conftest import count_rows, separate_engine
from tests.smtp import SmtpServer
from tests.staff_helpers import SETUP, registration, staff_user

pytestmark = pytest.mark.usefixtures("staff_ready")
URL = "/api/v1/announcements"
SECRETARIAT = "alliance8.7@mohr.gov.my"


def _token(session: Session, role: str = "admin") -> dict[str, str]:
    user = staff_user(session, role=role)
    token, _ = staff_auth.create_token(session=session, user=user, now=utcnow(), actor=SETUP)
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_ms": "Bengkel untuk {organisation_name}",
        "body_ms": "Tuan/Puan {contact_name},\n\nRujukan anda {reference}.",
        "subject_en": "Workshop for {organisation_name}",
        "body_en": "Dear {contact_name},\n\nYour reference is {reference}.",
        "filters": {},
        "dry_run": False,
    }
    body.update(overrides)
    return body


def _nothing_stored(session: Session) -> bool:
    session.expire_all()
    return count_rows(session, "announcement") == 0 and count_rows(session, "outbox_mail") == 0


def test_each_registrant_gets_one_mail_in_its_language_with_placeholders_filled(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    malay = registration(session, preferred_language="ms", contact_name="Siti Aminah")
    english = registration(session, preferred_language="en", contact_name="John Tan",
                           category="academic")
    withdrawn = registration(session, preferred_language="en")
    withdrawn.withdrawn_at = utcnow()
    session.commit()
    headers = _token(session)

    response = client.post(URL, json=_body(filters={"withdrawn": "include"}), headers=headers)

    assert response.status_code == 201, response.text
    assert response.json()["recipients"] == 2
    assert response.json()["by_language"] == {"ms": 1, "en": 1}
    report = deliver_due(session=session, settings=smtp_server.settings())
    assert report.sent == 2
    [to_malay] = smtp_server.handler.to(malay.contact_email)
    [to_english] = smtp_server.handler.to(english.contact_email)
    assert smtp_server.handler.to(withdrawn.contact_email) == []
    assert to_malay.message["Subject"] == f"Bengkel untuk {malay.organisation_name}"
    assert "Tuan/Puan Siti Aminah," in to_malay.text and malay.reference in to_malay.text
    assert "MYT (UTC+8)" in to_malay.text
    assert to_english.message["Subject"] == f"Workshop for {english.organisation_name}"
    assert "Dear John Tan," in to_english.text and english.reference in to_english.html
    for received in (to_malay, to_english):
        assert received.message["Reply-To"] == SECRETARIAT
        assert "{" not in received.text


def test_a_dry_run_counts_and_queues_nothing(client: TestClient, session: Session) -> None:
    registration(session, preferred_language="en", category="cso")
    registration(session, preferred_language="ms", category="academic")
    headers = _token(session)

    response = client.post(URL, json=_body(filters={"category": "cso"}, dry_run=True),
                           headers=headers)

    assert response.status_code == 200
    assert response.json() == {"id": None, "recipients": 1, "by_language": {"ms": 0, "en": 1}}
    assert _nothing_stored(session)


def test_a_viewer_cannot_send(client: TestClient, session: Session) -> None:
    registration(session)
    response = client.post(URL, json=_body(), headers=_token(session, role="viewer"))

    assert response.status_code == 403
    assert _nothing_stored(session)


@pytest.mark.parametrize(("changes", "field", "named"), [
    ({"subject_en": "", "body_en": "  "}, "subject_en", "subject"),
    ({"body_ms": ""}, "body_ms", "message"),
    ({"body_en": "Dear {contact_nme}"}, "body_en", "{contact_nme}"),
    ({"subject_ms": "Hello {phone}"}, "subject_ms", "{phone}"),
    ({"body_en": "Dear {contact_name"}, "body_en", "brace"),
    ({"subject_en": "Workshop\r\nBcc: everyone@example.org"}, "subject_en", "one line"),
    ({"body_en": "x" * 30_000}, "body_en", "10,000"),
    ({"filters": {"category": "academic"}}, "filters", "No registrations match"),
    ({"filters": {"colour": "blue"}}, "filters", "colour"),
    ({"filters": {"pillar": "everything"}}, "filters", "filter"),
])
def test_bad_input_is_refused_naming_the_problem_and_nothing_is_stored(
    client: TestClient, session: Session, changes: dict[str, Any], field: str, named: str
) -> None:
    registration(session, category="cso")
    response = client.post(URL, json=_body(**changes), headers=_token(session))

    assert response.status_code == 422, response.text
    [problem] = [p for p in response.json()["detail"] if field in p["loc"]]
    assert named in problem["msg"]
    assert _nothing_stored(session)


def test_a_body_of_a_megabyte_is_refused_and_nothing_is_stored(
    client: TestClient, session: Session
) -> None:
    registration(session)
    response = client.post(URL, json=_body(body_en="x" * 1_000_000), headers=_token(session))

    assert response.status_code == 413
    assert _nothing_stored(session)


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer_and_queues_nothing(
    client: TestClient, session: Session
) -> None:
    registration(session)
    registration(session)
    headers = {**_token(session), "Idempotency-Key": "announce-1"}

    first = client.post(URL, json=_body(), headers=headers)
    again = client.post(URL, json=_body(), headers=headers)
    other = client.post(URL, json=_body(subject_en="Another"), headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 422
    session.expire_all()
    assert count_rows(session, "announcement") == 1
    assert count_rows(session, "outbox_mail") == 2


def test_delivery_counts_and_undeliverable_addresses(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    refused = registration(session)
    headers = _token(session)
    announcement_id = client.post(URL, json=_body(), headers=headers).json()["id"]
    smtp_server.handler.rcpt_reply = "550 5.1.1 Mailbox unavailable"

    deliver_due(session=session, settings=smtp_server.settings())

    detail = client.get(f"{URL}/{announcement_id}", headers=headers).json()
    assert detail["delivery"] == {"delivered": 0, "waiting": 0, "failed": 1}
    assert detail["body_en"].startswith("Dear {contact_name}")
    listed = client.get(URL, headers=headers).json()
    assert listed["total"] == 1 and listed["items"][0]["recipients"] == 1
    undeliverable = client.get("/api/v1/registrations?email_status=undeliverable",
                               headers=headers).json()
    assert [item["reference"] for item in undeliverable["items"]] == [refused.reference]

    smtp_server.handler.rcpt_reply = None
    client.post(URL, json=_body(subject_en="Again"), headers=headers)
    deliver_due(session=session, settings=smtp_server.settings())

    session.expire_all()
    assert session.get(Registration, refused.id).contact_undeliverable_at is None


def test_hostile_text_is_escaped_in_the_html_part(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    registration(session, preferred_language="en",
                 organisation_name='Acme <img src=x onerror="alert(1)">')
    body = ('Dear {organisation_name},\n\n<script>alert("hi")</script> '
            'See https://example.org/a?b=1&c=<b>x</b>.\n"quoted" & more')
    client.post(URL, json=_body(body_en=body), headers=_token(session))

    deliver_due(session=session, settings=smtp_server.settings())

    [received] = smtp_server.received
    html = received.html
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html
    assert '<a href="https://example.org/a?b=1&amp;c=" style' in html
    assert "<p" in html
    assert '<script>alert("hi")</script>' in received.text


def test_two_racing_requests_with_one_key_make_one_announcement(committed_db: Engine) -> None:
    with Session(committed_db) as setup:
        admin = staff_user(setup)
        for _ in range(3):
            registration(setup)
        admin_id = admin.id
    texts = clean_texts(subject_ms="S", body_ms="B", subject_en="S", body_en="B")
    engine = separate_engine()
    barrier = threading.Barrier(2)
    answers: list[int] = []

    def send() -> None:
        with Session(engine) as own:
            barrier.wait()
            begin_write(own)
            sent = announcements.send_announcement(
                session=own, texts=texts, filters=RegistrationFilters(),
                staff_user_id=admin_id, now=dt.datetime.now(dt.UTC), idempotency_key="form:x")
            answers.append(sent.announcement.id)
            own.commit()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()

    assert len(answers) == 2 and answers[0] == answers[1]
    assert count_rows(committed_db, "announcement") == 1
    assert count_rows(committed_db, "outbox_mail") == 3


def test_the_database_refuses_a_second_mail_to_one_registration(
    client: TestClient, session: Session
) -> None:
    registration(session)
    client.post(URL, json=_body(), headers=_token(session))
    mail = session.scalars(select(OutboxMail)).one()

    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(OutboxMail(
            announcement_id=mail.announcement_id, registration_id=mail.registration_id,
            kind="announcement", to_address=mail.to_address, language="en",
            message_id="<another@mohr.gov.my>", next_attempt_at=utcnow(),
            created_at=utcnow()))
        session.flush()


def test_the_vocabularies_and_the_schemas_agree() -> None:
    from typing import get_args

    from app.schemas.staff import EmailStatus
    from app.vocab import CONTACT_EMAIL_STATE_CODES, DELIVERY_OF_MAIL_STATUS
    from app.vocab import MAIL_STATUS_CODES as MAIL_STATUSES

    assert get_args(EmailStatus) == CONTACT_EMAIL_STATE_CODES
    assert set(DELIVERY_OF_MAIL_STATUS) == set(MAIL_STATUSES)
