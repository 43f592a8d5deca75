"""Administrators' pages: staff accounts, API tokens, the deadline and the audit log.

Included in the back-office router, so a signed-in session and CSRF are already checked;
this router adds the administrator role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import Response

from app.core.config import parse_deadline
from app.core.i18n import N_, gettext
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep
from app.routers.staff_deps import AdminOnly, FormDep, NoStoreRoute, StaffDep, render, see_other
from app.services import audit, deadline, staff_auth

AUDIT_PER_PAGE = 50

router = APIRouter(dependencies=[AdminOnly], route_class=NoStoreRoute, include_in_schema=False)



@router.get("/audit")
def audit_log(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    language: LanguageDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Show who exported data and who changed accounts and settings, newest first."""
    entries, total = audit.list_audit(session=session, page=page, per_page=AUDIT_PER_PAGE)
    pages = max(1, -(-total // AUDIT_PER_PAGE))
    return render(
        request,
        "audit.html",
        language,
        staff=staff,
        entries=entries,
        total=total,
        page=page,
        pages=pages,
    )


def _users_page(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    language: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    return render(
        request,
        "users.html",
        language,
        status_code,
        staff=staff,
        users=staff_auth.list_staff(session=session),
        min_password=staff_auth.MIN_PASSWORD_LENGTH,
        **{"error": None, "values": {}, "saved": request.query_params.get("saved"), **context},
    )


@router.get("/users")
def staff_accounts(
    request: Request, staff: StaffDep, session: SessionDep, language: LanguageDep
) -> Response:
    """List staff accounts, with a form to add one."""
    return _users_page(request, staff, session, language)


@router.post("/users")
def add_staff(
    request: Request,
    form: FormDep,
    staff: StaffDep,
    session: WriteSessionDep,
    now: NowDep,
    language: LanguageDep,
) -> Response:
    """Create a staff account."""
    values = {key: str(form.get(key, "")) for key in ("email", "role")}
    try:
        staff_auth.create_staff(
            session=session,
            email=values["email"],
            role=values["role"],
            password=str(form.get("password", "")),
            now=now,
            actor=audit.Actor(staff.user.id),
        )
    except staff_auth.StaffAccountError as error:
        message = gettext(language, error.args[0]) % {"count": staff_auth.MIN_PASSWORD_LENGTH}
        return _users_page(request, staff, session, language, 422, error=message, values=values)
    return see_other("/staff/users?saved=created")


@router.post("/users/{user_id}/{change}")
def enable_or_disable(
    user_id: RowId,
    change: str,
    staff: StaffDep,
    session: WriteSessionDep,
    now: NowDep,
    language: LanguageDep,
) -> Response:
    """Disable an account (ending its sessions), or enable it again."""
    if change not in ("disable", "enable"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    if user_id == staff.user.id:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail=gettext(language, "You cannot disable your own account."),
        )
    if not staff_auth.set_disabled(
        session=session, user_id=user_id, disabled=change == "disable", now=now,
        actor=audit.Actor(staff.user.id),
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return see_other(f"/staff/users?saved={change}d")


def _tokens_page(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    language: str,
    new_token: str | None = None,
) -> Response:
    return render(
        request,
        "tokens.html",
        language,
        staff=staff,
        new_token=new_token,
        tokens=staff_auth.list_tokens(session=session),
        saved=request.query_params.get("saved"),
    )


@router.get("/tokens")
def api_tokens(
    request: Request, staff: StaffDep, session: SessionDep, language: LanguageDep
) -> Response:
    """List API tokens: whose, when made, when last used, whether revoked."""
    return _tokens_page(request, staff, session, language)


@router.post("/tokens")
def add_token(
    request: Request, staff: StaffDep, session: WriteSessionDep, now: NowDep, language: LanguageDep
) -> Response:
    """Make an API token for the signed-in administrator and show it once."""
    token, _row = staff_auth.create_token(
        session=session, user=staff.user, now=now, actor=audit.Actor(staff.user.id)
    )
    return _tokens_page(request, staff, session, language, new_token=token)


@router.post("/tokens/{token_id}/revoke")
def revoke_token(
    token_id: RowId, staff: StaffDep, session: WriteSessionDep, now: NowDep
) -> Response:
    """Revoke an API token; scripts using it get 401 from now on."""
    staff_auth.revoke_token(
        session=session, token_id=token_id, now=now, actor=audit.Actor(staff.user.id)
    )
    return see_other("/staff/tokens?saved=revoked")


def _deadline_page(
    request: Request,
    staff: StaffDep,
    session: SessionDep,
    language: str,
    now: NowDep,
    status_code: int = 200,
    **context: Any,
) -> Response:
    closes_at = deadline.registration_closes_at(session)
    return render(
        request,
        "deadline.html",
        language,
        status_code,
        staff=staff,
        closes_at=closes_at,
        last_moment=deadline.last_moment(closes_at),
        call_open=deadline.is_open(closes_at, now),
        saved=request.query_params.get("saved") == "1",
        **{"error": None, "value": "", **context},
    )


@router.get("/deadline")
def show_deadline(
    request: Request, staff: StaffDep, session: SessionDep, now: NowDep, language: LanguageDep
) -> Response:
    """Show when the call closes, with a form to change it."""
    return _deadline_page(request, staff, session, language, now)


@router.post("/deadline")
def change_deadline(
    request: Request,
    form: FormDep,
    staff: StaffDep,
    session: WriteSessionDep,
    now: NowDep,
    language: LanguageDep,
) -> Response:
    """Record a new deadline (a date, or a date-time with offset)."""
    value = str(form.get("deadline", "")).strip()
    try:
        parse_deadline(value)
    except ValueError:
        return _deadline_page(
            request,
            staff,
            session,
            language,
            now,
            422,
            value=value,
            error=N_(
                "Enter a date like 2022-10-20, or a date and time with "
                "its offset like 2022-10-20T17:00:00+08:00."
            ),
        )
    deadline.set_deadline(
        session=session, value=value, set_by=f"staff:{staff.user.id}", now=now,
        staff_user_id=staff.user.id,
    )
    return see_other("/staff/deadline?saved=1")

