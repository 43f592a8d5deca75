"""Back-office pages for the workshop day: the check-in desk, personal check-in links, walk-ins.

Included in the back-office router, so a signed-in session and CSRF are already checked.
Viewers can check people in here (desk staff often are viewers); the staff API's check-in
needs an administrator's token.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import N_, format_myt
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep, workshop_or_404
from app.models import Workshop
from app.routers.staff_deps import FormDep, NoStoreRoute, StaffDep, render
from app.schemas.one_line import ONE_LINE_MESSAGE, is_one_line
from app.services import check_in, workshop_day, workshops
from app.services.check_in_codes import PROBLEM_MESSAGES, CheckInCodeError, read_check_in_code

router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)
NOTICES = {
    "in": N_("Checked in."),
    "already": N_("Already checked in earlier; the first time is kept."),
    "undone": N_("The check-in was undone."),
    "walk_in": N_("The walk-in was added and checked in."),
    "over": N_("The walk-in was added and checked in. The workshop is now over capacity."),
}
NOT_ATTENDEE = N_("This person is not an accepted representative of this workshop.")
REMOVED = N_("This person's organisation is no longer attending (its invitation was "
             "cancelled or declined), so they cannot be checked in.")
NO_ORGANISATION = N_("No registered organisation has this reference.")
NAME_NEEDED = N_("Enter the person's full name (up to 200 characters).")



def _back(workshop_id: int, notice: str, query: str = "", anchor: str = "") -> Response:
    target = f"/staff/workshops/{workshop_id}/check-in?notice={notice}"
    if query:
        target += f"&q={quote(query)}"
    return RedirectResponse(target + anchor, status_code=status.HTTP_303_SEE_OTHER)


def _desk(request: Request, staff: StaffDep, session: SessionDep, language: str,
          workshop: Workshop, query: str, status_code: int = 200, problem: str = "",
          values: dict[str, str] | None = None) -> Response:
    rows = workshop_day.desk_rows(session=session, workshop_id=workshop.id, language=language,
                                  query=query)
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    return render(request, "workshop_check_in.html", language, status_code, staff=staff,
                  workshop=workshop, rows=rows, query=query, notice=notice, problem=problem,
                  values=values or {},
                  summary=workshop_day.attendance(session=session, workshop_id=workshop.id,
                                                  language=language))


@router.get("/{workshop_id}/check-in")
def desk(request: Request, workshop_id: RowId, staff: StaffDep, session: SessionDep,
         language: LanguageDep) -> Response:
    """Show the check-in desk: search, one tap to check in, the live count."""
    workshop = workshop_or_404(session, workshop_id)
    return _desk(request, staff, session, language, workshop,
                 request.query_params.get("q", "")[:200])


def _refused(request: Request, staff: StaffDep, session: SessionDep, language: str,
             workshop: Workshop, error: Exception) -> Response:
    removed = isinstance(error, check_in.AttendeeRemoved)
    return _desk(request, staff, session, language, workshop, "",
                 status.HTTP_409_CONFLICT if removed else status.HTTP_404_NOT_FOUND,
                 problem=REMOVED if removed else NOT_ATTENDEE)


@router.post("/{workshop_id}/check-in/{representative_id}")
def check_in_person(request: Request, workshop_id: RowId, representative_id: RowId,
                    form: FormDep, staff: StaffDep, session: WriteSessionDep, now: NowDep,
                    language: LanguageDep) -> Response:
    """Check a person in (viewers too); checking in twice keeps the first time."""
    workshop = workshop_or_404(session, workshop_id)
    try:
        done = check_in.check_in(session=session, workshop_id=workshop_id,
                                 representative_id=representative_id,
                                 staff_user_id=staff.user.id, now=now)
    except (check_in.AttendeeNotFound, check_in.AttendeeRemoved) as error:
        return _refused(request, staff, session, language, workshop, error)
    return _back(workshop_id, "in" if done.first else "already", str(form.get("q", "")),
                 f"#person-{representative_id}")


@router.post("/{workshop_id}/check-in/{representative_id}/undo")
def undo(request: Request, workshop_id: RowId, representative_id: RowId, form: FormDep,
         staff: StaffDep, session: WriteSessionDep, now: NowDep,
         language: LanguageDep) -> Response:
    """Undo a mistaken check-in."""
    workshop = workshop_or_404(session, workshop_id)
    try:
        check_in.undo_check_in(session=session, workshop_id=workshop_id,
                               representative_id=representative_id,
                               staff_user_id=staff.user.id, now=now)
    except (check_in.AttendeeNotFound, check_in.AttendeeRemoved) as error:
        return _refused(request, staff, session, language, workshop, error)
    return _back(workshop_id, "undone", str(form.get("q", "")), f"#person-{representative_id}")


@router.post("/{workshop_id}/walk-in")
def walk_in(request: Request, workshop_id: RowId, form: FormDep, staff: StaffDep,
            session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Add a walk-in from a registered organisation; over capacity is a warning, not a block."""
    workshop = workshop_or_404(session, workshop_id)
    values = {name: str(form.get(name, "")).strip()
              for name in ("reference", "full_name", "designation")}
    if not 0 < len(values["full_name"]) <= 200 or len(values["designation"]) > 200:
        return _desk(request, staff, session, language, workshop, "", 422,
                     problem=NAME_NEEDED, values=values)
    if not (is_one_line(values["full_name"]) and is_one_line(values["designation"])):
        return _desk(request, staff, session, language, workshop, "", 422,
                     problem=ONE_LINE_MESSAGE, values=values)
    try:
        person = check_in.add_walk_in(session=session, workshop_id=workshop_id,
                                      reference=values["reference"],
                                      full_name=values["full_name"],
                                      designation=values["designation"],
                                      staff_user_id=staff.user.id, now=now)
    except check_in.AttendeeNotFound:
        return _desk(request, staff, session, language, workshop, "", 422,
                     problem=NO_ORGANISATION, values=values)
    seats = workshops.seat_counts(session=session, workshop=workshop)
    over = seats.accepted > workshop.capacity
    return _back(workshop_id, "over" if over else "walk_in", "", f"#person-{person.id}")


@router.get("/{workshop_id}/check-in/{code}")
def personal_link(request: Request, workshop_id: RowId, code: str, staff: StaffDep,
                  session: SessionDep, language: LanguageDep) -> Response:
    """Show the person a personal check-in link names, ready to confirm; this changes nothing."""
    workshop = workshop_or_404(session, workshop_id)
    problem = ""
    found = None
    try:
        representative_id = read_check_in_code(code[:500], workshop_id=workshop_id)
        found = check_in.get_attendee(session=session, workshop_id=workshop_id,
                                      representative_id=representative_id)
    except CheckInCodeError as error:
        problem = PROBLEM_MESSAGES[error.problem]
    except check_in.AttendeeNotFound:
        problem = NOT_ATTENDEE
    except check_in.AttendeeRemoved:
        problem = REMOVED
    return render(request, "workshop_check_in_link.html", language,
                  200 if found else status.HTTP_404_NOT_FOUND, staff=staff,
                  workshop=workshop, found=found, problem=problem, when=format_myt)
