#!/usr/bin/env python3
"""Save screenshots of the portal's main pages, at 360 px and 1280 px, into docs/screenshots/.

Run by hand from the repository root (after `make install`, with Debian's chromium):

    .venv/bin/python scripts/screenshots.py [NAME-PREFIX …]   # e.g. staff-announcement

It builds a throwaway SQLite database (`alembic upgrade head`), adds demo registrations and a
staff account, serves the portal with uvicorn on loopback, and drives chromium through
Playwright. Pages that do not exist yet are left out, with a note.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
WIDTHS = (360, 1280)
CHROMIUM = next((p for p in (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))
                 if p.exists()), None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# One organisation per screen width: a second registration with the same name and email
# would be refused as a duplicate.
ORGANISATIONS = {360: "Pertubuhan Sahabat Pekerja Migran Sabah", 1280: "Tenaganita Berhad"}
STAFF_EMAIL = "sekretariat@mohr.gov.my"
STAFF_PASSWORD = "contoh-kata-laluan-2022"  # noqa: S105 - a throwaway demo account


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(args, cwd=ROOT, env=env, input=stdin, text=True, check=True,  # noqa: S603
                   stdout=subprocess.DEVNULL)


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> bool:
    """Run an `alliance87` sub-command; say whether it exists and succeeded."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, input=stdin, text=True,
        capture_output=True, check=False)
    if result.returncode != 0:
        print(f"  (alliance87 {args[0]} failed: {result.stderr.strip()[:200]})")
    return result.returncode == 0


