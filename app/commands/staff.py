"""`alliance87 create-staff`, `create-token`, `revoke-token`, `reset-2fa` and `reseal-2fa`."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from sqlalchemy import select

from app.core.clock import utcnow
from app.core.db import begin_write, new_session
from app.core.secret_box import SecretUnreadable
from app.models import StaffUser
from app.services import audit, second_factor, staff_auth
from app.vocab import ROLE_CODES


def register(subparsers: Any) -> None:
    create = subparsers.add_parser(
        "create-staff", help="create a staff account (password from a prompt or stdin)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", required=True, choices=ROLE_CODES,
                        help="admin: manages staff, tokens and the deadline; viewer: reads "
                        "and exports")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input")
    create.set_defaults(handler=create_staff)

    token = subparsers.add_parser(
        "create-token", help="print a new staff API token (shown once; only its hash is kept)")
    token.add_argument("--email", required=True, help="the staff account the token acts as")
    token.set_defaults(handler=create_token)

    revoke = subparsers.add_parser("revoke-token", help="revoke a staff API token by its number")
    revoke.add_argument("token_id", type=int, help="the number create-token reported")
    revoke.set_defaults(handler=revoke_token)

    reset = subparsers.add_parser(
        "reset-2fa", help="clear an account's second factor (a lost phone): it sets up a new "
        "one at its next sign-in")
    reset.add_argument("--email", required=True)
    reset.set_defaults(handler=reset_second_factor)

    reseal = subparsers.add_parser(
        "reseal-2fa", help="after changing SECRET_KEY: re-encrypt every second factor, reading "
        "the previous SECRET_KEY from the first line of standard input")
    reseal.set_defaults(handler=reseal_second_factors)


def _read_password(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        print("alliance87: the two passwords differ", file=sys.stderr)
        return None
    return first


def create_staff(arguments: argparse.Namespace) -> int:
    password = _read_password(arguments.password_stdin)
    if password is None:
        return 2
    try:
        staff_auth.check_password_rules(password)
    except staff_auth.StaffAccountError as error:
        print(f"alliance87: {error}", file=sys.stderr)
        return 2
    with new_session() as session:
        begin_write(session)
        try:
            staff_auth.create_staff(session=session, email=arguments.email,
                                    role=arguments.role, password=password, now=utcnow(),
                                    actor=audit.Actor(None, getpass.getuser()))
        except staff_auth.StaffAccountError as error:
            print(f"alliance87: {error}", file=sys.stderr)
            return 1
        session.commit()
    print(f"Created the {arguments.role} account {arguments.email}.", file=sys.stderr)
    return 0


def create_token(arguments: argparse.Namespace) -> int:
    with new_session() as session:
        begin_write(session)
        user = staff_auth.find_staff(session=session, email=arguments.email)
        if user is None or user.disabled_at is not None:
            print(f"alliance87: no active staff account {arguments.email}", file=sys.stderr)
            return 1
        token, row = staff_auth.create_token(session=session, user=user, now=utcnow(),
                                             actor=audit.Actor(user.id, getpass.getuser()))
        session.commit()
        token_id = row.id
    # The token alone on stdout, so a script can capture it; the rest on stderr.
    print(f"API token {token_id} for {arguments.email} (shown once; revoke with "
          f"`alliance87 revoke-token {token_id}`):", file=sys.stderr)
    print(token)
    return 0


def revoke_token(arguments: argparse.Namespace) -> int:
    with new_session() as session:
        begin_write(session)
        revoked = staff_auth.revoke_token(session=session, token_id=arguments.token_id,
                                          now=utcnow(), actor=audit.Actor(None, getpass.getuser()))
        session.commit()
    if not revoked:
        print(f"alliance87: no live token {arguments.token_id}", file=sys.stderr)
        return 1
    print(f"Revoked API token {arguments.token_id}.", file=sys.stderr)
    return 0


def reset_second_factor(arguments: argparse.Namespace) -> int:
    with new_session() as session:
        begin_write(session)
        user = staff_auth.find_staff(session=session, email=arguments.email)
        if user is None:
            print(f"alliance87: no staff account {arguments.email}", file=sys.stderr)
            return 1
        second_factor.reset(session=session, user=user, now=utcnow(),
                            actor=audit.Actor(None, getpass.getuser()))
        session.commit()
    print(f"Cleared the second factor of {arguments.email}; it sets up a new one at its next "
          "sign-in.", file=sys.stderr)
    return 0


def reseal_second_factors(arguments: argparse.Namespace) -> int:
    previous_key = sys.stdin.readline().rstrip("\r\n")
    resealed = unreadable = 0
    with new_session() as session:
        begin_write(session)
        for user in session.scalars(select(StaffUser).where(StaffUser.totp_secret.is_not(None))):
            try:
                second_factor.secret_of(user)
                continue  # already sealed with the current SECRET_KEY
            except SecretUnreadable:
                pass
            try:
                secret = second_factor.secret_of(user, secret_key=previous_key)
            except SecretUnreadable:
                unreadable += 1
                print(f"alliance87: cannot read the second factor of {user.email} with either "
                      "key; reset it with `alliance87 reset-2fa`", file=sys.stderr)
                continue
            user.totp_secret = second_factor.seal_secret(user, secret)
            resealed += 1
        audit.record_change(session=session, actor=audit.Actor(None, getpass.getuser()),
                            action="second_factor_resealed", now=utcnow(),
                            detail={"resealed": resealed, "unreadable": unreadable})
        session.commit()
    print(f"Re-encrypted {resealed} second factors with the current SECRET_KEY.", file=sys.stderr)
    return 1 if unreadable else 0
