"""`delaynote rules`: the catalogue as docs, and the docs kept honest by the checks themselves."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from cli_helpers import run_cli

from assistant.checks.catalogue import ALL_CHECK_IDS, CHECK_IDS, catalogue, render_rules
from assistant.errors import InputError
from assistant.facts import Facts


def test_every_check_has_why_and_examples_in_both_languages() -> None:
    entries = catalogue()
    assert list(entries) == list(ALL_CHECK_IDS)
    for check_id, entry in entries.items():
        for lang in ("en", "zh"):
            assert entry["title"][lang].strip(), check_id
            assert len(entry["why"][lang]) > 20, (check_id, lang)
            example = entry["examples"][lang]
            assert example["bad"].strip() and example["good"].strip(), (check_id, lang)
            assert example["bad"] != example["good"], (check_id, lang)


def test_rules_text_lists_every_check_with_why_and_examples() -> None:
    out = render_rules(None, "text")
    for check_id in ALL_CHECK_IDS:
        assert f"\n{check_id}  (" in f"\n{out}", check_id
    assert out.count("Why:") == len(ALL_CHECK_IDS)
    assert out.count("✗ bad (zh):") == len(ALL_CHECK_IDS)


def test_rules_one_check_text() -> None:
    out = render_rules("vague-timeline", "text")
    assert out.startswith("vague-timeline  (warning, solution)")
    assert "We will deliver the portal as soon as possible." in out
    assert "我们会尽快交付门户网站。" in out
    assert "jargon" not in out.split("\n", 1)[0]


def test_rules_json_is_the_catalogue() -> None:
    every = json.loads(render_rules(None, "json"))
    assert [e["id"] for e in every] == list(ALL_CHECK_IDS)
    one = json.loads(render_rules("over-apology", "json"))
    assert one["severity"] == "info" and one["principle"] == "tone"
    assert set(one["examples"]) == {"en", "zh"}


def test_unknown_check_suggests_close_matches() -> None:
    with pytest.raises(InputError) as exc:
        render_rules("missing-apolgy", "text")
    assert "missing-apology" in exc.value.message
    with pytest.raises(InputError) as exc:
        render_rules("zzz", "text")
    assert "delaynote rules" in exc.value.message


def test_rules_cli_exit_codes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["rules", "jargon"], monkeypatch, capsys)
    assert code == 0 and out.startswith("jargon  (warning, explain-cause)")
    code, out, err = run_cli(["rules", "jargn"], monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.strip() == "delaynote: unknown check 'jargn'; did you mean jargon?"
    code, out, _ = run_cli(["rules", "--format", "json", "hedging"], monkeypatch, capsys)
    assert code == 0 and json.loads(out)["id"] == "hedging"


# --- the examples are checked by the checks they document -----------------------------------

BASE_FACTS: dict[str, Any] = {
    "project": "Customer portal", "client": {"contact": "Ms. Chen"}, "sender": {"name": "Sam Lee"},
    "original_date": date(2026, 12, 1), "new_date": date(2026, 12, 18), "notice_date": date(2026, 11, 16),
    "causes": [{"summary": "The payment provider changed how payments are confirmed"}],
    "mitigations": ["Two more testers join the team on Monday"],
}


def _facts(check_id: str, kind: str, lang: str) -> Facts | None:
    overrides = catalogue()[check_id].get("facts", {}).get(kind)
    if overrides is None:
        return None
    data = {**BASE_FACTS, "language": lang,
            **{k: date.fromisoformat(v) if k.endswith("_date") else v for k, v in overrides.items()}}
    return Facts.model_validate(data)


EXAMPLES = [(c, lang, kind) for c in CHECK_IDS for lang in ("en", "zh") for kind in ("bad", "good")]


@pytest.mark.parametrize(("check_id", "lang", "kind"), EXAMPLES, ids=[f"{c}-{lang}-{k}" for c, lang, k in EXAMPLES])
def test_example_triggers_its_own_check_only_when_bad(check_id: str, lang: str, kind: str) -> None:
    from assistant.checks import check_text

    text = catalogue()[check_id]["examples"][lang][kind]
    report = check_text(text, path="example.txt", facts=_facts(check_id, kind, lang), language=lang)
    fired = {f.check for f in report.findings}
    if kind == "bad":
        assert check_id in fired, f"{check_id} bad ({lang}) did not fire: {text}"
    else:
        assert check_id not in fired, f"{check_id} good ({lang}) fired: {text}"


def test_rules_wrap_to_the_terminal_and_never_in_a_pipe(monkeypatch, capsys) -> None:
    import assistant.wrap
    from assistant.wrap import text_width

    why = catalogue()["jargon"]["why"]
    code, piped, _ = run_cli(["rules", "jargon"], monkeypatch, capsys)  # capsys is no terminal
    assert code == 0 and "    " + " ".join(why["en"].split()) in piped.splitlines()  # one line per paragraph
    assert "    " + why["zh"].strip() in piped.splitlines()
    monkeypatch.setattr(assistant.wrap, "terminal_width", lambda stream: 50)
    code, shown, _ = run_cli(["rules", "jargon"], monkeypatch, capsys)
    lines = shown.splitlines()
    assert code == 0 and max(map(text_width, lines)) <= 50 < max(map(text_width, piped.splitlines()))
    assert "".join(shown.split()) == "".join(piped.split())  # the same text, only the breaks moved
    assert all(line.startswith("    ") for line in lines[lines.index("  为什么:") + 1:lines.index("  ✗ bad (en):") - 1])
    wide = render_rules(None, "text", width=200)
    assert max(map(text_width, wide.splitlines())) <= 200 and wide.count("Why:") == len(ALL_CHECK_IDS)
