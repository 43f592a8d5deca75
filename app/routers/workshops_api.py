"""The staff API for workshops: details, invitations and attendees (SPEC 7.4).

Reads need a staff token; writes need an administrator's (403 for a viewer).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep, workshop_or_404
from app.models import StaffUser, Workshop
from app.routers.export_responses import attendee_file
from app.routers.staff_deps import ApiStaffDep, NoStoreRoute, api_staff
from app.schemas.errors import ERROR_RESPONSES, ErrorRead
from app.schemas.workshop import (
    AttendeeRead,
    CheckInRead,
    InvitationRead,
    InvitationsCreate,
    InvitationsCreated,
    RepresentativeRead,
    WorkshopCreate,
    WorkshopPatch,
    WorkshopRead,
)
from app.services import audit, check_in, invitations, workshop_day, workshops


class WorkshopRoute(NoStoreRoute):
    """Answer invalid input with pydantic's own message for each field.

    The app's handler words messages for the registration's fields only; a workshop's
    fields would get a generic answer.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def explained(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as invalid:
                detail = [{"loc": list(error["loc"]), "msg": str(error["msg"]),
                           "type": str(error["type"])} for error in invalid.errors()]
                return JSONResponse({"detail": detail}, status_code=422,
                                    headers={"Cache-Control": "no-store"})

        return explained


router = APIRouter(prefix="/api/v1/workshops", tags=["workshops"],
                   dependencies=[Depends(api_staff)], route_class=WorkshopRoute,
                   responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401],
                              404: {"model": ErrorRead, "description": "No such workshop."}})
_ADMIN_ONLY = {"model": ErrorRead, "description": "The token is not an administrator's."}
_REPLIES_CLOSED = {"model": ErrorRead, "description": "Replies to the workshop have closed."}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def api_admin(staff: ApiStaffDep) -> StaffUser:
    """Return the token's administrator, or answer 403 for a viewer."""
    if staff.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="Only an administrator's token can do this.")
    return staff


AdminDep = Annotated[StaffUser, Depends(api_admin)]


def _invalid(error: workshops.WorkshopInvalid) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[
        {"loc": ["body", field], "msg": message, "type": "invalid"}
        for field, message in error.errors.items()])


def _read(session: SessionDep, workshop: Workshop) -> WorkshopRead:
    seats = workshops.seat_counts(session=session, workshop=workshop)
    values = {name: getattr(workshop, name) for name in WorkshopCreate.model_fields}
    return WorkshopRead(id=workshop.id, **values, accepted=seats.accepted, waiting=seats.waiting,
                        offered=seats.offered, invited=seats.invited, declined=seats.declined)



@router.post("", status_code=status.HTTP_201_CREATED, response_model=WorkshopRead,
             responses={403: _ADMIN_ONLY, 413: ERROR_RESPONSES[413], 422: ERROR_RESPONSES[422]})
def create_workshop(details: WorkshopCreate, staff: AdminDep, session: WriteSessionDep,
                    now: NowDep) -> WorkshopRead:
    """Make a workshop."""
    try:
        workshop = workshops.create_workshop(session=session, details=details,
                                             staff_user_id=staff.id, now=now)
    except workshops.WorkshopInvalid as error:
        raise _invalid(error) from None
    return _read(session, workshop)


@router.get("/{workshop_id}", response_model=WorkshopRead)
def read_workshop(workshop_id: RowId, session: SessionDep) -> WorkshopRead:
    """Return a workshop's details and its seats, counted in representatives."""
    return _read(session, workshop_or_404(session, workshop_id))


@router.patch("/{workshop_id}", response_model=WorkshopRead,
              responses={403: _ADMIN_ONLY, 413: ERROR_RESPONSES[413], 422: ERROR_RESPONSES[422]})
def change_workshop(workshop_id: RowId, changes: WorkshopPatch, staff: AdminDep,
                    session: WriteSessionDep, now: NowDep) -> WorkshopRead:
    """Change a workshop's details; a new date, time or venue is mailed to invitees once."""
    workshop_or_404(session, workshop_id)
    try:
        workshop = workshops.update_workshop(session=session, workshop_id=workshop_id,
                                             changes=changes, staff_user_id=staff.id, now=now)
    except workshops.WorkshopInvalid as error:
        raise _invalid(error) from None
    return _read(session, workshop)


@router.post("/{workshop_id}/invitations", response_model=InvitationsCreated,
             responses={403: _ADMIN_ONLY, 409: _REPLIES_CLOSED, 413: ERROR_RESPONSES[413],
                        422: ERROR_RESPONSES[422]})
