"""Small exports of text cells (attendees, contributors) as CSV or XLSX, formula-safe."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from app.services.exports import neutralise


def text_csv(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> bytes:
    """Return the rows as CSV in UTF-8 with a byte order mark, no cell read as a formula."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def text_xlsx(rows: Sequence[Sequence[str]], headers: Sequence[str], *,
              widths: Sequence[int], sheet_name: str) -> bytes:
    """Return the rows as an Excel workbook in which every cell is a string, never a formula."""
    import xlsxwriter  # imported here: only these downloads need it

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True, "bg_color": "#E4E4E7", "bottom": 1})
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    sheet.freeze_panes(1, 0)
    for index, heading in enumerate(headers):
        sheet.write_string(0, index, heading, bold)
    for number, row in enumerate(rows, 1):
        for index, cell in enumerate(row):
            if cell:
                sheet.write_string(number, index, cell)
    sheet.autofilter(0, 0, max(len(rows), 1), len(widths) - 1)
    workbook.close()
    return output.getvalue()
