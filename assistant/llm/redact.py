"""Redaction: personal names, organisations, e-mails and phones never leave the machine.

With `--redact` (or `[llm] redact = true`) every such value - from the facts and any e-mail
or phone number found in free text - is replaced by a placeholder like `[CLIENT_CONTACT]`
before a request is built, and put back into the answer afterwards. The mapping is plain
data (placeholder -> original), so `redact` and `restore` are pure and exact inverses on
the values they know. Scanning is linear: e-mails are found from their '@', phones as runs
of phone characters, never with a backtracking pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.facts import Facts

Mapping = dict[str, str]  # placeholder -> original value

_HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dear"}
_LEGAL_SUFFIXES = (" ltd.", " ltd", " inc.", " inc", " llc", " gmbh", " co.", " plc", " limited",
                   "股份有限公司", "有限责任公司", "有限公司")
_EMAIL_LOCAL = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_EMAIL_DOMAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_PHONE_CHARS = set("0123456789+-. ()")
_DATE_SHAPE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}")
_MAX_PLACEHOLDER = 40


def find_emails(text: str) -> list[str]:
    """E-mail addresses in `text`, in order, each once (scanning outward from every '@')."""
    found: list[str] = []
    start_floor = 0
    for at in (i for i, ch in enumerate(text) if ch == "@"):
        left = at
        while left > start_floor and text[left - 1] in _EMAIL_LOCAL:
            left -= 1
        right = at + 1
        while right < len(text) and text[right] in _EMAIL_DOMAIN:
            right += 1
        local, domain = text[left:at].lstrip("."), text[at + 1:right].rstrip(".-")
        if local and "." in domain and not domain.startswith(".") and domain.rsplit(".", 1)[1].isalpha():
            email = f"{local}@{domain}"
            if email not in found:
                found.append(email)
        start_floor = max(start_floor, at + 1)
    return found


def find_phones(text: str) -> list[str]:
    """Phone numbers: runs of digits and `+-. ()` holding 7 to 15 digits that are not a date."""
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] not in _PHONE_CHARS:
            i += 1
            continue
        j = i
        while j < n and text[j] in _PHONE_CHARS:
            j += 1
        run = text[i:j]
        i = j
        begin = next((k for k, ch in enumerate(run) if ch.isdigit() or ch in "+("), None)
        end = next((k for k in range(len(run) - 1, -1, -1) if run[k].isdigit()), None)
        if begin is None or end is None or end < begin:
            continue
        candidate = run[begin:end + 1]
        digits = sum(ch.isdigit() for ch in candidate)
        if 7 <= digits <= 15 and not _DATE_SHAPE.fullmatch(candidate) and candidate not in found:
            found.append(candidate)
    return found


_CJK_HONORIFICS = ("先生", "女士", "小姐", "经理", "老师", "总")
_NAME_JOINERS = "'’-‐"


def _is_name_token(token: str) -> bool:
    """A word of a name in any script: letters, with apostrophes or hyphens inside it."""
    return any(ch.isalpha() for ch in token) and all(ch.isalpha() or ch in _NAME_JOINERS or ch == "."
                                                     for ch in token)


def _is_cjk(ch: str) -> bool:
    return "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"


def _name_parts(name: str) -> list[str]:
    """Every part of a name a text may use alone, in any script: 'Ms. Chen Wei' -> ['Chen', 'Wei'],
    "Siobhán O'Brien" -> ['Siobhán', "O'Brien", 'Brien'], 'Patel-Ramanathan' -> ['Patel', 'Ramanathan'],
    '陈伟' -> ['伟', '陈先生', '陈女士', ...] (a Chinese surname is used with an honorific)."""
    tokens = [t.strip(".,;:()") for t in name.split()]
    tokens = [t for t in tokens if t and t.lower().rstrip(".") not in _HONORIFICS]
    parts: list[str] = []
    for token in tokens:
        if not _is_name_token(token):
            continue
        if all(_is_cjk(ch) for ch in token):
            for honorific in _CJK_HONORIFICS:
                if token.endswith(honorific) and len(token) > len(honorific):
                    token = token[: -len(honorific)]
            if len(token) >= 2:
                parts.append(token[1:] if len(token) <= 3 else token[2:])  # the given name
                surname = token[:1] if len(token) <= 3 else token[:2]
                parts.extend(surname + h for h in _CJK_HONORIFICS)
            parts.append(token)
            continue
        parts.append(token)
        pieces = [p for p in re.split(r"[-‐'’]", token) if p]
        if len(pieces) > 1:
            parts.extend(p for p in pieces if len(p) >= 2)
    out: list[str] = []
    for part in parts:
        if part != name and part not in out and (len(part) >= 2 or any(_is_cjk(c) for c in part)):
            out.append(part)
    return out


def _short_organisation(name: str) -> str | None:
    """'Harbour Logistics Ltd' -> 'Harbour Logistics'; None when there is no legal suffix."""
    lowered = name.lower()
    for suffix in _LEGAL_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: len(name) - len(suffix)].rstrip(" ,")
    return None


_GREETINGS = ("dear ", "hi ", "hello ", "hey ", "good morning ", "good afternoon ", "尊敬的", "亲爱的")
_CLOSINGS = ("best", "kind regards", "regards", "warm regards", "many thanks", "thanks", "thank you",
             "sincerely", "yours", "cheers", "all the best", "此致", "敬礼", "谢谢", "祝好", "顺祝")
_ZH_GREETING_TAIL = ("您好", "你好")


@lru_cache(maxsize=1)
def _not_names() -> dict[str, dict[str, frozenset[str]]]:
    """Per language, the addressees and role words that are never a person's name (data file)."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load((files("assistant") / "data" / "redact.yaml").read_text(encoding="utf-8"))
    return {lang: {key: frozenset(str(v).lower() for v in values) for key, values in entry.items()}
            for lang, entry in data.items()}


