"""Staff accounts, passwords, sign-in sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.models import ApiToken, StaffSession, StaffUser
from app.services import audit
from app.vocab import ROLE_CODES

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
# A session ends after 30 minutes without a request, and after 8 hours whatever happens:
# a working day, so a forgotten browser on a shared desk does not stay signed in overnight.
IDLE_TIMEOUT = dt.timedelta(minutes=30)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=8)
# last_seen_at is written at most this often, so browsing does not write on every click.
TOUCH_INTERVAL = dt.timedelta(minutes=1)
TOKEN_PREFIX = "a87_"  # noqa: S105 - a marker that makes leaked tokens easy to find


class StaffAccountError(ValueError):
    """The account cannot be created as asked; args[0] is the message (a msgid)."""

    def __str__(self) -> str:
        return str(self.args[0]) % {"count": MIN_PASSWORD_LENGTH}


@dataclass(frozen=True)
class SignedIn:
    user: StaffUser
    staff_session: StaffSession


def email_key(email: str) -> str:
    """Return the form of an email address that accounts are compared by."""
    return email.strip().casefold()


def token_hash(token: str) -> str:
    """Return the SHA-256 of a session or API token: only this is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache
def _unknown_user_hash() -> str:
    # Checked when the email has no account, so both answers take as long.
    return _hasher().hash(secrets.token_urlsafe(16))


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise StaffAccountError(N_("The password must be at least %(count)d characters long"))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise StaffAccountError(N_("The password is too long"))


def create_staff(
    *, session: Session, email: str, role: str, password: str, now: dt.datetime,
    actor: audit.Actor,
) -> StaffUser:
    """Create a staff account with an argon2 password hash, and log who did."""
    email = email.strip()
    if "@" not in email or len(email) > 320 or any(c.isspace() for c in email):
        raise StaffAccountError(N_("Enter the staff member's email address"))
    if role not in ROLE_CODES:
        raise StaffAccountError(N_("Choose the role: administrator or viewer"))
    check_password_rules(password)
    user = StaffUser(email=email, email_key=email_key(email), role=role,
                     password_hash=_hasher().hash(password), created_at=now)
    try:
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        raise StaffAccountError(N_("There is already a staff account with this email address")
                                ) from None
    audit.record_change(session=session, actor=actor, action="staff_created", now=now,
                        detail={"email": user.email, "role": user.role})
    return user


def find_staff(*, session: Session, email: str) -> StaffUser | None:
    """Return the account for this email address, if there is one."""
    return session.scalar(select(StaffUser).where(StaffUser.email_key == email_key(email)))


