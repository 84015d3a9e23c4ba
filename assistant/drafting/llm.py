"""Drafting with an LLM: facts in, a notice out, guarded, checked and revised until it holds up.

The model gets the strings to copy exactly (dates with their weekdays from `assistant.dates`,
names, contact details) and the facts in the order the notice tells them (`brief`), so a
small model copies instead of inventing. Every answer is cleaned of commentary and goes
through the rule checks (`assistant.checks.check_draft`) and the sendable guards
(`assistant.guards`: placeholders, facts traced to the facts, required elements). While an
error, or a warning a client would distrust (`FIXABLE_WARNINGS`), remains, the model is asked
to revise, each finding quoted with its suggestion, up to `max_revisions` times; the best
answer is kept. `Draft.findings` says what still fails; `Draft.usage` totals tokens (None
where the server did not say).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from assistant.dates import format_date, format_delay, format_duration
from assistant.drafting import Draft, Usage
from assistant.facts import Facts, facts_to_data
from assistant.findings import Finding

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.llm.client import Completion

LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)"}
SUBJECT_PREFIXES = ("subject:", "subject：", "主题：", "主题:", "标题：", "标题:")
# Findings about the facts themselves, which no rewording can fix.
UNFIXABLE = {"late-notice"}
# Warnings a revision is asked to fix too (errors always are).
# Low temperature: a notice copies facts, it does not invent; small models wander at 0.8.
TEMPERATURE = 0.2
# A revision at 0.2 mostly repeated the first answer word for word (measured on the 1.5B model).
REVISION_TEMPERATURE = 0.5
MAX_TOKENS = 1500  # a long meeting outline fits; a model that loops is cut off and re-asked
FIXABLE_WARNINGS = {"hedging", "vague-timeline", "jargon", "overpromise", "blame-shifting"}


def derived_texts(facts: Facts) -> dict[str, object]:
    """Dates and durations spelled out from the facts, for the model to copy verbatim."""
    lang = facts.language
    data: dict[str, object] = {
        "original_date": format_date(facts.original_date, lang),
        "new_date": format_date(facts.new_date, lang),
        "notice_date": format_date(facts.notice_date, lang),
        "next_update": format_date(facts.next_update, lang),
        "delay": format_delay(facts.original_date, facts.new_date, lang),
        "delay_length": format_duration(facts.delay_days, lang),
        "update_cadence": facts.updates.cadence,
    }
    if facts.phases:
        data["phases"] = [{"name": p.name, "due": format_date(p.due, lang)} for p in facts.phases]
    return data


def _labels(lang: str, settings: Settings) -> dict[str, Any]:
    from assistant.llm.prompts import load_prompt

    return yaml.safe_load(load_prompt(f"{lang}/labels.yaml", settings))


def brief(facts: Facts, settings: Settings, mapping: dict[str, str] | None = None) -> tuple[str, str]:
    """The two lists a small model follows: the strings to copy exactly (dates with their
    weekdays, names, contact details) and the facts in the order the notice gives them.
    With `mapping` every name and contact is redacted before it is written."""
    from assistant.llm.redact import redact_data

    lang = facts.language
    data = facts_to_data(facts)
    if mapping:
        data = redact_data(data, mapping)
    lab = _labels(lang, settings)
    derived = derived_texts(facts)
    client, sender = data["client"], data["sender"]
    signer = ", ".join(str(sender[k]) for k in ("name", "role", "organisation") if sender.get(k))
    to = ", ".join(str(client[k]) for k in ("contact", "organisation") if client.get(k))
    copy = [(lab["project"], data["project"]), (lab["client"], to),
            (lab["original_date"], derived["original_date"]), (lab["new_date"], derived["new_date"]),
            (lab["delay"], derived["delay"]), (lab["next_update"], derived["next_update"]),
            (lab["cadence"], lab["cadence_words"][facts.updates.cadence]), (lab["sender"], signer)]
    contacts = [str(sender[k]) for k in ("email", "phone") if sender.get(k)]
    if sender.get("email"):
        copy.append((lab["sender_email"], sender["email"]))
    if sender.get("phone"):
        copy.append((lab["sender_phone"], sender["phone"]))
    copy_list = "\n".join(f"- {k}: {v}" for k, v in copy)
    lines = [lab["news"].format(project=data["project"], original=derived["original_date"],
                                new=derived["new_date"], delay=derived["delay"])]
    for cause in data["causes"]:
        lines.append(f"{lab['cause']}: {cause['summary']}" + (f" ({cause['detail']})" if cause.get("detail") else ""))
    if data.get("impact"):
        lines.append(f"{lab['impact']}: {data['impact']}")
    if data.get("phases"):
        lines.append(f"{lab['timeline']}:")
        for phase, shown in zip(data["phases"], derived["phases"], strict=True):
            status = f" ({lab['status'][phase['status']]})" if phase.get("status") else ""
            tasks = f": {'; '.join(phase['tasks'])}" if phase.get("tasks") else ""
            lines.append(f"  - {phase['name']}, {lab['phase_due']} {shown['due']}{status}{tasks}")
    lines.append(f"{lab['steps']}:")
    lines += [f"  - {m}" for m in data["mitigations"]]
    if data.get("completed"):
        lines.append(f"{lab['done']}: {'; '.join(data['completed'])}")
    if data.get("pending"):
        lines.append(f"{lab['remaining']}: {'; '.join(data['pending'])}")
    lines.append(lab["update"].format(next=derived["next_update"], cadence=lab["cadence_words"][facts.updates.cadence]))
    if contacts:
        lines.append(lab["contact"].format(contacts=", ".join(contacts)))
    return copy_list, "\n".join(f"{i}. {line}" if not line.startswith("  ") else line
                                  for i, line in _numbered(lines))


def _numbered(lines: list[str]) -> list[tuple[int, str]]:
    out, n = [], 0
    for line in lines:
        if not line.startswith("  "):
            n += 1
        out.append((n, line))
    return out


def draft_messages(facts: Facts, settings: Settings, mapping: dict[str, str] | None = None) -> list[dict[str, str]]:
    """The system and user messages that ask for a notice (facts redacted when `mapping`). The
    system prompt depends on the language only (style and one worked example), so a server
    that caches prompt prefixes reads it once per language."""
    from assistant.llm.prompts import fill, load_prompt, render_prompt
    from assistant.llm.redact import redact, redact_data

    lang = facts.language
    lab = _labels(lang, settings)
    copy_list, facts_list = brief(facts, settings, mapping)
    contact = redact(facts.client.contact, mapping) if mapping else facts.client.contact
    output = "output_email.md" if facts.channel == "email" else "output_other.md"
    values = {
        "language_name": LANGUAGE_NAMES[lang],
        "what": lab["what"][facts.channel],
        "tone": lab["tone"][facts.tone],
        "channel_shape": fill(load_prompt(f"channels/{facts.channel}.md", settings).strip(),
                              {"im_limit": str(settings.draft.options().im_limit(lang)),
                               "greeting": lab["greeting"].format(contact=contact)}),
        "output_format": load_prompt(f"{lang}/{output}", settings).strip(),
        "copy_list": copy_list,
        "facts_list": facts_list,
        # for prompt folders written for the earlier prompts: the facts and their date texts as JSON
        "facts_json": json.dumps(redact_data(facts_to_data(facts), mapping) if mapping else facts_to_data(facts),
                                 ensure_ascii=False, indent=2),
        "derived_json": json.dumps(derived_texts(facts), ensure_ascii=False, indent=2),
    }
    system = fill(load_prompt("system_draft.md", settings).strip(), {
        "style": load_prompt(f"{lang}/style.md", settings).strip(),
        "example": load_prompt(f"{lang}/example.md", settings).strip()})
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": render_prompt("draft.md", values, settings).strip()},
    ]


def unwrap_answer(text: str) -> str:
    """Drop a reasoning block (`<think>...</think>`, from local reasoning models) and a code
    fence wrapped around the whole answer (some models add one). Shared with the LLM rewrite."""
    text = text.strip()
    if text.startswith("<think>") and "</think>" in text:
        text = text.split("</think>", 1)[1].strip()
    lines = text.split("\n")
    if len(lines) >= 2 and lines[0].startswith("```") and lines[-1].strip() == "```":
        return "\n".join(lines[1:-1])
    return text.strip()


def parse_answer(text: str, facts: Facts) -> Draft:
    """The model's text as a Draft: commentary around the notice removed (recorded in
    `Draft._removed`), a leading `Subject:` line as the subject (e-mail only); an e-mail
    without one gets the offline drafter's subject."""
    from assistant.guards import strip_commentary

    body, removed = strip_commentary(unwrap_answer(text), facts.language)
    subject: str | None = None
    first, _, rest = body.partition("\n")
    if first.strip().lstrip("*#").strip().lower().startswith(SUBJECT_PREFIXES):
        head = first.strip().lstrip("*#").strip()
        cut = min(i for i in (head.find(":"), head.find("：")) if i >= 0)
        subject = head[cut + 1:].strip().strip("*").strip() or None
        body = rest.lstrip("\n")
    if facts.channel != "email":
        subject = None
    elif subject is None:
        from assistant.drafting.offline import default_subject

        subject = default_subject(facts)
    draft = Draft(language=facts.language, channel=facts.channel, subject=subject, body=body.strip() + "\n")
    draft._removed = removed
    return draft


