"""The public pages: the registration form, its confirmation, and the closed notice."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from typing import Any

import anyio.from_thread
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError

from app.core.config import get_settings
from app.core.csrf import form_token_is_valid, is_same_origin, new_form_token
from app.core.i18n import N_
from app.core.ratelimit import check_submission_rate
from app.core.templating import environment, language_context
from app.deps import (
    FormDataDep,
    LanguageDep,
    NowDep,
    RegistrationWriterDep,
    SessionDep,
    registration_answers,
)
from app.routers.pages import remember_language, render_page
from app.schemas.registration import RegistrationCreate, field_errors
from app.schemas.registration_fields import FORM_FIELDS
from app.services import deadline, idempotency
from app.services.registration.receipt import CallClosed, DuplicateRegistration
from app.services.registration.writer import Submission

router = APIRouter(include_in_schema=False)

CONFIRMATION_MAX_AGE_SECONDS = 24 * 3600
FORM_PURPOSE = "registration"
HONEYPOT_FIELD = "contact_fax"
RATE_LIMITED_MESSAGE = N_(
    "Too many registrations have been sent from your network in a short time. "
    "Wait a few minutes, then submit the form again. Your answers are kept below."
)
FORGED_MESSAGE = N_(
    "This form could not be accepted because it did not come from this page or has expired. "
    "Check your answers and submit it again."
)
DUPLICATE_MESSAGE = N_(
    "This organisation has already registered with this email address. To change that "
    "registration, use the link in its confirmation email."
)


def _tickets() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="confirmation")


def _call_context(closes_at: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    # What pages show: the deadline at most two seconds old. What is stored is checked
    # against the deadline read afresh, inside the transaction that stores it.
    return {
        "closes_at": closes_at,
        "last_moment": deadline.last_moment(closes_at),
        "call_open": deadline.is_open(closes_at, now),
    }


def _form_page(
    request: Request,
    language: str,
    call: dict[str, Any],
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if not call["call_open"]:
        return render_page(
            request,
            "closed.html",
            language,
            status.HTTP_403_FORBIDDEN if request.method == "POST" else 200,
            **call,
        )
    translate = language_context(language)["_"]
    shown_errors = {field: translate(message) for field, message in (errors or {}).items()}
    return render_page(
        request,
        "form.html",
        language,
        status_code,
        **call,
        values=values,
        errors=shown_errors,
        error_order=[field for field in FORM_FIELDS if field in shown_errors],
        form_token=new_form_token(FORM_PURPOSE),
    )


_TOKEN_PLACEHOLDER = "__FORM_TOKEN__"  # noqa: S105 - a placeholder, not a secret


@lru_cache(maxsize=16)
def _blank_form_html(language: str, closes_at: dt.datetime) -> str:
    # The empty form is the same for everyone but its token, so it is rendered once per
    # language and deadline; each request only signs a new token into it.
    return (
        environment()
        .get_template("form.html")
        .render(
            **language_context(language),
            closes_at=closes_at,
            last_moment=deadline.last_moment(closes_at),
            call_open=True,
            values={"preferred_language": language},
            errors={},
            error_order=[],
            form_token=_TOKEN_PLACEHOLDER,
        )
    )


@router.get("/")
async def registration_form(
    request: Request, now: NowDep, language: LanguageDep, writer: RegistrationWriterDep
) -> Response:
    """Show the registration form, or the closed notice after the deadline.

    On the event loop: the deadline is remembered (a thread reads it afresh every two
    seconds) and the blank form is rendered once, so a visit is a token signed into a
    cached page. As a threaded endpoint, under load, it left 1 % of visitors waiting
    0.6 s for a thread.
    """
    call = _call_context(await deadline.displayed_deadline_async(writer.open_session), now)
    if not call["call_open"]:
        return _form_page(request, language, call, values={})
    html = _blank_form_html(language, call["closes_at"])
    response = HTMLResponse(html.replace(_TOKEN_PLACEHOLDER, new_form_token(FORM_PURPOSE), 1))
    remember_language(request, response, language)
    return response


# In a thread, with a session of its own for the deadline, then on to the event loop for
# the writer. Measured (16 clients, SQLite, 2 cores): as an `async` endpoint like the API's
# it stored about half as many registrations a second, though each took less CPU; reading
# the deadline with a hop to the event loop instead of this session, about a fifth fewer.
@router.post("/")
def submit_form(
    request: Request,
    form: FormDataDep,
    session: SessionDep,
    now: NowDep,
    language: LanguageDep,
    writer: RegistrationWriterDep,
) -> Response:
    """Check and store a registration sent from the form."""
    values = registration_answers(form, FORM_FIELDS)
    call = _call_context(deadline.displayed_deadline(session), now)
    if not call["call_open"]:
        return _form_page(request, language, call, values=values)

    def form_again(errors: dict[str, str], status_code: int) -> Response:
        # The form as it was sent, with what stopped it.
        return _form_page(request, language, call, values=values, errors=errors,
                          status_code=status_code)

    form_token = str(form.get("form_token", ""))
    if form.get(HONEYPOT_FIELD):
        return form_again({"__form__": FORGED_MESSAGE}, status.HTTP_422_UNPROCESSABLE_CONTENT)
    if not (is_same_origin(request) and form_token_is_valid(form_token, FORM_PURPOSE)):
        return form_again({"__form__": FORGED_MESSAGE}, status.HTTP_403_FORBIDDEN)
    try:
        check_submission_rate(request)
    except HTTPException as refused:
        page = form_again({"__form__": RATE_LIMITED_MESSAGE}, status.HTTP_429_TOO_MANY_REQUESTS)
        page.headers.update(refused.headers or {})
        return page
    try:
        data = RegistrationCreate.model_validate(values)
    except ValidationError as invalid:
        return form_again(field_errors(invalid.errors()), status.HTTP_422_UNPROCESSABLE_CONTENT)
    request_fingerprint = idempotency.fingerprint(data.model_dump_json().encode())
    # The form's token makes a double click one submission: the same token and the same
    # answers give back the first answer.
    key = "form:" + hashlib.sha256(f"{form_token}:{request_fingerprint}".encode()).hexdigest()
    submission = Submission.of(
        data, now=now, idempotency_key=key, request_fingerprint=request_fingerprint
    )
    try:
        # Stored and committed with the others arriving now, before the answer is sent.
        accepted = anyio.from_thread.run(writer.submit, submission)
    except CallClosed:
        return _form_page(request, language, {**call, "call_open": False}, values=values)
    except DuplicateRegistration:
        return form_again({"organisation_name": DUPLICATE_MESSAGE}, status.HTTP_409_CONFLICT)
    ticket = _tickets().dumps(accepted.receipt.reference)
    return RedirectResponse(
        f"/confirmation/{ticket}?lang={language}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.get("/confirmation/{ticket}")
def confirmation(request: Request, ticket: str, language: LanguageDep) -> Response:
    """Show the reference and what happens next."""
    try:
        reference = _tickets().loads(ticket, max_age=CONFIRMATION_MAX_AGE_SECONDS)
    except BadSignature:
        raise HTTPException(status.HTTP_404_NOT_FOUND) from None
    return render_page(request, "confirmation.html", language, reference=reference, ticket=ticket)
