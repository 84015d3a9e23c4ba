"""Where added sentences go in a draft: after the e-mail headers and the greeting, before the
sign-off and the signature, never after them (the offline rewrite, `assistant.rewrite_offline`)."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from assistant.facts import Facts


@cache
def rewrite_data(lang: str) -> dict[str, Any]:
    """The offline rewrite phrase data for a language (`assistant/data/rewrite/<lang>.yaml`)."""
    text = (files("assistant") / "data" / "rewrite" / f"{lang}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def visible(line: str) -> str:
    """A line's text without surrounding HTML tags ('<p>Dear Ms. Chen,</p>' -> 'Dear Ms. Chen,')."""
    text = line.strip()
    while text.startswith("<") and ">" in text:
        text = text[text.index(">") + 1:].lstrip()
    return text.split("<", 1)[0].strip()


def header_end(lines: list[str], lang: str, start: int = 0) -> int:
    """Index of the first line after mail-style headers typed into a draft ('Subject: …',
    'To: …', '主题：…') at its top; `start` when there are none."""
    names = [n.lower() for n in rewrite_data(lang).get("header_names", [])]
    i = start
    while i < len(lines):
        line = visible(lines[i])
        m = re.match(r"^([^:：\s][^:：]{0,15})\s*[:：]", line)
        if not m or m.group(1).strip().lower() not in names:
            break
        i += 1
    return i


def sign_off_index(lines: list[str], lang: str) -> int | None:
    """Index of the line where the sign-off starts ('Kind regards,' / '此致'): the first such
    short line among the last non-empty lines; None if there is none."""
    cues = [c.lower() for c in rewrite_data(lang).get("sign_offs", [])]
    tail = [i for i, ln in enumerate(lines) if visible(ln)][-8:]
    for i in tail:
        line = visible(lines[i]).lower().lstrip("*_ ")
        if len(line) > 40:
            continue
        for cue in cues:
            if not line.startswith(cue):
                continue
            rest = line[len(cue):].strip(" ,.!:;*_，。！")
            if lang == "zh" or not rest or cue.startswith("thank"):
                return i
    return None


def signature_index(lines: list[str], names: list[str]) -> int | None:
    """Index of the first line of a signature without a sign-off: a block of at most four short
    lines at the end, the first of which names the sender ('陈磊' / 'Tom' / '-- Tom Becker')."""
    filled = [i for i, ln in enumerate(lines) if visible(ln)]
    if not filled:
        return None
    block_start = filled[-1]
    while block_start - 1 >= 0 and visible(lines[block_start - 1]) and filled[-1] - block_start < 3:
        block_start -= 1
    for i in range(block_start, filled[-1] + 1):
        raw = visible(lines[i])
        line = raw.lstrip("-—– ").strip()
        if raw.startswith(("-- ", "—", "– ")) and len(line) <= 40 and (i == 0 or not lines[i - 1].strip()):
            return i  # the signature delimiter ("-- T.", "— Tom")
        if len(line) > 40 or line[-1:] in ".!?。！？":
            continue
        if any(name and (line == name or line.startswith(name + " ") or line.startswith(name + ",")
                         or line.startswith(name + "，")) for name in names):
            return i
    return None


def greeting_end(lines: list[str], lang: str, start: int = 0) -> int | None:
    """Index of the line after the greeting ('Dear Ms. Chen,' / '尊敬的王经理：' + '您好！' /
    'Hi all!'), or None."""
    first = next((i for i in range(start, len(lines)) if visible(lines[i])), None)
    if first is None:
        return None
    line = visible(lines[first])
    words = [w.lower() for w in rewrite_data(lang).get("greeting_words", [])]
    greets = any(line.lower().startswith(w) for w in words)
    if len(line) > 60 or (line[-1:] not in (",", ":", "：", "，") and not (greets and line[-1:] in "!！")):
        return None
    end = first + 1
    followers = rewrite_data(lang).get("greeting_followers", [])
    if end < len(lines) and visible(lines[end]) in followers:
        end += 1
    return end


