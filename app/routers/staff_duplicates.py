"""Staff's likely duplicate organisations (SPEC 9.2): the pairs, "not the same", and merge.

Merging asks first, on a page of its own that states the rule for conflicts, as the
staff API documents it. Included in the back-office router before the registration pages.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from app.core.i18n import N_
from app.deps import FormDataDep, LanguageDep, NowDep, SessionDep, WriteSessionDep
from app.routers.staff_deps import AdminOnly, NoStoreRoute, StaffDep, render, see_other
from app.services import duplicates, staff_registrations
from app.services.duplicate_pairs import (
    ACRONYM,
    SAME_EMAIL_DOMAIN,
    SAME_REGISTRATION_NUMBER,
    SIMILAR_NAMES,
)

router = APIRouter(route_class=NoStoreRoute, include_in_schema=False)

REASON_LABELS = {
    SIMILAR_NAMES: N_("Similar names"),
    ACRONYM: N_("One name is the other's initials"),
    SAME_REGISTRATION_NUMBER: N_("Same registration number"),
    SAME_EMAIL_DOMAIN: N_("Same email domain, similar names"),
}



@router.get("/duplicates")
def list_duplicates(request: Request, staff: StaffDep, session: SessionDep,
                    language: LanguageDep) -> Response:
    """List the likely duplicate pairs, with their reasons."""
    return render(request, "duplicates.html", language, staff=staff,
                  pairs=duplicates.likely_duplicates(session=session),
                  reasons=REASON_LABELS, done=request.query_params.get("done", ""))


@router.post("/duplicates/dismiss", dependencies=[AdminOnly])
def dismiss(staff: StaffDep, form: FormDataDep, session: WriteSessionDep,
            now: NowDep) -> Response:
    """Mark a pair "not the same"; it is not listed again (logged)."""
    try:
        duplicates.dismiss(session=session, references=[str(form.get("first", "")),
                                                        str(form.get("second", ""))],
                           staff_user_id=staff.user.id, now=now)
    except duplicates.UnknownReference:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except duplicates.CannotMerge:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT) from None
    return see_other("/staff/duplicates?done=dismissed")


@router.get("/duplicates/merge/{reference}/into/{into}", dependencies=[AdminOnly])
def merge_question(request: Request, reference: str, into: str, staff: StaffDep,
                   session: SessionDep, language: LanguageDep) -> Response:
    """Ask whether to merge the later registration into the earlier, stating the rule."""
    later = staff_registrations.find_registration(session=session, reference=reference)
    kept = staff_registrations.find_registration(session=session, reference=into)
    if later is None or kept is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return render(request, "duplicate_merge.html", language, staff=staff, later=later,
                  kept=kept, rule=duplicates.MERGE_RULE)


@router.post("/duplicates/merge", dependencies=[AdminOnly])
def merge(staff: StaffDep, form: FormDataDep, session: WriteSessionDep,
          now: NowDep) -> Response:
    """Withdraw the later registration and move its invitations to the one kept (logged)."""
    try:
        duplicates.merge(session=session, reference=str(form.get("reference", "")),
                         into=str(form.get("into", "")), staff_user_id=staff.user.id, now=now)
    except duplicates.UnknownReference:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    except duplicates.CannotMerge:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT) from None
    return see_other("/staff/duplicates?done=merged")
