"""The shared rate-limit store (Redis) stops and comes back: the portal fails open, then shares.

A throwaway redis-server is stopped while registrations and staff sign-ins arrive at two
uvicorn workers, then started again on the same port.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.failopen import PROBE_INTERVAL_SECONDS
from app.services import staff_auth
from tests.conftest import LiveServer, count_rows
from tests.factories import registration_payload
from tests.staff_helpers import SETUP
from tests.throwaway import RedisServer, running_redis

LIMIT = 20  # submissions per client address per hour: a fresh window for the test
EMAIL = "sekretariat@mohr.gov.my"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with running_redis() as server:
        yield server


def _sign_in(client: httpx.Client, password: str) -> int:
    page = client.get("/staff/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return client.post("/staff/login", data={
        "email": EMAIL, "password": password, "csrf_token": found.group(1)}).status_code


async def _register(url: str, count: int) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        responses = await asyncio.gather(*(
            client.post("/api/v1/registrations", json=registration_payload())
            for _ in range(count)
        ))
    return [response.status_code for response in responses]


def _wait_for_readiness(url: str, *, degraded: bool) -> dict[str, object]:
    deadline = time.monotonic() + 20
    while True:
        body: dict[str, object] = httpx.get(url + "/readyz", timeout=5).json()
        if ("degraded" in body) == degraded or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def test_registrations_and_sign_ins_go_on_while_redis_is_away_then_limits_are_shared(
    committed_db: Engine, redis_server: RedisServer
) -> None:
    with Session(committed_db) as session, session.begin():
        staff_auth.create_staff(session=session, email=EMAIL, role="viewer", password=PASSWORD,
                                now=utcnow(), actor=SETUP)
    server = LiveServer(workers=2, env={
        "RATE_LIMIT_STORAGE_URL": redis_server.url, "SUBMISSION_RATE_LIMIT": f"{LIMIT}/hour"})
    try:
        server.wait_ready()
        before = asyncio.run(_register(server.url, 2))

        redis_server.stop()
        while_away = asyncio.run(_register(server.url, LIMIT - 5))
        with httpx.Client(base_url=server.url, timeout=30) as staff:
            wrong_password = _sign_in(staff, "not the password")
            signed_in = _sign_in(staff, PASSWORD)
        readiness_while_away = httpx.get(server.url + "/readyz", timeout=5)

        redis_server.start()
        # Each worker asks the store again at most once a PROBE_INTERVAL_SECONDS.
        time.sleep(PROBE_INTERVAL_SECONDS + 0.5)
        readiness_after = _wait_for_readiness(server.url, degraded=False)
        redis.Redis(port=redis_server.port).flushall()
        # More than one worker's worth at once: counted in one place, only LIMIT get in.
        after = asyncio.run(_register(server.url, 2 * LIMIT))
        time.sleep(0.5)  # let the workers' log lines reach the file
    finally:
        server.stop()
    log = Path(server.log.name).read_text()

    assert before == [201, 201]
    assert while_away == [201] * (LIMIT - 5)
    assert wrong_password == 401
    assert signed_in == 303
    assert readiness_while_away.status_code == 200
    assert "rate_limit_store" in readiness_while_away.json()["degraded"]
    assert readiness_after == {"status": "ready"}
    assert sorted(after) == [201] * LIMIT + [429] * LIMIT
    assert count_rows(committed_db, "registration") == 2 + (LIMIT - 5) + LIMIT
    # One line per worker when the store goes away and one when it is back, not per request.
    assert 1 <= log.count("rate-limit store unreachable") <= 2, log
    assert 1 <= log.count("rate-limit store reachable again") <= 2, log
    assert "Traceback" not in log
