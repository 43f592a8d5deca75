"""The public pages in a real browser: WCAG 2.2 AA by axe, keyboard, zoom, phones, languages."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import PHONE, AxeCheck, OpenPage
from tests.browser.pages import fill_registration, horizontal_overflow, register, submit
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

LANGUAGES = ["ms", "en"]
HEADINGS = {
    "ms": "Nyatakan hasrat organisasi anda untuk menyertai Alliance 8.7 di Malaysia",
    "en": "Express your organisation's interest in joining Alliance 8.7 in Malaysia",
}
# (width in CSS pixels, device scale): a phone, a 1280 px screen at 200% and at 400% zoom.
LAYOUTS = [
    pytest.param(360, 1, id="360px"),
    pytest.param(640, 2, id="1280px-at-200pc"),
    pytest.param(320, 4, id="1280px-at-400pc"),
]


@pytest.fixture
def closed_server() -> Iterator[LiveServer]:
    """The portal as it is now: the Ministry's deadline, 20 October 2022, has passed."""
    live = LiveServer(env={"REGISTRATION_DEADLINE": "2022-10-20"})
    try:
        live.wait_ready()
        yield live
    finally:
        live.stop()


def submit_empty_form(page: Page, url: str, lang: str) -> None:
    page.goto(f"{url}/?lang={lang}")
    submit(page)


def show(page: Page, url: str, page_kind: str) -> None:
    """Open the empty form, the form with errors, or a confirmation."""
    if page_kind == "form":
        page.goto(url)
    elif page_kind == "errors":
        submit_empty_form(page, url, "ms")
    else:
        register(page, url)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_empty_form_passes_axe(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                               lang: str) -> None:
    page = open_page(axe=True)
    page.goto(f"{server.url}/?lang={lang}")

    expect(page.locator("h1")).to_have_text(HEADINGS[lang])
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_form_with_errors_passes_axe_and_its_summary_takes_focus(
    open_page: OpenPage, axe_check: AxeCheck, server: LiveServer, lang: str
) -> None:
    page = open_page(axe=True)
    submit_empty_form(page, server.url, lang)

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.title().startswith({"ms": "Ralat:", "en": "Error:"}[lang])
    links = summary.locator("a")
    assert links.count() >= 10
    for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert page.locator(href).count() == 1, f"{href} links to nothing"
    axe_check(page)


def test_error_summary_links_take_the_person_to_the_field(open_page: OpenPage,
                                                          server: LiveServer) -> None:
    page = open_page()
    submit_empty_form(page, server.url, "en")

    page.locator("#error-summary a[href='#contact_email']").click()
    expect(page.locator("#contact_email")).to_be_focused()
    # A group of choices: the first choice takes focus, and its legend is in view.
    page.locator("#error-summary a[href='#pillars']").click()
    expect(page.locator("#pillars-prevention")).to_be_focused()
    expect(page.locator("#pillars legend")).to_be_in_viewport()


