"""Cells as exported to CSV and XLSX: text someone typed (a firm's or a point's name, an
appeal's reason) that a spreadsheet would run as a formula or a DDE call is prefixed with
a quote, so that opening an export never executes anything."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def inert(text: str) -> str:
    """``text`` as a cell: quoted when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
