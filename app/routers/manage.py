"""The registrant's private link: view, correct or withdraw a registration until the deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.core.i18n import N_
from app.core.templating import language_context
from app.deps import (
    LANGUAGE_COOKIE,
    FormDataDep,
    NowDep,
    SessionDep,
    WriteSessionDep,
    registration_answers,
)
from app.models import Registration
from app.routers.pages import render_page
from app.schemas.registration import RegistrationCreate, field_errors
from app.services import contact_change, deadline, manage, registration_data
from app.services.contact_change import CONTACT_FIELDS
from app.services.private_links import find_by_token, form_guard, form_guard_is_valid
from app.services.registration.receipt import CallClosed, DuplicateRegistration
from app.vocab import LANGUAGES

router = APIRouter(prefix="/manage", include_in_schema=False)

DUPLICATE_MESSAGE = N_(
    "Another registration from this organisation already uses this email address. "
    "Check the organisation's name and the email address."
)
FORGED_MESSAGE = N_(
    "This change could not be accepted because it did not come from this page. "
    "Open the link in your confirmation email and try again."
)
DONE_MESSAGES = {
    "corrected": N_("Your corrections have been saved."),
    "unchanged": N_("Nothing was changed."),
    "withdrawn": N_("Your registration has been withdrawn. We have sent a confirmation by email."),
    "contact": N_("The contact person has been changed. The secretariat has been told."),
}
ANSWERS_CLOSED_MESSAGE = N_(
    "The deadline has passed, so only the contact person can be changed. The answers about "
    "the organisation stay as they were at the deadline."
)


def _language(request: Request, registration: Registration | None) -> str:
    # An explicit choice wins; otherwise the language the registrant chose for their mail.
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return registration.preferred_language if registration is not None else "ms"


def _page(request: Request, template: str, *, session: SessionDep, now: NowDep, token: str,
          registration: Registration, status_code: int = 200, **context: Any) -> Response:
    closes_at = deadline.registration_closes_at(session)
    language = _language(request, registration)
    translate = language_context(language)["_"]
    errors = {field: translate(message) for field, message in context.pop("errors", {}).items()}
    return render_page(
        request, template, language, status_code,
        registration=registration, token=token, guard=form_guard(token),
        last_moment=deadline.last_moment(closes_at),
        call_open=deadline.is_open(closes_at, now),
        can_change=manage.can_change(session=session, registration=registration, now=now),
        errors=errors, error_order=[f for f in manage.CORRECTABLE_FIELDS if f in errors],
        notice=context.pop("notice", ""), **context,
    )


def _not_found(request: Request) -> Response:
    return render_page(request, "manage_invalid.html", _language(request, None),
                   status.HTTP_404_NOT_FOUND)


def _refused(request: Request, session: SessionDep, now: NowDep, token: str,
             registration: Registration, message: str = "") -> Response:
    return _page(request, "manage.html", session=session, now=now, token=token,
                 registration=registration, status_code=status.HTTP_403_FORBIDDEN,
                 notice=message)


def _registration_to_change(request: Request, token: str, form: FormDataDep,
                            session: Session, now: dt.datetime) -> Registration | Response:
    """Return the link's registration, or the page refusing the change."""
    registration = find_by_token(session=session, token=token)
    if registration is None:
        return _not_found(request)
    if not form_guard_is_valid(token, str(form.get("guard", ""))):
        return _refused(request, session, now, token, registration, FORGED_MESSAGE)
    return registration


@router.get("/{token}")
def view_registration(request: Request, token: str, session: SessionDep, now: NowDep) -> Response:
    """Show the registration, and what the registrant can still do with it."""
    registration = find_by_token(session=session, token=token)
    if registration is None:
        return _not_found(request)
    done = DONE_MESSAGES.get(request.query_params.get("done", ""), "")
    return _page(request, "manage.html", session=session, now=now, token=token,
                 registration=registration, done=done)


@router.get("/{token}/data.json")
def download_data(request: Request, token: str, session: SessionDep, now: NowDep) -> Response:
    """Send everything the portal holds about the registration, as a JSON file (PDPA)."""
    registration = find_by_token(session=session, token=token)
    if registration is None:
        return _not_found(request)
    document = registration_data.registration_document(
        session=session, registration=registration, now=now)
    return JSONResponse(document, headers={
        "Cache-Control": "no-store",
        "Content-Disposition":
            f'attachment; filename="alliance87-{registration.reference}.json"',
    })


