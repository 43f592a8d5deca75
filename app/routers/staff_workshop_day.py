"""Back-office pages for the workshop day: the check-in desk, personal check-in links, walk-ins.

`router` is included in the back-office router, so a signed-in session and CSRF are already
checked. Viewers can check people in and add walk-ins here (desk staff often are viewers);
only an administrator can add a walk-in whose organisation cancelled or declined, or past
its most representatives, with a reason. The staff API's check-in needs an administrator's
token. `link_router` serves the personal check-in link to anyone: signed-in staff get the
person ready to confirm, and anyone else (the representative) a page to show at the desk.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import N_, choose_language, format_myt
from app.deps import (
    LANGUAGE_COOKIE,
    LanguageDep,
    NowDep,
    RowId,
    SessionDep,
    WriteSessionDep,
    workshop_or_404,
)
from app.models import Registration, Representative, Workshop
from app.routers.pages import render_page
from app.routers.staff_deps import (
    FormDep,
    NoStoreRoute,
    StaffDep,
    StaffIfSignedInDep,
    render,
)
from app.schemas.one_line import ONE_LINE_MESSAGE, is_one_line
from app.services import check_in, walk_ins, workshop_day, workshops
from app.services.check_in_codes import (
    PROBLEM_MESSAGES,
    CheckInCodeError,
    check_in_url,
    qr_data_uri,
    read_check_in_code,
)

router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)
link_router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)
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
REASON_TOO_LONG = N_("Write the reason in up to 500 characters.")
WALK_IN_REFUSED = {
    "not_open": N_("Walk-ins can be added only on the days of the workshop."),
    "withdrawn": N_("This organisation has withdrawn its registration, so nobody from it can "
                    "be added."),
    "erased": N_("This organisation's registration has been erased, so nobody from it can be "
                 "added."),
    "answered": N_("This organisation's invitation was cancelled or declined (its answer is "
                   "below). A walk-in does not change that answer."),
    "full": N_("This organisation already has as many representatives as the workshop allows "
               "for one organisation."),
}


def _back(workshop_id: int, notice: str, query: str = "", anchor: str = "") -> Response:
    target = f"/staff/workshops/{workshop_id}/check-in?notice={notice}"
    if query:
        target += f"&q={quote(query)}"
    return RedirectResponse(target + anchor, status_code=status.HTTP_303_SEE_OTHER)


def _desk(request: Request, staff: StaffDep, session: SessionDep, language: str,
          workshop: Workshop, query: str, now: NowDep, status_code: int = 200,
          problem: str = "", values: dict[str, str] | None = None,
          refusal: walk_ins.WalkInRefused | None = None) -> Response:
    rows = workshop_day.desk_rows(session=session, workshop_id=workshop.id, language=language,
                                  query=query)
    notice = NOTICES.get(request.query_params.get("notice", ""), "")
    return render(request, "workshop_check_in.html", language, status_code, staff=staff,
                  workshop=workshop, rows=rows, query=query, notice=notice, problem=problem,
                  values=values or {}, refusal=refusal,
                  walk_ins_open=walk_ins.walk_ins_open(workshop, now),
                  walk_ins_from=walk_ins.walk_in_hours(workshop)[0], when=format_myt,
                  summary=workshop_day.attendance(session=session, workshop_id=workshop.id,
                                                  language=language))


@router.get("/{workshop_id}/check-in")
def desk(request: Request, workshop_id: RowId, staff: StaffDep, session: SessionDep,
         now: NowDep, language: LanguageDep) -> Response:
    """Show the check-in desk: search, one tap to check in, the live count."""
    workshop = workshop_or_404(session, workshop_id)
    return _desk(request, staff, session, language, workshop,
                 request.query_params.get("q", "")[:200], now)


def _refused(request: Request, staff: StaffDep, session: SessionDep, language: str,
             workshop: Workshop, now: NowDep, error: Exception) -> Response:
    removed = isinstance(error, check_in.AttendeeRemoved)
    return _desk(request, staff, session, language, workshop, "", now,
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
        return _refused(request, staff, session, language, workshop, now, error)
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
        return _refused(request, staff, session, language, workshop, now, error)
    return _back(workshop_id, "undone", str(form.get("q", "")), f"#person-{representative_id}")


@router.post("/{workshop_id}/walk-in")
def walk_in(request: Request, workshop_id: RowId, form: FormDep, staff: StaffDep,
            session: WriteSessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Add a walk-in from a registered organisation; over capacity is a warning, not a block.

    An organisation that cancelled or declined, or that has its most representatives, is
    refused with its answer shown; an administrator may add the person anyway with a reason.
    """
    workshop = workshop_or_404(session, workshop_id)
    values = {name: str(form.get(name, "")).strip()
              for name in ("reference", "full_name", "designation", "override_reason")}
    problem = ""
    if not 0 < len(values["full_name"]) <= 200 or len(values["designation"]) > 200:
        problem = NAME_NEEDED
    elif not (is_one_line(values["full_name"]) and is_one_line(values["designation"])):
        problem = ONE_LINE_MESSAGE
    elif len(values["override_reason"]) > 500:
        problem = REASON_TOO_LONG
    if problem:
        return _desk(request, staff, session, language, workshop, "", now, 422,
                     problem=problem, values=values)
    try:
        added = walk_ins.add_walk_in(
            session=session, workshop_id=workshop_id, reference=values["reference"],
            full_name=values["full_name"], designation=values["designation"],
            staff_user_id=staff.user.id, now=now,
            # Only an administrator overrides an answer or the most representatives.
            override_reason=values["override_reason"] if staff.user.role == "admin" else "")
    except walk_ins.OrganisationNotFound:
        return _desk(request, staff, session, language, workshop, "", now, 422,
                     problem=NO_ORGANISATION, values=values)
    except walk_ins.WalkInRefused as refused:
        return _desk(request, staff, session, language, workshop, "", now,
                     status.HTTP_409_CONFLICT, problem=WALK_IN_REFUSED[refused.reason],
                     values=values, refusal=refused)
    seats = workshops.seat_counts(session=session, workshop=workshop)
    over = seats.accepted > workshop.capacity
    return _back(workshop_id, "over" if over else "walk_in", "", f"#person-{added.person.id}")


