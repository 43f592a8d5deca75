"""The portal with POST /api/v1/registrations handled by FastAPI itself, for bench_body.py.

The production endpoint (app/routers/api.py: create_registration) reads its body and its
`Idempotency-Key` header by hand and calls the rate limit and the early deadline check
itself. This builds a second copy of the app whose POST route is the same endpoint written
as FastAPI intends: a declared `RegistrationCreate` body parameter, the header declared with
`Header(max_length=255)`, and the rate limit and the deadline check as dependencies. The
route takes the production route's place (the API router is tried first), so everything
else (middlewares, the writer, the other routes) is the same.
"""

from __future__ import annotations

import gc
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, status
from fastapi.responses import Response
from fastapi.routing import APIRoute

from app.core.ratelimit import limit_submissions
from app.deps import NowDep, RegistrationWriterDep
from app.main import create_app
from app.routers import api
from app.routers.api import _closed, refuse_when_closed
from app.routers.hand_read import IDEMPOTENCY_KEY_MAX_LENGTH
from app.schemas.errors import ERROR_RESPONSES
from app.schemas.registration import RegistrationCreate, RegistrationReceipt
from app.services import idempotency
from app.services.registration.receipt import CallClosed, DuplicateRegistration
from app.services.registration.writer import Submission

PATH = "/api/v1/registrations"


async def open_call(now: NowDep, writer: RegistrationWriterDep) -> None:
    """Answer 403 once the call has closed (the production endpoint's early check)."""
    await refuse_when_closed(now, writer)


# The API router with the production POST route replaced by the one below; the app is
# built with it in the API router's place, so it is still tried first.
router = APIRouter()
router.routes.extend(
    route
    for route in api.router.routes
    if not (isinstance(route, APIRoute) and route.path == PATH and "POST" in route.methods)
)


@router.post(
    PATH,
    tags=["public"],
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationReceipt,
    responses={k: ERROR_RESPONSES[k] for k in (400, 403, 409, 413, 422, 429)},
    dependencies=[Depends(limit_submissions), Depends(open_call)],
)
async def create_registration(
    data: RegistrationCreate,
    now: NowDep,
    writer: RegistrationWriterDep,
    idempotency_key: Annotated[
        str | None, Header(max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    ] = None,
) -> Any:
    """Register an organisation's interest in joining Alliance 8.7 in Malaysia."""
    submission = Submission.of(
        data,
        now=now,
        idempotency_key=idempotency_key,
        request_fingerprint=idempotency.fingerprint(data.model_dump_json().encode())
        if idempotency_key
        else "",
    )
    try:
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


def build() -> FastAPI:
    """Build the portal as app/main.py does, with this module's router as its API router."""
    production = api.router
    api.router = router
    # As app/main.py does: what was built is frozen out of the garbage collector's way.
    gc.disable()
    try:
        return create_app()
    finally:
        api.router = production
        gc.freeze()
        gc.enable()


app = build()
