"""Drafting: facts in, a notice out (offline templates or an LLM)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.findings import Finding


class Usage(BaseModel):
    """Tokens spent on one LLM call (or a total)."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Draft(BaseModel):
    """A drafted notice (SPEC §3 `draft --format json`). `subject` is None where the channel has none."""

    language: str
    channel: str
    subject: str | None = None
    body: str
    findings: list[Finding] = Field(default_factory=list)
    usage: Usage | None = None
