"""A CSV or TSV export as a header and rows, whatever its encoding and separator.

Chinese Excel saves CSV as GBK, Excel's "CSV UTF-8" adds a byte order mark, GitHub Projects
exports tab-separated values; Jira repeats a header for each value of a multi-value field
("Fix versions" twice), so a column is looked up by name and may return several cells.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import InputError
from assistant.textio import decode_file, read_bytes, read_stdin_bytes

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-32's marks start like UTF-16's


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


@dataclass
class Table:
    """The header (as written) and data rows (each with its line number in the file)."""

    source: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    unit: str = "line"  # what the row numbers count: lines of a CSV file, rows of a sheet

    def __post_init__(self) -> None:
        self._columns: dict[str, list[int]] = {}
        for i, h in enumerate(self.header):
            self._columns.setdefault(_norm(h), []).append(i)

    def has(self, name: str) -> bool:
        return _norm(name) in self._columns

    def first_present(self, names: tuple[str, ...]) -> str | None:
        """The header as written of the first of `names` that the table has."""
        return next((self.header[self._columns[_norm(n)][0]] for n in names if _norm(n) in self._columns), None)

    def cells(self, row: list[str], name: str | None) -> list[str]:
        """The non-empty cells of every column called `name` (trimmed), in order."""
        if name is None:
            return []
        return [row[i].strip() for i in self._columns.get(_norm(name), ()) if i < len(row) and row[i].strip()]

    def cell(self, row: list[str], name: str | None) -> str:
        found = self.cells(row, name)
        return found[0] if found else ""


def decode_export(data: bytes, source: str) -> str:
    """An export's text: UTF-8 (with or without a byte order mark), UTF-16 with a mark, or GB18030/GBK.

    Almost any byte string decodes as GB18030, so a Western European Excel file (Windows-1252: "Tomás") would
    turn into wrong Chinese characters without a word; charset-normalizer tells the two apart, and
    such a file is refused with the way to save it as UTF-8 instead of being misread."""
    if data.startswith(_BOMS) or b"\x00" in data[:8192]:
        return decode_file(data, source, legacy_zh=True).text
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        guess = from_bytes(data, cp_isolation=["gb18030", "cp1252"]).best()
        if guess is None or guess.encoding != "gb18030":
            raise InputError(f"{source} is neither UTF-8 nor GBK/GB18030 text (it looks like Western European "
                             "Windows-1252); save it as UTF-8 (in Excel: Save As > CSV UTF-8) and import it again"
                             ) from None
    return decode_file(data, source, legacy_zh=True).text


def read_export(path: Path) -> bytes:
    """The bytes of an export file ('-': stdin, as `curl … | delaynote import -` sends it), or an
    InputError saying in one sentence why it cannot be read."""
    if str(path) == "-":
        return _read_stdin()
    return read_bytes(path)


def read_table(text: str, source: str) -> Table:
    """Parse CSV or TSV text (quoted cells may hold commas and line breaks); blank rows are skipped."""
    first = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first.count)
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(f"{source} is not a readable CSV file: {exc}") from None
    line_numbers = _line_numbers(text, delimiter)
    rows = [(line_numbers[i] if i < len(line_numbers) else i + 1, r)
            for i, r in enumerate(records) if any(c.strip() for c in r)]
    if not rows:
        raise InputError(f"{source} has no rows: export the tasks with their column names")
    (_, header), body = rows[0], rows[1:]
    return Table(source, [h.replace("\ufeff", "").strip() for h in header], body)


def _line_numbers(text: str, delimiter: str) -> list[int]:
    """The line each record starts on (a quoted cell with line breaks spans several lines)."""
    starts, line = [], 1
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        starts.append(line)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            starts.pop()
            return starts
        line = reader.line_num + 1


def _read_stdin() -> bytes:
    return read_stdin_bytes("the export's file")
