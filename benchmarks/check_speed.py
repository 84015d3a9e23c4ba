"""How fast is `delaynote check`? Prints a small table of figures.

Run from the repository root:  python benchmarks/check_speed.py [--runs 7]

Measures what a user and a CI job feel: process start to exit for one ~300-word notice (target
< 0.3 s), `--help`, whether the `openai` SDK was imported on the check path (it must not be),
in-process throughput on 1x/10x/100x the text (per-unit time should stay flat: linear checks),
a 2 MB file, and 1000 files in one call. Figures vary by machine; the ratios should not.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 0.3

# An ordinary, reasonably good notice of about 300 words, with a few things to find.
NOTICE = """Subject: Customer portal: new delivery date 18 December

Dear Ms. Chen,

I am writing to let you know that the customer portal, which we promised for Tuesday 1 December,
will not be ready on that date. We now plan to deliver it on Friday 18 December 2026.

The reason is the payment step. Two weeks ago the payment provider changed how it confirms each
payment, and our integration has to be rebuilt around the new method and tested again from the
start. We found this during our own testing, before any of your customers were affected.

For you, this means the staff training planned for the first week of December moves back by about
two weeks. The order tracking pages and the account pages are finished and can be shown to your
team this Friday if that helps your planning.

Here is what we are doing to recover time:
- Two more testers join the team on Monday, so testing can run in parallel with the rebuild.
- We have asked the payment provider for a direct technical contact, and they have agreed.
- We will release the order tracking pages early, on 4 December, so your staff can start using them.

What remains is the payment step itself and the final acceptance test with your team. We should
hopefully finish the rebuild by 10 December, which leaves a week for testing and fixes. The API
changes are the main risk; if they slip again we will tell you at once.

We will send you a short written update every Friday, starting 20 November, even when nothing has
changed, and I am happy to set up a call this week to walk through the new plan.

I am sorry for the trouble this causes your team. If you have any questions, please call me on
+1 555 0100 or reply to this e-mail.

Kind regards,
Sam Lee
Project manager, Northwind Software
"""


def _child_env() -> dict[str, str]:
    """The environment of a measured process. An installed package runs from cached bytecode; with
    PYTHONDONTWRITEBYTECODE set (as in some sandboxes and CI images) every run would recompile our
    sources, so bytecode goes to a cache folder in the temp dir instead."""
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("OPENAI_API_KEY", None)
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "delaynote-bench-pycache"))
    return env


# The floor under any Typer 0.29 command: Typer itself, and pydantic, with which it builds the
# parameters' converters. Nothing of delaynote; measured in the same runs as `check`.
FLOOR_APP = """
from typing import Annotated

import typer

app = typer.Typer()


@app.command()
def check(paths: Annotated[list[str], typer.Argument()], fmt: Annotated[str, typer.Option("--format")] = "text",
          fail_on: Annotated[str, typer.Option("--fail-on")] = "error") -> None:
    for path in paths:
        open(path, encoding="utf-8").read()


@app.command()
def other() -> None:
    pass


app()
"""


def _run(argv: list[str], stdin: bytes | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one process, start to exit.

    CPU time barely moves when other work shares the machine; wall time is what a user waits."""
    env = _child_env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv[1:])} failed ({proc.returncode}): {proc.stderr.decode()[-400:]}")
    return elapsed, cpu


def _cli(*args: str, stdin: bytes | None = None) -> tuple[float, float]:
    """One `python -m assistant ...` process."""
    return _run([sys.executable, "-m", "assistant", *args], stdin)


def _interleaved(runs: int, commands: dict[str, list[str]]) -> dict[str, tuple[float, float, float]]:
    """Per command: (min wall, median wall, median cpu) over `runs` rounds that take turns, so a busy
    spell on the machine hits every command alike. One warm-up round fills the file and data caches."""
    for argv in commands.values():
        _run(argv)
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            timings[name].append(_run(argv))
    return {name: (min(t[0] for t in ts), statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
            for name, ts in timings.items()}


def _openai_imported(path: Path) -> bool:
    code = ("import sys; sys.argv = ['delaynote', 'check', sys.argv[1], '--format', 'json']\n"
            "from assistant.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(str('openai' in sys.modules))")
    env = _child_env()
    proc = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, env=env, capture_output=True,
                          check=False)
    return proc.stderr.decode().strip().endswith("True")


def _in_process(text: str, repeat: int = 3) -> float:
    from assistant.checks import check_text

    check_text(text[:2000], path="warm.txt", language="en")
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        check_text(text, path="bench.txt", language="en")
        best = min(best, time.perf_counter() - start)
    return best