def _words(line: str) -> list[str]:
    return [w.strip(".,;:()!?'\"").lower() for w in re.split(r"[\s,/|·–—-]+", line) if w.strip(".,;:()!?'\"")]


def _is_addressee(name: str) -> bool:
    """'team', 'all', 'Sir or Madam', '各位': a greeting to a group or a role, not to a person."""
    lowered = name.strip().lower()
    lists = _not_names()
    if lowered in lists["en"]["addressees"] or lowered in lists["zh"]["addressees"]:
        return True
    words = _words(lowered)
    return bool(words) and all(w in lists["en"]["addressees"] or w in lists["en"]["role_words"]
                               or w in _HONORIFICS for w in words)


def _is_role_line(line: str) -> bool:
    """A signature line naming a role or a company ('Project manager', 'Northwind Software Ltd',
    '项目经理'), or holding a number or an address (found by their own scans)."""
    if any(ch.isdigit() or ch in "@/:" for ch in line):
        return True
    roles = _not_names()
    if any(w in roles["en"]["role_words"] for w in _words(line)):
        return True
    return any(word in line for word in roles["zh"]["role_words"])


def _looks_like_person(line: str) -> bool:
    """One to three words of a name ('Siobhán O'Brien', 'Dr. Jean-Luc Ødegaard', '李娜')."""
    tokens = [t for t in line.split() if t.lower().rstrip(".") not in _HONORIFICS]
    if not 1 <= len(tokens) <= 3 or not all(_is_name_token(t.strip(".,")) for t in tokens):
        return False
    return all(_is_cjk(t[0]) or t[0].isupper() for t in tokens)


