"""Hostile inputs and surroundings for every command: endless devices, odd encodings, closed
standard streams, wrong kinds of paths, Ctrl-C. Each must end in one sentence and its exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run_cli as run

from assistant.errors import InputError
from assistant.textio import read_input, read_text

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "examples" / "en-payment-email.yaml"
NOTICE = "Dear Ms. Chen,\n\nThe portal will be ready on 18 December 2026 instead of 1 December 2026.\n\nSam\n"


@pytest.fixture(autouse=True)
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working folder, no LLM configured, no colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder




# --- A7: endless inputs --------------------------------------------------------------------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("args", [["check", "/dev/zero"], ["draft", "--facts", "/dev/zero"],
                                  ["rewrite", "/dev/zero", "--provider", "offline"]])
def test_an_endless_device_is_too_large_not_a_memory_error(args: list[str], monkeypatch, capsys) -> None:
    code, out, err = run(args, monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.splitlines()[0] == "delaynote: /dev/zero is larger than 50 MB; delaynote reads files up to 50 MB"


def test_reading_stops_one_byte_after_the_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A file whose size on disk says nothing (a pipe, a device) is cut at the limit + 1 byte."""
    import assistant.textio as textio

    path = tmp_path / "big.txt"
    path.write_text("x" * 101, encoding="utf-8")
    monkeypatch.setattr(textio, "MAX_BYTES", 100)
    monkeypatch.setattr(Path, "stat", lambda self, **kw: os.stat_result((0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0)))
    with pytest.raises(InputError, match="is larger than 0 MB"):
        read_text(path)


# --- C6: UTF-16 and UTF-32 files with a byte order mark ------------------------------------

@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be", "utf-8-sig"])
def test_a_file_with_a_byte_order_mark_is_read_in_its_encoding(encoding: str, tmp_path: Path) -> None:
    text = "Dear Ms. Chen,\r\n门户 will be late.\r\n"
    data = text.encode(encoding)
    if not encoding.endswith(("sig", "16", "32")):  # the -be codecs write no mark of their own
        data = "\ufeff".encode(encoding) + data
    path = tmp_path / "note.txt"
    path.write_bytes(data)
    assert read_text(path) == "Dear Ms. Chen,\n门户 will be late.\n"


def test_utf16_drafts_and_facts_work_through_the_cli(monkeypatch, capsys, work: Path) -> None:
    (work / "note.md").write_bytes(NOTICE.encode("utf-16"))
    code, out, err = run(["check", "note.md", "--format", "json"], monkeypatch, capsys)
    assert code in (0, 1) and '"path": "note.md"' in out and "binary" not in err
    (work / "facts.yaml").write_bytes(FACTS.read_text(encoding="utf-8").encode("utf-16"))
    code, out, err = run(["draft", "--facts", "facts.yaml", "--provider", "offline"], monkeypatch, capsys)
    assert code == 0 and "Dear" in out


def test_a_bad_file_behind_a_utf16_mark_is_named_not_called_binary(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"\xff\xfeD\x00e\x00\x00\xd8")  # a lone surrogate at the end
    with pytest.raises(InputError, match="starts like UTF-16 text but is not"):
        read_text(path)
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError, match="looks like a binary file"):
        read_text(path)


# --- A6 / B3: closed standard input or output -----------------------------------------------

def _run_closed(args: list[str], fd: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run delaynote with file descriptor `fd` closed, as the shell's `<&-` or `>&-` does."""
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=cwd, capture_output=fd != 1,
                          stderr=subprocess.PIPE if fd == 1 else None, text=True, timeout=60,
                          preexec_fn=lambda: os.close(fd))


@pytest.mark.skipif(os.name != "posix", reason="closes a file descriptor in the child")
@pytest.mark.parametrize("args", [["check", "-"], ["rewrite", "-", "--provider", "offline"], ["draft"]])
def test_closed_stdin_is_exit_2_in_one_sentence(args: list[str], work: Path) -> None:
    result = _run_closed(args, 0, work)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1 and "standard input is closed" in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="closes a file descriptor in the child")
@pytest.mark.parametrize("args, hint", [
    (["draft", "--facts", str(FACTS), "--provider", "offline"], True), (["check", "note.md"], True),
    (["rewrite", "note.md", "--provider", "offline"], True), (["rewrite", "note.md", "--diff", "--in-place"], False),
    (["rules"], False), (["schema"], False),
])
def test_closed_stdout_is_exit_2_before_any_work(args: list[str], hint: bool, work: Path) -> None:
    (work / "note.md").write_text(NOTICE, encoding="utf-8")
    result = _run_closed(args, 1, work)
    expected = "delaynote: standard output is closed" + ("; use --out FILE" if hint else "")
    assert result.returncode == 2 and result.stderr.splitlines() == [expected]
    assert not (work / "note.md.bak").exists()


