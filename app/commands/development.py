"""`alliance87 dev-mail` and `dev-setup`: a newcomer's development portal, refused elsewhere.

`dev-mail` catches mail on 127.0.0.1 (aiosmtpd, a development dependency), runs the mail
worker against it, and lists what it caught on a local page. `dev-setup` makes a
development admin and demo registrations. Neither runs unless ENVIRONMENT is development.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import Any

from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.db import begin_write, new_session
from app.services import audit, second_factor, staff_auth

DEV_ADMIN_EMAIL = second_factor.DEVELOPMENT_ACCOUNT_EMAIL
# Printed and documented: this account exists only in development databases.
DEV_ADMIN_PASSWORD = "alliance87-development"  # noqa: S105


def register(subparsers: Any) -> None:
    mail = subparsers.add_parser(
        "dev-mail", help="development only: catch mail locally, deliver the outbox to it, "
        "and list it on a page")
    mail.add_argument("--smtp-port", type=int, default=1025)
    mail.add_argument("--http-port", type=int, default=8025)
    mail.add_argument("--interval", type=float, default=2.0,
                      help="seconds between the worker's passes (default 2)")
    mail.set_defaults(handler=run_dev_mail)

    setup = subparsers.add_parser(
        "dev-setup", help="development only: a development admin and demo registrations")
    setup.add_argument("--count", type=int, default=150, help="demo registrations to add")
    setup.set_defaults(handler=run_dev_setup)


def _refused_outside_development(command: str) -> bool:
    environment = get_settings().environment
    if environment != "development":
        print(f"alliance87: {command} is for development only (ENVIRONMENT is {environment})",
              file=sys.stderr)
        return True
    return False


def run_dev_mail(arguments: argparse.Namespace) -> int:
    if _refused_outside_development("dev-mail"):
        return 2
    from app.commands.mail import run as run_worker
    from app.core.dev_mailbox import serve_caught_mail

    catcher, page = serve_caught_mail(smtp_port=arguments.smtp_port,
                                      http_port=arguments.http_port)
    threading.Thread(target=page.serve_forever, daemon=True).start()
    print(f"Mail is caught on 127.0.0.1:{arguments.smtp_port}; read it at "
          f"http://127.0.0.1:{arguments.http_port}/", flush=True)
    # The worker reads its SMTP settings like any other: point them at the catcher.
    os.environ.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(arguments.smtp_port),
                      SMTP_SECURITY="none")
    get_settings.cache_clear()
    try:
        return run_worker(argparse.Namespace(once=False, interval=arguments.interval))
    finally:
        page.shutdown()
        catcher.stop()


def run_dev_setup(arguments: argparse.Namespace) -> int:
    if _refused_outside_development("dev-setup"):
        return 2
    from app.commands.demo import run as seed_demo

    with new_session() as session:
        begin_write(session)
        if staff_auth.find_staff(session=session, email=DEV_ADMIN_EMAIL) is None:
            staff_auth.create_staff(session=session, email=DEV_ADMIN_EMAIL, role="admin",
                                    password=DEV_ADMIN_PASSWORD, now=utcnow(),
                                    actor=audit.Actor(None, "alliance87 dev-setup"))
        session.commit()
    status = seed_demo(argparse.Namespace(count=arguments.count, seed=None, force=False))
    print(f"\nSign in at http://127.0.0.1:8000/staff/login\n  email:    {DEV_ADMIN_EMAIL}\n"
          f"  password: {DEV_ADMIN_PASSWORD}\n"
          "  (no second factor: this development account alone skips it, and only while "
          "ENVIRONMENT is development)")
    return status
