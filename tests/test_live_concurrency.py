"""Real HTTP through uvicorn: bursts of simultaneous submissions, each stored exactly once."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import Engine

from tests.conftest import IS_POSTGRES, LiveServer, count_rows
from tests.factories import registration_payload
from tests.staff_helpers import SETUP, second_step

BURST = 300 if IS_POSTGRES else 200


async def _post_all(
    url: str, bodies: list[dict], headers: list[dict] | None = None
) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(bodies))
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(
                    "/api/v1/registrations", json=body, headers=(headers[i] if headers else None)
                )
                for i, body in enumerate(bodies)
            )
        )


def test_burst_of_simultaneous_valid_submissions_all_succeed_once(
    live_server: LiveServer, committed_db: Engine
) -> None:
    bodies = [registration_payload() for _ in range(BURST)]

    responses = asyncio.run(_post_all(live_server.url, bodies))

    assert [r.status_code for r in responses] == [201] * BURST
    references = {r.json()["reference"] for r in responses}
    assert len(references) == BURST
    assert count_rows(committed_db, "registration") == BURST
    assert count_rows(committed_db, "outbox_mail") == 2 * BURST


def test_twenty_identical_submissions_racing_store_one(
    live_server: LiveServer, committed_db: Engine
) -> None:
    body = registration_payload()

    responses = asyncio.run(_post_all(live_server.url, [body] * 20))

    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 19
    assert count_rows(committed_db, "registration") == 1


def test_retries_with_one_idempotency_key_racing_get_one_answer(
    live_server: LiveServer, committed_db: Engine
) -> None:
    body = registration_payload()
    headers = [{"Idempotency-Key": "same-key-racing"}] * 10

    responses = asyncio.run(_post_all(live_server.url, [body] * 10, headers))

    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["reference"] for r in responses}) == 1
    assert count_rows(committed_db, "registration") == 1


def test_form_over_real_http(live_server: LiveServer, committed_db: Engine) -> None:
    from tests.factories import form_fields

    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        page = client.get("/", params={"lang": "en"})
        assert "Express your organisation" in page.text
        response = client.post("/", data=form_fields())
        assert response.status_code == 303
        confirmation = client.get(response.headers["location"])

    assert confirmation.status_code == 200
    assert "Registration received" in confirmation.text
    assert count_rows(committed_db, "registration") == 1


def test_a_retry_answered_by_another_instance_gets_the_first_answer(
    committed_db: Engine,
) -> None:
    servers = [LiveServer(), LiveServer()]
    body = registration_payload()
    headers = {"Idempotency-Key": "retry-on-another-instance"}
    try:
        for server in servers:
            server.wait_ready()
        first = httpx.post(
            servers[0].url + "/api/v1/registrations", json=body, headers=headers, timeout=30
        )
        retry = httpx.post(
            servers[1].url + "/api/v1/registrations", json=body, headers=headers, timeout=30
        )
    finally:
        for server in servers:
            server.stop()

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert count_rows(committed_db, "registration") == 1


def test_burst_on_four_workers_each_acknowledged_and_stored_once(committed_db: Engine) -> None:
    # Four processes share nothing but the database (on SQLite, its file and busy timeout).
    server = LiveServer(workers=4)
    bodies = [registration_payload() for _ in range(400 if IS_POSTGRES else 100)]
    try:
        server.wait_ready()
        responses = asyncio.run(_post_all(server.url, bodies))
    finally:
        server.stop()

    assert [r.status_code for r in responses] == [201] * len(bodies)
    assert len({r.json()["reference"] for r in responses}) == len(bodies)
    assert count_rows(committed_db, "registration") == len(bodies)


def test_a_staff_session_works_whichever_instance_answers(committed_db: Engine) -> None:
    import re

    from sqlalchemy.orm import Session

    from app.core.clock import utcnow
    from app.services import staff_auth

    with Session(committed_db) as session, session.begin():
        staff_auth.create_staff(session=session, email="sekretariat@mohr.gov.my", role="viewer",
                                password="correct horse battery staple", now=utcnow(),
                                actor=SETUP)
    servers = [LiveServer(), LiveServer()]
    try:
        for server in servers:
            server.wait_ready()
        with httpx.Client(base_url=servers[0].url, timeout=30) as first:
            page = first.get("/staff/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            signed_in = first.post("/staff/login", data={
                "email": "sekretariat@mohr.gov.my", "password": "correct horse battery staple",
                "csrf_token": csrf}, follow_redirects=False)
            assert signed_in.status_code == 303
            assert second_step(first, "sekretariat@mohr.gov.my", signed_in).status_code == 200
            cookies = first.cookies
        with httpx.Client(base_url=servers[1].url, timeout=30, cookies=cookies) as second:
            listing = second.get("/staff/registrations", params={"lang": "en"})
    finally:
        for server in servers:
            server.stop()

    assert listing.status_code == 200
    assert "sekretariat@mohr.gov.my" in listing.text
