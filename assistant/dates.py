"""Dates as people write them, in English and Chinese, and the arithmetic a notice needs.

Everything here is a pure function of its arguments: drafting, checking and evals all
derive weekdays, durations and "next update" dates from the facts through this module,
so a date can never be spelled two ways in one product.
"""

from __future__ import annotations

from datetime import date, timedelta

EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
ZH_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
ZH_DIGITS = "零一二三四五六七八九十"
EN_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
)

CADENCE_DAYS = {"daily": 1, "twice-weekly": 3, "weekly": 7, "biweekly": 14, "monthly": 30}

MIN_YEAR, MAX_YEAR = 1900, 2999
"""The years a date in a notice may fall in. Far from `date.max` (9999-12-31), so every date derived
from an accepted one (the next update, the weekly updates after new_date) exists, and no rule can
raise OverflowError."""

# Told fewer working days than this before the promised date, a notice is late (SPEC §4 late-notice):
# the checker reports it, and the drafter owns it in the text.
LATE_NOTICE_WORKING_DAYS = 5


def weekday_name(d: date, lang: str) -> str:
    """The weekday's name: 'Friday' / '星期五'."""
    return (ZH_WEEKDAYS if lang == "zh" else EN_WEEKDAYS)[d.weekday()]


def format_date(d: date, lang: str, *, weekday: bool = True) -> str:
    """'Friday, 26 February 2027' / '2027年2月26日（星期五）'."""
    if lang == "zh":
        text = f"{d.year}年{d.month}月{d.day}日"
        return f"{text}（{weekday_name(d, lang)}）" if weekday else text
    text = f"{d.day} {EN_MONTHS[d.month - 1]} {d.year}"
    return f"{weekday_name(d, lang)}, {text}" if weekday else text


def en_number(n: int) -> str:
    """Small numbers in words, larger ones as digits (newspaper style)."""
    return EN_NUMBERS[n] if 0 <= n < len(EN_NUMBERS) else str(n)


def zh_number(n: int) -> str:
    """一 … 九十九 in Chinese numerals; larger numbers as digits."""
    if n <= 10:
        return ZH_DIGITS[n]
    if n < 20:
        return "十" + (ZH_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return ZH_DIGITS[tens] + "十" + (ZH_DIGITS[ones] if ones else "")
    return str(n)


def delay_days(original: date, new: date) -> int:
    """Calendar days between the promised date and the new one."""
    return (new - original).days


def format_duration(days: int, lang: str) -> str:
    """A duration as a person says it: 'three weeks' / '18 days' / '三周' / '18天'.

    Whole weeks are said in weeks; anything else in days, so the figure is exact and a
    reader (or `fact-mismatch`) can trace it to the facts.
    """
    if lang == "zh":
        if days % 7 == 0 and days >= 7:
            return f"{zh_number(days // 7)}周"
        return f"{days}天"
    if days % 7 == 0 and days >= 7:
        weeks = days // 7
        return f"{en_number(weeks)} week{'s' if weeks != 1 else ''}"
    return f"{en_number(days)} day{'s' if days != 1 else ''}"


def format_delay(original: date, new: date, lang: str) -> str:
    """How much later the new date is: 'three weeks later' / '推迟三周' / '推迟18天'."""
    days = delay_days(original, new)
    if lang == "zh":
        return f"推迟{format_duration(days, lang)}"
    return f"{format_duration(days, lang)} later"


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days from `start` (exclusive) to `end` (inclusive); 0 if end <= start."""
    if end <= start:
        return 0
    days = (end - start).days
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for i in range(1, rest + 1):
        if (start + timedelta(days=full_weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def next_update(notice: date, cadence: str) -> date:
    """The default next update: one cadence step after the notice."""
    return notice + timedelta(days=CADENCE_DAYS[cadence])


def check_date_range(d: date) -> date:
    """`d` itself, or ValueError when its year is outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise ValueError(f"'{d.isoformat()}' is out of range: delaynote accepts years {MIN_YEAR} to {MAX_YEAR}")
    return d


def parse_iso_date(text: str) -> date:
    """Strict `YYYY-MM-DD` in years MIN_YEAR..MAX_YEAR; raises ValueError with a sentence a person can act on."""
    text = text.strip()
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or [len(p) for p in parts] != [4, 2, 2]:
        shown = text if len(text) <= 40 and "\n" not in text else text.split("\n")[0][:40] + "…"  # one short line
        raise ValueError(f"'{shown}' is not a date in the form YYYY-MM-DD (for example 2026-12-19)")
    year, month, day = (int(p) for p in parts)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"'{text}' is out of range: delaynote accepts years {MIN_YEAR} to {MAX_YEAR}")
    if not 1 <= month <= 12:
        raise ValueError(f"'{text}' has no month {month}: months run from 01 to 12")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date: {EN_MONTHS[month - 1]} {year} has no day {day}") from None
