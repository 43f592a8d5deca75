"""Progress reports (SPEC 8.2): the request mail, the lead's page, the review, what is public."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections import Counter

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.models import AuditLog, OutboxMail, Registration, RoadmapEvidence, RoadmapReport
from app.roadmap.publication import public_cache
from app.roadmap.publication.public import weighted_progress
from app.services.mailer import deliver_due
from app.services.workshop_due import run_due
from tests.conftest import Clock
from tests.report_helpers import (
    guard_of,
    links_in,
    open_period,
    pdf_bytes,
    photo_with_gps,
    report_form,
)
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.smtp import SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")


def _roadmap(client: TestClient, session: Session) -> tuple[dict[str, str], Registration,
                                                             Registration]:
    """Two registered leads (one Malay, one English) and a named body; four commitments."""
    headers = api_token(session)
    malay = registration(session, organisation_name="Pertubuhan Satu",
                         contact_email="satu@example.org.my", preferred_language="ms")
    english = registration(session, organisation_name="Second Society",
                           contact_email="second@example.org.my", preferred_language="en")
    create_outcome(client, headers)
    create_commitment(client, headers, code="1.1.1", lead={"reference": malay.reference},
                      weight=1)
    create_commitment(client, headers, code="1.1.2", lead={"reference": malay.reference},
                      weight=3)
    create_commitment(client, headers, code="1.1.3", lead={"reference": english.reference})
    create_commitment(client, headers, code="1.1.4", lead={"name": "Jabatan Tenaga Kerja"})
    return headers, malay, english


def _mails(smtp_server: SmtpServer, session: Session, address: str) -> list[str]:
    deliver_due(session=session, settings=smtp_server.settings())
    return [received.text for received in smtp_server.handler.to(address)]


def test_opening_a_period_mails_each_registered_lead_once_in_its_language(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers, malay, english = _roadmap(client, session)

    opened = open_period(client, headers)

    assert opened["requested"] == 2
    [to_malay] = _mails(smtp_server, session, malay.contact_email)
    [to_english] = _mails(smtp_server, session, english.contact_email)
    assert len(links_in(to_malay)) == 2 and "1.1.1" in to_malay and "1.1.2" in to_malay
    assert len(links_in(to_english)) == 1 and "1.1.3" in to_english
    assert "Laporan kemajuan" in smtp_server.handler.to(malay.contact_email)[0].message[
        "Subject"]
    assert "Progress report" in smtp_server.handler.to(english.contact_email)[0].message[
        "Subject"]
    # The named body gets no mail; its report is still requested.
    listed = client.get(f"/api/v1/roadmap/periods/{opened['id']}/reports", headers=headers)
    assert [(item["commitment"], item["state"]) for item in listed.json()] == [
        ("1.1.1", "requested"), ("1.1.2", "requested"), ("1.1.3", "requested"),
        ("1.1.4", "requested")]
    # Opening the link changes nothing, and the page is in the lead's language.
    page = client.get(links_in(to_english)[0])
    assert page.status_code == 200 and "How far has the commitment come?" in page.text
    assert client.get(links_in(to_malay)[0]).status_code == 200
    assert {report.state for report in session.scalars(select(RoadmapReport))} == {"requested"}
    entry = session.scalars(select(AuditLog).where(
        AuditLog.action == "roadmap_period_opened")).one()
    assert json.loads(entry.detail)["requested"] == 2


def test_two_workers_send_each_lead_one_request_and_one_reminder(
    committed_client: TestClient, committed_db: Engine, smtp_server: SmtpServer
) -> None:
    with Session(committed_db, expire_on_commit=False) as session:
        headers, malay, english = _roadmap(committed_client, session)
        session.commit()
    open_period(committed_client, headers)
    smtp_server.handler.delay_seconds = 0.005
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(committed_db, expire_on_commit=False) as session:
                start.wait()
                # Both workers' passes find the reminder due: one queues it.
                run_due(session=session, now=dt.datetime(2023, 7, 10, 9, tzinfo=MALAYSIA))
                while deliver_due(session=session, settings=smtp_server.settings(),
                                  limit=1).claimed_ids:
                    pass
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    requests = Counter(address for received in smtp_server.received
                       if "/roadmap/report/" in received.text for address in received.rcpt_tos)
    assert requests == {malay.contact_email: 2, english.contact_email: 2}  # request, reminder
    reminders = Counter(address for received in smtp_server.received
                        if "Reminder" in received.message["Subject"]
                        or "Peringatan" in received.message["Subject"]
                        for address in received.rcpt_tos)
    assert reminders == {malay.contact_email: 1, english.contact_email: 1}


def _first_link(client: TestClient, session: Session, smtp_server: SmtpServer,
                registration: Registration) -> str:
    [text] = _mails(smtp_server, session, registration.contact_email)
    return links_in(text)[0]


def test_a_real_pdf_is_taken_and_a_program_named_pdf_is_refused_at_its_field(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers, malay, _english = _roadmap(client, session)
    open_period(client, headers)
    link = _first_link(client, session, smtp_server, malay)
    guard = guard_of(client.get(link).text)
    with open("/bin/true", "rb") as program:
        executable = program.read()

    refused = client.post(link, data=report_form(guard, narrative_en="Kept as typed"),
                          files=[("evidence_file", ("report.pdf", executable,
                                                    "application/pdf"))])

    assert refused.status_code == 422
    assert "Hanya fail PDF, PNG atau JPEG" in refused.text
    assert 'aria-invalid="true"' in refused.text and "Kept as typed" in refused.text
    assert session.scalars(select(RoadmapEvidence)).all() == []

    too_big = client.post(link, data=report_form(guard),
                          files=[("evidence_file", ("big.pdf", b"%PDF-" + b"0" * 5_300_000,
                                                    "application/pdf"))])
    assert too_big.status_code == 422 and "5 MB" in too_big.text

    taken = client.post(link, data=report_form(guard),
                        files=[("evidence_file", ("laporan akhir.pdf", pdf_bytes(),
                                                  "application/octet-stream"))],
                        follow_redirects=False)

    assert taken.status_code == 303
    [stored] = session.scalars(select(RoadmapEvidence)).all()
    assert stored.content_type == "application/pdf" and stored.filename == "laporan-akhir.pdf"
    report = session.get(RoadmapReport, stored.report_id)
    assert report is not None and (report.state, report.progress) == ("submitted", 60)
    assert report.late is False


def test_a_photos_location_and_camera_are_stripped(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    from PIL import Image

    headers, malay, _english = _roadmap(client, session)
    open_period(client, headers)
    link = _first_link(client, session, smtp_server, malay)
    photo = photo_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif()

    client.post(link, data=report_form(guard_of(client.get(link).text)),
                files=[("evidence_file", ("photo.jpg", photo, "image/jpeg"))])

    [stored] = session.scalars(select(RoadmapEvidence)).all()
    assert stored.content_type == "image/jpeg"
    kept = Image.open(io.BytesIO(stored.content))
    # Turned upright as its EXIF said, then stripped of it.
    assert kept.size == (30, 40) and not kept.getexif() and b"CameraMaker" not in stored.content


def _public(client: TestClient) -> dict[str, object]:
    return dict(client.get("/roadmap.json").json())


def test_nothing_is_public_before_approval_and_the_approved_report_is(
    client: TestClient, session: Session, smtp_server: SmtpServer, clock: Clock
) -> None:
    headers, malay, _english = _roadmap(client, session)
    period = open_period(client, headers)
    link = _first_link(client, session, smtp_server, malay)
    clock.set(dt.datetime(2023, 7, 20, 9, 0, tzinfo=MALAYSIA))  # after the due date
    client.post(link, data=report_form(guard_of(client.get(link).text)),
                files=[("evidence_file", ("a.pdf", pdf_bytes(), "application/pdf"))])
    [evidence] = session.scalars(select(RoadmapEvidence)).all()

    before = _public(client)
    assert all(c["reports"] == [] and c["progress"] is None for c in before["commitments"])
    assert "Tiga bengkel" not in client.get("/roadmap").text
    assert client.get(f"/roadmap/evidence/{evidence.id}").status_code == 404

    [item] = [i for i in client.get(f"/api/v1/roadmap/periods/{period['id']}/reports",
                                    headers=headers).json() if i["state"] == "submitted"]
    assert item["late"] is True and item["progress"] == 60
    approved = client.post(f"/api/v1/roadmap/reports/{item['id']}/review",
                           json={"decision": "approve", "comment": ""}, headers=headers)

    assert approved.status_code == 200
    after = _public(client)
    [reported] = [c for c in after["commitments"] if c["reports"]]
    assert (reported["code"], reported["status"], reported["progress"]) == (
        "1.1.1", "substantial", 60)
    assert reported["reports"][0]["narrative_ms"] == "Tiga bengkel diadakan."
    # The document with a report, its evidence and the latest value keeps to its schema.
    schema = client.get("/roadmap.schema.json").json()
    jsonschema_rs.validator_for(schema, validate_formats=True).validate(after)
    [outcome] = after["outcomes"]
    assert (outcome["latest_value"], outcome["latest_value_period"]) == ("35%", "2023 H1")
    page = client.get("/roadmap").text
    assert "Tiga bengkel" in page and "35% (2023 H1)" in page
    download = client.get(f"/roadmap/evidence/{evidence.id}")
    assert download.status_code == 200 and download.content.startswith(b"%PDF-")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")
    # Approved, the page no longer takes changes.
    assert 'name="guard"' not in client.get(link).text
    assert client.post(f"/api/v1/roadmap/reports/{item['id']}/review",
                       json={"decision": "approve"}, headers=headers).status_code == 409


def test_a_returned_report_mails_the_comment_and_can_be_sent_again(
    client: TestClient, session: Session, smtp_server: SmtpServer, clock: Clock
) -> None:
    headers, _malay, english = _roadmap(client, session)
    period = open_period(client, headers)
    link = _first_link(client, session, smtp_server, english)
    client.post(link, data=report_form(guard_of(client.get(link).text), progress="90"))
    [item] = [i for i in client.get(f"/api/v1/roadmap/periods/{period['id']}/reports",
                                    headers=headers).json() if i["state"] == "submitted"]

    returned = client.post(f"/api/v1/roadmap/reports/{item['id']}/review",
                           json={"decision": "return", "comment": "Please attach the list."},
                           headers=headers)

    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    mails = _mails(smtp_server, session, english.contact_email)
    assert len(mails) == 2 and "Please attach the list." in mails[1]
    assert links_in(mails[1]) == [link]  # the same link as the request's
    page = client.get(link)
    assert "Please attach the list." in page.text and 'value="90"' in page.text
    assert _public(client)["pillars"][0]["reported"] == 0

    clock.set(dt.datetime(2023, 8, 1, 9, 0, tzinfo=MALAYSIA))  # after the due date
    again = client.post(link, data=report_form(guard_of(page.text), progress="80"),
                        follow_redirects=False)

    assert again.status_code == 303
    # First sent in time: sending it again after the due date does not make it late.
    [resent] = [i for i in client.get(f"/api/v1/roadmap/periods/{period['id']}/reports",
                                      headers=headers).json() if i["id"] == item["id"]]
    assert (resent["state"], resent["late"], resent["progress"]) == ("submitted", False, 80)
    assert client.post(f"/api/v1/roadmap/reports/{item['id']}/review",
                       json={"decision": "approve"}, headers=headers).status_code == 200
    [reported] = [c for c in _public(client)["commitments"] if c["reports"]]
    assert reported["progress"] == 80
    actions = [entry.action for entry in session.scalars(select(AuditLog))]
    assert "roadmap_report_returned" in actions and "roadmap_report_approved" in actions


def test_the_roll_up_is_the_weighted_mean_over_reported_commitments_only(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    assert weighted_progress([(1, 60), (3, 20), (2, None)]) == 30
    headers, malay, _english = _roadmap(client, session)
    period = open_period(client, headers)
    [text] = _mails(smtp_server, session, malay.contact_email)
    for link, progress in zip(links_in(text), ("60", "20"), strict=True):
        client.post(link, data=report_form(guard_of(client.get(link).text), progress=progress))
    for item in client.get(f"/api/v1/roadmap/periods/{period['id']}/reports",
                           headers=headers).json():
        if item["state"] == "submitted":
            client.post(f"/api/v1/roadmap/reports/{item['id']}/review",
                        json={"decision": "approve"}, headers=headers)

    document = _public(client)

    [outcome] = document["outcomes"]
    assert (outcome["progress"], outcome["reported"], outcome["commitments"]) == (30, 2, 4)
    [pillar] = [p for p in document["pillars"] if p["code"] == "prevention"]
    assert (pillar["progress"], pillar["reported"]) == (30, 2)
    csv_text = client.get("/roadmap.csv").text
    assert ",substantial,60" in csv_text and ",substantial,20" in csv_text
    page = client.get("/roadmap").text
    assert '<progress max="100" value="30.0"' in page


def test_one_reminder_goes_before_the_due_date_to_the_leads_still_to_report(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers, malay, english = _roadmap(client, session)
    open_period(client, headers)  # due 15 July 2023; reminders 7 days before
    link = _first_link(client, session, smtp_server, english)
    client.post(link, data=report_form(guard_of(client.get(link).text)))
    _mails(smtp_server, session, malay.contact_email)

    run_due(session=session, now=dt.datetime(2023, 7, 7, 9, tzinfo=MALAYSIA))  # too early
    assert session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "roadmap_report_reminder")).all() == []
    for day in (8, 9, 14):
        run_due(session=session, now=dt.datetime(2023, 7, day, 9, tzinfo=MALAYSIA))

    deliver_due(session=session, settings=smtp_server.settings())
    to_malay = smtp_server.handler.to(malay.contact_email)
    assert len(to_malay) == 2 and "Peringatan" in to_malay[1].message["Subject"]
    assert links_in(to_malay[1].text) == links_in(to_malay[0].text)
    # The English lead has sent its only report: no reminder.
    assert len(smtp_server.handler.to(english.contact_email)) == 1


def test_the_derived_roadmap_is_kept_until_a_review_changes_it(
    client: TestClient, session: Session, smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(public_cache, "ENABLED_IN_TESTS", True)
    monkeypatch.setattr(public_cache, "_current", None)
    headers, malay, _english = _roadmap(client, session)
    period = open_period(client, headers)
    link = _first_link(client, session, smtp_server, malay)
    client.post(link, data=report_form(guard_of(client.get(link).text)))
    first = client.get("/roadmap?lang=en").text
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", count)
    try:
        assert client.get("/roadmap?lang=en").text == first
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", count)
    # Only the version was asked for: nothing was rebuilt.
    assert len([s for s in statements if s.startswith("SELECT")]) == 1, statements
    assert "Three workshops held." not in first

    [item] = [i for i in client.get(f"/api/v1/roadmap/periods/{period['id']}/reports",
                                    headers=headers).json() if i["state"] == "submitted"]
    client.post(f"/api/v1/roadmap/reports/{item['id']}/review", json={"decision": "approve"},
                headers=headers)

    assert "Three workshops held." in client.get("/roadmap?lang=en").text
    assert _public(client)["pillars"][0]["reported"] == 1