def check_password(*, session: Session, email: str, password: str) -> StaffUser | None:
    """Return the active account if the password is right; None says nothing more.

    It only reads, so the slow hashing holds no write lock.
    """
    user = find_staff(session=session, email=email)
    try:
        _hasher().verify(user.password_hash if user else _unknown_user_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled_at is not None:
        return None
    return user


def sign_in(
    *, session: Session, user: StaffUser, password: str, previous_token: str | None,
    now: dt.datetime, skip_second_factor: bool = False,
) -> str:
    """Start `user`'s sign-in with a new session, ending the previous one; return its token.

    The password was checked already; it is rehashed here if the hashing parameters changed.
    The session opens nothing until the second factor is given (`second_factor.py`), unless
    `skip_second_factor` (the development account in development) signs in at once.
    """
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    if previous_token:
        end_session(session=session, token=previous_token, now=now)
    token = start_session(session=session, user=user, now=now,
                          second_factor_at=now if skip_second_factor else None)
    if skip_second_factor:
        user.last_login_at = now
        audit.record_change(session=session, actor=audit.Actor(user.id), action="sign_in",
                            now=now, detail={"second_factor": "skipped in development"})
    return token


def start_session(*, session: Session, user: StaffUser, now: dt.datetime,
                  second_factor_at: dt.datetime | None) -> str:
    """Open a new sign-in session and return the token for its cookie."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(id_hash=token_hash(token), staff_user_id=user.id,
                             csrf_token=secrets.token_urlsafe(32), created_at=now,
                             last_seen_at=now, second_factor_at=second_factor_at))
    session.flush()
    return token


def resume_session(*, session: Session, token: str, now: dt.datetime) -> SignedIn | None:
    """Return who is signed in with this token, if the session is valid and complete."""
    found = session.execute(
        select(StaffSession, StaffUser).join(StaffUser)
        .where(StaffSession.id_hash == token_hash(token))
    ).one_or_none()
    if found is None:
        return None
    staff_session, user = found
    if (staff_session.revoked_at is not None or user.disabled_at is not None
            or staff_session.second_factor_at is None
            or now - staff_session.last_seen_at >= IDLE_TIMEOUT
            or now - staff_session.created_at >= ABSOLUTE_TIMEOUT):
        return None
    if now - staff_session.last_seen_at >= TOUCH_INTERVAL:
        staff_session.last_seen_at = now
        session.flush()
    return SignedIn(user, staff_session)


def end_session(*, session: Session, token: str, now: dt.datetime) -> None:
    """Revoke the session behind this token, so its cookie no longer signs anyone in."""
    session.execute(update(StaffSession).where(
        StaffSession.id_hash == token_hash(token), StaffSession.revoked_at.is_(None)
    ).values(revoked_at=now))


def create_token(
    *, session: Session, user: StaffUser, now: dt.datetime, actor: audit.Actor
) -> tuple[str, ApiToken]:
    """Make an API token for `user`; the token is returned once and only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(staff_user_id=user.id, token_hash=token_hash(token), created_at=now)
    session.add(row)
    session.flush()
    audit.record_change(session=session, actor=actor, action="token_created", now=now,
                        detail={"token_id": row.id})
    return token, row


def user_for_token(*, session: Session, token: str, now: dt.datetime) -> StaffUser | None:
    """Return the account behind a valid API token, noting when it was last used."""
    found = session.execute(
        select(ApiToken, StaffUser).join(StaffUser).where(ApiToken.token_hash == token_hash(token))
    ).one_or_none()
    if found is None:
        return None
    api_token, user = found
    if api_token.revoked_at is not None or user.disabled_at is not None:
        return None
    api_token.last_used_at = now
    session.flush()
    return user


def revoke_token(
    *, session: Session, token_id: int, now: dt.datetime, actor: audit.Actor
) -> bool:
    """Revoke an API token; say whether there was a live one to revoke."""
    result = session.execute(update(ApiToken).where(
        ApiToken.id == token_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    revoked = bool(result.rowcount)  # type: ignore[attr-defined]
    if revoked:
        audit.record_change(session=session, actor=actor, action="token_revoked", now=now,
                            detail={"token_id": token_id})
    return revoked


def list_staff(*, session: Session) -> list[StaffUser]:
    """Return every staff account, by email."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email_key)))


def list_tokens(*, session: Session) -> list[tuple[ApiToken, str]]:
    """Return every API token with its owner's email, newest first."""
    rows = session.execute(select(ApiToken, StaffUser.email).join(StaffUser)
                           .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [(token, email) for token, email in rows]


def set_disabled(
    *, session: Session, user_id: int, disabled: bool, now: dt.datetime, actor: audit.Actor
) -> bool:
    """Disable or re-enable an account; disabling also ends its sessions."""
    user = session.get(StaffUser, user_id)
    if user is None:
        return False
    audit.record_change(session=session, actor=actor,
                        action="staff_disabled" if disabled else "staff_enabled", now=now,
                        detail={"staff_user_id": user_id})
    user.disabled_at = now if disabled else None
    if disabled:
        session.execute(update(StaffSession).where(
            StaffSession.staff_user_id == user_id, StaffSession.revoked_at.is_(None)
        ).values(revoked_at=now))
    session.flush()
    return True
