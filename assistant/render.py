"""Turning a `Draft` into what the user asked for: text, Markdown, JSON (SPEC §3) or an .eml file.

Rendering is separate from drafting so that every provider (offline, LLM) gets the same
outputs, and the findings summary goes to stderr so stdout stays pipeable.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from datetime import datetime, time
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import TYPE_CHECKING, Literal

from assistant.drafting import Draft
from assistant.facts import CHANNELS, LANGUAGES, Facts

if TYPE_CHECKING:
    from assistant.drafting.offline import DraftOptions

Format = Literal["text", "markdown", "json", "eml"]

_EML_POLICY = SMTP.clone(cte_type="7bit")
"""CRLF line ends and a 7-bit body (quoted-printable or base64 as the library sees fit), so the
message survives any mail transport; headers with Chinese become RFC 2047 encoded words."""


def render_draft(draft: Draft, facts: Facts, fmt: Format, options: DraftOptions | None = None) -> str | bytes:
    """The draft in one output format; `eml` is bytes, the others text ending in a newline.
    `options` are the ones the draft was made with (an offline draft is re-made for Markdown)."""
    if fmt == "json":
        return render_json(draft)
    if fmt == "eml":
        refusal = eml_refusal(draft.channel)
        if refusal:
            from assistant.errors import InputError

            raise InputError(refusal)
        message, notes = build_eml(draft, facts)
        for note in notes:
            print(f"delaynote: {note}", file=sys.stderr)
        return message
    if fmt == "markdown":
        return render_markdown(draft, facts, options)
    body = draft.body.rstrip("\n") + "\n"
    if draft.subject and draft.channel == "email":
        label = "主题：" if draft.language == "zh" else "Subject: "  # a Chinese e-mail reads 主题：
        return f"{label}{draft.subject}\n\n{body}"
    return body


def render_json(draft: Draft) -> str:
    """SPEC §3: language, channel, subject (null where none), body, findings; usage only when set."""
    data: dict[str, object] = {
        "language": draft.language,
        "channel": draft.channel,
        "subject": draft.subject,
        "body": draft.body,
        "findings": [f.model_dump(mode="json") for f in draft.findings],
    }
    if draft.usage is not None:
        data["usage"] = draft.usage.model_dump(mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_markdown(draft: Draft, facts: Facts, options: DraftOptions | None = None) -> str:
    """Subject as a heading; for an offline draft, the timeline as a Markdown table.

    An offline draft is deterministic, so when the body is exactly what the offline drafter
    makes from these facts we re-render it with Markdown markup; any other draft (LLM, edited)
    is kept as written.
    """
    body = draft.body
    if draft.language in LANGUAGES and draft.channel in CHANNELS:
        from assistant.drafting.offline import draft_offline

        same = facts.model_copy(update={"language": draft.language, "channel": draft.channel})
        if draft_offline(same, options=options).body == body:
            body = draft_offline(same, markup="markdown", options=options).body
    body = hard_breaks(body.rstrip("\n")) + "\n"
    if not draft.subject:
        return body
    first, _, rest = body.partition("\n")
    if first.lstrip("# ").strip() == draft.subject:  # the body opens with its title (a meeting)
        return f"# {draft.subject}\n{rest}"
    return f"# {draft.subject}\n\n{body}"


_BLOCK_START = re.compile(r"\s*(?:[-*+]\s|\d+[.)]\s|#|\||>|```)")
"""A line Markdown reads as the start of its own block (list item, heading, table row, quote,
fence): the line before it needs no hard break, and a table row or heading takes none."""


def hard_breaks(text: str) -> str:
    """Keep the text's own line breaks in Markdown: a line followed by another line of the same
    paragraph ends in two spaces (a CommonMark hard break), so "Kind regards," / the name / the
    role stay three lines instead of one run-on paragraph. Lists, headings and tables are left
    as they are; a list item's continuation line (indented) is treated like a paragraph line."""
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if (not in_fence and line.strip() and nxt.strip() and not _BLOCK_START.match(nxt)
                and not re.match(r"\s*(?:#|\||```)", line) and not line.endswith("  ")):
            line += "  "
        out.append(line)
    return "\n".join(out)


def eml_refusal(channel: str) -> str | None:
    """Why `--format eml` cannot be used for this channel (None for e-mail): a call script, an
    agenda or a chat message opened in a mail client as a ready-to-send e-mail would be sent as one."""
    if channel == "email":
        return None
    return (f"--format eml makes an e-mail, but this notice is for the {channel} channel; use --channel email, "
            "or --format text or markdown for a " + {"phone": "call script", "meeting": "meeting agenda",
                                                        "im": "chat message"}.get(channel, "notice"))


def _subject(draft: Draft, facts: Facts) -> str:
    if draft.subject:
        return draft.subject
    from assistant.drafting.offline import default_subject

    return default_subject(facts.model_copy(update={"language": draft.language}))


def _one_line(value: str) -> str:
    """A header value on one line: a facts value written over several lines (YAML `|`) or an LLM
    subject with a line break would otherwise make the e-mail library refuse the header."""
    return " ".join(value.split())


_FOLD_AFTER_NAME = re.compile(rb"^([!-9;-~]+):\r\n[ \t]+", re.MULTILINE)


