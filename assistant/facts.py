"""The facts of one delay (SPEC §2): the Pydantic model, and loading it from YAML or JSON.

Loading reports *every* problem at once, each with its key path (`causes[0].summary`) and
a plain sentence, so a user fixes a facts file in one pass instead of one error per run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from assistant.dates import check_date_range, next_update, parse_iso_date
from assistant.errors import InputError
from assistant.textio import read_input, read_text

M = TypeVar("M", bound=BaseModel)

Language = Literal["en", "zh"]
Channel = Literal["email", "phone", "meeting", "im"]
Tone = Literal["formal", "neutral", "warm"]
Cadence = Literal["daily", "twice-weekly", "weekly", "biweekly", "monthly"]
CauseCategory = Literal["technical", "scope_change", "dependency", "resource", "external", "quality", "other"]
PhaseStatus = Literal["done", "in_progress", "planned"]

# The allowed values as tuples, read from the types above so the two can never disagree.
LANGUAGES: tuple[str, ...] = get_args(Language)
CHANNELS: tuple[str, ...] = get_args(Channel)
TONES: tuple[str, ...] = get_args(Tone)
CADENCES: tuple[str, ...] = get_args(Cadence)
CAUSE_CATEGORIES: tuple[str, ...] = get_args(CauseCategory)


def _iso_date(value: Any) -> Any:
    """Accept only real ISO dates: YAML would otherwise turn 2026-02-30 into a loader crash
    and Pydantic would accept integers as Unix timestamps. Years run from 1900 to 2999
    (`dates.MIN_YEAR`, `MAX_YEAR`), so derived dates never overflow."""
    if isinstance(value, date):
        return check_date_range(value)
    if isinstance(value, str):
        return parse_iso_date(value)
    raise ValueError("must be a date in the form YYYY-MM-DD")


def _text(value: Any) -> Any:
    """Trim text; numbers typed in YAML (a project called 2027) become text, as written."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
HolidayCountry = Annotated[str, BeforeValidator(_text), Field(pattern=r"^(?:[A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?|none)$")]
"""An ISO 3166 country code ('CN', 'GB'; a region as 'US-CA') or 'none'; whether the `holidays`
package knows it is checked when drafting (importing it here would slow every `check --facts`)."""
Text = Annotated[str, BeforeValidator(_text), Field(min_length=1)]


def _zone_name(value: object) -> object:
    """An IANA time zone name that this machine knows ('Asia/Shanghai', 'Europe/Berlin', 'UTC')."""
    if not isinstance(value, str) or not value.strip():
        return value
    from assistant.dates import ZONE_EXAMPLES, known_zone

    if known_zone(value.strip()) is None:
        raise ValueError(f"{value.strip()!r} is not a time zone name; {ZONE_EXAMPLES}")
    return value.strip()


