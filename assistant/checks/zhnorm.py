"""Chinese text as the rules expect it, at the same offsets.

Two things real Chinese notices do that the phrase data does not: they are written in
traditional characters (延遲、準時、説明), and their full-width punctuation has often become
half-width on the way (a web form, a phone keyboard: "延期,原因如下.").  Both are undone here on the
*scan* copy only, character for character, so every offset still points into the user's file and
findings quote the original text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from assistant.checks.lazyre import LazyPattern

_TRADITIONAL = Path(__file__).parent / "data" / "zh" / "traditional.txt"

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
# a half-width mark that touches a Chinese character on its left (or on its right, for a comma)
_HALF = LazyPattern(rf"(?<=[{_CJK}）”」』])[,.;:!?](?![0-9A-Za-z])|[,;:](?=[{_CJK}“「『（])")
_FULL = {",": "，", ".": "。", ";": "；", ":": "：", "!": "！", "?": "？"}


@cache
def traditional_chars() -> frozenset[str]:
    """Every character OpenCC's t2s changes: a text with none of them needs no conversion, so
    simplified notices never pay for loading OpenCC."""
    lines = _TRADITIONAL.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


@cache
def _t2s():  # OpenCC loads its dictionaries on first use: only for Chinese text
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional to simplified Chinese, keeping the length (a phrase rule that would change
    it is applied character by character instead)."""
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    conv = _t2s().convert
    return "".join(c if c.isascii() else (s if len(s := conv(c)) == 1 else c) for c in text)


def normalise_zh(scan: str) -> str:
    """The scan copy of a Chinese notice in simplified characters with full-width punctuation."""
    if not scan.isascii() and not traditional_chars().isdisjoint(scan):
        scan = _simplified(scan)
    return _HALF.sub(lambda m: _FULL[m.group(0)], scan)
