"""A CSV or TSV export as a header and rows, whatever its encoding and separator.

Chinese Excel saves CSV as GBK, Excel's "CSV UTF-8" adds a byte order mark, GitHub Projects
exports tab-separated values; Jira repeats a header for each value of a multi-value field
("Fix versions" twice), so a column is looked up by name and may return several cells.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from assistant.errors import InputError
from assistant.textio import decode_file


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


@dataclass
class Table:
    """The header (as written) and data rows (each with its line number in the file)."""

    source: str
    header: list[str]
    rows: list[tuple[int, list[str]]]

    def has(self, name: str) -> bool:
        return _norm(name) in {_norm(h) for h in self.header}

    def first_present(self, names: tuple[str, ...]) -> str | None:
        """The header as written of the first of `names` that the table has."""
        by_norm = {_norm(h): h for h in reversed(self.header)}
        return next((by_norm[_norm(n)] for n in names if _norm(n) in by_norm), None)

    def cells(self, row: list[str], name: str | None) -> list[str]:
        """The non-empty cells of every column called `name` (trimmed), in order."""
        if name is None:
            return []
        want = _norm(name)
        return [row[i].strip() for i, h in enumerate(self.header)
                if _norm(h) == want and i < len(row) and row[i].strip()]

    def cell(self, row: list[str], name: str | None) -> str:
        found = self.cells(row, name)
        return found[0] if found else ""


def decode_export(data: bytes, source: str) -> str:
    """An export's text: UTF-8 (with or without a byte order mark), UTF-16 with a mark, or GB18030/GBK."""
    return decode_file(data, source, legacy_zh=True).text


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