TimeZoneName = Annotated[str, BeforeValidator(_zone_name)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _about(description: str, *examples: Any, **kwargs: Any) -> Any:
    """A field's description and examples, shown by `delaynote schema` (and so by an editor on hover)."""
    return Field(description=description, examples=list(examples), **kwargs)


class Client(_Strict):
    """Who is told: `contact` is the person addressed."""

    organisation: Text | None = _about("The client's organisation (optional).", "Harbour Logistics Ltd", default=None)
    contact: Text = _about("The person the notice is addressed to (required).", "Ms. Chen", "陈女士")
    email: Text | None = _about("The contact's e-mail address; the eml format puts it in To: (optional).",
                                "chen@harbour.example", default=None)


class Sender(_Strict):
    """Who signs the notice and answers questions."""

    name: Text = _about("Who signs the notice (required).", "Sam Lee", "李明")
    role: Text | None = _about("The sender's role (optional).", "Project manager", default=None)
    organisation: Text | None = _about("The sender's organisation (optional).", "Northwind Software", default=None)
    email: Text | None = _about("Where the client can write with questions (optional).", "sam@northwind.example",
                                default=None)
    phone: Text | None = _about("Where the client can call (optional; quote it in YAML).", "+1 555 0100",
                                default=None)


class Cause(_Strict):
    """One reason for the delay, in words the client understands."""

    summary: Text = _about("The reason in one sentence, in words the client understands (required).",
                           "The payment provider changed its interface and our integration must be redone")
    detail: Text | None = _about("A longer explanation (optional).",
                                 "The provider announced the change on 10 November with two weeks' notice.",
                                 default=None)
    category: CauseCategory = _about("What kind of cause it is (default other).", "dependency", default="other")


class Phase(_Strict):
    """One step of the new timeline."""

    name: Text = _about("The step's name (required).", "Payment integration")
    due: IsoDate = _about("When the step ends, YYYY-MM-DD; not after new_date (required).", "2026-12-08")
    tasks: list[Text] = _about("What the step involves (optional).",
                               ["Adapt to the new interface", "Re-run payment tests"], default_factory=list)
    status: PhaseStatus | None = _about("Where the step stands (optional).", "in_progress", default=None)


class Updates(_Strict):
    """Principle 5: when the client hears from us next, and how often."""

    cadence: Cadence = _about("How often the client hears from us (default weekly).", "weekly", default="weekly")
    channel: Channel | None = _about("How the updates are sent (optional; same values as channel).", "email",
                                     default=None)
    next: IsoDate | None = _about("The next update's date, YYYY-MM-DD, from notice_date to new_date (optional; "
                                  "default: notice_date plus one cadence step).", "2026-11-27", default=None)


class Facts(_Strict):
    """The single source of truth about one delay (SPEC §2)."""

    language: Language = _about("The notice's language (default en).", "en", "zh", default="en")
    channel: Channel = _about("How the notice is delivered (default email).", "email", "im", default="email")
    tone: Tone = _about("The notice's register (default neutral).", "neutral", default="neutral")
    project: Text = _about("The project that is late, as the client knows it (required).",
                           "Customer portal rebuild", "惠购商城 App")
    client: Client = _about("Who is told (required).", {"organisation": "Harbour Logistics Ltd",
                                                       "contact": "Ms. Chen"})
    sender: Sender = _about("Who signs and answers questions (required).",
                            {"name": "Sam Lee", "role": "Project manager", "email": "sam@northwind.example"})
    original_date: IsoDate = _about("The date we promised, YYYY-MM-DD (required).", "2026-12-01")
    new_date: IsoDate = _about("The new delivery date, YYYY-MM-DD, after original_date (required).", "2026-12-19")
    notice_date: IsoDate = _about("The day the notice is sent, YYYY-MM-DD (optional; default: today).",
                                  "2026-11-20", default_factory=date.today)
    causes: list[Cause] = _about("Why it is late: at least one cause (required).",
                                 [{"summary": "The payment provider changed its interface", "category": "dependency"}],
                                 min_length=1)
    impact: Text | None = _about("What the delay means for the client, in their terms (optional).",
                                 "Staff training moves back by two weeks.", default=None)
    mitigations: list[Text] = _about("What we are doing to recover time or limit the impact: at least one "
                                     "(required).", ["Two more testers join the team from Monday"], min_length=1)
    phases: list[Phase] = _about("The new timeline, step by step (optional).",
                                 [{"name": "Payment integration", "due": "2026-12-08", "status": "in_progress"}],
                                 default_factory=list)
    completed: list[Text] = _about("What is already finished (optional).", ["Order tracking pages"],
                                   default_factory=list)
    pending: list[Text] = _about("What remains to be done (optional).", ["Payment", "Final acceptance test"],
                                 default_factory=list)
    updates: Updates = _about("When and how the client hears from us next (optional).",
                              {"cadence": "weekly", "next": "2026-11-27"}, default_factory=Updates)
    holiday_country: HolidayCountry | None = _about(  # README "Working days": not in SPEC §2, an addition
        "Whose public holidays are not working days: an ISO country code, or none (optional).", "GB", "CN",
        default=None)
    timezone: TimeZoneName | None = _about(  # README "Time zone": not in SPEC §2, an addition
        "The time zone the dates mean, an IANA name: `import` turns task times into dates in it, "
        "`schedule` places its events in it (optional; default: this machine's zone for import, UTC "
        "for schedule).", "Asia/Shanghai", "Europe/Berlin", default=None)

    @property
    def next_update(self) -> date:
        """The next update date: as given, else one cadence step after the notice, but never after
        the new date (a monthly cadence on a two-week delay must not promise an update after delivery)."""
        if self.updates.next:
            return self.updates.next
        return max(min(next_update(self.notice_date, self.updates.cadence), self.new_date), self.notice_date)

    @property
    def delay_days(self) -> int:
        return (self.new_date - self.original_date).days


class Problem(BaseModel):
    """One thing wrong with a facts file: where (`causes[0].summary`) and what, in a sentence."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class FactsError(InputError):
    """A facts file that cannot be used; `problems` lists every reason at once."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        count = len(problems)
        super().__init__(
            f"{source} has {count} problem{'s' if count != 1 else ''}",
            details=[str(p) for p in problems],
        )
        self.problems = problems


def key_path(loc: tuple[int | str, ...]) -> str:
    """('causes', 0, 'summary') -> 'causes[0].summary'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_PLAIN = {
    "missing": "is required but missing",
    "extra_forbidden": "is not a known key (check the spelling)",
    "too_short": "needs at least one entry",
    "string_too_short": "must not be empty",
    "string_type": "must be text",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys to values",
    "model_attributes_type": "must be a mapping of keys to values",
    "dict_type": "must be a mapping of keys to values",
    "string_pattern_mismatch": "must be a country code such as CN, GB or US-CA (ISO 3166), or none",
}


_FACTS_ONLY = {"extra_forbidden": "is not a known key (check the spelling; `delaynote schema` lists the keys)"}
"""Only for the facts file: `delaynote schema` describes it, not the eval suite files that share `_plain_message`."""


def _plain_message(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "too_short" and isinstance(err.get("input"), str):  # Text's min_length runs after _text
        return "must not be empty"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        value = err.get("input")
        if isinstance(value, bool):  # YAML reads an unquoted yes/no/on/off as true/false
            return f"must be one of {expected} (YAML reads an unquoted yes, no, on or off as true or false)"
        if not isinstance(value, str) or len(value) > 60:
            return f"must be one of {expected}"
        return f"'{value}' is not allowed; use one of {expected}"
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error", err["msg"]))
    return _PLAIN.get(kind, err["msg"][0].lower() + err["msg"][1:])


def _relation_problems(data: dict[str, Any]) -> list[Problem]:
    """Rules between keys (SPEC §2), checked on whatever parts of the file are valid dates."""

    def as_date(value: Any) -> date | None:
        try:
            return _iso_date(value)
        except (ValueError, TypeError):
            return None

    problems: list[Problem] = []
    original, new = as_date(data.get("original_date")), as_date(data.get("new_date"))
    notice = as_date(data.get("notice_date")) if "notice_date" in data else date.today()
    if original and new and new <= original:
        problems.append(Problem(
            path="new_date",
            message=f"{new.isoformat()} must be after original_date ({original.isoformat()})",
        ))
    phases = data.get("phases")
    if new and isinstance(phases, list):
        for i, phase in enumerate(phases):
            due = as_date(phase.get("due")) if isinstance(phase, dict) else None
            if due and due > new:
                problems.append(Problem(
                    path=f"phases[{i}].due",
                    message=f"{due.isoformat()} is after new_date ({new.isoformat()}): every phase must end by then",
                ))
    notice_name = "notice_date" if "notice_date" in data else "today's date (notice_date is not given)"
    if notice and new and notice > new:
        shown = notice.isoformat() if "notice_date" in data else f"today ({notice.isoformat()}, the default)"
        problems.append(Problem(
            path="notice_date",
            message=f"{shown} is after new_date ({new.isoformat()}): a notice cannot announce a delivery date "
                    "that has already passed",
        ))
    if notice and isinstance(phases, list):
        # A phase of the new timeline due before the notice is over by the time the client reads
        # it: unless it is done, its due date is out of date (an unfinished phase gets a new one).
        for i, phase in enumerate(phases):
            if not isinstance(phase, dict) or phase.get("status") not in ("in_progress", "planned"):
                continue
            due = as_date(phase.get("due"))
            if due and due < notice:
                status = phase["status"]
                problems.append(Problem(
                    path=f"phases[{i}].status",
                    message=f"{status} cannot be true of a phase due {due.isoformat()}, before {notice_name} "
                            f"({notice.isoformat()}): mark it done, or give it the due date of the new timeline",
                ))
    updates = data.get("updates")
    nxt = as_date(updates.get("next")) if isinstance(updates, dict) else None
    if nxt and notice and nxt < notice:
        problems.append(Problem(
            path="updates.next",
            message=f"{nxt.isoformat()} is before notice_date ({notice.isoformat()}): the next update cannot be in the past",
        ))
    if nxt and new and nxt > new:
        problems.append(Problem(
            path="updates.next",
            message=f"{nxt.isoformat()} is after new_date ({new.isoformat()}): the next update must come by "
                    "the delivery date, not after it",
        ))
    return problems


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}


def text_language(facts: Facts) -> str | None:
    """The language the user's own sentences (causes, mitigations, impact) are written in: `zh` when
    Chinese characters clearly dominate, `en` when Latin letters do, None for a real mix.

    A Chinese character carries about as much as three Latin letters, so it weighs three: "惠购商城
    App 无法显示" is Chinese, "Testing at 王经理's site" is English."""
    parts = [c.summary for c in facts.causes] + [c.detail for c in facts.causes if c.detail]
    parts += list(facts.mitigations) + ([facts.impact] if facts.impact else [])
    return written_language(" ".join(parts))


def written_language(text: str) -> str | None:
    """`zh` when Chinese characters (weighing three Latin letters each) clearly dominate `text`,
    `en` when Latin letters do, None for a real mix or no letters at all."""
    cjk, latin = 3 * len(_CJK.findall(text)), len(_LATIN.findall(text))
    if cjk + latin == 0:
        return None
    share = cjk / (cjk + latin)
    return "zh" if share >= 0.7 else "en" if share <= 0.3 else None


def refuse_mixed_language(facts: Facts, *, flag: bool) -> None:
    """Raise `InputError` when the notice would be written in one language around the user's
    sentences in another ("Ms. Alvarez您好！…原因：Our payment provider…"): `flag` says whether the
    language came from `--lang` (else from the facts' `language` key)."""
    written = text_language(facts)
    if written is None or written == facts.language:
        return
    asked, actual = _LANGUAGE_NAMES[facts.language], _LANGUAGE_NAMES[written]
    where = f"--lang {facts.language}" if flag else f"language: {facts.language}"
    fix = f"drop --lang {facts.language}" if flag else f"set language: {written}"
    raise InputError(f"{where} asks for a notice in {asked}, but the facts' causes, mitigations and impact are "
                     f"written in {actual}, so the notice would mix the two languages; {fix}, or write the facts "
                     f"in {asked}")


def validate_strictly(model: type[M], data: Any, source: str, *, keys: str, hints: dict[str, str],
                      relations: Callable[[dict[str, Any]], list[Problem]]) -> M:
    """Build `model` from parsed data, or raise `FactsError` listing every problem at once: the
    schema's (in plain words, `hints` by error type first) and the `relations` between keys."""
    if not isinstance(data, dict):
        raise FactsError(source, [Problem(path="", message=f"the file must hold a mapping of keys ({keys}, …)")])
    problems: list[Problem] = []
    built: M | None = None
    try:
        built = model.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(path=key_path(e["loc"]), message=hints.get(e["type"]) or _plain_message(e))
                    for e in exc.errors()]
    problems += relations(data)
    if problems or built is None:
        raise FactsError(source, problems)
    return built


