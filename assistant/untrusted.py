"""Putting text a user gave us (a draft to rewrite or judge) into an LLM request safely.

A draft may hold instructions aimed at the model ("ignore previous instructions ..."), or
invisible characters that hide them from the person who pasted it. So the text is cleaned
of invisible Unicode, fenced between markers the text itself cannot contain, and placed only
in the user message, with the task restated after the fence.
It is inserted literally, never through a template engine (see `assistant.llm.prompts.fill`).
"""

from __future__ import annotations

import hashlib

# Zero-width characters, bidi embedding/override/isolate controls, marks and the
# Unicode "tag" block: they change nothing a reader sees but can smuggle text past them.
_INVISIBLE = frozenset(
    [0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
     0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
     0x2066, 0x2067, 0x2068, 0x2069, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0xFEFF]
)


def strip_invisible(text: str) -> str:
    """Drop zero-width and bidi control characters (and Unicode tag characters)."""
    return "".join(ch for ch in text if ord(ch) not in _INVISIBLE and not 0xE0000 <= ord(ch) <= 0xE007F)


def new_marker(text: str) -> str:
    """A marker such as 'DRAFT-3f9a…' that does not occur in `text`, made from a hash of the text.

    A text cannot hold the marker made from itself (writing it in would change the hash), so it
    fences as safely as a random one; and the same draft gives the same request, which lets the
    LLM cache answer a repeated `check --llm` or `rewrite` (a random marker made every request new)."""
    data = text.encode("utf-8", "surrogatepass")
    n = 0
    while True:
        marker = f"DRAFT-{hashlib.sha256(b'%d:' % n + data).hexdigest()[:16]}"
        if marker not in text:
            return marker
        n += 1


def fence(text: str, marker: str) -> str:
    """The text between its opening and closing marker lines."""
    return f"<<<{marker}>>>\n{text}\n<<<END-{marker}>>>"

