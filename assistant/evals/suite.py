"""The eval suite on disk: `suite.yaml` (thresholds, provider defaults, case folders) and the
case files under it, each validated strictly so a typo in an assertion never passes silently.

A bad file is an `InputError` (exit 2) naming the file and every bad key path at once, the
same way a bad facts file is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.checks.catalogue import ALL_CHECK_IDS as CHECK_IDS
from assistant.errors import InputError
from assistant.facts import (
    LANGUAGES,
    Facts,
    FactsError,
    _plain_message,
    key_path,
    parse_facts_text,
    text_language,
    validate_facts,
)
from assistant.textio import read_text

PRINCIPLES: tuple[str, ...] = (
    "advance-notice", "explain-cause", "solution", "transparency", "regular-updates", "tone", "plain-language",
)
SYMBOLS: tuple[str, ...] = (
    "$new_date", "$original_date", "$next_update", "$each_cause", "$each_mitigation", "$duration",
    "$client", "$sender", "$project",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _known_checks(ids: list[str]) -> list[str]:
    unknown = [i for i in ids if i not in CHECK_IDS]
    if unknown:
        raise ValueError(f"unknown check id {', '.join(unknown)} (`delaynote rules` lists them)")
    return ids


class Expect(_Strict):
    """Assertions on one drafted notice. Symbols in `must_mention` stand for facts (see evals/README.md)."""

    must_mention: list[str] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list)
    checks_must_not_fire: list[str] = Field(default_factory=list)
    checks_must_fire: list[str] = Field(default_factory=list)
    max_chars: int | None = Field(default=None, gt=0)
    rubric: dict[str, int] = Field(default_factory=dict)

    @field_validator("must_mention")
    @classmethod
    def _symbols(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v.startswith("$") and v not in SYMBOLS]
        if unknown:
            raise ValueError(f"unknown symbol {', '.join(unknown)}; use one of {', '.join(SYMBOLS)}")
        return value

    @field_validator("checks_must_not_fire", "checks_must_fire")
    @classmethod
    def _checks(cls, value: list[str]) -> list[str]:
        return _known_checks(value)

    @field_validator("rubric")
    @classmethod
    def _rubric(cls, value: dict[str, int]) -> dict[str, int]:
        for principle, score in value.items():
            if principle not in PRINCIPLES:
                raise ValueError(f"unknown principle '{principle}'; use one of {', '.join(PRINCIPLES)}")
            if not 1 <= score <= 5:
                raise ValueError(f"rubric.{principle} must be a score from 1 to 5")
        return value


class CaseFile(_Strict):
    """One drafting case as written on disk. With `progress`, the case drafts a progress update
    (`delaynote update`) after the messages listed in `history`, instead of a first notice."""

    description: str | None = None
    facts: dict[str, Any] | None = None
    facts_file: str | None = None
    progress: dict[str, Any] | None = None
    history: list[dict[str, Any]] = Field(default_factory=list)
    text: str | None = Field(default=None, min_length=1)  # an update written by hand: checked, not drafted
    channel: Literal["email", "phone", "meeting", "im"] | None = None
    tone: Literal["formal", "neutral", "warm"] | None = None
    expect: Expect = Field(default_factory=Expect)
    known_issue: str | None = Field(default=None, min_length=1)


class Case(BaseModel):
    """A loaded case: its name (`en/short-delay`), validated facts (overrides applied) and assertions."""

    name: str
    path: str
    language: str
    description: str | None = None
    facts: Facts
    expect: Expect
    known_issue: str | None = None
    progress: Any = None  # assistant.followup.progress.Progress, for an update case
    text: str | None = None  # a hand-written update to check instead of drafting one
    history: list[Any] = Field(default_factory=list)  # assistant.followup.history.Sent, oldest first


class DrafterThresholds(_Strict):
    """Minimum share of cases that must pass, per language (0..1). `replay_pass_rate`, when set,
    is the bar for `--provider replay` instead: the recordings hold a real model's answers, and a
    small model's pass rate is a measured figure, not the offline drafter's 100%. An LLM run is
    also held to `own_pass_rate` on the model's own answers, before mending (see `own_for_provider`)."""

    pass_rate: dict[str, float] = Field(default_factory=lambda: {"en": 1.0, "zh": 1.0})
    replay_pass_rate: dict[str, float] | None = None
    own_pass_rate: dict[str, float] | None = None

    def for_provider(self, provider: str) -> dict[str, float]:
        """The pass rates the drafter run of `provider` is held to."""
        return self.replay_pass_rate if provider == "replay" and self.replay_pass_rate is not None else self.pass_rate

    def own_for_provider(self, provider: str) -> dict[str, float]:
        """The bar for the model's own answers, before delaynote mends them from the facts
        (`own_pass_rate`; by default the same as for the drafts shown, so mending never hides a
        prompt that stopped working)."""
        return self.own_pass_rate if self.own_pass_rate is not None else self.for_provider(provider)

    @field_validator("pass_rate", "replay_pass_rate", "own_pass_rate")
    @classmethod
    def _rates(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for lang, rate in (value or {}).items():
            if lang not in LANGUAGES:
                raise ValueError(f"unknown language '{lang}'; use en or zh")
            if not 0 <= rate <= 1:
                raise ValueError(f"pass_rate.{lang} must be between 0 and 1")
        return value


class Bounds(_Strict):
    """Minimum precision and recall (0..1); a missing bound is not checked."""

    precision: float | None = Field(default=None, ge=0, le=1)
    recall: float | None = Field(default=None, ge=0, le=1)


class CheckerThresholds(_Strict):
    """Checker quality on the labelled corpus: overall and per check id."""

    min_precision: float = Field(default=0.0, ge=0, le=1)
    min_recall: float = Field(default=0.0, ge=0, le=1)
    per_check_default: Bounds = Field(default_factory=Bounds)
    per_check: dict[str, Bounds] = Field(default_factory=dict)

    @field_validator("per_check")
    @classmethod
    def _ids(cls, value: dict[str, Bounds]) -> dict[str, Bounds]:
        _known_checks(list(value))
        return value


class Thresholds(_Strict):
    drafter: DrafterThresholds = Field(default_factory=DrafterThresholds)
    checker: CheckerThresholds = Field(default_factory=CheckerThresholds)


class ProviderDefaults(_Strict):
    """LLM settings the suite was recorded with; flags, environment and config override `model`."""

    model: str = "gpt-4o-mini"
    max_revisions: int = Field(default=0, ge=0, le=5)


class SuiteFile(_Strict):
    """`suite.yaml`."""

    cases: list[str] = Field(default_factory=lambda: ["cases/en", "cases/zh"])
    corpus: str | None = "drafts"
    heldout: str | None = None  # a corpus the checks are not tuned on: reported, never thresholded
    recordings: str = "recordings"
    provider: ProviderDefaults = Field(default_factory=ProviderDefaults)
    defaults: Expect = Field(default_factory=Expect)
    thresholds: Thresholds = Field(default_factory=Thresholds)


class Suite(BaseModel):
    """A loaded suite: folder, settings from suite.yaml, and every case."""

    root: Path
    config: SuiteFile
    cases: list[Case]

    @property
    def recordings_dir(self) -> Path:
        return self.root / self.config.recordings

    @property
    def corpus_dir(self) -> Path | None:
        return self.root / self.config.corpus if self.config.corpus else None

    @property
    def heldout_dir(self) -> Path | None:
        return self.root / self.config.heldout if self.config.heldout else None


def _problems(exc: ValidationError, prefix: str = "") -> list[str]:
    out = []
    for err in exc.errors():
        path = key_path(err["loc"])
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        out.append(f"{path}: {_plain_message(err)}" if path else _plain_message(err))
    return out


def _load_mapping(path: Path) -> dict[str, Any]:
    data = parse_facts_text(read_text(path), str(path))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"{path} must hold a mapping of keys")
    return data


