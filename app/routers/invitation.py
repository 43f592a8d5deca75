"""The invitation's private link: see the workshop, accept with representatives, or decline.

Opening the link changes nothing (mail scanners follow links); only a POST with the
form's guard answers. Answers can change until replies close; then, until the workshop
starts, the page offers only to decline (which frees the seats for the waiting list).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response

from app.core.i18n import N_, format_myt
from app.core.ratelimit import check_submission_rate
from app.core.templating import language_context, page_templates
from app.deps import LANGUAGE_COOKIE, FormDataDep, NowDep, SessionDep, WriteSessionDep
from app.models import Invitation
from app.schemas.reply import REPRESENTATIVE_FIELDS, error_texts, parse_reply
from app.services import seating, workshops
from app.services.check_in_codes import check_in_url, qr_data_uri
from app.services.invitation_links import find_by_token
from app.services.private_links import form_guard, form_guard_is_valid
from app.services.workshop_mail import calendar_file
from app.vocab import LANGUAGES

router = APIRouter(prefix="/invitation", include_in_schema=False)

FORGED_MESSAGE = N_("This answer could not be accepted because it did not come from this page. "
                    "Open the link in an email about this workshop and try again.")
NOT_ENOUGH_SEATS = N_("Only %(count)s seats are free: name at most that many representatives, "
                      "or keep the ones you named before")
REFUSALS = {
    "closed": N_("Replies to this workshop have closed, so your answer can no longer be "
                 "changed here."),
    "started": N_("The workshop has started, so answers can no longer be changed here."),
    "expired": N_("The seats offered to your organisation were not taken in time and have "
                  "passed to the next organisation on the waiting list."),
    "cancelled": N_("This invitation has been cancelled."),
    "decline_only": N_("Replies to this workshop have closed, so your organisation can no "
                       "longer accept or change its representatives. It can still decline."),
}
DONE = {
    "accepted": N_("Thank you. Your place is confirmed; we have sent a confirmation with a "
                   "calendar file by email."),
    "waiting": N_("Thank you. All seats are taken at the moment, so your organisation is on "
                  "the waiting list. If seats become free, we will offer them to you by email."),
    "declined": N_("Thank you. Your answer has been recorded: your organisation will not attend. "
                   "We have sent a confirmation by email."),
}


def _language(request: Request, invitation: Invitation | None) -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return invitation.registration.preferred_language if invitation is not None else "ms"


def _render(request: Request, template: str, language: str, status_code: int = 200,
            **context: Any) -> Response:
    response = page_templates().TemplateResponse(
        request, template, {**language_context(language), **context}, status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _not_found(request: Request) -> Response:
    return _render(request, "invitation_invalid.html", _language(request, None),
                   status.HTTP_404_NOT_FOUND)


def _values(invitation: Invitation) -> dict[str, str]:
    values = {"answer": {"accepted": "accept", "waiting": "accept", "declined": "decline"}.get(
        invitation.status, ""), "decline_reason": invitation.decline_reason}
    # The people the reply named; walk-ins added at the desk are not the organisation's answer.
    named = [person for person in invitation.representatives if not person.walk_in]
    for number, person in enumerate(named):
        for name in REPRESENTATIVE_FIELDS:
            values[f"representatives-{number}-{name}"] = getattr(person, name)
    return values


def _page(request: Request, session: SessionDep, now: NowDep, token: str,
          invitation: Invitation, status_code: int = 200, **context: Any) -> Response:
    workshop = workshops.get_workshop(session=session, workshop_id=invitation.workshop_id)
    language = _language(request, invitation)
    translate = language_context(language)["_"]
    errors = error_texts(context.pop("errors", {}), context.pop("error_counts", {}), translate)
    refusal = seating.can_reply(invitation, workshop, now)
    values = context.pop("values", None) or _values(invitation)
    return _render(
        request, "invitation.html", language, status_code,
        invitation=invitation, workshop=workshop, token=token, guard=form_guard(token),
        registration=invitation.registration, when=format_myt,
        refusal=REFUSALS.get(refusal or "", ""), can_answer=refusal is None,
        decline_only=seating.only_decline(invitation, workshop, now),
        values=values, errors=errors, error_order=list(errors),
        rows=max(workshop.max_representatives, rows_typed(values)),
        done=DONE.get(request.query_params.get("done", ""), ""),
        notice=context.pop("notice", ""), check_in=_check_in_links(invitation), **context)


def _check_in_links(invitation: Invitation) -> dict[int, tuple[str, str]]:
    """Return each named representative's check-in link and its QR code, for staff to scan.

    Only the people the reply names: walk-ins added at the desk were checked in there, and
    however many an administrator added, the page stays small. Opening the link shows the
    representative the code to show at the desk; only staff confirming checks anyone in.
    """
    if invitation.status != "accepted":
        return {}
    links = {person.id: check_in_url(workshop_id=invitation.workshop_id,
                                     representative_id=person.id)
             for person in invitation.representatives if not person.walk_in}
    return {person_id: (url, qr_data_uri(url)) for person_id, url in links.items()}


def _row_number(text: str) -> int | None:
    # "²".isdigit() holds but int("²") fails: only ASCII digits, and only a few rows.
    if text.isascii() and text.isdecimal() and len(text) <= 2 and int(text) < 20:
        return int(text)
    return None


def rows_typed(values: dict[str, str]) -> int:
    """Return how many representative rows were typed, so that each is shown again."""
    numbers = [int(key.split("-")[1]) for key, value in values.items()
               if key.startswith("representatives-") and key.count("-") == 2
               and _row_number(key.split("-")[1]) is not None and value]
    return max(numbers, default=-1) + 1


@router.get("/{token}")
def show_invitation(request: Request, token: str, session: SessionDep, now: NowDep) -> Response:
    """Show the workshop, the answer so far, and the reply form while replies are open."""
    invitation = find_by_token(session=session, token=token)
    if invitation is None:
        return _not_found(request)
    return _page(request, session, now, token, invitation)


@router.post("/{token}")
def answer_invitation(request: Request, token: str, form: FormDataDep, session: WriteSessionDep,
                      now: NowDep) -> Response:
    """Accept with representatives, or decline; a reply that does not fit joins the waiting list."""
    check_submission_rate(request)
    invitation = find_by_token(session=session, token=token)
    if invitation is None:
        return _not_found(request)
    if not form_guard_is_valid(token, str(form.get("guard", ""))):
        return _page(request, session, now, token, invitation, status.HTTP_403_FORBIDDEN,
                     notice=FORGED_MESSAGE)
    workshop = workshops.get_workshop(session=session, workshop_id=invitation.workshop_id)
    answer = parse_reply(form, max_representatives=workshop.max_representatives)
    if answer.errors:
        return _page(request, session, now, token, invitation,
                     status.HTTP_422_UNPROCESSABLE_CONTENT, values=answer.typed,
                     errors=answer.errors, error_counts=answer.error_counts)
    try:
        new_status = seating.reply(session=session, invitation=invitation, answer=answer,
                                   now=now)
    except seating.ReplyRefused as refused:
        return _page(request, session, now, token, invitation, status.HTTP_403_FORBIDDEN,
                     notice=REFUSALS[refused.reason])
    except seating.NotEnoughSeats as short:
        return _page(request, session, now, token, invitation, status.HTTP_409_CONFLICT,
                     values=answer.typed, errors={"representatives": NOT_ENOUGH_SEATS},
                     error_counts={"representatives": short.most})
    return RedirectResponse(f"/invitation/{token}?done={new_status}",
                            status_code=status.HTTP_303_SEE_OTHER)


@router.get("/{token}/workshop.ics")
def calendar(request: Request, token: str, session: SessionDep) -> Response:
    """Download the workshop as a calendar file, once the organisation has a place."""
    invitation = find_by_token(session=session, token=token)
    if invitation is None or invitation.status != "accepted":
        return _not_found(request)
    workshop = workshops.get_workshop(session=session, workshop_id=invitation.workshop_id)
    language = _language(request, invitation)
    return Response(calendar_file(workshop, invitation, language), media_type="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="workshop.ics"'})