def validate_facts(data: Any, source: str = "facts") -> Facts:
    """Build `Facts` from parsed data, or raise `FactsError` listing every problem."""
    return validate_strictly(Facts, data, source, keys="project, client", hints=_FACTS_ONLY,
                             relations=_relation_problems)


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay text, so 2026-02-30 gets a clear
    message from our validator instead of a loader crash. A key written twice is an error:
    YAML would silently keep the last one, hiding a copy-paste slip."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key '{key_node.value}' appears twice", key_node.start_mark)
            seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


# An explicit `!!timestamp` (a datetime, or a date) stays text too: the validator then says what
# a date must look like, instead of a datetime meeting a date in a comparison (issue 15).
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads keeps the last of two equal keys; a facts file must not hide one."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key '{key}' appears twice")
        out[key] = value
    return out


MAX_NESTING = 64
"""Lists and mappings inside one another, at most: a facts file needs 4 (phases[0].tasks[0]), an
eval case a few more. Deeper data is refused before anything walks it recursively."""

MAX_VALUES = 200_000
"""Values in a parsed file with its YAML aliases expanded: a few aliases of aliases can stand for
billions of values ("billion laughs"), which validation would walk one by one."""


class _Unusable(Exception):
    """Parsed data that is too deep, too large or refers to itself (the message says which)."""