@contextmanager
def serve(env: dict[str, str]) -> Iterator[str]:
    """Serve the portal with uvicorn on a free loopback port; yield its base URL."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("uvicorn did not become ready")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def exists(url: str) -> bool:
    return httpx.get(url, timeout=5, follow_redirects=False).status_code != 404


def fill_form(page: Page) -> None:
    page.fill("#organisation_name", "Persatuan Sahabat Wanita Selangor")
    page.check("#category-cso")
    page.fill("#address", "No. 12, Jalan Tun Razak\nKuala Lumpur")
    page.fill("#postcode", "50400")
    page.select_option("#state", "wp_kuala_lumpur")
    page.fill("#contact_name", "Nur Aisyah binti Ahmad")
    page.fill("#contact_designation", "Pengurus Program")
    page.fill("#contact_email", "aisyah@example.org.my")
    page.fill("#contact_phone", "012-345 6789")
    page.check("#pillars-prevention")
    page.check("#pillars-partnership")
    page.check("#focus_areas-labour_migration")
    page.fill("#interest_statement", "Kami membantu pekerja migran, mangsa buruh paksa.")
    page.check("#workshop_attendees-2")
    page.check("#consent_pdpa-true")


def shoot(browser: Browser, name: str, visit: Callable[[Page], None], *,
          full_page: bool = False) -> None:
    """Save `name`-360.png and `name`-1280.png of the page that `visit` opens.

    `full_page` captures the whole page; otherwise what the first screenful shows.
    Names not starting with a prefix given on the command line are left out.
    """
    if sys.argv[1:] and not name.startswith(tuple(sys.argv[1:])):
        return
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            visit(page)
            page.screenshot(path=OUTPUT / f"{name}-{width}.png", full_page=full_page)
            print(f"  {name}-{width}.png")
        finally:
            context.close()


def staff_sign_in(page: Page, url: str, lang: str = "ms") -> None:
    page.goto(f"{url}/staff/login?lang={lang}")
    page.fill("input[type=email]", STAFF_EMAIL)
    page.fill("input[type=password]", STAFF_PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()


def main() -> int:
    if CHROMIUM is None:
        print("Debian's chromium is not installed (./scripts/install-system-deps)", file=sys.stderr)
        return 1
    OUTPUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="alliance87-screenshots-"))
    open_until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'portal.sqlite3'}",
           "ENVIRONMENT": "development", "SECRET_KEY": "screenshots-only",
           "REGISTRATION_DEADLINE": open_until}
    env.pop("SMTP_HOST", None)
    _run(env, sys.executable, "-m", "alembic", "upgrade", "head")
    _cli(env, "seed-demo", "--count", "60", "--seed", "87")
    has_staff = _cli(env, "create-staff", "--email", STAFF_EMAIL, "--role", "admin",
                     "--password-stdin", stdin=STAFF_PASSWORD + "\n")
    has_roadmap = _cli(env, "seed-roadmap", "--commitments", "12", "--seed", "87")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        with serve(env) as url:
            shoot(browser, "form-ms", lambda page: page.goto(f"{url}/?lang=ms"), full_page=True)
            shoot(browser, "form-en", lambda page: page.goto(f"{url}/?lang=en"))

            def errors(page: Page) -> None:
                page.goto(f"{url}/?lang=ms")
                page.fill("#organisation_name", "Persatuan Sahabat Wanita")
                page.fill("#contact_email", "aisyah@")
                with page.expect_navigation():
                    page.click("button[type=submit]")

            shoot(browser, "form-errors-ms", errors)

            def confirmation(page: Page) -> None:
                page.goto(f"{url}/?lang=en")
                fill_form(page)
                width = (page.viewport_size or {"width": 0})["width"]
                page.fill("#organisation_name", ORGANISATIONS.get(width, "Tenaganita Berhad"))
                with page.expect_navigation():
                    page.click("button[type=submit]")

            shoot(browser, "confirmation-en", confirmation, full_page=True)
            shoot_private_pages(browser, url, env)
            if has_roadmap:
                # The page is long: its top, and its first pillar with an outcome's commitments.
                for lang in ("ms", "en"):
                    shoot(browser, f"roadmap-{lang}",
                          lambda page, lang=lang: page.goto(f"{url}/roadmap?lang={lang}"))
                    shoot(browser, f"roadmap-pillar-{lang}", lambda page, lang=lang: page.goto(
                        f"{url}/roadmap?lang={lang}#pillar-prevention"))
            shoot_back_office(browser, url, has_staff)
            if has_staff:
                shoot_check_in(browser, url, env)
        with serve({**env, "REGISTRATION_DEADLINE": "2022-10-20"}) as url:
            shoot(browser, "closed-ms", lambda page: page.goto(f"{url}/?lang=ms"), full_page=True)
        browser.close()
    return 0


def shoot_back_office(browser: Browser, url: str, has_staff: bool) -> None:
    """The staff pages, when they exist and a staff account could be made."""
    if not (has_staff and exists(f"{url}/staff/login")):
        print("  (no staff pages yet: skipped)")
        return
    shoot(browser, "staff-login-ms", lambda page: page.goto(f"{url}/staff/login?lang=ms"))

    def staff_page(path: str) -> Callable[[Page], None]:
        def visit(page: Page) -> None:
            staff_sign_in(page, url)
            page.goto(f"{url}{path}")
        return visit

    shoot(browser, "staff-list-ms", staff_page("/staff/registrations"))
    shoot(browser, "staff-list-en", staff_page("/staff/registrations?lang=en"))

    def detail(page: Page) -> None:
        staff_sign_in(page, url)
        page.goto(f"{url}/staff/registrations")
        with page.expect_navigation():
            page.locator("table a[href^='/staff/registrations/']").first.click()

    shoot(browser, "staff-detail-ms", detail)

    def announcement_preview(page: Page) -> None:
        staff_sign_in(page, url, lang="en")
        page.goto(f"{url}/staff/announcements/new?category=cso&lang=en")
        page.fill("#subject_ms", "Bengkel perancangan strategik, November 2022")
        page.fill("#body_ms", "Tuan/Puan {contact_name},\n\nKementerian menjemput "
                  "{organisation_name} ke bengkel perancangan strategik Alliance 8.7.\n\n"
                  "Butiran: https://www.mohr.gov.my/")
        page.fill("#subject_en", "Strategic planning workshop, November 2022")
        page.fill("#body_en", "Dear {contact_name},\n\nThe Ministry invites "
                  "{organisation_name} to the Alliance 8.7 strategic planning workshop.\n\n"
                  "Details: https://www.mohr.gov.my/")
        with page.expect_navigation():
            page.locator("button[value=preview]").click()

    shoot(browser, "staff-announcement-en", announcement_preview, full_page=True)
    shoot(browser, "staff-roadmap-ms", staff_page("/staff/roadmap"))


# Run in a separate process on the same database: gives the newest registration a fresh
# private link (as a resent confirmation would) and prints it.
_PRIVATE_LINK = """
from sqlalchemy import select
from app.core.db import new_session
from app.models import Registration
from app.services.private_links import issue_manage_token
with new_session() as session:
    newest = session.scalars(select(Registration).order_by(Registration.id.desc())).first()
    token = issue_manage_token(registration=newest)
    session.commit()
