"""Small exports (attendees, contributors) as CSV or XLSX, formula-safe.

Cells are text, whole numbers or wall-clock date-times (already in Malaysian time): in the
XLSX each is written as what it is, so numbers and times sort; text is never a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Sequence

from app.services.exports import neutralise

Cell = str | int | dt.datetime | None


def _csv_cell(cell: Cell, *, digits_as_text: bool) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.isoformat(" ")
    if isinstance(cell, int):
        return str(cell)
    # Bare digits in a telephone column would open as a number, losing a leading 0.
    return "'" + cell if digits_as_text and cell.isdigit() else neutralise(cell)


def text_csv(rows: Sequence[Sequence[Cell]], headers: Sequence[str], *,
             digits_as_text: Collection[int] = ()) -> bytes:
    """Return the rows as CSV in UTF-8 with a byte order mark, no cell read as a formula.

    `digits_as_text` names the columns (telephones) whose bare digits must stay text.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([_csv_cell(cell, digits_as_text=index in digits_as_text)
                      for index, cell in enumerate(row)] for row in rows)
    return buffer.getvalue().encode("utf-8")


def text_xlsx(rows: Sequence[Sequence[Cell]], headers: Sequence[str], *,
              widths: Sequence[int], sheet_name: str) -> bytes:
    """Return the rows as an Excel workbook: text as strings (never formulas), numbers as
    numbers, date-times as formatted date-times."""
    import xlsxwriter  # imported here: only these downloads need it

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True, "bg_color": "#E4E4E7", "bottom": 1})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    for index, heading in enumerate(headers):
        sheet.write_string(0, index, heading, bold)
    for number, row in enumerate(rows, 1):
        for index, cell in enumerate(row):
            if isinstance(cell, dt.datetime):
                sheet.write_datetime(number, index, cell, when)
            elif isinstance(cell, int):
                sheet.write_number(number, index, cell)
            elif cell:
                sheet.write_string(number, index, cell)
    sheet.autofilter(0, 0, max(len(rows), 1), len(widths) - 1)
    workbook.close()
    return output.getvalue()
