"""The back office's reporting: open a period, see its reports, review one beside the last."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, OutboxMail, RoadmapReport
from app.services.mailer import deliver_due
from tests.report_helpers import guard_of, links_in, report_form
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.smtp import SmtpServer
from tests.staff_helpers import registration, sign_in, staff_user
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")
PERIOD_FORM = {"label": "2023 H1", "starts_on": "2023-01-01", "ends_on": "2023-06-30",
               "due_on": "2023-07-15"}


def test_staff_open_a_period_and_return_a_report_with_a_comment(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    headers = api_token(session)
    lead = registration(session, contact_email="lead@example.org.my", preferred_language="en")
    create_outcome(client, headers)
    create_commitment(client, headers, lead={"reference": lead.reference})
    csrf = sign_in(client, staff_user(session))

    refused = client.post("/staff/roadmap/periods", data={**PERIOD_FORM, "ends_on": "2022-01-01",
                                                          "csrf_token": csrf})
    assert refused.status_code == 422
    assert "Tarikh tamat tidak boleh sebelum tarikh mula." in refused.text
    assert 'value="2023-07-15"' in refused.text
    opened = client.post("/staff/roadmap/periods", data={**PERIOD_FORM, "csrf_token": csrf})

    assert opened.status_code == 200 and "1 e-mel permintaan" in opened.text
    outbox = client.get("/staff/outbox")
    assert "Progress report requested: 2023 H1" in outbox.text
    deliver_due(session=session, settings=smtp_server.settings())
    [request] = smtp_server.handler.to(lead.contact_email)
    [link] = links_in(request.text)
    client.post(link, data=report_form(guard_of(client.get(link).text), progress="45"))
    report = session.scalars(select(RoadmapReport)).one()
    page = client.get(f"/staff/roadmap/reports/{report.id}")
    assert page.status_code == 200 and "45%" in page.text
    assert "Kembalikan kepada peneraju" in page.text

    no_comment = client.post(f"/staff/roadmap/reports/{report.id}/review",
                             data={"decision": "return", "csrf_token": csrf})
    assert no_comment.status_code == 422
    returned = client.post(f"/staff/roadmap/reports/{report.id}/review",
                           data={"decision": "return", "comment": "Add the attendance list.",
                                 "csrf_token": csrf})

    assert returned.status_code == 200
    session.refresh(report)
    assert report.state == "returned"
    assert session.scalars(select(OutboxMail).where(
        OutboxMail.kind == "roadmap_report_returned")).one().roadmap_report_id == report.id
    listing = client.get(f"/staff/roadmap/periods/{report.period_id}")
    assert "Dikembalikan untuk pindaan" in listing.text


def test_staff_enter_the_report_of_a_body_that_never_registered(
    client: TestClient, session: Session
) -> None:
    headers = api_token(session)
    create_outcome(client, headers)
    create_commitment(client, headers, lead={"name": "Jabatan Tenaga Kerja"})
    csrf = sign_in(client, staff_user(session))
    client.post("/staff/roadmap/periods", data={**PERIOD_FORM, "csrf_token": csrf})
    report = session.scalars(select(RoadmapReport)).one()
    assert "/enter" in client.get(f"/staff/roadmap/reports/{report.id}").text
    form = {"status": "limited", "progress": "abc", "narrative_ms": "Dua taklimat.",
            "evidence_url-0": "https://example.gov.my/taklimat", "csrf_token": csrf}

    refused = client.post(f"/staff/roadmap/reports/{report.id}/enter", data=form)
    assert refused.status_code == 422 and "Dua taklimat." in refused.text
    entered = client.post(f"/staff/roadmap/reports/{report.id}/enter",
                          data={**form, "progress": "25"}, follow_redirects=False)

    assert entered.status_code == 303
    session.refresh(report)
    assert (report.state, report.progress, report.urls) == (
        "submitted", 25, ["https://example.gov.my/taklimat"])
    assert session.scalars(select(AuditLog).where(
        AuditLog.action == "roadmap_report_entered")).one()
    assert client.post(f"/staff/roadmap/reports/{report.id}/review", data={
        "decision": "approve", "csrf_token": csrf}).status_code == 200
    assert client.get("/roadmap.json").json()["commitments"][0]["progress"] == 25