def test_a_closed_stdout_does_not_stop_writing_to_out(monkeypatch, capsys, work: Path) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    code, _, err = run(["draft", "--facts", str(FACTS), "--provider", "offline", "--out", "d.txt"], monkeypatch, capsys)
    assert code == 0 and "wrote d.txt" in err and (work / "d.txt").read_text(encoding="utf-8").startswith("Subject:")


def test_closed_stdin_in_process(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError, match="standard input is closed"):
        read_input("-")


# --- C8: init - ------------------------------------------------------------------------------

def test_init_dash_prints_the_example_instead_of_writing_a_file_named_dash(monkeypatch, capsys, work: Path) -> None:
    code, out, err = run(["init", "-", "--lang", "zh"], monkeypatch, capsys)
    assert code == 0 and err == "" and not (work / "-").exists()
    assert out == (ROOT / "assistant" / "data" / "init_zh.yaml").read_text(encoding="utf-8")


@pytest.mark.skipif(os.name != "posix", reason="closes a file descriptor in the child")
def test_init_dash_with_stdout_closed_is_exit_2(work: Path) -> None:
    result = _run_closed(["init", "-"], 1, work)
    assert result.returncode == 2 and result.stderr.splitlines() == ["delaynote: standard output is closed"]


# --- D4: Ctrl-C ---------------------------------------------------------------------------------

def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize("target, args", [
    ("assistant.checks.check_paths", ["check", "note.md"]),
    ("assistant.evals.run_eval_command", ["eval"]),
    ("assistant.drafting.llm.draft_with_llm", ["draft", "--facts", str(FACTS), "--provider", "openai"]),
    ("assistant.drafting.offline.draft_offline", ["draft", "--facts", str(FACTS), "--provider", "offline"]),
    ("assistant.rewrite.run_rewrite", ["rewrite", "note.md", "--provider", "openai"]),
    ("assistant.checks.catalogue.render_rules", ["rules"]),
])
def test_ctrl_c_in_any_command_says_interrupted_and_exits_130(target: str, args: list[str], monkeypatch, capsys,
                                                               work: Path) -> None:
    (work / "note.md").write_text(NOTICE, encoding="utf-8")
    monkeypatch.setattr(target, _interrupt)
    code, out, err = run(args, monkeypatch, capsys)
    assert code == 130 and out == "" and err == "delaynote: interrupted\n"


# --- D1: an eval suite's unknown key does not point to the facts schema ------------------------

def test_an_unknown_key_in_suite_yaml_does_not_point_to_delaynote_schema(monkeypatch, capsys, work: Path) -> None:
    (work / "suite").mkdir()
    (work / "suite" / "suite.yaml").write_text("colour: red\n", encoding="utf-8")
    code, _, err = run(["eval", "suite"], monkeypatch, capsys)
    assert code == 2 and "colour: is not a known key" in err and "schema" not in err


# --- D2: wrong kinds of paths get the real reason ------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["check", "note.md", "--config", "adir"], "--config adir is a folder, not a file"),
    (["check", "note.md", "--config", "nope.toml"], "--config nope.toml does not exist"),
    (["draft", "--facts", str(FACTS), "--prompts", "afile.txt"],
     "--prompts afile.txt is a file, not a folder (of your own prompt files)"),
    (["draft", "--facts", str(FACTS), "--provider", "offline", "--out", "afile.txt/x.txt"],
     "--out afile.txt/x.txt: its folder afile.txt is a file"),
    (["draft", "--facts", str(FACTS), "--provider", "offline", "--out", "afile.txt/a/x.txt"],
     "--out afile.txt/a/x.txt: a folder on its path afile.txt is a file"),
    (["draft", "--facts", str(FACTS), "--provider", "offline", "--out", "adir"], "--out adir is a folder, not a file"),
    (["init", ""], "init: no file name given; for example: delaynote init facts.yaml"),
    (["init", "adir"], "init: adir is a folder, not a file"),
    (["check", "afile.txt/x.md"], "afile.txt/x.md does not exist: afile.txt is a file, not a folder"),
])
def test_wrong_kinds_of_paths_name_the_real_problem(args: list[str], expected: str, monkeypatch, capsys,
                                                    work: Path) -> None:
    (work / "note.md").write_text(NOTICE, encoding="utf-8")
    (work / "adir").mkdir()
    (work / "afile.txt").write_text("x", encoding="utf-8")
    code, out, err = run(args, monkeypatch, capsys)
    assert code == 2 and out == "" and err == f"delaynote: {expected}\n"


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize("command", [["check"], ["rewrite", "--provider", "offline"], ["draft", "--facts"]])
def test_a_symbolic_link_loop_is_named_the_same_way_by_every_command(command: list[str], monkeypatch, capsys,
                                                                     work: Path) -> None:
    (work / "one").symlink_to("two")
    (work / "two").symlink_to("one")
    (work / "gone").symlink_to("nowhere")
    for name, expected in (("one", "one is a symbolic link loop"),
                           ("gone", "gone is a symbolic link to nowhere, which does not exist")):
        args = [command[0], name, *command[1:]] if command[0] != "draft" else [*command, name]
        code, _, err = run(args, monkeypatch, capsys)
        assert code == 2 and err == f"delaynote: {expected}\n"


