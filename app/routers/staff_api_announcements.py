"""The staff API's announcements (SPEC 7.4): write to registrants, and see how delivery goes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response, status
from pydantic import ValidationError

from app.core.db import begin_write
from app.deps import NowDep, RowId, SessionDep
from app.models import StaffUser
from app.routers.staff_deps import ApiStaffDep, NoStoreRoute, api_staff
from app.schemas.announcements import (
    FORBIDDEN_RESPONSE,
    AnnouncementCreate,
    AnnouncementCreated,
    AnnouncementDetailRead,
    AnnouncementListRead,
    AnnouncementRead,
    DeliveryRead,
)
from app.schemas.errors import ERROR_RESPONSES
from app.schemas.staff import RegistrationFilters
from app.services import announcement_reports, announcements
from app.services.announcement_texts import AnnouncementInvalid, Problem, clean_texts

router = APIRouter(
    prefix="/api/v1",
    tags=["announcements"],
    dependencies=[Depends(api_staff)],
    route_class=NoStoreRoute,
    responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
)
# The list's own paging and order are not filters of who receives an announcement.
FILTER_NAMES = frozenset(RegistrationFilters.model_fields) - {"sort"}


def api_admin(staff: ApiStaffDep) -> StaffUser:
    """Refuse a token whose account is not an administrator's (before the body is read)."""
    if staff.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="Only an administrator's token can send announcements.")
    return staff


def _unprocessable(problems: dict[str, Problem]) -> HTTPException:
    detail = [{"loc": ["body", field], "msg": problem.text(), "type": "invalid"}
              for field, problem in problems.items()]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=detail)


def _filters(asked: dict[str, str | None]) -> RegistrationFilters:
    unknown = sorted(set(asked) - FILTER_NAMES)
    if unknown:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[
            {"loc": ["body", "filters", name], "type": "invalid",
             "msg": f"{name} is not a filter of the registrant list."} for name in unknown])
    try:
        return RegistrationFilters.model_validate(asked)
    except ValidationError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[
            {"loc": ["body", "filters", *map(str, e["loc"])], "type": "invalid",
             "msg": "Choose one of the list's values for this filter."}
            for e in error.errors()]) from None


def _read(summary: announcement_reports.AnnouncementSummary, model: Any = AnnouncementRead
          ) -> Any:
    announcement = summary.announcement
    values: dict[str, Any] = {
        "id": announcement.id, "subject_ms": announcement.subject_ms,
        "subject_en": announcement.subject_en, "sent_by": summary.sent_by,
        "created_at": announcement.created_at, "filters": summary.filters,
        "recipients": announcement.recipients,
        "by_language": {"ms": announcement.recipients_ms, "en": announcement.recipients_en},
        "delivery": DeliveryRead(**summary.delivery),
    }
    if model is AnnouncementDetailRead:
        values.update(body_ms=announcement.body_ms, body_en=announcement.body_en)
    return model(**values)


@router.post(
    "/announcements", status_code=status.HTTP_201_CREATED, response_model=AnnouncementCreated,
    responses={200: {"model": AnnouncementCreated, "description": "A dry run: nothing queued."},
               403: FORBIDDEN_RESPONSE, 413: ERROR_RESPONSES[413], 422: ERROR_RESPONSES[422]},
)
def create_announcement(
    body: AnnouncementCreate,
    response: Response,
    staff: Annotated[StaffUser, Depends(api_admin)],
    session: SessionDep,
    now: NowDep,
    idempotency_key: Annotated[str | None, Header(max_length=255)] = None,
) -> AnnouncementCreated:
    """Queue one mail per registrant the filters reach, each in its preferred language.

    `dry_run` counts them and queues nothing. An `Idempotency-Key` makes a retry return
    the first answer and queue nothing more.
    """
    filters = _filters(body.filters)
    try:
        texts = clean_texts(subject_ms=body.subject_ms, body_ms=body.body_ms,
                            subject_en=body.subject_en, body_en=body.body_en)
    except AnnouncementInvalid as invalid:
        raise _unprocessable(invalid.problems) from None
    if body.dry_run:
        selection = announcements.select_recipients(session=session, filters=filters)
        response.status_code = status.HTTP_200_OK
        return AnnouncementCreated(id=None, recipients=selection.total,
                                   by_language=selection.by_language)
    # Only a real send writes; a dry run only counts, and must not hold SQLite's write lock.
    begin_write(session)
    key = f"api:{staff.id}:{idempotency_key}" if idempotency_key else None
    try:
        sent = announcements.send_announcement(session=session, texts=texts, filters=filters,
                                               staff_user_id=staff.id, now=now,
                                               idempotency_key=key)
    except AnnouncementInvalid as invalid:
        raise _unprocessable(invalid.problems) from None
    except announcements.KeyReused:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail="This Idempotency-Key was already used for a different announcement.",
        ) from None
    if not sent.created:
        response.headers["Idempotent-Replayed"] = "true"
    announcement = sent.announcement
    return AnnouncementCreated(
        id=announcement.id, recipients=announcement.recipients,
        by_language={"ms": announcement.recipients_ms, "en": announcement.recipients_en})


@router.get("/announcements", response_model=AnnouncementListRead)
def list_announcements(
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AnnouncementListRead:
    """List announcements, newest first, with delivered, waiting and failed counts."""
    summaries, total = announcement_reports.list_announcements(
        session=session, limit=per_page, offset=(page - 1) * per_page)
    return AnnouncementListRead(items=[_read(summary) for summary in summaries], total=total)


@router.get("/announcements/{announcement_id}", response_model=AnnouncementDetailRead,
            responses={404: ERROR_RESPONSES[404]})
def read_announcement(announcement_id: RowId, session: SessionDep) -> AnnouncementDetailRead:
    """Return one announcement, both texts, and its delivery counts."""
    summary = announcement_reports.find_announcement(session=session,
                                                     announcement_id=announcement_id)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No announcement has this id.")
    read: AnnouncementDetailRead = _read(summary, AnnouncementDetailRead)
    return read