def invite(workshop_id: RowId, whom: InvitationsCreate, staff: AdminDep,
           session: WriteSessionDep, now: NowDep) -> InvitationsCreated:
    """Invite organisations by reference or by the list's filters; nobody is invited twice."""
    workshop_or_404(session, workshop_id)
    try:
        result = invitations.invite(session=session, workshop_id=workshop_id, now=now,
                                    staff_user_id=staff.id, references=whom.references,
                                    filters=whom.filters)
    except invitations.InvitingClosed:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Replies to this workshop have closed.") from None
    return InvitationsCreated(invited=result.invited, already_invited=result.already_invited,
                              unknown_references=result.unknown_references)


@router.get("/{workshop_id}/invitations", response_model=list[InvitationRead])
def list_invitations(workshop_id: RowId, staff: ApiStaffDep, session: WriteSessionDep,
                     now: NowDep) -> list[InvitationRead]:
    """List the workshop's invitations with their answers and representatives."""
    workshop_or_404(session, workshop_id)
    rows = invitations.list_invitations(session=session, workshop_id=workshop_id)
    audit.record(session=session, action="api_list_invitations", staff_user_id=staff.id,
                 now=now, detail={"workshop": workshop_id}, row_count=len(rows))
    return [InvitationRead(
        id=invitation.id, reference=registration.reference,
        organisation_name=registration.organisation_name, status=invitation.status,
        replied_at=invitation.replied_at, reply_channel=invitation.reply_channel,
        offer_expires_at=invitation.offer_expires_at,
        representatives=[RepresentativeRead.model_validate(person)
                         for person in invitation.representatives],
    ) for invitation, registration in rows]


@router.get("/{workshop_id}/attendees", response_model=list[AttendeeRead])
def list_attendees(workshop_id: RowId, staff: ApiStaffDep, session: WriteSessionDep,
                   now: NowDep, language: LanguageDep) -> list[AttendeeRead]:
    """List the accepted representatives, one item each, with their group and check-in.

    `group` is the group's name in the request's language (`?lang=ms` or `en`).
    """
    workshop_or_404(session, workshop_id)
    rows = workshop_day.desk_rows(session=session, workshop_id=workshop_id, language=language)
    audit.record(session=session, action="api_list_attendees", staff_user_id=staff.id,
                 now=now, detail={"workshop": workshop_id}, row_count=len(rows))
    return [AttendeeRead(id=row.person.id, reference=row.registration.reference,
                         organisation_name=row.registration.organisation_name,
                         full_name=row.person.full_name, designation=row.person.designation,
                         email=row.person.email, group=row.group,
                         checked_in_at=row.person.checked_in_at)
            for row in sorted(rows, key=lambda row: (row.registration.organisation_key,
                                                     row.person.position))]


@router.post("/{workshop_id}/attendees/{attendee_id}/check-in", response_model=CheckInRead,
             responses={403: _ADMIN_ONLY, 404: {"model": ErrorRead,
                                                "description": "No such workshop or attendee."},
                        409: {"model": ErrorRead,
                              "description": "The attendee's organisation is no longer "
                                             "accepted."}})
def check_in_attendee(workshop_id: RowId, attendee_id: RowId, staff: AdminDep,
                      session: WriteSessionDep, now: NowDep) -> CheckInRead:
    """Check an attendee in; checking in twice keeps the first time.

    Needs an administrator's token. Desk staff with a viewer's account check people in on
    the back-office check-in page (`/staff/workshops/{id}/check-in`) instead.
    """
    workshop_or_404(session, workshop_id)
    try:
        done = check_in.check_in(session=session, workshop_id=workshop_id,
                                 representative_id=attendee_id, staff_user_id=staff.id, now=now)
    except check_in.AttendeeNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            detail="This workshop has no attendee with this id.") from None
    except check_in.AttendeeRemoved:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="This attendee's organisation is no longer attending "
                                   "(its invitation was cancelled or declined).") from None
    return CheckInRead(checked_in_at=done.checked_in_at)


_FILES: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, XLSX: {}}}}


@router.get("/{workshop_id}/attendees.csv", response_class=Response, responses=_FILES)
def attendees_csv(workshop_id: RowId, staff: ApiStaffDep, session: SessionDep,
                  now: NowDep, language: LanguageDep) -> Response:
    """Download the attendee list as CSV (UTF-8, for Excel)."""
    return attendee_file(session=session, workshop_id=workshop_id, staff_user_id=staff.id,
                         language=language, file_format="csv", via="api", now=now)


@router.get("/{workshop_id}/attendees.xlsx", response_class=Response, responses=_FILES)
def attendees_xlsx(workshop_id: RowId, staff: ApiStaffDep, session: SessionDep,
                   now: NowDep, language: LanguageDep) -> Response:
    """Download the attendee list as an Excel workbook."""
    return attendee_file(session=session, workshop_id=workshop_id, staff_user_id=staff.id,
                         language=language, file_format="xlsx", via="api", now=now)
