"""Back-office downloads for the workshop day: the desk's PDF and the roadmap contributors.

Included in the back-office router, so a signed-in session is already checked. Any staff
member may download them, like the attendee list; each download is in the audit log.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import Response

from app.deps import LanguageDep, NowDep, RowId, SessionDep
from app.routers.export_responses import contributors_file, desk_file
from app.routers.staff_deps import NoStoreRoute, StaffDep

router = APIRouter(prefix="/workshops", route_class=NoStoreRoute, include_in_schema=False)


@router.get("/{workshop_id}/desk.pdf")
def desk_pdf(workshop_id: RowId, staff: StaffDep, session: SessionDep, now: NowDep,
             language: LanguageDep) -> Response:
    """Download the sign-in sheet and the name badges as one PDF (logged)."""
    return desk_file(session=session, workshop_id=workshop_id, staff_user_id=staff.user.id,
                     language=language, now=now)


@router.get("/{workshop_id}/contributors.{file_format}")
def contributors(workshop_id: RowId, file_format: str, staff: StaffDep,
                 session: SessionDep, now: NowDep, language: LanguageDep) -> Response:
    """Download the organisations that attended, as CSV or XLSX (logged)."""
    if file_format not in ("csv", "xlsx"):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return contributors_file(session=session, workshop_id=workshop_id,
                             staff_user_id=staff.user.id, language=language,
                             file_format=file_format, now=now)
