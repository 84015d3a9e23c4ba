"""The date and duration finder: every written form in both languages, weekdays, year inference."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.checks.datefind import find_mentions

REF = date(2026, 11, 20)  # a Friday


def one(text: str, reference: date | None = REF):
    found = find_mentions(text, reference)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("text", "expected", "weekday"), [
    ("2027-02-26", date(2027, 2, 26), None),
    ("2027/2/26", date(2027, 2, 26), None),
    ("26 Feb", date(2027, 2, 26), None),
    ("26 February 2027", date(2027, 2, 26), None),
    ("February 26th", date(2027, 2, 26), None),
    ("Feb. 26", date(2027, 2, 26), None),
    ("2/26", date(2027, 2, 26), None),
    ("Friday 26 February", date(2027, 2, 26), 4),
    ("Friday, 26 February 2027", date(2027, 2, 26), 4),
    ("26 February (Friday)", date(2027, 2, 26), 4),
    ("2月26日", date(2027, 2, 26), None),
    ("2027年2月26日", date(2027, 2, 26), None),
    ("2月26日（周五）", date(2027, 2, 26), 4),
    ("2月26日（星期五）", date(2027, 2, 26), 4),
    ("周五（2月26日）", date(2027, 2, 26), 4),
    ("二月二十六日", date(2027, 2, 26), None),
    ("wed 9 dec", date(2026, 12, 9), 2),
])
def test_absolute_dates(text: str, expected: date, weekday: int | None) -> None:
    m = one(text)
    assert m.kind == "date" and m.date == expected and m.weekday == weekday
    assert m.text == text


def test_span_points_at_the_words() -> None:
    text = "The new date is Friday 18 December 2026."
    [m] = find_mentions(text, REF)
    assert text[m.start:m.end] == "Friday 18 December 2026" == m.text


def test_stated_weekday_is_kept_even_when_wrong() -> None:
    m = one("Saturday 18 December 2026")
    assert m.weekday == 5 and m.date.weekday() == 4  # the rule check compares the two


@pytest.mark.parametrize(("text", "expected"), [
    ("tomorrow", (date(2026, 11, 21),)),
    ("明天", (date(2026, 11, 21),)),
    ("next Friday", (date(2026, 11, 27), date(2026, 12, 4))),
    ("下周五", (date(2026, 11, 27),)),
    ("下下周一", (date(2026, 11, 30),)),
])
def test_relative_days_resolve_from_the_reference(text: str, expected: tuple[date, ...]) -> None:
    m = one(text)
    assert m.kind == "relative" and m.dates == expected


def test_relative_days_without_reference_are_unresolved() -> None:
    m = one("next Friday", None)
    assert m.kind == "relative" and m.dates == ()


def test_every_weekday_is_a_cadence() -> None:
    assert one("every Friday").kind == "cadence"
    assert one("每周五").kind == "cadence"


@pytest.mark.parametrize(("text", "days", "bounded", "delay"), [
    ("within two weeks", 14, True, False),
    ("three weeks later", 21, True, True),
    ("18 days", 18, False, False),
    ("delayed by 18 days", 18, False, True),
    ("two and a half weeks late", 17.5, False, True),
    ("两周内", 14, True, False),
    ("推迟21天", 21, True, True),
    ("延期三周", 21, True, True),
    ("约两周半", 17.5, False, False),
    ("多用三周", 21, True, True),
])
def test_durations(text: str, days: float, bounded: bool, delay: bool) -> None:
    m = next(x for x in find_mentions(text, REF) if x.kind == "duration")
    assert (m.days, m.bounded, m.delay) == (days, bounded, delay)


def test_approximate_and_vague_durations() -> None:
    assert next(iter(find_mentions("约两周半"))).approx
    few = next(iter(find_mentions("in a few weeks")))
    assert few.days is None and not few.bounded


def test_year_inference_picks_the_nearest_year() -> None:
    assert one("15 January", date(2026, 12, 10)).date == date(2027, 1, 15)
    assert one("15 November", date(2026, 12, 10)).date == date(2026, 11, 15)
    found = find_mentions("Promised 21 December 2026, now 8 January.")
    assert [m.date for m in found] == [date(2026, 12, 21), date(2027, 1, 8)]


def test_year_less_dates_keep_their_order_without_any_year() -> None:
    a, b = find_mentions("Due 21 December, now 8 January.")
    assert a.date < b.date and not a.year_given


def test_impossible_dates_and_non_dates_are_ignored() -> None:
    assert find_mentions("30 February 2027") == []
    assert find_mentions("24/7 support, version 2.5, we may 5 times") == []
    assert find_mentions("26/2") == []  # US month/day: there is no month 26


def test_fractions_are_not_us_dates() -> None:
    assert [m for m in find_mentions("2/3 of the screens are done; 5/8 tests passed", REF) if m.kind == "date"] == []
    assert one("due 2/26").date == date(2027, 2, 26)


def test_zh_day_of_next_month() -> None:
    m = one("下个月15号")
    assert m.kind == "date" and m.date == date(2026, 12, 15)
    assert one("本月30日").date == date(2026, 11, 30)
