"""The public roadmap (SPEC 8.3): the page in both languages, and its open data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.models import Registration, RoadmapCommitment
from app.roadmap.publication.public import roadmap_document, weighted_progress
from app.services import purge
from app.services.phone_display import display_phone
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")
DOCUMENTS = ("/roadmap.json", "/api/v1/roadmap", "/roadmap.csv")


@pytest.fixture
def roadmap(client: TestClient, session: Session) -> dict[str, Any]:
    """A roadmap with a registered lead, a partner and a named body, on two pillars."""
    headers = api_token(session)
    lead = registration(session, organisation_name="Majlis Kesatuan Sekerja Malaysia",
                        contact_name="Siti Hajar binti Osman", contact_email="siti@mtuc.org.my",
                        contact_phone="+60 3-7865 1234", contact_designation="Setiausaha Agung")
    partner = registration(session, organisation_name="Tenaganita Berhad",
                           contact_name="Rajesh a/l Kumar", contact_email="rajesh@tng.org.my",
                           contact_phone="019-876 5432", contact_designation="Program Officer")
    create_outcome(client, headers)
    create_outcome(client, headers, number="2.1", pillar="protection", baseline="",
                   baseline_year=None, target="", target_year=None)
    create_commitment(client, headers)
    create_commitment(client, headers, code="2.1.1", outcome="2.1",
                      lead={"reference": lead.reference}, partners=[partner.reference])
    return {"lead": lead, "partner": partner, "headers": headers}


def test_the_page_shows_each_pillar_its_outcomes_and_commitments_in_malay(
    client: TestClient, roadmap: dict[str, Any]
) -> None:
    page = client.get("/roadmap")

    assert page.status_code == 200
    assert '<html lang="ms">' in page.text
    for words in ("Pelan Hala Tuju", "Pencegahan", "Perlindungan", "Pendakwaan dan Penguatkuasaan",
                  "Kesedaran awam tentang buruh paksa meningkat",
                  "Peratus majikan yang mengetahui indikator ILO", "12% (2021)", "50% (2025)",
                  "Kempen kesedaran di negeri-negeri",
                  "Jabatan Tenaga Kerja Semenanjung Malaysia",
                  "Majlis Kesatuan Sekerja Malaysia", "Tenaganita Berhad",
                  "1 Januari 2023", "31 Disember 2025", "Belum dilaporkan"):
        assert words in page.text, words
    assert 'href="/roadmap.json"' in page.text and 'href="/roadmap.csv"' in page.text


def test_the_page_is_in_english_on_request(client: TestClient,
                                           roadmap: dict[str, Any]) -> None:
    page = client.get("/roadmap?lang=en")

    assert '<html lang="en">' in page.text
    for words in ("Roadmap", "Partnership and Strategic Collaboration",
                  "Public awareness of forced labour rises", "Awareness campaigns in the states",
                  "1 January 2023", "Not yet reported"):
        assert words in page.text, words


def test_the_form_links_to_the_roadmap(client: TestClient) -> None:
    assert 'href="/roadmap"' in client.get("/").text


def _personal_values(session: Session) -> list[str]:
    values = []
    for row in session.scalars(select(Registration)):
        values += [row.contact_name, row.contact_email, row.contact_phone,
                   display_phone(row.contact_phone), row.contact_designation, row.address]
    return [value for value in values if value]


def test_no_persons_name_email_or_phone_is_on_the_page_or_in_the_documents(
    client: TestClient, session: Session, roadmap: dict[str, Any]
) -> None:
    personal = _personal_values(session)
    assert len(personal) >= 10
    for path in ("/roadmap", "/roadmap?lang=en", *DOCUMENTS):
        text = client.get(path).text
        for value in personal:
            assert value not in text, (path, value)
            assert json.dumps(value)[1:-1] not in text, (path, value)


def test_the_json_documents_are_the_same_and_follow_their_schema(
    client: TestClient, roadmap: dict[str, Any]
) -> None:
    document = client.get("/roadmap.json")
    schema = client.get("/roadmap.schema.json")

    assert document.content == client.get("/api/v1/roadmap").content
    assert document.headers["content-type"].startswith("application/json")
    jsonschema_rs.validator_for(schema.json()).validate(document.json())
    body = document.json()
    assert [p["code"] for p in body["pillars"]] == [
        "prevention", "protection", "prosecution_enforcement", "partnership"]
    assert body["pillars"][0] | {"title_ms": "", "title_en": ""} == {
        "code": "prevention", "title_ms": "", "title_en": "", "progress": None,
        "commitments": 1, "reported": 0}
    assert [(o["number"], o["commitments"]) for o in body["outcomes"]] == [("1.1", 1), ("2.1", 1)]
    second = body["commitments"][1]
    assert (second["code"], second["outcome"], second["status"], second["progress"],
            second["reports"]) == ("2.1.1", "2.1", "not_reported", None, [])
    assert second["lead"] == {"name": "Majlis Kesatuan Sekerja Malaysia", "registered": True,
                              "withdrawn": False}
    assert body["commitments"][0]["lead"]["registered"] is False


def test_an_empty_roadmap_follows_the_schema_too(client: TestClient) -> None:
    schema = client.get("/roadmap.schema.json").json()
    document = client.get("/roadmap.json").json()
    jsonschema_rs.validator_for(schema).validate(document)
    assert document["commitments"] == [] and len(document["pillars"]) == 4
    assert client.get("/roadmap").status_code == 200


@pytest.mark.parametrize("path", [*DOCUMENTS, "/roadmap.schema.json"])
def test_open_data_is_cacheable_and_revalidated_with_its_etag(
    client: TestClient, roadmap: dict[str, Any], path: str
) -> None:
    first = client.get(path)
    tag = first.headers["etag"]

    assert first.headers["cache-control"].startswith("public, max-age=")
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_any_change_to_the_roadmap_changes_the_etag(
    client: TestClient, session: Session, roadmap: dict[str, Any]
) -> None:
    headers = roadmap["headers"]
    tags = [client.get("/roadmap.json").headers["etag"]]
    commitment_id = session.scalar(select(RoadmapCommitment.id).where(
        RoadmapCommitment.code == "1.1.1"))
    client.patch(f"/api/v1/roadmap/commitments/{commitment_id}", json={"weight": 3},
                 headers=headers)
    tags.append(client.get("/roadmap.json").headers["etag"])
    roadmap["partner"].organisation_name = "Tenaganita"
    session.commit()
    tags.append(client.get("/roadmap.json").headers["etag"])

    assert len(set(tags)) == 3
    assert client.get("/roadmap.json", headers={"If-None-Match": tags[0]}).status_code == 200


def test_the_csv_names_organisations_one_row_per_commitment(
    client: TestClient, roadmap: dict[str, Any]
) -> None:
    response = client.get("/roadmap.csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["code", "outcome", "pillar"]
    assert [row[0] for row in rows[1:]] == ["1.1.1", "2.1.1"]
    assert rows[2][5:7] == ["Majlis Kesatuan Sekerja Malaysia", "Tenaganita Berhad"]
    assert rows[2][10] == "not_reported"


def test_a_withdrawn_organisations_commitment_stays_marked_and_survives_purge(
    client: TestClient, session: Session, roadmap: dict[str, Any]
) -> None:
    lead = roadmap["lead"]
    lead.withdrawn_at = dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
    session.commit()
    marked = client.get("/roadmap.json").json()["commitments"][1]
    assert marked["lead"] == {"name": "Majlis Kesatuan Sekerja Malaysia", "registered": True,
                              "withdrawn": True}
    assert "Ditarik balik" in client.get("/roadmap").text

    purge.purge(session=session, now=dt.datetime(2023, 4, 1, tzinfo=dt.UTC), keep_for=None)
    session.commit()

    document = client.get("/roadmap.json").json()
    assert [c["code"] for c in document["commitments"]] == ["1.1.1", "2.1.1"]
    assert document["commitments"][1]["lead"] == {"name": None, "registered": True,
                                                  "withdrawn": True}
    assert document["commitments"][1]["partners"][0]["name"] == "Tenaganita Berhad"
    page = client.get("/roadmap?lang=en").text
    assert "An organisation that has withdrawn" in page and "[erased]" not in page


def test_progress_rolls_up_as_the_weighted_mean_of_those_reported() -> None:
    assert weighted_progress([]) is None
    assert weighted_progress([(1, None), (5, None)]) is None
    assert weighted_progress([(1, 100.0), (3, 0.0), (9, None)]) == 25.0


def test_the_document_is_built_from_two_queries(session: Session,
                                               roadmap: dict[str, Any]) -> None:
    # The roadmap (outcomes, commitments, leads, partners), then the approved reports with
    # their files' names: two, however many commitments and reports there are.
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        document = roadmap_document(session=session)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(document["commitments"]) == 2
    selects = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(selects) == 2, statements
