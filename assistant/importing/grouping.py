"""Tasks into the facts' shape: phases (by a grouping of the user's choice, or one per task),
`completed` (done tasks) and `pending` (the others). Pure: no files, no YAML.

A phase's due date is its latest task's; its status follows from its tasks: all done is done,
none started is planned, anything else is in progress. Where the group names an item that is in the
export itself (an epic's own row), that item names the phase and is not counted as a task of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.errors import InputError
from assistant.importing.model import GROUP_ALIASES, GROUP_NAMES, Group, Task


@dataclass
class PhasePlan:
    name: str
    key: str | None
    due: date | None
    status: str
    tasks: list[Task] = field(default_factory=list)


@dataclass
class Plan:
    phases: list[PhasePlan]
    completed: list[Task]
    pending: list[Task]
    skipped: list[Task]


def canonical_group(by: str) -> str:
    """'Sprint' -> 'iteration', '所属迭代' -> 'iteration', 'epic' -> 'epic'; a column name as given."""
    word = " ".join(by.split())
    low = word.casefold()
    if low in GROUP_NAMES:
        return low
    return GROUP_ALIASES.get(low, word)


def _group_of(task: Task, by: str) -> Group | None:
    if by in task.groups:
        return task.groups[by]
    want = by.casefold()
    return next((g for k, g in task.groups.items() if k.casefold() == want), None)


def _status(states: list[str]) -> str:
    if all(s == "done" for s in states):
        return "done"
    if all(s == "planned" for s in states):
        return "planned"
    return "in_progress"


def _latest(tasks: list[Task]) -> date | None:
    dues = [t.due for t in tasks if t.due]
    return max(dues) if dues else None


def make_plan(tasks: list[Task], group_by: str | None, *, source: str, columns: list[str]) -> Plan:
    """Phases, completed and pending from classified tasks (every `state` set)."""
    by = canonical_group(group_by) if group_by else None
    values = {id(t): _group_of(t, by) for t in tasks} if by else {}
    if by and not any(values.values()):
        raise InputError(f"--group-by {group_by}: no task in {source} has a value for it (its columns: "
                         f"{', '.join(columns)}); name a column, or use --map {by}=COLUMN"
                         if by in GROUP_NAMES else
                         f"--group-by {group_by}: {source} has no column {group_by!r} with values (its columns: "
                         f"{', '.join(columns)})")
    index: dict[str, Task] = {}
    for t in tasks:
        for ref in (t.name, t.ident, t.key):
            if ref:
                index[ref.casefold()] = t

    def container(g: Group, member: Task) -> Task | None:
        c = next((index[r.casefold()] for r in (g.key, g.label) if r and r.casefold() in index), None)
        return c if c is not None and c is not member else None

    # A row that other rows name as their parent is a heading (the epic itself), not a task. (Only the
    # parent: an "epic" can be a Linear project, which is not a row, whatever an issue may be called.)
    headings = {id(c) for t in tasks if (g := t.groups.get("parent")) and (c := container(g, t)) is not None}
    containers: dict[str, Task] = {}  # group label -> the task that is the group itself
    for t in tasks:
        g = values.get(id(t))
        if g and (c := container(g, t)) is not None and values.get(id(c)) != g:
            containers[g.label] = c
    container_ids = headings | {id(c) for c in containers.values()}
    members = [t for t in tasks if id(t) not in container_ids]

    phases: list[PhasePlan] = []
    by_label: dict[str, PhasePlan] = {}
    heads: dict[int, Task] = {}  # id(phase) -> the row that names it
    for t in members:
        g = values.get(id(t))
        if g is None:  # ungrouped (or no grouping): the task is a phase of its own
            if t.state != "skip":
                phases.append(PhasePlan(t.name, t.key, t.due, _status([t.state or "planned"])))
            continue
        phase = by_label.get(g.label)
        if phase is None:
            c = containers.get(g.label)
            phase = by_label[g.label] = PhasePlan(c.name if c else g.label, (c.key if c else None) or g.key, None, "")
            phases.append(phase)
            if c is not None:
                heads[id(phase)] = c
        if t.state != "skip":
            phase.tasks.append(t)
    kept = []
    for phase in phases:
        if phase.status:  # a task-phase, already complete
            kept.append(phase)
            continue
        if not phase.tasks:  # every task of it cancelled: nothing of it is in the new timeline
            continue
        head = heads.get(id(phase))
        phase.due = _latest(phase.tasks) or (head.due if head else None)
        phase.status = _status([t.state or "planned" for t in phase.tasks])
        kept.append(phase)
    order = {id(p): i for i, p in enumerate(kept)}
    kept.sort(key=lambda p: (p.due is None, p.due or date.min, order[id(p)]))
    return Plan(phases=kept,
                completed=[t for t in members if t.state == "done"],
                pending=[t for t in members if t.state in ("in_progress", "planned")],
                skipped=[t for t in tasks if t.state == "skip"])
