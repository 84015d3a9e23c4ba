"""Guards on an LLM answer before anyone sees it as final: is it a notice that can be sent?

A model's answer can read well and still be unsendable: commentary around the notice ("Here is
the revised email:", "--- The response is re-written…", Markdown fences), placeholders it made up
(`[Your Name]`, `XX月XX日`), facts it invented (a date, a weekday that does not go with its
date, a number, a name, a phone number) or facts it dropped (a mitigation, the next update
date, the sender's contact details). The rule checks (`assistant.checks`) judge a notice as a
*template* too, where a placeholder is a slot to fill; these guards judge an answer meant to
be *sent*, so there a placeholder is an error.

`strip_commentary` cuts what is about the notice and says what it cut; `guard_findings`
returns `placeholder`, `fact-mismatch` and `missing-*` findings with positions in the text.
Every fact is traced to a *source*: the facts (with the date texts derived from them) and,
for a rewrite, the original draft. Cue words live in `data/guards/<lang>.yaml`; every scan is
one pass over lines or tokens (no backtracking patterns).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.findings import Finding
from assistant.guards.commentary import strip_commentary
from assistant.guards.data import PLACEHOLDER, guard_data
from assistant.guards.required import required_findings
from assistant.guards.trace import (
    Source,
    build_source,
    called_email_findings,
    copied_findings,
    placeholder_findings,
    untraced_findings,
)

if TYPE_CHECKING:
    from assistant.facts import Facts

__all__ = ["PLACEHOLDER", "Source", "build_source", "called_email_findings", "copied_findings", "guard_data", "guard_findings", "merge_findings",
           "placeholder_findings", "required_findings", "strip_commentary", "untraced_findings"]


def guard_findings(text: str, lang: str, *, facts: Facts | None, original: str | None = None,
                   to_fill: frozenset[str] = frozenset(), example_facts: list[str] | None = None) -> list[Finding]:
    """Every guard finding on one answer (positions in `text`). `example_facts` are the facts of
    the worked example the prompt showed (a draft must not carry them)."""
    source = build_source(facts, original, lang)
    found = placeholder_findings(text, lang, source, to_fill=to_fill) + untraced_findings(text, lang, source, facts)
    found += called_email_findings(text, lang)
    if example_facts:
        taken = {(f.line, f.column) for f in found}
        found += [f for f in copied_findings(text, lang, source, example_facts) if (f.line, f.column) not in taken]
    if facts is not None:
        found += required_findings(text, lang, facts)
    return found


def merge_findings(rules: list[Finding], guards: list[Finding]) -> list[Finding]:
    """Rule findings plus guard findings: a guard's `missing-*` replaces the rule's vaguer one of
    the same check, and a guard finding on the same span and check as a rule finding is dropped."""
    guard_missing = {g.check for g in guards if g.line is None}
    kept = [f for f in rules if not (f.line is None and f.check in guard_missing)]
    spans = {(f.check, f.line, f.column) for f in kept if f.line is not None}
    kept += [g for g in guards if g.line is None or (g.check, g.line, g.column) not in spans]
    return sorted(kept, key=lambda f: (f.line is None, f.line or 0, f.column or 0))
