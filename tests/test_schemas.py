"""`delaynote schema` (facts) and `delaynote schema --config`: described, exemplified, and right."""

from __future__ import annotations

import json
import tomllib
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
import yaml

from assistant.config import config_json_schema, load_settings
from assistant.errors import InputError
from assistant.facts import facts_json_schema


def _properties(schema: dict) -> list[tuple[str, dict]]:
    out = [(f"{name}", prop) for name, prop in schema["properties"].items()]
    for model, definition in schema.get("$defs", {}).items():
        out += [(f"{model}.{name}", prop) for name, prop in definition.get("properties", {}).items()]
    return out


@pytest.mark.parametrize("make", [facts_json_schema, config_json_schema])
def test_every_key_has_a_description_and_valid_examples(make) -> None:
    schema = make()
    jsonschema.Draft202012Validator.check_schema(schema)
    for where, prop in _properties(schema):
        assert prop.get("description"), where
        if where in ("vocabulary", "llm"):
            continue  # a table: its keys carry the examples
        assert prop.get("examples"), where
        for example in prop["examples"]:
            jsonschema.validate(example, {"$defs": schema.get("$defs", {}), **prop})


def test_the_init_examples_follow_the_facts_schema() -> None:
    schema = facts_json_schema()
    for lang in ("en", "zh"):
        data = yaml.safe_load((files("assistant") / "data" / f"init_{lang}.yaml").read_text(encoding="utf-8"))
        data = json.loads(json.dumps(data, default=str))  # YAML dates as the text they were written as
        jsonschema.validate(data, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**data, "colour": "blue"}, schema)


def test_the_config_schema_knows_the_check_ids_and_not_the_key() -> None:
    schema = config_json_schema()
    good = tomllib.loads('fail_on = "warning"\ndisable = ["long-sentence"]\n[severity]\njargon = "error"\n'
                        '[llm]\nmodel = "m"\nbase_url = "http://127.0.0.1:1/v1"\n')
    jsonschema.validate(good, schema)
    for bad in ({"severity": {"jargn": "error"}}, {"disable": ["jargn"]}, {"llm": {"api_key": "sk-x"}},
                {"llm": {"base_url": None}}, {"colour": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_every_config_problem_is_reported_at_once(tmp_path: Path) -> None:
    config = tmp_path / "delaynote.toml"
    config.write_text('fail_on = "loud"\n[severity]\njargn = "error"\nhedging = "bad"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_settings(config)
    details = "\n".join(err.value.details)
    assert "fail_on: 'loud'" in details and "severity.hedging: 'bad'" in details
    assert "severity: unknown check id 'jargn' (did you mean jargon?)" in details
    assert len(err.value.details) == 3


def test_schema_command_prints_either_schema() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    facts = CliRunner().invoke(app, ["schema"])
    config = CliRunner().invoke(app, ["schema", "--config"])
    assert facts.exit_code == config.exit_code == 0
    assert json.loads(facts.output)["title"] == "delaynote facts"
    assert "propertyNames" in json.loads(config.output)["properties"]["severity"]


def test_shell_completion_completes_commands_and_choices() -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root), "_DELAYNOTE_COMPLETE": "complete_bash",
           "COMP_WORDS": "delaynote ch", "COMP_CWORD": "1"}
    code = "import sys; sys.argv[0] = 'delaynote'; from assistant.cli import main; main()"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["check"], out.stderr
    env.update(_DELAYNOTE_COMPLETE="source_bash")
    script = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "complete -o default -F _delaynote_completion delaynote" in script.stdout
