"""The roadmap's spreadsheet round trip: export, change in Excel, import all or nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditLog, RoadmapCommitment
from tests.conftest import ROOT
from tests.roadmap_helpers import create_commitment, create_outcome
from tests.staff_helpers import registration
from tests.workshop_helpers import api_token

pytestmark = pytest.mark.usefixtures("staff_ready")
COLUMNS = ["code", "outcome", "title_ms", "title_en", "description_ms", "description_en",
           "lead_reference", "lead_name", "partners", "starts_on", "ends_on", "weight"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HOSTILE = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def headers(client: TestClient, session: Session) -> dict[str, str]:
    """An administrator's token, with a roadmap of two outcomes and three commitments."""
    admin = api_token(session)
    lead, partner = registration(session), registration(session)
    create_outcome(client, admin)
    create_outcome(client, admin, number="2.1", pillar="protection")
    create_commitment(client, admin)
    create_commitment(client, admin, code="1.1.2", title_en=HOSTILE,
                      lead={"reference": lead.reference}, partners=[partner.reference])
    create_commitment(client, admin, code="2.1.1", outcome="2.1", title_ms="Perlindungan 中文 தமிழ்",
                      description_en="", weight=1)
    return admin


def _rows_of_xlsx(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)]


def _xlsx(rows: list[list[str]], formulas: bool = False) -> bytes:
    """Write the rows as text, as Excel keeps typed text; `formulas` writes "=…" as formulas."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, row in enumerate(rows, 1):
        for column, value in enumerate(row, 1):
            cell = sheet.cell(number, column, value)
            if not formulas:
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode()


def _import(client: TestClient, headers: dict[str, str], name: str, content: bytes,
            media_type: str = XLSX) -> tuple[int, dict[str, Any]]:
    response = client.post("/api/v1/roadmap/import", files={"file": (name, content, media_type)},
                           headers=headers)
    return response.status_code, response.json()


def _stored(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    return [(c.code, c.title_ms, c.title_en, c.description_en, c.lead_name, c.ends_on, c.weight,
             [p.registration_id for p in c.partner_rows], c.updated_at)
            for c in session.scalars(select(RoadmapCommitment).order_by(RoadmapCommitment.code))]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_an_unchanged_export_imports_back_changing_nothing(
    client: TestClient, session: Session, headers: dict[str, str], file_format: str
) -> None:
    before = _stored(session)
    exported = client.get(f"/api/v1/roadmap/commitments.{file_format}", headers=headers)
    assert exported.status_code == 200
    assert exported.headers["cache-control"] == "no-store"

    status, counts = _import(client, headers, f"roadmap.{file_format}", exported.content)

    assert (status, counts) == (200, {"created": 0, "updated": 0, "unchanged": 3})
    assert _stored(session) == before
    assert session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "roadmap_commitment_changed")) == 0


def test_the_export_names_the_api_fields_and_never_runs_a_formula(
    client: TestClient, headers: dict[str, str]
) -> None:
    workbook = client.get("/api/v1/roadmap/commitments.xlsx", headers=headers)
    text = client.get("/api/v1/roadmap/commitments.csv", headers=headers)

    rows = _rows_of_xlsx(workbook.content)
    assert rows[0] == COLUMNS
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    assert sheet["D3"].data_type == "s" and sheet["D3"].value == HOSTILE  # a string, not a formula
    assert [row[0] for row in rows[1:]] == ["1.1.1", "1.1.2", "2.1.1"]
    assert text.content.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads UTF-8
    csv_rows = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert csv_rows[0] == COLUMNS
    assert csv_rows[2][3] == "'" + HOSTILE
    assert "中文 தமிழ்" in csv_rows[3][2]


def test_an_import_creates_and_updates_and_says_how_many(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    rows = _rows_of_xlsx(client.get("/api/v1/roadmap/commitments.xlsx", headers=headers).content)
    rows[1][3] = "Awareness campaigns in every state"
    rows.append(["2.1.2", "2.1", "Rumah perlindungan", "Shelters", "", "", "", "Majlis Anti",
                 "", "2024-01-01", "2024-12-31", ""])

    status, counts = _import(client, headers, "roadmap.xlsx", _xlsx(rows))

    assert (status, counts) == (200, {"created": 1, "updated": 1, "unchanged": 2}), counts
    stored = {c.code: c for c in session.scalars(select(RoadmapCommitment))}
    assert stored["1.1.1"].title_en == "Awareness campaigns in every state"
    assert stored["2.1.2"].weight == 1 and stored["2.1.2"].lead_name == "Majlis Anti"
    assert session.scalar(select(AuditLog.row_count).where(
        AuditLog.action == "roadmap_imported")) == 4


@pytest.mark.parametrize(("change", "column", "words"), [
    ({1: "9.9"}, "outcome", "No outcome has the number 9.9"),
    ({6: "ZZZZ9999", 7: ""}, "lead_reference", "No registration has the reference ZZZZ9999"),
    ({8: "ZZZZ9999"}, "partners", "No registration has the reference ZZZZ9999"),
    ({9: "31/12/2023"}, "starts_on", "Give a date like 2023-01-31"),
    ({10: "soon"}, "ends_on", "Give a date like 2023-01-31"),
    ({0: "1.1.1"}, "code", "The code 1.1.1 is on an earlier row too"),
    ({11: "heavy"}, "weight", "Give a whole number from 1 to 100"),
    ({6: "", 7: ""}, "lead_reference", "not both"),
    ({3: "Tab\tinside"}, "title_en", "control characters"),
])
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_one_bad_row_refuses_the_whole_file_naming_its_row_and_column(
    client: TestClient, session: Session, headers: dict[str, str], file_format: str,
    change: dict[int, str], column: str, words: str
) -> None:
    before = _stored(session)
    rows = _rows_of_xlsx(client.get("/api/v1/roadmap/commitments.xlsx", headers=headers).content)
    rows[1][3] = "A change that must not be saved"
    rows.append(["3.0.1", "1.1", "Baru", "New", "", "", "", "Jabatan", "", "2024-01-01",
                 "2024-12-31", "1"])
    for index, value in change.items():
        rows[-1][index] = value
    content = _xlsx(rows) if file_format == "xlsx" else _csv(rows)

    status, body = _import(client, headers, f"roadmap.{file_format}", content, "text/csv")

    assert status == 422, body
    assert body["detail"] == [{"row": 5, "column": column, "msg": body["detail"][0]["msg"]}]
    assert words in body["detail"][0]["msg"]
    assert _stored(session) == before


def test_every_bad_row_is_listed(client: TestClient, headers: dict[str, str]) -> None:
    rows = [COLUMNS,
            ["1.1.7", "9.9", "T", "T", "", "", "", "Jabatan", "", "2024-01-01", "2024-12-31", "1"],
            ["1.1.8", "1.1", "T", "T", "", "", "", "Jabatan", "", "2024-13-01", "2024-12-31", "1"],
            ["1.1.9", "1.1", "T", "", "", "", "", "Jabatan", "", "2024-01-01", "2023-12-31", "1"]]

    status, body = _import(client, headers, "roadmap.csv", _csv(rows), "text/csv")

    assert status == 422
    assert [(p["row"], p["column"]) for p in body["detail"]] == [
        (2, "outcome"), (3, "starts_on"), (4, "title_en")]


@pytest.mark.parametrize(("name", "content", "words"), [
    ("roadmap.xlsx", b"code,outcome\n1.1.1,1.1\n", "not an Excel workbook"),
    ("roadmap.xlsx", b"PK\x03\x04 not really a zip", "not an Excel workbook"),
    ("roadmap.csv", b"PK\x03\x04\x14\x00", "not a CSV file"),
    ("roadmap.csv", "code;outcome\n".encode("utf-16"), "not a CSV file"),
    ("roadmap.txt", b"code,outcome\n", ".xlsx or a .csv"),
    ("roadmap.csv", b"code,outcome,colour\n", "no column named title_ms"),
    ("roadmap.csv", b"", "no commitments"),
])
def test_a_file_that_is_not_what_its_name_says_is_refused(
    client: TestClient, headers: dict[str, str], name: str, content: bytes, words: str
) -> None:
    status, body = _import(client, headers, name, content, "application/octet-stream")

    assert status == 422
    assert any(words in problem["msg"] for problem in body["detail"]), body


def test_a_formula_is_never_read_as_text(client: TestClient, session: Session,
                                         headers: dict[str, str]) -> None:
    rows = _rows_of_xlsx(client.get("/api/v1/roadmap/commitments.xlsx", headers=headers).content)
    rows[1][3] = "=CONCAT(\"a\",\"b\")"  # openpyxl stores it as a formula with no cached value
    rows[2][3] = "Plain text"

    status, body = _import(client, headers, "roadmap.xlsx", _xlsx(rows, formulas=True))

    assert status == 422
    assert body["detail"] == [{"row": 2, "column": "title_en", "msg": "Fill this in"}]


def test_a_file_over_the_limit_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    padded = _csv([COLUMNS]) + b"#" * (1024 * 1024)
    status, body = _import(client, headers, "roadmap.csv", padded, "text/csv")
    assert status == 422 and "larger than 1 MB" in str(body)
    response = client.post("/api/v1/roadmap/import", headers=headers, files={
        "file": ("roadmap.csv", b"x" * (3 * 1024 * 1024), "text/csv")})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than 1 MiB."}


def test_import_and_export_need_a_token_and_import_an_administrator(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    viewer = api_token(session, role="viewer")
    exported = client.get("/api/v1/roadmap/commitments.csv", headers=viewer)
    assert exported.status_code == 200
    assert _import(client, viewer, "roadmap.csv", exported.content, "text/csv")[0] == 403
    assert client.post("/api/v1/roadmap/import", files={
        "file": ("roadmap.csv", exported.content, "text/csv")}).status_code == 401
    assert client.get("/api/v1/roadmap/commitments.xlsx").status_code == 401


def test_the_documented_sample_imports(client: TestClient, session: Session) -> None:
    admin = api_token(session)
    create_outcome(client, admin)
    create_outcome(client, admin, number="2.1", pillar="protection")
    sample = (ROOT / "docs" / "roadmap-sample.csv").read_bytes()
    status, counts = _import(client, admin, "roadmap-sample.csv", sample, "text/csv")
    assert (status, counts) == (200, {"created": 3, "updated": 0, "unchanged": 0})
