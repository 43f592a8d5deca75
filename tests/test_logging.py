"""Logs are JSON lines with a request id, and never carry personal data."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from app.core.logging import JsonFormatter, mask_personal_data
from tests.factories import registration_payload


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("sent to Aisyah.Ahmad+a87@example.org.my", "Aisyah.Ahmad+a87@example.org.my"),
        ("call +60 12-345 6789 now", "+60 12-345 6789"),
        ("GET /manage/Zx81_secretToken-abc 200", "Zx81_secretToken-abc"),
        ("GET /manage/12.Zx81_signedToken-abc 200", "12.Zx81_signedToken-abc"),
        ("POST /invitation/7.Qy2_signedToken-def 303", "Qy2_signedToken-def"),
    ],
)
def test_personal_data_is_masked(text: str, hidden: str) -> None:
    assert hidden not in mask_personal_data(text)


@pytest.mark.parametrize(
    "text", ["sent at 2026-11-22T09:17:25+00:00", "took 12345678 ms", "reference K7MX3QPA"]
)
def test_dates_durations_and_references_stay_readable(text: str) -> None:
    assert mask_personal_data(text) == text


def test_each_request_logs_one_json_line_with_its_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.access")

    response = client.post(
        "/api/v1/registrations",
        json=registration_payload(contact_email="secret.person@example.org.my"),
        headers={"X-Request-ID": "req-123"},
    )

    assert response.headers["x-request-id"] == "req-123"
    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "app.access"]
    entry = json.loads(lines[-1])
    assert entry["request_id"] == "req-123"
    assert entry["message"].startswith("POST /api/v1/registrations 201")
    assert all("secret.person" not in line for line in lines)


def test_people_at_a_terminal_or_in_development_get_short_lines(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    from app.core.logging import ConsoleFormatter, log_style

    class Terminal:
        def isatty(self) -> bool:
            return True

    assert log_style("auto", environment="production", stream=Terminal()) == "text"
    assert log_style("auto", environment="development", stream=object()) == "text"
    assert log_style("auto", environment="production", stream=object()) == "json"
    assert log_style("json", environment="development", stream=Terminal()) == "json"

    caplog.set_level(logging.INFO, logger="app.access")
    client.get("/healthz")
    line = ConsoleFormatter().format(caplog.records[-1])
    assert line[:9].count(":") == 2 and " INFO    GET /healthz 200 " in line
    assert not line.startswith("{")


def test_alembic_plugins_stay_quiet_at_info() -> None:
    from app.core.logging import configure_logging

    configure_logging("INFO", "text")
    try:
        assert not logging.getLogger("alembic.runtime.plugins").isEnabledFor(logging.INFO)
        assert logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)
    finally:
        configure_logging("INFO", "json")  # as the tests' app configured it
