"""How user text reads inside the offline drafter's sentences: pure helpers, one idea each.

English: a common-noun project name takes "the" (`project_phrase`), user text standing as its own
sentence starts with a capital (`sentence_case`), items run together as a list a person would say
(`en_list`). Chinese: a space where Chinese meets a Latin word or a phone number (`zh_spacing`,
through autocorrect-py), parts of a title run together (`zh_join`), items joined with 、 (`zh_list`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from types import ModuleType
from typing import Literal

Markup = Literal["text", "markdown"]

_END_PUNCT = ".!?。！？…"


def sentence(text: str, language: str) -> str:
    """User text as a full sentence: unchanged, plus a full stop when it has none, so every
    cause and step reads (and is split by the checker) as its own sentence."""
    text = text.strip()
    if text and text[-1] in _END_PUNCT:
        return text
    return text + ("。" if language == "zh" else ".")


_DETERMINERS = {"the", "our", "your", "a", "an", "this", "their", "its"}
_SMALL_WORDS = {"of", "and", "for", "the", "to", "in", "on", "at", "by", "with", "a", "an", "or", "&", "-"}


def project_phrase(name: str) -> str:
    """The project's name as it reads inside an English sentence.

    A proper name ("Project Atlas", "Kestrel Pay", "Atlas") stays as typed. A common-noun phrase,
    written in sentence case ("Warehouse scanning app", "CRM migration", "Kestrel Pay app"), takes
    "the" and loses the capital that only started it: "we cannot deliver the warehouse scanning
    app". A name that starts with a determiner ("Our booking site") keeps it, in lower case."""
    words = name.split()
    if not words:
        return name
    first = words[0]
    if first.lower() in _DETERMINERS:
        return (first.lower() if first[1:].islower() or len(first) == 1 else first) + name[len(first):]
    lettered = [w for w in words if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    if not lettered:
        return name  # a number or a code ("2027"): a name, no article
    if (lettered and all(w[0].isupper() for w in lettered)) or (first == "Project" and len(words) > 1):
        return name  # Title Case, one capitalised word, or "Project X": a proper name
    if len(words) > 1 and first[:1].isupper() and first[1:].islower() and words[1][:1].islower():
        name = first.lower() + name[len(first):]  # "Warehouse scanning app": the capital only started it
    return "the " + name


def sentence_case(text: str, language: str) -> str:
    """English user text that stands as its own sentence (after "Why the date has moved:", as a
    list item) starts with a capital: "the handheld scanners arrive late" -> "The handheld ...".
    A first word with a capital inside ("iPhone", "eBay") or a digit is left as typed."""
    if language != "en" or not text:
        return text
    first = text.split(maxsplit=1)[0]
    if first[0].isalpha() and first.islower() and not any(ch.isdigit() for ch in first):
        return text[0].upper() + text[1:]
    return text


def lower_start(item: str) -> str:
    """An English list item inside a sentence: "Order history pages" -> "order history pages".
    Only a capital that merely starts a sentence-case phrase goes; "Stripe checkout" (a second word
    in lower case after a name is rare, so this is a judgement), "iOS app", "API keys", "Kestrel
    Pay" and "Q3 report" stay as typed."""
    words = item.split()
    if not words:
        return item
    first = words[0]
    if not (first[:1].isupper() and first[1:].islower() and first.isalpha()):
        return item
    if len(words) > 1 and not words[1][:1].islower():
        return item  # "Kestrel Pay", "Order API": a name
    return first.lower() + item[len(first):]


def en_list(items: list[str]) -> str:
    """Items as a person says them in one sentence: "a", "a and b", "a, b and c"; every item after the
    first loses the capital that only started it (the sentence gives the first its case)."""
    items = [items[0], *(lower_start(i) for i in items[1:])] if items else []
    # An item with its own "and" ("Login and user roles") needs the serial comma to stay one item.
    last = ", and " if any(" and " in i for i in items) and len(items) > 1 else " and "
    if len(items) <= 2:
        return last.join(items)
    return ", ".join(items[:-1]) + last + items[-1]


def zh_list(items: list[str]) -> str:
    """Chinese items in one sentence, joined with the enumeration comma: 商品浏览、库存查询、到货确认."""
    return "、".join(i.rstrip("。；;，,") for i in items)


_LATIN_EDGE = re.compile(r"[A-Za-z0-9]")
_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_CJK_THEN_LATIN = re.compile(rf"({_CJK})([A-Za-z])")
_LATIN_THEN_CJK = re.compile(rf"([A-Za-z])({_CJK})")
# A number with its Chinese measure word is one word in a Chinese letter: 2027年1月8日, 30分钟, 18天.
_ZH_UNITS = "年月日号天周个分时点万元倍岁名位项次期"
_DIGIT_SPACE_UNIT = re.compile(rf"(\d) (?=[{_ZH_UNITS}])")
_CJK_SPACE_QUANTITY = re.compile(rf"(?<={_CJK}) (?=\d[\d.]*[{_ZH_UNITS}])")


def zh_spacing_builtin(text: str) -> str:
    """The small built-in rule: a space where a Chinese character meets a Latin letter only."""
    return _LATIN_THEN_CJK.sub(r"\1 \2", _CJK_THEN_LATIN.sub(r"\1 \2", text))


@cache
def _autocorrect() -> ModuleType | None:
    """autocorrect-py, or None when it is not installed (the built-in rule is used then)."""
    try:
        import autocorrect_py
    except ImportError:
        return None
    return autocorrect_py


def zh_spacing(text: str) -> str:
    """Chinese typesetting spacing, through autocorrect-py (imported here, on the drafting path only):
    a space where Chinese meets a Latin word, a phone number or an e-mail address ("惠购商城 App 无法",
    "请致电 139 1234 5678 或发邮件至 sam@example.com 与我联系"). A number with its measure word stays one
    word, as Chinese letters write it (2027年1月8日, 30分钟, 推迟18天), which is also the form the checker's
    suggestions use. Without autocorrect-py the built-in rule spaces Latin letters only."""
    module = _autocorrect()
    if module is None:
        return zh_spacing_builtin(text)
    lines = [module.format(line) if line.strip() else line for line in text.split("\n")]
    out = "\n".join(lines)
    out = _DIGIT_SPACE_UNIT.sub(r"\1", out)
    return _CJK_SPACE_QUANTITY.sub("", out)


def zh_join(parts: list[str | None]) -> str:
    """Chinese parts run together ("杭州云帆科技" "项目经理" "陈静" -> "杭州云帆科技项目经理陈静"), with a
    space only where a Latin letter or digit meets the next part ("Northwind 项目经理")."""
    out = ""
    for part in (p for p in parts if p):
        if out and (_LATIN_EDGE.match(out[-1]) or _LATIN_EDGE.match(part[0])):
            out += " "
        out += part
    return out


def display_width(text: str) -> int:
    """Columns a text takes in a monospaced font: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown pipe table (for --format markdown, where a reader renders it)."""
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return "\n".join([line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)])
