"""What every source format is read into: one `Task` per row or issue, tool-neutral."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

GROUP_NAMES = ("epic", "parent", "version", "iteration")
"""`--group-by` words that mean the tool's own column (Jira's Epic Link, Linear's Cycle, 所属迭代 …)."""

GROUP_ALIASES = {"sprint": "iteration", "cycle": "iteration", "milestone": "version", "fix version": "version",
                 "迭代": "iteration", "所属迭代": "iteration", "版本": "version", "史诗": "epic",
                 "父工作项": "parent", "父任务": "parent"}


@dataclass(frozen=True)
class Group:
    """A task's value for one grouping: the label to show and, where the tool gives one, the key
    of the item it names (an epic's issue key), so the epic's own row can name the phase."""

    label: str
    key: str | None = None


@dataclass
class Task:
    """One task as a tool exported it. `status` is the tool's word; `state` is what it means
    (done, in_progress, planned or skip), filled in by `statuses.classify`."""

    name: str
    where: str  # "row 4" / "issue ABC-12", for messages
    key: str | None = None  # issue key, number or URL: how a re-import finds the item again
    ident: str | None = None  # the tool's internal id (Jira's Issue id), which Parent columns refer to
    status: str = ""
    category: str | None = None  # the tool's own status category (Jira's Status Category), as text
    due: date | None = None
    groups: dict[str, Group] = field(default_factory=dict)  # by GROUP_NAMES word or column name
    state: str | None = None
