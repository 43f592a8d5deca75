"""The staff back-office under /staff: sign-in, the registrant list, planning and exports.

Sign-in sits outside the back-office router; everything else is behind its one
dependency (a signed-in session, and this session's CSRF token on every form).
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.db import begin_write
from app.core.i18n import N_, gettext
from app.core.ratelimit import client_address
from app.deps import LanguageDep, NowDep, SessionDep, WriteSessionDep
from app.routers import (
    staff_admin,
    staff_announcements,
    staff_duplicates,
    staff_groups,
    staff_links,
    staff_outbox,
    staff_replies,
    staff_second_factor,
    staff_workshop_day,
    staff_workshop_files,
    staff_workshops,
)
from app.routers.export_responses import export_response
from app.routers.staff_deps import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    AdminOnly,
    FiltersDep,
    FormDep,
    NoStoreRoute,
    StaffDep,
    StreamSessionDep,
    csrf_checked,
    render,
)
from app.services import (
    announcements,
    audit,
    invitations,
    login_brake,
    second_factor,
    staff_auth,
    staff_registrations,
)
from app.vocab import REGISTRANT_INVITATION_STATUS_CODES as STATUS_CODES

PER_PAGE = 50
MAX_NOTES_LENGTH = 5000
LOGIN_FAILED = N_("The email address or password is not right.")
FORM_EXPIRED = N_("This form has expired. Go back, reload the page and try again.")
TOO_MANY_ATTEMPTS = N_("Too many attempts to sign in. Wait a few minutes and try again.")
NOT_FOUND = N_("There is no registration with this reference.")

login_router = APIRouter(route_class=NoStoreRoute, include_in_schema=False)
backoffice = APIRouter(dependencies=[Depends(csrf_checked)], route_class=NoStoreRoute,
                       include_in_schema=False)
router = APIRouter()


def _safe_next(value: object) -> str:
    # Only a path inside the back-office: never a redirect to another site.
    text = str(value or "")
    return text if text.startswith("/staff/") and not text.startswith("//") else ""


def _login_form(request: Request, language: str, *, status_code: int = 200, email: str = "",
                error: str | None = None, next_path: str = "",
                headers: dict[str, str] | None = None) -> Response:
    csrf = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "login.html", language, status_code, csrf_token=csrf,
                      email=email, error=error, next_path=next_path)
    response.headers.update(headers or {})
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="lax", path="/staff",
                        secure=request.url.scheme == "https")
    return response


@login_router.get("/login")
def login_page(request: Request, language: LanguageDep, next: str = "") -> Response:  # noqa: A002
    """Show the sign-in form."""
    return _login_form(request, language, next_path=_safe_next(next))


@login_router.post("/login")
def sign_in(request: Request, form: FormDep, session: SessionDep, now: NowDep,
            language: LanguageDep) -> Response:
    """Sign a staff member in with a new session, slowing down repeated failures."""
    email, password = str(form.get("email", "")).strip(), str(form.get("password", ""))
    next_path = _safe_next(form.get("next"))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(
            expected.encode(), str(form.get("csrf_token", "")).encode()):
        return _login_form(request, language, status_code=status.HTTP_403_FORBIDDEN,
                           email=email, next_path=next_path,
                           error=FORM_EXPIRED)
    client = client_address(request)
    retry_after = login_brake.login_retry_after(client=client, email=email)
    if retry_after:
        return _login_form(request, language, status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                           email=email, next_path=next_path,
                           error=TOO_MANY_ATTEMPTS,
                           headers={"Retry-After": str(retry_after)})
    user = staff_auth.check_password(session=session, email=email, password=password)
    if user is None:
        login_brake.record_failed_login(client=client, email=email)
        return _login_form(request, language, status_code=status.HTTP_401_UNAUTHORIZED,
                           email=email, next_path=next_path, error=LOGIN_FAILED)
    # Only a right password takes the write lock, after the slow check.
    begin_write(session)
    skip = second_factor.may_skip(user)
    token = staff_auth.sign_in(session=session, user=user, password=password,
                               previous_token=request.cookies.get(SESSION_COOKIE), now=now,
                               skip_second_factor=skip)
    # The password alone opens only the second step: the code, or setting it up first.
    if skip:
        location = next_path or "/staff/registrations"
    elif second_factor.is_set_up(user):
        location = "/staff/login/code" + (f"?next={quote(next_path)}" if next_path else "")
    else:
        second_factor.prepare_set_up(session=session, user=user)
        location = "/staff/login/setup" + (f"?next={quote(next_path)}" if next_path else "")
    response = RedirectResponse(location, status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/staff",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
    return response


@backoffice.post("/logout")
def sign_out(request: Request, session: WriteSessionDep, now: NowDep) -> Response:
    """End this session on the server and forget the cookie."""
    staff_auth.end_session(session=session, token=request.cookies.get(SESSION_COOKIE, ""),
                           now=now)
    response = RedirectResponse("/staff/login", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE, path="/staff")
    return response


@backoffice.get("")
def home() -> Response:
    """Start at the registrant list."""
    return RedirectResponse("/staff/registrations", status_code=status.HTTP_303_SEE_OTHER)


@backoffice.get("/registrations")
def registrant_list(request: Request, staff: StaffDep, session: SessionDep,
                    language: LanguageDep, filters: FiltersDep,
                    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    """List registrations with filters, search, sorting and pages."""
    listing = staff_registrations.list_registrations(session=session, filters=filters,
                                                     page=page, per_page=PER_PAGE)
    # Administrators may write to the registrants listed (never to withdrawn ones).
    recipients = announcements.select_recipients(session=session, filters=filters).total \
        if staff.user.role == "admin" else 0
    return render(request, "registrations.html", language, staff=staff, listing=listing,
                  filters=filters, statuses=STATUS_CODES, recipients=recipients)


@backoffice.get("/registrations/{reference}")
def registration_detail(request: Request, reference: str, staff: StaffDep,
                        session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Show one registration in full, with its planning fields and history (a logged view)."""
    registration = staff_registrations.find_registration(session=session, reference=reference)
    if registration is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail=gettext(language, NOT_FOUND))
    audit.record(session=session, action="view_registration", staff_user_id=staff.user.id,
                 now=now, detail={"reference": registration.reference})
    history = staff_registrations.registration_history(session=session, registration=registration)
    return render(request, "registration.html", language, staff=staff,
                  registration=registration, history=history, statuses=STATUS_CODES,
                  invitations=invitations.registration_invitations(
                      session=session, registration_id=registration.id),
                  saved=request.query_params.get("saved") == "1",
                  resent=request.query_params.get("resent") == "1",
                  new_link=request.query_params.get("new_link") == "1", error=None)


