"""A file as the checks see it: the original text plus a same-length *masked* copy.

Skipped regions (code, link targets, front matter, markup, e-mail headers other than
Subject) are blanked with spaces in the masked copy, newlines kept, so every offset a check
finds maps 1:1 to the original text and line/column always point into the user's file.

E-mail: a single-part 7bit/8bit message keeps its offsets. A quoted-printable, base64 or
multipart message (or an RFC 2047 encoded Subject) is decoded first and checked as
"Subject: ...", a blank line, then the body; `Document.to_original` maps a position in that
decoded text back into the file: exactly on a decoded line that also stands verbatim in the file
(most lines of a quoted-printable body), else to column 1 of the nearest line before it (the
Subject line, or the line where the body's part begins). Base64 bodies only ever get the latter.

Inline suppression (Vale/textlint style), in an HTML comment or after `#` / `//`:
`delaynote-disable [ids]` ... `delaynote-enable [ids]` (an unclosed region runs to the end),
`delaynote-disable-next-line [ids]`, `delaynote-disable-line [ids]`, `delaynote-disable-file [ids]`;
no ids means every check. Findings about something absent (`missing-*`, `late-notice`) have no
position, so only `disable-file` silences them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from assistant.checks.lazyre import LazyPattern, may_have_cjk

KINDS = ("md", "txt", "html", "eml")
_SUFFIX_KIND = {
    ".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".eml": "eml",
}

_HTML_TAGS = frozenset("""
a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col
colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form
h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main map mark meta meter
nav noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp script section
select small source span strong style sub summary sup table tbody td template textarea tfoot th thead title tr
track u ul var video wbr center
""".split())
_BLOCK_TAGS = frozenset("""
address article aside blockquote body br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6
header hr html li main nav ol p pre section table tbody td tfoot th thead title tr ul
""".split())


def kind_for_path(path: str) -> str:
    """md/txt/html/eml from the file suffix; anything else (and stdin) is plain text."""
    dot = path.rfind(".")
    return _SUFFIX_KIND.get(path[dot:].lower(), "txt") if dot >= 0 else "txt"


@dataclass(frozen=True)
class Suppression:
    """Checks switched off over [start, end) offsets; `checks` None means every check."""

    start: int
    end: int
    checks: frozenset[str] | None
    whole_file: bool = False

    def covers(self, check: str, offset: int | None) -> bool:
        if self.checks is not None and check not in self.checks:
            return False
        if self.whole_file:
            return True
        return offset is not None and self.start <= offset < self.end


@dataclass(frozen=True)
class Document:
    """`text` is what positions refer to; `masked` has the same length with skipped parts blanked."""

    text: str
    masked: str
    kind: str
    suppressions: tuple[Suppression, ...] = ()
    contacts: tuple[str, ...] = ()  # e-mail addresses, phone numbers and URLs found (masked as they are)
    line_starts: tuple[int, ...] = field(default=(0,), repr=False)
    # For a decoded e-mail: per decoded line, (its line in the file, whether it stands there verbatim).
    origin: tuple[tuple[int, bool], ...] | None = field(default=None, repr=False)
    raw_lines: tuple[str, ...] = field(default=(), repr=False)  # the file's own lines, for a decoded e-mail

    def to_original(self, line: int, column: int, end_line: int, end_column: int,
                    quoted: str | None = None) -> tuple[int, int, int, int]:
        """A 1-based span in `text` as a span in the user's file (see the module docstring). On a
        decoded line, `quoted` found once in the file's line gives the columns; else column 1."""
        if self.origin is None or not 1 <= line <= len(self.origin) or not 1 <= end_line <= len(self.origin):
            return line, column, end_line, end_column
        raw_line, verbatim = self.origin[line - 1]
        raw_end, end_verbatim = self.origin[end_line - 1]
        if verbatim and end_verbatim:
            return raw_line, column, raw_end, end_column
        text = self.raw_lines[raw_line - 1] if raw_line <= len(self.raw_lines) else ""
        at = text.find(quoted) if quoted and "\n" not in quoted else -1
        if at >= 0 and text.find(quoted, at + 1) < 0:  # type: ignore[arg-type]
            return raw_line, at + 1, raw_line, at + 1 + len(quoted)  # type: ignore[arg-type]
        column = column if verbatim else 1
        return (raw_line, column) + max((raw_end, end_column if end_verbatim else 1), (raw_line, column))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; column counts characters."""
        i = bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def suppressed(self, check: str, offset: int | None) -> bool:
        return any(s.covers(check, offset) for s in self.suppressions)


def _line_starts(text: str) -> list[int]:
    starts, i = [0], text.find("\n")
    while i >= 0:  # str.find runs in C; a Python loop over every character cost 0.4 s on a 2 MB file
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _blank(buf: list[str], start: int, end: int) -> None:
    for i in range(max(start, 0), min(end, len(buf))):
        if buf[i] != "\n":
            buf[i] = " "


# --- inline suppression -------------------------------------------------------------------

_DIRECTIVE = re.compile(r"delaynote-(disable-next-line|disable-line|disable-file|disable|enable)(?![\w-])")
_COMMENT_OPEN = re.compile(r"(?:<!--|#|//)[ \t]*$")
_IDS = re.compile(r"[a-z][a-z-]*")


def _suppressions(text: str, buf: list[str]) -> list[Suppression]:
    """Vale/textlint-style directives in HTML comments or after `#` / `//`; each directive is masked."""
    result: list[Suppression] = []
    open_regions: list[tuple[int, frozenset[str] | None]] = []
    n = len(text)
    starts = _line_starts(text)
    for m in _DIRECTIVE.finditer(text):
        row = bisect_right(starts, m.start()) - 1
        line_start = starts[row]
        line_end = starts[row + 1] - 1 if row + 1 < len(starts) else n
        prefix = text[max(line_start, m.start() - 20):m.start()]
        opener = _COMMENT_OPEN.search(prefix)
        if not opener:
            continue
        close = text.find("-->", m.end(), min(line_end, m.end() + 500))
        rest_end = close if close >= 0 else min(line_end, m.end() + 500)
        ids = frozenset(_IDS.findall(text[m.end():rest_end])) or None
        comment_start = m.start() - len(prefix) + opener.start()
        _blank(buf, comment_start, close + 3 if close >= 0 else rest_end)
        kind = m.group(1)
        next_line_start = line_end + 1
        if kind == "disable-file":
            result.append(Suppression(0, n, ids, whole_file=True))
        elif kind == "disable-line":
            result.append(Suppression(line_start, line_end + 1, ids))
        elif kind == "disable-next-line":
            following = starts[row + 2] if row + 2 < len(starts) else n
            result.append(Suppression(next_line_start, following, ids))
        elif kind == "disable":
            open_regions.append((m.start(), ids))
        else:  # enable: closes the matching regions (all, when no ids are named)
            still_open = []
            for start, region_ids in open_regions:
                if ids is None or region_ids is None or region_ids <= ids:
                    result.append(Suppression(start, m.start(), region_ids))
                elif region_ids is not None:
                    remaining = region_ids - ids
                    result.append(Suppression(start, m.start(), region_ids & ids))
                    still_open.append((m.start(), frozenset(remaining)))
            open_regions = still_open
    result.extend(Suppression(start, n, ids) for start, ids in open_regions)
    return result


# --- shared masking -----------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>()（）\"'，。、；]+", re.IGNORECASE)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d ()-]{6,18}\d(?![\w])")
_ISO_IN = re.compile(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)\b[^<>]{0,2000}>|<![^<>]{0,2000}>")
_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")


def _mask_urls(text: str, buf: list[str], contacts: list[str]) -> None:
    for rx in (_URL, _EMAIL):
        for m in rx.finditer(text):
            contacts.append(m.group(0))
            _blank(buf, m.start(), m.end())
    contacts.extend(m.group(0) for m in _PHONE.finditer(text) if _is_phone(m.group(0)))


def _is_phone(candidate: str) -> bool:
    """At least seven digits and not a date ('2026-12-18' fits the phone pattern too)."""
    return sum(c.isdigit() for c in candidate) >= 7 and not _ISO_IN.search(candidate)


def has_contact(text: str, start: int, end: int) -> bool:
    """An e-mail address or a phone number within `text[start:end]`."""
    return _EMAIL.search(text, start, end) is not None or any(
        _is_phone(m.group(0)) for m in _PHONE.finditer(text, start, end))


def _mask_html(text: str, buf: list[str], start: int, end: int, *, all_tags: bool) -> None:
    """Blank comments, tags, entities and script/style contents; block tags become a line break
    in the masked copy so sentences never run across paragraphs."""
    region = text[start:end]
    pos = region.find("<!--")
    while pos >= 0:  # comments by find, not a lazy regex: an unclosed '<!--' must not cost O(n^2)
        close = region.find("-->", pos + 4)
        stop = len(region) if close < 0 else close + 3
        _blank(buf, start + pos, start + stop)
        if close < 0:
            break
        pos = region.find("<!--", stop)
    lower = region.lower()
    for tag in ("script", "style"):
        pos = 0
        while True:
            i = lower.find("<" + tag, pos)
            if i < 0:
                break
            j = lower.find("</" + tag, i)
            j = len(region) if j < 0 else j
            _blank(buf, start + i, start + j)
            pos = j + 1
    for m in _TAG.finditer(region):
        name = (m.group(1) or "").lower()
        if not all_tags and m.group(1) and name not in _HTML_TAGS:
            continue  # `<reason>` in Markdown is a template slot, not markup
        _blank(buf, start + m.start(), start + m.end())
        if name in _BLOCK_TAGS and buf[start + m.start()] != "\n":
            buf[start + m.start()] = "\n"
    if all_tags:
        for m in _ENTITY.finditer(region):
            _blank(buf, start + m.start(), start + m.end())


# --- Markdown -----------------------------------------------------------------------------

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s")
_REF_DEF = re.compile(r" {0,3}\[[^\]\n]{1,200}\]:[ \t]*\S")


def _mask_markdown(text: str, buf: list[str]) -> None:
    lines = text.split("\n")
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    i = 0
    # YAML front matter
    if lines and lines[0].rstrip() == "---":
        for j in range(1, len(lines)):
            if lines[j].rstrip() in ("---", "..."):
                _blank(buf, 0, offsets[j] + len(lines[j]))
                i = j + 1
                break
    fence: str | None = None
    fence_start = 0
    prev_blank = True
    in_list = False
    while i < len(lines):
        line = lines[i]
        start, end = offsets[i], offsets[i] + len(line)
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and set(stripped) <= {fence[0]}:
                _blank(buf, fence_start, end)
                fence = None
            i += 1
            continue
        m = _FENCE.match(line)
        if m:
            fence, fence_start = m.group(1), start
            i += 1
            continue
        blank = not line.strip()
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and prev_blank and not in_list and not blank:
            _blank(buf, start, end)  # indented code block (continues while indented or blank)
            i += 1
            while i < len(lines) and (lines[i].startswith(("    ", "\t")) or not lines[i].strip()):
                _blank(buf, offsets[i], offsets[i] + len(lines[i]))
                i += 1
            prev_blank = True
            continue
        if _LIST_ITEM.match(line):
            in_list = True
        elif not blank and not indented:
            in_list = False
        if _REF_DEF.match(line):
            colon = line.find("]:")
            _blank(buf, start + colon + 2, end)
        prev_blank = blank
        i += 1
    if fence is not None:
        _blank(buf, fence_start, len(text))
    masked = "".join(buf)
    _mask_inline_code(masked, buf)
    masked = "".join(buf)
    for m in _LINK_TARGET.finditer(masked):  # link and image targets: `](target)`
        _blank(buf, m.start() + 1, m.end())
    for m in _STRONG.finditer(masked):  # `**Why.**`: emphasis marks are markup, not words
        _blank(buf, m.start(), m.end())
    for m in re.finditer(r"<(?:https?|mailto):[^<>\s]{1,2000}>", masked):
        _blank(buf, m.start(), m.end())


_TICKS = re.compile(r"`+")
_STRONG = re.compile(r"(?<!\*)\*\*(?!\*)")
_LINK_TARGET = re.compile(r"\]\([^)\n]{0,2000}\)")


def _mask_inline_code(masked: str, buf: list[str]) -> None:
    """Backtick code spans: a run of n backticks up to the next run of exactly n."""
    runs = [(m.start(), m.end()) for m in _TICKS.finditer(masked)]
    by_len: dict[int, list[int]] = {}
    for idx, (s, e) in enumerate(runs):
        by_len.setdefault(e - s, []).append(idx)
    pointer = {k: 0 for k in by_len}
    idx = 0
    while idx < len(runs):
        s, e = runs[idx]
        n = e - s
        candidates = by_len[n]
        p = pointer[n]
        while p < len(candidates) and candidates[p] <= idx:
            p += 1
        pointer[n] = p
        if p < len(candidates):
            close = candidates[p]
            _blank(buf, s, runs[close][1])
            idx = close + 1
        else:
            idx += 1


# --- e-mail -------------------------------------------------------------------------------

_SUBJECT = re.compile(r"^Subject:[ \t]*", re.IGNORECASE | re.MULTILINE)


def _origin(raw: str, decoded: str, subject_line: int, body_line: int) -> tuple[tuple[int, bool], ...]:
    """Where each line of a decoded e-mail stands in the raw file: the Subject on its header line,
    then each body line at the next raw line with the same text (verbatim), or else at the last
    line found before it (column 1). One forward pass with an index of raw lines: linear."""
    raw_lines = raw.split("\n")
    where: dict[str, list[int]] = {}
    for i in range(body_line - 1, len(raw_lines)):
        where.setdefault(raw_lines[i].rstrip(), []).append(i + 1)
    decoded_lines = decoded.split("\n")
    subject_verbatim = 0 < subject_line <= len(raw_lines) and raw_lines[subject_line - 1] == decoded_lines[0]
    out = [(max(subject_line, 1), subject_verbatim), (max(body_line - 1, 1), False)]
    last = body_line
    for line in decoded_lines[2:]:
        candidates = where.get(line.rstrip(), []) if line.strip() else []
        k = bisect_right(candidates, last - 1) if candidates else 0
        if k < len(candidates):
            last = candidates[k]
            out.append((last, line == raw_lines[last - 1]))
            last += 1
        else:
            out.append((max(last - 1, body_line), False))
    return tuple(out)


def _eml_document(text: str) -> tuple[str, list[str], str, tuple[tuple[int, bool], ...] | None]:
    """(text, masked buffer, body kind, origin) for an e-mail; origin is None when the text is the
    file itself, else it maps decoded lines into the file (see the module docstring)."""
    sep = text.find("\n\n")
    header_end = len(text) if sep < 0 else sep + 1
    body_start = len(text) if sep < 0 else sep + 2
    import email  # only e-mails need the parser (a tenth of check's start-up otherwise)
    import email.policy

    # parse bytes: the string parser mangles 8-bit bodies (it re-reads them as unicode escapes)
    msg = email.message_from_bytes(text.encode("utf-8", errors="surrogateescape"), policy=email.policy.default)
    cte = str(msg.get("Content-Transfer-Encoding", "7bit")).strip().lower()
    ctype = msg.get_content_type()
    raw_subject = _SUBJECT.search(text, 0, header_end)
    encoded_subject = bool(raw_subject and "=?" in text[raw_subject.end():text.find("\n", raw_subject.end())])
    simple = (not msg.is_multipart() and cte in ("7bit", "8bit", "binary", "")
              and ctype in ("text/plain", "text/html") and not encoded_subject)
    if simple:
        buf = list(text)
        _blank(buf, 0, header_end)
        if raw_subject:
            line_end = raw_subject.end()
            while True:  # the Subject value, with folded continuation lines
                nl = text.find("\n", line_end)
                if nl < 0 or nl + 1 >= header_end or text[nl + 1] not in " \t":
                    line_end = header_end if nl < 0 else nl
                    break
                line_end = nl + 1
            for k in range(raw_subject.end(), line_end):
                buf[k] = text[k]
        body_kind = "html" if ctype == "text/html" else "txt"
        if body_kind == "html":
            _mask_html(text, buf, body_start, len(text), all_tags=True)
        return text, buf, body_kind, None
    subject = str(msg.get("Subject", "") or "")
    part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    body_kind = "txt"
    if part is not None:
        try:
            body = part.get_content()
        except (LookupError, ValueError):
            payload = part.get_payload(decode=True) or b""
            body = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
        body_kind = "html" if part.get_content_type() == "text/html" else "txt"
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    head = "Subject: "
    decoded = f"{head}{subject}\n\n{body}"
    buf = list(decoded)
    _blank(buf, 0, len(head))
    if body_kind == "html":
        _mask_html(decoded, buf, len(head) + len(subject) + 2, len(decoded), all_tags=True)
    subject_line = text.count("\n", 0, raw_subject.start()) + 1 if raw_subject else 0
    body_line = _part_body_line(text, body) if part is not None and part is not msg else text.count("\n", 0, body_start) + 1
    return decoded, buf, body_kind, _origin(text, decoded, subject_line, body_line)


def _part_body_line(raw: str, body: str) -> int:
    """The file line where a multipart message's chosen body starts: after the blank line that
    ends its part headers, found by the first body line that stands verbatim in the file (else
    the end of the message headers)."""
    first = next((line for line in body.split("\n") if line.strip()), "")
    sep = raw.find("\n\n")
    found = raw.find("\n" + first.rstrip(), max(sep, 0)) if first else -1
    if found >= 0:
        return raw.count("\n", 0, found + 1) + 1
    return raw.count("\n", 0, max(sep, 0) + 2) + 1


def build_document(text: str, kind: str = "txt") -> Document:
    """Mask what the checks must not read, and collect inline suppressions."""
    kind = kind if kind in KINDS else "txt"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    origin, raw = None, text
    if kind == "eml":
        text, buf, _, origin = _eml_document(text)
    else:
        buf = list(text)
    suppressions = _suppressions(text, buf)
    if kind == "md":
        _mask_markdown(text, buf)
        _mask_html(text, buf, 0, len(text), all_tags=False)
    elif kind == "html":
        _mask_html(text, buf, 0, len(text), all_tags=True)
    contacts: list[str] = []
    _mask_urls("".join(buf), buf, contacts)
    line_starts = _line_starts(text)
    return Document(text=text, masked="".join(buf), kind=kind, suppressions=tuple(suppressions),
                    contacts=tuple(contacts), line_starts=tuple(line_starts), origin=origin,
                    raw_lines=tuple(raw.split("\n")) if origin is not None else ())


_CJK = LazyPattern(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # compiled only when may_have_cjk
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(masked: str, default: str = "en") -> str:
    """zh when CJK characters are at least a fifth of the letters (one hanzi carries about as
    much as a short English word, so a Chinese notice full of 'API' and 'Bug' stays zh)."""
    cjk = len(_CJK.findall(masked)) if may_have_cjk(masked) else 0
    latin = len(_LATIN.findall(masked))
    if cjk == 0 and latin == 0:
        return default
    return "zh" if cjk * 5 >= cjk + latin else "en"
