"""Drafting and checking with thousands of mitigations must stay linear (issue: the overlap test
used to rebuild the draft's word list once per mitigation, 22 s for 8,000).

Run from the repository root:  python benchmarks/many_mitigations.py
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

import yaml

from assistant.checks import check_draft
from assistant.drafting.offline import draft_offline
from assistant.facts import validate_facts

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    for name in ("en-payment-email.yaml", "zh-store-email.yaml"):
        path = ROOT / "examples" / name
        if not path.exists():
            continue
        base = yaml.safe_load(path.read_text(encoding="utf-8"))
        zh = base.get("language") == "zh"
        last = None
        for n in (2000, 4000, 8000):
            data = copy.deepcopy(base)
            data["mitigations"] = [(f"第{i}组增派一名测试人员" if zh else f"Reviewer {i} joins the checkout work")
                                   for i in range(n)]
            facts = validate_facts(data)
            start = time.perf_counter()
            check_draft(draft_offline(facts), facts)
            took = time.perf_counter() - start
            ratio = f"  x{took / last:.2f} for x2" if last else ""
            print(f"{name:24} {n:>5} mitigations: draft + check {took:6.2f} s{ratio}")
            last = took


if __name__ == "__main__":
    main()
