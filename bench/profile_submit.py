"""Profile one accepted registration at the service level with pyinstrument.

    .venv/bin/python bench/profile_submit.py [--count 200]

Runs `submit_registration` (what POST /api/v1/registrations and the form both call) on a
fresh SQLite database and prints the call tree, so the share of each part is visible.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = Path("/tmp/alliance87-profile.sqlite3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    arguments = parser.parse_args()
    for leftover in DATABASE.parent.glob(DATABASE.name + "*"):
        leftover.unlink()
    os.environ.update(DATABASE_URL=f"sqlite:///{DATABASE}", REGISTRATION_DEADLINE="2099-12-31",
                      LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True,
                   capture_output=True)
    sys.path.insert(0, str(ROOT))
    from pyinstrument import Profiler

    from app.core.db import new_session
    from app.schemas.registration import RegistrationCreate
    from app.services.submissions import submit_registration
    from tests.factories import registration_payload

    def submit() -> None:
        data = RegistrationCreate.model_validate(registration_payload())
        with new_session() as session:
            submit_registration(session=session, data=data, now=dt.datetime.now(dt.UTC),
                                idempotency_key=None, request_fingerprint="-")
            session.commit()

    for _ in range(10):
        submit()
    profiler = Profiler(interval=0.0002)
    profiler.start()
    started = time.perf_counter()
    for _ in range(arguments.count):
        submit()
    elapsed = time.perf_counter() - started
    profiler.stop()
    print(f"{elapsed / arguments.count * 1000:.2f} ms per accepted registration\n")
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
