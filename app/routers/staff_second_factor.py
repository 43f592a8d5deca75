"""The second step of the staff sign-in: a code from the authenticator app, or its set-up.

The password step (`staff.py`) leaves a session that opens nothing but these pages; a right
code trades it for a full session with a new token. Failed codes count toward the same
brake as failed passwords.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import N_
from app.core.ratelimit import client_address
from app.deps import LanguageDep, NowDep, SessionDep, WriteSessionDep
from app.routers.staff_deps import SESSION_COOKIE, FormDep, NoStoreRoute, render
from app.services import check_in_codes, login_brake, second_factor, staff_auth

CODE_REFUSED = N_("The code is not right, or it has been used already. Try the newest code.")
CODE_FORM_EXPIRED = N_("This form has expired. Go back, reload the page and try again.")
TOO_MANY_CODES = N_("Too many attempts to sign in. Wait a few minutes and try again.")

# Never kept by a browser or proxy: the set-up page holds the secret, the next the codes.
router = APIRouter(route_class=NoStoreRoute, include_in_schema=False)


def _back_to_sign_in() -> Response:
    return RedirectResponse("/staff/login", status_code=status.HTTP_303_SEE_OTHER)


def _pending(request: Request, session: SessionDep, now: NowDep) -> staff_auth.SignedIn | None:
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        return None
    return second_factor.resume_pending_session(session=session, token=token, now=now)


PendingDep = Annotated[staff_auth.SignedIn | None, Depends(_pending)]


def _safe_next(value: object) -> str:
    text = str(value or "")
    return text if text.startswith("/staff/") and not text.startswith("//") else ""


def _code_page(request: Request, language: str, pending: staff_auth.SignedIn, *,
               next_path: str, status_code: int = 200, error: str | None = None,
               headers: dict[str, str] | None = None) -> Response:
    response = render(request, "login_code.html", language, status_code,
                      csrf_token=pending.staff_session.csrf_token, next_path=next_path,
                      error=error)
    response.headers.update(headers or {})
    return response


def _set_up_page(request: Request, language: str, pending: staff_auth.SignedIn, *,
                 next_path: str, status_code: int = 200, error: str | None = None,
                 headers: dict[str, str] | None = None) -> Response:
    uri = second_factor.provisioning_uri(pending.user)
    response = render(request, "login_setup.html", language, status_code,
                      csrf_token=pending.staff_session.csrf_token, next_path=next_path,
                      secret=second_factor.secret_of(pending.user),
                      qr=check_in_codes.qr_data_uri(uri), error=error)
    response.headers.update(headers or {})
    return response


def _form_refused(request: Request, form: FormDep, pending: staff_auth.SignedIn,
                  ) -> tuple[str, dict[str, str]] | None:
    """Return why this form is refused before its code is looked at (a message and headers)."""
    if not secrets.compare_digest(str(form.get("csrf_token", "")).encode(),
                                  pending.staff_session.csrf_token.encode()):
        return CODE_FORM_EXPIRED, {}
    retry_after = login_brake.login_retry_after(client=client_address(request),
                                                email=pending.user.email)
    if retry_after:
        return TOO_MANY_CODES, {"Retry-After": str(retry_after)}
    return None


def _signed_in(request: Request, token: str, next_path: str) -> Response:
    response = RedirectResponse(next_path or "/staff/registrations",
                                status_code=status.HTTP_303_SEE_OTHER)
    _set_cookie(request, response, token)
    return response


def _set_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/staff",
                        secure=request.url.scheme == "https")


@router.get("/login/code")
def code_page(request: Request, pending: PendingDep, language: LanguageDep,
              next: str = "") -> Response:  # noqa: A002
    """Ask for the code from the authenticator app, or a recovery code."""
    if pending is None:
        return _back_to_sign_in()
    if not second_factor.is_set_up(pending.user):
        return RedirectResponse("/staff/login/setup", status_code=status.HTTP_303_SEE_OTHER)
    return _code_page(request, language, pending, next_path=_safe_next(next))


@router.post("/login/code")
def check_code(request: Request, form: FormDep, pending: PendingDep, session: WriteSessionDep,
               now: NowDep, language: LanguageDep) -> Response:
    """Finish signing in with a right code; count a wrong one as a failed sign-in."""
    if pending is None or not second_factor.is_set_up(pending.user):
        return _back_to_sign_in()
    next_path = _safe_next(form.get("next"))
    refused = _form_refused(request, form, pending)
    if refused is not None:
        message, headers = refused
        code = status.HTTP_429_TOO_MANY_REQUESTS if headers else status.HTTP_403_FORBIDDEN
        return _code_page(request, language, pending, next_path=next_path, status_code=code,
                          error=message, headers=headers)
    if not second_factor.check_code(session=session, user=pending.user,
                                    code=str(form.get("code", "")), now=now):
        login_brake.record_failed_login(client=client_address(request), email=pending.user.email)
        return _code_page(request, language, pending, next_path=next_path,
                          status_code=status.HTTP_401_UNAUTHORIZED, error=CODE_REFUSED)
    token = second_factor.complete_sign_in(session=session, pending=pending, now=now,
                                           token=request.cookies.get(SESSION_COOKIE, ""))
    return _signed_in(request, token, next_path)


@router.get("/login/setup")
def set_up_page(request: Request, pending: PendingDep, language: LanguageDep,
                next: str = "") -> Response:  # noqa: A002
    """Show the new secret as a QR code and as text, with the field for its first code."""
    if pending is None or pending.user.totp_secret is None:
        return _back_to_sign_in()
    if second_factor.is_set_up(pending.user):
        return RedirectResponse("/staff/login/code", status_code=status.HTTP_303_SEE_OTHER)
    return _set_up_page(request, language, pending, next_path=_safe_next(next))


@router.post("/login/setup")
def confirm_set_up(request: Request, form: FormDep, pending: PendingDep,
                   session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Confirm the secret with a code, sign in, and show the recovery codes once."""
    if pending is None or pending.user.totp_secret is None \
            or second_factor.is_set_up(pending.user):
        return _back_to_sign_in()
    next_path = _safe_next(form.get("next"))
    refused = _form_refused(request, form, pending)
    if refused is not None:
        message, headers = refused
        code = status.HTTP_429_TOO_MANY_REQUESTS if headers else status.HTTP_403_FORBIDDEN
        return _set_up_page(request, language, pending, next_path=next_path, status_code=code,
                            error=message, headers=headers)
    codes = second_factor.confirm_set_up(session=session, user=pending.user,
                                         code=str(form.get("code", "")), now=now)
    if codes is None:
        login_brake.record_failed_login(client=client_address(request), email=pending.user.email)
        return _set_up_page(request, language, pending, next_path=next_path,
                            status_code=status.HTTP_401_UNAUTHORIZED, error=CODE_REFUSED)
    token = second_factor.complete_sign_in(session=session, pending=pending, now=now,
                                           token=request.cookies.get(SESSION_COOKIE, ""))
    response = render(request, "login_recovery_codes.html", language, codes=codes,
                      next_path=next_path or "/staff/registrations")
    _set_cookie(request, response, token)
    return response
