"""The second factor at staff sign-in (SPEC 9.1): set-up, codes, recovery codes and resets."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.cli import main
from app.core.config import get_settings
from app.core.db import new_session
from app.core.secret_box import SecretUnreadable, seal, unseal
from app.main import app
from app.models import AuditLog, RecoveryCode, StaffSession, StaffUser
from app.services import second_factor, staff_auth
from tests.conftest import Clock
from tests.staff_helpers import (
    PASSWORD,
    RECOVERY_CODES_ON_PAGE,
    SECRET_ON_PAGE,
    csrf_of,
    factors,
    registration,
    server_now,
    sign_in,
    staff_user,
)
from tests.system_tools import system_tool
from tests.test_staff_access import OPEN_TO_ANYONE, STAFF_ROUTES, _url

pytestmark = pytest.mark.usefixtures("staff_ready")

SECOND_STEP_PATHS = {"/staff/login/code", "/staff/login/setup"}


def _password(client: TestClient, email: str, password: str = PASSWORD):  # noqa: ANN202
    page = client.get("/staff/login")
    answer = client.post("/staff/login", data={"email": email, "password": password,
                                                "csrf_token": csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer


def _code(client: TestClient, code: str):  # noqa: ANN202
    page = client.get("/staff/login/code")
    assert page.status_code == 200, page.text
    return client.post("/staff/login/code", data={"code": code, "csrf_token": csrf_of(page.text)},
                       follow_redirects=False)


def _signed_in_with_factor(client: TestClient, session: Session, **kwargs: str) -> StaffUser:
    """An account whose factor is set up (by signing in once), signed out again."""
    user = staff_user(session, **kwargs)
    csrf = sign_in(client, user)
    client.post("/staff/logout", data={"csrf_token": csrf})
    return user


# --- the password alone ---------------------------------------------------------------

def test_a_password_alone_opens_no_staff_page(client: TestClient, session: Session) -> None:
    user = _signed_in_with_factor(client, session)
    registered = registration(session)
    _password(client, user.email)
    pending = session.scalars(select(StaffSession).where(
        StaffSession.revoked_at.is_(None))).one()
    assert pending.second_factor_at is None

    for method, path, _route in STAFF_ROUTES:
        if (method, path) in OPEN_TO_ANYONE or path in SECOND_STEP_PATHS:
            continue
        response = client.request(
            method, _url(path, registered.reference), follow_redirects=False,
            data={"csrf_token": pending.csrf_token, "staff_notes": "changed"}
            if method == "POST" else None)
        assert response.status_code == 303, (method, path, response.status_code)
        assert response.headers["location"].startswith("/staff/login"), (method, path)
    session.expire_all()
    assert session.get(type(registered), registered.id).staff_notes == ""


def test_the_first_sign_in_sets_the_factor_up_with_a_qr_code_and_the_key_as_text(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    user = staff_user(session, email="siti.aminah@mohr.gov.my")
    answer = _password(client, user.email)
    assert answer.headers["location"] == "/staff/login/setup"
    page = client.get("/staff/login/setup?lang=en")
    assert page.headers["cache-control"] == "no-store"
    secret = SECRET_ON_PAGE.search(page.text).group(1)
    assert len(secret) == 32

    qr = re.search(r'src="data:image/png;base64,([^"]+)"', page.text).group(1)
    image = tmp_path / "qr.png"
    image.write_bytes(base64.b64decode(qr))
    decoded = subprocess.run(
        [system_tool("zbarimg", "zbar-tools"), "--quiet", "--raw", str(image)],
        capture_output=True, check=True, text=True).stdout.strip()
    uri = urlsplit(decoded)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Alliance 8.7 Malaysia:siti.aminah@mohr.gov.my"
    query = parse_qs(uri.query)
    assert query["secret"] == [secret] and query["issuer"] == ["Alliance 8.7 Malaysia"]

    # Stored sealed, not as the text shown.
    session.expire_all()
    stored = session.get(StaffUser, user.id)
    assert stored.totp_secret and secret not in stored.totp_secret

    wrong = client.post("/staff/login/setup", data={
        "code": "000000" if pyotp.TOTP(secret).at(server_now()) != "000000" else "111111",
        "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert wrong.status_code == 401
    assert "not right" in wrong.text

    done = client.post("/staff/login/setup", data={
        "code": pyotp.TOTP(secret).at(server_now()), "csrf_token": csrf_of(page.text)},
        follow_redirects=False)
    assert done.status_code == 200, re.findall(r"<p><a href=\"#code\">[^<]*", done.text)
    assert done.headers["cache-control"] == "no-store"
    codes = RECOVERY_CODES_ON_PAGE.findall(done.text)
    assert len(set(codes)) == 10
    hashes = session.scalars(select(RecoveryCode.code_hash)
                             .where(RecoveryCode.staff_user_id == user.id)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    # Signed in now, with a new session.
    assert client.get("/staff/registrations", follow_redirects=False).status_code == 200
    # The codes are not shown again.
    assert client.get("/staff/login/setup", follow_redirects=False).status_code == 303
    assert session.scalars(select(AuditLog.action).where(AuditLog.staff_user_id == user.id)
                           .order_by(AuditLog.id)).all() == ["second_factor_set_up", "sign_in"]


# --- codes ---------------------------------------------------------------------------

def test_a_wrong_code_is_refused_and_counts_toward_the_brake(
    client: TestClient, session: Session
) -> None:
    user = _signed_in_with_factor(client, session)
    _password(client, user.email)

    current = pyotp.TOTP(factors.secrets[user.email]).at(server_now())
    wrong = [code for code in (f"{n:06d}" for n in range(6)) if code != current][:5]
    answers = [_code(client, code).status_code for code in wrong]
    blocked = _code(client, factors.code(user.email, server_now()))

    assert answers == [401] * 5
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert client.get("/staff/registrations", follow_redirects=False).status_code == 303
    # The same brake as the password's: the password step is locked too.
    page = client.get("/staff/login")
    locked = client.post("/staff/login", data={"email": user.email, "password": PASSWORD,
                                               "csrf_token": csrf_of(page.text)})
    assert locked.status_code == 429


def test_a_used_code_is_refused_again_within_its_window(
    client: TestClient, session: Session, clock: Clock
) -> None:
    user = _signed_in_with_factor(client, session)
    totp = pyotp.TOTP(factors.secrets[user.email])
    step = max(totp.timecode(clock.now), user.totp_last_step or 0) + 1
    clock.set(dt.datetime.fromtimestamp(step * 30 + 5, dt.UTC))
    code = totp.generate_otp(step)

    _password(client, user.email)
    assert _code(client, code).status_code == 303
    csrf = csrf_of(client.get("/staff/registrations").text)
    client.post("/staff/logout", data={"csrf_token": csrf})

    clock.set(clock.now + dt.timedelta(seconds=20))  # the same 30 seconds: still in its window
    _password(client, user.email)
    replayed = _code(client, code)
    assert replayed.status_code == 401
    assert client.get("/staff/registrations", follow_redirects=False).status_code == 303
    # An earlier step's code, though inside the drift window, is older than the one used.
    assert _code(client, totp.generate_otp(step - 1)).status_code == 401
    # The next step's code works.
    assert _code(client, totp.generate_otp(step + 1)).status_code == 303


def test_codes_a_step_off_are_accepted_for_clock_drift(
    client: TestClient, session: Session, clock: Clock
) -> None:
    user = _signed_in_with_factor(client, session)
    totp = pyotp.TOTP(factors.secrets[user.email])
    clock.set(clock.now + dt.timedelta(minutes=5))
    step = totp.timecode(clock.now)

    _password(client, user.email)
    assert _code(client, totp.generate_otp(step - 2)).status_code == 401
    assert _code(client, totp.generate_otp(step + 2)).status_code == 401
    assert _code(client, totp.generate_otp(step + 1)).status_code == 303


def test_a_recovery_code_works_once(client: TestClient, session: Session) -> None:
    user = _signed_in_with_factor(client, session)
    code = factors.recovery_codes[user.email].pop()

    _password(client, user.email)
    assert _code(client, code.upper().replace("-", " ")).status_code == 303
    csrf = csrf_of(client.get("/staff/registrations").text)
    client.post("/staff/logout", data={"csrf_token": csrf})

    _password(client, user.email)
    assert _code(client, code).status_code == 401
    session.expire_all()
    used = session.scalars(select(AuditLog).where(AuditLog.action == "recovery_code_used")).one()
    assert used.staff_user_id == user.id and '"left": 9' in used.detail


def test_the_code_step_expires(client: TestClient, session: Session, clock: Clock) -> None:
    user = _signed_in_with_factor(client, session)
    _password(client, user.email)
    clock.set(clock.now + dt.timedelta(minutes=16))
    assert client.get("/staff/login/code", follow_redirects=False).headers["location"] == \
        "/staff/login"


# --- reset, and the development account -------------------------------------------------

def test_reset_2fa_makes_the_next_sign_in_set_up_again(
    committed_db: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-staff", "--email", "hilang.telefon@mohr.gov.my", "--role", "viewer",
                 "--password-stdin"]) == 0
    with TestClient(app) as client:
        with new_session() as session:
            user = session.scalars(select(StaffUser)).one()
        sign_in(client, user)
        client.cookies.clear()
        assert _password(client, user.email).headers["location"] == "/staff/login/code"

        assert main(["reset-2fa", "--email", "HILANG.telefon@mohr.gov.my"]) == 0

        client.cookies.clear()
        assert _password(client, user.email).headers["location"] == "/staff/login/setup"
        page = client.get("/staff/login/setup")
        assert SECRET_ON_PAGE.search(page.text).group(1) != factors.secrets[user.email]
    with new_session() as session:
        assert session.scalars(select(RecoveryCode)).all() == []
        reset = session.scalars(select(AuditLog).where(
            AuditLog.action == "second_factor_reset")).one()
        assert "hilang.telefon@mohr.gov.my" in reset.detail and '"actor": "cli:' in reset.detail
    assert main(["reset-2fa", "--email", "nobody@mohr.gov.my"]) == 1


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_only_the_development_account_skips_the_factor_and_only_in_development(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setattr(get_settings(), "environment", environment)
    development = staff_user(session, email=second_factor.DEVELOPMENT_ACCOUNT_EMAIL)
    other = staff_user(session, email="pentadbir@mohr.gov.my")

    skipped = _password(client, development.email).headers["location"]
    client.cookies.clear()
    asked = _password(client, other.email).headers["location"]

    assert asked == "/staff/login/setup"
    if environment == "development":
        assert skipped == "/staff/registrations"
    else:
        assert skipped == "/staff/login/setup"


# --- the secret at rest ------------------------------------------------------------------

def test_the_sealed_secret_needs_its_key_its_account_and_no_tampering() -> None:
    sealed = seal("JBSWY3DPEHPK3PXP", purpose="totp-secret", context="7", secret_key="one")

    assert unseal(sealed, purpose="totp-secret", context="7", secret_key="one") == \
        "JBSWY3DPEHPK3PXP"
    for purpose, context, key in (("totp-secret", "7", "two"), ("totp-secret", "8", "one"),
                                  ("other", "7", "one")):
        with pytest.raises(SecretUnreadable):
            unseal(sealed, purpose=purpose, context=context, secret_key=key)
    raw = bytearray(base64.urlsafe_b64decode(sealed))
    raw[20] ^= 1
    with pytest.raises(SecretUnreadable):
        unseal(base64.urlsafe_b64encode(bytes(raw)).decode(), purpose="totp-secret",
               context="7", secret_key="one")


def test_reseal_2fa_moves_secrets_to_a_new_secret_key(
    committed_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with new_session() as session:
        user = staff_auth.create_staff(session=session, email="siti@mohr.gov.my", role="admin",
                                       password=PASSWORD, now=dt.datetime.now(dt.UTC),
                                       actor=staff_auth.audit.Actor(None, "test"))
        session.flush()
        user.totp_secret = second_factor.seal_secret(user, "JBSWY3DPEHPK3PXP",
                                                     secret_key="the old key")
        user.totp_confirmed_at = dt.datetime.now(dt.UTC)
        session.commit()
        user_id = user.id

    monkeypatch.setattr("sys.stdin", io.StringIO("the old key\n"))
    assert main(["reseal-2fa"]) == 0

    with new_session() as session:
        user = session.get(StaffUser, user_id)
        assert second_factor.secret_of(user) == "JBSWY3DPEHPK3PXP"  # the current key
    monkeypatch.setattr("sys.stdin", io.StringIO("the old key\n"))
    assert main(["reseal-2fa"]) == 0  # again: nothing to do
    with new_session() as session:
        assert second_factor.secret_of(session.get(StaffUser, user_id)) == "JBSWY3DPEHPK3PXP"


def test_api_tokens_are_unaffected(client: TestClient, session: Session) -> None:
    user = staff_user(session)
    token, _row = staff_auth.create_token(session=session, user=user,
                                          now=dt.datetime.now(dt.UTC),
                                          actor=staff_auth.audit.Actor(None, "test"))
    session.commit()
    answer = client.get("/api/v1/registrations", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
