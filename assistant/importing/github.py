"""GitHub Projects: "Export view data" (a tab-separated file of the view's visible fields) and the
JSON of a GraphQL `projectV2 { items { nodes { content fieldValues } } }` query saved to a file.

A view exports the fields it shows, under their names in the project: Title, Status, Assignees,
Repository, Milestone, Iteration, Labels, Linked pull requests, and custom fields such as a date
field for the due date (looked for as Due date, Due, Target date, End date).
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from assistant.errors import InputError
from assistant.importing.model import Group, Task
from assistant.importing.spec import ColumnSpec
from assistant.importing.taskdates import FORMS, parse_task_date

DUE_FIELDS = ("Due date", "Due Date", "Due", "Target date", "Target Date", "End date", "End Date", "Deadline")

SPEC = ColumnSpec(
    label="GitHub Projects",
    name=("Title",),
    key=("URL", "Url", "Number"),
    status=("Status",),
    due=DUE_FIELDS,
    groups={
        "epic": ("Parent issue", "Epic"),
        "parent": ("Parent issue", "Parent"),
        "version": ("Milestone",),
        "iteration": ("Iteration", "Sprint"),
    },
)

HEADER_SIGNS = ("Title",)
MARKERS = ("Assignees", "Repository", "Linked pull requests", "Reviewers", "Iteration", "Labels")
_STATES = {"CLOSED": "done", "MERGED": "done", "OPEN": "planned"}
"""An item's own state, used when its Status field is empty (a draft issue has none: not started)."""


def find_items(data: Any, depth: int = 0) -> list[dict[str, Any]] | None:
    """The item nodes of the first `items` connection in a GraphQL answer (`nodes` or `edges`)."""
    if depth > 12 or not isinstance(data, dict):
        return None
    items = data.get("items")
    if isinstance(items, dict):
        if isinstance(items.get("nodes"), list):
            return [n for n in items["nodes"] if isinstance(n, dict)]
        if isinstance(items.get("edges"), list):
            return [e["node"] for e in items["edges"] if isinstance(e, dict) and isinstance(e.get("node"), dict)]
    for value in data.values():
        if (found := find_items(value, depth + 1)) is not None:
            return found
    return None


def _value(node: dict[str, Any]) -> str:
    for key in ("name", "text", "date", "title"):
        if isinstance(node.get(key), str):
            return node[key]
    if isinstance(node.get("number"), int | float):
        return str(node["number"])
    milestone = node.get("milestone")
    return milestone.get("title", "") if isinstance(milestone, dict) else ""


def tasks_from_graphql(data: dict[str, Any], source: str, zone: tzinfo) -> list[Task]:
    """One Task per project item (issue, pull request or draft issue)."""
    items = find_items(data) or []
    tasks = []
    for i, item in enumerate(items, start=1):
        content = item.get("content") if isinstance(item.get("content"), dict) else {}
        name = " ".join(str(content.get("title") or "").split())
        if not name:
            continue
        fields: dict[str, str] = {}
        for node in (item.get("fieldValues") or {}).get("nodes") or []:
            field = node.get("field") if isinstance(node, dict) else None
            if isinstance(field, dict) and isinstance(field.get("name"), str) and (text := _value(node)):
                fields[field["name"]] = text
        key = content.get("url") or (f"#{content['number']}" if content.get("number") else None)
        where = f"item {i} ({key or name})"
        due_name = next((f for f in DUE_FIELDS if f in fields), None)
        due_text = fields.get(due_name, "") if due_name else ""
        try:
            due = parse_task_date(due_text, zone)
        except ValueError as exc:
            raise InputError(f"{source}, {where}: {due_name} {due_text!r} {exc}; dates are read as {FORMS}") from None
        groups = {f: Group(v) for f, v in fields.items()}
        if "Iteration" in fields:
            groups["iteration"] = Group(fields["Iteration"])
        milestone = fields.get("Milestone") or ((content.get("milestone") or {}).get("title") or "")
        if milestone:
            groups["version"] = Group(milestone)
        parent = content.get("parent") if isinstance(content.get("parent"), dict) else None
        if parent and parent.get("title"):
            groups["parent"] = groups["epic"] = Group(parent["title"], parent.get("url"))
        tasks.append(Task(name=name, where=where, key=key, status=fields.get("Status", ""),
                          category=None if fields.get("Status") else _STATES.get(str(content.get("state") or "OPEN")),
                          due=due, groups=groups))
    return tasks
