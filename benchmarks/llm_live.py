"""The drafting cases against a live OpenAI-compatible server: pass rate before and after the
revise loop, per language and channel, with requests and seconds per case.

"Before" is the model's first answer as it came; "mended" the same answer after delaynote put
right from the facts what the facts say exactly (`assistant.guards.mend`), with no revision;
"after" the draft the user is shown (the best answer after at most --max-revisions revisions,
then mended). A case passes when its eval assertions hold (the
suite's defaults plus its own; rubric scores are not asked for). The last lines count the
drafts shown that still hold a placeholder or an untraced date, and the answers whose
commentary was cut. Nothing is cached or recorded.

Run from the repository root, for example against the local model (../shared/tools/local-llm):

    python benchmarks/llm_live.py --base-url http://127.0.0.1:8088/v1 --model qwen2.5-coder-1.5b-instruct \
        [--cases 'en/*email*'] [--limit 3] [--max-revisions 2] [--timeout 900]

Figures go to stdout (README.md, "LLM drafting against a real model", quotes them); one line
per case goes to stderr as it finishes, so a long run shows its progress.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.checks import draft_text  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.drafting.llm import draft_with_llm  # noqa: E402
from assistant.errors import DelaynoteError  # noqa: E402
from assistant.evals.assertions import apply_expectations, merge_expect  # noqa: E402
from assistant.evals.suite import load_suite  # noqa: E402


def passes(text: str, findings: list, case, defaults) -> bool:
    expect = merge_expect(defaults, case.expect)
    failures, _notes = apply_expectations(text, case.facts, expect, {f.check for f in findings}, None)
    return not failures


def unsendable(findings: list) -> tuple[bool, bool]:
    """(holds a placeholder, holds a date that traces to nothing) in a shown draft."""
    placeholder = any(f.check == "placeholder" for f in findings)
    date = any(f.check == "fact-mismatch" and ("date" in f.message.lower() or "日期" in f.message) for f in findings)
    return placeholder, date


def _first_mended(first_text: str, case, settings, suite) -> bool:
    """Does the first answer pass once mended from the facts, with no revision asked for?"""
    from assistant.drafting import Draft
    from assistant.drafting.llm import _mended, review

    subject, body = None, first_text
    if case.facts.channel == "email" and "\n\n" in first_text:
        subject, body = first_text.split("\n\n", 1)
    draft = Draft(language=case.language, channel=case.facts.channel, subject=subject, body=body)
    mended, findings, _ = _mended(draft, review(draft, case.facts, settings), case.facts, settings)
    return passes(draft_text(mended.subject, mended.body), findings, case, suite.config.defaults)


def one_case(case, settings, args, suite, rows, counts):
    """Draft one case, add its row, and return the updated (placeholder, date, commentary) counts."""
    shown_placeholder, shown_date, commentary = counts
    start = time.perf_counter()
    try:
        draft = draft_with_llm(case.facts, settings, max_revisions=args.max_revisions, stream=False,
                               use_cache=False, log=lambda _line: None)
    except DelaynoteError as exc:  # one failed request fails its case, not the run
        print(f"{case.name}: the service failed: {exc}", file=sys.stderr, flush=True)
        rows[(case.language, case.facts.channel)].append((False, False, False, 0, time.perf_counter() - start))
        return counts
    seconds = time.perf_counter() - start
    first_text, first_findings = draft._rounds[0]
    before = passes(first_text, first_findings, case, suite.config.defaults)
    mended = before or _first_mended(first_text, case, settings, suite)
    after = passes(draft_text(draft.subject, draft.body), draft.findings, case, suite.config.defaults)
    placeholder, date = unsendable(draft.findings)
    shown_placeholder += placeholder
    shown_date += date
    commentary += bool(draft._removed)
    calls = draft.usage.calls if draft.usage else 0
    rows[(case.language, case.facts.channel)].append((before, mended, after, calls, seconds))
    print(f"{case.name}: before {'pass' if before else 'fail'}, mended {'pass' if mended else 'fail'}, "
          f"after {'pass' if after else 'fail'}, "
          f"{calls} request(s), {seconds:.0f} s, errors left: "
          f"{sorted({f.check for f in draft.findings if f.severity == 'error'}) or 'none'}",
          file=sys.stderr, flush=True)
    return shown_placeholder, shown_date, commentary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--cases", default="*", help="globs over 'en/name' / 'zh/name', comma-separated (default: every case)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many cases per language (0: all)")
    parser.add_argument("--max-revisions", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per request")
    parser.add_argument("--record", type=Path, help="also record every answer into this folder (as eval --record "
                        "does: a case's first request is the one `eval --provider replay` makes); a request "
                        "already recorded there is answered from its file")
    args = parser.parse_args(argv)
    args.server = args.base_url
    if args.record:
        with _recorder_class()(args.record, mode="record", upstream=args.base_url, timeout=args.timeout) as proxy:
            args.base_url = proxy.base_url
            return run(args)
    return run(args)


def _recorder_class() -> type:
    from assistant.evals.replay import RecordingServer

    class Recorder(RecordingServer):
        """Records like `eval --record`, and answers a request it has already recorded from its
        file, so a benchmark run that was stopped resumes without asking the model again."""

        def _handle(self, method: str, rel: str, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
            import json

            from assistant.evals.replay import request_key

            file = self.folder / f"{request_key(rel, body)}.json"
            if file.is_file():
                saved = json.loads(file.read_text(encoding="utf-8"))["response"]
                text = json.dumps(saved["json"], ensure_ascii=False) if "json" in saved else saved["text"]
                return int(saved["status"]), saved["content_type"], text.encode("utf-8")
            return super()._handle(method, rel, body, headers)

    return Recorder



def run(args: argparse.Namespace) -> int:

    suite = load_suite(ROOT / "evals")
    settings = load_settings(cwd=ROOT, env={}, overrides={
        "llm.base_url": args.base_url, "llm.model": args.model, "llm.cache": False, "llm.timeout": args.timeout,
        "llm.max_retries": 1})
    settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={
        "api_key": SecretStr(os.environ.get("OPENAI_API_KEY", "local"))})})
    picked, per_lang = [], defaultdict(int)
    for case in suite.cases:
        name = f"{case.language}/{case.name.split('/')[-1]}"
        if not any(fnmatch.fnmatch(name, pattern.strip()) for pattern in args.cases.split(",")):
            continue
        if args.limit and per_lang[case.language] >= args.limit:
            continue
        per_lang[case.language] += 1
        picked.append(case)

    rows: dict[tuple[str, str], list[tuple[bool, bool, bool, int, float]]] = defaultdict(list)
    shown_placeholder = shown_date = commentary = 0
    done = 0
    try:
        for case in picked:
            shown_placeholder, shown_date, commentary = one_case(
                case, settings, args, suite, rows, (shown_placeholder, shown_date, commentary))
            done += 1
    except KeyboardInterrupt:  # Ctrl-C: the figures of the cases done so far
        print(f"interrupted after {done} of {len(picked)} cases", file=sys.stderr)
    picked = picked[:done]
    print(f"model {args.model} at {args.server}, max revisions {args.max_revisions}, {len(picked)} cases\n")
    print("| language | channel | cases | first answer passes | first answer, mended | shown (revised, mended) "
          "| requests/case | seconds/case |")
    print("|---|---|---|---|---|---|---|---|")
    for lang in ("en", "zh"):
        keys = [k for k in sorted(rows) if k[0] == lang]
        for key in [*keys, (lang, "all")]:
            data = rows[key] if key[1] != "all" else [r for k in keys for r in rows[k]]
            if not data:
                continue
            n = len(data)
            print(f"| {lang} | {key[1]} | {n} | {sum(r[0] for r in data) / n:.0%} | {sum(r[1] for r in data) / n:.0%} "
                  f"| {sum(r[2] for r in data) / n:.0%} | {sum(r[3] for r in data) / n:.1f} "
                  f"| {sum(r[4] for r in data) / n:.0f} |")
    print(f"\ndrafts shown with a placeholder: {shown_placeholder}; with an untraced date: {shown_date}; "
          f"answers whose commentary was cut: {commentary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
