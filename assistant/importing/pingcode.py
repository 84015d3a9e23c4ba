"""PingCode (项目管理 Agile): the Excel/CSV export of work items (工作项), with Chinese column names.

PingCode's public help does not list the export's columns (see README, "Column names"); the names
here are those of its work item fields: 标题, 编号, 状态, 负责人, 截止时间, 开始时间, 父工作项,
所属迭代, 工作项类型, 优先级, 故事点.
"""

from __future__ import annotations

from assistant.importing.spec import ColumnSpec

SPEC = ColumnSpec(
    label="PingCode",
    name=("标题", "工作项标题", "名称"),
    key=("编号", "工作项编号", "ID"),
    status=("状态", "工作项状态"),
    due=("截止时间", "截止日期", "到期时间"),
    groups={
        "epic": ("史诗", "所属史诗", "父工作项"),
        "parent": ("父工作项",),
        "version": ("发布", "所属发布", "版本"),
        "iteration": ("所属迭代", "迭代"),
    },
)

HEADER_SIGNS = ("标题", "状态")
MARKERS = ("工作项类型", "所属迭代", "父工作项", "故事点", "所属发布")
