"""The staff API for progress reports (SPEC 8.4): periods, a period's reports, the review."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.deps import NowDep, RowId, SessionDep, WriteSessionDep
from app.roadmap.plan.api import _WRITES, AdminDep, RoadmapRoute
from app.roadmap.plan.schemas import Day
from app.roadmap.progress import periods, reports
from app.routers.staff_deps import api_staff
from app.schemas.errors import ERROR_RESPONSES, ErrorRead
from app.services import audit

router = APIRouter(prefix="/api/v1/roadmap", tags=["roadmap"],
                   dependencies=[Depends(api_staff)], route_class=RoadmapRoute,
                   responses={400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]})


class PeriodCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=100, pattern=r"^[^\r\n\t]*\S[^\r\n\t]*$")
    starts_on: Day
    ends_on: Day
    due_on: Day

    @model_validator(mode="after")
    def _in_order(self) -> PeriodCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class PeriodOpened(BaseModel):
    id: int
    requested: int = Field(description="Request mails queued: one per registered lead.")


class ReportItem(BaseModel):
    id: int
    commitment: str
    state: Literal["requested", "submitted", "approved", "returned"]
    late: bool
    status: str | None
    progress: int | None
    submitted_at: dt.datetime | None


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "return"]
    comment: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _returned_with_reason(self) -> ReviewBody:
        if self.decision == "return" and not self.comment.strip():
            raise ValueError("A returned report needs a comment saying what to change.")
        return self


class ReviewRead(BaseModel):
    id: int
    state: str


@router.post("/periods", status_code=status.HTTP_201_CREATED, response_model=PeriodOpened,
             responses=_WRITES)
def open_period(details: PeriodCreate, staff: AdminDep, session: WriteSessionDep,
                now: NowDep) -> PeriodOpened:
    """Open a reporting period: one report requested per commitment, one mail per lead."""
    period, requested = periods.open_period(
        session=session, label=details.label.strip(), starts_on=details.starts_on,
        ends_on=details.ends_on, due_on=details.due_on, actor=audit.Actor(staff.id), now=now)
    return PeriodOpened(id=period.id, requested=requested)


@router.get("/periods/{period_id}/reports", response_model=list[ReportItem],
            responses={404: {"model": ErrorRead, "description": "No such period."}})
def period_reports(period_id: RowId, session: SessionDep) -> list[ReportItem]:
    """List a period's reports, one per commitment, in the commitments' order."""
    try:
        periods.get_period(session, period_id)
    except periods.PeriodNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No period has this id.") from None
    return [ReportItem(id=report.id, commitment=report.commitment.code, state=report.state,
                       late=report.late, status=report.status, progress=report.progress,
                       submitted_at=report.submitted_at)
            for report in reports.period_reports(session, period_id)]


@router.post("/reports/{report_id}/review", response_model=ReviewRead,
             responses={**_WRITES, 404: {"model": ErrorRead, "description": "No such report."},
                        409: {"model": ErrorRead,
                              "description": "The report is not waiting for review."}})
def review_report(report_id: RowId, body: ReviewBody, staff: AdminDep,
                  session: WriteSessionDep, now: NowDep) -> ReviewRead:
    """Approve a sent report (it becomes public), or return it to its lead with a comment."""
    try:
        report = reports.review(session=session, report_id=report_id, decision=body.decision,
                                comment=body.comment, actor=audit.Actor(staff.id), now=now)
    except reports.ReportNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No report has this id.") from None
    except reports.NothingToReview:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="This report is not waiting for review.") from None
    return ReviewRead(id=report.id, state=report.state)
