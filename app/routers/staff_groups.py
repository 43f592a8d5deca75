"""Back-office pages for a workshop's working groups: defaults, add, rename, remove, place.

Any staff member can see the groups and print a group's list; changes need an administrator
(viewers cannot change groups). Every change is audit-logged by the service.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import N_
from app.deps import LanguageDep, NowDep, RowId, SessionDep, WriteSessionDep, workshop_or_404
from app.routers.staff_deps import AdminOnly, FormDep, NoStoreRoute, StaffDep, render
from app.schemas.one_line import ONE_LINE_ERROR, ONE_LINE_MESSAGE
from app.services import working_groups, workshop_day

router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)
PROBLEMS = {
    "none_selected": N_("Select at least one person first."),
    "not_empty": N_("Only an empty group can be removed: move its people first."),
    "invalid": N_("Enter both names (up to 200 characters) and a seat limit of 1 or more, "
                  "or leave the limit empty."),
    ONE_LINE_ERROR: ONE_LINE_MESSAGE,
    "no_groups": N_("There are no working groups yet: create them first, then the suggestion "
                    "can place people in them."),
}
NOTICES = {"saved": N_("Your changes have been saved."),
           "applied": N_("The suggestion was applied: %(count)s people placed.")}



def _back(workshop_id: int, outcome: str) -> Response:
    return RedirectResponse(f"/staff/workshops/{workshop_id}/groups?{outcome}",
                            status_code=status.HTTP_303_SEE_OTHER)


def _problem(invalid: working_groups.GroupInvalid) -> str:
    return ONE_LINE_ERROR if invalid.args == (ONE_LINE_ERROR,) else "invalid"


def _limit(text: object) -> int | None:
    value = str(text or "").strip()
    if not value:
        return None
    # ASCII digits only ("²".isdigit() holds, int("²") fails), and small enough for a column.
    if not (value.isascii() and value.isdecimal() and len(value) <= 6):
        raise working_groups.GroupInvalid("seat_limit")
    return int(value)


@router.get("/{workshop_id}/groups")
def groups_page(request: Request, workshop_id: RowId, staff: StaffDep,
                session: SessionDep, language: LanguageDep) -> Response:
    """Show the groups, who is in each, and (for administrators) the forms to change them."""
    workshop = workshop_or_404(session, workshop_id)
    query = request.query_params
    preview = None
    if query.get("preview") == "1" and staff.user.role == "admin":
        preview = working_groups.suggestion(session=session, workshop_id=workshop_id)
    return render(request, "workshop_groups.html", language, staff=staff, workshop=workshop,
                  groups=working_groups.list_groups(session=session, workshop_id=workshop_id),
                  sizes=working_groups.group_sizes(session=session, workshop_id=workshop_id),
                  rows=workshop_day.desk_rows(session=session, workshop_id=workshop_id,
                                              language=language),
                  preview=preview, problem=PROBLEMS.get(query.get("problem", ""), ""),
                  notice=NOTICES.get(query.get("notice", ""), ""), count=query.get("count", ""))


@router.get("/{workshop_id}/groups/{group_id}")
def group_list(request: Request, workshop_id: RowId, group_id: RowId, staff: StaffDep,
               session: SessionDep, language: LanguageDep) -> Response:
    """Show one group's printable list: names, organisations and designations."""
    workshop = workshop_or_404(session, workshop_id)
    try:
        group = working_groups.get_group(session=session, workshop_id=workshop_id,
                                         group_id=group_id)
    except working_groups.GroupNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    rows = [row for row in workshop_day.desk_rows(session=session, workshop_id=workshop_id,
                                                  language=language)
            if row.person.group_id == group.id]
    return render(request, "workshop_group.html", language, staff=staff, workshop=workshop,
                  group=group, rows=rows)


@router.post("/{workshop_id}/groups/defaults", dependencies=[AdminOnly])
def make_defaults(workshop_id: RowId, staff: StaffDep, session: WriteSessionDep,
                  now: NowDep) -> Response:
    """Create one group per pillar (those missing)."""
    workshop_or_404(session, workshop_id)
    working_groups.create_default_groups(session=session, workshop_id=workshop_id,
                                         staff_user_id=staff.user.id, now=now)
    return _back(workshop_id, "notice=saved")


