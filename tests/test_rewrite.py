"""`delaynote rewrite`: offline rule-based fixes (en, zh), the LLM rewrite with an untrusted
draft, and the file handling promises (--out, --in-place, --diff, stdin).

LLM requests are answered by pytest-httpx2 mocks at the HTTP level; the CLI runs in-process.
"""

from __future__ import annotations

from assistant.facts import parse_facts_text, validate_facts
from assistant.findings import Finding
from assistant.rewrite import (
    apply_edits,
    count_line,
    insert_blocks,
    introduced_errors,
    rewrite_offline,
    sign_off_index,
    word_edits,
)

BASE = "https://llm.test/v1"
URL = f"{BASE}/chat/completions"

EN_FACTS = """\
project: Customer portal rebuild
client: {organisation: Harbour Logistics Ltd, contact: Ms. Chen}
sender: {name: Sam Lee, email: sam@northwind.example}
original_date: 2026-12-01
new_date: 2026-12-18
notice_date: 2026-11-20
causes:
  - summary: The payment provider changed how payments are confirmed, so that part must be rebuilt
mitigations: [Two more testers join the team from Monday]
completed: [Order tracking pages]
pending: [Payment]
"""

ZH_FACTS = """\
language: zh
project: 客户门户重建
client: {organisation: 海港物流, contact: 王经理}
sender: {name: 李明, email: liming@northwind.example}
original_date: 2026-12-01
new_date: 2026-12-18
notice_date: 2026-11-20
causes:
  - summary: 支付服务商修改了付款确认方式，这部分需要重做
mitigations: [下周一起增加两名测试人员]
"""


def finding(text: str, check: str, words: str, nth: int = 0, severity: str = "warning") -> Finding:
    """A finding for the `nth` occurrence of `words` in `text`, positioned as the checker does
    (1-based line and column, end column exclusive)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(words, at + 1)
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    end = at + len(words)
    return Finding(check=check, principle="solution", severity=severity, line=line, column=col,
                   end_line=text.count("\n", 0, end) + 1, end_column=end - (text.rfind("\n", 0, end) + 1) + 1,
                   text=words, message="m")


def missing(check: str) -> Finding:
    return Finding(check=check, principle="solution", severity="error", message="m")


def en_facts():
    return validate_facts(parse_facts_text(EN_FACTS))


def zh_facts():
    return validate_facts(parse_facts_text(ZH_FACTS))


# --- offline, pure -------------------------------------------------------------------------

EN_DRAFT = """Dear Ms. Chen,

We are sorry, but the portal will be late. The payment provider changed how payments are confirmed, so our API work starts again.
Hopefully, the portal should be ready soon.

Two more testers join the team from Monday.

Best regards,
Sam Lee
"""


def test_offline_en_fixes_words_and_adds_the_update_plan_before_the_sign_off():
    text = EN_DRAFT
    found = [finding(text, "jargon", "API"), finding(text, "hedging", "Hopefully"),
             finding(text, "hedging", "should be"), finding(text, "vague-timeline", "soon"),
             missing("missing-update-plan")]
    out = rewrite_offline(text, found, en_facts(), "en")
    # 2026-12-18 is a Friday; the next update defaults to one week after the notice (27 Nov, a Friday)
    assert "The portal will be ready by Friday, 18 December 2026." in out
    assert "our connection between two systems work" in out and "API" not in out
    assert "Our next update comes on Friday, 27 November 2026" in out
    assert out.index("Our next update") < out.index("Best regards,")
    # the author's own sentences stay verbatim
    for kept in ("We are sorry, but the portal will be late.", "Two more testers join the team from Monday.",
                 "Dear Ms. Chen,", "Best regards,\nSam Lee"):
        assert kept in out
    assert out.endswith("Sam Lee\n")


def test_offline_without_facts_leaves_vague_words_but_fixes_the_rest():
    text = EN_DRAFT
    out = rewrite_offline(text, [finding(text, "vague-timeline", "soon"), finding(text, "hedging", "should be"),
                                 missing("missing-update-plan")], None, "en")
    assert "will be ready soon." in out  # no facts: no date to put in, nothing added
    assert "Our next update" not in out


def test_vague_time_in_an_update_sentence_gets_the_next_update_date():
    text = "Dear Ms. Chen,\n\nWe will send you an update in due course.\n"
    out = rewrite_offline(text, [finding(text, "vague-timeline", "in due course")], en_facts(), "en")
    assert "We will send you an update by Friday, 27 November 2026." in out


def test_removed_hedge_mid_sentence_and_lookahead():
    text = "It will probably be ready. We hope to finish the tests first.\n"
    out = apply_edits(text, word_edits(text, [finding(text, "hedging", "probably"),
                                              finding(text, "hedging", "We hope")], None, "en"))
    assert out == "It will be ready. We will finish the tests first.\n"


def test_an_article_is_fixed_before_a_jargon_alternative():
    text = "We found an API problem.\n"
    out = apply_edits(text, word_edits(text, [finding(text, "jargon", "API")], None, "en"))
    assert out == "We found a connection between two systems problem.\n"


ZH_DRAFT = """尊敬的王经理：
您好！

支付服务商修改了付款确认方式，我们需要重新联调。我们会尽快完成修复，应该能按时交付。

此致
敬礼！
李明
"""


def test_offline_zh_uses_the_chinese_date_format_and_keeps_the_letter_shape():
    text = ZH_DRAFT
    found = [finding(text, "jargon", "联调"), finding(text, "vague-timeline", "尽快"),
             finding(text, "hedging", "应该能"), missing("missing-update-plan"), missing("missing-new-date")]
    out = rewrite_offline(text, found, zh_facts(), "zh")
    assert "我们会在2026年12月18日（星期五）前完成修复，能按时交付。" in out
    assert "重新系统之间的联合测试" in out and "联调" not in out
    assert "我们将于2026年11月27日（星期五）" in out  # the drafter's update sentence
    assert out.index("2026年11月27日") < out.index("此致")
    # the news goes right after the greeting, the author's sentences stay as written
    assert out.startswith("尊敬的王经理：\n您好！\n\n客户门户重建无法在原定的2026年12月1日（星期二）交付。")
    assert "支付服务商修改了付款确认方式，" in out
    assert out.endswith("此致\n敬礼！\n李明\n")


def test_sign_off_detection():
    assert sign_off_index(["Hi,", "", "Text.", "", "Kind regards,", "Sam"], "en") == 4
    assert sign_off_index(["Hi,", "", "Best wishes for the project are in the text.", ""], "en") is None
    assert sign_off_index(["您好！", "正文。", "此致", "敬礼！"], "zh") == 2


def test_insert_blocks_without_sign_off_appends():
    out = insert_blocks("Hello.\nBody.\n", [], ["Added."], "en")
    assert out == "Hello.\nBody.\n\nAdded.\n"


def test_overlapping_edits_keep_the_first():
    assert apply_edits("abcdef", [(1, 3, "X"), (2, 4, "Y"), (4, 5, "Z")]) == "aXdZf"


def test_counts_and_introduced_errors():
    warn = finding("soon", "vague-timeline", "soon")
    err = missing("missing-new-date")
    assert count_line([warn, err, err]) == "2 errors, 1 warning, 0 info"
    assert introduced_errors([err], [err, warn]) == []
    mismatch = missing("fact-mismatch")
    assert introduced_errors([err], [err, mismatch]) == [mismatch]
