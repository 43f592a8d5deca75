"""Shared helpers for the benchmarks: start servers, run wrk, take medians."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def portal_env(database_url: str, **extra: str) -> dict[str, str]:
    """Settings for a portal under load: the call open, no rate limit in the way, quiet logs."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REGISTRATION_DEADLINE": "2099-12-31",
        "SUBMISSION_RATE_LIMIT": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def start_uvicorn(
    app: str, env: dict[str, str], port: int, *options: str, log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """Start `app` under uvicorn on 127.0.0.1:`port`, quiet but for errors (into `log`)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )


@contextmanager
def server(
    app: str, env: dict[str, str], *, workers: int = 1, ready_path: str = "/openapi.json"
) -> Iterator[str]:
    """Run `app` under uvicorn and yield its base URL once it answers."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        # Keep-alive as in the Dockerfile: idle connections outlive the client's own.
        process = start_uvicorn(
            app, env, port, "--workers", str(workers), "--no-access-log",
            "--timeout-keep-alive", "75", log=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url + ready_path, process)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)
            # A benchmark's figures mean little if the server was failing: show what it said.
            log.seek(0)
            lines = log.read().decode(errors="replace").splitlines()
            errors = [n for n, line in enumerate(lines)
                      if '"level": "ERROR"' in line or "ERROR:" in line]
            if errors:
                print(f"{app} logged {len(errors)} error(s); the last one:", file=sys.stderr)
                for line in lines[errors[-1]:][-12:]:
                    print(f"    {line}", file=sys.stderr)


def wait_until_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> float:
    """Poll `url` until it answers 200; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def wrk(
    url: str, *, script: str, seconds: int = 8, connections: int = 16, threads: int = 1
) -> dict[str, float]:
    """Run wrk against `url` and return requests/s, non-2xx count and p50/p99 in ms."""
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(BENCH / script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("JSON "))
    figures = json.loads(line[5:])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def median(values: list[float]) -> float:
    return statistics.median(values)


def temp_sqlite_url(name: str) -> str:
    directory = Path(tempfile.mkdtemp(prefix="alliance87-bench-"))
    return f"sqlite:///{directory / name}"
