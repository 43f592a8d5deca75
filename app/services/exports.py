"""Registrant exports: one row iterator feeding both the CSV and the XLSX writer.

Both writers take rows one at a time and the rows come from the database in batches
(`yield_per`; a server-side cursor on PostgreSQL), so memory stays flat however many
registrations there are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.core.config import MALAYSIA
from app.core.i18n import N_, gettext
from app.models import Registration, RegistrationFocusArea, RegistrationPillar
from app.schemas.registration_fields import STAFF_FIELDS, RegistrationField
from app.schemas.staff import RegistrationFilters
from app.services.phone_display import display_phone as display_phone
from app.services.staff_registrations import AnySelect, filtered, invitation_status
from app.vocab import REGISTRANT_INVITATION_STATUSES, Term

Kind = Literal["text", "datetime", "number"]
Cell = str | int | dt.datetime | None
# A column's formatter for a language: what turns a value from the database into a cell.
Formatter = Callable[[Any], Cell]
YIELD_PER = 1000
CSV_CHUNK_ROWS = 500


@dataclass(frozen=True)
class ExportColumn:
    """One column of the export: its heading, how it is read, shown and laid out."""

    header: str
    kind: Kind
    width: int
    select: ColumnElement[Any]
    # Given the export's language, return the cell's formatter; None keeps the value as is.
    formatter: Callable[[str], Formatter] | None = None
    # A telephone: bare digits would be read as a number by Excel (dropping a leading 0, or
    # writing 6.01E+10), so the CSV marks them as text.
    digits_as_text: bool = False


class _Labels(dict[str, str]):
    """Labels by code; a code without a label stands for itself."""

    def __missing__(self, key: str) -> str:
        return key


def _term_labels(terms: tuple[Term, ...]) -> Callable[[str], Formatter]:
    return lambda language: _Labels({term.code: term.label(language) for term in terms}).__getitem__




def _yes_no(language: str) -> Formatter:
    yes, no = gettext(language, "Yes"), gettext(language, "No")
    return lambda value: yes if value else no


def _malaysian_time(language: str) -> Formatter:
    return _local


def _phone(language: str) -> Formatter:
    return display_phone


# Each multiple-choice answer's table: the chosen code, and the registration it belongs to.
_CHOICE_TABLES: dict[str, tuple[InstrumentedAttribute[str], InstrumentedAttribute[int]]] = {
    "pillars": (RegistrationPillar.pillar, RegistrationPillar.registration_id),
    "focus_areas": (RegistrationFocusArea.focus_area, RegistrationFocusArea.registration_id),
}


def _chosen_codes(field: RegistrationField) -> ColumnElement[Any]:
    # The codes of a multiple-choice answer, gathered from its table into one string.
    code, registration_id = _CHOICE_TABLES[field.name]
    return (select(func.aggregate_strings(code, ","))
            .where(registration_id == Registration.id).scalar_subquery())


def _answer_column(field: RegistrationField) -> ExportColumn:
    """Return the export column of an answer, as its declaration describes it."""
    formatter: Callable[[str], Formatter] | None = None
    select_: ColumnElement[Any]
    if field.kind == "codes":
        select_ = _chosen_codes(field)
        formatter = _joined_labels(field.terms)
    else:
        select_ = getattr(Registration, field.name).expression
        if field.kind == "code":
            formatter = _term_labels(field.terms)
        elif field.kind == "phone":
            formatter = _phone
        elif field.kind == "flag":
            formatter = _yes_no
    kind: Kind = "number" if field.kind == "count" else "text"
    return ExportColumn(field.header, kind, field.width, select_, formatter,
                        digits_as_text=field.kind == "phone")


# A spreadsheet reads a cell starting with one of these as a formula (the full-width forms
# too, in some East Asian locales; tab and CR because some readers strip them first).
FORMULA_STARTS = tuple("=+-@\t\r") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: str) -> str:
    """Make a text value that a spreadsheet would run as a formula read as plain text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _joined_labels(terms: tuple[Term, ...]) -> Callable[[str], Formatter]:
    def for_language(language: str) -> Formatter:
        codes = tuple(term.code for term in terms)
        names = {term.code: term.label(language) for term in terms}
        cache: dict[str | None, str] = {None: ""}

        def labels(aggregated: str | None) -> str:
            if aggregated not in cache:
                chosen = set((aggregated or "").split(","))
                cache[aggregated] = "; ".join(names[code] for code in codes if code in chosen)
            return cache[aggregated]

        return labels

    return for_language


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets have no time zones: the cell holds the wall-clock time in Malaysia.
    if moment is None:
        return None
    return moment.astimezone(MALAYSIA).replace(tzinfo=None, microsecond=0)