@router.post("/{workshop_id}/groups/add", dependencies=[AdminOnly])
def add(workshop_id: RowId, form: FormDep, staff: StaffDep, session: WriteSessionDep,
        now: NowDep) -> Response:
    """Add a general group."""
    workshop_or_404(session, workshop_id)
    try:
        working_groups.add_group(session=session, workshop_id=workshop_id,
                                 name_ms=str(form.get("name_ms", "")),
                                 name_en=str(form.get("name_en", "")),
                                 seat_limit=_limit(form.get("seat_limit")),
                                 staff_user_id=staff.user.id, now=now)
    except working_groups.GroupInvalid as invalid:
        return _back(workshop_id, f"problem={_problem(invalid)}")
    return _back(workshop_id, "notice=saved")


@router.post("/{workshop_id}/groups/{group_id}/change", dependencies=[AdminOnly])
def change(workshop_id: RowId, group_id: RowId, form: FormDep, staff: StaffDep,
           session: WriteSessionDep, now: NowDep) -> Response:
    """Rename a group or change its seat limit."""
    try:
        working_groups.change_group(session=session, workshop_id=workshop_id, group_id=group_id,
                                    name_ms=str(form.get("name_ms", "")),
                                    name_en=str(form.get("name_en", "")),
                                    seat_limit=_limit(form.get("seat_limit")),
                                    staff_user_id=staff.user.id, now=now)
    except working_groups.GroupNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except working_groups.GroupInvalid as invalid:
        return _back(workshop_id, f"problem={_problem(invalid)}")
    return _back(workshop_id, "notice=saved")


@router.post("/{workshop_id}/groups/{group_id}/remove", dependencies=[AdminOnly])
def remove(workshop_id: RowId, group_id: RowId, staff: StaffDep,
           session: WriteSessionDep, now: NowDep) -> Response:
    """Remove an empty group."""
    try:
        working_groups.remove_group(session=session, workshop_id=workshop_id, group_id=group_id,
                                    staff_user_id=staff.user.id, now=now)
    except working_groups.GroupNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except working_groups.GroupNotEmpty:
        return _back(workshop_id, "problem=not_empty")
    return _back(workshop_id, "notice=saved")


@router.post("/{workshop_id}/groups-suggestion", dependencies=[AdminOnly])
def apply_suggestion(workshop_id: RowId, staff: StaffDep, session: WriteSessionDep,
                     now: NowDep) -> Response:
    """Place everyone not yet in a group as the previewed suggestion says."""
    workshop_or_404(session, workshop_id)
    if not working_groups.list_groups(session=session, workshop_id=workshop_id):
        return _back(workshop_id, "problem=no_groups")
    placed = working_groups.apply_suggestion(session=session, workshop_id=workshop_id,
                                             staff_user_id=staff.user.id, now=now)
    return _back(workshop_id, f"notice=applied&count={placed}")


@router.post("/{workshop_id}/groups-move", dependencies=[AdminOnly])
def move(workshop_id: RowId, form: FormDep, staff: StaffDep, session: WriteSessionDep,
         now: NowDep) -> Response:
    """Move the ticked people to a group (or out of every group)."""
    workshop_or_404(session, workshop_id)
    ids = [int(str(value)) for value in form.getlist("person")
           if str(value).isascii() and str(value).isdecimal() and len(str(value)) <= 9][:1000]
    if not ids:
        return _back(workshop_id, "problem=none_selected")
    target = str(form.get("group", ""))
    try:
        working_groups.move_people(session=session, workshop_id=workshop_id,
                                   representative_ids=ids,
                                   group_id=int(target) if target.isascii() and target.isdecimal()
                                   and len(target) <= 9 else None,
                                   staff_user_id=staff.user.id, now=now)
    except working_groups.GroupNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return _back(workshop_id, "notice=saved")