def _stream_target() -> TextIO | None:
    """Where a streamed answer is shown: the terminal (stdout if it is one, so the CLI need not
    print the result again; else stderr if that is one); nowhere when nobody is watching."""
    if sys.stdout.isatty():
        return sys.stdout
    if sys.stderr.isatty():
        return sys.stderr
    return None


def _writer(target: TextIO) -> Callable[[str], None]:
    def write(chunk: str) -> None:
        target.write(chunk)
        target.flush()

    write.to_stdout = target is sys.stdout  # type: ignore[attr-defined]
    return write


def _to_fix(findings: list[Finding]) -> list[Finding]:
    """What a revision is asked to fix: every error the wording can fix, and the warnings that
    make a client distrust a notice (hedges, vague times, jargon, guarantees, blame)."""
    return [f for f in findings if f.check not in UNFIXABLE
            and (f.severity == "error" or f.check in FIXABLE_WARNINGS)]


def review(draft: Draft, facts: Facts, settings: Settings) -> list[Finding]:
    """The rule checks plus the sendable guards (`assistant.guards`) on one LLM draft, with the
    configuration's `disable` and `severity` applied to the guards' findings too."""
    from assistant.checks import check_draft, draft_text
    from assistant.guards import guard_findings, merge_findings

    guards = guard_findings(draft_text(draft.subject, draft.body), facts.language, facts=facts,
                            example_facts=example_facts(facts.language, settings))
    guards = [g if g.check not in settings.severity else g.model_copy(update={"severity": settings.severity[g.check]})
              for g in guards if g.check not in settings.disable]
    return merge_findings(check_draft(draft, facts, settings), guards)


