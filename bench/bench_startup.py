"""Start-up: time until the portal answers /healthz, against a bare FastAPI app, alternating.

.venv/bin/python bench/bench_startup.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import compileall
import os
import tempfile
from pathlib import Path

from harness import (
    ROOT,
    free_port,
    median,
    migrate,
    portal_env,
    start_uvicorn,
    temp_sqlite_url,
    wait_until_ready,
)

BARE_APP = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/healthz")
def healthz():
    return {"status": "ok"}
"""


def time_to_ready(app: str, env: dict[str, str]) -> float:
    port = free_port()
    process = start_uvicorn(app, env, port)
    try:
        return wait_until_ready(f"http://127.0.0.1:{port}/healthz", process)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args()
    bare_dir = Path(tempfile.mkdtemp(prefix="alliance87-bare-"))
    (bare_dir / "bare_app.py").write_text(BARE_APP)
    bare_env = {**os.environ, "PYTHONPATH": str(bare_dir)}
    env = portal_env(temp_sqlite_url("startup.sqlite3"))
    migrate(env)
    # Byte-compiled beforehand, as the image does (PYTHONDONTWRITEBYTECODE, set on some
    # machines, would otherwise make every start compile the portal's own modules again).
    compileall.compile_dir(ROOT / "app", quiet=1)
    bare, portal = [], []
    for _ in range(arguments.rounds):
        bare.append(time_to_ready("bare_app:app", bare_env))
        portal.append(time_to_ready("app.main:app", env))
    print(f"bare FastAPI: median {median(bare):.2f} s to answer /healthz")
    print(f"portal:       median {median(portal):.2f} s to answer /healthz")
    print(f"ratio: {median(portal) / median(bare):.2f}x (target: within 2x)")


if __name__ == "__main__":
    main()
