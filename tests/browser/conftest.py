"""A real browser for the end-to-end tests: Debian's chromium driven by Playwright.

No browser is ever downloaded (`playwright install` is never run): Playwright launches the
system chromium through `executable_path`. On CI (`CI=true`) a missing chromium fails the
run; on a developer's machine the browser tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine, delete

from app.models import Base
from tests.conftest import ROOT, LiveServer

CHROMIUM_CANDIDATES = (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 780}


def _missing(reason: str) -> None:
    """Fail on CI, where the browser tests must run; skip with the reason elsewhere."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> Path | None:
    """Return Debian's chromium binary, if it is installed."""
    return next((path for path in CHROMIUM_CANDIDATES if path.exists()), None)


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch Debian's chromium, headless, as the tests and the screenshot script use it."""
    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS,
                                      headless=True)


# Package scope, not session: Playwright's sync API keeps an event loop running in this
# thread while it is open, and the rest of the suite calls asyncio.run().
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        _missing("Debian's chromium is not installed: run ./scripts/install-system-deps")
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_PATH.exists():
        _missing("axe-core is not installed: run `npm ci` (make test does)")
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="package")
def server(engine: Engine) -> Iterator[LiveServer]:
    """One uvicorn process, call open, for the browser tests; the tables are emptied after.

    Starting uvicorn once for the package keeps the browser tests quick; every test names its
    own organisations and staff, so they do not depend on each other's data.
    """
    live = LiveServer()
    try:
        live.wait_ready()
        yield live
    finally:
        live.stop()
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(delete(table))


OpenPage = Callable[..., Page]


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """Open a page in a fresh context (no cookies): `open_page(width=360, axe=True)`.

    `axe=True` gives a context that bypasses the Content-Security-Policy. axe-core has to be
    injected as an inline script, which the portal's real policy (`script-src 'self'`)
    rightly blocks; only the accessibility checks use such a context, and
    `test_content_security_policy_is_enforced` proves the real policy holds on every page.
    """
    contexts: list[BrowserContext] = []

    def open_(*, width: int = DESKTOP["width"], height: int = DESKTOP["height"],
              scale: float = 1, axe: bool = False, javascript: bool = True,
              **options: Any) -> Page:
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=scale,
            bypass_csp=axe, java_script_enabled=javascript, **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_
    for context in contexts:
        context.close()


def axe_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """Inject axe-core into the page and return its WCAG 2.2 A/AA violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await window.axe.run(document, {
               runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        WCAG_AA_TAGS,
    )
    return list(result["violations"])


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """Say what axe found, one rule and its elements at a time, for a failing test."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}"
                     f"  <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            target = " ".join(json.dumps(part) for part in node["target"])
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


AxeCheck = Callable[[Page], None]


@pytest.fixture
def axe_check(axe_source: str) -> AxeCheck:
    """`axe_check(page)` fails the test with a readable list of WCAG A/AA violations."""

    def check(page: Page) -> None:
        violations = axe_violations(page, axe_source)
        assert not violations, (
            f"axe found WCAG 2.2 A/AA violations on {page.url} "
            f"(lang={page.evaluate('document.documentElement.lang')}):\n"
            + describe_violations(violations)
        )

    return check
