""""Send me my link": a registrant asks for their private link again, by email address."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import Response

from app.core.csrf import form_token_is_valid, is_same_origin, new_form_token
from app.core.i18n import N_
from app.core.ratelimit import check_link_rate
from app.core.templating import language_context
from app.deps import FormDataDep, LanguageDep, NowDep, WriteSessionDep
from app.routers.pages import render_page
from app.services import link_request

router = APIRouter(include_in_schema=False)

FORM_PURPOSE = "send-link"
HONEYPOT_FIELD = "contact_fax"
FORGED_MESSAGE = N_(
    "This form could not be accepted because it did not come from this page or has expired. "
    "Submit it again."
)
RATE_LIMITED_MESSAGE = N_(
    "Too many requests have been sent from your network or for this address in a short "
    "time. Wait a few minutes, then try again."
)


def _form(request: Request, language: str, *, email: str = "", errors: dict[str, str] | None = None,
          status_code: int = 200) -> Response:
    translate = language_context(language)["_"]
    shown = {field: translate(message) for field, message in (errors or {}).items()}
    return render_page(request, "link.html", language, status_code, values={"email": email},
                       errors=shown, error_order=[f for f in ("email",) if f in shown],
                       form_token=new_form_token(FORM_PURPOSE))


@router.get("/link")
def link_form(request: Request, language: LanguageDep) -> Response:
    """Ask for the email address a registration was made with."""
    return _form(request, language)


@router.post("/link")
def send_link(request: Request, form: FormDataDep, session: WriteSessionDep, now: NowDep,
              language: LanguageDep) -> Response:
    """Mail the private links of the registrations made with the address, answering the same
    whether or not there are any."""
    email = str(form.get("email", "")).strip()
    if form.get(HONEYPOT_FIELD):
        return _form(request, language, email=email, errors={"__form__": FORGED_MESSAGE},
                     status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    if not (is_same_origin(request)
            and form_token_is_valid(str(form.get("form_token", "")), FORM_PURPOSE)):
        return _form(request, language, email=email, errors={"__form__": FORGED_MESSAGE},
                     status_code=status.HTTP_403_FORBIDDEN)
    problem = link_request.address_problem(email)
    if problem is not None:
        return _form(request, language, email=email, errors={"email": problem},
                     status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    try:
        check_link_rate(request, link_request.address_key(email))
    except HTTPException as refused:
        page = _form(request, language, email=email, errors={"__form__": RATE_LIMITED_MESSAGE},
                     status_code=status.HTTP_429_TOO_MANY_REQUESTS)
        page.headers.update(refused.headers or {})
        return page
    link_request.send_links(session=session, address=email, now=now)
    return render_page(request, "link_sent.html", language, email=email)