# The record's columns around the answers that staff see, in the declaration's order.
COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn(N_("Reference"), "text", 11, Registration.reference.expression),
    ExportColumn(N_("Submitted (Malaysia time)"), "datetime", 19,
                 Registration.submitted_at.expression, _malaysian_time),
    *(_answer_column(field) for field in STAFF_FIELDS),
    ExportColumn(N_("Invitation status"), "text", 16, invitation_status(),
                 _term_labels(REGISTRANT_INVITATION_STATUSES)),
    ExportColumn(N_("Staff notes"), "text", 40, Registration.staff_notes.expression),
    ExportColumn(N_("Withdrawn (Malaysia time)"), "datetime", 19,
                 Registration.withdrawn_at.expression, _malaysian_time),
)


def headers(language: str) -> list[str]:
    """Return the column headings in `language`."""
    return [gettext(language, column.header) for column in COLUMNS]


def export_rows(
    *, session: Session, filters: RegistrationFilters, language: str
) -> Iterator[list[Cell]]:
    """Yield one row per registration the filters match, in the order of COLUMNS."""
    columns: AnySelect = select(*(column.select for column in COLUMNS))
    statement = filtered(columns, filters)
    conversions = [(index, column.formatter(language)) for index, column in enumerate(COLUMNS)
                   if column.formatter is not None]
    # Rows become lists changed in place: this runs for every registration, so it converts
    # only the cells that need it.
    for row in session.execute(statement.execution_options(yield_per=YIELD_PER)):
        cells: list[Cell] = list(row)
        for index, convert in conversions:
            cells[index] = convert(cells[index])
        yield cells


def csv_chunks(rows: Iterable[list[Cell]], header: list[str]) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 with a byte order mark, a few hundred rows per chunk.

    The mark is how Excel knows the file is UTF-8, so Malay, Chinese and Tamil names
    show as written.
    """
    text_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "text"]
    time_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "datetime"]
    digit_columns = [i for i, column in enumerate(COLUMNS) if column.digits_as_text]
    formula_starts = set(FORMULA_STARTS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        cells = row
        for index in text_columns:
            value = cells[index]
            if isinstance(value, str) and value[:1] in formula_starts:
                cells[index] = "'" + value
        for index in digit_columns:
            value = cells[index]
            if isinstance(value, str) and value.isdigit():
                cells[index] = "'" + value
        for index in time_columns:
            moment = cells[index]
            cells[index] = moment.isoformat(" ") if isinstance(moment, dt.datetime) else ""
        writer.writerow(cells)
        if count % CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(path: str, rows: Iterable[list[Cell]], header: list[str]) -> int:
    """Write the rows to an XLSX file at `path`, row by row; return how many were written."""
    import xlsxwriter  # imported here: the CSV path and the web pages do not need it

    # constant_memory writes each row to disk as soon as the next one starts. The string
    # options make every text cell a string: never a formula, a link or a number.
    workbook = xlsxwriter.Workbook(path, {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    sheet = workbook.add_worksheet("Registrations")
    bold = workbook.add_format({"bold": True, "bg_color": "#E4E4E7", "bottom": 1})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, column.width)
    sheet.freeze_panes(1, 0)
    for index, title in enumerate(header):
        sheet.write_string(0, index, title, bold)
    text_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "text"]
    time_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "datetime"]
    number_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "number"]
    write_string, write_datetime = sheet.write_string, sheet.write_datetime
    count = 0
    for count, row in enumerate(rows, 1):
        for index in text_columns:
            if row[index]:
                write_string(count, index, row[index])
        for index in time_columns:
            if row[index] is not None:
                write_datetime(count, index, row[index], when)
        for index in number_columns:
            sheet.write_number(count, index, row[index])
    sheet.autofilter(0, 0, max(count, 1), len(COLUMNS) - 1)
    workbook.close()
    return count


def counted(
    rows: Iterable[Any], on_batch: Callable[[int], None], every: int = 1000
) -> Iterator[Any]:
    """Pass rows through, calling `on_batch(n)` after every `every` rows and at the end."""
    pending = 0
    for row in rows:
        yield row
        pending += 1
        if pending == every:
            on_batch(pending)
            pending = 0
    if pending:
        on_batch(pending)
