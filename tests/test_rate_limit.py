"""Submissions per client are limited, on the form and the API alike, across instances."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from limits import parse_many
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.core import ratelimit
from tests.conftest import LiveServer, count_rows
from tests.factories import form_fields, registration_payload

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def three_per_minute(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ratelimit, "submission_limits", lambda: parse_many("3/minute"))
    ratelimit.limiter().storage.reset()
    yield
    ratelimit.limiter().storage.reset()


def test_api_submissions_past_the_limit_get_429_with_retry_after(
    client: TestClient, session: Session, three_per_minute: None
) -> None:
    codes = [
        client.post("/api/v1/registrations", json=registration_payload()).status_code
        for _ in range(4)
    ]

    assert codes == [201, 201, 201, 429]
    refused = client.post("/api/v1/registrations", json=registration_payload())
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert count_rows(session, "registration") == 3


def test_the_form_past_the_limit_explains_and_keeps_the_answers(
    client: TestClient, session: Session, three_per_minute: None
) -> None:
    for _ in range(3):
        client.post("/", data=form_fields())
    fields = form_fields()

    refused = client.post("/", data=fields)

    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    assert fields["organisation_name"] in refused.text
    assert count_rows(session, "registration") == 3


def test_a_limit_in_redis_holds_across_two_app_processes(committed_db: Engine) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {"RATE_LIMIT_STORAGE_URL": REDIS_URL, "SUBMISSION_RATE_LIMIT": "4/minute"}
    servers = [LiveServer(env=env), LiveServer(env=env)]
    try:
        for server in servers:
            server.wait_ready()
        codes = [
            httpx.post(
                servers[i % 2].url + "/api/v1/registrations",
                json=registration_payload(),
                timeout=30,
            ).status_code
            for i in range(6)
        ]
    finally:
        for server in servers:
            server.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()

    assert codes == [201, 201, 201, 201, 429, 429]
    assert count_rows(committed_db, "registration") == 4


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("127.0.0.1", [201, 201, 201]),  # the proxy on loopback is trusted: three clients
        ("10.9.9.9", [201, 201, 429]),  # not trusted: X-Forwarded-For is ignored, one client
    ],
)
def test_client_address_comes_from_the_proxy_only_when_trusted(
    committed_db: Engine, trusted: str, expected: list[int]
) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    server = LiveServer(
        env={
            "RATE_LIMIT_STORAGE_URL": REDIS_URL,
            "SUBMISSION_RATE_LIMIT": "2/minute",
            "FORWARDED_ALLOW_IPS": trusted,
        }
    )
    try:
        server.wait_ready()
        codes = [
            httpx.post(
                server.url + "/api/v1/registrations",
                json=registration_payload(),
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
                timeout=30,
            ).status_code
            for i in range(3)
        ]
    finally:
        server.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()

    assert codes == expected
