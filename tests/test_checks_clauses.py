"""What a phrase does in its clause (assistant/checks/clauses.py, LABELS.md): each rule shown on
two sentences in different words that must fire, and two that must not, in both languages.
These sentences were written for the tests; none comes from a corpus."""

from __future__ import annotations

import pytest

from assistant.checks import check_text


def fired(text: str, check: str, lang: str) -> list[str]:
    report = check_text(text, path="n.txt", language=lang)
    return [f.text or "" for f in report.findings if f.check == check]


@pytest.mark.parametrize(("text", "lang"), [
    ("We hope to have the new dashboard ready by Friday 12 March.", "en"),
    ("The parts might not arrive before the end of the month.", "en"),
    ("新系统应该能在3月12日前完成。", "zh"),
    ("这批货可能还要再推迟一周。", "zh"),
])
def test_a_hedge_on_a_commitment_fires(text: str, lang: str) -> None:
    assert fired(text, "hedging", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("We hope you will understand our decision.", "en"),
    ("Despite our best efforts, the supplier's parts failed inspection.", "en"),
    ("为了尽量减少对您的影响，我们先交付报表功能。", "zh"),
    ("这一变动可能会给您带来不便。", "zh"),
    ("我们将力争把延误降到最低。", "zh"),
    ("「应该没有人会注意到吧。」我当时这样想。", "zh"),
])
def test_a_hedge_on_nothing_the_client_relies_on_is_quiet(text: str, lang: str) -> None:
    assert fired(text, "hedging", lang) == []


@pytest.mark.parametrize(("text", "lang"), [
    ("We will definitely make that date.", "en"),
    ("I promise it will be finished on time this time.", "en"),
    ("我们一定按期交付。", "zh"),
    ("我们将确保按期高质量完成剩余工作。", "zh"),
])
def test_a_guarantee_of_an_outcome_we_do_not_control_fires(text: str, lang: str) -> None:
    assert fired(text, "overpromise", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("Please rest assured that we will keep you informed.", "en"),
    ("We promise to keep you updated every Monday.", "en"),
    ("在保证工程质量的前提下，我们会加快施工。", "zh"),
    ("我们会确保每一道工序符合规范。", "zh"),
])
def test_a_promise_about_what_we_control_is_quiet(text: str, lang: str) -> None:
    assert fired(text, "overpromise", lang) == []


@pytest.mark.parametrize(("text", "lang"), [
    ("近期出现了连续降雨，部分外墙工程停工。", "zh"),
    ("最近发生的系统故障导致数据迁移延后。", "zh"),
    ("一旦收到海关放行通知，我们将第一时间告诉您。", "zh"),
    ("如交付时间提前，我们将另行通知。", "zh"),
    ("Tracking goes out the moment it ships, and you will have it shortly after.", "en"),
])
def test_past_time_and_event_bound_timing_are_not_vague(text: str, lang: str) -> None:
    assert fired(text, "vague-timeline", lang) == []


@pytest.mark.parametrize(("text", "lang"), [
    ("我们会尽快把修复版本发给您。", "zh"),
    ("新的上线时间我们近期再确认。", "zh"),
    ("We'll fix the export as soon as possible.", "en"),
])
def test_a_vague_time_where_a_date_is_needed_fires(text: str, lang: str) -> None:
    assert fired(text, "vague-timeline", lang)


def test_a_vague_word_about_a_delivery_that_has_its_date_is_quiet() -> None:
    zh = "新的交付日期为2027年3月12日。我们将采取措施以尽快完成项目。"
    en = "The new delivery date is Friday 12 March 2027. We will complete the project as soon as possible."
    assert fired(zh, "vague-timeline", "zh") == []
    assert fired(en, "vague-timeline", "en") == []
    # a step without its own date still needs one, however dated the delivery is
    assert fired("The new delivery date is Friday 12 March 2027. We will send the fix as soon as possible.",
                 "vague-timeline", "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("Because of circumstances beyond our control, the launch moves.", "en"),
    ("Once the parcel has left us it is out of our hands.", "en"),
    ("受不可抗力影响，工期顺延。", "zh"),
    ("此次延期系客观原因造成，并非我方懈怠。", "zh"),
])
def test_stock_excuses_are_blame(text: str, lang: str) -> None:
    assert fired(text, "blame-shifting", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("The payment provider changed its interface, so we are rebuilding that step.", "en"),
    ("连续降雨，室外无法施工，我们已增加室内作业班次。", "zh"),
])
def test_a_factual_cause_that_involves_someone_else_is_not_blame(text: str, lang: str) -> None:
    assert fired(text, "blame-shifting", lang) == []


def test_traditional_chinese_reads_as_chinese() -> None:
    text = "很抱歉，由於供應商延遲出貨，交付可能會延後，我們應該能在下週完成。"
    assert fired(text, "hedging", "zh")  # 應該能在下週完成: a hedged date, in traditional characters
    blamed = fired("此次延遲係不可抗力所致。", "blame-shifting", "zh")
    assert blamed == ["不可抗力"]  # the finding quotes the user's own characters


