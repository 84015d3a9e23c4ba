"""The checker eval: per-check precision, recall and F1 per language on the labelled corpus
(`score_corpus`, owned by the checks), held against the suite's thresholds.

Only the comparison with thresholds lives here; counting true and false positives is the
checker's own job, so `delaynote eval` and the checker's scoring can never disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.errors import DelaynoteError
from assistant.evals.suite import Bounds, CheckerThresholds

if TYPE_CHECKING:
    from assistant.checks.scoring import CorpusScore


class CheckStat(BaseModel):
    """One check in one language: counts, the ratios, and each miss (file: why)."""

    check: str
    language: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


class CheckerResult(BaseModel):
    """The whole checker eval; `failures` names every threshold missed."""

    corpus: str
    files: int = 0
    stats: list[CheckStat] = Field(default_factory=list)
    precision: float | None = None
    recall: float | None = None
    failures: list[str] = Field(default_factory=list)


def fmt_ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def stats_from_score(score: CorpusScore) -> tuple[int, list[CheckStat]]:
    """`score_corpus`'s figures as `CheckStat`s, each with its own misses (`file: expected fire, got quiet`)."""
    from assistant.checks.scoring import language_of

    misses: dict[tuple[str, str], list[str]] = {}
    for m in score.misses:
        misses.setdefault((language_of(m.file), m.check), []).append(f"{m.file}: expected {m.expected}, got {m.got}")
    stats = [CheckStat(check=c.check, language=c.language, tp=c.tp, fp=c.fp, fn=c.fn,
                       misses=misses.get((c.language, c.check), [])) for c in score.checks]
    return sum(score.files.values()), stats


def apply_thresholds(result: CheckerResult, thresholds: CheckerThresholds) -> CheckerResult:
    """Fill the overall ratios and name every bound missed (overall and per check)."""
    tp = sum(s.tp for s in result.stats)
    fp = sum(s.fp for s in result.stats)
    fn = sum(s.fn for s in result.stats)
    result.precision = tp / (tp + fp) if tp + fp else None
    result.recall = tp / (tp + fn) if tp + fn else None
    failures: list[str] = []
    if result.precision is not None and result.precision < thresholds.min_precision:
        failures.append(f"checker: overall precision {result.precision:.2f} below {thresholds.min_precision:.2f}")
    if result.recall is not None and result.recall < thresholds.min_recall:
        failures.append(f"checker: overall recall {result.recall:.2f} below {thresholds.min_recall:.2f}")
    for stat in result.stats:
        own = thresholds.per_check.get(stat.check, Bounds())
        bounds = Bounds(precision=own.precision if own.precision is not None else thresholds.per_check_default.precision,
                        recall=own.recall if own.recall is not None else thresholds.per_check_default.recall)
        stat.failures = []
        for name, minimum in (("precision", bounds.precision), ("recall", bounds.recall)):
            value = getattr(stat, name)
            if minimum is not None and value is not None and value < minimum:
                stat.failures.append(f"{name} {value:.2f} below {minimum:.2f}")
        if stat.failures:
            missed = f"; misses: {', '.join(stat.misses[:5])}{' …' if len(stat.misses) > 5 else ''}" if stat.misses else ""
            failures.append(f"checker: {stat.check} ({stat.language}) {', '.join(stat.failures)}{missed}")
    result.failures = failures
    return result


def _origin(exc: BaseException) -> str:
    """' (at file.py:123)' for the innermost frame of a crash, so the report points at the bug."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return f" (at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno})" if tb is not None else ""


def run_checker_eval(corpus: Path, thresholds: CheckerThresholds, settings: Settings) -> CheckerResult:
    """Score the checks on the labelled corpus with the user's settings (a disabled check scores
    zero recall, so switching one off shows up as a regression). A held-out corpus is scored with
    empty thresholds: its figures are for people, since holding them to a bar invites tuning on it."""
    from assistant.checks.scoring import score_corpus

    try:
        files, stats = stats_from_score(score_corpus(corpus, settings=settings))
    except DelaynoteError:
        raise
    except Exception as exc:  # a bug in a check is a failed eval with its name, not a traceback
        where = _origin(exc)
        return CheckerResult(corpus=str(corpus), failures=[
            f"checker: scoring {corpus.name}/ crashed: {type(exc).__name__}: {exc}{where}"])
    stats.sort(key=lambda s: (s.check, s.language))
    return apply_thresholds(CheckerResult(corpus=str(corpus), files=files, stats=stats), thresholds)


__all__ = ["CheckStat", "CheckerResult", "apply_thresholds", "fmt_ratio", "run_checker_eval", "stats_from_score"]
