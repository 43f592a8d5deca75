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

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import MALAYSIA
from app.core.i18n import gettext
from app.models import Registration, RegistrationFocusArea, RegistrationPillar
from app.schemas.registration import N_
from app.schemas.staff import INVITATION_STATUSES, RegistrationFilters
from app.services.staff_registrations import AnySelect, filtered, invitation_status
from app.vocab import CATEGORIES, FOCUS_AREA_CODES, PILLAR_CODES, STATES, label

Kind = Literal["text", "datetime", "number"]
Cell = str | int | dt.datetime | None
YIELD_PER = 1000
CSV_CHUNK_ROWS = 500


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: Kind
    width: int


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn(N_("Reference"), "text", 11),
    ExportColumn(N_("Submitted (Malaysia time)"), "datetime", 19),
    ExportColumn(N_("Organisation"), "text", 40),
    ExportColumn(N_("Category"), "text", 26),
    ExportColumn(N_("Other category"), "text", 20),
    ExportColumn(N_("Registration number"), "text", 22),
    ExportColumn(N_("Address"), "text", 40),
    ExportColumn(N_("Postcode"), "text", 10),
    ExportColumn(N_("State"), "text", 18),
    ExportColumn(N_("Website"), "text", 30),
    ExportColumn(N_("Contact person"), "text", 28),
    ExportColumn(N_("Designation"), "text", 22),
    ExportColumn(N_("Email"), "text", 32),
    ExportColumn(N_("Telephone"), "text", 16),
    ExportColumn(N_("Pillars"), "text", 45),
    ExportColumn(N_("Focus areas"), "text", 45),
    ExportColumn(N_("Interest statement"), "text", 60),
    ExportColumn(N_("Workshop representatives"), "number", 14),
    ExportColumn(N_("Preferred language"), "text", 16),
    ExportColumn(N_("May share with partners"), "text", 14),
    ExportColumn(N_("Invitation status"), "text", 16),
    ExportColumn(N_("Staff notes"), "text", 40),
    ExportColumn(N_("Withdrawn (Malaysia time)"), "datetime", 19),
)

