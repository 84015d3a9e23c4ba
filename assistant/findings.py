"""What a check reports: findings per file and a summary (SPEC §4 JSON shape).

Shared by the rule checks, the LLM judge, drafting and evals, so every producer and every
output format speaks the same structure.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]
Principle = Literal[
    "advance-notice", "explain-cause", "solution", "transparency", "regular-updates",
    "tone", "plain-language", "accuracy",
]
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
FAIL_RANK = {"info": 1, "warning": 2, "error": 3, "never": 99}


class Finding(BaseModel):
    """One problem in a draft. Position fields are 1-based and null for something absent."""

    check: str
    principle: Principle
    severity: Severity
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    text: str | None = None
    message: str
    suggestion: str | None = None
    source: Literal["rule", "llm"] = "rule"


class PrincipleScore(BaseModel):
    """The LLM judge's 1-5 score for one principle, with a one-line reason."""

    principle: str
    score: int = Field(ge=1, le=5)
    reason: str


class FileReport(BaseModel):
    """Findings for one input (a file, or '-' for stdin)."""

    path: str
    language: Literal["en", "zh"]
    findings: list[Finding] = Field(default_factory=list)
    scores: list[PrincipleScore] | None = None
    dropped_ungrounded: int = 0


class Summary(BaseModel):
    files: int = 0
    error: int = 0
    warning: int = 0
    info: int = 0
    dropped_ungrounded: int | None = None


class Skipped(BaseModel):
    """An input that could not be read (binary, undecodable, unreadable), with the reason."""

    path: str
    reason: str


class Report(BaseModel):
    """The whole result of `check` (SPEC §4 JSON, `version` 1)."""

    version: int = 1
    files: list[FileReport] = Field(default_factory=list)
    summary: Summary = Field(default_factory=Summary)
    skipped: list[Skipped] = Field(default_factory=list)
    # Why the LLM judge failed (check --llm), if it did: said on stderr, never part of the JSON report.
    judge_failure: str | None = Field(default=None, exclude=True)


def summarise(files: list[FileReport]) -> Summary:
    """Count findings by severity across files."""
    summary = Summary(files=len(files))
    dropped = 0
    for report in files:
        dropped += report.dropped_ungrounded
        for f in report.findings:
            setattr(summary, f.severity, getattr(summary, f.severity) + 1)
    if any(r.scores is not None for r in files) or dropped:
        summary.dropped_ungrounded = dropped
    return summary


def fails(findings: list[Finding], fail_on: str) -> bool:
    """True when any finding is at or above the `--fail-on` level (exit 1)."""
    threshold = FAIL_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
