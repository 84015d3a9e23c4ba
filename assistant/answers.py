"""Natural answers in the interactive flow, normalised to facts values.

A person types "in progress", "微信" or "15 Jan 2027"; the facts file wants `in_progress`, `im`
and `2027-01-15`. The synonyms are data (`data/answers.yaml`); dates are read in the forms people
write them in English and Chinese. Anything not recognised is returned as typed, so the facts
rules still name what is allowed.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from assistant.dates import EN_MONTHS

_FOLD = re.compile(r"[\s_\-]+")
_EMAIL = re.compile(r"[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\".]{2,}")


def _fold(text: str) -> str:
    return _FOLD.sub("", text.strip().lower())


@cache
def _synonyms() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load((files("assistant") / "data" / "answers.yaml").read_text(encoding="utf-8"))


def normalise_choice(key: str, answer: str, choices: tuple[str, ...], labels: dict[str, Any]) -> str:
    """The choice value `answer` names (its value, display name or a synonym), else `answer` as typed."""
    folded = _fold(answer)
    table = _synonyms().get(key, {})
    for value in choices:
        names = [value, str(labels.get(value, "")), *table.get(value, [])]
        if folded in {_fold(n) for n in names if n}:
            return value
    return answer


_MONTHS = {m.lower(): i for i, m in enumerate(EN_MONTHS, start=1)}
_MONTHS.update({m.lower()[:3]: i for i, m in enumerate(EN_MONTHS, start=1)})
_MONTHS["sept"] = 9
_ZH_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?$")
_NUMERIC = re.compile(r"^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_WEEKDAY = re.compile(r"^(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+)|[（(]?(?:星期|周)[一二三四五六日天][）)]?",
                      re.IGNORECASE)


def normalise_date(answer: str) -> str:
    """`2027-01-15` for 2027年1月15日, 2027/1/15, 2027.1.15, 15 Jan 2027, January 15, 2027 (a weekday
    before or after is ignored); anything else as typed, for the facts rules to explain. An impossible
    day (2027/2/30) is passed on in ISO form, so the rules say why it is not a real date."""
    text = _WEEKDAY.sub("", answer.strip()).strip().rstrip(".")
    for pattern, order in ((_ZH_DATE, "ymd"), (_NUMERIC, "ymd"), (_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        m = pattern.match(text)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        month = parts["m"]
        number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        if number is None:
            return answer
        return f"{int(parts['y']):04d}-{number:02d}-{int(parts['d']):02d}"
    return answer


def is_email(answer: str) -> bool:
    """A plausible e-mail address: one @, a dot in the domain, no spaces."""
    return bool(_EMAIL.fullmatch(answer.strip()))


def today_words(answer: str, today: date) -> str:
    """"today" / "今天" as today's ISO date; anything else unchanged."""
    return today.isoformat() if _fold(answer) in ("today", "今天", "今日") else answer
