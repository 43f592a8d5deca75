"""Profile storing registrations at the service level with pyinstrument.

    .venv/bin/python bench/profile_submit.py [--count 480] [--batch 16]

Stores registrations on a fresh SQLite database the way POST /api/v1/registrations and the
form do, through `RegistrationWriter.store_batch`, `--batch` at a time (16 is what one
worker sees with 16 clients waiting; 1 is a registration arriving alone), and prints the
CPU time per registration and the call tree, so the share of each part is visible. The
answers are checked before the rows are made, as a request does, outside the profile.
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
    parser.add_argument("--count", type=int, default=480)
    parser.add_argument("--batch", type=int, default=16)
    arguments = parser.parse_args()
    for leftover in DATABASE.parent.glob(DATABASE.name + "*"):
        leftover.unlink()
    os.environ.update(DATABASE_URL=f"sqlite:///{DATABASE}", REGISTRATION_DEADLINE="2099-12-31",
                      LOG_LEVEL="WARNING")
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True,
                   capture_output=True)
    sys.path.insert(0, str(ROOT))
    from pyinstrument import Profiler

    from app.schemas.registration import RegistrationCreate
    from app.services.registration.receipt import Accepted
    from app.services.registration.writer import RegistrationWriter, Submission
    from tests.factories import registration_payload

    writer = RegistrationWriter()

    def batches(count: int) -> list[list[Submission]]:
        submissions = [
            Submission.of(RegistrationCreate.model_validate(registration_payload()),
                          now=dt.datetime.now(dt.UTC), idempotency_key=None,
                          request_fingerprint="-")
            for _ in range(count)
        ]
        return [submissions[i:i + arguments.batch] for i in range(0, count, arguments.batch)]

    for batch in batches(4 * arguments.batch):  # warm up
        writer.store_batch(batch)
    work = batches(arguments.count)
    started = time.thread_time()
    outcomes = [outcome for batch in work for outcome in writer.store_batch(batch)]
    cpu = time.thread_time() - started
    assert all(isinstance(outcome, Accepted) for outcome in outcomes), outcomes
    print(f"{cpu / arguments.count * 1000:.3f} ms of CPU per registration, "
          f"{arguments.batch} per transaction (without the profiler)\n")
    work = batches(arguments.count)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for batch in work:
        writer.store_batch(batch)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


if __name__ == "__main__":
    main()
