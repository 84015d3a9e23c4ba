"""The progress file: what happened since the last message, for one update (README "The progress file").

Strict like the facts file: unknown keys are errors, and every problem is reported at once with
its key path. Rules that need the facts (an update before the notice, a slip to an earlier date)
are checked by `progress_problems_with_facts`, in the same pass, so one run lists them all.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field

from assistant.dates import CADENCE_DAYS
from assistant.errors import InputError
from assistant.facts import (
    Cause,
    Facts,
    FactsError,
    IsoDate,
    Problem,
    Text,
    _iso_date,
    _Strict,
    parse_facts_text,
    validate_strictly,
)
from assistant.textio import read_input, read_text

DateStatus = Literal["on_track", "at_risk", "slipped", "delivered"]
DATE_STATUSES: tuple[str, ...] = get_args(DateStatus)


class AtRisk(_Strict):
    """The new date still holds, but something could move it: what, and when the client will know."""

    trigger: Text
    known_by: IsoDate


class Slip(_Strict):
    """The date moves again: the new date, the new cause and what changes in the plan."""

    new_date: IsoDate
    cause: Cause
    changes: list[Text] = Field(min_length=1)


class Progress(_Strict):
    """One progress update (principle 5): done, in progress, next, risks, and the date's state."""

    update_date: IsoDate = Field(default_factory=date.today)
    status: DateStatus
    done: list[Text] = Field(default_factory=list)
    in_progress: list[Text] = Field(default_factory=list)
    next: list[Text] = Field(default_factory=list)
    risks: list[Text] = Field(default_factory=list)
    at_risk: AtRisk | None = None
    slipped: Slip | None = None
    next_update: IsoDate | None = None


_PROGRESS_HINT = {"extra_forbidden": "is not a known key (check the spelling; `delaynote schema --progress` lists the keys)"}


def _status_problems(data: dict[str, Any]) -> list[Problem]:
    """`at_risk` belongs to status at_risk, `slipped` to status slipped; each needs the other."""
    status = data.get("status")
    problems: list[Problem] = []
    for key in ("at_risk", "slipped"):
        if status == key and data.get(key) is None:
            what = ("what would make the date slip (trigger) and when the client will know (known_by)"
                    if key == "at_risk" else "the new date, the new cause and what changes in the plan")
            problems.append(Problem(path=key, message=f"is required when status is {key}: say {what}"))
        if status in DATE_STATUSES and status != key and data.get(key) is not None:
            problems.append(Problem(path=key, message=f"belongs to status {key}, but status is {status}: "
                                                      f"remove it or set status: {key}"))
    if status == "delivered" and data.get("next_update") is not None:
        problems.append(Problem(path="next_update", message="a delivered project needs no next update; remove it"))
    return problems


def validate_progress(data: Any, source: str = "progress") -> Progress:
    """Build `Progress` from parsed data, or raise `FactsError` listing every problem."""
    return validate_strictly(Progress, data, source, keys="status, done", hints=_PROGRESS_HINT,
                             relations=_status_problems)


def load_progress_data(path: str | Path) -> tuple[Any, str]:
    """The parsed progress file ('-' reads stdin) and its name for messages."""
    source = "stdin" if str(path) == "-" else str(path)
    text = read_input("-") if str(path) == "-" else read_text(Path(path))
    if not text.strip():
        raise InputError(f"{source} is empty: write the progress there, or run `delaynote init --progress {source}`")
    return parse_facts_text(text, source), source


def _as_date(value: Any) -> date | None:
    try:
        return _iso_date(value)
    except (ValueError, TypeError):
        return None


