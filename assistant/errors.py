"""User-facing failures: each carries one plain sentence and the exit code SPEC §3 fixes.

The CLI catches `DelaynoteError` once, at the top, and prints the message; nothing below it
prints tracebacks or calls `sys.exit`.
"""

from __future__ import annotations


class DelaynoteError(Exception):
    """A failure the user can act on. `exit_code` follows SPEC §3."""

    exit_code = 2

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class InputError(DelaynoteError):
    """Bad usage or bad input: unreadable or invalid file, invalid facts (exit 2)."""

    exit_code = 2


class LLMServiceError(DelaynoteError):
    """The LLM service failed after retries (exit 3)."""

    exit_code = 3
