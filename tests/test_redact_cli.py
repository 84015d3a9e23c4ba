"""--redact through the CLI: no generated name, in any script, reaches the server in any request of
`draft`, `rewrite` (with and without --facts) or `check --llm`; and nothing that is not a name is
taken for one ("Dear team", a "Project manager" line). Issue 15, item 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from cli_helpers import run_cli as run
from fakeserver import Reply, serve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
FACTS = yaml.safe_load((ROOT / "examples" / "en-payment-email.yaml").read_text(encoding="utf-8"))
VERDICT = json.dumps({"findings": [], "scores": [
    {"principle": p, "score": 3, "reason": "ok"}
    for p in ("advance-notice", "explain-cause", "solution", "transparency", "regular-updates")]})

_LOWER = "abcdefghijklmnoprstuvyzáàâäãåçéèêëíìîïñóòôöõøúùûüýÿœßłśźżčřšžğı"
_CJK_SURNAMES = "陈李王张刘杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
_CJK_GIVEN = "伟娜敏静磊洋艳勇军杰涛明超秀霞平刚桂英华"


@st.composite
def latin_part(draw) -> str:
    """A capitalised word with at least one letter outside ASCII, an apostrophe or a hyphen, so
    it cannot occur by chance in a prompt's English."""
    core = draw(st.text(alphabet=_LOWER, min_size=3, max_size=8))
    word = core[0].upper() + core[1:]
    shape = draw(st.sampled_from(["plain", "apostrophe", "hyphen"]))
    if shape == "apostrophe":
        word = draw(st.sampled_from(["O'", "D'", "N'"])) + word
    elif shape == "hyphen":
        other = draw(st.text(alphabet=_LOWER, min_size=3, max_size=7))
        word = f"{word}-{other[0].upper()}{other[1:]}"
    if all(ch.isascii() for ch in word.replace("'", "").replace("-", "")) and shape == "plain":
        word = word[:-1] + draw(st.sampled_from("éüøłñç"))
    return word


cjk_name = st.builds(lambda s, g: s + g, st.sampled_from(_CJK_SURNAMES),
                     st.text(alphabet=_CJK_GIVEN, min_size=1, max_size=2))
latin_name = st.lists(latin_part(), min_size=2, max_size=3, unique=True).map(" ".join)
person = st.one_of(latin_name, cjk_name)


def secrets_of(name: str) -> list[str]:
    """The name and each part of it that identifies the person."""
    parts = [name, *name.split()]
    for p in name.split():
        parts += [x for x in p.replace("'", "-").split("-") if len(x) >= 3]
    return list(dict.fromkeys(parts))


def appears(name: str, body: str) -> bool:
    """`name` in `body` as a whole word (a Chinese name anywhere): 'Pre' of "N'Pre" may be
    sent inside 'Prefer'."""
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        return name in body
    return re.search(rf"(?<![^\W_]){re.escape(name)}(?![^\W_])", body) is not None


def sent(server, since: int) -> str:
    return json.dumps(server.requests[since:], ensure_ascii=False)




@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=(Phase.explicit, Phase.reuse, Phase.generate))  # shrinking reruns the CLI for minutes
@given(contact=person, sender=person, organisation=latin_name)
def test_no_generated_name_reaches_the_server(contact: str, sender: str, organisation: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-REDACT-0123456789")
    (tmp_path / "delaynote.toml").write_text("[llm]\nmax_retries = 0\n", encoding="utf-8")
    org = f"{organisation} Community Health Services Ltd"  # YAML folds it over lines
    facts = {**FACTS, "client": {**FACTS["client"], "contact": contact,
                                 "organisation": org},
             "sender": {**FACTS["sender"], "name": sender}}
    facts["causes"] = [{**facts["causes"][0], "detail": f"{contact.split()[-1]} approved the change; "
                                                      f"{org[:-4]} signed it."}]
    (tmp_path / "facts.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    surname = contact.split()[-1]
    note = (f"Dear {contact},\n\nThe portal will be late. {surname}, we know this matters to "
            f"{org}.\nWrite to me at sam@northwind.example or call +1 555 0100.\n\n"
            f"Kind regards,\n{sender}\nProject manager\n")
    (tmp_path / "note.md").write_text(note, encoding="utf-8")
    emails = [facts["client"]["email"], facts["sender"]["email"], facts["sender"]["phone"]]
    private = secrets_of(contact) + secrets_of(sender) + [org, org[:-4]] + emails + ["sam@northwind.example",
                                                                                     "555 0100"]
    no_facts_private = [contact, sender, "sam@northwind.example", "555 0100"]
    answer = "Dear [CLIENT_CONTACT],\n\nThe portal will be late.\n\nKind regards,\n[SENDER_NAME]\n"
    with serve(lambda body: Reply(text=VERDICT if "response_format" in body else answer)) as server:
        runs = [
            (["draft", "--facts", "facts.yaml", "--provider", "openai", "--max-revisions", "1"], private),
            (["rewrite", "note.md", "--facts", "facts.yaml", "--provider", "openai"], private),
            (["check", "note.md", "--facts", "facts.yaml", "--llm"], private),
            (["rewrite", "note.md", "--provider", "openai"], no_facts_private + secrets_of(sender)
             + (secrets_of(contact) if " " in contact else [])),
            (["check", "note.md", "--llm"], no_facts_private),
        ]
        for args, names in runs:
            before = server.count
            code, out, err = run([*args, "--base-url", server.url, "--redact", "--no-cache"], monkeypatch, capsys)
            assert server.count > before, (args, err)
            body = sent(server, before)
            leaked = [n for n in names if appears(n, body)]
            assert not leaked, (args, leaked)
            if "--facts" not in args:
                assert "cannot guarantee that no other name in the draft is sent" in err


def test_a_group_greeting_and_a_role_line_are_not_taken_for_names(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-REDACT-0123456789")
    note = ("Dear team,\n\nThe project manager will send the new plan; the portal is late.\n\n"
            "Kind regards,\nSiobhán O'Brien\nProject manager\nNorthwind Software\n")
    (tmp_path / "note.md").write_text(note, encoding="utf-8")
    with serve([Reply(text=VERDICT)]) as server:
        code, out, err = run(["check", "note.md", "--llm", "--redact", "--base-url", server.url], monkeypatch,
                             capsys)
    body = sent(server, 0)
    assert "Siobhán" not in body and "O'Brien" not in body
    assert "Dear team," in body and "The project manager will send" in body and "\\nProject manager\\n" in body