def test_errors_keep_what_was_typed_with_javascript_off(open_page: OpenPage,
                                                        server: LiveServer) -> None:
    page = open_page(javascript=False)
    page.goto(f"{server.url}/?lang=en")
    fill_registration(page)
    page.fill("#contact_email", "aisyah@")
    submit(page)

    first_in_main = page.locator("main > *").first
    expect(first_in_main).to_have_id("error-summary")
    expect(page.locator("#contact_email-error")).to_contain_text(
        "Enter an email address in the correct format")
    expect(page.locator("#contact_email")).to_have_value("aisyah@")
    expect(page.locator("#pillars-prevention")).to_be_checked()

    page.fill("#contact_email", "aisyah.nojs@example.org.my")
    submit(page)
    expect(page.locator("h1")).to_have_text("Registration received")
    expect(page.locator(".reference")).to_have_text(
        re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_confirmation_passes_axe(open_page: OpenPage, axe_check: AxeCheck, server: LiveServer,
                                 lang: str) -> None:
    page = open_page(axe=True)
    reference = register(page, server.url, lang=lang)

    assert len(reference) == 8
    assert page.evaluate("document.documentElement.lang") == lang
    axe_check(page)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_closed_notice_passes_axe(open_page: OpenPage, axe_check: AxeCheck,
                                  closed_server: LiveServer, lang: str) -> None:
    page = open_page(axe=True)
    page.goto(f"{closed_server.url}/?lang={lang}")

    expect(page.locator("h1")).to_have_text(
        {"ms": "Pendaftaran telah ditutup", "en": "Registration has closed"}[lang])
    expect(page.locator("main")).to_contain_text(
        {"ms": "20 Oktober 2022", "en": "20 October 2022"}[lang])
    expect(page.locator("main a[href^='mailto:']")).to_have_text("alliance8.7@mohr.gov.my")
    expect(page.locator("form")).to_have_count(0)
    axe_check(page)


def test_keyboard_only_registration_on_a_phone(open_page: OpenPage, server: LiveServer) -> None:
    """Tab, Space, typing and Enter only, from the top of the page to the confirmation."""
    page = open_page(**PHONE)
    page.goto(f"{server.url}/?lang=en")
    typed = {
        "organisation_name": "Persatuan Papan Kekunci Malaysia",
        "address": "Aras 3, Blok D3, Kompleks D, Presint 1, Putrajaya",
        "postcode": "62530",
        "state": "Federal Territory of P",
        "contact_name": "Siti Nurhaliza binti Tarudin",
        "contact_designation": "Setiausaha",
        "contact_email": "keyboard@example.org.my",
        "contact_phone": "03-8886 5000",
        "interest_statement": "We train employers to spot forced labour indicators.",
    }
    pressed_space = {"category-public_organisation", "pillars-prevention",
                     "workshop_attendees-0", "consent_pdpa-true"}
    visited: list[str] = []

    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => ({id: document.activeElement.id, tag: document.activeElement.tagName,"
            " type: document.activeElement.type || ''})")
        visited.append(focused["id"])
        if focused["id"] in typed:
            page.keyboard.type(typed[focused["id"]])
        elif focused["id"] in pressed_space:
            page.keyboard.press("Space")
        elif focused["tag"] == "BUTTON" and focused["type"] == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"never reached the submit button; focus went through {visited}")

    assert visited.index("organisation_name") < visited.index("contact_email") \
        < visited.index("consent_pdpa-true"), "focus order does not follow the page"
    expect(page.locator("h1")).to_have_text("Registration received")
    expect(page.locator(".reference")).to_have_text(
        re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    assert horizontal_overflow(page) == 0


def test_skip_link_moves_focus_to_the_main_content(open_page: OpenPage,
                                                   server: LiveServer) -> None:
    page = open_page()
    page.goto(server.url)

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


@pytest.mark.parametrize(("width", "scale"), LAYOUTS)
@pytest.mark.parametrize("page_kind", ["form", "errors", "confirmation"])
def test_no_sideways_scrolling(open_page: OpenPage, server: LiveServer, width: int, scale: float,
                               page_kind: str) -> None:
    page = open_page(width=width, height=800, scale=scale)
    show(page, server.url, page_kind)

    assert horizontal_overflow(page) == 0, f"{page_kind} scrolls sideways at {width} px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("width", "scale"), LAYOUTS)
def test_closed_notice_has_no_sideways_scrolling(open_page: OpenPage, closed_server: LiveServer,
                                                 width: int, scale: float) -> None:
    page = open_page(width=width, height=800, scale=scale)
    page.goto(closed_server.url)

    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("selector", [
    "#organisation_name", "#category-cso", "#state", "#pillars-prevention", "#interest_statement",
    "button[type=submit]", ".language-switch a", "footer a",
])
def test_focus_is_clearly_visible(open_page: OpenPage, server: LiveServer,
                                  selector: str) -> None:
    page = open_page()
    page.goto(server.url)
    target = page.locator(selector).first
    target.focus()
    # Focus-visible styles follow keyboard use; a Tab away and back is how a person arrives.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")

    expect(target).to_be_focused()
    style = target.evaluate(
        "el => { const s = getComputedStyle(el);"
        " return {style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }")
    assert style["style"] != "none" and style["width"] >= 2, f"{selector}: {style}"


def test_contact_and_address_fields_say_what_to_autocomplete(open_page: OpenPage,
                                                             server: LiveServer) -> None:
    page = open_page()
    page.goto(server.url)
    expected = {
        "organisation_name": "organization", "address": "street-address",
        "postcode": "postal-code", "website": "url", "contact_name": "name",
        "contact_designation": "organization-title", "contact_email": "email",
        "contact_phone": "tel",
    }

    actual = {field: page.locator(f"#{field}").get_attribute("autocomplete")
              for field in expected}

    assert actual == expected


def test_every_field_has_a_label_and_every_group_a_legend(open_page: OpenPage,
                                                          server: LiveServer) -> None:
    page = open_page()
    page.goto(server.url)

    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
               .filter(el => el.labels.length === 0).map(el => el.id || el.name)""")
    ungrouped = page.evaluate(
        """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
               .filter(el => !el.closest('fieldset')?.querySelector('legend'))
               .map(el => el.id)""")

    assert unlabelled == []
    assert ungrouped == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_html_lang_matches_the_language_shown(open_page: OpenPage, server: LiveServer,
                                              lang: str) -> None:
    page = open_page()
    page.goto(f"{server.url}/?lang={lang}")
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.locator("h1")).to_have_text(HEADINGS[lang])

    submit_empty_form(page, server.url, lang)
    assert page.evaluate("document.documentElement.lang") == lang

    register(page, server.url, lang=lang)
    assert page.evaluate("document.documentElement.lang") == lang


def test_language_switch_changes_the_page_and_is_remembered(open_page: OpenPage,
                                                            server: LiveServer) -> None:
    page = open_page(locale="ms-MY")
    page.goto(server.url)
    assert page.evaluate("document.documentElement.lang") == "ms"
    expect(page.locator("main .deadline")).to_contain_text("Disember 2099")

    switch = page.get_by_role("navigation", name="Bahasa").get_by_role("link")
    expect(switch).to_have_text("English")
    switch.click()

    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("h1")).to_have_text(HEADINGS["en"])
    expect(page.locator("main .deadline")).to_contain_text("31 December 2099, 11:59 pm")
    page.goto(server.url)
    assert page.evaluate("document.documentElement.lang") == "en"

    page.get_by_role("navigation", name="Language").get_by_role("link").click()
    assert page.evaluate("document.documentElement.lang") == "ms"
    expect(page.locator("h1")).to_have_text(HEADINGS["ms"])


def test_language_switch_on_the_confirmation_keeps_the_reference(open_page: OpenPage,
                                                                 server: LiveServer) -> None:
    page = open_page()
    reference = register(page, server.url, lang="ms")

    page.get_by_role("link", name="English").click()

    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator(".reference")).to_have_text(reference)


def _csp_reports(page: Page) -> list[str]:
    reports: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            reports.append(message.text)

    page.on("console", record)
    return reports


def test_content_security_policy_is_enforced(open_page: OpenPage, server: LiveServer,
                                             closed_server: LiveServer) -> None:
    """The real pages break no rule of their policy, and the policy really blocks inline code."""
    page = open_page()
    reports = _csp_reports(page)

    for lang in LANGUAGES:
        page.goto(f"{server.url}/?lang={lang}")
        submit_empty_form(page, server.url, lang)
        register(page, server.url, lang=lang)
        page.goto(f"{closed_server.url}/?lang={lang}")
    assert reports == []
    assert page.evaluate("getComputedStyle(document.body).marginTop") == "0px", \
        "the stylesheet did not load"

    page.goto(server.url)
    # Playwright may itself report that the page refused the script; either way it must not run.
    with contextlib.suppress(PlaywrightError):
        page.add_script_tag(content="window.injected = true;")
    assert page.evaluate("window.injected === undefined")
    assert reports, "an inline script ran, or its refusal went unreported"


# WCAG 1.4.12: people who widen letters, words, lines and paragraphs lose nothing.
TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: .12em !important;
                     word-spacing: .16em !important; }
                  p { margin-bottom: 2em !important; }"""


@pytest.mark.parametrize("page_kind", ["form", "errors", "confirmation"])
def test_wider_text_spacing_still_fits_a_phone(open_page: OpenPage, server: LiveServer,
                                               page_kind: str) -> None:
    # The user's own style sheet is an inline style, so this context bypasses the CSP.
    page = open_page(axe=True, **PHONE)
    show(page, server.url, page_kind)
    page.add_style_tag(content=TEXT_SPACING)

    assert horizontal_overflow(page) == 0
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('label, legend, .hint, .button, h1, h2, a')]
               .filter(el => el.scrollWidth > el.clientWidth + 1
                             && getComputedStyle(el).overflow !== 'visible')
               .map(el => el.textContent.trim().slice(0, 40))""")
    assert clipped == []
