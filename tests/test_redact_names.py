"""--redact: every part of a name, in any script, is replaced; long organisations are redacted as data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.llm.redact import build_mapping, redact

_PARTS = st.sampled_from(["Müller", "Siobhán", "O'Brien", "Patel-Ramanathan", "Zoë", "Łukasz", "Nguyễn",
                          "D'Arcy", "Jean-Luc", "Ødegaard", "Brontë"])


@settings(max_examples=60, deadline=None)
@given(st.lists(_PARTS, min_size=2, max_size=3, unique=True))
def test_every_name_part_is_redacted(parts):
    name = " ".join(parts)
    mapping = build_mapping(None, [f"Dear {name},\n\nThe project is late.\n\nKind regards,\n{name}\n"])
    text = " ".join(f"Thanks, {p}." for p in parts)
    sent = redact(text, mapping)
    for p in parts:
        assert p not in sent


def test_cjk_name_parts_are_redacted():
    mapping = build_mapping(None, ["尊敬的陈伟：\n\n项目延期。\n\n此致\n李娜\n"])
    sent = redact("陈伟您好，伟和陈先生，李女士", mapping)
    assert "陈伟" not in sent and "伟" not in sent and "陈先生" not in sent and "李女士" not in sent