def _body_bounds(lines: list[str], kind: str) -> tuple[int, int] | None:
    """Where a letter's text starts and ends inside the file: after e-mail headers or YAML front
    matter, before `</body>`. None when added text cannot be placed safely (an encoded or
    multipart e-mail body)."""
    start, end = 0, len(lines)
    if kind == "eml":
        blank = next((i for i, ln in enumerate(lines) if not ln.strip()), len(lines))
        headers = "\n".join(lines[:blank]).lower()
        if "multipart/" in headers or "base64" in headers or "quoted-printable" in headers:
            return None
        start = min(blank + 1, len(lines))
    elif kind == "md" and lines and lines[0].strip() == "---":
        close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        start = close + 1 if close is not None else 0
    elif kind == "html":
        end = next((i for i, ln in enumerate(lines) if ln.strip().lower().startswith("</body")), len(lines))
        start = next((i + 1 for i, ln in enumerate(lines) if ln.strip().lower().startswith("<body")), 0)
    return start, end


def _as_html(paragraph: str) -> str:
    from html import escape

    return "<p>" + "<br>\n".join(escape(line, quote=False) for line in paragraph.split("\n")) + "</p>"


def _paragraph_end(lines: list[str], start: int, stop: int) -> int | None:
    """Index of the last line of the first paragraph from `start` (before `stop`), None if that
    paragraph is a heading, list or quote, where a sentence cannot be appended."""
    first = next((i for i in range(start, stop) if lines[i].strip()), None)
    if first is None or lines[first].lstrip()[:1] in "#-*>|<" or lines[first].lstrip()[:1].isdigit():
        return None
    last = first
    while last + 1 < stop and lines[last + 1].strip():
        last += 1
    return last


def insert_blocks(text: str, news: list[str], rest: list[str], lang: str, kind: str = "txt",
                  names: list[str] | None = None, news_inline: bool = False) -> str:
    """Put `news` paragraphs after the headers and the greeting (or at the top of the letter;
    `news_inline`: at the end of the first paragraph, as one sentence more) and `rest` before
    the sign-off or the signature (the sender's `names` find one without a sign-off), else at
    the end. A chat that opens with its greeting inline ("Hi all! We …") gets the news after its
    first paragraph. HTML gets `<p>` paragraphs; e-mail headers, front matter and the HTML head
    stay where they are."""
    lines = text.rstrip("\n").split("\n")
    bounds = _body_bounds(lines, kind)
    if bounds is None:
        return text
    start, end = bounds
    start = header_end(lines, lang, start)
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("# ")):
        start += 1  # blank lines and a Markdown title stay above the greeting and the news
    if kind == "html":
        if news_inline:  # one sentence more at the end of the first <p>…</p> paragraph
            from html import escape

            first = next((i for i in range(start, end) if lines[i].strip().lower().startswith("<p")
                          and lines[i].rstrip().lower().endswith("</p>")
                          and i >= (greeting_end([visible(ln) for ln in lines], lang, start) or start)), None)
            if first is not None:
                lines = [*lines]
                cut = lines[first].rstrip()[:-4]
                lines[first] = f"{cut} {escape(' '.join(news), quote=False)}</p>" if lang != "zh" else (
                    f"{cut}{escape(''.join(news), quote=False)}</p>")
                news = []
        news, rest = [_as_html(p) for p in news], [_as_html(p) for p in rest]
    greet = greeting_end(lines, lang, start) if news or rest else None
    head_end = greet if greet is not None else start
    sign = sign_off_index(lines[:end], lang) if rest else None
    if sign is None and rest and names:
        sign = signature_index(lines[:end], names)
    tail_start = sign if sign is not None and sign >= head_end else end
    if news and kind != "html":
        last = _paragraph_end(lines, head_end, tail_start)
        words = [w.lower() for w in rewrite_data(lang).get("greeting_words", [])]
        opening = next((visible(lines[i]).lower() for i in range(head_end, tail_start) if lines[i].strip()), "")
        inline_greeting = greet is None and any(opening.startswith(w) for w in words)
        if news_inline and last is not None:
            space = "" if lang == "zh" else " "
            lines = [*lines]
            lines[last] = lines[last].rstrip() + space + space.join(news)
            news = []
        elif inline_greeting and last is not None:
            head_end = last + 1
    head, body, tail = lines[:head_end], lines[head_end:tail_start], lines[tail_start:]

    def trimmed(block: list[str]) -> list[str]:
        while block and not block[0].strip():
            block = block[1:]
        while block and not block[-1].strip():
            block = block[:-1]
        return block

    parts = [trimmed(b) for b in ([*head], [ln for p in news for ln in (*p.split("\n"), "")], body,
                                  [ln for p in rest for ln in (*p.split("\n"), "")], tail)]
    return "\n\n".join("\n".join(p) for p in parts if p) + "\n"


