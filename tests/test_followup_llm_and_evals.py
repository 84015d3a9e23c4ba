"""Updates through the LLM (a local fake server, never the network) and the update eval suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeserver import Reply, serve

from assistant.config import Settings
from assistant.errors import InputError
from assistant.evals import run_eval_command
from assistant.evals.suite import load_suite
from assistant.facts import load_facts
from assistant.followup.commands import told_from
from assistant.followup.drafting import draft_update_offline
from assistant.followup.progress import load_progress
from tests.followup_helpers import DATA, project_dir, run_cli

ROOT = Path(__file__).resolve().parent.parent


def test_llm_update_uses_its_own_prompts_and_is_revised_until_it_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    project_dir(tmp_path, monkeypatch)
    facts = load_facts(DATA / "facts_en.yaml")
    progress = load_progress(DATA / "p2_en.yaml", facts)
    good = draft_update_offline(facts, progress, told_from([]))  # the CLI below runs with no history yet
    bad = good.body.replace("Thursday, 10 December 2026", "Thursday, 24 December 2026")
    with serve([Reply(text=f"Subject: {good.subject}\n\n{bad}"), Reply(text=f"Subject: {good.subject}\n\n{good.body}")]) as server:
        code, out, err = run_cli(["update", "--facts", "facts_en.yaml", "--progress", "p2_en.yaml", "--provider",
                                  "openai", "--base-url", server.url, "--model", "m", "--no-cache", "--format", "json"],
                                 monkeypatch, capsys)
        requests = server.requests
    assert code == 0, err
    assert len(requests) == 2
    system, user = requests[0]["messages"][0]["content"], requests[0]["messages"][1]["content"]
    assert system == (ROOT / "prompts" / "system_update.md").read_text(encoding="utf-8").strip()
    assert "Date status: at_risk" in user and '"known_by": "2026-12-10"' in user
    assert '"client_knows_by": "Thursday, 10 December 2026"' in user
    revision = requests[1]["messages"][-1]["content"]
    assert "Fix exactly these problems" in revision and '"Thursday, 24 December 2026"' in revision
    result = json.loads(out)
    assert result["subject"] == good.subject and "Thursday, 10 December 2026" in result["body"]
    assert not [f for f in result["findings"] if f["severity"] == "error"]
    assert result["usage"]["calls"] == 2


def test_update_eval_suite_passes_offline_with_twenty_cases() -> None:
    suite = load_suite(ROOT / "evals" / "updates")
    by_lang = {lang: [c for c in suite.cases if c.language == lang] for lang in ("en", "zh")}
    assert len(by_lang["en"]) >= 10 and len(by_lang["zh"]) >= 10
    statuses = {c.progress.status for c in suite.cases}
    assert statuses == {"on_track", "at_risk", "slipped"}
    assert any("fact-drift" in c.expect.checks_must_fire for c in suite.cases if c.text is None)
    checker = [c for c in suite.cases if c.text is not None]
    assert len(checker) == 12 and len([c for c in suite.cases if c.text is None]) == 22
    fired = {(c.language, check) for c in checker for check in c.expect.checks_must_fire}
    assert {check for _, check in fired} >= {"missing-date-status", "fact-drift", "missed-update"}
    assert run_eval_command(ROOT / "evals" / "updates", settings=Settings(), provider="offline", fmt="json",
                            concurrency=2, out=None, force=False, record=False, compare=[]) == 0


def test_bad_update_case_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "suite.yaml").write_text("cases: [en]\ncorpus: null\n", encoding="utf-8")
    facts = (ROOT / "evals" / "updates" / "facts" / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "facts.yaml").write_text(facts, encoding="utf-8")
    (tmp_path / "en" / "bad.yaml").write_text(
        "facts_file: ../facts.yaml\nprogress: {status: on_track, donee: []}\n"
        "history: [{sent_on: 2027-02-15, delivery_date: 2027-13-01}]\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_suite(tmp_path)
    details = "\n".join(exc.value.details)
    assert "history[0].delivery_date" in details and "progress.donee" in details
    assert "progress.update_date: is required in eval cases" in details