def _unfold_after_names(message: bytes) -> bytes:
    """The library folds a header whose first word is long right after its name ("Subject:" CRLF
    SP word), which mail readers show as a value starting with a space; keep the word on the
    name's line instead (still far below the 998-character limit of RFC 5322)."""
    head, sep, body = message.partition(b"\r\n\r\n")
    return _FOLD_AFTER_NAME.sub(rb"\1: ", head) + sep + body


_ADDR_SPEC = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                        r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
"""An ASCII dot-atom address with a dotted domain: what a client's and a sender's address look like."""


def _address(msg: EmailMessage, header: str, name: str, email: str | None, key: str,
             notes: list[str], zh: bool = False) -> Address | None:
    """Set the From/To header, or leave it out with a note (in the draft's language) when the
    facts have no usable address."""
    if not email:
        notes.append(f"邮件没有 {header} 头：事实文件中没有 {key}" if zh
                     else f"the e-mail has no {header} header: {key} is not in the facts")
        return None
    addr_spec = _one_line(email)
    try:
        if not _ADDR_SPEC.fullmatch(addr_spec):  # the library's own parser crashes on some bad addresses
            raise ValueError("expected name@domain.example")
        address = Address(display_name=_one_line(name), addr_spec=addr_spec)
        msg[header] = address
    except (MessageError, ValueError) as exc:  # parse errors; header defects are ValueErrors
        notes.append(f"邮件没有 {header} 头：{key} '{addr_spec}' 不是邮箱地址（{exc}）" if zh
                     else f"the e-mail has no {header} header: {key} '{addr_spec}' is not an e-mail address ({exc})")
        return None
    return address


def build_eml(draft: Draft, facts: Facts) -> tuple[bytes, list[str]]:
    """An RFC 5322 message (UTF-8 text/plain) and notes about anything left out.

    A missing address never invents one: the header is left out and a note says so, and the
    user's mail program fills it in when the file is opened as a draft.
    """
    notes: list[str] = []
    msg = EmailMessage(policy=_EML_POLICY)
    subject = _one_line(_subject(draft, facts))
    msg["Subject"] = subject
    sender, client = facts.sender, facts.client
    zh = draft.language == "zh"
    from_address = _address(msg, "From", sender.name, sender.email, "sender.email", notes, zh)
    _address(msg, "To", client.contact, client.email, "client.email", notes, zh)
    sent = datetime.combine(facts.notice_date, time(9, 0)).astimezone()
    msg["Date"] = format_datetime(sent)
    domain = from_address.domain if from_address is not None else "delaynote.invalid"
    digest = hashlib.sha256(f"{subject}\n{facts.notice_date}\n{draft.body}".encode()).hexdigest()[:32]
    msg["Message-ID"] = f"<{digest}@{domain}>"
    msg["X-Unsent"] = "1"  # mail clients (Outlook, Apple Mail, Thunderbird) open it as a draft to send, not as received mail
    msg.set_content(draft.body.rstrip("\n") + "\n", subtype="plain", charset="utf-8")
    return _unfold_after_names(msg.as_bytes()), notes


def print_findings_summary(draft: Draft, verbose: bool) -> None:
    """A short summary of the draft's findings on stderr (colour only on a terminal, and
    never with NO_COLOR); token usage too when `verbose` and the draft used an LLM."""
    from rich.console import Console
    from rich.text import Text

    from assistant.wrap import terminal_width, wrap_spans

    console = Console(stderr=True, highlight=False)
    columns = terminal_width(sys.stderr)

    def show(line: Text, indent: int = 4) -> None:
        """One line, wrapped to the terminal on word boundaries (Rich would cut 推迟2|1天)."""
        if not columns:
            console.print(line, soft_wrap=True)
            return
        for i, (a, b) in enumerate(wrap_spans(line.plain, columns, rest=indent)):
            console.print(Text(" " * indent) + line[a:b] if i else line[:b], soft_wrap=True)

    from assistant.checks.labels import SEVERITIES, count, counts, label, padded_severity

    findings = draft.findings
    lang = draft.language  # the report speaks the draft's language, as its messages do
    if not findings:
        console.print(Text(label(lang, "no-findings"), style="green"), soft_wrap=True)
    else:
        numbers = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
        head = label(lang, "findings", counts=counts(lang, numbers, [s for s in SEVERITIES if numbers[s]]))
        console.print(Text(head, style="bold"), soft_wrap=True)
        styles = {"error": "red", "warning": "yellow", "info": "cyan"}
        for f in findings:
            line = Text("  ")
            line.append(padded_severity(lang, f.severity), style=styles[f.severity])
            line.append(f" {f.check}")
            if f.line is not None:
                line.append(label(lang, "at-line", n=f.line))
            line.append(label(lang, "message", message=f.message))
            show(line)
    if verbose and draft.usage is not None:
        u = draft.usage
        if u.prompt_tokens is None or u.completion_tokens is None:  # the server did not say: unknown, not 0
            text = label(lang, "tokens-unknown", calls=count(lang, "call", u.calls))
        else:
            text = label(lang, "tokens", prompt=u.prompt_tokens, completion=u.completion_tokens,
                         calls=count(lang, "call", u.calls))
        console.print(Text(text, style="dim"), soft_wrap=True)
