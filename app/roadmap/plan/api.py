"""The staff API for the roadmap (SPEC 8.4): outcomes, commitments, export and import.

Reads need a staff token; writes need an administrator's (403 for a viewer).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from app.deps import NowDep, RowId, SessionDep, WriteSessionDep
from app.models import RoadmapCommitment, RoadmapOutcome, StaffUser
from app.roadmap.plan import commitments, outcomes, spreadsheet
from app.roadmap.plan.schemas import (
    CommitmentCreate,
    CommitmentPatch,
    CommitmentRead,
    ImportCounts,
    ImportProblemRead,
    ImportRefusedRead,
    OutcomeCreate,
    OutcomePatch,
    OutcomeRead,
    error_message,
)
from app.routers.staff_deps import ApiStaffDep, NoStoreRoute, api_staff
from app.schemas.errors import ERROR_RESPONSES, ErrorRead
from app.services import audit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _field_errors(errors: list[Any], prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [{"loc": [*prefix, *error["loc"]], "msg": error_message(error),
             "type": str(error["type"])} for error in errors]


class RoadmapRoute(NoStoreRoute):
    """Answer invalid input with a message per field, written for people."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def explained(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as invalid:
                return JSONResponse({"detail": _field_errors(list(invalid.errors()))},
                                    status_code=422, headers={"Cache-Control": "no-store"})

        return explained


router = APIRouter(prefix="/api/v1/roadmap", tags=["roadmap"],
                   dependencies=[Depends(api_staff)], route_class=RoadmapRoute,
                   responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]})
_ADMIN_ONLY = {"model": ErrorRead, "description": "The token is not an administrator's."}
_WRITES: dict[int | str, dict[str, Any]] = {
    403: _ADMIN_ONLY, 413: ERROR_RESPONSES[413], 422: ERROR_RESPONSES[422]}


def api_admin(staff: ApiStaffDep) -> StaffUser:
    """Return the token's administrator, or answer 403 for a viewer."""
    if staff.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="Only an administrator's token can do this.")
    return staff


AdminDep = Annotated[StaffUser, Depends(api_admin)]


def _actor(staff: StaffUser) -> audit.Actor:
    return audit.Actor(staff.id)


def _not_found(what: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No {what} has this id.")


def _unprocessable(problems: list[commitments.Problem]) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=[
        {"loc": ["body", problem.field], "msg": problem.worded("en"), "type": "unknown"}
        for problem in problems])


def _outcome_read(outcome: RoadmapOutcome) -> OutcomeRead:
    return OutcomeRead(id=outcome.id, **outcomes.outcome_values(outcome))


def _commitment_read(commitment: RoadmapCommitment) -> CommitmentRead:
    return CommitmentRead(id=commitment.id, **commitments.commitment_values(commitment))


@router.get("/outcomes", response_model=list[OutcomeRead])
def list_outcomes(session: SessionDep) -> list[OutcomeRead]:
    """List the outcomes in the order of their numbers."""
    return [_outcome_read(outcome) for outcome in outcomes.list_outcomes(session=session)]


@router.post("/outcomes", status_code=status.HTTP_201_CREATED, response_model=OutcomeRead,
             responses={**_WRITES, 409: {"model": ErrorRead,
                                         "description": "Another outcome has this number."}})
def create_outcome(details: OutcomeCreate, staff: AdminDep, session: WriteSessionDep,
                   now: NowDep) -> OutcomeRead:
    """Add an outcome."""
    try:
        outcome = outcomes.create_outcome(session=session, details=details, actor=_actor(staff),
                                          now=now)
    except outcomes.NumberTaken:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Another outcome already has this number.") from None
    return _outcome_read(outcome)


@router.patch("/outcomes/{outcome_id}", response_model=OutcomeRead,
              responses={**_WRITES, 404: {"model": ErrorRead, "description": "No such outcome."},
                         409: {"model": ErrorRead,
                               "description": "Another outcome has this number."}})
def change_outcome(outcome_id: RowId, changes: OutcomePatch, staff: AdminDep,
                   session: WriteSessionDep, now: NowDep) -> OutcomeRead:
    """Change an outcome's fields; only those sent change."""
    try:
        outcome = outcomes.update_outcome(session=session, outcome_id=outcome_id,
                                          changes=changes, actor=_actor(staff), now=now)
    except outcomes.OutcomeNotFound:
        raise _not_found("outcome") from None
    except outcomes.NumberTaken:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Another outcome already has this number.") from None
    return _outcome_read(outcome)


_CODE_TAKEN = {"model": ErrorRead, "description": "Another commitment has this code."}


