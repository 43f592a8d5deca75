"""Export downloads for the staff pages and the staff API: logged, then streamed."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator

from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.schemas.staff import RegistrationFilters
from app.services import audit, exports, staff_registrations
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
