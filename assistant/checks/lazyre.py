"""Regular expressions compiled on first use, and a cheap "could this be Chinese?" test.

Why: `re` compiles in pure Python, and a character class holding CJK characters costs up to
milliseconds (it builds a 64K-entry map). Compiled at import, every `delaynote check` paid for
all of them, though an English notice never reaches the Chinese ones. A `LazyPattern` stands in
for the compiled pattern (same methods) and compiles it when a method is first called.
"""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    """`re.compile(pattern, flags)`, deferred until a method (search, finditer...) is first used."""

    __slots__ = ("_pattern", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return self._compiled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)


# Everything from U+3400 up: CJK ideographs, full-width forms (and emoji). About half the compile
# cost of the checks' exact CJK classes, and paid only for text that is not plain ASCII.
_FROM_CJK = LazyPattern(r"[^\x00-\u33ff]")


def may_have_cjk(text: str) -> bool:
    """False only when the text holds no character from U+3400 up, so no Chinese pattern can
    match it; ASCII text answers at once. Lets English notices skip the Chinese patterns."""
    return not text.isascii() and _FROM_CJK.search(text) is not None
