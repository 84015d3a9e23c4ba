"""Configuration (SPEC §3): built-in defaults < config file < environment < flags.

The config file is `--config FILE`, else the nearest `delaynote.toml` or `pyproject.toml`
with a `[tool.delaynote]` table found upward from the working directory. The API key is
read from the environment only and is excluded from every dump of the settings.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from assistant.errors import InputError

if TYPE_CHECKING:
    from assistant.drafting.offline import DraftOptions

Severity = Literal["error", "warning", "info"]
FailOn = Literal["error", "warning", "info", "never"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Vocabulary(_Section):
    """Like Vale's accept/reject lists: terms never / always flagged as jargon."""

    accept: list[str] = Field(default_factory=list, description="Terms never flagged as jargon (your readers know them).",
                              examples=[["API", "SKU"]])
    reject: list[str] = Field(default_factory=list, description="Terms always flagged as jargon.",
                              examples=[["synergy"]])


class LLMSettings(_Section):
    """How to reach an OpenAI-compatible server."""

    model: str = Field(default="gpt-4o-mini", description="Model name (or Azure deployment).",
                       examples=["gpt-4o-mini"])
    base_url: str | None = Field(default=None, description="Any OpenAI-compatible server.",
                                 examples=["http://127.0.0.1:11434/v1"])
    api_key: SecretStr | None = Field(default=None, exclude=True)  # from the environment only
    timeout: float = Field(default=60.0, gt=0, allow_inf_nan=False, description="Seconds to wait for an answer.",
                           examples=[60])
    max_retries: int = Field(default=2, ge=0, le=10, description="Retries after a failed request.", examples=[2])
    cache: bool = Field(default=True, description="Keep answers in the user cache and reuse them.", examples=[True])
    redact: bool = Field(default=False, description="Replace names, e-mails and phones before sending.",
                         examples=[False])
    azure_endpoint: str | None = Field(default=None, description="An Azure OpenAI endpoint.",
                                       examples=["https://my-resource.openai.azure.com"])
    api_version: str | None = Field(default=None, description="The Azure OpenAI API version.",
                                    examples=["2024-10-21"])
    prompts: str | None = Field(default=None, description="A folder of your own prompt files.",
                                examples=["my-prompts"])


class FollowupSettings(_Section):
    """`[followup]` (issue 12): where the history lives and how `schedule` places its events."""

    history: str | None = Field(default=None, description="The history database (default: "
                                ".delaynote/history.sqlite beside the facts file).",
                                examples=[".delaynote/history.sqlite"])
    tz: str = Field(default="UTC", description="Time zone of the `schedule` events.", examples=["Europe/London"])
    at: str = Field(default="09:00", description="Time of day of each `schedule` event.", examples=["09:00"])
    remind: str = Field(default="1d", description="Reminder before each event (30m, 2h, 1d, 1w).", examples=["1d"])


class DraftSettings(_Section):
    """How drafts are made ([draft]): the chat length limit and whose holidays are days off."""

    im_max_chars: int | dict[Literal["en", "zh"], int] | None = Field(
        default=None, description="Length limit of a chat message (100-10000), one number or per language "
        "(default 500 en, 300 zh).", examples=[500, {"en": 500, "zh": 300}])
    holiday_country: str | None = Field(default=None, pattern=r"^(?:[A-Za-z]{2}(?:-[A-Za-z0-9]{1,3})?|none)$",
                                        description="Whose public holidays are not working days: an ISO country "
                                        "code or none (default: CN for Chinese, else the locale's).",
                                        examples=["GB"])

    @field_validator("im_max_chars", mode="before")
    @classmethod
    def _sane_limit(cls, value: Any) -> Any:
        """One number for both languages or a table per language; a limit below a bare notice
        (news, cause, step) could never be met, so it is refused with one sentence."""
        shape = "must be a number of characters, or a table such as {en = 500, zh = 300}"
        if value is None:
            return value
        if isinstance(value, dict):
            unknown = [k for k in value if k not in ("en", "zh")]
            if unknown:
                raise ValueError(f"{shape}; '{unknown[0]}' is not a language (en or zh)")
            limits = list(value.values())
        else:
            limits = [value]
        for limit in limits:
            if isinstance(limit, bool) or not isinstance(limit, int):
                raise ValueError(shape)
            if not 100 <= limit <= 10_000:
                raise ValueError(f"{limit} is not a usable length: give a number of characters from 100 to 10000")
        return value

    def options(self) -> DraftOptions:
        from assistant.drafting.offline import DraftOptions

        limit = self.im_max_chars
        return DraftOptions(im_max_chars=tuple(sorted(limit.items())) if isinstance(limit, dict) else limit,
                            holiday_country=self.holiday_country)


