"""Statistics tables as CSV (UTF-8 with BOM, so Excel reads Chinese) and as XLSX.

XLSX is written by XlsxWriter: maintained, pure Python, write-only, which is all an
export needs (openpyxl also reads and edits, which nothing here does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import xlsxwriter

from servicedesk.spreadsheet import inert
from servicedesk.statistics.figures import Table

RATE_SUFFIX = "_rate"


def csv_bytes(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([head for _, head in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(row.get(k)) for k, _ in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    return inert(value) if isinstance(value, str) else value


def xlsx_bytes(tables: Iterable[Table], *, titles: dict[str, str] | None = None) -> bytes:
    """One worksheet per table; rates formatted as percentages."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#dde7f3"})
    percent = book.add_format({"num_format": "0.0%"})
    for table in tables:
        sheet = book.add_worksheet((titles or {}).get(table.name, table.name)[:31])
        for col, (key, head) in enumerate(table.columns):
            sheet.write_string(0, col, head, bold)
            sheet.set_column(col, col, max(10, len(head) * 2))
            for row_no, row in enumerate(table.rows, start=1):
                value = row.get(key)
                if value is None:
                    continue
                if isinstance(value, str):  # never a formula, whatever it starts with
                    sheet.write_string(row_no, col, value)
                else:
                    sheet.write(row_no, col, value, percent if key.endswith(RATE_SUFFIX) else None)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
