""""Send me my link": the private links mailed again, the same answer whoever asks."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from limits import parse_many
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import ratelimit
from app.main import app
from app.models import AuditLog, OutboxMail
from app.services.mailer import deliver_due
from tests.factories import registration_payload
from tests.smtp import SmtpServer

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
MANAGE_LINK = re.compile(r"http://127\.0\.0\.1:8000(/manage/[A-Za-z0-9_.-]+)")


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    ratelimit.limiter().storage.reset()
    yield
    ratelimit.limiter().storage.reset()


def _register(client: TestClient, **overrides: object) -> str:
    response = client.post("/api/v1/registrations", json=registration_payload(**overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def _ask(client: TestClient, email: str, lang: str = "en") -> str:
    form = client.get("/link", params={"lang": lang})
    found = TOKEN.search(form.text)
    assert found is not None
    answer = client.post(f"/link?lang={lang}", data={"email": email, "form_token": found.group(1)})
    assert answer.status_code == 200, answer.text
    return answer.text


def _deliver(session: Session, smtp_server: SmtpServer) -> None:
    deliver_due(session=session, settings=smtp_server.settings())


def test_a_registered_address_gets_its_link_and_an_unknown_one_gets_the_same_answer(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    reference = _register(client, contact_email="Aisyah@Example.org.my", preferred_language="ms")
    _deliver(session, smtp_server)
    [confirmation] = smtp_server.handler.to("Aisyah@Example.org.my")
    confirmed_link = MANAGE_LINK.search(confirmation.text)
    assert confirmed_link is not None
    smtp_server.handler.received.clear()

    known = _ask(client, "aisyah@example.ORG.my")
    unknown = _ask(client, "nobody@example.org.my")

    assert "Check your email" in known
    assert known.replace("aisyah@example.ORG.my", "X") == unknown.replace(
        "nobody@example.org.my", "X")
    _deliver(session, smtp_server)
    assert [r.rcpt_tos for r in smtp_server.received] == [["Aisyah@Example.org.my"]]
    mail = smtp_server.received[0]
    assert mail.message["Content-Language"] == "ms"
    assert "pautan ke pendaftaran anda" in mail.message["Subject"]
    assert reference in mail.text
    link = MANAGE_LINK.search(mail.text)
    assert link is not None
    # The same link as in the confirmation: mailing it again adds none and kills none.
    assert link.group(1) == confirmed_link.group(1)
    page = client.get(link.group(1))
    assert page.status_code == 200 and reference in page.text


def test_several_registrations_make_one_mail_listing_each_link_and_invitation(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    first = _register(client, contact_email="hr@example.com.my", organisation_name="Syarikat A",
                      preferred_language="en")
    second = _register(client, contact_email="HR@example.com.my", organisation_name="Syarikat B",
                       preferred_language="en")
    _register(client, contact_email="other@example.com.my", organisation_name="Syarikat C")
    session.query(OutboxMail).delete()

    _ask(client, "hr@example.com.my", lang="ms")

    _deliver(session, smtp_server)
    [mail] = smtp_server.received
    assert mail.message["Content-Language"] == "en"
    assert "Syarikat A" in mail.text and "Syarikat B" in mail.text
    assert "Syarikat C" not in mail.text
    paths = MANAGE_LINK.findall(mail.text)
    assert len(set(paths)) == 2
    for path in paths:
        assert client.get(path).status_code == 200
    pages = [client.get(path).text for path in paths]
    assert {reference for page in pages for reference in (first, second)
            if reference in page} == {first, second}
    [entry] = session.scalars(select(AuditLog).where(AuditLog.action == "links_requested"))
    assert json.loads(entry.detail) == {"references": sorted([first, second])}


def test_a_wrong_address_is_shown_at_the_field_and_kept(client: TestClient) -> None:
    form = client.get("/link", params={"lang": "en"})
    token = TOKEN.search(form.text)
    assert token is not None

    answer = client.post("/link?lang=en", data={"email": "aisyah@", "form_token": token.group(1)})
    empty = client.post("/link?lang=en", data={"email": "", "form_token": token.group(1)})

    assert answer.status_code == 422
    assert 'id="email-error"' in answer.text and 'value="aisyah@"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert "Enter an email address in the correct format" in answer.text
    assert "Enter the email address your registration was made with" in empty.text
    malay = client.post("/link?lang=ms", data={"email": "x", "form_token": token.group(1)})
    assert "Masukkan alamat emel dalam format yang betul" in malay.text


def test_a_form_from_elsewhere_sends_nothing(client: TestClient, session: Session) -> None:
    _register(client, contact_email="aisyah@example.org.my")
    session.query(OutboxMail).delete()

    no_token = client.post("/link", data={"email": "aisyah@example.org.my"})
    other_site = client.post("/link", data={"email": "aisyah@example.org.my"},
                             headers={"Sec-Fetch-Site": "cross-site"})

    assert no_token.status_code == 403 and other_site.status_code == 403
    assert 'value="aisyah@example.org.my"' in no_token.text
    assert session.scalars(select(OutboxMail)).all() == []


def test_asking_is_limited_per_client_and_per_address(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "submission_limits", lambda: parse_many("3/minute"))
    form = client.get("/link")
    token = TOKEN.search(form.text)
    assert token is not None

    def ask(from_host: str, email: str) -> int:
        with TestClient(app, client=(from_host, 50000)) as other:
            return other.post("/link", data={"email": email,
                                             "form_token": token.group(1)}).status_code

    # One address asked for from many networks: the fourth is refused.
    assert [ask(f"10.0.0.{n}", "target@example.org.my") for n in range(4)] == [
        200, 200, 200, 429]
    # One network asking for many addresses: the fourth is refused.
    assert [ask("10.0.1.1", f"a{n}@example.org.my") for n in range(4)] == [200, 200, 200, 429]
    with TestClient(app, client=("10.0.2.1", 50000)) as other:
        refused = other.post("/link", data={"email": "target@example.org.my",
                                            "form_token": token.group(1)})
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert 'value="target@example.org.my"' in refused.text


def test_the_answer_takes_as_long_whether_or_not_the_address_matched(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "submission_limits", lambda: parse_many("10000/minute"))
    _register(client, contact_email="known@example.org.my")
    token = TOKEN.search(client.get("/link").text)
    assert token is not None

    def timed(email: str) -> float:
        started = time.perf_counter()
        answer = client.post("/link", data={"email": email, "form_token": token.group(1)})
        assert answer.status_code == 200
        return time.perf_counter() - started

    for _ in range(5):  # warm up
        timed("known@example.org.my")
        timed("unknown@example.org.my")
    known, unknown = [], []
    for _ in range(40):  # interleaved, so that the machine's load falls on both alike
        known.append(timed("known@example.org.my"))
        unknown.append(timed("unknown@example.org.my"))
    difference = statistics.median(known) - statistics.median(unknown)
    print(f"/link median: matched {statistics.median(known) * 1000:.2f} ms, "
          f"unknown {statistics.median(unknown) * 1000:.2f} ms, "
          f"difference {difference * 1000:+.2f} ms")
    assert abs(difference) < 0.1 * statistics.median(unknown) + 0.002


def test_every_dead_end_leads_to_the_form(client: TestClient, clock: object) -> None:
    for path in ("/manage/" + "A" * 43, "/invitation/" + "A" * 43, "/?lang=en"):
        assert 'href="/link"' in client.get(path).text, path
    form = client.get("/link", params={"lang": "ms"})
    assert "Hantar pautan saya" in form.text