# --- B2: a paid draft is never thrown away because of --out ---------------------------------------

@pytest.fixture
def fake_llm(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stand in for the model: records each call and answers with a fixed draft."""
    from assistant.drafting import Draft

    calls: list[str] = []

    def answer(facts, settings, **kwargs):
        calls.append(facts.project)
        return Draft(language="en", channel="email", subject="New date", body="Dear Ms. Chen,\n\nPAID ANSWER\n")

    monkeypatch.setattr("assistant.drafting.llm.draft_with_llm", answer)
    return calls


@pytest.mark.parametrize("out, expected", [
    ("taken.txt", "taken.txt already exists; use --force to overwrite it"),
    ("afile.txt/x.txt", "--out afile.txt/x.txt: its folder afile.txt is a file"),
    ("adir", "--out adir is a folder, not a file"),
])
def test_out_is_checked_before_the_model_is_paid(out: str, expected: str, fake_llm: list[str], monkeypatch,
                                                 capsys, work: Path) -> None:
    (work / "taken.txt").write_text("keep me", encoding="utf-8")
    (work / "afile.txt").write_text("x", encoding="utf-8")
    (work / "adir").mkdir()
    code, _, err = run(["draft", "--facts", str(FACTS), "--provider", "openai", "--out", out], monkeypatch, capsys)
    assert code == 2 and err == f"delaynote: {expected}\n" and fake_llm == []
    assert (work / "taken.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_an_out_path_the_system_refuses_is_found_before_the_model(fake_llm: list[str], monkeypatch, capsys) -> None:
    code, _, err = run(["draft", "--facts", str(FACTS), "--provider", "openai", "--out", "/proc/x.txt"],
                       monkeypatch, capsys)
    assert code == 2 and "--out /proc/x.txt cannot be written" in err and fake_llm == []


def test_when_writing_fails_after_the_model_answered_the_draft_is_saved(fake_llm: list[str], monkeypatch, capsys,
                                                                       tmp_path: Path) -> None:
    import assistant.textio as textio

    def refuse(path, content, **kwargs):
        raise InputError(f"{path} cannot be written: No space left on device")

    monkeypatch.setattr(textio, "write_new_file", refuse)
    code, _, err = run(["draft", "--facts", str(FACTS), "--provider", "openai", "--out", "d.txt", "--format", "json"],
                       monkeypatch, capsys)
    assert code == 2 and len(fake_llm) == 1
    first = err.splitlines()[0]
    assert first.startswith("delaynote: d.txt cannot be written: No space left on device; the draft is saved in ")
    saved = Path(first.rsplit(" ", 1)[1])
    assert saved.suffix == ".json" and "PAID ANSWER" in saved.read_text(encoding="utf-8")
    assert saved.parent == Path(os.environ["DELAYNOTE_CACHE_DIR"])


def test_rewrite_out_is_checked_before_the_model_is_paid(monkeypatch, capsys, work: Path) -> None:
    calls: list[str] = []
    monkeypatch.setattr("assistant.rewrite.rewrite_with_llm", lambda *a, **k: calls.append("x"))
    (work / "note.md").write_text(NOTICE, encoding="utf-8")
    (work / "afile.txt").write_text("x", encoding="utf-8")
    code, _, err = run(["rewrite", "note.md", "--provider", "openai", "--out", "afile.txt/r.md"], monkeypatch, capsys)
    assert code == 2 and err == "delaynote: --out afile.txt/r.md: its folder afile.txt is a file\n" and calls == []
