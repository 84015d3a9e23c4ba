"""CLI conventions: --version, clean help, --out refusing a missing folder, the CI/pre-commit files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer.core
import typer.main
import yaml

from assistant.cli import app, main

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["delaynote", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_version_prints_the_package_version(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], monkeypatch, capsys)
    assert code == 0
    assert out.strip() == f"delaynote {version('delaynote')}"
    assert re.fullmatch(r"delaynote \d+\.\d+\.\d+\S*", out.strip())


def test_version_does_not_import_openai(tmp_path: Path) -> None:
    code = ("import sys; sys.argv = ['delaynote', '--version']\n"
            "from assistant.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert 'openai' not in sys.modules\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env.update(PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().startswith("delaynote ")


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    assert hasattr(group, "commands")
    return sorted(group.commands)


def test_every_option_of_every_command_has_help_text() -> None:
    group = typer.main.get_command(app)
    for name, command in [("", group), *((n, group.commands[n]) for n in _commands())]:
        for param in command.params:
            if isinstance(param, typer.core.TyperOption) or getattr(param, "param_type_name", "") == "option":
                assert (param.help or "").strip(), f"delaynote {name} {param.opts[0]} has no help text"


@pytest.mark.parametrize("command", ["", *_commands()])
def test_help_is_clean(command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*([command] if command else []), "--help"], monkeypatch, capsys)
    assert code == 0
    assert "<bool>" not in out
    usage = next(line for line in out.splitlines() if "Usage:" in line)
    assert "[[" not in usage and "{" not in usage and "|-}" not in usage, usage
    if command == "eval":
        assert "offline evals" not in out.lower()
        assert "replay" in out


def test_out_into_a_missing_folder_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "notice.txt"
    code, _, err = run(["draft", "--facts", str(FACTS), "--out", str(target)], monkeypatch, capsys)
    assert code == 2
    assert "does not exist" in err and len(err.strip().splitlines()) == 1
    assert not target.parent.exists()


def test_check_out_into_a_missing_folder_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("We will deliver soon.\n", encoding="utf-8")
    target = tmp_path / "reports" / "r.sarif"
    code, _, err = run(["check", str(tmp_path / "a.md"), "--format", "sarif", "--out", str(target)],
                       monkeypatch, capsys)
    assert code == 2 and "does not exist" in err
    assert not target.parent.exists()


def test_empty_facts_on_stdin_does_not_suggest_init_stdin(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _, err = run(["draft", "--facts", "-"], monkeypatch, capsys)
    assert code == 2
    assert "init stdin" not in err
    assert "stdin is empty" in err


# --- pre-commit and the GitHub action --------------------------------------------------------
# These validate the files' structure; the real `pre-commit try-repo` runs in tests/test_precommit.py
# (marked slow: it builds a virtualenv), which .ci/run runs after the main suite.

def test_pre_commit_hook_file() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    hook = next(h for h in hooks if h["id"] == "delaynote-check")
    for key in ("id", "name", "entry", "language", "files"):
        assert hook.get(key), key
    assert hook["entry"] == "delaynote check"
    assert hook["language"] == "python"
    assert set(hook["types_or"]) >= {"markdown", "text", "html"}
    pattern = re.compile(hook["files"])
    for name in ("a.md", "b.txt", "c.html", "d.eml", "dir/e.htm"):
        assert pattern.search(name), name
    for name in ("a.py", "b.yaml", "notes.md.bak"):
        assert not pattern.search(name), name
    assert "args" not in hook or "--fail-on" not in hook["args"]  # left to the user's args


def test_github_action_file() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["name"] and action["description"]
    assert set(action["inputs"]) >= {"paths", "fail-on", "version"}
    assert action["inputs"]["fail-on"]["default"] == "error"
    for spec in action["inputs"].values():
        assert spec["description"]
    runs = action["runs"]
    assert runs["using"] == "composite"
    assert runs["steps"]
    for step in runs["steps"]:
        assert step.get("shell"), step
        assert "run" in step or "uses" in step
    script = "\n".join(step.get("run", "") for step in runs["steps"])
    assert "pip install" in script and "github.action_path" in (ROOT / "action.yml").read_text(encoding="utf-8")
    assert "--format github" in script and "inputs.fail-on" in str(runs["steps"])
    assert "--format sarif" in script and "--out delaynote.sarif" in script


def test_github_action_file_matches_the_published_schema() -> None:
    """action.yml against SchemaStore's GitHub Action schema (vendored in tests/fixtures)."""
    import jsonschema

    schema = json.loads((ROOT / "tests" / "fixtures" / "github-action.schema.json").read_text(encoding="utf-8"))
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    jsonschema.validate(action, schema)
    broken = {**action, "runs": {"using": "composite", "steps": [{"run": "echo hi"}]}}  # a step without shell
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_github_action_commands_run(tmp_path: Path) -> None:
    """The action's two check commands work as written: SARIF always written, exit code from fail-on."""
    (tmp_path / "a.md").write_text("We will deliver ASAP, hopefully.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1")
    cli = [sys.executable, "-m", "assistant", "check", "a.md"]
    sarif = subprocess.run([*cli, "--format", "sarif", "--fail-on", "never", "--out", "delaynote.sarif"],
                           cwd=tmp_path, env=env, capture_output=True, timeout=60, check=False)
    assert sarif.returncode == 0, sarif.stderr.decode()
    assert '"2.1.0"' in (tmp_path / "delaynote.sarif").read_text(encoding="utf-8")
    gh = subprocess.run([*cli, "--format", "github", "--fail-on", "error"], cwd=tmp_path, env=env,
                        capture_output=True, timeout=60, check=False)
    assert gh.returncode == 1 and gh.stdout.decode().startswith("::")
    never = subprocess.run([*cli, "--format", "github", "--fail-on", "never"], cwd=tmp_path, env=env,
                           capture_output=True, timeout=60, check=False)
    assert never.returncode == 0
