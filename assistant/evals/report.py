"""The eval result and its four renderings: text (people), json (scripts), junit (CI test
reports: one test case per drafting case and per check) and markdown (a pull-request comment)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict

from pydantic import BaseModel, Field

from assistant.evals.checker import CheckerResult, fmt_ratio
from assistant.evals.runner import CaseResult


class DrafterRun(BaseModel):
    """All cases under one provider (the main run, or a `--compare` variant)."""

    label: str
    provider: str
    model: str | None = None
    cases: list[CaseResult] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def rate(self, key: str, value: str) -> tuple[int, int]:
        """(passed, counted) over cases whose `key` (language, channel) equals `value`; a case that
        fails as its `known_issue` says is not counted either way."""
        chosen = [c for c in self.cases if getattr(c, key) == value and c.status != "known"]
        return sum(c.passed for c in chosen), len(chosen)

    def own_rate(self, key: str, value: str) -> tuple[int, int]:
        """As `rate`, for the model's own answers (before mending)."""
        chosen = [c for c in self.cases if getattr(c, key) == value and c.status != "known"]
        return sum(c.own_passed for c in chosen), len(chosen)

    def known(self, key: str, value: str) -> int:
        return sum(1 for c in self.cases if getattr(c, key) == value and c.status == "known")

    def values(self, key: str) -> list[str]:
        return sorted({getattr(c, key) for c in self.cases})


class EvalReport(BaseModel):
    """Everything one `delaynote eval` found; `passed` decides exit 0 or 1."""

    version: int = 1
    suite: str
    checker: CheckerResult | None = None
    heldout: CheckerResult | None = None
    drafter: DrafterRun
    compare: list[DrafterRun] = Field(default_factory=list)
    regressions: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    passed: bool = True


def _pct(passed: int, total: int) -> str:
    return f"{passed}/{total} ({100 * passed / total:.0f}%)" if total else "0/0"


def _unrecorded(case: CaseResult) -> bool:
    """A replayed case that failed only because nothing was recorded for its request."""
    from assistant.evals.replay import MISSING

    return bool(case.failures) and all(MISSING in f for f in case.failures)


def _differences(main: DrafterRun, other: DrafterRun, *, skip_unrecorded: bool = False) -> list[str]:
    theirs = {c.name: c for c in other.cases}
    out = []
    for case in main.cases:
        alt = theirs.get(case.name)
        if skip_unrecorded and alt is not None and (_unrecorded(alt) or _unrecorded(case)):
            continue
        if alt is not None and (alt.passed != case.passed or alt.own_passed != case.own_passed):
            why = (alt.failures or case.failures or alt.own_failures or case.own_failures)[:1]
            out.append(f"{case.name}: {main.label} {_verdict(case)}, {other.label} {_verdict(alt)}"
                       + (f" ({why[0]})" if why else ""))
    return out


def _verdict(case: CaseResult) -> str:
    if not case.passed:
        return "FAIL"
    return "pass" if case.own_passed else "pass only mended"


