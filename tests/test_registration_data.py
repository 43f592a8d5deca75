"""A registration's data as JSON through its private link: everything held, nothing of another."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.models import RoadmapCommitment, RoadmapEvidence, RoadmapReport
from app.models.base import Base
from app.services.mailer import deliver_due
from app.services.private_links import form_guard, manage_token
from app.services.registration.resend import resend_confirmation
from app.services.registration_data import NOT_ABOUT_IT, WITHHELD
from tests.day_helpers import accepted
from tests.report_helpers import open_period
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.smtp import SmtpServer
from tests.staff_helpers import registration
from tests.workshop_helpers import NOW, create_workshop, invite, invited


def _tables_about_a_registration() -> set[str]:
    """Every table whose rows belong to a registration, directly or through another."""
    about = {"registration"}
    grown = True
    while grown:
        grown = False
        for table in Base.metadata.sorted_tables:
            if table.name not in about and any(
                    fk.column.table.name in about and fk.column.table.name != "staff_user"
                    for fk in table.foreign_keys):
                # A workshop's own rows (its working groups) are not about a registration.
                if all(fk.column.table.name == "workshop" for fk in table.foreign_keys):
                    continue
                about.add(table.name)
                grown = True
    return about - set(NOT_ABOUT_IT)


def test_the_document_holds_every_column_of_every_table_about_the_registration(
    client: TestClient, session: Session, smtp_server: SmtpServer
) -> None:
    mine = invited(client, session, organisation_name="Persatuan Pekerja Ladang",
                   contact_email="ladang@example.org.my")
    other = registration(session, organisation_name="Kesatuan Lain",
                         contact_email="lain@example.org.my", contact_name="Orang Lain")
    invite(client, mine.headers, mine.workshop_id, other.reference)
    second = create_workshop(client, mine.headers, title_en="Follow-up workshop")
    [siti] = accepted(session, second, mine.registration, "Siti binti Osman")
    siti.checked_in_at = NOW
    accepted(session, create_workshop(client, mine.headers, title_en="Third"), other,
             "Someone Else")
    resend_confirmation(session=session, reference=mine.registration.reference, now=NOW,
                        actor="staff:1")
    declined = client.post(mine.path, data={"guard": form_guard(mine.token), "answer": "decline",
                                            "decline_reason": "Mesyuarat agung"})
    assert declined.status_code == 200, declined.text
    # The roadmap: it leads one commitment and is a partner in another.
    create_outcome(client, mine.headers)
    create_commitment(client, mine.headers, code="1.1.1",
                      lead={"reference": mine.registration.reference})
    create_commitment(client, mine.headers, code="1.1.2", partners=[mine.registration.reference])
    open_period(client, mine.headers)  # a report requested of each commitment's lead
    [report] = session.scalars(select(RoadmapReport).join(RoadmapCommitment).where(
        RoadmapCommitment.code == "1.1.1"))
    session.add(RoadmapEvidence(report_id=report.id, filename="laporan.pdf",
                                content_type="application/pdf", size=4, content=b"%PDF",
                                created_at=NOW))
    session.flush()
    deliver_due(session=session, settings=smtp_server.settings())

    page = client.get(f"/manage/{manage_token(mine.registration)}")
    found = re.search(r'href="(/manage/[^"]+/data\.json)"', page.text)
    assert found is not None
    response = client.get(found.group(1))

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="alliance87-{mine.registration.reference}.json"')
    document = response.json()
    for table in _tables_about_a_registration() | {"audit_log"}:
        columns = {column.name for column in _table(table).columns}
        shown = set(WITHHELD.get(table, {}))
        rows = document[table] if isinstance(document[table], list) else [document[table]]
        assert rows, f"{table}: no rows in the document"
        for row in rows:
            assert columns - shown <= set(row), f"{table}: {columns - shown - set(row)} missing"
            assert not shown & set(row), f"{table}: withheld {shown & set(row)} shown"
    assert document["registration"]["contact_email"] == "ladang@example.org.my"
    assert document["representative"][0]["full_name"] == "Siti binti Osman"
    assert document["representative"][0]["checked_in_at"] is not None
    assert {row["kind"] for row in document["outbox_mail"]} >= {"workshop_invitation"}
    assert {row["status"] for row in document["outbox_mail"]} == {"sent"}
    assert "confirmation_resent" in [entry["action"] for entry in document["audit_log"]]
    assert [row["reason"] for row in document["reply_notice"]] == ["Mesyuarat agung"]
    assert [row["code"] for row in document["roadmap_commitment"]] == ["1.1.1"]
    assert len(document["roadmap_partner"]) == 1
    assert [row["commitment_id"] for row in document["roadmap_report"]] == [report.commitment_id]
    assert [row["filename"] for row in document["roadmap_evidence"]] == ["laporan.pdf"]
    assert "confirmation_resent" in [row["action"] for row in document["registration_event"]]
    assert {row["workshop"]["title_en"] for row in document["invitation"]} == {
        "Strategic planning workshop", "Follow-up workshop"}
    text = response.text
    for foreign in (other.reference, "Kesatuan Lain", "lain@example.org.my", "Orang Lain",
                    "Someone Else"):
        assert foreign not in text
    assert manage_token(mine.registration) not in text
    assert str(mine.registration.link_nonce) not in text


def test_audit_entries_about_it_are_included(
    client: TestClient, session: Session
) -> None:
    mine = registration(session, contact_email="audit@example.org.my")
    form = client.get("/link")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post("/link", data={"email": "audit@example.org.my", "form_token": token.group(1)})

    document = client.get(f"/manage/{manage_token(mine)}/data.json").json()

    assert [entry["action"] for entry in document["audit_log"]] == ["links_requested"]
    assert document["audit_log"][0]["detail"] == {"references": [mine.reference]}
    assert [row["kind"] for row in document["outbox_mail"]] == ["manage_links"]


def test_a_wrong_link_gets_no_data(client: TestClient) -> None:
    response = client.get("/manage/" + "A" * 43 + "/data.json")
    assert response.status_code == 404
    assert "application/json" not in response.headers["content-type"]


def _table(name: str) -> Table:
    return Base.metadata.tables[name]
