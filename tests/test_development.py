"""The newcomer's development portal: caught mail on a page, an admin and demo data."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.cli import main
from app.commands.development import DEV_ADMIN_EMAIL
from app.core.dev_mailbox import serve_caught_mail
from app.models import Registration, StaffUser
from tests.conftest import free_port
from tests.factories import store_registrations
from tests.test_mail_workers import _run_command


@pytest.fixture
def caught() -> Iterator[tuple[int, str]]:
    smtp_port, http_port = free_port(), free_port()
    catcher, page = serve_caught_mail(smtp_port=smtp_port, http_port=http_port)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    yield smtp_port, f"http://127.0.0.1:{http_port}"
    page.shutdown()
    catcher.stop()


def test_mail_the_worker_sends_shows_on_the_local_page(
    committed_db: Engine, caught: tuple[int, str]
) -> None:
    smtp_port, page = caught
    [reference] = store_registrations(committed_db, 1)

    worker = _run_command("send-emails", "--once", env={
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port)})
    assert worker.returncode == 0, worker.stderr

    listing = httpx.get(page + "/")
    assert listing.status_code == 200
    assert "Mail the portal sent (2)" in listing.text
    assert listing.text.count('href="/mail/') == 2
    bodies = [httpx.get(f"{page}/mail/{n}") for n in (0, 1)]
    assert all(reference in body.text for body in bodies)
    assert any("<a " in body.text and "/manage/" in body.text for body in bodies)  # the HTML
    assert "script-src" not in bodies[0].headers["content-security-policy"]
    assert httpx.get(page + "/mail/9").status_code == 404


@pytest.mark.parametrize("command", ["dev-mail", "dev-setup"])
def test_development_commands_are_refused_elsewhere(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command]) == 2  # the tests run with ENVIRONMENT=test
    assert "for development only" in capsys.readouterr().err


def test_dev_setup_makes_an_admin_and_demo_registrations(committed_db: Engine) -> None:
    result = _run_command("dev-setup", "--count", "12", env={"ENVIRONMENT": "development"})
    again = _run_command("dev-setup", "--count", "3", env={"ENVIRONMENT": "development"})

    assert result.returncode == 0 and again.returncode == 0, result.stderr + again.stderr
    assert DEV_ADMIN_EMAIL in result.stdout and "password:" in result.stdout
    assert "no second factor" in result.stdout and "ENVIRONMENT is development" in result.stdout
    with Session(committed_db) as session:
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 1
        assert session.scalar(select(func.count()).select_from(Registration)) == 15
