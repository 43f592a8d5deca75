"""After the workshop (SPEC 7.3): the desk's PDF, the roadmap contributors and attendance."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditLog, Representative
from app.services import working_groups
from tests.day_helpers import accepted
from tests.staff_helpers import registration, sign_in, staff_user
from tests.system_tools import system_tool
from tests.workshop_helpers import NOW, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")
MALAY = "Nur Aisyah binti Ahmad"
CHINESE = "陈美玲"
TAMIL = "முருகன் சுப்பிரமணியம்"
HOSTILE = '<script>alert("x")</script> Ahmad'


def _arrive(session: Session, *people: Representative) -> None:
    for person in people:
        person.checked_in_at = NOW
    session.commit()


def _day(session: Session) -> tuple[int, dict[str, Representative]]:
    """A workshop with three organisations; Malay, Chinese, Tamil and hostile names."""
    workshop_id = stored_workshop(session, capacity=20)
    working_groups.create_default_groups(session=session, workshop_id=workshop_id,
                                         staff_user_id=None, now=NOW)
    malay_org = registration(session, organisation_name="Jabatan Tenaga Kerja",
                             category="public_organisation", state="selangor",
                             pillars=["prevention"])
    chinese_org = registration(session, organisation_name="=HYPERLINK(\"http://x\")",
                               category="private_organisation", state="pulau_pinang",
                               pillars=["protection", "partnership"])
    absent_org = registration(session, organisation_name="Persatuan Tidak Hadir",
                              category="cso", state="sabah", pillars=["prevention"])
    aisyah, _hostile = accepted(session, workshop_id, malay_org, MALAY, HOSTILE)
    chen, murugan = accepted(session, workshop_id, chinese_org, CHINESE, TAMIL)
    (nobody,) = accepted(session, workshop_id, absent_org, "Ah Kow")
    groups = {group.pillar: group.id for group in
              working_groups.list_groups(session=session, workshop_id=workshop_id)}
    working_groups.move_people(session=session, workshop_id=workshop_id,
                               representative_ids=[aisyah.id],
                               group_id=groups["prevention"], staff_user_id=None, now=NOW)
    working_groups.move_people(session=session, workshop_id=workshop_id,
                               representative_ids=[chen.id, murugan.id],
                               group_id=groups["protection"], staff_user_id=None, now=NOW)
    session.commit()
    _arrive(session, aisyah, chen)
    return workshop_id, {"aisyah": aisyah, "chen": chen, "murugan": murugan, "nobody": nobody}


def _exports(session: Session) -> list[dict[str, Any]]:
    session.expire_all()
    return [json.loads(entry.detail) for entry in
            session.scalars(select(AuditLog).where(AuditLog.action == "export"))]


def test_the_desk_pdf_is_downloaded_from_the_workshop_page_and_logged(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    workshop_id, _people = _day(session)
    sign_in(client, staff_user(session, role="viewer"))

    page = client.get(f"/staff/workshops/{workshop_id}?lang=en")
    pdf = client.get(f"/staff/workshops/{workshop_id}/desk.pdf?lang=ms")

    assert f'href="/staff/workshops/{workshop_id}/desk.pdf"' in page.text
    assert "Sign-in sheet and name badges (PDF)" in page.text
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    path = tmp_path / "desk.pdf"
    path.write_bytes(pdf.content)
    text = " ".join(subprocess.run(
        [system_tool("pdftotext", "poppler-utils"), str(path), "-"],
        capture_output=True, check=True, text=True).stdout.split())
    for name in (MALAY, CHINESE, TAMIL, "Ah Kow", "Helaian daftar masuk", "Pencegahan"):
        assert name in text, name
    assert '<script>alert("x")</' in text  # printed as text, not read as markup
    # Page 1 renders as a picture (the one a person looks at when the layout changes).
    subprocess.run([system_tool("pdftoppm", "poppler-utils"), "-png", "-r", "60", "-f", "1",
                    "-l", "1", str(path), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))
    logged = _exports(session)
    assert logged == [{"format": "pdf", "via": "page", "language": "ms",
                       "filters": {"workshop": str(workshop_id), "list": "desk"}}]


def test_the_roadmap_contributors_list_holds_only_organisations_that_attended(
    client: TestClient, session: Session
) -> None:
    workshop_id, _people = _day(session)
    sign_in(client, staff_user(session))

    as_csv = client.get(f"/staff/workshops/{workshop_id}/contributors.csv?lang=en")
    as_xlsx = client.get(f"/staff/workshops/{workshop_id}/contributors.xlsx?lang=ms")
    unknown = client.get(f"/staff/workshops/{workshop_id}/contributors.pdf")
    missing = client.get("/staff/workshops/999999/contributors.csv")

    assert as_csv.status_code == 200 and as_xlsx.status_code == 200
    assert unknown.status_code == 404 and missing.status_code == 404
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0] == ["Reference", "Organisation", "Category", "Representatives who attended",
                       "Working groups", "Pillars"]
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Jabatan Tenaga Kerja", "'=HYPERLINK(\"http://x\")"}
    employer = by_name["'=HYPERLINK(\"http://x\")"]
    assert employer[3] == CHINESE  # Murugan did not come
    assert employer[4] == "Protection"
    assert employer[5] == "Protection; Partnership and Strategic Collaboration"
    assert by_name["Jabatan Tenaga Kerja"][3] == MALAY
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][1] == "Organisasi" and len(cells) == 3
    assert all(cell.data_type == "s" for row in sheet.iter_rows(min_row=2) for cell in row
               if cell.value is not None)
    assert "Persatuan Tidak Hadir" not in as_csv.text
    logged = _exports(session)
    assert [(entry["format"], entry["filters"]) for entry in logged] == [
        ("csv", {"workshop": str(workshop_id), "list": "contributors"}),
        ("xlsx", {"workshop": str(workshop_id), "list": "contributors"})]


def test_the_workshop_page_shows_attendance_by_group_category_pillar_state_and_no_shows(
    client: TestClient, session: Session
) -> None:
    workshop_id, _people = _day(session)
    sign_in(client, staff_user(session, role="viewer"))

    page = client.get(f"/staff/workshops/{workshop_id}?lang=en").text
    malay = client.get(f"/staff/workshops/{workshop_id}?lang=ms").text

    assert "Present: 2 of 5 expected" in page
    assert "Hadir: 2 daripada 5 dijangka" in malay and "Tidak hadir" in malay
    section = page[page.index('id="attendance"'):]
    for caption in ("By category", "By pillar", "By state", "By working group"):
        assert caption in section
    assert "<th scope=\"row\">Public organisation</th><td>1</td><td>2</td>" in section
    assert "<th scope=\"row\">Protection</th><td>1</td><td>2</td>" in section
    assert "<th scope=\"row\">Prevention</th><td>1</td><td>3</td>" in section  # by pillar
    assert "<th scope=\"row\">No group</th><td>0</td><td>2</td>" in section
    no_shows = section[section.index('id="no-shows"'):section.index("</ul>")]
    assert TAMIL in no_shows and "Ah Kow" in no_shows and MALAY not in no_shows
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Ahmad" in no_shows
    assert "<script>alert" not in page
