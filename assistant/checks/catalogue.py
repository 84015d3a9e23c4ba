"""The catalogue of checks (SPEC §4), read from `data/catalogue.yaml`.

One source for ids, principles, default severities, titles, `why` and examples, so the
checks, `delaynote rules` and the SARIF rule help can never disagree.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import yaml


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Check id -> its entry (principle, severity, title, why, examples)."""
    text = (files("assistant.checks") / "data" / "catalogue.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


CHECK_IDS: tuple[str, ...] = (
    "late-notice", "missing-original-date", "missing-cause", "jargon", "blame-shifting",
    "missing-new-date", "vague-timeline", "missing-mitigation", "overpromise", "missing-impact",
    "missing-status", "hedging", "missing-update-plan", "missing-apology", "over-apology",
    "long-sentence", "fact-mismatch", "missing-contact",
)
