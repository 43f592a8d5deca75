"""The desk's sign-in sheet says which workshop, when and where, and has rows for walk-ins."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services import working_groups
from app.services.badges import WALK_IN_ROWS
from tests.day_helpers import accepted
from tests.staff_helpers import registration, sign_in, staff_user
from tests.system_tools import system_tool
from tests.workshop_helpers import NOW, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")


def _pdf_text(client: TestClient, workshop_id: int, language: str, tmp_path: Path,
              *pages: str) -> str:
    response = client.get(f"/staff/workshops/{workshop_id}/desk.pdf?lang={language}")
    assert response.status_code == 200, response.text
    path = tmp_path / f"desk-{language}.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        [system_tool("pdftotext", "poppler-utils"), "-layout", *pages, str(path), "-"],
        capture_output=True, check=True, text=True).stdout


def _sheet_text(client: TestClient, workshop_id: int, language: str, tmp_path: Path) -> str:
    # Page 1 only: the sign-in sheet, before the badges.
    return _pdf_text(client, workshop_id, language, tmp_path, "-f", "1", "-l", "1")


def test_the_sheet_is_headed_with_the_date_in_malaysia_and_the_venue(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    # 01:00 UTC is 9:00 in the morning in Malaysia.
    workshop_id = stored_workshop(session, capacity=10, venue="Dewan Besar, Putrajaya",
                                  starts_at=dt.datetime(2022, 11, 15, 1, 0, tzinfo=dt.UTC))
    accepted(session, workshop_id, registration(session), "Aminah", "Ravi")
    sign_in(client, staff_user(session, role="viewer"))

    malay = " ".join(_sheet_text(client, workshop_id, "ms", tmp_path).split())
    english = " ".join(_sheet_text(client, workshop_id, "en", tmp_path).split())

    assert "Bila: Selasa, 15 November 2022, 9:00 pagi MYT (UTC+8)" in malay
    assert "Tempat: Dewan Besar, Putrajaya" in malay
    assert "When: Tuesday, 15 November 2022, 9:00 am MYT (UTC+8)" in english
    assert "Venue: Dewan Besar, Putrajaya" in english


def test_the_sheet_ends_with_numbered_empty_rows_for_walk_ins(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    accepted(session, workshop_id, registration(session), "Aminah", "Ravi")
    sign_in(client, staff_user(session))

    lines = _sheet_text(client, workshop_id, "en", tmp_path).splitlines()

    walk_in_heading = next(n for n, line in enumerate(lines) if line.strip() == "Walk-in")
    names_above = " ".join(lines[:walk_in_heading])
    assert "Aminah" in names_above and "Ravi" in names_above
    numbered = [line.strip() for line in lines[walk_in_heading + 1:]
                if re.fullmatch(r"\s*\d+\s*", line)]
    assert numbered == [str(n) for n in range(3, 3 + WALK_IN_ROWS)]


def test_before_anyone_accepts_the_sheet_still_has_walk_in_rows(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    workshop_id = stored_workshop(session, capacity=10)
    sign_in(client, staff_user(session))

    text = _sheet_text(client, workshop_id, "en", tmp_path)

    assert "No representative has accepted yet." in text
    assert [line.strip() for line in text.splitlines() if re.fullmatch(r"\s*\d+\s*", line)] \
        == [str(n) for n in range(1, 1 + WALK_IN_ROWS)]


def test_each_badge_speaks_its_representatives_language(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    workshop_id = stored_workshop(session, capacity=10, title_ms="Bengkel strategik",
                                  title_en="Strategy workshop")
    working_groups.create_default_groups(session=session, workshop_id=workshop_id,
                                         staff_user_id=None, now=NOW)
    (malay,) = accepted(session, workshop_id, registration(session, preferred_language="ms"),
                        "Aminah")
    (english,) = accepted(session, workshop_id, registration(session, preferred_language="en"),
                          "Zed")
    prevention = working_groups.list_groups(session=session, workshop_id=workshop_id)[0]
    working_groups.move_people(session=session, workshop_id=workshop_id,
                               representative_ids=[malay.id, english.id],
                               group_id=prevention.id, staff_user_id=None, now=NOW)
    session.commit()
    sign_in(client, staff_user(session))

    # Printed by a desk working in English: page 1 is the sheet, page 2 the badges.
    sheet = " ".join(_pdf_text(client, workshop_id, "en", tmp_path, "-f", "1", "-l", "1")
                     .split())
    badges = _pdf_text(client, workshop_id, "en", tmp_path, "-f", "2", "-raw")

    assert "Strategy workshop" in sheet and "Bengkel strategik" not in sheet
    lines = [line.strip() for line in badges.splitlines() if line.strip()]

    def badge(name: str) -> list[str]:
        # A badge reads: the workshop, the name, the organisation, the group.
        at = lines.index(name)
        return [lines[at - 1], lines[at + 2]]

    assert badge("Aminah") == ["Bengkel strategik", "Kumpulan: Pencegahan"]
    assert badge("Zed") == ["Strategy workshop", "Group: Prevention"]
