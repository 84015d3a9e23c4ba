"""The catalogue of checks (SPEC §4), read from `data/catalogue.yaml`.

One source for ids, principles, default severities, titles, `why` and examples, so the
checks, `delaynote rules` and the SARIF rule help can never disagree.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from assistant.checks.datafiles import read_data
from assistant.errors import InputError


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Check id -> its entry (principle, severity, title, why, examples)."""
    return read_data("catalogue.yaml")


CHECK_IDS: tuple[str, ...] = (
    "late-notice", "missing-original-date", "missing-cause", "jargon", "blame-shifting",
    "missing-new-date", "vague-timeline", "missing-mitigation", "overpromise", "missing-impact",
    "missing-status", "hedging", "missing-update-plan", "missing-apology", "over-apology",
    "long-sentence", "fact-mismatch", "missing-contact",
)
UPDATE_CHECK_IDS: tuple[str, ...] = ("missing-date-status", "fact-drift", "missed-update")
"""Checks of progress updates only (`delaynote update`): they need the history of sent messages, so
`check` on a plain notice never runs them, the LLM judge is not asked about them, and SARIF lists
the CHECK_IDS above. `rules`, the configuration and eval cases know every id."""
ALL_CHECK_IDS: tuple[str, ...] = CHECK_IDS + UPDATE_CHECK_IDS
CHECK_ORDER: dict[str, int] = {check_id: i for i, check_id in enumerate(ALL_CHECK_IDS)}  # catalogue (SARIF rule) order


def rule_entry(check_id: str) -> dict[str, Any]:
    """One check's catalogue entry with its id, or `InputError` naming the closest ids."""
    entries = catalogue()
    if check_id in entries:
        return {"id": check_id, **entries[check_id]}
    import difflib

    close = difflib.get_close_matches(check_id, list(entries), n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(close)}?" if close else "run `delaynote rules` to list every check."
    raise InputError(f"unknown check {check_id!r}; {hint}")


def _rule_text(entry: dict[str, Any]) -> str:
    """A ruff-style page for one check: what, why, and a bad and a good example per language."""
    lines = [f"{entry['id']}  ({entry['severity']}, {entry['principle']})",
             f"  {entry['title']['en']} / {entry['title']['zh']}", ""]
    why = entry.get("why", {})
    for lang, label in (("en", "Why"), ("zh", "为什么")):
        if why.get(lang):
            lines += [f"  {label}:", *_indent(why[lang], 4), ""]
    for key, lead in (("facts", "Checked against the facts file, e.g.:"),
                      ("history", "Runs on progress updates (`delaynote update`), against what was sent, e.g.:")):
        given = entry.get(key)
        if not given:
            continue
        lines.append(f"  {lead}")
        if given.get("bad") == given.get("good"):  # the texts differ, the setting does not
            lines.append("    both: " + ", ".join(f"{k}: {v}" for k, v in given["bad"].items()))
            lines.append("")
            continue
        for kind in ("bad", "good"):
            if kind in given:
                pairs = ", ".join(f"{k}: {v}" for k, v in given[kind].items())
                lines.append(f"    {kind}: {pairs}")
        lines.append("")
    for lang in ("en", "zh"):
        example = entry.get("examples", {}).get(lang) or {}
        for kind, mark in (("bad", "✗ bad"), ("good", "✓ good")):
            if example.get(kind):
                lines += [f"  {mark} ({lang}):", *_indent(example[kind], 4)]
        lines.append("")
    other = "warning" if entry["severity"] == "info" else "info"
    lines += [f'  Configure: disable = ["{entry["id"]}"] or [severity] {entry["id"]} = "{other}"'
              " in delaynote.toml;",
              f"  in a draft: <!-- delaynote-disable-next-line {entry['id']} -->"]
    return "\n".join(lines).rstrip() + "\n"


def _indent(text: str, width: int) -> list[str]:
    """A paragraph as one line indented by `width` (its whitespace runs made single spaces);
    `render_rules` wraps the page to the terminal, if any."""
    return [" " * width + " ".join(str(text).split())]


def render_rules(check_id: str | None, fmt: str = "text", width: int | None = None) -> str:
    """`delaynote rules [CHECK_ID]`: every check (or one) with why and examples, as text or JSON.
    The text is wrapped to `width` columns on word boundaries (CJK-aware, `assistant.wrap`) with
    each paragraph's indent kept; None: one line per paragraph, as for a pipe."""
    entries = [rule_entry(check_id)] if check_id else [{"id": c, **catalogue()[c]} for c in ALL_CHECK_IDS]
    if fmt == "json":
        import json

        return json.dumps(entries[0] if check_id else entries, ensure_ascii=False, indent=2)
    if fmt != "text":
        raise InputError(f"unknown format {fmt!r}; use text or json")
    from assistant.wrap import wrap_text

    return wrap_text("\n".join(_rule_text(e) for e in entries).rstrip("\n"), width)
