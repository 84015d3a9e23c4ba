"""What a tool's status word means: done, in_progress, planned, or skip (left out of the facts).

The built-in words live in `assistant/data/import_statuses.yaml` (English and Chinese); `--status
done=已完成,关闭` adds words for one run and wins over the built-in ones. A status nobody knows, on a
task whose tool gave no status category either, stops the import with one sentence saying how to map it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from assistant.errors import InputError
from assistant.importing.model import Task

STATES = ("done", "in_progress", "planned", "skip")


def _norm(word: str) -> str:
    return " ".join(word.split()).casefold()


@lru_cache(maxsize=1)
def builtin_words() -> dict[str, str]:
    """Normalised status word -> state, from the data file."""
    import yaml

    data = yaml.safe_load((files("assistant") / "data" / "import_statuses.yaml").read_text(encoding="utf-8"))
    return {_norm(str(word)): state for state in STATES for word in data.get(state) or []}


def parse_status_options(values: list[str]) -> dict[str, str]:
    """`--status done=已完成,关闭 --status in_progress=进行中` as {"已完成": "done", …} (normalised)."""
    out: dict[str, str] = {}
    for value in values:
        state, sep, words = value.partition("=")
        state = state.strip().lower().replace("-", "_")
        if not sep or state not in STATES:
            raise InputError(f"--status {value!r} needs the form STATE=WORD[,WORD…] with STATE one of "
                             f"{', '.join(STATES)}, for example --status done=已完成,关闭")
        for word in words.replace("，", ",").split(","):
            if word.strip():
                out[_norm(word)] = state
    return out


def _state_of(word: str, user: dict[str, str]) -> str | None:
    key = _norm(word)
    if key in user:
        return user[key]
    if key in builtin_words():
        return builtin_words()[key]
    return key if key in STATES[:3] else None  # a tool (or a hand-made CSV) that writes our own words


def classify(tasks: list[Task], user: dict[str, str], *, source: str, column: str = "status") -> None:
    """Fill in each task's `state`, or raise InputError naming every unknown status and how to map it."""
    unknown: dict[str, str] = {}
    for task in tasks:
        state = _state_of(task.status, user) if task.status else None
        if state is None and task.category:
            state = _state_of(task.category, user)
        if state is None:
            unknown.setdefault(task.status, task.where)
        task.state = state
    if not unknown:
        return
    if "" in unknown:
        raise InputError(f"{source}, {unknown['']} has no {column}: give the task a status in the tool (or take it "
                         "out of the export), then import again")
    shown = ", ".join(f"'{w}' ({where})" for w, where in unknown.items())
    example = next(iter(unknown))
    quoted = f'"{example}"' if " " in example else example
    what = (f"the status {shown} is not one delaynote knows" if len(unknown) == 1
            else f"the statuses {shown} are not ones delaynote knows")
    raise InputError(f"{source}: {what}; say what it means with --status STATE={quoted}, where STATE is done, "
                     "in_progress, planned, or skip to leave such tasks out")