def _lexicon_compile() -> tuple[float, float]:
    """English lexicon, every category: build time of the phrase matchers, and their scan of 10x the notice.
    (A plain check compiles only the categories its rules reach: see `lexicon.Matcher`.)"""
    from assistant.checks.lexicon import PHRASE_FILES, _as_entries, _read
    from assistant.checks.phrasematch import compile_phrase_pattern

    cats = [_as_entries(_read("en", name)) for name in PHRASE_FILES]
    cats += [_as_entries(v) for v in (_read("en", "cues") or {}).values()]
    cats = [c for c in cats if c]
    text = "\n\n".join([NOTICE] * 10)
    re.purge()  # `re` caches compiled patterns; the checks above already compiled these
    start = time.perf_counter()
    patterns = [compile_phrase_pattern(list(c)) for c in cats]
    mid = time.perf_counter()
    for pattern in patterns:
        list(pattern.finditer(text))  # type: ignore[union-attr]
    return mid - start, time.perf_counter() - mid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="process runs per figure (median)")
    parser.add_argument("--quick", action="store_true", help="skip the 2 MB file and the 1000 files")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["DELAYNOTE_CACHE_DIR"] = str(folder / "cache")  # starts empty: the first run is cold
        notice = folder / "notice.txt"
        notice.write_text(NOTICE, encoding="utf-8")
        words = len(NOTICE.split())

        floor_app = folder / "floor_app.py"
        floor_app.write_text(FLOOR_APP, encoding="utf-8")
        cold = _cli("check", str(notice), "--format", "json", "--fail-on", "never")  # data cache still empty
        timed = _interleaved(args.runs, {
            "check": [sys.executable, "-m", "assistant", "check", str(notice), "--format", "json", "--fail-on", "never"],
            "floor": [sys.executable, str(floor_app), "check", str(notice), "--format", "json"],
            "help": [sys.executable, "-m", "assistant", "--help"],
        })

        def figure(name: str) -> str:
            low, wall, cpu = timed[name]
            return f"{wall * 1000:.0f} ms wall (min {low * 1000:.0f}), {cpu * 1000:.0f} ms cpu"

        verdict = "ok" if timed["check"][1] < TARGET_SECONDS else "MISSED"
        rows.append((f"check one {words}-word notice (process)", figure("check"),
                     f"median of {args.runs}; target < {TARGET_SECONDS * 1000:.0f} ms: {verdict}"))
        rows.append(("  the same, first run (data cache cold)", f"{cold[0] * 1000:.0f} ms wall", "parses the YAML data"))
        rows.append(("floor: one-command Typer app (process)", figure("floor"),
                     "typer + pydantic, nothing of delaynote"))
        rows.append(("  delaynote's own share of check", f"{(timed['check'][1] - timed['floor'][1]) * 1000:.0f} ms",
                     "median check - median floor"))
        rows.append(("--help (process)", figure("help"), f"median of {args.runs}"))
        rows.append(("openai imported on the check path", "yes" if _openai_imported(notice) else "no", "must be no"))

        base = _in_process(NOTICE)
        per_unit = {}
        for factor in (1, 10, 100):
            elapsed = base if factor == 1 else _in_process("\n\n".join([NOTICE] * factor), repeat=2)
            per_unit[factor] = elapsed / factor
            rows.append((f"check_text on {factor}x the notice", f"{elapsed * 1000:.1f} ms",
                         f"{len(NOTICE) * factor / elapsed / 1e6:.2f} M chars/s"))
        ratio = per_unit[100] / per_unit[10]
        rows.append(("linearity: per-unit time 100x / 10x", f"{ratio:.2f}", "about 1 means linear"))

        compile_s, scan_s = _lexicon_compile()
        rows.append(("en lexicon build, all categories", f"{compile_s * 1000:.0f} ms",
                     "Aho-Corasick matchers (assistant/checks/phrasematch.py)"))
        rows.append(("en lexicon scan of 10x the notice", f"{scan_s * 1000:.0f} ms", ""))

        if args.quick:
            _print(rows)
            return
        big = folder / "big.txt"
        big.write_text((NOTICE + "\n\n") * (2 * 1024 * 1024 // (len(NOTICE.encode()) + 2) + 1), encoding="utf-8")
        big_time, big_cpu = _cli("check", str(big), "--format", "json", "--fail-on", "never")
        rows.append((f"check one {big.stat().st_size / 1e6:.1f} MB file (process)",
                     f"{big_time:.1f} s wall, {big_cpu:.1f} s cpu", ""))

        many = folder / "many"
        many.mkdir()
        for i in range(1000):
            (many / f"notice_{i:04d}.txt").write_text(NOTICE, encoding="utf-8")
        many_time, many_cpu = _cli("check", str(many), "--format", "json", "--fail-on", "never")
        rows.append(("check 1000 files in one call (process)", f"{many_time:.1f} s wall, {many_cpu:.1f} s cpu",
                     f"{many_cpu:.1f} ms cpu per file"))

    _print(rows)


def _print(rows: list[tuple[str, str, str]]) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} cpus (wall times stretch with load; cpu times do not)")
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'value'.rjust(value_width)}  note")
    print(f"{'-' * width}  {'-' * value_width}  ----")
    for name, value, note in rows:
        print(f"{name.ljust(width)}  {value.rjust(value_width)}  {note}")


if __name__ == "__main__":
    main()