def inside(path: Path, root: Path) -> bool:
    """Whether `path`, links resolved, lies in the folder `root` (an eval suite reads nothing else:
    `../../etc/passwd`, an absolute path or a link out of the suite would show another file's text)."""
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return False
    return True


def load_case(path: Path, name: str, language: str | None,
              suite_root: Path | None = None) -> tuple[Case | None, list[str]]:
    """Validate one case file; returns the case, or None and every problem as `key.path: sentence`.
    A `facts_file` must lie inside `suite_root` (the case's own folder when not given)."""
    try:
        raw = _load_mapping(path)
    except InputError as exc:
        return None, [exc.message]
    try:
        case = CaseFile.model_validate(raw)
    except ValidationError as exc:
        return None, _problems(exc)
    if (case.facts is None) == (case.facts_file is None):
        return None, ["facts: give exactly one of `facts` (inline) or `facts_file` (a path relative to the case)"]
    if case.facts_file is not None:
        facts_path = path.parent / case.facts_file
        if not inside(facts_path, suite_root or path.parent):
            return None, [f"facts_file: '{case.facts_file}' lies outside the suite folder; a case may only "
                          "read files inside it"]
        try:
            data: Any = _load_mapping(facts_path)
        except InputError as exc:
            return None, [f"facts_file: {exc.message}"]
        prefix = "facts_file"
    else:
        data, prefix = dict(case.facts or {}), "facts"
    if not isinstance(data, dict):
        return None, [f"{prefix}: must be a mapping of keys"]
    if language is None:
        language = str(data.get("language", "en"))
    data.setdefault("language", language)
    problems: list[str] = []
    if "notice_date" not in data:
        problems.append(f"{prefix}.notice_date: is required in eval cases, so results do not change with the calendar")
    if data.get("language") != language:
        problems.append(f"{prefix}.language: '{data.get('language')}' does not match the case folder ({language})")
    try:
        facts = validate_facts(data, str(path))
    except FactsError as exc:
        return None, problems + [f"{prefix}.{p.path}: {p.message}" if p.path else p.message for p in exc.problems]
    written = text_language(facts)
    if written is not None and written != facts.language:  # the drafter would mix two languages
        problems.append(f"{prefix}.language: '{facts.language}' is not the language the causes, mitigations and "
                        f"impact are written in ({written})")
    if problems:
        return None, problems
    overrides = {k: v for k, v in {"channel": case.channel, "tone": case.tone}.items() if v}
    if overrides:
        facts = facts.model_copy(update=overrides)
    progress, history = None, []
    if case.text is not None and case.progress is None:
        return None, ["text: is checked as a progress update, so the case needs `progress` too"]
    if case.progress is not None or case.history:
        from assistant.followup.eval_cases import load_update_parts

        progress, history, problems = load_update_parts(case.progress, case.history, facts)
        if problems:
            return None, problems
    return Case(name=name, path=str(path), language=language, description=case.description,
                facts=facts, expect=case.expect, known_issue=case.known_issue, progress=progress,
                history=history, text=case.text), []


