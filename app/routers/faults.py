"""When the database cannot take a request: 503 with Retry-After, never a server error.

A refused connection, a server shutting down, a connection dropped mid-transaction, a
full or read-only SQLite file, or the write lock not granted in time: the request's
transaction rolled back, so nothing was stored, and the client is told to try again.
The pool's pre-ping replaces stale connections once the database is back.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.core.config import get_settings
from app.core.csrf import form_token_is_valid, new_form_token
from app.core.db import is_database_busy
from app.core.i18n import N_
from app.core.templating import environment, language_context
from app.deps import page_language, registration_answers
from app.routers.public import FORM_PURPOSE
from app.schemas.registration_fields import FORM_FIELDS
from app.services import deadline

log = logging.getLogger("app")

RETRY_AFTER_SECONDS = 5
BUSY_DETAIL = "The service is busy. Nothing was stored; try again in a few seconds."
UNAVAILABLE_DETAIL = (
    "The service is unavailable for a moment. Nothing was stored; try again in a few seconds."
)
UNAVAILABLE_FORM_MESSAGE = N_(
    "The service is unavailable for a moment and your registration was not stored. "
    "Your answers are kept below: submit the form again in a few seconds."
)
UNAVAILABLE_PAGE_MESSAGE = N_(
    "The service is unavailable for a moment. Nothing was stored; try again in a few seconds."
)


def _describe(error: Exception) -> str:
    # The driver's first line ("connection refused", "the database system is shutting
    # down"); statements' parameters are hidden by the engine, so no personal data.
    cause = error.orig if isinstance(error, DBAPIError) else error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line}"[:200]


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/readyz")


async def _form_again(request: Request, language: str) -> str:
    """Render the registration form as it was sent, saying that nothing was stored."""
    form = await request.form()
    values = registration_answers(form, FORM_FIELDS)
    # The same token again: if the failed attempt was stored after all (its commit's answer
    # lost with the connection), sending the form again gives back its first answer.
    sent_token = str(form.get("form_token", ""))
    token = sent_token if form_token_is_valid(sent_token, FORM_PURPOSE) else None
    # The database cannot say whether the secretariat moved the deadline; the page shows
    # the configured one.
    closes_at = get_settings().default_registration_closes_at
    context = language_context(language)
    return (
        environment()
        .get_template("form.html")
        .render(
            **context,
            closes_at=closes_at,
            last_moment=deadline.last_moment(closes_at),
            call_open=True,
            values=values,
            errors={"__form__": context["_"](UNAVAILABLE_FORM_MESSAGE)},
            error_order=[],
            form_token=token or new_form_token(FORM_PURPOSE),
        )
    )


async def database_unavailable(request: Request, error: Exception) -> Response:
    """Answer 503 with Retry-After when the database could not take the request."""
    if not is_database_busy(error):
        raise error
    # One line, no traceback: the cause is outside the code, and a burst must stay readable.
    log.warning(
        "database unavailable: %s %s answered 503 (%s)",
        request.method, request.url.path, _describe(error),
    )
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json(request):
        busy = isinstance(error, TimeoutError) or "locked" in str(error)
        body = json.dumps({"detail": BUSY_DETAIL if busy else UNAVAILABLE_DETAIL})
        return Response(body, 503, headers=headers, media_type="application/json")
    language = await page_language(request)
    if request.method == "POST" and request.url.path == "/":
        return HTMLResponse(await _form_again(request, language), 503, headers=headers)
    page = (
        environment()
        .get_template("unavailable.html")
        .render(**language_context(language), message=UNAVAILABLE_PAGE_MESSAGE)
    )
    return HTMLResponse(page, 503, headers=headers)


def answer_database_faults(application: FastAPI) -> None:
    """Make every route answer 503, not 500, when the database cannot take the request."""
    for kind in (TimeoutError, PoolTimeout, OperationalError, DBAPIError):
        application.add_exception_handler(kind, database_unavailable)
