"""Due dates in the forms task tools write them, turned into the calendar date of the facts.

A date alone (`2027-03-17`, `2027/3/17`, `2027年3月17日`, `17/Mar/27`) is taken as written. A time
with an offset (`2027-03-17T23:30:00+0000` from a REST API) is converted to the time zone asked for,
since the facts hold calendar dates where the team works; a time without an offset is local already.
"""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from assistant.dates import MAX_YEAR, MIN_YEAR

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_JIRA = re.compile(r"(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp][Mm])?)?")
_SLASH = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::\d{2})?)?")
_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号](?:\s*(\d{1,2})[:：](\d{2})(?:[:：]\d{2})?)?")
_ISO_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")

FORMS = "2027-03-17, 2027/3/17, 2027年3月17日 or 17/Mar/27"


def parse_task_date(text: str, zone: tzinfo) -> date | None:
    """The calendar date `text` stands for in `zone`; None for an empty cell.
    Raises ValueError (with the reason) for text that is not a date in a known form."""
    text = text.strip()
    if not text:
        return None
    if m := _JIRA.fullmatch(text):
        day, mon, year = int(m[1]), _MONTHS.get(m[2].lower()), int(m[3])
        if mon is None:
            raise ValueError(f"'{m[2]}' is not an English month abbreviation")
        return _real(year + 2000 if year < 100 else year, mon, day)
    for rx in (_SLASH, _ZH):
        if m := rx.fullmatch(text):
            return _real(int(m[1]), int(m[2]), int(m[3]))
    try:
        moment = datetime.fromisoformat(_ISO_OFFSET.sub(r"\1:\2", text.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"is not a date in a form delaynote reads ({FORMS})") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return _real(moment.year, moment.month, moment.day)


def _real(year: int, month: int, day: int) -> date:
    try:
        value = date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"is not a real date ({exc})") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"is outside the years {MIN_YEAR} to {MAX_YEAR}")
    return value
