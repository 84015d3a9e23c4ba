"""The plan of an import merged into a facts document (ruamel round-trip data), in place.

Items already in the file are found again by their `# id:` comment (the issue key written at the
first import), else by name; found items are updated, new ones added, and nothing is deleted unless
`prune` - except that a task that moved between `pending` and `completed` moves. Every change is
returned as a sentence for the user.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from assistant.errors import InputError
from assistant.importing.grouping import PhasePlan, Plan
from assistant.importing.model import Task
from assistant.importing.yamledit import (
    append_item,
    attach_tail,
    delete_item,
    detach_tail,
    get_id,
    is_flow,
    set_id,
)

KEY_ORDER = ("language", "channel", "tone", "project", "client", "sender", "original_date", "new_date",
             "notice_date", "causes", "impact", "mitigations", "phases", "completed", "pending", "updates")


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _seq(doc: CommentedMap, key: str) -> CommentedSeq:
    """doc[key] as a list, created (in SPEC key order, block style) when absent or empty."""
    value = doc.get(key)
    if isinstance(value, CommentedSeq):
        return value
    if value is not None:  # a hand-written value that is not a list must not vanish into one
        raise InputError(f"{key} in the facts file is not a list ({str(value)[:40]!r}); make it a list, or remove "
                         "it, before importing")
    seq = CommentedSeq()
    if key in doc:
        doc[key] = seq
        return seq
    later = [k for k in KEY_ORDER[KEY_ORDER.index(key) + 1:] if k in doc]
    keys = list(doc.keys())
    doc.insert(keys.index(later[0]) if later else len(keys), key, seq)
    return seq


class _Index:
    """A list's items by `# id:` and by name, built once: a long export would otherwise compare every
    task with every item (5,000 tasks took seconds). Items appended later are not in it."""

    def __init__(self, seq: CommentedSeq | None) -> None:
        self.seq = seq
        self.by_id: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        for i, item in enumerate(seq or []):
            if (ident := get_id(seq, i)) is not None:
                self.by_id.setdefault(ident, []).append(i)
            self.by_name.setdefault(_norm(item), []).append(i)
        self.taken: set[int] = set()

    def find(self, name: str, key: str | None) -> int | None:
        """The item with this id, else one with this name and no other id; marked as taken."""
        found = next((i for i in self.by_id.get(key, []) if i not in self.taken), None) if key else None
        if found is None:
            found = next((i for i in self.by_name.get(_norm(name), [])
                          if i not in self.taken and get_id(self.seq, i) in (None, key)), None)
        if found is not None:
            self.taken.add(found)
        return found


def _phase_name(item: Any) -> str:
    return _norm(item.get("name", "")) if isinstance(item, dict) else ""


def _phase_find(seq: CommentedSeq, plan: PhasePlan, taken: set[int]) -> int | None:
    if plan.key:
        for i, item in enumerate(seq):
            if i not in taken and isinstance(item, CommentedMap) and get_id(item, "name") == plan.key:
                return i
    for i, item in enumerate(seq):
        if (i not in taken and _phase_name(item) == _norm(plan.name)
                and (not isinstance(item, CommentedMap) or get_id(item, "name") in (None, plan.key))):
            return i
    return None


class Merger:
    """Applies one plan to one document; `changes` lists what was done, `notes` what was not."""

    def __init__(self, doc: CommentedMap, *, prune: bool) -> None:
        self.doc, self.prune = doc, prune
        self.changes: list[str] = []
        self.notes: list[str] = []

    def apply(self, plan: Plan) -> None:
        self._phases(plan.phases)
        self._status_lists(plan)

    # -- completed / pending -------------------------------------------------------------
    def _status_lists(self, plan: Plan) -> None:
        wanted = {"completed": plan.completed, "pending": plan.pending}
        present = {k: self.doc.get(k) for k in wanted}
        if not any(wanted.values()) and not ((self.prune or plan.skipped)
                                             and any(isinstance(v, CommentedSeq) for v in present.values())):
            return
        seqs = {k: _seq(self.doc, k) if wanted[k] or isinstance(present[k], CommentedSeq) else None for k in wanted}
        index = {k: _Index(seqs[k]) for k in wanted}
        removals: dict[str, set[int]] = {k: set() for k in wanted}
        appends: dict[str, list[Task]] = {k: [] for k in wanted}
        for target, tasks in wanted.items():
            other = "pending" if target == "completed" else "completed"
            for task in tasks:
                seq = seqs[target]
                i = index[target].find(task.name, task.key) if seq is not None else None
                if i is not None:
                    self._rename(seq, i, task, target)
                    continue
                j = index[other].find(task.name, task.key) if seqs[other] is not None else None
                if j is not None:
                    removals[other].add(j)
                    self.changes.append(f"{other} -> {target}: {seqs[other][j]}")
                else:
                    self.changes.append(f"{target}: added {task.name}")
                appends[target].append(task)
        for task in plan.skipped:
            for k in wanted:
                hits = index[k].by_id.get(task.key or "", []) or index[k].by_name.get(_norm(task.name), [])
                if hits and not self.prune:
                    self.notes.append(f"{task.name!r} is {task.status} in the export but still in {k}; "
                                      "--prune removes it")
        if self.prune:
            for k, seq in seqs.items():
                for i in range(len(seq) if seq is not None else 0):
                    if i not in index[k].taken:
                        removals[k].add(i)
                        self.changes.append(f"{k}: removed {seq[i]} (not in the export; --prune)")
        for k, seq in seqs.items():
            if seq is None:
                continue
            for i in sorted(removals[k], reverse=True):
                delete_item(seq, i)
            for task in appends[k]:
                append_item(seq, task.name, task.key)

    def _rename(self, seq: CommentedSeq, i: int, task: Task, where: str) -> None:
        if _norm(seq[i]) != _norm(task.name):
            self.changes.append(f"{where}: renamed {seq[i]} -> {task.name}")
            seq[i] = task.name
        if task.key and get_id(seq, i) is None:
            set_id(seq, i, task.key)

    # -- phases --------------------------------------------------------------------------
    def _phases(self, plans: list[PhasePlan]) -> None:
        existing = self.doc.get("phases")
        if not plans and not (self.prune and isinstance(existing, CommentedSeq)):
            return
        seq = _seq(self.doc, "phases")
        flow_tasks = any(isinstance(p, dict) and is_flow(p.get("tasks")) for p in seq)
        taken: set[int] = set()
        matches = []
        for plan in plans:
            i = _phase_find(seq, plan, taken)
            if i is not None:
                taken.add(i)
            matches.append((plan, i))
        self._move_tasks(seq, matches)
        new: list[PhasePlan] = []
        for plan, i in matches:
            if i is not None:
                self._update_phase(seq[i], plan)
            elif plan.due is not None:
                new.append(plan)
            elif plan.tasks:
                self.notes.append(f"phase {plan.name!r} is not added: none of its tasks has a due date "
                                  "(give them one in the tool, or add the phase by hand)")
            else:
                self.notes.append(f"{plan.name!r} has no due date, so it is not added as a phase (it is still "
                                  "listed as done or pending)")
        if self.prune:
            for i in sorted(set(range(len(seq))) - taken, reverse=True):
                self.changes.append(f"phases: removed {seq[i].get('name') if isinstance(seq[i], dict) else seq[i]} "
                                    "(not in the export; --prune)")
                delete_item(seq, i)
        for plan in new:
            self._add_phase(seq, plan, flow_tasks)

    def _move_tasks(self, seq: CommentedSeq, matches: list[tuple[PhasePlan, int | None]]) -> None:
        """A task (known by its id) that the export puts in another phase leaves the phase it was in."""
        home = {t.key: (plan, i) for plan, i in matches for t in plan.tasks if t.key}
        for j, phase in enumerate(seq):
            tasks = phase.get("tasks") if isinstance(phase, CommentedMap) else None
            if not isinstance(tasks, CommentedSeq):
                continue
            for k in range(len(tasks) - 1, -1, -1):
                ident = get_id(tasks, k)
                if ident in home and home[ident][1] != j:
                    self.changes.append(f"phases: {phase.get('name')}: task moved to {home[ident][0].name}: {tasks[k]}")
                    if len(tasks) == 1:  # the last one: the phase keeps no empty list
                        tail = detach_tail(phase, "tasks")
                        del phase["tasks"]
                        attach_tail(phase, list(phase.keys())[-1], tail)
                    else:
                        delete_item(tasks, k)

    def _update_phase(self, phase: Any, plan: PhasePlan) -> None:
        if not isinstance(phase, CommentedMap):
            return
        # A phase's name is what the client reads: one given by hand (the phase found by its id) is kept.
        label = str(phase.get("name", plan.name))
        if plan.key and get_id(phase, "name") is None:
            set_id(phase, "name", plan.key)
        if plan.due is not None and str(phase.get("due", "")) != plan.due.isoformat():
            self.changes.append(f"phases: {label}: due {phase.get('due', '(none)')} -> {plan.due.isoformat()}")
            phase["due"] = plan.due
        if phase.get("status") != plan.status:
            self.changes.append(f"phases: {label}: status {phase.get('status', '(none)')} -> {plan.status}")
            if "status" in phase:
                phase["status"] = plan.status
            else:
                phase.insert(len(phase), "status", plan.status)
        if plan.tasks:
            tasks = phase.get("tasks")
            if not isinstance(tasks, CommentedSeq):
                tasks = CommentedSeq()
                keys = list(phase.keys())
                phase.insert(keys.index("status") if "status" in keys else len(keys), "tasks", tasks)
            index, before = _Index(tasks), len(tasks)
            for task in plan.tasks:
                i = index.find(task.name, task.key)
                if i is None:
                    self.changes.append(f"phases: {label}: task added: {task.name}")
                    append_item(tasks, task.name, task.key)
                else:
                    self._rename(tasks, i, task, f"phases: {label}: task")
            if self.prune:
                for i in sorted(set(range(before)) - index.taken, reverse=True):  # not the ones just added
                    self.changes.append(f"phases: {label}: task removed: {tasks[i]} (not in the export; --prune)")
                    delete_item(tasks, i)

    def _add_phase(self, seq: CommentedSeq, plan: PhasePlan, flow_tasks: bool) -> None:
        node = CommentedMap()
        node["name"] = plan.name
        node["due"] = plan.due
        if plan.tasks:
            tasks = CommentedSeq()
            if flow_tasks:
                tasks.fa.set_flow_style()
            for task in plan.tasks:
                append_item(tasks, task.name, None if flow_tasks else task.key)
            node["tasks"] = tasks
        node["status"] = plan.status
        if plan.key:
            set_id(node, "name", plan.key)
        at = next((i for i, p in enumerate(seq) if isinstance(p, dict) and _due(p) and _due(p) > plan.due), None)
        if at is None:
            append_item(seq, node, None)
        else:  # a comment that stood before the phase now after it stays before that phase
            tail = detach_tail(seq, at - 1) if at > 0 and not is_flow(seq) else ""
            seq.insert(at, node)
            attach_tail(seq, at, tail)
        self.changes.append(f"phases: added {plan.name} (due {plan.due.isoformat()}, {plan.status})")


def _due(phase: dict[str, Any]) -> date | None:
    value = phase.get("due")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
