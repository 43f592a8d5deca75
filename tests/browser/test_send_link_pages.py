""""Send me my link" and the contact person after the deadline, on a phone, with axe (issue 28)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import AxeCheck, OpenPage
from tests.browser.pages import horizontal_overflow
from tests.browser.staff import private_link, register_by_api
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LANGUAGES = ["ms", "en"]
PHONE_WIDTH = 360


@pytest.fixture(scope="module")
def closed_server(server: LiveServer) -> Iterator[LiveServer]:
    """The portal after the deadline, on the same database as `server`."""
    live = LiveServer(env={"REGISTRATION_DEADLINE": "2022-10-20"})
    try:
        live.wait_ready()
        yield live
    finally:
        live.stop()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_send_me_my_link_on_a_phone(open_page: OpenPage, axe_check: AxeCheck,
                                    server: LiveServer, lang: str) -> None:
    register_by_api(server.url, contact_email=f"pautan-{lang}@example.org.my")
    page = open_page(width=PHONE_WIDTH, height=740, axe=True)
    page.goto(f"{server.url}/manage/{'x' * 43}?lang={lang}")
    with page.expect_navigation():
        page.locator("main a[href='/link']").click()
    axe_check(page)
    assert horizontal_overflow(page) == 0

    page.fill("#email", "bukan-emel")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#email")).to_have_value("bukan-emel")
    axe_check(page)

    page.fill("#email", f"PAUTAN-{lang}@example.org.my")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(
        "Semak e-mel anda" if lang == "ms" else "Check your email")
    axe_check(page)
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_contact_person_after_the_deadline_on_a_phone(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, closed_server: LiveServer,
    lang: str,
) -> None:
    reference = register_by_api(server.url, organisation_name=f"Kesatuan Selepas Tutup {lang}")
    link = private_link(server.url, reference).replace(server.url, closed_server.url)
    page = open_page(width=PHONE_WIDTH, height=740, axe=True)

    page.goto(f"{link}?lang={lang}")
    with page.expect_navigation():
        page.locator(f"main a[href='{link.removeprefix(closed_server.url)}/edit']").click()
    expect(page.locator("#organisation_name")).to_have_count(0)
    axe_check(page)
    assert horizontal_overflow(page) == 0

    page.fill("#contact_email", "bukan-emel")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_focused()
    axe_check(page)

    page.fill("#contact_email", f"baharu-{lang}@example.org.my")
    page.fill("#contact_name", "Nurul Huda binti Ali")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator(".panel--success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nurul Huda binti Ali")
    axe_check(page)
