"""What the staff pages and the staff API share: who is asking, CSRF, rendering, no-store."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from app.core.db import begin_write, commit_short_transaction, get_session
from app.core.i18n import gettext as translate
from app.deps import LanguageDep, NowDep, SessionDep
from app.models import StaffUser
from app.routers.pages import render_page
from app.schemas.staff import SEVERAL_VALUES, RegistrationFilters
from app.services import staff_auth

SESSION_COOKIE = "a87_staff"
LOGIN_CSRF_COOKIE = "a87_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# A second session that lives until the response has been sent (scope "request"), for
# exports that stream rows after the endpoint has returned. The endpoint's own session
# (SessionDep) has already committed by then.
StreamSessionDep = Annotated[Session, Depends(get_session)]


class NoStoreRoute(APIRoute):
    """A route whose answers are never kept by browsers or proxies: they hold personal data."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def no_store_handler(request: Request) -> Response:
            response = await handler(request)
            response.headers["Cache-Control"] = "no-store"
            return response

        return no_store_handler


def _sign_in_first(request: Request) -> HTTPException:
    # A 303 with Location is a redirect to a browser, without a special exception handler.
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/staff/login" + (f"?next={quote(target)}" if request.method == "GET" else "")
    return HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": location})


def signed_in_staff(request: Request, session: SessionDep, now: NowDep) -> staff_auth.SignedIn:
    """Return who is signed in, or send the browser to the sign-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise _sign_in_first(request)
    begin_write(session)
    signed_in = staff_auth.resume_session(session=session, token=token, now=now)
    if signed_in is None:
        raise _sign_in_first(request)
    # The sign-in check is its own short transaction: a long export or page that follows
    # must not keep SQLite's write lock, which public submissions are waiting for.
    commit_short_transaction(session)
    return signed_in


StaffDep = Annotated[staff_auth.SignedIn, Depends(signed_in_staff)]


def staff_if_signed_in(request: Request, session: SessionDep,
                       now: NowDep) -> staff_auth.SignedIn | None:
    """Return who is signed in, or None: for a page that anyone may open."""
    try:
        return signed_in_staff(request, session, now)
    except HTTPException:
        if session.in_transaction():
            commit_short_transaction(session)  # a stale cookie's check, as a signed-in one
        return None


StaffIfSignedInDep = Annotated[staff_auth.SignedIn | None, Depends(staff_if_signed_in)]


async def csrf_checked(request: Request, staff: StaffDep, language: LanguageDep) -> None:
    """Refuse a form that does not carry this session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        sent = str((await request.form()).get("csrf_token", ""))
    if not secrets.compare_digest(sent.encode(), staff.staff_session.csrf_token.encode()):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=translate(
                language, "This form has expired. Go back, reload the page and try again."
            ),
        )


def admin_only(staff: StaffDep, language: LanguageDep) -> None:
    """Refuse staff who are not administrators."""
    if staff.user.role != "admin":
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=translate(language, "Only administrators can do this."),
        )


AdminOnly = Depends(admin_only)

_bearer = HTTPBearer(
    auto_error=False, description="A staff API token from `alliance87 create-token --email E`."
)


def api_staff(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionDep,
    now: NowDep,
) -> StaffUser:
    """Return the staff account behind the bearer token, or answer 401."""
    user = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        begin_write(session)
        user = staff_auth.user_for_token(session=session, token=credentials.credentials, now=now)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="A valid staff API token is required.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    commit_short_transaction(session)  # as for sessions: the token check is short
    return user


ApiStaffDep = Annotated[StaffUser, Depends(api_staff)]


def see_other(path: str) -> Response:
    """Send the browser on to `path` after a form (303: it fetches the page with GET)."""
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def render(
    request: Request, template: str, language: str, status_code: int = 200, **context: Any
) -> Response:
    """Render a staff page in `language`, remembering a language chosen with ?lang=."""
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    switch_to = "en" if language == "ms" else "ms"
    switch_url = (
        request.url.path
        + "?"
        + "&".join([f"{quote(k)}={quote(v)}" for k, v in query.items()] + [f"lang={switch_to}"])
    )
    return render_page(request, f"staff/{template}", language, status_code,
                       switch_url=switch_url, switch_to=switch_to, **context)


async def _read_form(request: Request) -> FormData:
    form = await request.form()
    # Staff forms take text only; a NUL byte (which PostgreSQL refuses) or a file is a
    # broken or hostile client, told so rather than stored or crashed on.
    for value in form.values():
        if not isinstance(value, str) or "\x00" in value:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, detail="This form was not sent as text."
            )
    return form


FormDep = Annotated[FormData, Depends(_read_form)]


def _filters_from_query(request: Request,
                        filters: Annotated[RegistrationFilters, Query()]) -> RegistrationFilters:
    """Read the list's filters from the query, refusing a filter given different values."""
    # FastAPI hands a model's single-valued field only the last of repeated parameters;
    # `?category=cso&category=academic` would list academics alone, without a word.
    for name in RegistrationFilters.model_fields:
        values = request.query_params.getlist(name)
        if any(value != values[0] for value in values[1:]):
            raise RequestValidationError([{"type": "several_values", "loc": ("query", name),
                                           "msg": SEVERAL_VALUES, "input": values}])
    return filters


FiltersDep = Annotated[RegistrationFilters, Depends(_filters_from_query)]