def suite_docs() -> str:
    """Where the suite format is documented on this machine: the copy the wheel installs
    (`assistant/docs/evals.md`), else `evals/README.md` of a source checkout, else the README."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "docs" / "evals.md", package.parent / "evals" / "README.md"):
        if candidate.is_file():
            return str(candidate)
    return "the Evals section of the delaynote README"


def _case_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def load_suite(root: Path) -> Suite:
    """Load `root/suite.yaml` and every case; raise `InputError` listing each bad file and key."""
    if root.is_file():
        root = root.parent
    suite_path = root / "suite.yaml"
    if not suite_path.is_file():
        raise InputError(f"{root} is not an eval suite: {suite_path} does not exist (the suite format: "
                         f"{suite_docs()})")
    try:
        config = SuiteFile.model_validate(_load_mapping(suite_path))
    except ValidationError as exc:
        raise InputError(f"{suite_path} is not valid", details=_problems(exc)) from None
    for key, value in [*(("cases", c) for c in config.cases), ("corpus", config.corpus),
                       ("heldout", config.heldout), ("recordings", config.recordings)]:
        if value is not None and not inside(root / value, root):
            raise InputError(f"{suite_path}: {key} '{value}' lies outside the suite folder {root}; "
                             "an eval suite may only use folders inside it")
    cases: list[Case] = []
    details: list[str] = []
    bad_files = 0
    for folder_name in config.cases:
        folder = root / folder_name
        if not folder.is_dir():
            raise InputError(f"{suite_path}: cases folder {folder} does not exist")
        for path in _case_files(folder):
            if not inside(path, root):  # a link out of the suite: refused, never read
                raise InputError(f"{path} is a link to a file outside the suite folder {root}; an eval suite may "
                                 "only read files inside it")
            rel = path.relative_to(root / folder_name)
            language = _language_of(folder_name, rel)
            name = f"{Path(folder_name).name}/{rel.with_suffix('').as_posix()}"
            case, problems = load_case(path, name, language, root)
            if problems:
                bad_files += 1
                details += [f"{path}: {p}" for p in problems]
            elif case is not None:
                cases.append(case)
    if details:
        raise InputError(f"{bad_files} eval case file{'s are' if bad_files != 1 else ' is'} not valid", details=details)
    if config.cases and not cases:  # a suite that drafts nothing must not report a pass
        folders = ", ".join(str(root / f) for f in config.cases)
        raise InputError(f"{suite_path}: nothing to draft: the cases folder{'s' if len(config.cases) > 1 else ''} "
                         f"{folders} hold{'' if len(config.cases) > 1 else 's'} no case file (.yaml, .yml or .json)")
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{suite_path}: case names appear twice: {', '.join(dupes)}")
    return Suite(root=root, config=config, cases=cases)


def _language_of(folder_name: str, rel: Path) -> str | None:
    """The case language is the folder's name (`cases/zh`), or a sub-folder's; else the facts say."""
    for part in [Path(folder_name).name, *rel.parts[:-1]]:
        if part in LANGUAGES:
            return part
    return None


__all__ = ["Case", "Expect", "Suite", "load_case", "load_suite"]
