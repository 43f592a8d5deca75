"""The JSON API: the call's details and public registration."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from app.core.config import ENQUIRIES_EMAIL, MALAYSIA
from app.core.ratelimit import limit_submissions
from app.deps import NowDep, SessionDep, request_time
from app.routers import hand_read
from app.schemas.call import CallRead
from app.schemas.errors import ERROR_RESPONSES
from app.schemas.registration import RegistrationCreate, RegistrationReceipt
from app.services import deadline, idempotency
from app.services.call import describe_call
from app.services.registration.receipt import CallClosed, DuplicateRegistration
from app.services.registration.writer import RegistrationWriter, Submission, get_registration_writer

router = APIRouter(prefix="/api/v1", tags=["public"])


def _closed(closes_at: dt.datetime) -> HTTPException:
    return HTTPException(
        status.HTTP_403_FORBIDDEN,
        detail="The call for registrations closed at "
        f"{closes_at.astimezone(MALAYSIA).isoformat()}. Enquiries: {ENQUIRIES_EMAIL}",
    )


async def refuse_when_closed(now: dt.datetime, writer: RegistrationWriter) -> None:
    """Answer 403 before reading the body once the call has closed.

    The deadline shown to pages (at most two seconds old) is enough to turn late
    submissions away early; an accepted one is checked again where it is stored.
    """
    closes_at = await deadline.displayed_deadline_async(writer.open_session)
    if not deadline.is_open(closes_at, now):
        raise _closed(closes_at)


@router.get("/call", response_model=CallRead)
def read_call(session: SessionDep, now: NowDep) -> CallRead:
    """Describe the call for interest: its deadline, whether it is open, and the codes to use."""
    return describe_call(deadline.registration_closes_at(session), now)


@router.post(
    "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationReceipt,
    responses={k: ERROR_RESPONSES[k] for k in (400, 403, 409, 413, 422, 429)},
    openapi_extra=hand_read.REGISTRATION_OPENAPI,
)
async def create_registration(request: Request) -> Any:
    """Register an organisation's interest in joining Alliance 8.7 in Malaysia."""
    # Checked in this order, each before the next costs anything: the client's rate,
    # then the deadline, then the body. Done here rather than through `Depends` and a
    # body parameter, which cost about a sixth more CPU per registration (hand_read.py).
    await limit_submissions(request)
    now = await hand_read.resolve(request, request_time)
    writer = await hand_read.resolve(request, get_registration_writer)
    await refuse_when_closed(now, writer)
    idempotency_key = hand_read.idempotency_key(request)
    data = await hand_read.read_json_body(request, RegistrationCreate)
    submission = Submission.of(
        data,
        now=now,
        idempotency_key=idempotency_key,
        # What a retry with the same key must match; without a key nothing is compared.
        request_fingerprint=idempotency.fingerprint(data.model_dump_json().encode())
        if idempotency_key
        else "",
    )
    try:
        # Stored and committed with the others arriving now, before the answer is sent.
        accepted = await writer.submit(submission)
    except CallClosed as closed:
        raise _closed(closed.closes_at) from None
    except DuplicateRegistration:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            detail="This organisation has already registered with this contact email.",
        ) from None
    except idempotency.KeyReused:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail="This Idempotency-Key was already used for a different request.",
        ) from None
    headers = {"Idempotent-Replayed": "true"} if accepted.replayed else {}
    return Response(
        accepted.receipt_json,
        status.HTTP_201_CREATED,
        headers=headers,
        media_type="application/json",
    )
