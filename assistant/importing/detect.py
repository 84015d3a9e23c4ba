"""Which tool wrote an export, from its header (CSV) or its shape (JSON); `--format` overrides."""

from __future__ import annotations

from typing import Any

from assistant.importing import github, jira, linear, pingcode, worktile
from assistant.importing.table import Table

CSV_FORMATS = ("jira", "linear", "github", "worktile", "pingcode", "csv")
JSON_FORMATS = ("jira-json", "github-json")
FORMATS = CSV_FORMATS + JSON_FORMATS

LABELS = {"jira": "Jira CSV", "linear": "Linear CSV", "github": "GitHub Projects export", "worktile": "Worktile",
          "pingcode": "PingCode", "csv": "CSV with a column map", "jira-json": "Jira REST search JSON",
          "github-json": "GitHub Projects GraphQL JSON"}


def _all(table: Table, names: tuple[str, ...]) -> bool:
    return all(table.has(n) for n in names)


def _any(table: Table, names: tuple[str, ...]) -> bool:
    return any(table.has(n) for n in names)


def detect_csv(table: Table) -> str | None:
    """The CSV format whose columns the header has, or None."""
    if _all(table, jira.HEADER_SIGNS):
        return "jira"
    if _all(table, linear.HEADER_SIGNS) and _any(table, linear.MARKERS):
        return "linear"
    if _all(table, github.HEADER_SIGNS) and _any(table, github.MARKERS):
        return "github"
    if _all(table, pingcode.HEADER_SIGNS) and _any(table, pingcode.MARKERS):
        return "pingcode"
    if _all(table, worktile.HEADER_SIGNS):
        return "worktile"
    return None


def detect_json(data: Any) -> str | None:
    """The JSON format of a saved API answer, or None."""
    if jira.looks_like_rest(data):
        return "jira-json"
    if github.find_items(data) is not None:
        return "github-json"
    return None
