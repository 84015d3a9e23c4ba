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



# --- terminal safety -----------------------------------------------------------------------
# Text from a model or echoed from a file may hold ESC sequences (OSC 52 writes the clipboard,
# CSI clears the screen or moves the cursor over a line, OSC 8 hides a link) and other C0/C1
# controls that are not even valid XML. Tab and newline are text; every other control goes.

def _is_control(code: int) -> bool:
    return (code < 0x20 and code not in (0x09, 0x0A)) or 0x7F <= code <= 0x9F or code in (0xFFFE, 0xFFFF)


_CONTROLS = {code: None for code in [*range(0x20), *range(0x7F, 0xA0), 0xFFFE, 0xFFFF] if _is_control(code)}
_ESCAPED = {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in _CONTROLS}


def whole_surrogates(text: str) -> str:
    """Join surrogate pairs into their character and make a lone surrogate U+FFFD: a model answer
    (or an emoji split across two stream chunks as JSON escapes) can hold either, and neither can
    be printed, cached or written as UTF-8."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def without_controls(text: str) -> str:
    """`text` with every C0/C1 control character and ESC removed (tab and newline kept), and its
    surrogates made whole: safe to print on a terminal and to put in XML, JSON or a log."""
    return whole_surrogates(text).translate(_CONTROLS)


def escape_controls(text: str) -> str:
    """`text` with every control character but tab and newline shown as an escape (`\\x1b`), so a
    message quoting a file says that something was there without letting the terminal act on it."""
    return whole_surrogates(text).translate(_ESCAPED)


def model_text_cleaner() -> tuple[callable, callable]:  # type: ignore[valid-type]
    """(feed, flush) cleaning a streamed answer piece by piece: a high surrogate at the end of a
    piece is held back until the next piece brings its other half."""
    held = [""]

    def feed(piece: str) -> str:
        text = held[0] + piece
        held[0] = ""
        if text and "\ud800" <= text[-1] <= "\udbff":
            text, held[0] = text[:-1], text[-1]
        return without_controls(text)

    def flush() -> str:
        rest, held[0] = held[0], ""
        return without_controls(rest)

    return feed, flush
