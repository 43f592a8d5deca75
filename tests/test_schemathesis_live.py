"""Schemathesis, as its command line runs it, against the portal under uvicorn on loopback.

Every check schemathesis has runs (`--checks all`) in every phase (examples, coverage,
fuzzing) over every operation, with a staff token so the staff API is tested beyond its
401s, and the answers are compared with the document the server publishes. One check is
left out, `positive_data_acceptance`, which expects every body the JSON schema allows to be
accepted: a registration has rules a JSON schema cannot say (a Malaysian postcode is 5
digits unless the state is abroad, a telephone number must exist, text is cleaned up
before its length is counted), so such bodies get a correct 422 with a message at the field.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.services import staff_auth
from tests.conftest import LiveServer
from tests.staff_helpers import SETUP, staff_user

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def test_the_live_api_answers_as_its_openapi_document_says(
    committed_db: Engine, tmp_path: Path
) -> None:
    with Session(committed_db) as session:
        user = staff_user(session, role="admin")
        token, _ = staff_auth.create_token(session=session, user=user, now=dt.datetime.now(dt.UTC),
                                           actor=SETUP)
        session.commit()
    # Schemathesis sends hundreds of registrations from one address.
    server = LiveServer(env={"SUBMISSION_RATE_LIMIT": "1000000/minute"})
    try:
        server.wait_ready()
        run = subprocess.run(  # noqa: S603
            [
                str(SCHEMATHESIS),
                "run",
                f"{server.url}/openapi.json",
                "--checks",
                "all",
                "--exclude-checks",
                "positive_data_acceptance",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                "25",
                # One worker: with two threads, Python 3.11's ast.parse (which hypothesis
                # calls to describe a filter) fails now and then with "AST constructor
                # recursion depth mismatch", an error of the interpreter, not of the API.
                "--workers",
                "1",
                # A fixed seed: CI runs the same requests every time, so a red run is a
                # change's doing, and can be replayed. Change the seed to explore further
                # (each new seed so far found a real mismatch; fix it, then keep that seed).
                "--seed",
                "20261128",
                "--continue-on-failure",
                "--no-color",
                "--header",
                f"Authorization: Bearer {token}",
            ],
            cwd=Path(__file__).resolve().parent.parent,  # reads schemathesis.toml
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