def render_text(report: EvalReport) -> str:
    lines: list[str] = []
    chk = report.checker
    if chk is not None:
        lines.append(f"Checker eval: {chk.files} labelled files in {chk.corpus}; overall precision "
                     f"{fmt_ratio(chk.precision)}, recall {fmt_ratio(chk.recall)}")
        lines.append(f"  {'check':<22} {'lang':<4} {'P':>5} {'R':>5} {'F1':>5} {'TP':>4} {'FP':>4} {'FN':>4}")
        for s in chk.stats:
            mark = "  FAIL " + ", ".join(s.failures) if s.failures else ""
            lines.append(f"  {s.check:<22} {s.language:<4} {fmt_ratio(s.precision):>5} {fmt_ratio(s.recall):>5} "
                         f"{fmt_ratio(s.f1):>5} {s.tp:>4} {s.fp:>4} {s.fn:>4}{mark}")
            lines += [f"      miss: {m}" for m in s.misses]
        lines.append("")
    held = report.heldout
    if held is not None:
        lines.append(f"Held-out corpus (not tuned on; reported, no threshold): {held.files} files in {held.corpus}; "
                     f"precision {fmt_ratio(held.precision)}, recall {fmt_ratio(held.recall)}")
        # Counts only, never file names: naming the misses invites tuning the rules on these files.
        lines += [f"  {s.check:<22} {s.language:<4} P {fmt_ratio(s.precision):>5} R {fmt_ratio(s.recall):>5}"
                  f"  {len(s.misses)} miss(es): {s.fn} not fired, {s.fp} fired wrongly" for s in held.stats if s.misses]
        lines.append("")
    for run in [report.drafter, *report.compare]:
        lines.append(f"Drafter eval: {run.label} ({len(run.cases)} cases)")
        for lang in run.values("language"):
            channels = "  ".join(
                f"{ch} {_pct(*run_rate(run, lang, ch))}" for ch in run.values("channel") if run_rate(run, lang, ch)[1])
            known = run.known("language", lang)
            own = (f"   model's own answers (before mending) {_pct(*run.own_rate('language', lang))}"
                   if any(c.mended for c in run.cases) else "")
            lines.append(f"  {lang}: {_pct(*run.rate('language', lang))}"
                         + (f" + {known} known issue{'s' if known != 1 else ''}" if known else "") + f"   {channels}"
                         + own)
        unrecorded = [c for c in run.cases if c.status == "fail" and _unrecorded(c)]
        if unrecorded:  # one line, not one per case: the command that records them ends the report
            names = ", ".join(c.name for c in unrecorded[:5]) + (f" and {len(unrecorded) - 5} more"
                                                                  if len(unrecorded) > 5 else "")
            lines.append(f"  FAIL {len(unrecorded)} case(s) with no recording for their requests: {names}")
        for case in run.cases:
            if case.status == "error":
                lines.append(f"  ERROR {case.name} [{case.channel}/{case.tone}]: {case.error}")
            elif case.status == "fail" and case in unrecorded:
                continue
            elif case.status == "fail":
                lines.append(f"  FAIL {case.name} [{case.channel}/{case.tone}]: " + "; ".join(case.failures))
            elif case.own_failures:
                lines.append(f"  MENDED {case.name} [{case.channel}/{case.tone}]: the model's answer failed ("
                             + "; ".join(case.own_failures) + "); put right from the facts: " + "; ".join(case.mended))
            elif case.status == "known":
                lines.append(f"  known issue {case.name}: {case.known_issue} (still fails: {'; '.join(case.failures)})")
            elif case.status == "fixed":
                lines.append(f"  fixed {case.name}: passes now; remove its known_issue ({case.known_issue})")
        lines += [f"  note: {n}" for n in run.notes]
        lines.append("")
    for other in report.compare:
        diffs = _differences(report.drafter, other, skip_unrecorded=True)
        missing = sum(1 for c in other.cases if _unrecorded(c)) + sum(1 for c in report.drafter.cases if _unrecorded(c))
        lines.append(f"Compare {report.drafter.label} vs {other.label}: "
                     + (f"{len(diffs)} case(s) differ" if diffs else "no case differs")
                     + (f" ({missing} not compared: no recording)" if missing else ""))
        lines += [f"  {d}" for d in diffs]
        lines.append("")
    lines += [f"note: {n}" for n in report.notes]
    lines.append("Result: PASS" if report.passed else "Result: FAIL")
    lines += [f"  - {r}" for r in report.regressions]
    return "\n".join(lines) + "\n"


def run_rate(run: DrafterRun, lang: str, channel: str) -> tuple[int, int]:
    chosen = [c for c in run.cases if c.language == lang and c.channel == channel and c.status != "known"]
    return sum(c.passed for c in chosen), len(chosen)


def render_json(report: EvalReport) -> str:
    data = report.model_dump(mode="json")
    for key in ("checker", "heldout"):
        result = getattr(report, key)
        if result is not None:
            for stat, raw in zip(result.stats, data[key]["stats"], strict=True):
                raw.update(precision=stat.precision, recall=stat.recall, f1=stat.f1)
    for run, raw in zip([report.drafter, *report.compare], [data["drafter"], *data["compare"]], strict=True):
        raw["pass_rate"] = {lang: _rate_value(*run.rate("language", lang)) for lang in run.values("language")}
        raw["pass_rate_by_channel"] = {ch: _rate_value(*run.rate("channel", ch)) for ch in run.values("channel")}
        raw["own_pass_rate"] = {lang: _rate_value(*run.own_rate("language", lang)) for lang in run.values("language")}
        for case, raw_case in zip(run.cases, raw["cases"], strict=True):
            raw_case["status"] = case.status
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _rate_value(passed: int, total: int) -> float | None:
    return passed / total if total else None


