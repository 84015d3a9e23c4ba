"""Worktile: the Excel/CSV export of a project's tasks (任务), with Chinese column names.

Worktile's public help does not list the export's columns (see README, "Column names"); the names
here are those its task view shows: 标题, 编号, 状态, 负责人, 截止时间, 开始时间, 父任务, 任务类型.
"""

from __future__ import annotations

from assistant.importing.spec import ColumnSpec

SPEC = ColumnSpec(
    label="Worktile",
    name=("标题", "任务标题", "任务名称", "名称"),
    key=("编号", "任务编号", "ID"),
    status=("状态", "任务状态"),
    due=("截止时间", "截止日期", "到期时间", "到期日"),
    groups={
        "epic": ("史诗", "所属史诗"),
        "parent": ("父任务", "父工作项"),
        "version": ("版本", "所属版本", "发布"),
        "iteration": ("所属迭代", "迭代", "任务分组", "任务列表"),
    },
)

HEADER_SIGNS = ("标题", "状态")
MARKERS = ("任务类型", "父任务", "任务分组", "任务列表", "所属项目", "参与人")
