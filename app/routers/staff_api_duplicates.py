"""The staff API's likely duplicate organisations (SPEC 9.2): list, merge, dismiss."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status

from app.deps import NowDep, SessionDep, WriteSessionDep
from app.models import StaffUser
from app.routers.staff_deps import ApiStaffDep, NoStoreRoute, api_staff
from app.schemas.duplicates import (
    DismissCreate,
    DismissRead,
    DuplicatePairRead,
    MergeCreate,
    MergeRead,
)
from app.schemas.errors import ERROR_RESPONSES, ErrorRead
from app.services import duplicates

# Included before the registrations' router, whose `/registrations/{reference}` would
# otherwise take `/registrations/duplicates`.
router = APIRouter(
    prefix="/api/v1/registrations",
    tags=["staff"],
    dependencies=[Depends(api_staff)],
    route_class=NoStoreRoute,
    responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
)
_CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorRead, "description": "The token is not an administrator's."},
    404: ERROR_RESPONSES[404], 422: ERROR_RESPONSES[422]}



def api_admin(staff: ApiStaffDep) -> StaffUser:
    """Refuse a token whose account is not an administrator's."""
    if staff.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            detail="Only an administrator's token can merge or dismiss.")
    return staff


def _refused(error: Exception) -> HTTPException:
    if isinstance(error, duplicates.UnknownReference):
        return HTTPException(status.HTTP_404_NOT_FOUND,
                             detail=f"No registration has the reference {error.args[0]}.")
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=str(error))


@router.get("/duplicates", response_model=list[DuplicatePairRead])
def list_duplicates(session: SessionDep) -> list[DuplicatePairRead]:
    """List pairs of registrations that may be one organisation, with the reasons."""
    return [DuplicatePairRead(references=[pair.first.reference, pair.second.reference],
                              reasons=list(pair.reasons))
            for pair in duplicates.likely_duplicates(session=session)]


@router.post("/duplicates/dismiss", response_model=DismissRead, responses=_CHANGE_RESPONSES)
def dismiss_duplicates(body: DismissCreate, session: WriteSessionDep, now: NowDep,
                       staff: Annotated[StaffUser, Depends(api_admin)]) -> DismissRead:
    """Mark a pair "not the same": it is never listed again."""
    try:
        duplicates.dismiss(session=session, references=body.references,
                           staff_user_id=staff.id, now=now)
    except (duplicates.UnknownReference, duplicates.CannotMerge) as error:
        raise _refused(error) from None
    return DismissRead(references=[ref.upper() for ref in body.references])


@router.post("/{reference}/merge", response_model=MergeRead, responses=_CHANGE_RESPONSES)
def merge_registration(reference: str, body: MergeCreate, session: WriteSessionDep,
                       now: NowDep, staff: Annotated[StaffUser, Depends(api_admin)]
                       ) -> MergeRead:
    """Withdraw this (later) registration and move its invitations to `into`."""
    try:
        outcome = duplicates.merge(session=session, reference=reference, into=body.into,
                                   staff_user_id=staff.id, now=now)
    except (duplicates.UnknownReference, duplicates.CannotMerge) as error:
        raise _refused(error) from None
    return MergeRead(reference=reference.upper(), into=body.into.upper(),
                     rule=duplicates.MERGE_RULE, **outcome)