# A spreadsheet reads a cell starting with one of these as a formula (the full-width forms
# too, in some East Asian locales; tab and CR because some readers strip them first).
FORMULA_STARTS = tuple("=+-@\t\r") + ("\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: str) -> str:
    """Make a text value that a spreadsheet would run as a formula read as plain text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def headers(language: str) -> list[str]:
    """Return the column headings in `language`."""
    return [gettext(language, column.header) for column in COLUMNS]


# Formatting a number with phonenumbers costs ~50 µs, too slow for 50,000 rows. A Malaysian
# number's layout depends only on its first few digits and its length, so the layout is
# worked out once per (prefix, length) and the digits are poured into it.
_PHONE_LAYOUTS: dict[tuple[str, int], str] = {}


def _phone_layout(e164: str) -> str:
    number = phonenumbers.parse(e164)
    formatted = phonenumbers.format_out_of_country_calling_number(number, "MY")
    remaining = len(phonenumbers.national_significant_number(number))
    layout = list(formatted)
    for index in range(len(layout) - 1, -1, -1):
        if remaining and layout[index].isdigit():
            layout[index] = "\0"
            remaining -= 1
    return "".join(layout)


def display_phone(e164: str) -> str:
    """Write a stored E.164 number as it is dialled from Malaysia: 012-345 6789, 00 44 20 …

    This form never starts with + (which a spreadsheet would read as a formula or a number)
    and keeps its leading 0, so it stays readable and dialable in Excel.
    """
    try:
        if not e164.startswith("+60"):
            return phonenumbers.format_out_of_country_calling_number(
                phonenumbers.parse(e164), "MY")
        # +60 and four digits: enough to choose among Malaysia's layouts (at most "185x").
        key = (e164[:7], len(e164))
        layout = _PHONE_LAYOUTS.get(key)
        if layout is None:
            layout = _PHONE_LAYOUTS[key] = _phone_layout(e164)
    except phonenumbers.NumberParseException:
        return e164
    digits = iter(e164[len(e164) - layout.count("\0"):])
    return "".join(next(digits) if char == "\0" else char for char in layout)


def _joined_labels(
    vocabulary: str, codes: tuple[str, ...], language: str
) -> Callable[[str | None], str]:
    cache: dict[str | None, str] = {None: ""}

    def labels(aggregated: str | None) -> str:
        if aggregated not in cache:
            chosen = set((aggregated or "").split(","))
            cache[aggregated] = "; ".join(label(vocabulary, code, language)
                                          for code in codes if code in chosen)
        return cache[aggregated]

    return labels


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets have no time zones: the cell holds the wall-clock time in Malaysia.
    if moment is None:
        return None
    return moment.astimezone(MALAYSIA).replace(tzinfo=None, microsecond=0)


def export_rows(
    *, session: Session, filters: RegistrationFilters, language: str
) -> Iterator[list[Cell]]:
    """Yield one row per registration the filters match, in the order of COLUMNS."""
    pillars = (select(func.aggregate_strings(RegistrationPillar.pillar, ","))
               .where(RegistrationPillar.registration_id == Registration.id).scalar_subquery())
    focus_areas = (select(func.aggregate_strings(RegistrationFocusArea.focus_area, ","))
                   .where(RegistrationFocusArea.registration_id == Registration.id)
                   .scalar_subquery())
    r = Registration
    columns: AnySelect = select(
        r.reference, r.submitted_at, r.organisation_name, r.category, r.category_other,
        r.registration_number, r.address, r.postcode, r.state, r.website, r.contact_name,
        r.contact_designation, r.contact_email, r.contact_phone, pillars, focus_areas,
        r.interest_statement, r.workshop_attendees, r.preferred_language,
        r.consent_share_partners, invitation_status(), r.staff_notes, r.withdrawn_at,
    )
    statement = filtered(columns, filters)
    pillar_labels = _joined_labels("pillar", PILLAR_CODES, language)
    focus_labels = _joined_labels("focus_area", FOCUS_AREA_CODES, language)
    yes, no = gettext(language, "Yes"), gettext(language, "No")
    categories = {term.code: term.label(language) for term in CATEGORIES}
    states = {term.code: term.label(language) for term in STATES}
    statuses = {code: gettext(language, text) for code, text in INVITATION_STATUSES.items()}
    languages = {code: label("language", code, language) for code in ("ms", "en")}
    # Rows become lists changed in place: this loop runs 23 times per registration, so it
    # converts only the cells that need it.
    for row in session.execute(statement.execution_options(yield_per=YIELD_PER)):
        cells: list[Cell] = list(row)
        cells[1] = _local(cells[1])  # type: ignore[arg-type]
        cells[3] = categories.get(cells[3], cells[3])  # type: ignore[arg-type]
        cells[8] = states.get(cells[8], cells[8])  # type: ignore[arg-type]
        cells[13] = display_phone(cells[13])  # type: ignore[arg-type]
        cells[14] = pillar_labels(cells[14])  # type: ignore[arg-type]
        cells[15] = focus_labels(cells[15])  # type: ignore[arg-type]
        cells[18] = languages.get(cells[18], cells[18])  # type: ignore[arg-type]
        cells[19] = yes if cells[19] else no
        cells[20] = statuses.get(cells[20], cells[20])  # type: ignore[arg-type]
        if cells[22] is not None:
            cells[22] = _local(cells[22])  # type: ignore[arg-type]
        yield cells


def csv_chunks(rows: Iterable[list[Cell]], header: list[str]) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 with a byte order mark, a few hundred rows per chunk.

    The mark is how Excel knows the file is UTF-8, so Malay, Chinese and Tamil names
    show as written.
    """
    text_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "text"]
    time_columns = [i for i, column in enumerate(COLUMNS) if column.kind == "datetime"]
    formula_starts = set(FORMULA_STARTS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        cells = row
        for index in text_columns:
            value = cells[index]
            if value and value[0] in formula_starts:  # type: ignore[index]
                cells[index] = "'" + value  # type: ignore[operator]
        for index in time_columns:
            moment = cells[index]
            cells[index] = moment.isoformat(" ") if moment else ""  # type: ignore[union-attr]
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
