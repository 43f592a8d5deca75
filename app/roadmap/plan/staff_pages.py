"""Back-office pages for the roadmap: outcomes, commitments, the spreadsheet round trip.

A signed-in session and CSRF are checked for every page; viewers read, administrators write.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from app.core.i18n import gettext
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep
from app.models import RoadmapCommitment
from app.roadmap.plan import commitments, outcomes, spreadsheet
from app.roadmap.plan.schemas import OutcomeCreate, error_message
from app.routers.staff_deps import (
    AdminOnly,
    FormDep,
    NoStoreRoute,
    StaffDep,
    csrf_checked,
    render,
    see_other,
)
from app.services import audit
from app.vocab import PILLARS

router = APIRouter(prefix="/staff/roadmap", dependencies=[Depends(csrf_checked)],
                   route_class=NoStoreRoute, include_in_schema=False)
OUTCOME_FIELDS = tuple(OutcomeCreate.model_fields)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND)


@router.get("")
def roadmap_overview(request: Request, staff: StaffDep, session: SessionDep,
                     language: LanguageDep) -> Response:
    """List the outcomes with their commitments, and offer the spreadsheet."""
    return render(request, "roadmap.html", language, staff=staff,
                  outcomes=outcomes.list_outcomes(session=session),
                  commitments=commitments.list_commitments(session=session),
                  saved=request.query_params.get("saved"))


# ---- Outcomes ----

def _outcome_form(request: Request, staff: StaffDep, language: str, values: dict[str, Any],
                  errors: dict[str, str], outcome_id: int | None = None,
                  status_code: int = 200) -> Response:
    return render(request, "roadmap_outcome_form.html", language, status_code, staff=staff,
                  values=values, errors={k: gettext(language, v) for k, v in errors.items()},
                  error_order=[f for f in OUTCOME_FIELDS if f in errors], pillars=PILLARS,
                  outcome_id=outcome_id)


def _read_outcome(form: FormDep) -> tuple[dict[str, Any], OutcomeCreate | None, dict[str, str]]:
    values = {name: str(form.get(name, "")).strip() for name in OUTCOME_FIELDS}
    given = {k: v for k, v in values.items() if v or k not in ("baseline_year", "target_year")}
    try:
        return values, OutcomeCreate.model_validate(given), {}
    except ValidationError as invalid:
        errors: dict[str, str] = {}
        for error in invalid.errors():
            errors.setdefault(str(error["loc"][0]) if error["loc"] else "number",
                              error_message(error))
        return values, None, errors


@router.get("/outcomes/new", dependencies=[AdminOnly])
def new_outcome(request: Request, staff: StaffDep, language: LanguageDep) -> Response:
    """Show an empty outcome form."""
    return _outcome_form(request, staff, language, {}, {})


@router.post("/outcomes/new", dependencies=[AdminOnly])
def create_outcome(request: Request, form: FormDep, staff: StaffDep, session: WriteSessionDep,
                   now: NowDep, language: LanguageDep) -> Response:
    """Check and store a new outcome."""
    values, details, errors = _read_outcome(form)
    if details is not None:
        try:
            outcomes.create_outcome(session=session, details=details,
                                    actor=audit.Actor(staff.user.id), now=now)
            return see_other("/staff/roadmap?saved=outcome")
        except outcomes.NumberTaken:
            errors = {"number": spreadsheet.NUMBER_TAKEN}
    return _outcome_form(request, staff, language, values, errors,
                         status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


@router.get("/outcomes/{outcome_id}/edit", dependencies=[AdminOnly])
def edit_outcome(outcome_id: RowId, request: Request, staff: StaffDep, session: SessionDep,
                 language: LanguageDep) -> Response:
    """Show an outcome's form, filled in."""
    try:
        outcome = outcomes.get_outcome(session=session, outcome_id=outcome_id)
    except outcomes.OutcomeNotFound:
        raise _not_found() from None
    values = {k: "" if v is None else str(v) for k, v in outcomes.outcome_values(outcome).items()}
    return _outcome_form(request, staff, language, values, {}, outcome_id)


