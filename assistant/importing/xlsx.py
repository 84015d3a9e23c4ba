"""Excel workbooks (.xlsx): Worktile and PingCode export their lists as Excel by default, and a
Jira or Linear CSV opened and saved in Excel becomes one. The first sheet is read as a table;
dates stored as Excel dates become ISO text (a time without an offset, so local). openpyxl is
imported only here, when a workbook is given."""

from __future__ import annotations

import io
from datetime import date, datetime, time

from assistant.errors import InputError
from assistant.importing.table import Table

ZIP_MAGIC = b"PK\x03\x04"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) or value.tzinfo else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed in Excel: 3.0 story points, issue number 42.0
    return str(value)


def read_xlsx(data: bytes, source: str) -> Table:
    """The first sheet of a workbook as a Table (rows numbered as Excel numbers them)."""
    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a dependency; only a broken install lacks it
        raise InputError(f"{source} is an Excel workbook and reading one needs openpyxl (pip install openpyxl); "
                         "or save the sheet as CSV UTF-8") from None
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [(n, [_text(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        book.close()
    except Exception as exc:  # a zip that is not a workbook, or a damaged one: openpyxl raises many kinds
        raise InputError(f"{source} is a zip archive but not a readable Excel workbook ({type(exc).__name__}); "
                         "unzip it, or open it in Excel and save the sheet as CSV UTF-8") from None
    rows = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        raise InputError(f"{source} has no rows: export the tasks with their column names")
    (_, header), body = rows[0], rows[1:]
    width = len(header)
    while width and not header[width - 1].strip():  # Excel's used range often runs past the last column
        width -= 1
    return Table(source, [h.strip() for h in header[:width]], [(n, cells[:width]) for n, cells in body], unit="row")
