"""A progress report's private page: the lead sees the request and sends the report.

Opening the link changes nothing (mail scanners follow links); only a POST carrying the
form's guard saves. The lead can change the report until staff review it; a returned
report can be changed and sent again. Bad input is shown at its field with what was typed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from app.core.i18n import N_
from app.core.ratelimit import check_submission_rate
from app.core.templating import language_context, page_templates
from app.deps import LANGUAGE_COOKIE, FormDataDep, NowDep, SessionDep, WriteSessionDep
from app.models import RoadmapReport
from app.models.roadmap_reports import COMPLETION_SCALE
from app.roadmap.progress import reports
from app.roadmap.progress.evidence import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_URLS,
    CheckedFile,
    EvidenceRefused,
    check_file,
)
from app.services.private_links import form_guard, form_guard_is_valid
from app.vocab import LANGUAGES

router = APIRouter(prefix="/roadmap/report", include_in_schema=False)

FORGED = N_("This report could not be saved because it did not come from this page. "
            "Open the link in the email and try again.")
TOO_MANY_FILES = N_("Give at most three files with a report.")
SENT = N_("Thank you. Your report is sent; you can change it until the secretariat reviews it.")


def _language(request: Request, report: RoadmapReport | None) -> str:
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    lead = report.commitment.lead_registration if report is not None else None
    return lead.preferred_language if lead is not None else "ms"


def _values(report: RoadmapReport) -> dict[str, str]:
    values = {"status": report.status or "", "value": report.value,
              "progress": "" if report.progress is None else str(report.progress),
              "narrative_ms": report.narrative_ms, "narrative_en": report.narrative_en}
    for index, url in enumerate(report.urls):
        values[f"evidence_url-{index}"] = url
    return values


def _page(request: Request, session: SessionDep, token: str, report: RoadmapReport,
          status_code: int = 200, **context: Any) -> Response:
    language = _language(request, report)
    translate = language_context(language)["_"]
    errors = {name: translate(message) for name, message in context.pop("errors", {}).items()}
    response = page_templates().TemplateResponse(request, "roadmap_report.html", {
        **language_context(language), "report": report, "period": report.period,
        "commitment": report.commitment, "outcome": report.commitment.outcome,
        "previous": reports.previous_approved(session, report), "token": token,
        "guard": form_guard(token), "values": context.pop("values", None) or _values(report),
        "errors": errors, "error_order": list(errors), "scale": COMPLETION_SCALE,
                "state_labels": reports.STATE_LABELS, "max_urls": MAX_URLS,
        "editable": report.state in reports.EDITABLE,
        "done": SENT if request.query_params.get("done") == "sent" else "",
        "notice": context.pop("notice", ""), **context}, status_code=status_code)
    if request.query_params.get("lang") == language:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response


def _not_found(request: Request) -> Response:
    language = _language(request, None)
    return page_templates().TemplateResponse(
        request, "invitation_invalid.html", language_context(language),
        status_code=status.HTTP_404_NOT_FOUND)


@router.get("/{token}")
def show_report(request: Request, token: str, session: SessionDep) -> Response:
    """Show the commitment, the previous approved report, and the form while it can change."""
    report = reports.find_by_token(session=session, token=token)
    if report is None:
        return _not_found(request)
    return _page(request, session, token, report)


def _typed(form: FormData) -> tuple[reports.ReportInput, dict[str, str]]:
    def text(name: str) -> str:
        value = form.get(name, "")
        return value if isinstance(value, str) else ""

    urls = [text(f"evidence_url-{index}").strip() for index in range(MAX_URLS)]
    values = reports.ReportInput(text("status"), text("progress").strip(), text("value"),
                                 text("narrative_ms"), text("narrative_en"), urls)
    typed = {name: text(name) for name in ("status", "progress", "value", "narrative_ms",
                                           "narrative_en")}
    typed.update({f"evidence_url-{index}": url for index, url in enumerate(urls)})
    return values, typed


def _files(form: FormData, room: int) -> tuple[list[CheckedFile], str]:
    uploads = [item for item in form.getlist("evidence_file")
               if isinstance(item, UploadFile) and item.filename]
    if len(uploads) > room:
        return [], TOO_MANY_FILES
    checked = []
    for upload in uploads:
        content = upload.file.read(MAX_FILE_BYTES + 1)
        try:
            checked.append(check_file(upload.filename or "", content))
        except EvidenceRefused as refused:
            return [], refused.message
    return checked, ""


@router.post("/{token}")
def send_report(request: Request, token: str, form: FormDataDep, session: WriteSessionDep,
                now: NowDep) -> Response:
    """Save the report (sent for review); a bad field keeps everything typed."""
    check_submission_rate(request)
    report = reports.find_by_token(session=session, token=token)
    if report is None:
        return _not_found(request)
    if not form_guard_is_valid(token, str(form.get("guard", ""))):
        return _page(request, session, token, report, status.HTTP_403_FORBIDDEN, notice=FORGED)
    if report.state not in reports.EDITABLE:
        return _page(request, session, token, report, status.HTTP_409_CONFLICT)
    values, typed = _typed(form)
    errors = reports.check_input(values)
    files, file_error = _files(form, MAX_FILES - len(report.files))
    if file_error:
        errors["evidence_file"] = file_error
    if errors:
        return _page(request, session, token, report, status.HTTP_422_UNPROCESSABLE_CONTENT,
                     values=typed, errors=errors)
    reports.submit(session=session, report=report, values=values, files=files, now=now)
    return RedirectResponse(f"/roadmap/report/{token}?done=sent",
                            status_code=status.HTTP_303_SEE_OTHER)
