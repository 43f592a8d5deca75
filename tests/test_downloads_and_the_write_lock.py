"""Downloads are read and made without SQLite's write lock (issue 29, 4).

A desk PDF of 300 badges takes seconds to make. It used to hold the write lock all that time,
for its audit entry, so a registration posted meanwhile waited and got a 503. Now every
download reads and makes its file first, then writes its audit entry in a short transaction.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.models import AuditLog
from app.services import attendee_export, badges, roadmap_contributors, staff_registrations
from tests.conftest import IS_POSTGRES, LiveServer
from tests.day_helpers import accepted
from tests.factories import registration_payload
from tests.staff_helpers import PASSWORD, csrf_of, registration, second_step, sign_in, staff_user
from tests.workshop_helpers import api_token, stored_workshop

pytestmark = pytest.mark.usefixtures("staff_ready")

# Each download, and the step in it that reads or makes the file.
DOWNLOADS: list[tuple[str, object, str]] = [
    ("/staff/workshops/{w}/desk.pdf", badges, "desk_pdf"),
    ("/staff/workshops/{w}/attendees.csv", attendee_export, "as_csv"),
    ("/staff/workshops/{w}/attendees.xlsx", attendee_export, "as_xlsx"),
    ("/staff/workshops/{w}/contributors.csv", roadmap_contributors, "contributors_csv"),
    ("/staff/workshops/{w}/contributors.xlsx", roadmap_contributors, "contributors_xlsx"),
    ("/api/v1/workshops/{w}/attendees.csv", attendee_export, "as_csv"),
    ("/api/v1/workshops/{w}/attendees.xlsx", attendee_export, "as_xlsx"),
    ("/staff/exports/registrations.csv", staff_registrations, "count_registrations"),
    ("/staff/exports/registrations.xlsx", staff_registrations, "count_registrations"),
    ("/api/v1/exports/registrations.csv", staff_registrations, "count_registrations"),
    ("/api/v1/exports/registrations.xlsx", staff_registrations, "count_registrations"),
]


def _another_writer_gets_the_lock(engine: Engine) -> bool:
    """Say whether a writer on another connection could take SQLite's write lock now."""
    other = sqlite3.connect(str(engine.url.database), timeout=0.2)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def _exports_logged(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        return [json.loads(entry.detail) for entry in
                session.scalars(select(AuditLog).where(AuditLog.action == "export"))]


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite's write lock; PostgreSQL has none")
@pytest.mark.parametrize(("path", "module", "step"), DOWNLOADS,
                         ids=[path for path, _, _ in DOWNLOADS])
def test_a_download_is_made_without_the_write_lock_and_then_logged(
    committed_client: TestClient, committed_session: Session, committed_db: Engine,
    monkeypatch: pytest.MonkeyPatch, path: str, module: object, step: str,
) -> None:
    workshop_id = stored_workshop(committed_session, capacity=10)
    accepted(committed_session, workshop_id, registration(committed_session), "Siti Aminah")
    headers = api_token(committed_session) if path.startswith("/api/") else {}
    if not headers:
        sign_in(committed_client, staff_user(committed_session))
    lock_free_while_making: list[bool] = []
    original: Callable[..., Any] = getattr(module, step)

    def making(*args: Any, **kwargs: Any) -> Any:
        lock_free_while_making.append(_another_writer_gets_the_lock(committed_db))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, step, making)

    response = committed_client.get(path.format(w=workshop_id), headers=headers)

    assert response.status_code == 200, response.text
    assert lock_free_while_making == [True]
    assert len(_exports_logged(committed_db)) == 1


def _sign_in_live(client: httpx.Client, email: str) -> None:
    page = client.get("/staff/login")
    signed_in = client.post("/staff/login", data={
        "email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text
    assert second_step(client, email, signed_in).status_code == 200


def test_a_registration_posted_while_a_large_desk_pdf_is_made_is_answered_within_a_second(
    live_server: LiveServer, committed_session: Session, committed_db: Engine,
) -> None:
    workshop_id = stored_workshop(committed_session, capacity=400)
    for number in range(100):
        accepted(committed_session, workshop_id, registration(committed_session),
                 *(f"Wakil {number}-{seat} binti Ahmad" for seat in range(3)))
    admin = staff_user(committed_session)
    downloaded: dict[str, Any] = {}

    def download(client: httpx.Client) -> None:
        response = client.get(f"/staff/workshops/{workshop_id}/desk.pdf")
        downloaded.update(status=response.status_code, type=response.headers["content-type"],
                          finished=time.monotonic())

    with httpx.Client(base_url=live_server.url, timeout=300) as staff_browser:
        _sign_in_live(staff_browser, admin.email)
        making = threading.Thread(target=download, args=(staff_browser,))
        making.start()
        time.sleep(1.5)  # the 300 badges are being laid out
        posted_at = time.monotonic()
        answer = httpx.post(live_server.url + "/api/v1/registrations",
                            json=registration_payload(), timeout=60)
        answered_at = time.monotonic()
        making.join(timeout=300)

    assert answer.status_code == 201, answer.text
    assert answered_at - posted_at < 1.0
    assert downloaded["status"] == 200 and downloaded["type"] == "application/pdf"
    assert downloaded["finished"] > answered_at  # the PDF was still being made
    (logged,) = _exports_logged(committed_db)
    assert logged["filters"] == {"workshop": str(workshop_id), "list": "desk"}