MISSING_ORDER = ("missing-original-date", "missing-new-date", "missing-cause", "missing-impact",
                 "missing-mitigation", "missing-status", "missing-update-plan", "missing-apology",
                 "missing-contact")


def element_blocks(missing: list[str], facts: Facts) -> tuple[list[str], list[str]]:
    """Paragraphs for the missing elements, worded by the offline drafter's phrase data
    (`assistant/drafting/phrases`) and this rewrite's own sentences, filled from the facts:
    (news paragraphs, other paragraphs). The news names only the dates that are missing."""
    from assistant.drafting.offline import build_context, zh_spacing

    ctx = build_context(facts)
    p, lang = ctx["p"], facts.language
    own = rewrite_data(lang).get("sentences", {})
    sep = "" if lang == "zh" else " "
    news: list[str] = []
    if "missing-original-date" in missing and "missing-new-date" in missing:
        news = [p["news"]]
    elif "missing-original-date" in missing:
        news = [own["original_only"].replace("{original}", ctx["original"])]
    elif "missing-new-date" in missing:
        news = [own["new_only"].replace("{new}", ctx["new"])]
    rest: list[str] = []
    for check in missing:
        if check == "missing-cause":
            causes = ctx["causes"]
            lines = [sep.join(filter(None, (c["summary"], c["detail"]))) for c in causes]
            intro = p["cause_intro"] if len(causes) == 1 else p["causes_intro"]
            rest.append("\n".join([intro, *(lines if len(lines) == 1 else [f"- {ln}" for ln in lines])]))
        elif check == "missing-impact":
            rest.append(f"{p['impact_intro']}\n{ctx['impact'] or p['impact_derived']}")
        elif check == "missing-mitigation" and ctx["mitigations"]:
            rest.append("\n".join([p["mitigation_intro"], *(f"- {m}" for m in ctx["mitigations"])]))
        elif check == "missing-status" and (ctx["done"] or ctx["pending"]):
            lines = [p["status_intro"]]  # each list as the drafter says it: "Order tracking and invoices."
            if ctx["done"]:
                lines.append(f"{p['done_label']}{sep}{ctx['done_said']}")
            if ctx["pending"]:
                lines.append(f"{p['pending_label']}{sep}{ctx['pending_said']}")
            rest.append("\n".join(lines))
        elif check == "missing-update-plan":
            rest.append(p.get("update_plan") or p["update"])
        elif check == "missing-apology":
            rest.append(p["apology"])
        elif check == "missing-contact":
            rest.append(f"{ctx['contact_line']}{sep}{p['offer']}")
    if lang == "zh":  # "惠购商城 App 无法", "发邮件至 x@y 与我联系", as the drafter writes them
        news, rest = [zh_spacing(t) for t in news], [zh_spacing(t) for t in rest]
    return news, rest