def render_junit(report: EvalReport) -> str:
    root = ET.Element("testsuites", name="delaynote eval")
    if report.checker is not None:
        suite = ET.SubElement(root, "testsuite", name="checker", tests=str(len(report.checker.stats)),
                              failures=str(sum(bool(s.failures) for s in report.checker.stats)))
        for s in report.checker.stats:
            case = ET.SubElement(suite, "testcase", classname=f"checker.{s.language}", name=s.check)
            if s.failures:
                failure = ET.SubElement(case, "failure", message="; ".join(s.failures))
                failure.text = "\n".join(s.misses)
            ET.SubElement(case, "system-out").text = (
                f"precision {fmt_ratio(s.precision)} recall {fmt_ratio(s.recall)} f1 {fmt_ratio(s.f1)} "
                f"tp {s.tp} fp {s.fp} fn {s.fn}")
    for run in [report.drafter, *report.compare]:
        by_lang: dict[str, list[CaseResult]] = defaultdict(list)
        for c in run.cases:
            by_lang[c.language].append(c)
        for lang, cases in sorted(by_lang.items()):
            suite = ET.SubElement(root, "testsuite", name=f"drafter.{run.label}.{lang}", tests=str(len(cases)),
                                  failures=str(sum(c.status == "fail" for c in cases)),
                                  errors=str(sum(c.status == "error" for c in cases)),
                                  skipped=str(sum(c.status == "known" for c in cases)))
            for c in cases:
                case = ET.SubElement(suite, "testcase", classname=f"drafter.{run.label}.{lang}", name=c.name)
                if c.status == "error":
                    ET.SubElement(case, "error", message=c.error or "")
                elif c.status == "known":
                    skipped = ET.SubElement(case, "skipped", message=f"known issue: {c.known_issue}")
                    skipped.text = "; ".join(c.failures)
                elif not c.passed:
                    failure = ET.SubElement(case, "failure", message="; ".join(c.failures))
                    failure.text = c.text
                if c.notes:
                    ET.SubElement(case, "system-out").text = "\n".join(c.notes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: EvalReport) -> str:
    runs = [report.drafter, *report.compare]
    lines = [f"### delaynote eval: {'✅ passed' if report.passed else '❌ failed'}", ""]
    if report.regressions:
        lines += [f"- {_md_cell(r)}" for r in report.regressions] + [""]
    langs = sorted({lang for run in runs for lang in run.values("language")})
    lines.append("| drafter | " + " | ".join(langs) + " |")
    lines.append("|---|" + "---|" * len(langs))
    for run in runs:
        lines.append(f"| {run.label} | " + " | ".join(_pct(*run.rate("language", lang)) for lang in langs) + " |")
    lines.append("")
    chk = report.checker
    if chk is not None:
        lines.append(f"Checker: precision {fmt_ratio(chk.precision)}, recall {fmt_ratio(chk.recall)} on {chk.files} files.")
        failing = [s for s in chk.stats if s.failures]
        if failing:
            lines += ["", "| check | lang | precision | recall | F1 |", "|---|---|---|---|---|"]
            lines += [f"| `{s.check}` | {s.language} | {fmt_ratio(s.precision)} | {fmt_ratio(s.recall)} | {fmt_ratio(s.f1)} |"
                      for s in failing]
        lines.append("")
    if report.heldout is not None:
        held = report.heldout
        lines += [f"Held-out corpus (no threshold): precision {fmt_ratio(held.precision)}, recall "
                  f"{fmt_ratio(held.recall)} on {held.files} files.", ""]
    for other in report.compare:
        diffs = _differences(report.drafter, other)
        if diffs:
            lines += [f"<details><summary>{len(diffs)} case(s) differ: {report.drafter.label} vs {other.label}"
                      "</summary>", ""] + [f"- {_md_cell(d)}" for d in diffs] + ["", "</details>", ""]
    failed = [(run.label, c) for run in runs for c in run.cases if c.status in ("fail", "error")]
    known = [(run.label, c) for run in runs for c in run.cases if c.status in ("known", "fixed")]
    if known:
        lines += [f"<details><summary>{len(known)} case(s) with a known issue</summary>", ""]
        lines += [f"- `{c.name}` ({label}): {'still fails' if c.status == 'known' else 'passes now'} - "
                  f"{_md_cell(c.known_issue or '')}" for label, c in known]
        lines += ["", "</details>", ""]
    if failed:
        lines += [f"<details><summary>{len(failed)} failing case(s)</summary>", ""]
        lines += [f"- `{c.name}` ({label}): {_md_cell('; '.join(c.failures))}" for label, c in failed]
        lines += ["", "</details>", ""]
    lines += [f"_{_md_cell(n)}_" for n in report.notes]
    return "\n".join(lines).rstrip() + "\n"


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit, "markdown": render_markdown}


def render_eval(report: EvalReport, fmt: str) -> str:
    """The report in `fmt` (text, json, junit or markdown)."""
    return RENDERERS[fmt](report)