def find_greeting_and_signature(text: str) -> list[str]:
    """Without facts: the name after the greeting ('Dear Ms. Müller,') and the name lines of the
    signature after a closing ('Kind regards,' then 'Siobhán O'Brien'), as far as they can be found.
    A greeting to a group ('Dear team') and role or company lines ('Project manager') are not names."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.lower().startswith(("subject:", "to:", "from:", "主题"))]
    names: list[str] = []
    if lines:
        first = lines[0].rstrip(",，:：!！")
        lowered = first.lower()
        for greeting in _GREETINGS:
            if lowered.startswith(greeting) and len(first) > len(greeting):
                names.append(first[len(greeting):].strip())
                break
        else:
            for tail in _ZH_GREETING_TAIL:
                if first.endswith(tail) and len(first) > len(tail):
                    names.append(first[: -len(tail)].rstrip(",，、 "))
    names = [n for n in names if not _is_addressee(n)]
    for k in range(len(lines) - 1, -1, -1):
        if lines[k].lower().rstrip(",，:：!！. ").startswith(_CLOSINGS) and len(lines[k]) <= 40:
            names.extend(ln for ln in lines[k + 1:k + 4] if len(ln) <= 80 and not _is_role_line(ln))
            break
    return [n for n in names if n]


def build_mapping(facts: Facts | None = None, texts: Iterable[str] = ()) -> Mapping:
    """Placeholders for the people and contacts in `facts`, plus e-mails and phones in `texts`."""
    mapping: Mapping = {}
    seen: set[str] = set()

    def add(placeholder: str, value: str | None) -> None:
        if value and value.strip() and value not in seen and placeholder not in mapping:
            mapping[placeholder] = value
            seen.add(value)

    if facts is not None:
        people = (("CLIENT_CONTACT", facts.client.contact), ("SENDER_NAME", facts.sender.name))
        orgs = (("CLIENT_ORGANISATION", facts.client.organisation),
                ("SENDER_ORGANISATION", facts.sender.organisation))
        for label, value in people + orgs:
            add(f"[{label}]", value)
        add("[CLIENT_EMAIL]", facts.client.email)
        add("[SENDER_EMAIL]", facts.sender.email)
        add("[SENDER_PHONE]", facts.sender.phone)
        for label, value in orgs:
            add(f"[{label}_SHORT]", _short_organisation(value) if value else None)
        for label, value in people:
            for k, part in enumerate(_name_parts(value), start=1):
                add(f"[{label}_PART{k}]", part)
        free = [c.summary for c in facts.causes] + [c.detail or "" for c in facts.causes]
        free += [facts.impact or "", *facts.mitigations, *facts.completed, *facts.pending]
        free += [p.name for p in facts.phases] + [t for p in facts.phases for t in p.tasks]
        texts = [*free, *texts]
    texts = list(texts)
    if facts is None:  # the greeting's name and the signature, as far as they can be found
        found = [n for t in texts for n in find_greeting_and_signature(t)]
        for k, name in enumerate(dict.fromkeys(found), start=1):
            add(f"[NAME_{k}]", name)
        parts = [p for n in found if _looks_like_person(n) for p in _name_parts(n) if p not in seen]
        for k, part in enumerate(dict.fromkeys(parts), start=1):
            add(f"[NAME_PART{k}]", part)
    emails = [e for t in texts for e in find_emails(t)]
    phones = [p for t in texts for p in find_phones(t)]
    for k, email in enumerate(dict.fromkeys(e for e in emails if e not in seen), start=1):
        add(f"[EMAIL_{k}]", email)
    for k, phone in enumerate(dict.fromkeys(p for p in phones if p not in seen), start=1):
        add(f"[PHONE_{k}]", phone)
    return mapping


def _alternation(values: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any value, longest first; values with a letter or digit at an edge
    (in any alphabetic script but Chinese, Japanese and Korean) only as whole words."""
    parts = []
    for value in sorted(set(values), key=len, reverse=True):
        piece = re.escape(value)
        if value[0].isalnum() and not _is_cjk(value[0]):
            piece = r"(?<![^\W_])" + piece
        if value[-1].isalnum() and not _is_cjk(value[-1]):
            piece += r"(?![^\W_])"
        parts.append(piece)
    return re.compile("|".join(parts)) if parts else None


def redact(text: str, mapping: Mapping) -> str:
    """Replace every original value in `text` by its placeholder (one pass, longest value first)."""
    pattern = _alternation(mapping.values())
    if pattern is None:
        return text
    reverse = {v: k for k, v in mapping.items()}
    return pattern.sub(lambda m: reverse[m.group(0)], text)


def restore(text: str, mapping: Mapping) -> str:
    """Put the original values back where the placeholders are (one pass)."""
    if not mapping:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], text)


NO_FACTS_WARNING = ("--redact without --facts replaces the e-mails, phone numbers, the greeting's name and the "
                    "signature it finds, but cannot guarantee that no other name in the draft is sent")


def redact_data(data: Any, mapping: Mapping) -> Any:
    """`redact` applied to every string inside nested lists and dicts (facts as data)."""
    if isinstance(data, str):
        return redact(data, mapping)
    if isinstance(data, list):
        return [redact_data(v, mapping) for v in data]
    if isinstance(data, dict):
        return {k: redact_data(v, mapping) for k, v in data.items()}
    return data


def streaming_restorer(mapping: Mapping, sink: Callable[[str], None]) -> tuple[Callable[[str], None], Callable[[], None]]:
    """(feed, flush) for streamed text: a placeholder split across chunks is held back until
    complete, so the person watching sees the real names, never `[CLIENT_CO` + `NTACT]`."""
    pending = [""]

    def feed(chunk: str) -> None:
        text = pending[0] + chunk
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut < _MAX_PLACEHOLDER:
            ready, pending[0] = text[:cut], text[cut:]
        else:
            ready, pending[0] = text, ""
        if ready:
            sink(restore(ready, mapping))

    def flush() -> None:
        if pending[0]:
            sink(restore(pending[0], mapping))
            pending[0] = ""

    return feed, flush
