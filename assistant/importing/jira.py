"""Jira: the CSV export ("Export > CSV (all fields)" or "current fields") and the JSON of the REST
search API (`/rest/api/2/search`, `/rest/api/3/search/jql`) saved to a file.

CSV dates look like `17/Mar/27 5:00 PM`; multi-value fields repeat their header (`Fix versions`,
`Sprint`). `Parent` holds the parent's Issue id, `Parent summary` its name (cloud), older exports
link epics with `Custom field (Epic Link)` (the epic's key). The REST JSON gives each status a
`statusCategory` (new, indeterminate, done), used when a workflow's status name is one of its own.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from assistant.errors import InputError
from assistant.importing.model import Group, Task
from assistant.importing.spec import ColumnSpec
from assistant.importing.taskdates import FORMS, parse_task_date

SPEC = ColumnSpec(
    label="Jira",
    name=("Summary",),
    key=("Issue key",),
    id=("Issue id",),
    status=("Status",),
    category=("Status Category",),
    due=("Due date", "Due Date", "Due"),
    groups={
        "epic": ("Custom field (Epic Link)", "Epic Link", "Epic", "Parent summary", "Parent"),
        "parent": ("Parent summary", "Parent", "Parent id", "Custom field (Epic Link)"),
        "version": ("Fix versions", "Fix Version/s", "Fix version"),
        "iteration": ("Sprint",),
    },
)

HEADER_SIGNS = ("Issue key", "Summary")
"""Columns every Jira CSV export has (detection)."""

_CATEGORY_KEYS = {"new": "planned", "indeterminate": "in_progress", "done": "done"}


def looks_like_rest(data: Any) -> bool:
    issues = data.get("issues") if isinstance(data, dict) else None
    return isinstance(issues, list) and all(isinstance(i, dict) and "fields" in i for i in issues[:5])


def _text(value: Any) -> str:
    """A field's value as text: names of options, versions, users; lists joined."""
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in ("name", "value", "displayName", "key"):
            if isinstance(value.get(key), str):
                return value[key]
        return ""
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return str(value)


def tasks_from_rest(data: dict[str, Any], source: str, zone: tzinfo) -> list[Task]:
    """One Task per issue; `--group-by` can name a field by id (customfield_10020) or, when the search
    asked for `expand=names`, by its display name."""
    names = data.get("names") if isinstance(data.get("names"), dict) else {}
    tasks = []
    for issue in data["issues"]:
        fields = issue.get("fields") or {}
        key = issue.get("key")
        where = f"issue {key}" if key else f"issue {issue.get('id', '?')}"
        name = " ".join(_text(fields.get("summary")).split())
        if not name:
            continue
        status = fields.get("status") or {}
        category_key = ((status.get("statusCategory") or {}).get("key") or "") if isinstance(status, dict) else ""
        due_text = _text(fields.get("duedate"))
        try:
            due = parse_task_date(due_text, zone)
        except ValueError as exc:
            raise InputError(f"{source}, {where}: duedate {due_text!r} {exc}; dates are read as {FORMS}") from None
        groups: dict[str, Group] = {}
        for field_id, value in fields.items():
            if text := _text(value):
                groups[field_id] = Group(text)
                if isinstance(names.get(field_id), str):
                    groups[names[field_id]] = Group(text)
        parent = fields.get("parent") if isinstance(fields.get("parent"), dict) else None
        if parent:
            label = _text((parent.get("fields") or {}).get("summary")) or parent.get("key", "")
            groups["parent"] = groups["epic"] = Group(label, parent.get("key"))
        versions = fields.get("fixVersions") or []
        if versions and (first := _text(versions[0])):
            groups["version"] = Group(first)
        sprint_field = next((f for f, n in names.items() if n == "Sprint"), None)
        if sprint_field and (sprints := fields.get(sprint_field)):
            groups["iteration"] = Group(_text(sprints[-1] if isinstance(sprints, list) else sprints))
        tasks.append(Task(name=name, where=where, key=key, ident=str(issue.get("id") or "") or None,
                          status=_text(status), category=_CATEGORY_KEYS.get(category_key), due=due, groups=groups))
    return tasks