@backoffice.post("/registrations/{reference}", dependencies=[AdminOnly])
def update_planning(request: Request, reference: str, form: FormDep, staff: StaffDep,
                    session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Change a registration's staff notes."""
    registration = staff_registrations.find_registration(session=session, reference=reference)
    if registration is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    notes = str(form.get("staff_notes", "")).replace("\r\n", "\n").strip()
    if len(notes) > MAX_NOTES_LENGTH:
        history = staff_registrations.registration_history(session=session,
                                                           registration=registration)
        return render(request, "registration.html", language, 422, staff=staff,
                      registration=registration, history=history, statuses=STATUS_CODES,
                      saved=False, invitations=invitations.registration_invitations(
                          session=session, registration_id=registration.id),
                      error=N_("Keep the notes under 5,000 characters."))
    staff_registrations.update_planning(
        session=session, registration=registration, staff_notes=notes,
        staff_user_id=staff.user.id, now=now)
    return RedirectResponse(f"/staff/registrations/{registration.reference}?saved=1",
                            status_code=status.HTTP_303_SEE_OTHER)


# The one-workshop planning page is gone: each workshop's page has its counts. Its old
# address (bookmarks, the login's `next`) leads to the list of workshops rather than a 404,
# and permanently, so browsers forget it.
@backoffice.get("/workshop")
def workshop_planning_moved() -> Response:
    """Send the old planning page's visitors to the list of workshops."""
    return RedirectResponse("/staff/workshops", status_code=status.HTTP_301_MOVED_PERMANENTLY)


@backoffice.get("/exports/registrations.csv")
def export_csv(staff: StaffDep, session: SessionDep, stream_session: StreamSessionDep,
               now: NowDep, language: LanguageDep, filters: FiltersDep) -> Response:
    """Download the filtered registrations as CSV (UTF-8, for Excel)."""
    return export_response(session=session, stream_session=stream_session,
                           staff_user_id=staff.user.id, filters=filters, language=language,
                           file_format="csv", via="page", now=now)


@backoffice.get("/exports/registrations.xlsx")
def export_xlsx(staff: StaffDep, session: SessionDep, stream_session: StreamSessionDep,
                now: NowDep, language: LanguageDep, filters: FiltersDep) -> Response:
    """Download the filtered registrations as an Excel workbook."""
    return export_response(session=session, stream_session=stream_session,
                           staff_user_id=staff.user.id, filters=filters, language=language,
                           file_format="xlsx", via="page", now=now)


backoffice.include_router(staff_admin.router)
backoffice.include_router(staff_outbox.router)
backoffice.include_router(staff_announcements.router)
# Before the workshop pages: their POST /{change} would take the new-link form.
backoffice.include_router(staff_links.router)
backoffice.include_router(staff_replies.router)
backoffice.include_router(staff_duplicates.router)
backoffice.include_router(staff_workshops.router)
backoffice.include_router(staff_workshop_day.router)
backoffice.include_router(staff_workshop_files.router)
backoffice.include_router(staff_groups.router)
login_router.include_router(staff_second_factor.router)
router.include_router(login_router, prefix="/staff")
# A representative opens their own check-in link too: not behind the sign-in.
router.include_router(staff_workshop_day.link_router, prefix="/staff")
router.include_router(backoffice, prefix="/staff")
