"""Find dates and durations in English and Chinese notices, and resolve them to calendar days.

The checks need to know whether a notice names a concrete date, whether a stated weekday
matches its date, and whether "three weeks later" agrees with the facts. Every pattern is
anchored on literal words or digits with bounded repetition, so scanning stays linear.

Conventions: `2/26` is read as US month/day (`26/2` has no month 26 and is skipped); a date
without a year takes the year that puts it nearest the reference date (the facts' notice
date, else the first date written with its year; with neither, an arbitrary year that keeps
the dates' order, which only ordering may rely on).

Speed: the Chinese patterns compile on first use and run only on text holding CJK characters
(none of them can match without one), so an English check never pays for them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from assistant.checks.lazyre import LazyPattern, may_have_cjk

Kind = Literal["date", "relative", "period", "duration", "cadence"]


@dataclass(frozen=True)
class Mention:
    """One date or duration in the text. `dates` holds the readings (relative weekdays can
    mean this week's or next week's); `weekday` is the weekday the text states (0 = Monday)."""

    start: int
    end: int
    text: str
    kind: Kind
    dates: tuple[date, ...] = ()
    weekday: int | None = None
    days: float | None = None
    approx: bool = False
    bounded: bool = False  # "within two weeks", 两周内: a limit, not a vague hope
    delay: bool = False  # "three weeks later", 推迟21天: a claim about the size of the delay
    year_given: bool = False
    unit: str | None = None  # day / week / month for durations

    @property
    def date(self) -> date | None:
        return self.dates[0] if self.dates else None


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}
_EN_WD = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_ZH_WD = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_NUM = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "a couple of": 2, "couple of": 2,
}
_ZH_NUM = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

MONTH = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
         r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_WD_EN = r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)"
_ZH_N = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"

_ISO = re.compile(r"(?<![\d.])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])")
_ZH_DATE = LazyPattern(
    r"(?:(?P<y>\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*)?(?P<m>" + _ZH_N + r")\s*月\s*(?P<d>" + _ZH_N + r")\s*[日号]")
_EN_DMY = re.compile(r"(?<![\w])(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH
                     + r"(?![A-Za-z])\.?(?:,?\s+(?P<y>\d{4})(?!\d))?", re.IGNORECASE)
_EN_MDY = re.compile(r"(?<![A-Za-z])" + MONTH + r"(?![A-Za-z])\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:%])"
                     r"(?:,?\s+(?P<y>\d{4})(?!\d))?", re.IGNORECASE)
_WD_DAY = re.compile(r"(?<![A-Za-z])(?P<wd>" + _WD_EN + r")\.?,?\s+(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)(?![A-Za-z\d])",
                     re.IGNORECASE)
_ZH_REL_MONTH = LazyPattern(r"(?P<rel>下下个?|下个?|本|这个?|当)月\s*(?P<d>" + _ZH_N + r")\s*[日号]")
_US = re.compile(r"(?<![\d/.\-])(?P<m>\d{1,2})/(?P<d>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])"
                 r"(?!\s*(?:of|are|were|is|tests?|pages?|screens?|items?|tasks?|done|complete|passed)(?![A-Za-z]))")  # 2/3 of ...

_EN_WD_BEFORE = re.compile(r"(?<![A-Za-z])(?P<wd>" + _WD_EN + r")\.?,?\s+(?:the\s+)?$", re.IGNORECASE)
_EN_WD_AFTER = re.compile(r"\s*(?:,\s*|\(\s*)(?P<wd>" + _WD_EN + r")(?![A-Za-z])\.?\s*\)?", re.IGNORECASE)
_ZH_WD_AFTER = LazyPattern(r"\s*[（(]?\s*(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])\s*[）)]?")
_ZH_WD_BEFORE = LazyPattern(r"(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])\s*[，,]?\s*$")

_EN_REL = re.compile(
    r"(?<![A-Za-z])(?:(?P<every>every|each)\s+|(?P<rel>next|this coming|this|coming|on)\s+)?(?P<wd>"
    + _WD_EN + r")(?![A-Za-z])|(?<![A-Za-z])(?P<word>the day after tomorrow|tomorrow|today)(?![A-Za-z])",
    re.IGNORECASE)
_ZH_REL = LazyPattern(r"(?P<every>每)?(?P<rel>下下个?|下个?|本|这个?|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"
                     r"|(?P<word>大后天|后天|明天|明日|今天|今日)")

_EN_NUMWORD = (r"\d+(?:\.\d+)?|a couple of|couple of|a few|several|some|a|an|one|two|three|four|five|six|seven"
               r"|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
               r"|twenty|thirty")
_EN_DUR = re.compile(
    r"(?<![A-Za-z\d])(?:(?P<pre>within|in|by|after|for|another|over|under|up to|no more than|at most)\s+)?"
    r"(?:(?P<approx>about|around|roughly|approximately|nearly|almost|some|just over|just under|over|under)\s+)?"
    r"(?P<n>" + _EN_NUMWORD + r")(?P<half>\s+and\s+a\s+half)?[\s-]+"
    r"(?:(?:more|additional|extra|further|calendar|working|business)\s+)?(?P<unit>days?|weeks?|months?)"
    r"(?![A-Za-z])(?P<half2>\s+and\s+a\s+half)?(?:\s+(?P<post>later|late|behind|longer|of delay|delay|beyond))?",
    re.IGNORECASE)
_ZH_DUR = LazyPattern(
    r"(?P<pre>推迟|延期|延后|延迟|顺延|推后|拖延|延长|多用|多花|多需|多出|晚|再|每)?了?[ \t]{0,3}(?:(?P<approx>约|大约|大概|将近|近|差不多)[ \t]{0,3})?"
    r"(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十半]{1,4})[ \t]{0,3}(?:(?P<half>个半|半)[ \t]{0,3})?(?:个)?"
    r"(?P<unit>工作日|天|周|星期|礼拜|月)(?P<half2>半)?(?P<post>以内|之内|内|左右|以后|之后|后)?")
_EN_PERIOD = re.compile(
    r"(?<![A-Za-z])(?:the\s+)?(?P<part>end|middle|start|beginning|first half|second half)\s+of\s+"
    r"(?:(?P<rel>next|this|the)\s+(?P<u>week|month)|" + MONTH + r"(?:\s+(?P<y>\d{4}))?)(?![A-Za-z])")
_ZH_PERIOD = LazyPattern(r"(?:(?P<m>" + _ZH_N + r")\s*月|下个?月|本月|这个月|当月)(?P<part>底|末|初|中旬|上旬|下旬)"
                        r"|(?<![年月])(?P<bare>月底|月末)")
_EN_DELAY_BEFORE = re.compile(
    r"(?:delay\w*|postpone\w*|push\w*|slip\w*|moved?|moving|shift\w*|extend\w*|behind|late)\s+(?:back\s+|out\s+)?"
    r"(?:by\s+)?(?:of\s+)?$|(?:delay|slip|extension)\s+of\s+$", re.IGNORECASE)



def _zh_finditer(rx: LazyPattern, text: str) -> Iterator[re.Match[str]]:
    """Matches of a Chinese pattern; none (and nothing compiled) when the text has no CJK at all."""
    return rx.finditer(text) if may_have_cjk(text) else iter(())


def _zh_int(text: str) -> int | None:
    """'18', '十八', '二十六', '两' -> int; None when not a number."""
    if text.isdigit():
        return int(text)
    if len(text) == 4 and all(c in _ZH_NUM for c in text):
        return int("".join(str(_ZH_NUM[c]) for c in text))
    if "十" in text:
        tens, _, ones = text.partition("十")
        t = _ZH_NUM.get(tens, 0) if tens else 1
        o = _ZH_NUM.get(ones, 0) if ones else 0
        return t * 10 + o
    if len(text) == 1 and text in _ZH_NUM:
        return _ZH_NUM[text]
    return None


def _en_weekday(text: str) -> int:
    return _EN_WD[text[:3].lower()]


def _nearest_year(month: int, day: int, reference: date | None) -> tuple[date, ...]:
    if reference is None:
        return ()
    options = []
    for y in (reference.year - 1, reference.year, reference.year + 1):
        try:
            options.append(date(y, month, day))
        except ValueError:
            continue
    return (min(options, key=lambda d: abs((d - reference).days)),) if options else ()


def _make_date(y: int | None, m: int, d: int, reference: date | None) -> tuple[date, ...] | None:
    """None when the day cannot exist (Feb 30, month 13)."""
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    if y is not None:
        try:
            return (date(y, m, d),)
        except ValueError:
            return None
    try:
        date(2024, m, d)  # a leap year accepts every real month/day
    except ValueError:
        return None
    return _nearest_year(m, d, reference)


@dataclass
class _Raw:
    start: int
    end: int
    y: int | None
    m: int
    d: int
    weekday: int | None = None


def _absolute(text: str) -> list[_Raw]:
    found: list[_Raw] = []
    zh = may_have_cjk(text)
    for rx in (_ISO, _ZH_DATE, _EN_DMY, _EN_MDY, _US):
        if rx is _ZH_DATE and not zh:
            continue
        for mt in rx.finditer(text):
            g = mt.groupdict()
            if rx is _EN_MDY and g["mon"].islower() and g["mon"][:3] in ("may", "mar"):
                continue  # the verbs "may 5 ..." / "mar"
            if "mon" in g and g["mon"]:
                month = _MONTHS[g["mon"][:3].lower()]
            else:
                month = _zh_int(g["m"]) if rx is _ZH_DATE else int(g["m"])
            day = _zh_int(g["d"]) if rx is _ZH_DATE else int(g["d"])
            year = None
            if g.get("y"):
                year = _zh_int(g["y"]) if rx is _ZH_DATE else int(g["y"])
                if year is not None and year < 100:
                    year += 2000
            if month is None or day is None:
                continue
            end = mt.end()
            if mt.group(0).endswith(".") and g.get("mon") and len(g["mon"]) > 3:
                end -= 1  # a sentence's full stop, not an abbreviation's
            found.append(_Raw(mt.start(), end, year, month, day))
    return _non_overlapping(found)


def _non_overlapping(items: list) -> list:
    """Earliest first, the longest at a tie; later items overlapping a kept one are dropped."""
    items = sorted(items, key=lambda r: (r.start, -(r.end - r.start)))
    kept: list = []
    last_end = -1
    for item in items:
        if item.start >= last_end:
            kept.append(item)
            last_end = item.end
    return kept


_WD_PAREN_BEFORE = re.compile(r"(?:(?:周|星期|礼拜)(?P<zh>[一二三四五六日天])|(?<![A-Za-z])(?P<en>" + _WD_EN
                              + r"))\s*[（(]\s*$", re.IGNORECASE)
_PAREN_CLOSE = re.compile(r"\s*[）)]")


def _attach_weekday(text: str, raw: _Raw) -> None:
    """Extend a date over a weekday written next to it: 'Friday, 26 Feb', '2月26日（周五）', '周五（12月4日）'."""
    before = text[max(0, raw.start - 16):raw.start]
    m = _WD_PAREN_BEFORE.search(before)
    close = _PAREN_CLOSE.match(text, raw.end)
    if m and close:
        raw.weekday = _ZH_WD[m.group("zh")] if m.group("zh") else _en_weekday(m.group("en"))
        raw.start, raw.end = raw.start - (len(before) - m.start()), close.end()
        return
    m = _EN_WD_BEFORE.search(before)
    if m:
        raw.weekday, raw.start = _en_weekday(m.group("wd")), raw.start - (len(before) - m.start())
    else:
        m = _ZH_WD_BEFORE.search(before) if may_have_cjk(before) else None
        if m:
            raw.weekday, raw.start = _ZH_WD[m.group("wd")], raw.start - (len(before) - m.start())
    after = text[raw.end:raw.end + 20]
    m = _ZH_WD_AFTER.match(after) if may_have_cjk(after) else None
    if m and raw.weekday is None:
        raw.weekday, raw.end = _ZH_WD[m.group("wd")], raw.end + m.end()
        return
    m = _EN_WD_AFTER.match(after)
    if m and raw.weekday is None:
        raw.weekday, raw.end = _en_weekday(m.group("wd")), raw.end + m.end()


def _coming(ref: date, weekday: int, *, include_today: bool = False) -> date:
    ahead = (weekday - ref.weekday()) % 7
    if ahead == 0 and not include_today:
        ahead = 7
    return ref + timedelta(days=ahead)


def _relative(text: str, reference: date | None) -> list[Mention]:
    out: list[Mention] = []
    for mt in _EN_REL.finditer(text):
        word = mt.group("word")
        if word:
            offset = {"today": 0, "tomorrow": 1, "the day after tomorrow": 2}[word.lower()]
            dates = (reference + timedelta(days=offset),) if reference else ()
            out.append(Mention(mt.start(), mt.end(), mt.group(0), "relative", dates))
            continue
        wd_text = mt.group("wd")
        if len(wd_text) <= 3 and not wd_text[0].isupper():
            continue  # 'sat', 'sun', 'wed' as ordinary words
        wd = _en_weekday(wd_text)
        if mt.group("every"):
            out.append(Mention(mt.start(), mt.end(), mt.group(0), "cadence", weekday=wd))
            continue
        dates: tuple[date, ...] = ()
        if reference:
            first = _coming(reference, wd)
            dates = (first, first + timedelta(days=7))
        out.append(Mention(mt.start(), mt.end(), mt.group(0), "relative", dates, weekday=wd))
    for mt in _zh_finditer(_ZH_REL, text):
        word = mt.group("word")
        if word:
            offset = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}[word]
            dates = (reference + timedelta(days=offset),) if reference else ()
            out.append(Mention(mt.start(), mt.end(), word, "relative", dates))
            continue
        wd = _ZH_WD[mt.group("wd")]
        if mt.group("every"):
            out.append(Mention(mt.start(), mt.end(), mt.group(0), "cadence", weekday=wd))
            continue
        rel = (mt.group("rel") or "").rstrip("个")
        dates = ()
        if reference:
            monday = reference - timedelta(days=reference.weekday())
            weeks = {"下下": 2, "下": 1, "上": -1}.get(rel, 0)
            target = monday + timedelta(days=7 * weeks + wd)
            dates = (target,) if rel else (_coming(reference, wd, include_today=True), target + timedelta(days=7))
        out.append(Mention(mt.start(), mt.end(), mt.group(0), "relative", dates, weekday=wd))
    return out


_ZH_UNIT = {"工作日": "day", "天": "day", "周": "week", "星期": "week", "礼拜": "week", "月": "month"}
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "工作日": 1, "天": 1, "周": 7, "星期": 7, "礼拜": 7, "月": 30}


def _durations(text: str) -> list[Mention]:
    out: list[Mention] = []
    for mt in _EN_DUR.finditer(text):
        n_text = mt.group("n").lower()
        if n_text in ("a few", "several", "some"):
            n: float | None = None
        elif n_text[0].isdigit():
            n = float(n_text)
        else:
            n = _EN_NUM.get(n_text)
        if n_text in ("a", "an") and not (mt.group("pre") or mt.group("post") or mt.group("half") or mt.group("half2")):
            continue  # "a week" alone is not a claim
        unit = mt.group("unit").lower().rstrip("s")
        half = bool(mt.group("half") or mt.group("half2"))
        days = None if n is None else (n + (0.5 if half else 0)) * _UNIT_DAYS[unit]
        pre = (mt.group("pre") or "").lower()
        post = (mt.group("post") or "").lower()
        before = text[max(0, mt.start() - 30):mt.start()]
        delay = bool(post in ("later", "late", "behind", "longer", "of delay", "delay", "beyond")
                     or _EN_DELAY_BEFORE.search(before) or pre == "by" and _EN_DELAY_BEFORE.search(before + "by "))
        bounded = pre in ("within", "in", "up to", "no more than", "at most") or post == "later"
        out.append(Mention(mt.start(), mt.end(), mt.group(0), "duration", days=days, bounded=bounded and n is not None,
                           delay=delay, approx=bool(mt.group("approx")), unit=unit))
    for mt in _zh_finditer(_ZH_DUR, text):
        n_text = mt.group("n")
        unit = mt.group("unit")
        if n_text == "半":
            n = 0.0
            half = True
        else:
            value = _zh_int(n_text) if not n_text.replace(".", "").isdigit() else float(n_text)
            if value is None:
                continue
            n, half = float(value), bool(mt.group("half") or mt.group("half2"))
        days = (n + (0.5 if half else 0)) * _UNIT_DAYS[unit]
        pre, post = mt.group("pre") or "", mt.group("post") or ""
        if pre == "每":
            out.append(Mention(mt.start(), mt.end(), mt.group(0), "cadence", days=days, unit=_ZH_UNIT[unit]))
            continue
        delay = pre in ("推迟", "延期", "延后", "延迟", "顺延", "推后", "拖延", "延长", "多用", "多花", "多需", "多出", "晚")
        if not delay:
            before = text[max(0, mt.start() - 8):mt.start()]
            delay = any(w in before for w in ("推迟", "延期", "延后", "延迟", "顺延", "推后", "晚了", "滞后"))
        out.append(Mention(mt.start(), mt.end(), mt.group(0), "duration", days=days,
                           bounded=post in ("以内", "之内", "内") or pre == "推迟" or delay, delay=delay,
                           approx=bool(mt.group("approx")) or post == "左右", unit=_ZH_UNIT[unit]))
    return out


def _periods(text: str) -> list[Mention]:
    out = [Mention(m.start(), m.end(), m.group(0), "period", bounded=True) for m in _EN_PERIOD.finditer(text)]
    out += [Mention(m.start(), m.end(), m.group(0), "period", bounded=True) for m in _zh_finditer(_ZH_PERIOD, text)]
    return out


def _month_from_weekday(day: int, weekday: int, reference: date | None) -> tuple[date, ...]:
    """'Friday the 4th': the month near the reference in which the 4th is a Friday."""
    if reference is None:
        return ()
    options = []
    for shift in range(-1, 3):
        y, m = divmod(reference.month - 1 + shift, 12)
        try:
            options.append(date(reference.year + y, m + 1, day))
        except ValueError:
            continue
    matching = [d for d in options if d.weekday() == weekday] or options
    return (min(matching, key=lambda d: abs((d - reference).days)),) if matching else ()


def _year_anchor(raws: list[_Raw]) -> date | None:
    """Where year-less dates are placed when no reference date is given: near the first date
    written with its year; failing that, around the first date at all, in an arbitrary year, so
    their ORDER is still known ('1 December' before '18 December', '8 January' after both). Only
    ordering may rely on the latter (`year_given` is False and no reference was given)."""
    for raw in raws:
        if raw.y is not None:
            dates = _make_date(raw.y, raw.m, raw.d, None)
            if dates:
                return dates[0]
    return next((date(2001, raw.m, 1) for raw in raws if 1 <= raw.m <= 12), None)


def find_mentions(text: str, reference: date | None = None) -> list[Mention]:
    """Every date, relative day, period, cadence and duration, sorted and non-overlapping.

    `reference` anchors year inference and relative days (pass the facts' notice date, or None).
    """
    raws = _absolute(text)  # scanned once: the anchor and the dates come from the same list
    year_anchor = reference if reference is not None else _year_anchor(raws)
    mentions: list[Mention] = []
    for raw in raws:
        _attach_weekday(text, raw)
        dates = _make_date(raw.y, raw.m, raw.d, year_anchor)
        if dates is None:
            continue
        mentions.append(Mention(raw.start, raw.end, text[raw.start:raw.end], "date", dates, weekday=raw.weekday,
                                year_given=raw.y is not None))
    for mt in _zh_finditer(_ZH_REL_MONTH, text):  # 下个月15号
        day = _zh_int(mt.group("d"))
        dates: tuple[date, ...] = ()
        if reference and day:
            ahead = {"下下": 2, "下": 1}.get(mt.group("rel").rstrip("个"), 0)
            y, m0 = divmod(reference.month - 1 + ahead, 12)
            made = _make_date(reference.year + y, m0 + 1, day, None)
            dates = made or ()
        mentions.append(Mention(mt.start(), mt.end(), mt.group(0), "date", dates))
    for mt in _WD_DAY.finditer(text):
        wd, day = _en_weekday(mt.group("wd")), int(mt.group("d"))
        mentions.append(Mention(mt.start(), mt.end(), mt.group(0), "date", _month_from_weekday(day, wd, reference),
                                weekday=wd))
    taken = _non_overlapping(mentions)
    others = _periods(text) + _relative(text, reference) + _durations(text)
    result = list(taken)
    spans = [(k.start, k.end) for k in taken]  # sorted, non-overlapping: bisect finds neighbours
    for m in sorted(others, key=lambda r: (r.start, -(r.end - r.start))):
        i = bisect_left(spans, (m.start, m.end))
        if (i > 0 and spans[i - 1][1] > m.start) or (i < len(spans) and spans[i][0] < m.end):
            continue
        spans.insert(i, (m.start, m.end))
        result.append(m)
    return sorted(result, key=lambda r: r.start)
