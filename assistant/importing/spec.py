"""Reading tasks out of a table by column names: each CSV format is a `ColumnSpec` (the names its tool
writes), and `--map` replaces any of them with a column of the user's choice."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import tzinfo

from assistant.errors import InputError
from assistant.importing.model import GROUP_NAMES, Group, Task
from assistant.importing.table import Table
from assistant.importing.taskdates import FORMS, parse_task_date

MAP_KEYS = ("name", "key", "id", "status", "category", "due", *GROUP_NAMES)


@dataclass(frozen=True)
class ColumnSpec:
    """The column names a tool writes for each field, most likely first."""

    label: str  # the tool's name, for messages
    name: tuple[str, ...]
    status: tuple[str, ...]
    due: tuple[str, ...]
    key: tuple[str, ...] = ()
    id: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def with_map(self, mapping: dict[str, str]) -> ColumnSpec:
        """This spec with the `--map` columns put first (a named column always wins)."""
        plain = {k: (v,) for k, v in mapping.items() if k not in GROUP_NAMES}
        groups = dict(self.groups) | {k: (v,) for k, v in mapping.items() if k in GROUP_NAMES}
        return replace(self, groups=groups, **plain)


def parse_map(values: list[str]) -> dict[str, str]:
    """`--map name=标题,due=截止时间` (repeatable) as {"name": "标题", "due": "截止时间"}."""
    out: dict[str, str] = {}
    for value in values:
        for part in value.replace("，", ",").split(","):
            if not part.strip():
                continue
            key, sep, column = part.partition("=")
            key = key.strip().lower()
            if not sep or not column.strip():
                raise InputError(f"--map {part.strip()!r} needs the form FIELD=COLUMN, for example name=标题")
            if key not in MAP_KEYS:
                raise InputError(f"--map {key}=…: {key!r} is not a field; use one of {', '.join(MAP_KEYS)}")
            out[key] = column.strip()
    return out


def tasks_from_table(table: Table, spec: ColumnSpec, zone: tzinfo, *, mapped: dict[str, str]) -> list[Task]:
    """One Task per row that has a name. A `--map` column the table lacks, or a table without a
    name column, is an InputError naming the columns it does have."""
    columns = ", ".join(dict.fromkeys(table.header))
    for key, column in mapped.items():
        if not table.has(column):
            raise InputError(f"--map {key}={column}: {table.source} has no column {column!r} (its columns: {columns})")
    name_col = table.first_present(spec.name)
    if name_col is None:
        raise InputError(f"{table.source} has no task name column for a {spec.label} export (looked for "
                         f"{' / '.join(spec.name)}; its columns: {columns}); name it with --map name=COLUMN")
    status_col, due_col = table.first_present(spec.status), table.first_present(spec.due)
    if status_col is None:
        raise InputError(f"{table.source} has no status column (looked for {' / '.join(spec.status)}; its columns: "
                         f"{columns}); name it with --map status=COLUMN")
    key_col, id_col = table.first_present(spec.key), table.first_present(spec.id)
    cat_col = table.first_present(spec.category)
    group_cols = {g: table.first_present(names) for g, names in spec.groups.items()}
    tasks: list[Task] = []
    for line, row in table.rows:
        name = " ".join(table.cell(row, name_col).split())
        if not name:
            continue
        where = f"{table.unit} {line}"
        due_text = table.cell(row, due_col)
        try:
            due = parse_task_date(due_text, zone)
        except ValueError as exc:
            raise InputError(f"{table.source}, {where}: the due date {due_text!r} (column {due_col}) {exc}; "
                             f"dates are read as {FORMS}") from None
        groups = {h: Group(" ".join(v.split())) for h in table.header if (v := table.cell(row, h))}
        for g, col in group_cols.items():
            # a task carried over lists each sprint it was in, oldest first: it belongs to the last one
            found = table.cells(row, col)
            if value := (found[-1] if g == "iteration" else found[0]) if found else "":
                groups[g] = Group(" ".join(value.split()))
        tasks.append(Task(name=name, where=where, key=table.cell(row, key_col) or None,
                          ident=table.cell(row, id_col) or None, status=table.cell(row, status_col),
                          category=table.cell(row, cat_col) or None, due=due, groups=groups))
    return tasks
