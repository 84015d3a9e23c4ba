"""Re-make the committed recordings in evals/recordings/ against a local stand-in model.

The stand-in is the fake OpenAI-compatible server from tests/fakeserver.py. It answers a
drafting request with what the offline drafter writes for the same facts, and a judging
request with scores derived from the rule checks (5, minus 2 per error and 1 per warning
for that principle). It is not a language model: the recordings exist so that the whole LLM
path (prompts, client, parsing, checks, judge) runs in CI with no key and no network.
To record against a real model instead:

    delaynote eval --provider openai --record [--base-url URL] [--model NAME]

Run from the repository root:  python evals/record_standin.py   (replaces every recording)
                           or:  python evals/record_standin.py --missing   (adds only what is missing:
the requests a real-model recording run did not reach keep the suite replayable)
                           or:  python evals/record_standin.py --suite evals/updates   (another suite;
its progress-update cases are answered with the offline update drafter's text)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakeserver import Reply, serve  # noqa: E402

from assistant.checks import check_draft  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.drafting.offline import draft_offline  # noqa: E402
from assistant.evals import run_eval_command  # noqa: E402
from assistant.evals.suite import Case, load_suite  # noqa: E402
from assistant.judge import PRINCIPLES  # noqa: E402

PENALTY = {"error": 2, "warning": 1, "info": 0}


def _case_for(body: dict[str, Any], cases: list[Case]) -> Case:
    """The case a request is about: the one whose project name the user message carries."""
    text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user")
    found = [c for c in cases if c.facts.project in text]
    if not found:
        raise LookupError("the stand-in model got a request about no known case")
    return max(found, key=lambda c: len(c.facts.project))


def _notice(case: Case) -> str:
    draft = draft_offline(case.facts)
    return f"Subject: {draft.subject}\n\n{draft.body}" if draft.subject else draft.body


def _verdict(case: Case) -> str:
    from assistant.checks.catalogue import catalogue

    scores = {p: 5 for p in PRINCIPLES}
    for finding in check_draft(draft_offline(case.facts), case.facts, None):
        principle = catalogue()[finding.check]["principle"]
        if principle in scores:
            scores[principle] = max(1, scores[principle] - PENALTY[finding.severity])
    return json.dumps({"findings": [], "scores": [
        {"principle": p, "score": s, "reason": "stand-in judge: derived from the rule checks"}
        for p, s in scores.items()]})


def _update_answers(cases: list[Case]) -> dict[str, str]:
    """Progress-update cases share a project, so their requests are matched by the whole user
    message `delaynote update` sends for each: user message -> the offline update's text."""
    from assistant.followup.commands import told_from
    from assistant.followup.drafting import draft_update_offline
    from assistant.followup.llm import update_messages

    settings = load_settings()
    out = {}
    for case in cases:
        if case.progress is None or case.text is not None:
            continue
        user = update_messages(case.facts, case.progress, case.history, settings)[-1]["content"]
        update = draft_update_offline(case.facts, case.progress, told_from(case.history))
        out[user] = f"Subject: {update.subject}\n\n{update.body}" if update.subject else update.body
    return out


def standin(cases: list[Case], recorded: dict[str, dict[str, Any]] | None = None) -> Any:
    """A reply function for `fakeserver.serve`: offline text for drafts, rule-based scores for
    judging. Answers are computed once, up front, so the server itself costs no time per request.
    A request found in `recorded` (key -> recording) gets the recorded answer instead, so what
    follows it (a revision, the judge of that draft) is the request replay will make."""
    notices = {c.name: _notice(c) for c in cases if c.progress is None}
    verdicts = {c.name: _verdict(c) for c in cases if c.expect.rubric and c.progress is None}
    updates = _update_answers(cases)

    def reply(body: dict[str, Any]) -> Reply:
        if recorded:
            from assistant.evals.replay import request_key

            saved = recorded.get(request_key("/chat/completions", json.dumps(body).encode()))
            if saved is not None:
                return Reply(raw=json.dumps(saved["response"]["json"], ensure_ascii=False))
        users = [str(m.get("content", "")) for m in body.get("messages", []) if m.get("role") == "user"]
        if users and users[-1] in updates:
            return Reply(text=updates[users[-1]])
        case = _case_for(body, cases)
        if "response_format" not in body:
            return Reply(text=notices[case.name])
        return Reply(text=verdicts.get(case.name) or _verdict(case))

    return reply


def main(argv: list[str]) -> int:
    missing_only = "--missing" in argv
    suite_dir = Path(argv[argv.index("--suite") + 1]).resolve() if "--suite" in argv else ROOT / "evals"
    suite = load_suite(suite_dir)
    kept: dict[str, str] = {}
    if missing_only:  # real-model recordings stay byte for byte; only the requests without one are added
        kept = {f.stem: f.read_text(encoding="utf-8") for f in suite.recordings_dir.glob("*.json")}
    else:
        for old in suite.recordings_dir.glob("*.json"):  # start clean: no recording outlives its request
            old.unlink()
    recorded = {key: json.loads(text) for key, text in kept.items()}
    with serve(standin(suite.cases, recorded)) as server:
        settings = load_settings(overrides={"llm.base_url": server.url, "llm.cache": False})
        code = run_eval_command(suite_dir, settings=settings, provider="openai", fmt="text", concurrency=4,
                                out=None, force=False, record=True, compare=[])
        print(f"stand-in model answered {server.count} requests", file=sys.stderr)
    for key, text in kept.items():
        (suite.recordings_dir / f"{key}.json").write_text(text, encoding="utf-8")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
