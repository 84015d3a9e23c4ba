"""`delaynote check` end to end: exit codes, --fail-on, --out, stdin, folders, bad input, configuration."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import load_settings
from assistant.errors import InputError

ROOT = Path(__file__).resolve().parent.parent

# A notice that does what DOMAIN.md asks: nothing in it should be an error.
GOOD = """Dear Ms. Chen,

The customer portal we promised for 1 December 2026 will be ready on 18 December 2026.

The delay is because the payment provider changed how it confirms payments, so we must rebuild
that part and test it again.

For you, this means the staff training moves back by about two weeks.

The order tracking pages are finished. The payment step remains.

To recover time, two more testers join the team on Monday.

We will send you an update every Friday, starting on 20 November.

We are sorry for the trouble this causes your team. If you have questions, call me on +1 555 0100.

Sam Lee
"""

# The same news told badly: no date, no cause, no plan, and vague words.
BAD = "Hi,\n\nDue to unforeseen issues the portal will be delivered as soon as possible.\n\nThanks\n"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each test runs in an empty folder with no LLM configured and no colour."""
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "DELAYNOTE_MODEL", "AZURE_OPENAI_API_KEY",
                "AZURE_OPENAI_ENDPOINT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        stdin: bytes | None = None) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["delaynote", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    with pytest.raises(SystemExit) as exc:
        main()
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def findings(out: str) -> list[dict]:
    return [f for file in json.loads(out)["files"] for f in file["findings"]]


# --- exit codes ----------------------------------------------------------------------------

def test_good_notice_passes_and_bad_notice_fails(monkeypatch, capsys) -> None:
    write(Path("good.md"), GOOD)
    write(Path("bad.md"), BAD)
    code, out, _ = run(["check", "good.md", "--format", "json"], monkeypatch, capsys)
    assert code == 0, [f["check"] for f in findings(out) if f["severity"] == "error"]
    code, out, _ = run(["check", "bad.md", "--format", "json"], monkeypatch, capsys)
    assert code == 1
    fired = {f["check"] for f in findings(out)}
    assert {"missing-new-date", "vague-timeline", "missing-update-plan"} <= fired


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_exit_code_is_the_same_whatever_the_format(fmt: str, monkeypatch, capsys) -> None:
    write(Path("bad.md"), BAD)
    write(Path("good.md"), GOOD)
    assert run(["check", "bad.md", "--format", fmt], monkeypatch, capsys)[0] == 1
    assert run(["check", "good.md", "--format", fmt], monkeypatch, capsys)[0] == 0


def test_fail_on_levels(monkeypatch, capsys) -> None:
    write(Path("bad.md"), BAD)
    write(Path("good.md"), GOOD + "\nWe will hopefully keep to this date.\n")
    code, out, _ = run(["check", "good.md", "--format", "json"], monkeypatch, capsys)
    severities = {f["severity"] for f in findings(out)}
    assert "warning" in severities and "error" not in severities
    assert code == 0
    assert run(["check", "good.md", "--fail-on", "warning"], monkeypatch, capsys)[0] == 1
    assert run(["check", "good.md", "--fail-on", "info"], monkeypatch, capsys)[0] == 1
    assert run(["check", "bad.md", "--fail-on", "never"], monkeypatch, capsys)[0] == 0
    assert run(["check", "bad.md", "--fail-on", "sometimes"], monkeypatch, capsys)[0] == 2


