"""`delaynote import` on long exports: a Jira CSV of 1,000 / 2,000 / 4,000 tasks in 40 epics merged
into a facts file with comments, then imported again (nothing to change). Both should grow about
linearly: items are found through an index, not by comparing every task with every item.

Run from the repository root:  python benchmarks/import_speed.py
"""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
import tempfile
import time
from pathlib import Path

from assistant.importing.command import run_import

ROOT = Path(__file__).resolve().parent.parent


def _export(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["Summary", "Issue key", "Issue id", "Status", "Status Category", "Due date", "Parent summary"])
        for i in range(1, n + 1):
            status = ("Done", "In Progress", "To Do")[i % 3]
            day = 16 + i % 12 if status != "Done" else 1 + i % 28
            out.writerow([f"Task number {i}", f"KP-{i}", 10000 + i, status, "", f"{day:02d}/Mar/27 5:00 PM",
                          f"Epic {i % 40}"])


def _timed(export: Path, facts: Path) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        run_import(export, facts=facts, fmt=None, maps=[], statuses=[], group_by="epic", timezone="UTC",
                   dry_run=False, prune=False)
    return time.perf_counter() - start


def main() -> None:
    print(f"{'tasks':>6}  {'first import':>12}  {'re-import':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (1000, 2000, 4000):
            export, facts = Path(tmp) / f"jira-{n}.csv", Path(tmp) / f"facts-{n}.yaml"
            _export(export, n)
            shutil.copy(ROOT / "tests" / "import_exports" / "facts-en.yaml", facts)
            text = facts.read_text(encoding="utf-8").replace("notice_date: 2027-02-15", "notice_date: 2027-03-01")
            facts.write_text(text.replace("next: 2027-02-19", "next: 2027-03-05"), encoding="utf-8")
            first, again = _timed(export, facts), _timed(export, facts)
            print(f"{n:>6}  {first:>11.2f}s  {again:>8.2f}s")


if __name__ == "__main__":
    main()