@link_router.get("/{workshop_id}/check-in/{code}")
def personal_link(request: Request, workshop_id: RowId, code: str,
                  staff: StaffIfSignedInDep, session: SessionDep,
                  language: LanguageDep) -> Response:
    """Show the person a personal check-in link names; this changes nothing.

    Signed-in staff get the person, ready to confirm. Anyone else, the representative who
    opened their own link, gets a page that says to show this code at the desk.
    """
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
    status_code = 200 if found else status.HTTP_404_NOT_FOUND
    if staff is None:
        return _for_the_representative(request, workshop, code, found, problem, status_code)
    return render(request, "workshop_check_in_link.html", language, status_code, staff=staff,
                  workshop=workshop, found=found, problem=problem, when=format_myt)


def _for_the_representative(
    request: Request, workshop: Workshop, code: str,
    found: tuple[Representative, Registration] | None,
    problem: str, status_code: int,
) -> Response:
    """Render the page a representative sees on their own link: the code to show at the desk.

    In the language chosen on the page, else the organisation's, else the browser's.
    """
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    language = choose_language(chosen, found[1].preferred_language if found else None,
                               request.headers.get("accept-language"))
    qr = ""
    if found:
        qr = qr_data_uri(check_in_url(workshop_id=workshop.id, representative_id=found[0].id))
    return render_page(request, "check_in_code.html", language, status_code, workshop=workshop,
                       found=found, problem=problem, qr=qr, code=code, when=format_myt,
                       sign_in=f"/staff/login?next={quote(request.url.path)}")
