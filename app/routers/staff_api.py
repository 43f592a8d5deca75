"""The staff API for scripts: registrations and exports, with `Authorization: Bearer <token>`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response

from app.deps import LanguageDep, NowDep, SessionDep, WriteSessionDep
from app.routers.export_responses import export_response
from app.routers.staff_deps import (
    ApiStaffDep,
    FiltersDep,
    NoStoreRoute,
    StreamSessionDep,
    api_staff,
)
from app.schemas.errors import ERROR_RESPONSES
from app.schemas.staff import RegistrationPageRead, RegistrationRead
from app.services import audit, staff_registrations

router = APIRouter(
    prefix="/api/v1",
    tags=["staff"],
    dependencies=[Depends(api_staff)],
    route_class=NoStoreRoute,
    responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
)
_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {422: ERROR_RESPONSES[422]}


@router.get(
    "/registrations", response_model=RegistrationPageRead, responses={422: ERROR_RESPONSES[422]}
)
def list_registrations(
    staff: ApiStaffDep,
    session: WriteSessionDep,
    now: NowDep,
    filters: FiltersDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RegistrationPageRead:
    """List registrations, newest first unless `sort` says otherwise, one page at a time."""
    listing = staff_registrations.list_registrations(
        session=session, filters=filters, page=page, per_page=per_page
    )
    audit.record(
        session=session,
        action="api_list",
        staff_user_id=staff.id,
        now=now,
        detail={"filters": filters.active(), "page": page},
        row_count=len(listing.items),
    )
    return RegistrationPageRead(
        items=[RegistrationRead.model_validate(item) for item in listing.items],
        total=listing.total,
        page=listing.page,
        per_page=listing.per_page,
        pages=listing.pages,
    )


@router.get(
    "/registrations/{reference}",
    response_model=RegistrationRead,
    responses={404: ERROR_RESPONSES[404]},
)
def read_registration(
    reference: str, staff: ApiStaffDep, session: WriteSessionDep, now: NowDep
) -> RegistrationRead:
    """Return one registration by its reference."""
    registration = staff_registrations.find_registration(session=session, reference=reference)
    if registration is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No registration has this reference.")
    audit.record(
        session=session,
        action="api_view_registration",
        staff_user_id=staff.id,
        now=now,
        detail={"reference": registration.reference},
    )
    return RegistrationRead.model_validate(registration)


@router.get(
    "/exports/registrations.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with a byte order mark."},
        **_EXPORT_RESPONSES,
    },
)
def export_csv(
    staff: ApiStaffDep,
    session: SessionDep,
    stream_session: StreamSessionDep,
    now: NowDep,
    language: LanguageDep,
    filters: FiltersDep,
) -> Response:
    """Download the filtered registrations as CSV; labels in `lang` (ms or en)."""
    return export_response(
        session=session,
        stream_session=stream_session,
        staff_user_id=staff.id,
        filters=filters,
        language=language,
        file_format="csv",
        via="api",
        now=now,
    )


@router.get(
    "/exports/registrations.xlsx",
    response_class=Response,
    responses={
        200: {
            "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
            "description": "An Excel workbook.",
        },
        **_EXPORT_RESPONSES,
    },
)
def export_xlsx(
    staff: ApiStaffDep,
    session: SessionDep,
    stream_session: StreamSessionDep,
    now: NowDep,
    language: LanguageDep,
    filters: FiltersDep,
) -> Response:
    """Download the filtered registrations as an Excel workbook; labels in `lang` (ms or en)."""
    return export_response(
        session=session,
        stream_session=stream_session,
        staff_user_id=staff.id,
        filters=filters,
        language=language,
        file_format="xlsx",
        via="api",
        now=now,
    )
