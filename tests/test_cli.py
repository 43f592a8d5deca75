"""The `alliance87` command as an operator uses it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.cli import main
from app.core.config import MALAYSIA
from app.models import CallDeadline, Registration
from tests.conftest import ROOT, Clock, count_rows
from tests.factories import registration_payload

URL = "/api/v1/registrations"


def test_set_deadline_is_recorded_with_who_and_when(
    committed_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["set-deadline", "2022-10-25", "--by", "secretariat"]) == 0

    assert "25 October 2022, 11:59 pm Malaysia time (UTC+8)" in capsys.readouterr().out
    with Session(committed_db) as session:
        row = session.scalars(select(CallDeadline)).one()
    assert (row.given_as, row.set_by) == ("2022-10-25", "secretariat")
    assert row.set_at is not None


def test_set_deadline_refuses_a_malformed_value(
    committed_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["set-deadline", "2022-10-25T17:00"]) == 2

    assert "no UTC offset" in capsys.readouterr().err
    assert count_rows(committed_db, "call_deadline") == 0


def test_new_deadline_reopens_the_call(committed_client: TestClient, clock: Clock) -> None:
    clock.set(dt.datetime(2022, 10, 22, 9, 0, tzinfo=MALAYSIA))
    assert committed_client.post(URL, json=registration_payload()).status_code == 403

    main(["set-deadline", "2022-10-25"])

    assert committed_client.get("/api/v1/call").json()["open"] is True
    assert committed_client.post(URL, json=registration_payload()).status_code == 201


def test_seed_demo_adds_varied_registrations(committed_db: Engine) -> None:
    assert main(["seed-demo", "--count", "120", "--seed", "7"]) == 0

    with Session(committed_db) as session:
        rows = session.scalars(select(Registration)).all()
        categories = {r.category for r in rows}
        pillars = {p for r in rows for p in r.pillars}
    assert len(rows) == 120
    assert len(categories) == 7
    assert len(pillars) == 4
    assert count_rows(committed_db, "outbox_mail") == 0


def test_seed_demo_run_again_adds_more_and_never_repeats_a_contact(committed_db: Engine) -> None:
    # The same seed picks the same organisation names: only the numbering keeps them apart
    # (a second `make demo` used to fail on a duplicate organisation and contact email).
    assert main(["seed-demo", "--count", "10", "--seed", "3"]) == 0
    assert main(["seed-demo", "--count", "10", "--seed", "3"]) == 0

    with Session(committed_db) as session:
        emails = [r.contact_email for r in session.scalars(select(Registration))]
    assert len(emails) == 20 and len(set(emails)) == 20


def test_seed_demo_refuses_a_database_with_real_registrations(
    committed_client: TestClient, committed_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert committed_client.post(URL, json=registration_payload()).status_code == 201

    assert main(["seed-demo", "--count", "5"]) == 1
    assert "real registrations" in capsys.readouterr().err
    assert count_rows(committed_db, "registration") == 1
    assert main(["seed-demo", "--count", "5", "--force"]) == 0
    assert count_rows(committed_db, "registration") == 6


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"REGISTRATION_DEADLINE": "20 Oct 2022"}, "REGISTRATION_DEADLINE"),
        ({"ENVIRONMENT": "production", "SECRET_KEY": ""}, "SECRET_KEY"),
        ({"ENVIRONMENT": "production", "SECRET_KEY": "k"}, "PUBLIC_BASE_URL"),
    ],
)
def test_a_bad_setting_is_one_clear_line(env: dict[str, str], named: str) -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app.cli", "set-deadline", "2022-10-20"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, **env},
    )

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert named in lines[0]
