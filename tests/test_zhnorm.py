"""Chinese normalisation for the checks: traditional to simplified and half-width punctuation to
full-width, at the same offsets; simplified text never loads OpenCC."""

from __future__ import annotations

import subprocess
import sys

from assistant.checks.zhnorm import normalise_zh, traditional_chars


def test_traditional_becomes_simplified_at_the_same_length() -> None:
    text = "由於供應商延遲出貨，預計延後兩週。"
    out = normalise_zh(text)
    assert out == "由于供应商延迟出货，预计延后两周。"
    assert len(out) == len(text)


def test_half_width_marks_next_to_chinese_become_full_width_but_numbers_and_latin_stay() -> None:
    assert normalise_zh("延期,原因如下.版本3.5不变;见 v2.1.") == "延期，原因如下。版本3.5不变；见 v2.1."


def test_the_traditional_list_is_opencc_s() -> None:
    import opencc

    conv = opencc.OpenCC("t2s").convert
    made = {c for c in map(chr, range(0x3400, 0xA000)) if len(o := conv(c)) == 1 and o != c}
    assert made == traditional_chars()


def test_simplified_text_does_not_import_opencc() -> None:
    code = ("import sys; from assistant.checks import check_text; "
            "check_text('新的交付日期为3月12日，原因是供应商延迟发货。', language='zh'); "
            "print('opencc' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
