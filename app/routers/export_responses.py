"""Export downloads for the staff pages and the staff API: logged, then streamed."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.deps import workshop_or_404
from app.schemas.staff import RegistrationFilters
from app.services import (
    attendee_export,
    audit,
    badges,
    exports,
    roadmap_contributors,
    staff_registrations,
    workshop_day,
)
from app.services.exports import Cell

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_chunks(rows: Iterable[list[Cell]], header: list[str]) -> Iterator[bytes]:
    # XlsxWriter must finish the file before any of it can be sent (a zip's directory
    # comes last), so it is built in a temporary file and then sent in pieces.
    with tempfile.TemporaryDirectory(prefix="alliance87-export-") as directory:
        path = os.path.join(directory, "export.xlsx")
        exports.write_xlsx(path, rows, header)
        with open(path, "rb") as built:
            while chunk := built.read(64 * 1024):
                yield chunk


def export_response(
    *,
    session: Session,
    stream_session: Session,
    staff_user_id: int,
    filters: RegistrationFilters,
    language: str,
    file_format: str,
    via: str,
    now: dt.datetime,
) -> Response:
    """Log an export and stream it; the rows are read while the response is being sent."""
    row_count = staff_registrations.count_registrations(session=session, filters=filters)
    audit.record_export(
        session=session,
        staff_user_id=staff_user_id,
        file_format=file_format,
        via=via,
        filters=filters.active(),
        language=language,
        row_count=row_count,
        now=now,
    )
    header = exports.headers(language)
    rows = exports.export_rows(session=stream_session, filters=filters, language=language)
    stamp = now.astimezone(MALAYSIA).strftime("%Y%m%d-%H%M")
    headers = {
        "Content-Disposition": (
            f'attachment; filename="alliance87-registrations-{stamp}.{file_format}"'
        ),
        "Cache-Control": "no-store",
    }
    if file_format == "csv":
        return StreamingResponse(
            exports.csv_chunks(rows, header), headers=headers, media_type="text/csv; charset=utf-8"
        )
    return StreamingResponse(
        _xlsx_chunks(rows, header), headers=headers, media_type=XLSX_MEDIA_TYPE
    )


def attendee_file(*, session: Session, workshop_id: int, staff_user_id: int,
                  language: str, file_format: str, via: str, now: dt.datetime) -> Response:
    """Log and return the attendee list as CSV or XLSX."""
    workshop = workshop_or_404(session, workshop_id)
    rows = attendee_export.attendee_rows(session=session, workshop_id=workshop.id,
                                         language=language)
    headers = _logged_workshop(
        session=session, workshop_id=workshop.id, staff_user_id=staff_user_id,
        language=language, file_format=file_format, via=via, listing="attendees",
        row_count=len(rows), now=now)
    if file_format == "csv":
        return Response(attendee_export.as_csv(rows, language), headers=headers,
                        media_type="text/csv; charset=utf-8")
    return Response(attendee_export.as_xlsx(rows, language), headers=headers,
                    media_type=XLSX_MEDIA_TYPE)


def _logged_workshop(*, session: Session, workshop_id: int, staff_user_id: int, language: str,
                     file_format: str, via: str, listing: str, row_count: int,
                     now: dt.datetime) -> dict[str, str]:
    """Log a workshop's download; return the response headers that name its file."""
    audit.record_export(session=session, staff_user_id=staff_user_id, file_format=file_format,
                        via=via, filters={"workshop": str(workshop_id), "list": listing},
                        language=language, row_count=row_count, now=now)
    stamp = now.astimezone(MALAYSIA).strftime("%Y%m%d-%H%M")
    name = f"workshop-{workshop_id}-{listing}-{stamp}.{file_format}"
    return {"Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store"}


def desk_file(*, session: Session, workshop_id: int, staff_user_id: int, language: str,
              now: dt.datetime) -> Response:
    """Log and return the registration desk's PDF: the sign-in sheet and the name badges."""
    workshop = workshop_or_404(session, workshop_id)
    attendees = workshop_day.desk_attendees(session=session, workshop_id=workshop.id,
                                            language=language)
    headers = _logged_workshop(
        session=session, workshop_id=workshop.id, staff_user_id=staff_user_id,
        language=language, file_format="pdf", via="page", listing="desk",
        row_count=len(attendees), now=now)
    pdf = badges.desk_pdf(workshop_title=workshop.title(language), attendees=attendees,
                          language=language, starts_at=workshop.starts_at,
                          venue=workshop.venue)
    return Response(pdf, headers=headers, media_type="application/pdf")


def contributors_file(*, session: Session, workshop_id: int, staff_user_id: int,
                      language: str, file_format: str, now: dt.datetime) -> Response:
    """Log and return the roadmap contributors (organisations that attended) as CSV or XLSX."""
    workshop = workshop_or_404(session, workshop_id)
    rows = roadmap_contributors.contributor_rows(
        workshop_day.contributors(session=session, workshop_id=workshop.id, language=language),
        language)
    header = roadmap_contributors.contributor_headers(language)
    headers = _logged_workshop(
        session=session, workshop_id=workshop.id, staff_user_id=staff_user_id,
        language=language, file_format=file_format, via="page", listing="contributors",
        row_count=len(rows), now=now)
    if file_format == "csv":
        return Response(roadmap_contributors.contributors_csv(rows, header), headers=headers,
                        media_type="text/csv; charset=utf-8")
    return Response(roadmap_contributors.contributors_xlsx(rows, header), headers=headers,
                    media_type=XLSX_MEDIA_TYPE)