def progress_problems_with_facts(data: dict[str, Any], facts: Facts, delivery: date) -> list[Problem]:
    """Rules between the progress file and the facts (and the date the client was last given)."""
    problems: list[Problem] = []
    when = _as_date(data.get("update_date")) if "update_date" in data else date.today()
    if when and when < facts.notice_date:
        problems.append(Problem(path="update_date", message=f"{when.isoformat()} is before the notice "
                                f"({facts.notice_date.isoformat()}): an update follows the notice"))
    if when and when > delivery and data.get("status") in ("on_track", "at_risk"):
        problems.append(Problem(path="status", message=f"{data['status']} cannot be true on {when.isoformat()}, after "
                                f"the delivery date ({delivery.isoformat()}): use slipped (with the new date) or "
                                "delivered"))
    risk = data.get("at_risk")
    known = _as_date(risk.get("known_by")) if isinstance(risk, dict) else None
    if known and when and known < when:
        problems.append(Problem(path="at_risk.known_by", message=f"{known.isoformat()} is before update_date "
                                f"({when.isoformat()}): the client learns whether the date holds later, not earlier"))
    if known and known > delivery:
        problems.append(Problem(path="at_risk.known_by", message=f"{known.isoformat()} is after the delivery date "
                                f"({delivery.isoformat()}): the client must know before then"))
    slip = data.get("slipped")
    new = _as_date(slip.get("new_date")) if isinstance(slip, dict) else None
    if new and new <= delivery:
        problems.append(Problem(path="slipped.new_date", message=f"{new.isoformat()} must be after the date the "
                                f"client was given ({delivery.isoformat()}); a slip moves the date later"))
    nxt = _as_date(data.get("next_update"))
    if nxt and when and nxt < when:
        problems.append(Problem(path="next_update", message=f"{nxt.isoformat()} is before update_date "
                                f"({when.isoformat()}): the next update cannot be in the past"))
    end = new or delivery
    if nxt and nxt > end:
        problems.append(Problem(path="next_update", message=f"{nxt.isoformat()} is after the delivery date "
                                f"({end.isoformat()}): the next update must come by then"))
    return problems


def load_progress(path: str | Path, facts: Facts, delivery: date | None = None) -> Progress:
    """Read and validate a progress file against the facts; every problem at once (exit 2)."""
    data, source = load_progress_data(path)
    delivery = delivery or facts.new_date
    problems: list[Problem] = []
    progress: Progress | None = None
    try:
        progress = validate_progress(data, source)
    except FactsError as exc:
        problems = list(exc.problems)
    if isinstance(data, dict):
        problems += progress_problems_with_facts(data, facts, delivery)
    if problems or progress is None:
        raise FactsError(source, problems)
    return progress


def progress_language(progress: Progress) -> str | None:
    """The language the progress file's sentences are written in (`zh`, `en`, or None for a mix or
    nothing), weighed as `facts.text_language` does."""
    from assistant.facts import written_language

    parts = [*progress.done, *progress.in_progress, *progress.next, *progress.risks]
    if progress.at_risk:
        parts.append(progress.at_risk.trigger)
    if progress.slipped:
        parts += [progress.slipped.cause.summary, progress.slipped.cause.detail or "", *progress.slipped.changes]
    return written_language(" ".join(parts))


def refuse_mixed_progress(progress: Progress, language: str, source: str) -> None:
    """An update in one language around progress written in another would mix the two: refuse it."""
    written = progress_language(progress)
    if written is not None and written != language:
        names = {"en": "English", "zh": "Chinese"}
        raise InputError(f"{source} is written in {names[written]}, but the update is in {names[language]}, so it "
                         f"would mix the two languages; write the progress in {names[language]}, or use the "
                         f"facts' language: {written}")


def delivery_after(progress: Progress, delivery: date) -> date:
    """The delivery date this update leaves the client with."""
    return progress.slipped.new_date if progress.slipped else delivery


def next_update_after(progress: Progress, facts: Facts, delivery: date) -> date | None:
    """The next update: as given, else one cadence step after this one, never after delivery;
    None once delivered."""
    if progress.status == "delivered":
        return None
    if progress.next_update:
        return progress.next_update
    end = delivery_after(progress, delivery)
    step = progress.update_date + timedelta(days=CADENCE_DAYS[facts.updates.cadence])
    return max(min(step, end), progress.update_date)


def progress_json_schema() -> dict[str, Any]:
    """The JSON Schema of the progress file, for editor completion."""
    schema = Progress.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "delaynote progress"
    return schema
