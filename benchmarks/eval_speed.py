"""How long `delaynote eval` takes: offline, replay, and LLM drafting at concurrency 1 vs 8
against a local stand-in server with a fixed latency per request (no network).

Run from the repository root:  python benchmarks/eval_speed.py [--latency 0.2]
Figures go to stdout; README.md (## Evals) quotes them.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "evals"))

from fakeserver import serve  # noqa: E402
from record_standin import standin  # noqa: E402

from assistant.config import load_settings  # noqa: E402
from assistant.evals import run_eval_command  # noqa: E402
from assistant.evals.suite import load_suite  # noqa: E402

SUITE = ROOT / "evals"


def timed(suite: Path, provider: str, concurrency: int, **overrides: object) -> tuple[float, int]:
    """Wall seconds and exit code of one eval run (report discarded)."""
    settings = load_settings(cwd=ROOT, env={}, overrides=overrides)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = run_eval_command(suite, settings=settings, provider=provider, fmt="json", concurrency=concurrency,
                                out=None, force=False, record=False, compare=[])
    return time.perf_counter() - start, code


def drafter_only_suite() -> Path:
    """A copy of the suite without the checker corpora (labelled and held out), so only drafting is timed."""
    folder = Path(tempfile.mkdtemp(prefix="delaynote-bench-suite-")) / "evals"
    shutil.copytree(SUITE, folder, ignore=shutil.ignore_patterns("drafts", "heldout", "recordings"))
    config = yaml.safe_load((folder / "suite.yaml").read_text(encoding="utf-8"))
    config["corpus"] = config["heldout"] = None
    (folder / "suite.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds the stand-in server waits per request")
    args = parser.parse_args()
    os.environ["DELAYNOTE_CACHE_DIR"] = tempfile.mkdtemp(prefix="delaynote-bench-")  # never a warm cache
    cases = load_suite(SUITE).cases
    print(f"whole suite ({len(cases)} drafting cases + the checker on both labelled corpora):")
    for provider, conc in (("offline", 1), ("offline", 4), ("replay", 1), ("replay", 4)):
        seconds, code = timed(SUITE, provider, conc)
        print(f"  {provider:<8} concurrency {conc}: {seconds:6.2f} s (exit {code})")
    print(f"drafting only, LLM path against the stand-in server at {args.latency:.2f} s per request:")
    drafting = drafter_only_suite()
    reply = standin(cases)
    for conc in (1, 8):
        with serve(reply, latency=args.latency) as server:
            seconds, code = timed(drafting, "openai", conc, **{"llm.base_url": server.url, "llm.cache": False})
            count = server.count
        print(f"  concurrency {conc}: {seconds:6.2f} s, {count} requests (exit {code})")


if __name__ == "__main__":
    main()
