"""Headers every response carries, so browsers enforce what the pages promise."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("path", ["/", "/api/v1/call", "/healthz", "/static/site.css", "/nope"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers

    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_hsts_only_behind_https(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/").headers
    secure = TestClient(client.app, base_url="https://testserver")

    assert "max-age" in secure.get("/healthz").headers["strict-transport-security"]


def test_private_pages_are_not_cached(client: TestClient) -> None:
    assert client.get("/confirmation/x").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/").headers.get("cache-control", "")


@pytest.mark.parametrize("path", ["/?q=%00", "/staff/registrations?q=a%00b", "/manage/abc%00def"])
def test_nul_bytes_in_the_address_are_refused(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 400