def _check_shape(data: Any) -> None:
    """Raise `_Unusable` when `data` nests deeper than MAX_NESTING, expands beyond MAX_VALUES or
    contains itself (a YAML alias loop). Shared parts (aliases) are measured once; the recursion
    here stops at MAX_NESTING, so it cannot exhaust the stack itself."""
    heights: dict[int, tuple[int, int]] = {}  # id -> (levels below and including it, values inside)
    open_ids: set[int] = set()

    def measure(node: Any) -> tuple[int, int]:
        if not isinstance(node, dict | list):
            return 0, 1
        key = id(node)
        if key in heights:
            return heights[key]
        if key in open_ids:
            raise _Unusable("refers to itself (a YAML alias inside its own anchor)")
        if len(open_ids) >= MAX_NESTING:
            raise _Unusable(f"is nested too deeply (more than {MAX_NESTING} levels of lists and mappings)")
        open_ids.add(key)
        height, size = 0, 1
        for child in node.values() if isinstance(node, dict) else node:
            h, n = measure(child)
            height, size = max(height, h), size + n
            if size > MAX_VALUES:
                raise _Unusable(f"holds more than {MAX_VALUES} values once its YAML aliases are expanded")
        open_ids.discard(key)
        heights[key] = (height + 1, size)
        return heights[key]

    measure(data)


