"""Score the rule checks against the labelled corpus of delay notices (`evals/drafts/`).

The corpus is how we know a rule helps rather than nags: every draft is labelled by a
person with the checks that MUST fire and the checks that MUST stay quiet. Precision says
how often a finding is right; recall says how many real problems are caught. `delaynote
eval` and `tests/test_corpus.py` report the same figures, so both use this module.

Labels live in ONE file, `labels.yaml`, beside the `en/` and `zh/` folders:

    en/terse-engineer.md:
      facts: facts/portal.yaml      # optional, relative to the labels file
      fire: [vague-timeline]        # checks that must fire
      quiet: [jargon]               # checks that must not fire
      note: one line on the draft

A check that is neither `fire` nor `quiet` for a file is not scored on that file (the
labeller found it borderline). The language of a file is its top folder (`en/`, `zh/`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.checks.catalogue import CHECK_ORDER
from assistant.config import Settings
from assistant.errors import InputError
from assistant.textio import read_text

LABELS_FILE = "labels.yaml"


class Label(BaseModel):
    """What a person decided about one draft."""

    model_config = ConfigDict(extra="forbid")

    facts: str | None = None
    fire: list[str] = Field(default_factory=list)
    quiet: list[str] = Field(default_factory=list)
    note: str | None = None


class CheckScore(BaseModel):
    """Confusion counts of one check in one language; ratios are None when undefined."""

    language: str
    check: str
    tp: int = 0  # labelled fire, fired
    fp: int = 0  # labelled quiet, fired
    fn: int = 0  # labelled fire, stayed quiet
    tn: int = 0  # labelled quiet, stayed quiet

    @property
    def precision(self) -> float | None:
        fired = self.tp + self.fp
        return self.tp / fired if fired else None

    @property
    def recall(self) -> float | None:
        positives = self.tp + self.fn
        return self.tp / positives if positives else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)


class Miss(BaseModel):
    """One disagreement between a label and the checker."""

    file: str
    check: str
    expected: Literal["fire", "quiet"]
    got: Literal["fired", "quiet"]


class CorpusScore(BaseModel):
    """Per-language, per-check figures plus every miss, for tables and regressions."""

    files: dict[str, int] = Field(default_factory=dict)  # language -> labelled files
    checks: list[CheckScore] = Field(default_factory=list)
    misses: list[Miss] = Field(default_factory=list)
    languages: dict[str, str] = Field(default_factory=dict)  # file -> language the checker detected

    def get(self, language: str, check: str) -> CheckScore | None:
        """The score of one check in one language, if that check has labels there."""
        return next((c for c in self.checks if c.language == language and c.check == check), None)


def load_labels(drafts_dir: Path) -> dict[str, Label]:
    """Read and validate `labels.yaml`; a bad label is an `InputError` naming the file."""
    source = drafts_dir / LABELS_FILE
    data = yaml.safe_load(read_text(source)) or {}
    if not isinstance(data, dict):
        raise InputError(f"{source} must map draft paths to labels")
    labels: dict[str, Label] = {}
    for name, raw in data.items():
        try:
            labels[str(name)] = Label.model_validate(raw or {})
        except ValidationError as exc:
            raise InputError(f"{source}: {name}: {exc.errors()[0]['msg']}") from None
    return labels


def language_of(name: str) -> str:
    """A draft's language is its top folder: `en/x.md` -> `en`."""
    return name.replace("\\", "/").split("/", 1)[0]


def score_results(labels: Mapping[str, Label], fired: Mapping[str, Iterable[str]]) -> CorpusScore:
    """Pure scoring: labels and the check ids that fired per file -> counts and misses."""
    score = CorpusScore()
    table: dict[tuple[str, str], CheckScore] = {}
    for name, label in labels.items():
        language = language_of(name)
        score.files[language] = score.files.get(language, 0) + 1
        got = set(fired.get(name, ()))
        for check, expected in [*((c, "fire") for c in label.fire), *((c, "quiet") for c in label.quiet)]:
            cell = table.setdefault((language, check), CheckScore(language=language, check=check))
            hit = check in got
            if expected == "fire":
                cell.tp += hit
                cell.fn += not hit
            else:
                cell.fp += hit
                cell.tn += not hit
            if hit != (expected == "fire"):
                score.misses.append(Miss(file=name, check=check, expected=expected, got="fired" if hit else "quiet"))
    score.checks = sorted(table.values(), key=lambda c: (c.language, CHECK_ORDER.get(c.check, len(CHECK_ORDER)), c.check))
    return score


def score_corpus(
    drafts_dir: str | Path,
    settings: Settings | None = None,
    *,
    check: Callable[..., object] | None = None,
) -> CorpusScore:
    """Run the rule checks on every labelled draft (with its facts, language auto) and score them.

    `check` defaults to `assistant.checks.check_text`; it is injectable so the scoring itself
    can be tested without the checker.
    """
    from assistant.facts import load_facts

    if check is None:
        from assistant.checks import check_text as check
    root = Path(drafts_dir)
    labels = load_labels(root)
    fired: dict[str, set[str]] = {}
    detected: dict[str, str] = {}
    for name, label in labels.items():
        path = root / name
        facts = load_facts(root / label.facts) if label.facts else None
        report = check(read_text(path, legacy_zh=True), path=str(path), facts=facts, settings=settings, language="auto")
        fired[name] = {f.check for f in report.findings}  # type: ignore[attr-defined]
        detected[name] = report.language  # type: ignore[attr-defined]
    score = score_results(labels, fired)
    score.languages = detected
    return score


def _ratio(value: float | None) -> str:
    return "  n/a" if value is None else f"{value:5.2f}"


def format_score(score: CorpusScore, *, name_misses: bool = True) -> str:
    """A plain table: one row per language and check, then the misses (file and check), or only
    their count when `name_misses` is off (the held-out corpus: names invite tuning on it)."""
    lines = [f"{'lang':4} {'check':22} {'tp':>3} {'fp':>3} {'fn':>3} {'tn':>3} {'prec':>5} {'rec':>5} {'f1':>5}"]
    for c in score.checks:
        lines.append(
            f"{c.language:4} {c.check:22} {c.tp:3} {c.fp:3} {c.fn:3} {c.tn:3} "
            f"{_ratio(c.precision)} {_ratio(c.recall)} {_ratio(c.f1)}"
        )
    if score.misses and not name_misses:
        lines += ["", f"misses: {len(score.misses)} (not named: this corpus must not be tuned on)"]
    elif score.misses:
        lines.append("")
        lines.append(f"misses ({len(score.misses)}):")
        lines.extend(f"  {m.file}: {m.check} expected {m.expected}, got {m.got}" for m in score.misses)
    return "\n".join(lines)