print(token)
"""


def shoot_private_pages(browser: Browser, url: str, env: dict[str, str]) -> None:
    """The registrant's private page and its correction form, when they exist."""
    result = subprocess.run([sys.executable, "-c", _PRIVATE_LINK], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(f"  (no private links yet: skipped; {result.stderr.strip()[-200:]})")
        return
    link = f"{url}/manage/{result.stdout.strip().splitlines()[-1]}"
    shoot(browser, "manage-ms", lambda page: page.goto(f"{link}?lang=ms"), full_page=True)
    shoot(browser, "manage-edit-en", lambda page: page.goto(f"{link}/edit?lang=en"))


# Run in a separate process on the same database: a workshop tomorrow with its default groups,
# three demo organisations' representatives accepted and placed, one of them checked in; prints
# the workshop's id and a personal check-in link's path.
_WORKSHOP_DAY = """
import datetime as dt
from sqlalchemy import select
from app.core.db import new_session
from app.models import Invitation, Registration, Representative
from app.schemas.workshop import WorkshopCreate
from app.services import working_groups, workshops
from app.services.check_in_codes import check_in_url
now = dt.datetime.now(dt.UTC)
starts = now + dt.timedelta(days=1)
names = [["Nur Aisyah binti Ahmad", "Ravi a/l Kumar"], ["Tan Mei Ling", "Siti Nurhaliza"],
         ["Muthu a/l Raman"]]
with new_session() as session:
    workshop = workshops.create_workshop(session=session, staff_user_id=None, now=now,
        details=WorkshopCreate(title_ms="Bengkel perancangan strategik",
            title_en="Strategic planning workshop", starts_at=starts,
            ends_at=starts + dt.timedelta(hours=8), venue="Dewan Besar, Putrajaya",
            replies_close_at=starts - dt.timedelta(days=1), capacity=40))
    working_groups.create_default_groups(session=session, workshop_id=workshop.id,
                                         staff_user_id=None, now=now)
    people = []
    for registered, group in zip(session.scalars(select(Registration).limit(3)), names):
        invitation = Invitation(workshop_id=workshop.id, registration_id=registered.id,
                                status="accepted", invited_at=now, replied_at=now,
                                reply_channel="phone")
        invitation.representatives = [
            Representative(position=n, full_name=name, designation="Pegawai Program",
                           email=f"wakil{n}@example.org.my") for n, name in enumerate(group)]
        session.add(invitation)
        people += invitation.representatives
    session.flush()
    working_groups.apply_suggestion(session=session, workshop_id=workshop.id,
                                    staff_user_id=None, now=now)
    people[0].checked_in_at = now
    session.commit()
    link = check_in_url(workshop_id=workshop.id, representative_id=people[1].id, base_url="")
    print(workshop.id, link)
"""


def shoot_check_in(browser: Browser, url: str, env: dict[str, str]) -> None:
    """The check-in desk and a personal check-in link, as staff see them on a phone."""
    result = subprocess.run([sys.executable, "-c", _WORKSHOP_DAY], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(f"  (no workshop day yet: skipped; {result.stderr.strip()[-200:]})")
        return
    workshop_id, link = result.stdout.strip().splitlines()[-1].split()

    def desk(page: Page) -> None:
        staff_sign_in(page, url)
        page.goto(f"{url}/staff/workshops/{workshop_id}/check-in?lang=ms")

    def personal_link(page: Page) -> None:
        staff_sign_in(page, url, "en")
        page.goto(f"{url}{link}")

    shoot(browser, "staff-check-in-ms", desk, full_page=True)
    shoot(browser, "staff-check-in-link-en", personal_link)


if __name__ == "__main__":
    sys.exit(main())
