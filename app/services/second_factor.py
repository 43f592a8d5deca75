"""The second factor: TOTP (RFC 6238, with pyotp), its set-up, recovery codes and reset.

pyotp rather than our own 30 lines: it is small, pure Python, widely used and tested
against the RFC's vectors, and it makes the otpauth:// URI that authenticator apps read.
A session that has only the password waits here for the code (`resume_pending_session`),
and `complete_sign_in` trades it for a session that opens the back-office.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

import pyotp
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.core.config import get_settings
from app.core.secret_box import SecretUnreadable, seal, unseal
from app.models import RecoveryCode, StaffSession, StaffUser
from app.services import audit, staff_auth
from app.services.demo import DEMO_EMAIL_DOMAIN

ISSUER = "Alliance 8.7 Malaysia"
# One step either side of now: a phone's clock a little off still works.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# The second step must follow the password soon; setting up an app may take a while.
PENDING_TIMEOUT = dt.timedelta(minutes=15)
# The only account that may skip the second factor, and only in development: the one
# `alliance87 dev-setup` makes for `make demo` (its domain is reserved, never real).
DEVELOPMENT_ACCOUNT_EMAIL = f"admin@{DEMO_EMAIL_DOMAIN}"
_PURPOSE = "totp-secret"

log = logging.getLogger("app.second_factor")


def may_skip(user: StaffUser) -> bool:
    """Say whether this account signs in with its password alone: the development one, there."""
    return (get_settings().environment == "development"
            and user.email_key == staff_auth.email_key(DEVELOPMENT_ACCOUNT_EMAIL))


def is_set_up(user: StaffUser) -> bool:
    """Say whether the account has a confirmed second factor."""
    return user.totp_confirmed_at is not None and user.totp_secret is not None


def secret_of(user: StaffUser, *, secret_key: str | None = None) -> str:
    """Return the account's TOTP secret as base32 text (SecretUnreadable if SECRET_KEY changed)."""
    assert user.totp_secret is not None
    return unseal(user.totp_secret, purpose=_PURPOSE, context=str(user.id),
                  secret_key=secret_key)


def seal_secret(user: StaffUser, secret: str, *, secret_key: str | None = None) -> str:
    """Return the secret sealed for this account, as it is stored."""
    return seal(secret, purpose=_PURPOSE, context=str(user.id), secret_key=secret_key)


def prepare_set_up(*, session: Session, user: StaffUser) -> None:
    """Give an account without a confirmed factor a new secret, unless it has one waiting."""
    if user.totp_secret is not None:
        try:
            secret_of(user)
            return
        except SecretUnreadable:  # sealed under an earlier SECRET_KEY: start afresh
            pass
    if not is_set_up(user):
        user.totp_secret = seal_secret(user, pyotp.random_base32())
        session.flush()


def provisioning_uri(user: StaffUser) -> str:
    """Return the otpauth:// URI that an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret_of(user)).provisioning_uri(name=user.email, issuer_name=ISSUER)


def _digits(code: str) -> str:
    return "".join(code.split())


def _accept_totp(*, session: Session, user: StaffUser, code: str, now: dt.datetime) -> bool:
    """Accept a TOTP code within the drift window whose time-step is after the last one used."""
    code = _digits(code)
    if len(code) != 6 or not code.isdigit() or user.totp_secret is None:
        return False
    try:
        totp = pyotp.TOTP(secret_of(user))
    except SecretUnreadable:
        log.error("staff account %s: its second factor cannot be read with this SECRET_KEY; "
                  "reseal it (docs/operations.md) or reset it", user.id,
                  extra={"event": "second_factor_unreadable", "staff_user_id": user.id})
        return False
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if not hmac.compare_digest(code, totp.generate_otp(step)):
            continue
        # One UPDATE that only moves forward: two requests with the same code cannot
        # both pass, on either database.
        taken = session.execute(update(StaffUser).where(
            StaffUser.id == user.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        ).values(totp_last_step=step).execution_options(synchronize_session=False))
        if not taken.rowcount:  # type: ignore[attr-defined]
            return False
        user.totp_last_step = step  # as stored, for this session's copy
        return True
    return False


def _recovery_hash(code: str) -> str:
    normal = "".join(ch for ch in code.casefold() if ch.isalnum())
    return hashlib.sha256(f"alliance87 recovery code:{normal}".encode()).hexdigest()


def _use_recovery_code(*, session: Session, user: StaffUser, code: str,
                       now: dt.datetime) -> bool:
    used = session.execute(update(RecoveryCode).where(
        RecoveryCode.staff_user_id == user.id, RecoveryCode.code_hash == _recovery_hash(code),
        RecoveryCode.used_at.is_(None),
    ).values(used_at=now).execution_options(synchronize_session=False))
    if not used.rowcount:  # type: ignore[attr-defined]
        return False
    left = len(list(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.staff_user_id == user.id, RecoveryCode.used_at.is_(None)))))
    audit.record_change(session=session, actor=audit.Actor(user.id),
                        action="recovery_code_used", now=now, detail={"left": left})
    return True


def check_code(*, session: Session, user: StaffUser, code: str, now: dt.datetime) -> bool:
    """Accept a current TOTP code or an unused recovery code, once; say whether it was one."""
    if not is_set_up(user) or not code.strip() or len(code) > 64:
        return False
    if _accept_totp(session=session, user=user, code=code, now=now):
        return True
    return _use_recovery_code(session=session, user=user, code=code, now=now)


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


def confirm_set_up(*, session: Session, user: StaffUser, code: str,
                   now: dt.datetime) -> list[str] | None:
    """Confirm the waiting secret with a code from it; return ten new recovery codes, or None."""
    if is_set_up(user) or user.totp_secret is None:
        return None
    if not _accept_totp(session=session, user=user, code=code, now=now):
        return None
    user.totp_confirmed_at = now
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(RecoveryCode(staff_user_id=user.id, code_hash=_recovery_hash(code))
                    for code in codes)
    session.flush()
    audit.record_change(session=session, actor=audit.Actor(user.id),
                        action="second_factor_set_up", now=now)
    return codes


def reset(*, session: Session, user: StaffUser, now: dt.datetime, actor: audit.Actor) -> None:
    """Clear an account's second factor and recovery codes: it sets up again at its next sign-in."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_user_id == user.id))
    session.flush()
    audit.record_change(session=session, actor=actor, action="second_factor_reset", now=now,
                        detail={"email": user.email})


def resume_pending_session(*, session: Session, token: str,
                           now: dt.datetime) -> staff_auth.SignedIn | None:
    """Return the account whose password was given with this token and who owes the second step."""
    found = session.execute(
        select(StaffSession, StaffUser).join(StaffUser)
        .where(StaffSession.id_hash == staff_auth.token_hash(token))
    ).one_or_none()
    if found is None:
        return None
    staff_session, user = found
    if (staff_session.revoked_at is not None or user.disabled_at is not None
            or staff_session.second_factor_at is not None
            or now - staff_session.created_at >= PENDING_TIMEOUT):
        return None
    return staff_auth.SignedIn(user, staff_session)


def complete_sign_in(*, session: Session, pending: staff_auth.SignedIn, now: dt.datetime,
                     token: str) -> str:
    """End the half-signed-in session and open a full one (a new token); return its token."""
    staff_auth.end_session(session=session, token=token, now=now)
    new_token = staff_auth.start_session(session=session, user=pending.user, now=now,
                                         second_factor_at=now)
    pending.user.last_login_at = now
    audit.record_change(session=session, actor=audit.Actor(pending.user.id), action="sign_in",
                        now=now)
    return new_token