def example_facts(lang: str, settings: Settings) -> list[str]:
    """The facts of the prompt's worked example (`<lang>/example_facts.yaml`), which no draft may carry."""
    from assistant.errors import InputError
    from assistant.llm.prompts import load_prompt

    try:
        return [str(x) for x in yaml.safe_load(load_prompt(f"{lang}/example_facts.yaml", settings)) or []]
    except InputError:  # a prompts folder of its own without the list
        return []


def _mended(draft: Draft, found: list[Finding], facts: Facts, settings: Settings) -> tuple[Draft, list[Finding], list[str]]:
    """The draft mended from the facts (`assistant.guards.mend`), then its hedges, vague times,
    guarantees and blame reworded by the offline rewrite's clause edits where those are safe,
    each step kept only when it leaves the draft better by `badness`; with its findings and what
    was changed. A draft that needs neither comes back as it was."""
    from assistant.guards.mend import ADDABLE, mend

    changes: list[str] = []
    if any((f.severity == "error" and f.check in ("fact-mismatch", "placeholder")) or f.check in ADDABLE
           for f in found):
        subject, body, made = mend(draft.subject, draft.body, found, facts)
        if made:
            trial = draft.model_copy(update={"subject": subject, "body": body})
            trial_found = review(trial, facts, settings)
            if badness(trial_found) < badness(found):
                draft, found, changes = trial, trial_found, made
    wording = [f for f in found if f.check in FIXABLE_WARNINGS]
    if wording:
        from assistant.checks import draft_text
        from assistant.rewrite_offline import apply_edits, word_edits

        text = draft_text(draft.subject, draft.body)
        edits = word_edits(text, wording, facts, facts.language)
        if edits:
            new = apply_edits(text, edits)
            subject, body = (new.split("\n\n", 1) if draft.subject and "\n\n" in new else (draft.subject, new))
            trial = draft.model_copy(update={"subject": subject, "body": body})
            trial_found = review(trial, facts, settings)
            if badness(trial_found) < badness(found):
                draft, found = trial, trial_found
                changes += [f"{text[a:b]!r} -> {rep!r}" if b > a else f"added {rep!r} after {text[max(0, a - 12):a]!r}"
                            for a, b, rep in edits]
    return draft, found, changes


def badness(findings: list[Finding]) -> tuple[int, int, int]:
    """How far a draft is from sendable, for keeping the best of several answers."""
    return (sum(f.severity == "error" for f in findings), len(_to_fix(findings)),
            sum(f.severity == "warning" for f in findings))


def revise_messages(messages: list[dict[str, str]], answer: str, findings: list[Finding],
                    settings: Settings) -> list[dict[str, str]]:
    """The conversation so far plus a request to fix `findings`, each quoted with its suggestion."""
    from assistant.llm.prompts import render_prompt

    lines: list[str] = []
    for f in findings:
        where = f'"{f.text}": ' if f.text and len(f.text) <= 80 and "\n" not in f.text else ""
        hint = f" Fix: {f.suggestion}" if f.suggestion else ""
        line = f"- {where}{f.message}{hint}"
        if line not in lines:  # the same placeholder five times is one thing to fix
            lines.append(line)
    note = render_prompt("revise.md", {"findings": "\n".join(lines)}, settings).strip()
    return [*messages, {"role": "assistant", "content": answer}, {"role": "user", "content": note}]