class Settings(_Section):
    """Everything configurable; `source` records which file (if any) it came from."""

    language: Literal["auto", "en", "zh"] = Field(default="auto", description="Language of the notices, or auto "
                                                  "to detect it per file.", examples=["auto"])
    fail_on: FailOn = Field(default="error", description="Lowest severity that makes `check` fail (exit 1).",
                            examples=["warning"])
    disable: list[str] = Field(default_factory=list, description="Check ids never run.",
                               examples=[["long-sentence"]])
    severity: dict[str, Severity] = Field(default_factory=dict, description="A check id's severity instead of "
                                          "its default.", examples=[{"missing-apology": "warning"}])
    vocabulary: Vocabulary = Field(default_factory=Vocabulary, description="Jargon terms accepted or rejected.")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="The OpenAI-compatible server (the key "
                             "comes from OPENAI_API_KEY only).")
    followup: FollowupSettings = Field(default_factory=FollowupSettings, description="Where the history of sent "
                                       "messages lives and how `schedule` places its events.",
                                       examples=[{"tz": "Europe/London", "remind": "1d"}])
    draft: DraftSettings = Field(default_factory=DraftSettings, description="How drafts are made: the chat length "
                                 "limit and whose public holidays are days off.",
                                 examples=[{"im_max_chars": 500, "holiday_country": "GB"}])
    source: str | None = Field(default=None, exclude=True)

    @field_validator("disable")
    @classmethod
    def _known_checks(cls, value: list[str]) -> list[str]:
        """A typo in `disable` must not silently leave a check switched on."""
        _unknown_checks(value)
        return value

    @field_validator("severity")
    @classmethod
    def _known_severity_checks(cls, value: dict[str, str]) -> dict[str, str]:
        _unknown_checks(list(value))
        return value


def _unknown_checks(ids: list[str]) -> None:
    if problem := _unknown_ids_sentence(ids):
        raise ValueError(problem)


def _unknown_ids_sentence(ids: list[Any]) -> str | None:
    """"unknown check id 'jargn' (did you mean jargon?); ..." for the ids that are not checks, else None."""
    from assistant.checks.catalogue import (
        ALL_CHECK_IDS as CHECK_IDS,  # lazily: the checks package may import this module (update checks too)
    )

    unknown = [i for i in ids if isinstance(i, str) and i not in CHECK_IDS]
    if not unknown:
        return None
    import difflib

    hints = [f"{i!r}" + (f" (did you mean {close[0]}?)" if (close := difflib.get_close_matches(i, CHECK_IDS, n=1))
                          else "") for i in unknown]
    return f"unknown check id {', '.join(hints)}; `delaynote rules` lists them"


