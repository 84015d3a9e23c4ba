"""The checker's data files are parsed once and then read back from the user cache (issue 3:
start-up time). The cache must give exactly what parsing gives, never serve a stale copy, and
never turn a broken cache file into an error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.checks import datafiles
from assistant.checks.datafiles import FORMAT, fingerprint, parse, snapshot
from assistant.checks.lexicon import PHRASE_FILES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "assistant" / "checks" / "data"

_PROBE = """
import json, sys
sys.argv = ["delaynote", "check", sys.argv[1], "--format", "json", "--fail-on", "never"]
from assistant.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps({"yaml": "yaml" in sys.modules}), file=sys.stderr)
"""


def _raw() -> dict[str, bytes]:
    return {p.relative_to(DATA).as_posix(): p.read_bytes() for p in DATA.rglob("*.yaml")}


def _cache_files(root: Path) -> list[Path]:
    return sorted((root / "checker").glob("data-*.json"))


def test_every_data_file_is_in_the_snapshot_with_its_parsed_content() -> None:
    raw = _raw()
    got = snapshot.__wrapped__()
    assert set(got) == set(raw)
    assert {f"en/{name}.yaml" for name in PHRASE_FILES} <= set(got)
    assert got == parse(raw)
    assert got["en/jargon.yaml"]["regression"]  # a plain alternative came through


def test_the_second_read_comes_from_the_cache_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DELAYNOTE_CACHE_DIR", str(tmp_path))
    snapshot.__wrapped__()
    [cached] = _cache_files(tmp_path)
    data = json.loads(cached.read_text(encoding="utf-8"))
    data["en/jargon.yaml"] = {"sentinel-term": "only in the cache"}
    cached.write_text(json.dumps(data), encoding="utf-8")
    assert snapshot.__wrapped__()["en/jargon.yaml"] == {"sentinel-term": "only in the cache"}


@pytest.mark.parametrize("broken", ["", "{not json", "[1, 2]", '{"en/jargon.yaml": {}}'])
def test_a_broken_or_partial_cache_file_is_parsed_again_and_replaced(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broken: str) -> None:
    monkeypatch.setenv("DELAYNOTE_CACHE_DIR", str(tmp_path))
    snapshot.__wrapped__()
    [cached] = _cache_files(tmp_path)
    cached.write_text(broken, encoding="utf-8")
    assert snapshot.__wrapped__() == parse(_raw())
    assert json.loads(cached.read_text(encoding="utf-8")) == parse(_raw())


def test_an_unwritable_cache_folder_costs_only_the_parse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("DELAYNOTE_CACHE_DIR", str(blocker))
    assert snapshot.__wrapped__() == parse(_raw())


def test_any_changed_byte_or_format_gives_another_cache_name(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = _raw()
    edited = dict(raw, **{"en/jargon.yaml": raw["en/jargon.yaml"] + b"\nsynergy: working together\n"})
    renamed = {("x" + k if k == "en/hedges.yaml" else k): v for k, v in raw.items()}
    names = {fingerprint(raw), fingerprint(edited), fingerprint(renamed)}
    monkeypatch.setattr(datafiles, "FORMAT", FORMAT + "-next")
    names.add(fingerprint(raw))
    assert len(names) == 4


def test_values_json_would_change_are_not_cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DELAYNOTE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(datafiles, "parse", lambda raw: {name: {1: "an int key"} for name in raw})
    assert snapshot.__wrapped__()["en/jargon.yaml"] == {1: "an int key"}
    assert _cache_files(tmp_path) == []


def test_a_warm_check_process_does_not_import_yaml_and_reports_the_same(tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("The rollout slips to soon because of the regression in the API.\n", encoding="utf-8")
    env = {**__import__("os").environ, "DELAYNOTE_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", _PROBE, str(notice)], cwd=ROOT, env=env, capture_output=True,
                           text=True, check=True) for _ in range(2)]
    cold, warm = (json.loads(r.stderr.strip().splitlines()[-1]) for r in runs)
    assert cold == {"yaml": True} and warm == {"yaml": False}
    assert json.loads(runs[0].stdout) == json.loads(runs[1].stdout)
    assert {f["check"] for f in json.loads(runs[1].stdout)["files"][0]["findings"]} >= {"jargon", "vague-timeline"}
