"""Linear: the CSV of "Export issues" (workspace settings, Import / export).

Columns as a Linear export writes them (see README, "Column names"): ID (ENG-123), Title, Status,
Due Date, Project, Parent issue, Cycle Name, Project Milestone, with dates in ISO form.
"""

from __future__ import annotations

from assistant.importing.spec import ColumnSpec

SPEC = ColumnSpec(
    label="Linear",
    name=("Title",),
    key=("ID", "Identifier"),
    status=("Status",),
    due=("Due Date", "Due date"),
    groups={
        "epic": ("Project",),
        "parent": ("Parent issue", "Parent"),
        "version": ("Project Milestone", "Milestone"),
        "iteration": ("Cycle Name", "Cycle Number", "Cycle"),
    },
)

HEADER_SIGNS = ("ID", "Title", "Status")
MARKERS = ("Team", "Cycle Name", "Cycle Number", "Project Milestone", "Creator", "Triaged")
"""One of these besides HEADER_SIGNS tells Linear from another English tool."""
