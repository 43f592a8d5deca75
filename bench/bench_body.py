"""POST /api/v1/registrations: the hand-read body against FastAPI's own body handling.

    .venv/bin/python bench/bench_body.py [--rounds 5] [--seconds 8] [--connections 16]

Three servers, alternating in each round (the order rotates from round to round), each on
a fresh SQLite database, one worker, the same wrk load (bench/post_registration.lua):

- the same-schema floor (bench/floor_app.py with the portal's RegistrationCreate), the
  baseline every figure is a ratio of;
- the portal as it is (app.main:app): the endpoint reads its body and header itself;
- the portal with the endpoint written as FastAPI intends (bench/fastapi_body_app.py): a
  declared body parameter, a declared header, the rate limit and the deadline check as
  dependencies.

Prints medians, each contender's ratio against the floor (of the medians and each round's
own), and the hand-read endpoint against FastAPI's handling; for each, requests a second
and the server's CPU time (user + system, all its threads) per request. On a shared machine
CPU time per request is the steadier of the two: other jobs slow a server down, but do not
make it spend more CPU on each request.
"""

from __future__ import annotations

import argparse
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
    wrk,
)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU time of a process so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS

CONTENDERS = ("floor", "hand-read", "fastapi-body")
APPS = {"hand-read": "app.main:app", "fastapi-body": "bench.fastapi_body_app:app"}


def run_one(name: str, load: dict[str, int]) -> dict[str, float]:
    if name == "floor":
        env = {
            **os.environ,
            "FLOOR_DATABASE": str(Path(tempfile.mkdtemp()) / "floor.sqlite3"),
            "FLOOR_SCHEMA": "portal",
            "PYTHONPATH": str(ROOT),
        }
        app, ready = "bench.floor_app:app", "/openapi.json"
    else:
        env = portal_env(temp_sqlite_url("portal.sqlite3"), PYTHONPATH=str(ROOT))
        migrate(env)
        app, ready = APPS[name], "/readyz"
    port = free_port()
    process = start_uvicorn(
        app, env, port, "--no-access-log", "--timeout-keep-alive", "75"
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url + ready, process)
        cpu_before = cpu_seconds(process.pid)
        figures = wrk(url, script="post_registration.lua", **load)
        figures["cpu_ms"] = 1000 * (cpu_seconds(process.pid) - cpu_before) / figures["requests"]
        return figures
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    arguments = parser.parse_args()
    load = {"seconds": arguments.seconds, "connections": arguments.connections}

    results: dict[str, list[dict[str, float]]] = {name: [] for name in CONTENDERS}
    for round_number in range(arguments.rounds):
        # Rotate the order so that no contender always runs first (or last) in a round.
        shift = round_number % len(CONTENDERS)
        for name in CONTENDERS[shift:] + CONTENDERS[:shift]:
            results[name].append(run_one(name, load))
        line = ", ".join(
            f"{name} {results[name][-1]['rps']:.0f} req/s {results[name][-1]['cpu_ms']:.3f} ms"
            for name in CONTENDERS
        )
        print(f"round {round_number + 1}/{arguments.rounds}: {line}", flush=True)

    print(f"\n{'contender':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}"
          f"{'CPU ms/req':>12}")
    summary = {}
    for name, runs in results.items():
        summary[name] = {
            k: median([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms", "cpu_ms")
        }
        non2xx = sum(r["non2xx"] for r in runs)
        s = summary[name]
        print(f"{name:<16}{s['rps']:>9.0f}{s['p50_ms']:>9.1f}{s['p99_ms']:>9.1f}{non2xx:>9.0f}"
              f"{s['cpu_ms']:>12.3f}")

    print("\nratios: of the medians, and (in brackets) each round's own, lowest to highest:")
    for mine, theirs in (
        ("hand-read", "floor"),
        ("fastapi-body", "floor"),
        ("hand-read", "fastapi-body"),
    ):
        rounds = sorted(
            a["rps"] / b["rps"] for a, b in zip(results[mine], results[theirs], strict=True)
        )
        ratio = summary[mine]["rps"] / summary[theirs]["rps"]
        print(f"  {mine:>12} / {theirs:<12}: {ratio:.2f}x "
              f"({', '.join(f'{r:.2f}' for r in rounds)})")
    print("\nCPU time per request, the same pairs (below 1: the first spends less):")
    for mine, theirs in (
        ("hand-read", "floor"),
        ("fastapi-body", "floor"),
        ("hand-read", "fastapi-body"),
    ):
        rounds = sorted(
            a["cpu_ms"] / b["cpu_ms"] for a, b in zip(results[mine], results[theirs], strict=True)
        )
        ratio = summary[mine]["cpu_ms"] / summary[theirs]["cpu_ms"]
        print(f"  {mine:>12} / {theirs:<12}: {ratio:.2f}x "
              f"({', '.join(f'{r:.2f}' for r in rounds)})")


if __name__ == "__main__":
    main()