def parse_facts_text(text: str, source: str = "facts") -> Any:
    """Parse YAML or JSON text (JSON is YAML, but its own parser gives better messages).
    Data nested too deeply, or that refers to itself, is an `InputError` like bad syntax."""
    too_deep = InputError(f"{source} is nested too deeply (more than {MAX_NESTING} levels of lists and mappings)")
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            try:
                data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
            except json.JSONDecodeError as exc:
                raise InputError(f"{source}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
            except ValueError as exc:  # a duplicate key, from the hook
                raise InputError(f"{source}: invalid JSON: {exc}") from None
        else:
            try:
                data = yaml.load(text, Loader=_Loader)  # a SafeLoader subclass
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
                what = getattr(exc, "problem", None) or str(exc)
                raise InputError(f"{source}: {where}invalid YAML: {what}") from None
    except RecursionError:  # the parsers recurse once per level: thousands of '[' exhaust the stack
        raise too_deep from None
    try:
        _check_shape(data)
    except _Unusable as exc:
        raise InputError(f"{source} {exc}") from None
    return data


def load_facts(path: str | Path) -> Facts:
    """Read and validate a facts file ('-' reads stdin); every failure is an `InputError` (exit 2)."""
    source = "stdin" if str(path) == "-" else str(path)
    text = read_input("-") if str(path) == "-" else read_text(Path(path))
    if not text.strip():
        if source == "stdin":
            raise InputError("stdin is empty: pipe the facts in, for example `delaynote init - | delaynote draft --facts -`")
        raise InputError(f"{source} is empty: write the facts there, or run `delaynote init {source}`")
    return validate_facts(parse_facts_text(text, source), source)


def facts_to_data(facts: Facts) -> dict[str, Any]:
    """Facts as plain data in SPEC key order, ISO dates as text, empty optionals left out."""
    return facts.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def dump_facts_yaml(data: dict[str, Any]) -> str:
    """YAML a person can read and edit: keys in order, Unicode as written."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def facts_json_schema() -> dict[str, Any]:
    """The JSON Schema of the facts file, for editor completion."""
    schema = Facts.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "delaynote facts"
    return schema