def test_missing_file_and_unknown_option_are_exit_2(monkeypatch, capsys) -> None:
    code, out, err = run(["check", "nowhere.md"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.startswith("delaynote: ") and "nowhere.md" in err
    assert run(["check", "--colour", "x.md"], monkeypatch, capsys)[0] == 2


def test_binary_file_is_exit_2_with_one_sentence(monkeypatch, capsys) -> None:
    Path("photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out, err = run(["check", "photo.txt"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "photo.txt" in err


def test_bad_input_never_shows_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "bin.md").write_bytes(b"\x00\x01\x02")
    (tmp_path / "delaynote.toml").write_text("fail_on = 'sometimes'\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["PYTHONPATH"] = str(ROOT)
    for args in (["check", "bin.md"], ["check", "-"], ["check", "x.md", "--format", "yaml"]):
        proc = subprocess.run([sys.executable, "-m", "assistant", *args], cwd=tmp_path, env=env,
                              capture_output=True, input=b"", check=False, timeout=60)
        assert proc.returncode == 2, (args, proc.stderr)
        assert b"Traceback" not in proc.stderr, proc.stderr


# --- inputs and outputs --------------------------------------------------------------------

def test_a_folder_without_notices_is_exit_2(monkeypatch, capsys) -> None:
    """A mistyped folder in CI must not pass as '0 errors'."""
    write(Path("docs/readme.rst"), GOOD)
    code, out, err = run(["check", "docs", "--format", "json"], monkeypatch, capsys)
    assert code == 2 and out == "" and "docs" in err


def test_stdin_dash(monkeypatch, capsys) -> None:
    code, out, _ = run(["check", "-", "--format", "json"], monkeypatch, capsys, stdin=BAD.encode())
    assert code == 1
    data = json.loads(out)
    assert data["files"][0]["path"] == "-"
    assert "vague-timeline" in {f["check"] for f in data["files"][0]["findings"]}


def test_directories_are_read_recursively(monkeypatch, capsys) -> None:
    write(Path("drafts/a.md"), BAD)
    write(Path("drafts/old/b.txt"), GOOD)
    code, out, _ = run(["check", "drafts", "--format", "json"], monkeypatch, capsys)
    data = json.loads(out)
    paths = sorted(Path(f["path"]).as_posix() for f in data["files"])
    assert paths == ["drafts/a.md", "drafts/old/b.txt"]
    assert data["summary"]["files"] == 2
    assert code == 1


def test_out_writes_plain_text_and_never_overwrites(monkeypatch, capsys) -> None:
    write(Path("bad.md"), BAD)
    monkeypatch.delenv("NO_COLOR")
    code, out, err = run(["check", "bad.md", "--out", "report.txt"], monkeypatch, capsys)
    assert code == 1 and out == ""
    report = Path("report.txt").read_text(encoding="utf-8")
    assert "vague-timeline" in report and "\x1b[" not in report
    code, _, err = run(["check", "bad.md", "--out", "report.txt", "--format", "json"], monkeypatch, capsys)
    assert code == 2 and "already exists" in err
    assert Path("report.txt").read_text(encoding="utf-8") == report
    code, _, _ = run(["check", "bad.md", "--out", "report.txt", "--format", "json", "--force"], monkeypatch, capsys)
    assert code == 1 and json.loads(Path("report.txt").read_text(encoding="utf-8"))["version"] == 1


def test_junit_and_sarif_from_a_real_run(monkeypatch, capsys) -> None:
    write(Path("bad.md"), BAD)
    _, out, _ = run(["check", "bad.md", "--format", "junit"], monkeypatch, capsys)
    suite = ET.fromstring(out).find("testsuite")
    assert suite is not None and int(suite.get("failures", "0")) >= 3
    _, out, _ = run(["check", "bad.md", "--format", "sarif"], monkeypatch, capsys)
    results = json.loads(out)["runs"][0]["results"]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad.md" for r in results)


def test_lang_flag_sets_the_language(monkeypatch, capsys) -> None:
    write(Path("note.txt"), "我们会尽快交付门户网站。")
    _, out, _ = run(["check", "note.txt", "--format", "json"], monkeypatch, capsys)
    data = json.loads(out)
    assert data["files"][0]["language"] == "zh"
    assert "vague-timeline" in {f["check"] for f in data["files"][0]["findings"]}


# --- configuration precedence (SPEC §3) ------------------------------------------------------

def test_config_file_fail_on_and_flag_overrides_it(monkeypatch, capsys) -> None:
    write(Path("bad.md"), BAD)
    write(Path("delaynote.toml"), 'fail_on = "never"\n')
    assert run(["check", "bad.md"], monkeypatch, capsys)[0] == 0
    assert run(["check", "bad.md", "--fail-on", "error"], monkeypatch, capsys)[0] == 1


def test_pyproject_table_found_upward(monkeypatch, capsys, clean_env: Path) -> None:
    write(clean_env / "pyproject.toml", '[project]\nname = "x"\n\n[tool.delaynote]\ndisable = ["vague-timeline"]\n')
    sub = clean_env / "docs" / "notices"
    write(sub / "bad.md", BAD)
    monkeypatch.chdir(sub)
    _, out, _ = run(["check", "bad.md", "--format", "json"], monkeypatch, capsys)
    fired = {f["check"] for f in findings(out)}
    assert "vague-timeline" not in fired and "missing-new-date" in fired


def test_nearest_delaynote_toml_beats_pyproject_further_up(clean_env: Path) -> None:
    write(clean_env / "pyproject.toml", '[tool.delaynote]\nfail_on = "info"\n')
    write(clean_env / "team" / "delaynote.toml", 'fail_on = "warning"\n')
    assert load_settings(cwd=clean_env / "team", env={}).fail_on == "warning"
    assert load_settings(cwd=clean_env, env={}).fail_on == "info"
    assert load_settings(cwd=clean_env / "team", env={}, overrides={"fail_on": "never"}).fail_on == "never"


def test_pyproject_without_the_table_is_skipped(clean_env: Path) -> None:
    write(clean_env / "pyproject.toml", '[tool.delaynote]\nlanguage = "zh"\n')
    write(clean_env / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    assert load_settings(cwd=clean_env / "pkg", env={}).language == "zh"


def test_explicit_config_beats_the_discovered_one(monkeypatch, capsys) -> None:
    write(Path("bad.md"), BAD)
    write(Path("delaynote.toml"), 'fail_on = "never"\n')
    write(Path("ci/strict.toml"), 'fail_on = "info"\n')
    assert run(["check", "bad.md"], monkeypatch, capsys)[0] == 0
    assert run(["check", "bad.md", "--config", "ci/strict.toml"], monkeypatch, capsys)[0] == 1


def test_environment_beats_the_file_and_flags_beat_the_environment(clean_env: Path) -> None:
    write(clean_env / "delaynote.toml", '[llm]\nmodel = "file-model"\nbase_url = "http://file.example/v1"\n')
    assert load_settings(cwd=clean_env, env={}).llm.model == "file-model"
    env = {"DELAYNOTE_MODEL": "env-model", "OPENAI_BASE_URL": "http://env.example/v1"}
    settings = load_settings(cwd=clean_env, env=env)
    assert (settings.llm.model, settings.llm.base_url) == ("env-model", "http://env.example/v1")
    assert load_settings(cwd=clean_env, env=env, overrides={"llm.model": "flag-model"}).llm.model == "flag-model"
    assert load_settings(cwd=clean_env, env={}, overrides={"llm.model": None}).llm.model == "file-model"


def test_defaults_without_any_config(clean_env: Path) -> None:
    settings = load_settings(cwd=clean_env, env={})
    assert (settings.language, settings.fail_on, settings.disable, settings.source) == ("auto", "error", [], None)


def test_severity_override_changes_findings_and_exit(monkeypatch, capsys) -> None:
    write(Path("good.md"), GOOD + "\nWe will hopefully keep to this date.\n")
    assert run(["check", "good.md"], monkeypatch, capsys)[0] == 0
    write(Path("delaynote.toml"), '[severity]\nhedging = "error"\n')
    code, out, _ = run(["check", "good.md", "--format", "json"], monkeypatch, capsys)
    hedges = [f for f in findings(out) if f["check"] == "hedging"]
    assert hedges and all(f["severity"] == "error" for f in hedges)
    assert code == 1


def test_vocabulary_accept_and_reject(monkeypatch, capsys) -> None:
    write(Path("note.md"), GOOD + "\nThe API work is our moonshot.\n")
    _, out, _ = run(["check", "note.md", "--format", "json"], monkeypatch, capsys)
    jargon = {f["text"] for f in findings(out) if f["check"] == "jargon"}
    assert "API" in jargon and "moonshot" not in jargon
    write(Path("delaynote.toml"), '[vocabulary]\naccept = ["API"]\nreject = ["moonshot"]\n')
    _, out, _ = run(["check", "note.md", "--format", "json"], monkeypatch, capsys)
    jargon = {f["text"] for f in findings(out) if f["check"] == "jargon"}
    assert "API" not in jargon and "moonshot" in jargon


def test_language_from_config_and_flag(monkeypatch, capsys) -> None:
    write(Path("note.txt"), "我们会尽快交付门户网站。")
    write(Path("delaynote.toml"), 'language = "zh"\n')
    _, out, _ = run(["check", "note.txt", "--format", "json"], monkeypatch, capsys)
    assert json.loads(out)["files"][0]["language"] == "zh"
    _, out, _ = run(["check", "note.txt", "--format", "json", "--lang", "en"], monkeypatch, capsys)
    assert json.loads(out)["files"][0]["language"] == "en"


@pytest.mark.parametrize(("content", "needle"), [
    ("fail_on = [", "invalid TOML"),
    ('fail_on = "sometimes"\n', "is not valid"),
    ('colour = "red"\n', "is not valid"),
    ('disable = ["missing-apolgy"]\n', "is not valid"),
    ('[severity]\njargon = "fatal"\n', "is not valid"),
])
def test_invalid_config_is_exit_2_with_one_sentence(content: str, needle: str, monkeypatch, capsys) -> None:
    write(Path("good.md"), GOOD)
    write(Path("delaynote.toml"), content)
    code, out, err = run(["check", "good.md"], monkeypatch, capsys)
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first.startswith("delaynote: ") and needle in first and "delaynote.toml" in first


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("delaynote.toml", 'fail_on = "never"\n'.encode("utf-16"), "is saved as UTF-16 or UTF-32; TOML files must be UTF-8"),
    ("delaynote.toml", '[vocabulary]\nreject = ["外包"]\n'.encode("gbk"), "is not UTF-8 text (byte 24 is invalid)"),
    ("pyproject.toml", '[tool.delaynote]\nfail_on = "never"\n'.encode("utf-16"), "is saved as UTF-16"),
    ("pyproject.toml", '[tool.x]\nname = "外包"\n'.encode("gbk"), "is not UTF-8 text"),
])
def test_a_config_file_that_is_not_utf8_is_one_sentence_naming_it(name: str, data: bytes, needle: str,
                                                                     monkeypatch, capsys, clean_env: Path) -> None:
    write(Path("good.md"), GOOD)
    (clean_env / name).write_bytes(data)
    for args in (["check", "good.md"], ["check", "good.md", "--config", name]):
        code, out, err = run(args, monkeypatch, capsys)
        assert code == 2 and out == "" and len(err.splitlines()) == 1
        assert err.startswith("delaynote: ") and name in err and needle in err and "Traceback" not in err


def test_a_utf8_byte_order_mark_in_a_config_file_is_accepted(monkeypatch, capsys, clean_env: Path) -> None:
    write(Path("bad.md"), BAD)
    (clean_env / "delaynote.toml").write_bytes('fail_on = "never"\n'.encode("utf-8-sig"))
    code, _, err = run(["check", "bad.md"], monkeypatch, capsys)
    assert code == 0 and "delaynote.toml" not in err


@pytest.mark.parametrize("value", ["inf", "nan", "-inf", "0"])
def test_a_timeout_that_is_not_a_positive_finite_number_is_refused(value: str, clean_env: Path) -> None:
    write(clean_env / "delaynote.toml", f"[llm]\ntimeout = {value}\n")
    with pytest.raises(InputError) as exc:
        load_settings(cwd=clean_env, env={})
    assert exc.value.details and exc.value.details[0].startswith("llm.timeout: ")


def test_config_problems_are_plain_sentences_without_pydantic_wording(clean_env: Path) -> None:
    write(clean_env / "delaynote.toml", 'x = 1\n[llm]\ny = 2\ntimeout = "soon"\n[vocabulary]\naccept = "a"\n'
                                        'reject = [1]\n[severity]\njargon = "fatal"\n')
    with pytest.raises(InputError) as exc:
        load_settings(cwd=clean_env, env={})
    details = exc.value.details
    assert "unknown key 'y' in [llm] (known keys: model, base_url, timeout, max_retries, cache, redact, " \
           "azure_endpoint, api_version, prompts)" in details
    assert any(d.startswith("unknown key 'x' (known keys: language, fail_on,") for d in details)
    assert "vocabulary.accept: must be a list, like [\"a\", \"b\"]" in details
    assert "vocabulary.reject[0]: must be text in quotes" in details
    assert "llm.timeout: must be a number" in details
    assert "severity.jargon: 'fatal' is not one of 'error', 'warning' or 'info'" in details
    assert not any(w in d for d in details for w in ("Input should", "Extra inputs", "Value error"))


def test_unknown_key_in_pyproject_names_its_table(clean_env: Path) -> None:
    write(clean_env / "pyproject.toml", "[tool.delaynote.llm]\nmodle = 'x'\n")
    with pytest.raises(InputError) as exc:
        load_settings(cwd=clean_env, env={})
    assert exc.value.details[0].startswith("unknown key 'modle' in [tool.delaynote.llm]")


def test_a_bad_option_value_has_no_pydantic_prefix(monkeypatch, capsys) -> None:
    write(Path("good.md"), GOOD)
    code, _, err = run(["check", "good.md", "--fail-on", "ERROR"], monkeypatch, capsys)
    assert code == 2 and "Value error" not in err
    assert "Invalid value for '--fail-on': 'ERROR' is not one of 'error', 'warning', 'info', 'never'." in err


def test_unknown_check_in_config_names_the_close_match(clean_env: Path) -> None:
    write(clean_env / "delaynote.toml", 'disable = ["missing-apolgy"]\n')
    with pytest.raises(InputError) as exc:
        load_settings(cwd=clean_env, env={})
    assert any("missing-apology" in line for line in exc.value.details)


def test_missing_explicit_config_is_exit_2(monkeypatch, capsys) -> None:
    write(Path("good.md"), GOOD)
    code, _, err = run(["check", "good.md", "--config", "nope.toml"], monkeypatch, capsys)
    assert code == 2 and "nope.toml" in err


# --- speed hygiene -------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["sarif", "text"])
def test_check_does_not_import_openai_or_rich_when_plain(fmt: str, tmp_path: Path) -> None:
    """Start-up time is most of a check: the LLM SDK never loads, Rich only for colour."""
    (tmp_path / "bad.md").write_text(BAD, encoding="utf-8")
    code = (f"import sys; sys.argv = ['delaynote', 'check', 'bad.md', '--format', '{fmt}']\n"
            "from assistant.cli import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 1, e.code\n"
            "assert 'openai' not in sys.modules\n"
            "assert 'rich' not in sys.modules\n")
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env.update(PYTHONPATH=str(ROOT), NO_COLOR="1")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr.decode()


def test_an_unreadable_file_in_a_folder_is_skipped_and_named_while_the_rest_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "good.txt").write_text("The portal will be late, soon.\n", encoding="utf-8")
    (folder / "png.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "drafts", "--format", "json"], monkeypatch, capsys)
    report = json.loads(out)
    assert code == 2  # the input was not fully checked: CI must not pass
    assert [f["path"] for f in report["files"]] == [str(Path("drafts") / "good.txt")]
    assert "vague-timeline" in {f["check"] for f in report["files"][0]["findings"]}
    assert report["skipped"] == [{"path": str(Path("drafts") / "png.md"),
                                  "reason": f"{Path('drafts') / 'png.md'} looks like a binary file, not text"}]
    assert "1 of 2 inputs could not be checked" in err and "png.md looks like a binary file" in err


def test_a_folder_whose_files_all_fail_reports_the_first_reason(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.md").write_bytes(b"\x00\x01\x02binary")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "."], monkeypatch, capsys)
    assert code == 2 and out == "" and "a.md looks like a binary file" in err


@pytest.mark.parametrize(("fail_on", "code"), [("error", 0), ("warning", 1)])
def test_junit_from_the_cli_fails_with_the_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], fail_on: str, code: int) -> None:
    write(tmp_path / "n.txt", "The portal moves from 1 December to Friday 18 December 2026 because the payment "
          "provider changed its interface. Two more testers join on Monday. Your training moves by two weeks. "
          "The order pages are done; the payment step remains. We will ship it soon after that. "
          "We will update you every Friday. I am sorry for the trouble. Call me on +1 555 0100.\n")
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(["check", "n.txt", "--format", "json", "--fail-on", "never"], monkeypatch, capsys)
    severities = {f["check"]: f["severity"] for f in json.loads(out)["files"][0]["findings"]}
    assert "error" not in severities.values() and "warning" in severities.values()  # the file is built so
    got, out, _ = run(["check", "n.txt", "--format", "junit", "--fail-on", fail_on], monkeypatch, capsys)
    failing = {c.get("name") for c in ET.fromstring(out).iter("testcase") if c.find("failure") is not None}
    assert got == code
    assert failing == ({c for c, s in severities.items() if s == "warning"} if fail_on == "warning" else set())


def test_facts_can_come_from_stdin_but_not_together_with_the_draft(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    facts = (ROOT / "examples" / "en-payment-email.yaml").read_bytes()
    write(tmp_path / "n.txt", "We cannot deliver on 4 December 2026. The new date is Friday, 22 January 2027.\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check", "n.txt", "--facts", "-", "--format", "json"], monkeypatch, capsys, stdin=facts)
    assert code == 1 and "fact-mismatch" in {f["check"] for f in json.loads(out)["files"][0]["findings"]}
    code, out, err = run(["check", "-", "--facts", "-"], monkeypatch, capsys, stdin=facts)
    assert code == 2 and out == "" and "stdin can carry the draft or the facts, not both" in err


ZH_BAD = "王经理：\n\n由于一些原因，项目会尽快上线。\n"


def test_text_report_labels_follow_each_files_language(monkeypatch, capsys, clean_env):
    write(clean_env / "zh.md", ZH_BAD)
    write(clean_env / "en.md", BAD)
    code, out, _ = run(["check", "zh.md"], monkeypatch, capsys)
    assert code == 1
    rows = out.splitlines()
    assert any(r.split()[1:3] == ["警告", "vague-timeline"] for r in rows)
    assert any(r.split()[1:3] == ["错误", "missing-new-date"] for r in rows)
    assert rows[-1].startswith("共 1 个文件：") and "条错误" in rows[-1]
    assert " warning " not in out and " error " not in out
    code, out, _ = run(["check", "en.md"], monkeypatch, capsys)
    assert any(r.split()[1:3] == ["warning", "vague-timeline"] for r in out.splitlines())
    assert out.splitlines()[-1].endswith(" in 1 file") and "警告" not in out
    code, out, _ = run(["check", "zh.md", "en.md"], monkeypatch, capsys)  # mixed: each file its own, summary English
    assert "错误" in out and " warning " in out and out.splitlines()[-1].endswith(" in 2 files")
    code, out, _ = run(["check", "zh.md", "--format", "json"], monkeypatch, capsys)
    assert {f["severity"] for f in json.loads(out)["files"][0]["findings"]} <= {"error", "warning", "info"}