def _id_problems(data: dict[str, Any]) -> dict[str, str]:
    """Unknown check ids in `disable` and `[severity]`, found before validation: Pydantic runs a
    field's own validator only once its values are valid, so a bad severity value would hide them."""
    out = {}
    for key in ("disable", "severity"):
        value = data.get(key)
        ids = list(value) if isinstance(value, dict | list) else []
        if problem := _unknown_ids_sentence(ids):
            out[key] = f"{key}: {problem}"
    return out


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of delaynote.toml (and of `[tool.delaynote]` in pyproject.toml), for editors
    such as Taplo / Even Better TOML: check ids are listed, the API key is not a key there."""
    from assistant.checks.catalogue import ALL_CHECK_IDS as CHECK_IDS

    schema = Settings.model_json_schema()
    schema["properties"].pop("source", None)
    schema["$defs"]["LLMSettings"]["properties"].pop("api_key", None)
    schema["properties"]["disable"]["items"] = {"enum": list(CHECK_IDS)}
    schema["properties"]["severity"]["propertyNames"] = {"enum": list(CHECK_IDS)}
    for section in (schema, *schema["$defs"].values()):  # TOML has no null: an unset key is simply left out
        for prop in section.get("properties", {}).values():
            kinds = prop.get("anyOf", [])
            if {"type": "null"} in kinds and len(kinds) == 2:
                prop.update(next(k for k in kinds if k != {"type": "null"}))
                del prop["anyOf"]
                prop.pop("default", None)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "delaynote configuration (delaynote.toml, or [tool.delaynote] in pyproject.toml)"
    return schema


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest `delaynote.toml`, or `pyproject.toml` holding `[tool.delaynote]`, upward from `start`."""
    for folder in [start, *start.parents]:
        candidate = folder / "delaynote.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("delaynote")
            if isinstance(table, dict):
                return pyproject, table
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables. TOML is UTF-8 by definition; a UTF-8 byte order mark (Windows
    Notepad adds one) is dropped, and any other encoding is one sentence naming the file."""
    from assistant.textio import read_limited

    try:
        data = read_limited(path)
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        raise InputError(f"{path} is saved as UTF-16 or UTF-32; TOML files must be UTF-8: save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start} is invalid); TOML files must be UTF-8: "
                         "save it as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from None


def _table(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("delaynote", {})
    return data


def load_settings(
    config: Path | None = None,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and flag `overrides` (dotted keys like
    'llm.model'; None values are ignored) into one validated `Settings`."""
    env = dict(os.environ) if env is None else env
    data: dict[str, Any] = {}
    source: str | None = None
    if config is not None:
        if config.is_dir():
            raise InputError(f"--config {config} is a folder, not a file")
        if not config.is_file():
            from assistant.textio import missing_reason

            raise InputError(f"--config {missing_reason(config)}" if not config.exists()
                             else f"--config {config} is not a regular file")
        data = _table(config, _read_toml(config))
        source = str(config)
    else:
        found = find_config_file(cwd or Path.cwd())
        if found:
            data, source = found[1], str(found[0])
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    llm = data.setdefault("llm", {})
    if not isinstance(llm, dict):
        raise InputError(f"{source}: [llm] must be a table")
    if not isinstance(data.get("draft", {}), dict):
        raise InputError(f"{source}: [draft] must be a table")
    if "api_key" in llm:  # the value is never shown: it is a secret in a file that may be shared
        raise InputError(f"{source}: api_key does not belong in a config file, which is easily shared or "
                         "committed; remove it and export the key as OPENAI_API_KEY (AZURE_OPENAI_API_KEY for Azure)")
    for var, key in (("OPENAI_BASE_URL", "base_url"), ("DELAYNOTE_MODEL", "model"),
                     ("AZURE_OPENAI_ENDPOINT", "azure_endpoint"), ("OPENAI_API_VERSION", "api_version")):
        if env.get(var):
            llm[key] = env[var]
    key = env.get("OPENAI_API_KEY") or env.get("AZURE_OPENAI_API_KEY")
    if key:
        llm["api_key"] = key
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        target = data
        *parents, last = dotted.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        where = source or "configuration"
        table = "tool.delaynote" if source and Path(source).name == "pyproject.toml" else ""
        lines = [config_problem(e, table) for e in exc.errors()]
        # every problem at once: the ids a bad value kept Pydantic from checking are added
        lines += [line for line in _id_problems(data).values() if line not in lines]
        raise InputError(f"{where} is not valid", details=lines) from None
    settings.source = source
    return settings


def _quoted_list(values: Any) -> str:
    items = [f"'{v}'" for v in values]
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else "".join(items)


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The settings section a key path leads to (Settings, LLMSettings, Vocabulary), if any."""
    model: type[BaseModel] | None = Settings
    for part in loc:
        field = model.model_fields.get(str(part)) if model else None
        annotation = field.annotation if field else None
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return model


def config_problem(err: Any, table: str = "") -> str:
    """One Pydantic error about the config as a plain sentence: "unknown key 'x' in [llm] (known
    keys: ...)", "llm.timeout: must be a number greater than 0"; `table` is where the settings
    live in the file ('tool.delaynote' in pyproject.toml)."""
    loc = tuple(err["loc"])
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    if kind == "extra_forbidden":
        section = ".".join(str(p) for p in (table, *loc[:-1]) if p)
        model = _model_at(loc[:-1])
        known = [k for k in model.model_fields if k not in ("source", "api_key")] if model else []
        return (f"unknown key '{loc[-1]}'" + (f" in [{section}]" if section else "")
                + (f" (known keys: {', '.join(known)})" if known else ""))
    sentences = {
        "list_type": "must be a list, like [\"a\", \"b\"]",
        "string_type": "must be text in quotes",
        "string_pattern_mismatch": "must be a country code such as CN, GB or US-CA (ISO 3166), or \"none\"",
        "dict_type": "must be a table of keys",
        "model_type": "must be a table of keys",
        "model_attributes_type": "must be a table of keys",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "finite_number": "must be a finite number (not inf or nan)",
        "greater_than": f"must be greater than {ctx.get('gt')}",
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
    }
    if kind == "literal_error":
        allowed = ctx.get("expected", "")
        message = (f"'{value}' is not one of {allowed}" if isinstance(value, str) and len(value) <= 60
                   else f"must be one of {allowed}")
    elif kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
    else:
        message = sentences.get(kind) or err["msg"][0].lower() + err["msg"][1:]
    return f"{path}: {message}" if path else message


def llm_configured(settings: Settings) -> bool:
    """SPEC §3: `--provider auto` means openai when an API key or base URL is configured."""
    llm = settings.llm
    return bool(llm.api_key or llm.base_url or llm.azure_endpoint)