@router.get("/{token}/edit")
def edit_form(request: Request, token: str, session: SessionDep, now: NowDep) -> Response:
    """Show the registration's answers in a form, while they can still be corrected."""
    registration = find_by_token(session=session, token=token)
    if registration is None:
        return _not_found(request)
    if not manage.can_change(session=session, registration=registration, now=now):
        if registration.withdrawn_at is None:
            return _page(request, "manage_contact.html", session=session, now=now, token=token,
                         registration=registration, values=manage.form_values(registration))
        return _page(request, "manage.html", session=session, now=now, token=token,
                     registration=registration)
    return _page(request, "manage_edit.html", session=session, now=now, token=token,
                 registration=registration, values=manage.form_values(registration))


@router.post("/{token}/edit")
def save_corrections(request: Request, token: str, form: FormDataDep, session: WriteSessionDep,
                     now: NowDep) -> Response:
    """Check the corrected answers as a new registration would be checked, and save them."""
    registration = _registration_to_change(request, token, form, session, now)
    if isinstance(registration, Response):
        return registration
    if registration.withdrawn_at is None and not deadline.is_open(
            deadline.registration_closes_at(session), now):
        return _change_contact(request, token, form, session, now, registration)
    values = registration_answers(form, manage.CORRECTABLE_FIELDS)

    def form_again(errors: dict[str, str], status_code: int) -> Response:
        return _page(request, "manage_edit.html", session=session, now=now, token=token,
                     registration=registration, values=values, errors=errors,
                     status_code=status_code)

    try:
        data = RegistrationCreate.model_validate({**values, "consent_pdpa": True})
    except ValidationError as invalid:
        return form_again(field_errors(invalid.errors()),
                          status.HTTP_422_UNPROCESSABLE_CONTENT)
    try:
        changed = manage.correct_registration(session=session, registration=registration,
                                              data=data, now=now)
    except (CallClosed, manage.AlreadyWithdrawn):
        return _refused(request, session, now, token, registration)
    except DuplicateRegistration:
        return form_again({"organisation_name": DUPLICATE_MESSAGE}, status.HTTP_409_CONFLICT)
    done = "corrected" if changed else "unchanged"
    return RedirectResponse(f"/manage/{token}?done={done}", status_code=status.HTTP_303_SEE_OTHER)


def _change_contact(request: Request, token: str, form: FormDataDep, session: Session,
                    now: dt.datetime, registration: Registration) -> Response:
    """After the deadline: change the contact person, and refuse any other answer."""
    sent = registration_answers(form, CONTACT_FIELDS)
    values = {**manage.form_values(registration), **sent}

    def form_again(errors: dict[str, str], status_code: int) -> Response:
        return _page(request, "manage_contact.html", session=session, now=now, token=token,
                     registration=registration, values=values, errors=errors,
                     status_code=status_code)

    if any(form.get(field) for field in manage.CORRECTABLE_FIELDS
           if field not in CONTACT_FIELDS):
        return form_again({"__form__": ANSWERS_CLOSED_MESSAGE},
                          status.HTTP_422_UNPROCESSABLE_CONTENT)
    try:
        data = RegistrationCreate.model_validate({**values, "consent_pdpa": True})
    except ValidationError as invalid:
        return form_again(field_errors(invalid.errors()), status.HTTP_422_UNPROCESSABLE_CONTENT)
    try:
        changed = contact_change.change_contact(session=session, registration=registration,
                                                data=data, now=now)
    except manage.AlreadyWithdrawn:
        return _refused(request, session, now, token, registration)
    except DuplicateRegistration:
        return form_again({"contact_email": DUPLICATE_MESSAGE}, status.HTTP_409_CONFLICT)
    done = "contact" if changed else "unchanged"
    return RedirectResponse(f"/manage/{token}?done={done}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/{token}/withdraw")
def withdraw_question(request: Request, token: str, session: SessionDep, now: NowDep) -> Response:
    """Ask the registrant to confirm that they want to withdraw."""
    registration = find_by_token(session=session, token=token)
    if registration is None:
        return _not_found(request)
    template = ("manage_withdraw.html"
                if manage.can_change(session=session, registration=registration, now=now)
                else "manage.html")
    return _page(request, template, session=session, now=now, token=token,
                 registration=registration)


@router.post("/{token}/withdraw")
def withdraw(request: Request, token: str, form: FormDataDep, session: WriteSessionDep,
             now: NowDep) -> Response:
    """Withdraw the registration and confirm it by mail."""
    registration = _registration_to_change(request, token, form, session, now)
    if isinstance(registration, Response):
        return registration
    try:
        manage.withdraw_registration(session=session, registration=registration, now=now)
    except (CallClosed, manage.AlreadyWithdrawn):
        return _refused(request, session, now, token, registration)
    return RedirectResponse(f"/manage/{token}?done=withdrawn",
                            status_code=status.HTTP_303_SEE_OTHER)