def test_half_width_punctuation_still_splits_chinese_clauses() -> None:
    # with ASCII commas the purpose clause and the dated promise are still two clauses
    text = "为了尽量减少影响,我们先交付报表功能.剩余功能3月12日交付."
    assert fired(text, "hedging", "zh") == []
    report = check_text(text, path="n.txt", language="zh")
    assert not [f for f in report.findings if f.check == "missing-new-date"]


def test_a_generic_reason_that_says_where_it_arose_is_a_cause() -> None:
    named = "Unforeseen technical challenges in the data import from the old system have arisen."
    bare = "Unforeseen technical challenges have arisen."
    assert not [f for f in check_text(named, path="n.txt", language="en").findings if f.check == "missing-cause"]
    assert [f for f in check_text(bare, path="n.txt", language="en").findings if f.check == "missing-cause"]


def test_a_request_for_understanding_is_no_acknowledgement() -> None:
    asked = "希望贵方能够理解并批准我们的延期申请。"
    thanked = "感谢您的理解。"
    assert [f for f in check_text(asked, path="n.txt", language="zh").findings if f.check == "missing-apology"]
    assert not [f for f in check_text(thanked, path="n.txt", language="zh").findings
                if f.check == "missing-apology"]


@pytest.mark.parametrize(("text", "lang"), [
    ("New go-live date: TBC.", "en"),
    ("The handover stays on hold until further notice.", "en"),
    ("新的交房日期待定。", "zh"),
    ("开工时间另行通知。", "zh"),
])
def test_no_date_yet_is_a_missing_new_date_not_a_vague_timeline(text: str, lang: str) -> None:
    report = check_text(text, path="n.txt", language=lang)
    checks = {f.check for f in report.findings}
    assert "missing-new-date" in checks and "vague-timeline" not in checks


@pytest.mark.parametrize(("text", "lang"), [
    ("Monday, 3 May 2027\n\nDear Ms Hale,\n\nThe fit-out will be late because the joinery failed inspection.\n", "en"),
    ("关于工期的情况说明\n\n致：某某公司\n\n因连续降雨，外墙施工无法按计划完成。\n\n某某建设有限公司\n【日期】\n", "zh"),
])
def test_the_letters_own_date_is_not_a_new_date(text: str, lang: str) -> None:
    report = check_text(text, path="n.txt", language=lang)
    assert "missing-new-date" in {f.check for f in report.findings}


def test_a_date_slot_in_a_past_sentence_is_not_a_new_date() -> None:
    past = "Your order was dispatched on {dispatch_date}. It is with the courier."
    ahead = "Your order will now arrive on {new_date}."
    assert "missing-new-date" in {f.check for f in check_text(past, path="n.txt", language="en").findings}
    assert "missing-new-date" not in {f.check for f in check_text(ahead, path="n.txt", language="en").findings}


@pytest.mark.parametrize(("text", "lang"), [
    ("The new date is Friday 26 June. We will do our best to sort out the remaining faults as quickly as we can.", "en"),
    ("The new date is Friday 26 June. We'll do everything we can to clear the snag list as fast as possible.", "en"),
    ("新的交付日期是6月26日。我们会尽最大努力尽快处理剩余问题。", "zh"),
])
def test_effort_on_a_step_is_neither_hedge_nor_vague_time(text: str, lang: str) -> None:
    assert fired(text, "hedging", lang) == [] and fired(text, "vague-timeline", lang) == []


@pytest.mark.parametrize(("text", "lang"), [
    ("We will do our best to deliver the app as soon as possible.", "en"),
    ("我们会尽最大努力尽快交付。", "zh"),
])
def test_effort_on_the_delivery_without_a_date_stays_vague(text: str, lang: str) -> None:
    assert fired(text, "vague-timeline", lang)


@pytest.mark.parametrize("text", [
    "Quick update on order #{{order_number}}: it is going to ship {{new_eta}} instead of {{original_eta}}.",
    "Just a quick update: the new date for your kitchen fit-out is Thursday 14 May.",
])
def test_a_message_calling_itself_an_update_promises_no_next_one(text: str) -> None:
    assert fired(text, "missing-update-plan", "en")


@pytest.mark.parametrize("text", [
    "I will send you a quick update on Friday 12 March.",
    "You'll get a short update every evening until it is done.",
])
def test_a_promised_update_with_a_time_is_a_plan(text: str) -> None:
    assert fired(text, "missing-update-plan", "en") == []


def test_a_slot_for_a_new_eta_is_a_new_date() -> None:
    text = "Your order is going to ship {{new_eta}} instead of the original {{original_eta}}."
    assert fired(text, "missing-new-date", "en") == []