@router.post("/outcomes/{outcome_id}/edit", dependencies=[AdminOnly])
def change_outcome(outcome_id: RowId, request: Request, form: FormDep, staff: StaffDep,
                   session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Check and store an outcome's changes."""
    values, details, errors = _read_outcome(form)
    if details is not None:
        try:
            outcomes.update_outcome(session=session, outcome_id=outcome_id,
                                    changes=outcomes.full_patch(details),
                                    actor=audit.Actor(staff.user.id), now=now)
            return see_other("/staff/roadmap?saved=outcome")
        except outcomes.OutcomeNotFound:
            raise _not_found() from None
        except outcomes.NumberTaken:
            errors = {"number": spreadsheet.NUMBER_TAKEN}
    return _outcome_form(request, staff, language, values, errors, outcome_id,
                         status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


# ---- Commitments ----

def _commitment_form(request: Request, staff: StaffDep, session: SessionDep, language: str,
                     values: dict[str, Any], errors: dict[str, str],
                     commitment_id: int | None = None, status_code: int = 200) -> Response:
    return render(request, "roadmap_commitment_form.html", language, status_code, staff=staff,
                  values=values, errors={k: gettext(language, v) for k, v in errors.items()},
                  error_order=[f for f in spreadsheet.COLUMNS if f in errors],
                  outcomes=outcomes.list_outcomes(session=session),
                  organisations=commitments.organisation_choices(session=session),
                  partner_slots=_partner_slots(values.get("partners", "")),
                  commitment_id=commitment_id)


def _partner_slots(partners: str) -> list[str]:
    # One field per partner, each picking from the registrants; two empty ones to add more.
    named = spreadsheet.split_references(partners)
    return named + [""] * max(5 - len(named), 2)


def _form_values(form: FormDep) -> dict[str, str]:
    values = {name: str(form.get(name, "")).strip() for name in spreadsheet.COLUMNS}
    values["partners"] = ", ".join(str(value).strip() for value in form.getlist("partners")
                                   if str(value).strip())
    return values


def _save_commitment(request: Request, form: FormDep, staff: StaffDep, session: WriteSessionDep,
                     now: NowDep, language: str, commitment_id: int | None) -> Response:
    values = _form_values(form)
    details, bad = spreadsheet.check_cells(values)
    errors = {column: message for column, message in reversed(bad)}
    if details is not None:
        actor = audit.Actor(staff.user.id)
        try:
            if commitment_id is None:
                saved = commitments.create_commitment(session=session, details=details,
                                                      actor=actor, now=now)
            else:
                saved = commitments.update_commitment(
                    session=session, commitment_id=commitment_id, details=details, actor=actor,
                    now=now)
            return see_other(f"/staff/roadmap/commitments/{saved.id}?saved=1")
        except commitments.CommitmentNotFound:
            raise _not_found() from None
        except commitments.CodeTaken:
            errors = {"code": spreadsheet.CODE_TAKEN}
        except commitments.CommitmentInvalid as invalid:
            errors = {spreadsheet.column_of(problem.field): problem.worded(language)
                      for problem in reversed(invalid.problems)}
    return _commitment_form(request, staff, session, language, values, errors, commitment_id,
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


@router.get("/commitments/new", dependencies=[AdminOnly])
def new_commitment(request: Request, staff: StaffDep, session: SessionDep,
                   language: LanguageDep) -> Response:
    """Show an empty commitment form."""
    return _commitment_form(request, staff, session, language,
                            {"weight": "1", "outcome": request.query_params.get("outcome", "")},
                            {})


@router.post("/commitments/new", dependencies=[AdminOnly])
def create_commitment(request: Request, form: FormDep, staff: StaffDep,
                      session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Check and store a new commitment."""
    return _save_commitment(request, form, staff, session, now, language, None)


def _commitment_or_404(session: SessionDep, commitment_id: int) -> RoadmapCommitment:
    try:
        return commitments.get_commitment(session=session, commitment_id=commitment_id)
    except commitments.CommitmentNotFound:
        raise _not_found() from None


@router.get("/commitments/{commitment_id}")
def commitment_page(commitment_id: RowId, request: Request, staff: StaffDep,
                    session: SessionDep, language: LanguageDep) -> Response:
    """Show a commitment with its lead's and partners' registrations."""
    commitment = _commitment_or_404(session, commitment_id)
    return render(request, "roadmap_commitment.html", language, staff=staff,
                  commitment=commitment, saved=request.query_params.get("saved"))


@router.get("/commitments/{commitment_id}/edit", dependencies=[AdminOnly])
def edit_commitment(commitment_id: RowId, request: Request, staff: StaffDep,
                    session: SessionDep, language: LanguageDep) -> Response:
    """Show a commitment's form, filled in."""
    commitment = _commitment_or_404(session, commitment_id)
    row = dict(zip(spreadsheet.COLUMNS, spreadsheet.export_cells(commitment), strict=True))
    return _commitment_form(request, staff, session, language, row, {}, commitment_id)


@router.post("/commitments/{commitment_id}/edit", dependencies=[AdminOnly])
def change_commitment(commitment_id: RowId, request: Request, form: FormDep, staff: StaffDep,
                      session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Check and store a commitment's changes."""
    return _save_commitment(request, form, staff, session, now, language, commitment_id)


# ---- The spreadsheet ----

def _download(session: WriteSessionDep, staff: StaffDep, now: NowDep,
              file_format: str) -> Response:
    content, row_count = spreadsheet.export_file(session=session, file_format=file_format)
    audit.record(session=session, action="roadmap_exported", staff_user_id=staff.user.id,
                 now=now, detail={"format": file_format, "via": "staff"}, row_count=row_count)
    media_type = "text/csv; charset=utf-8" if file_format == "csv" else XLSX
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="roadmap-commitments.{file_format}"'})


@router.get("/commitments.csv")
def commitments_csv(staff: StaffDep, session: WriteSessionDep, now: NowDep) -> Response:
    """Download the commitments as CSV, in the columns the import reads."""
    return _download(session, staff, now, "csv")


@router.get("/commitments.xlsx")
def commitments_xlsx(staff: StaffDep, session: WriteSessionDep, now: NowDep) -> Response:
    """Download the commitments as an Excel workbook, in the columns the import reads."""
    return _download(session, staff, now, "xlsx")


@router.get("/import", dependencies=[AdminOnly])
def import_page(request: Request, staff: StaffDep, language: LanguageDep) -> Response:
    """Show the upload form."""
    return render(request, "roadmap_import.html", language, staff=staff, problems=None)


async def _uploaded_file(request: Request) -> tuple[str, bytes] | None:
    # The upload is read here, on the event loop; the import itself runs in a worker thread.
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return upload.filename, await upload.read(spreadsheet.MAX_IMPORT_BYTES + 1)


@router.post("/import", dependencies=[AdminOnly])
def import_upload(request: Request, staff: StaffDep, session: WriteSessionDep, now: NowDep,
                  language: LanguageDep,
                  upload: Annotated[tuple[str, bytes] | None, Depends(_uploaded_file)]
                  ) -> Response:
    """Save the uploaded file's commitments, or show every bad row and change nothing."""
    try:
        if upload is None:
            raise spreadsheet.ImportRefused(
                [spreadsheet.ImportProblem(0, "file", spreadsheet.NO_FILE)])
        counts = spreadsheet.import_file(session=session, filename=upload[0], content=upload[1],
                                         actor=audit.Actor(staff.user.id), now=now)
    except spreadsheet.ImportRefused as refused:
        return render(request, "roadmap_import.html", language,
                      status.HTTP_422_UNPROCESSABLE_CONTENT, staff=staff,
                      problems=spreadsheet.problems_by_row(refused.problems, language))
    except commitments.CodeTaken:
        return render(request, "roadmap_import.html", language, status.HTTP_409_CONFLICT,
                      staff=staff, problems=spreadsheet.problems_by_row(
                          [spreadsheet.ImportProblem(0, "file", spreadsheet.CODE_TAKEN)],
                          language))
    return render(request, "roadmap_import.html", language, staff=staff, problems=None,
                  counts=counts)
