"""Any other CSV: the user names the columns with `--map name=标题,due=截止时间,status=状态`.
Without a `--map` entry, common English and Chinese names are tried."""

from __future__ import annotations

from assistant.importing.spec import ColumnSpec

SPEC = ColumnSpec(
    label="CSV",
    name=("name", "Name", "Title", "Task", "Summary", "标题", "名称", "任务", "任务名称"),
    key=("key", "Key", "ID", "编号"),
    status=("status", "Status", "State", "状态"),
    due=("due", "Due", "Due date", "Deadline", "截止时间", "截止日期"),
    groups={},
)
