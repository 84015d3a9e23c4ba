"""The README's Quick start is what CI runs: it must not drift from `.ci/run`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 1, "Quick start holds exactly one code block"
    return [line for line in blocks[0].splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_the_test_line_is_the_ci_line() -> None:
    lines = _quick_start()
    assert len(lines) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert lines[1] in ci  # byte-identical to the line CI runs
    assert lines[0].startswith("pip install . && delaynote draft --facts ")


def test_quick_start_example_file_is_in_the_repository() -> None:
    facts_file = _quick_start()[0].split("--facts ", 1)[1].split()[0]
    assert (ROOT / facts_file).is_file(), facts_file


def test_readme_documents_every_command_and_keeps_the_sections_others_fill() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ("draft", "rewrite", "check", "eval", "rules", "init", "schema", "import"):
        assert f"### `delaynote {command}`" in text or f"`delaynote {command}`" in text, command
    for section in ("## LLM providers", "## Evals", "## Benchmarks", "## Exit codes", "## Configuration"):
        assert section in text
