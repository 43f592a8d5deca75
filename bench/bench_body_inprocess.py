"""POST /api/v1/registrations in one process: the hand-read body against FastAPI's own.

    DATABASE_URL=sqlite:////tmp/a87-body.sqlite3 .venv/bin/alembic upgrade head
    DATABASE_URL=sqlite:////tmp/a87-body.sqlite3 .venv/bin/python bench/bench_body_inprocess.py

Both apps (app.main:app and bench/fastapi_body_app.py) in one process, sharing the
process's writer and database; 16 concurrent clients call each app's ASGI callable directly
(no sockets, no HTTP parsing), alternating the two apps for N rounds. Prints, for each, the
median registrations a second and CPU time per registration (the process's, all threads),
and the hand-read one as a ratio of FastAPI's. Without the network and uvicorn, the
endpoint's own share of the work is larger than under wrk, so the ratio here is an upper
bound of the difference a client sees.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("REGISTRATION_DEADLINE", "2099-12-31")
os.environ.setdefault("SUBMISSION_RATE_LIMIT", "100000000/minute")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from app.main import app as hand_read_app  # noqa: E402
from bench.fastapi_body_app import app as fastapi_body_app  # noqa: E402

PATH = "/api/v1/registrations"
_numbers = itertools.count()


def _body() -> bytes:
    n = next(_numbers)
    return (
        f'{{"organisation_name":"Persatuan Bench {n}","category":"cso",'
        '"address":"No. 12, Jalan Tun Razak, Kuala Lumpur","postcode":"50400",'
        '"state":"wp_kuala_lumpur","website":"https://www.example.org.my",'
        '"contact_name":"Nur Aisyah binti Ahmad","contact_designation":"Pengurus Program",'
        f'"contact_email":"bench{n}@example.org.my","contact_phone":"012-345 6789",'
        '"pillars":["prevention","partnership"],"focus_areas":["labour_migration"],'
        '"interest_statement":"Kami membantu pekerja migran yang menjadi mangsa buruh paksa.",'
        '"workshop_attendees":2,"preferred_language":"ms","consent_pdpa":true}'
    ).encode()


async def _post(app: Any, body: bytes) -> int:
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "query_string": b"",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
        "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())],
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _run(app: Any, requests: int, clients: int) -> tuple[float, float]:
    """Send `requests` registrations from `clients` at once; return req/s and CPU ms/req."""
    bodies = [_body() for _ in range(requests)]
    queue = iter(bodies)
    statuses: list[int] = []

    async def client() -> None:
        for body in queue:
            statuses.append(await _post(app, body))

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert set(statuses) == {201}, sorted(set(statuses))
    return requests / wall, 1000 * cpu / requests


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    arguments = parser.parse_args()
    contenders = {"hand-read": hand_read_app, "fastapi-body": fastapi_body_app}
    await _run(hand_read_app, 200, arguments.clients)  # warm up both
    await _run(fastapi_body_app, 200, arguments.clients)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
    for round_number in range(arguments.rounds):
        order = list(contenders) if round_number % 2 == 0 else list(reversed(contenders))
        for name in order:
            results[name].append(await _run(contenders[name], arguments.requests,
                                            arguments.clients))
        print(f"round {round_number + 1}: " + ", ".join(
            f"{name} {results[name][-1][0]:.0f} req/s {results[name][-1][1]:.3f} ms"
            for name in contenders), flush=True)
    rps = {name: statistics.median(r[0] for r in runs) for name, runs in results.items()}
    cpu = {name: statistics.median(r[1] for r in runs) for name, runs in results.items()}
    for name in contenders:
        print(f"{name:<14}{rps[name]:>8.0f} req/s {cpu[name]:>8.3f} CPU ms/req")
    pairs = list(zip(results["hand-read"], results["fastapi-body"], strict=True))
    by_rps = ", ".join(f"{r:.2f}" for r in sorted(a[0] / b[0] for a, b in pairs))
    by_cpu = ", ".join(f"{r:.2f}" for r in sorted(a[1] / b[1] for a, b in pairs))
    print(f"hand-read / fastapi-body: {rps['hand-read'] / rps['fastapi-body']:.2f}x req/s "
          f"(rounds {by_rps}); {cpu['hand-read'] / cpu['fastapi-body']:.2f}x CPU per "
          f"request (rounds {by_cpu})")


if __name__ == "__main__":
    asyncio.run(main())
