"""Drafting: facts in, a notice out (offline templates or an LLM)."""

from __future__ import annotations

from pydantic import BaseModel, Field, PrivateAttr

from assistant.findings import Finding


class Usage(BaseModel):
    """Tokens spent on one LLM call (or a total). A count is None when the server did not
    report it (a streamed answer from a server that ignores `stream_options`): unknown is not
    zero, and a total with an unknown part is unknown."""

    calls: int = 0
    prompt_tokens: int | None = 0
    completion_tokens: int | None = 0

    def describe(self, lang: str = "en") -> str:
        """'120 tokens in, 80 out' or 'token usage unknown (the server did not report it)'."""
        if self.prompt_tokens is None or self.completion_tokens is None:
            return "用量未知（服务器未报告 token 数）" if lang == "zh" else "token usage unknown (the server did not report it)"
        if lang == "zh":
            return f"提示 {self.prompt_tokens} 个 token，生成 {self.completion_tokens} 个 token"
        return f"{self.prompt_tokens} tokens in, {self.completion_tokens} out"


class Draft(BaseModel):
    """A drafted notice (SPEC §3 `draft --format json`). `subject` is None where the channel has none."""

    language: str
    channel: str
    subject: str | None = None
    body: str
    findings: list[Finding] = Field(default_factory=list)
    usage: Usage | None = None
    # not part of the JSON: what the LLM drafter removed around the notice, the findings after
    # each answer with its checked text (the first is "before revision"), and whether the final text is the one
    # streamed last to the terminal (if not, the CLI prints it)
    _removed: list[str] = PrivateAttr(default_factory=list)
    _repaired: list[str] = PrivateAttr(default_factory=list)
    _mended: list[str] = PrivateAttr(default_factory=list)  # what `guards.mend` put right (the last round)
    _rounds: list[tuple[str, list[Finding]]] = PrivateAttr(default_factory=list)
    _shown: bool = PrivateAttr(default=False)