@router.get("/commitments/{commitment_id}", response_model=CommitmentRead,
            responses={404: {"model": ErrorRead, "description": "No such commitment."}})
def read_commitment(commitment_id: RowId, session: SessionDep) -> CommitmentRead:
    """Return a commitment as the API takes it."""
    try:
        return _commitment_read(commitments.get_commitment(session=session,
                                                           commitment_id=commitment_id))
    except commitments.CommitmentNotFound:
        raise _not_found("commitment") from None


@router.post("/commitments", status_code=status.HTTP_201_CREATED, response_model=CommitmentRead,
             responses={**_WRITES, 409: _CODE_TAKEN})
def create_commitment(details: CommitmentCreate, staff: AdminDep, session: WriteSessionDep,
                      now: NowDep) -> CommitmentRead:
    """Add a commitment; its outcome, lead and partners must exist."""
    try:
        commitment = commitments.create_commitment(session=session, details=details,
                                                   actor=_actor(staff), now=now)
    except commitments.CodeTaken:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Another commitment already has this code.") from None
    except commitments.CommitmentInvalid as invalid:
        raise _unprocessable(invalid.problems) from None
    return _commitment_read(commitment)


@router.patch("/commitments/{commitment_id}", response_model=CommitmentRead,
              responses={**_WRITES, 409: _CODE_TAKEN,
                         404: {"model": ErrorRead, "description": "No such commitment."}})
def change_commitment(commitment_id: RowId, changes: CommitmentPatch, staff: AdminDep,
                      session: WriteSessionDep, now: NowDep) -> CommitmentRead:
    """Change a commitment's fields; only those sent change."""
    try:
        current = commitments.get_commitment(session=session, commitment_id=commitment_id)
        details = commitments.patched(current, changes)
        commitment = commitments.update_commitment(session=session, commitment_id=commitment_id,
                                                   details=details, actor=_actor(staff), now=now)
    except commitments.CommitmentNotFound:
        raise _not_found("commitment") from None
    except ValidationError as invalid:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            detail=_field_errors(list(invalid.errors()), ("body",))) from None
    except commitments.CodeTaken:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Another commitment already has this code.") from None
    except commitments.CommitmentInvalid as invalid:
        raise _unprocessable(invalid.problems) from None
    return _commitment_read(commitment)


def _download(session: SessionDep, staff: StaffUser, now: NowDep, file_format: str) -> Response:
    content, row_count = spreadsheet.export_file(session=session, file_format=file_format)
    audit.record(session=session, action="roadmap_exported", staff_user_id=staff.id, now=now,
                 detail={"format": file_format, "via": "api"}, row_count=row_count)
    media_type = "text/csv; charset=utf-8" if file_format == "csv" else XLSX
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="roadmap-commitments.{file_format}"'})


_FILES: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}, XLSX: {}}}}


@router.get("/commitments.csv", response_class=Response, responses=_FILES)
def commitments_csv(staff: ApiStaffDep, session: WriteSessionDep, now: NowDep) -> Response:
    """Download the commitments as CSV (UTF-8, for Excel), in the columns the import reads."""
    return _download(session, staff, now, "csv")


@router.get("/commitments.xlsx", response_class=Response, responses=_FILES)
def commitments_xlsx(staff: ApiStaffDep, session: WriteSessionDep, now: NowDep) -> Response:
    """Download the commitments as an Excel workbook, in the columns the import reads."""
    return _download(session, staff, now, "xlsx")


@router.post("/import", response_model=ImportCounts,
             responses={**_WRITES, 409: _CODE_TAKEN, 422: {
                 "model": ImportRefusedRead,
                 "description": "Bad rows, each named; nothing was changed."}})
def import_commitments(file: Annotated[UploadFile, File()], staff: AdminDep,
                       session: WriteSessionDep, now: NowDep) -> ImportCounts | JSONResponse:
    """Create and update commitments from the export's file (XLSX or CSV), all or nothing.

    A file with any bad row changes nothing and is answered with every bad row and column.
    """
    # A sync endpoint (in a worker thread): the import's queries must not hold up the loop.
    content = file.file.read(spreadsheet.MAX_IMPORT_BYTES + 1)
    try:
        return spreadsheet.import_file(session=session, filename=file.filename or "",
                                       content=content, actor=_actor(staff), now=now)
    except spreadsheet.ImportRefused as refused:
        answer = ImportRefusedRead(detail=[
            ImportProblemRead(row=problem.row, column=problem.column, msg=problem.worded("en"))
            for problem in refused.problems])
        return JSONResponse(answer.model_dump(), status_code=422)
    except commitments.CodeTaken:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="Another commitment took one of these codes meanwhile; "
                                   "import the file again.") from None
