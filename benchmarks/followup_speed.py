"""Follow-through costs, in process: drafting and checking one update, recording messages in the
history (one transaction each), reading a long history, and building the calendar.

Run from the repository root:  python benchmarks/followup_speed.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from assistant.config import Settings
from assistant.facts import load_facts
from assistant.followup.commands import draft_update, make_record
from assistant.followup.history import open_history
from assistant.followup.progress import load_progress
from assistant.followup.schedule import build_calendar

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "followup"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> None:
    rows = []
    for lang in ("en", "zh"):
        facts = load_facts(DATA / f"facts_{lang}.yaml")
        for n, status in ((1, "on_track"), (2, "at_risk"), (3, "slipped")):
            progress = load_progress(DATA / f"p{n}_{lang}.yaml", facts)
            draft_update(facts, progress, [], Settings(), use_llm=False)  # warm up templates and data
            start = time.perf_counter()
            for _ in range(20):
                draft_update(facts, progress, [], Settings(), use_llm=False)
            rows.append((f"update {lang} {status}: draft + checks", _ms((time.perf_counter() - start) / 20)))
    facts = load_facts(DATA / "facts_en.yaml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite"
        history = open_history(path, facts.project, create=True)
        start = time.perf_counter()
        for i in range(500):
            history.add(make_record(facts, None, f"message {i}", sent_on=date(2026, 11, 20) + timedelta(days=i % 30)))
        rows.append(("record one message (500 in a row, a transaction each)", _ms((time.perf_counter() - start) / 500)))
        start = time.perf_counter()
        count = len(history.messages())
        rows.append((f"read a history of {count} messages", _ms(time.perf_counter() - start)))
        history.close()
    build_calendar(facts)
    start = time.perf_counter()
    for _ in range(20):
        build_calendar(facts, tz="Europe/London")
    rows.append(("build the calendar (icalendar, with VTIMEZONE)", _ms((time.perf_counter() - start) / 20)))
    width = max(len(r[0]) for r in rows)
    for label, figure in rows:
        print(f"{label:<{width}}  {figure}")


if __name__ == "__main__":
    main()