def draft_with_llm(
    facts: Facts,
    settings: Settings,
    *,
    max_revisions: int = 2,
    stream: bool = True,
    verbose: bool = False,
    use_cache: bool = True,
    stream_to: Callable[[str], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> Draft:
    """Draft with the configured model, then check and revise (see the module docstring).

    `stream` asks the server to stream; the text is shown as it arrives on the terminal, or
    passed to `stream_to` when given. `verbose` reports tokens per call and in total, and what
    was removed around the notice, through `log` (stderr by default). The draft returned is
    the best answer of all rounds (fewest errors, then fewest findings to fix). Raises
    `LLMServiceError` (exit 3) when the service fails.
    """
    from assistant.checks import draft_text
    from assistant.llm.client import add_usage, complete
    from assistant.llm.redact import build_mapping

    say = log or (lambda line: print(f"delaynote: {line}", file=sys.stderr, flush=True))
    sink = stream_to
    if stream and sink is None:
        target = _stream_target()
        # nobody watching: still stream, so a cut answer keeps its partial text
        sink = _writer(target) if target is not None else _discard
    watched = sink is not None and sink is not _discard
    mapping = build_mapping(facts) if settings.llm.redact else None

    messages = draft_messages(facts, settings, mapping)
    total = Usage()

    def ask(msgs: list[dict[str, str]], label: str) -> Completion:
        nonlocal total
        answer = complete(msgs, settings, stream_to=sink, use_cache=use_cache, redaction=mapping,
                          notify=say, on_retry=say if verbose else None,
                          temperature=TEMPERATURE if label == "draft" else REVISION_TEMPERATURE,
                          max_tokens=MAX_TOKENS)
        if watched and not answer.text.endswith("\n"):
            sink("\n")
        total = add_usage(total, answer.usage)
        if verbose:
            origin = " (from the cache)" if answer.cached else ""
            say(f"{label}: {answer.usage.describe()}, {answer.usage.calls} request(s){origin}")
        return answer

    def take(answer: Completion) -> tuple[Draft, list[Finding]]:
        from assistant.guards.repair import repair

        draft = parse_answer(answer.text, facts)
        draft.body, swapped = repair(draft.body, facts.language, facts)
        if verbose:
            for what in draft._removed:
                say(f"removed text around the notice that was not part of it: {what!r}")
            for what in swapped:
                say(f"replaced what the facts contradict: {what}")
        draft._repaired = swapped
        found = review(draft, facts, settings)
        rounds.append((draft_text(draft.subject, draft.body), found))
        return draft, found

    rounds: list[tuple[str, list[Finding]]] = []
    answer = ask(messages, "draft")
    draft, findings = take(answer)
    best, best_findings, best_round = draft, findings, 0
    for round_ in range(1, max_revisions + 1):
        to_fix = _to_fix(findings)
        if not to_fix:
            break
        if verbose or watched:
            checks = ", ".join(sorted({f.check for f in to_fix}))
            say(f"the draft above needs fixing ({checks}); revision {round_} of at most {max_revisions} follows")
        messages = revise_messages(messages, answer.text, to_fix, settings)
        answer = ask(messages, f"revision {round_}")
        draft, findings = take(answer)
        if badness(findings) <= badness(best_findings):
            best, best_findings, best_round = draft, findings, round_
    # what the model left wrong and the facts say exactly how to put right, put right without it
    mended_best, mended_findings, mended = _mended(best, best_findings, facts, settings)
    if mended:
        mended_best._repaired = [*best._repaired, *mended]
        mended_best._mended = mended
        best, best_findings = mended_best, mended_findings
        rounds.append((draft_text(best.subject, best.body), best_findings))
        if verbose:
            for what in mended:
                say(f"mended from the facts: {what}")
        else:  # the text differs from the model's answer: say so, even unasked
            say(f"mended from the facts: {len(mended)} change{'s' if len(mended) != 1 else ''} to the model's "
                "answer (-v lists them)")
    if verbose:
        say(f"total: {total.describe()}, {total.calls} request(s)")
    best.findings = best_findings
    best.usage = total
    best._rounds = rounds
    best._shown = (bool(getattr(sink, "to_stdout", False)) and best_round == len(rounds) - 1 and not best._removed
                   and not best._repaired)
    return best


def _discard(_chunk: str) -> None:
    """A stream sink for when nobody watches."""
