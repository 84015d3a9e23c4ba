"""Mending an LLM draft from the facts (`assistant.guards.mend`): each kind of mend on two drafts
in different words, English and Chinese, written here in the shapes a small model answers in."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import load_settings
from assistant.drafting.llm import parse_answer, review
from assistant.facts import load_facts
from assistant.guards.mend import mend

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EN_STEPS = ("- A second developer who knows the provider's system joins the project next Monday\n"
            "- A specialist from the payment provider reviews our checkout changes every week\n"
            "- We release the new order history pages on the original date, separately from payments\n")
EN_CLOSE = ("Our next update comes on Friday, 20 November 2026.\n\nWe are sorry for the change to your plans. "
            "Call me on +44 20 7946 0321 or write to daniel.okafor@northwind.example.\n\n"
            "Kind regards,\nDaniel Okafor\n")
EN_NEWS = ("Dear Ms. Patel,\n\nWe cannot deliver the online shop payment upgrade on Friday, 4 December 2026. "
           "The new date is Friday, 15 January 2027.\n\n"
           "The card payment provider is replacing the way it confirms payments, so our checkout must be "
           "rebuilt for the new method.\n\n")
ZH_HEAD = ("尊敬的张总：\n\n您好！门店订货小程序无法在原定的2026年12月15日（星期二）交付，新的交付日期是2027年1月8日（星期五）。\n\n"
           "原因：最终检查时发现，门店一次订货超过五十种商品时，合计金额会出现几分钱的误差。\n\n")
ZH_CLOSE = ("下次进展通报：2026年12月4日（星期五）。\n\n给您带来不便，我们深表歉意。如有问题，请致电 0571-8888 6666 "
            "或发邮件至 chenjing@yunfan.example。\n\n此致\n敬礼\n\n陈静\n")


@pytest.fixture(scope="module")
def settings():
    return load_settings(None)


def mended(text: str, example: str, settings) -> tuple[str, list[str], list]:
    facts = load_facts(str(EXAMPLES / example))
    draft = parse_answer(text, facts)
    subject, body, changes = mend(draft.subject, draft.body, review(draft, facts, settings), facts)
    after = review(draft.model_copy(update={"subject": subject, "body": body}), facts, settings)
    return body, changes, [f for f in after if f.severity == "error"]


def test_a_step_copied_from_the_example_gives_way_to_the_cases_own_in_the_same_list(settings):
    # two drafts, two list styles: the copied step is cut, the missing one stands where it stood
    steps = EN_STEPS.split("\n")
    for copied, marker in (("- We keep the sign-up form open until the new date", "- "),
                           ("* Our sign-off meeting moves to 26 February 2027", "* ")):
        listed = "\n".join(s.replace("- ", marker, 1) for s in (steps[0], copied, steps[1]))
        text = EN_NEWS + "What we are doing:\n" + listed + "\n\n" + EN_CLOSE
        body, changes, errors = mended(text, "en-payment-email.yaml", settings)
        assert copied not in body
        want = marker + "We release the new order history pages on the original date, separately from payments"
        assert body.index(want) < body.index("Our next update")  # in the list, not after the letter
        assert body.count(marker + "A second developer") == 1 and not errors, body
        assert any(c.startswith("removed the list item") for c in changes)


def test_zh_copied_step_is_replaced_in_the_list_with_the_lists_own_full_stop(settings):
    for copied in ("- 上线前与支付公司逐一测试每种银行卡。", "- 我们还会逐一测试每种银行卡，确保付款无误。"):
        text = (ZH_HEAD + "我们正在采取的措施：\n- 增派两名有财务系统经验的工程师，专门负责金额计算部分。\n" + copied
                + "\n- 库存查询、到货确认等其他功能按原计划完成，不受影响。\n\n" + ZH_CLOSE)
        body, _, errors = mended(text, "zh-store-email.yaml", settings)
        assert "逐一测试每种银行卡" not in body and not errors, body
        assert "- 请贵方财务同事提供一批真实订单，由我们逐笔核对金额。\n- 库存查询" in body


def test_a_wrong_delay_length_beside_the_dates_becomes_the_facts_one(settings):
    for said in ("two weeks later", "a fortnight later"):
        text = EN_NEWS.replace("15 January 2027.", f"15 January 2027, {said}.") + EN_STEPS + "\n" + EN_CLOSE
        body, changes, errors = mended(text, "en-payment-email.yaml", settings)
        if said == "two weeks later":
            assert "15 January 2027, six weeks later." in body and "two weeks" not in body
            assert "two weeks later -> six weeks later" in changes
        assert not errors, body
    zh = ZH_HEAD.replace("（星期五）。", "（星期五），推迟两周。") + "措施：\n- 增派两名有财务系统经验的工程师，专门负责金额计算部分\n" \
        "- 请贵方财务同事提供一批真实订单，由我们逐笔核对金额\n- 库存查询、到货确认等其他功能按原计划完成，不受影响\n\n" + ZH_CLOSE
    body, changes, errors = mended(zh, "zh-store-email.yaml", settings)
    assert "（星期五），推迟24天。" in body and "推迟两周 -> 推迟24天" in changes
    assert "两周" not in body and not errors


def test_a_sentence_with_an_invented_phone_goes_and_the_contact_comes_from_the_facts(settings):
    facts_free = EN_NEWS + EN_STEPS + "\nOur next update comes on Friday, 20 November 2026.\n\n"
    for invented in ("Please ring our help desk on +44 20 7000 1234 with any question.",
                     "Questions? Our office line is 020 7000 1234, open all week."):
        text = facts_free + invented + "\n\nKind regards,\nDaniel Okafor\n"
        body, changes, errors = mended(text, "en-payment-email.yaml", settings)
        assert "7000 1234" not in body and "+44 20 7946 0321" in body and "daniel.okafor@northwind.example" in body
        assert body.rstrip().endswith("Kind regards,\nDaniel Okafor") and not errors, body


def test_a_signature_in_brackets_is_unwrapped_but_a_real_slot_stays_an_error(settings):
    text = EN_NEWS + EN_STEPS + "\n" + EN_CLOSE.replace("Daniel Okafor\n", "[Daniel Okafor, Project manager]\n")
    body, changes, errors = mended(text, "en-payment-email.yaml", settings)
    assert body.rstrip().endswith("Kind regards,\nDaniel Okafor, Project manager") and not errors
    slot = (EN_NEWS + EN_STEPS + "\n" + EN_CLOSE).replace("Dear Ms. Patel,", "Dear [Client Name],")
    body, _, errors = mended(slot, "en-payment-email.yaml", settings)
    assert body.startswith("Dear [Client Name],")  # a greeting is never cut: the user must see it
    assert [(f.check, f.text) for f in errors] == [("placeholder", "[Client Name]")]


def test_a_missing_cause_comes_after_the_news_and_sub_items_go_with_their_item(settings):
    text = (EN_NEWS.split("The card payment")[0] + "Our plan:\n- Checkout rebuild: [due]\n  - new payment method\n"
            "  - refunds\n" + EN_STEPS + "\n" + EN_CLOSE)
    body, changes, errors = mended(text, "en-payment-email.yaml", settings)
    assert "[due]" not in body and "refunds" not in body and "new payment method" not in body
    news_end = body.index("15 January 2027.") + len("15 January 2027.")
    assert body.index("The card payment provider is replacing") > news_end
    assert body.index("The card payment provider is replacing") < body.index("Our plan:") and not errors, body
    zh = ZH_HEAD.replace("原因：最终检查时发现，门店一次订货超过五十种商品时，合计金额会出现几分钱的误差。\n\n", "") + \
        "措施：\n- 增派两名有财务系统经验的工程师，专门负责金额计算部分\n- 请贵方财务同事提供一批真实订单，由我们逐笔核对金额\n" \
        "- 库存查询、到货确认等其他功能按原计划完成，不受影响\n\n" + ZH_CLOSE
    body, _, errors = mended(zh, "zh-store-email.yaml", settings)
    assert body.index("合计金额会出现几分钱的误差") < body.index("措施：") and not errors, body


def test_an_address_after_a_verb_of_calling_is_a_wrong_contact_and_the_sentence_is_told_again(settings):
    en = EN_NEWS + EN_STEPS + "\nOur next update comes on Friday, 20 November 2026.\n\n{}\n\nKind regards,\nDaniel Okafor\n"
    for wrong in ("Please call me on daniel.okafor@northwind.example or write to daniel.okafor@northwind.example.",
                  "Ring daniel.okafor@northwind.example any time this week."):
        facts = load_facts(str(EXAMPLES / "en-payment-email.yaml"))
        found = review(parse_answer(en.format(wrong), facts), facts, settings)
        assert [f.check for f in found if "nobody can call it" in f.message] == ["fact-mismatch"], wrong
        body, _, errors = mended(en.format(wrong), "en-payment-email.yaml", settings)
        assert wrong not in body and "call me on +44 20 7946 0321" in body and not errors, body
    zh = ZH_CLOSE.replace("请致电 0571-8888 6666 或发邮件至 chenjing@yunfan.example",
                          "请致电 chenjing@yunfan.example 或发邮件至 chenjing@yunfan.example")
    text = (ZH_HEAD + "措施：\n- 增派两名有财务系统经验的工程师，专门负责金额计算部分\n- 请贵方财务同事提供一批真实订单，由我们逐笔核对金额\n"
            "- 库存查询、到货确认等其他功能按原计划完成，不受影响\n\n" + zh)
    body, changes, errors = mended(text, "zh-store-email.yaml", settings)
    assert "致电 chenjing@" not in body and "0571-8888 6666" in body and not errors, body
    assert any("无法致电" in c for c in changes)


def test_the_examples_sender_signing_gives_way_to_the_facts_sender(settings):
    # a small model signs as the worked example's sender; the facts say who signs
    for signature in ("李明\n项目经理\n远帆软件\n", "李明\n"):
        text = (ZH_HEAD + "措施：\n- 增派两名有财务系统经验的工程师，专门负责金额计算部分\n- 请贵方财务同事提供一批真实订单，由我们逐笔核对金额\n"
                "- 库存查询、到货确认等其他功能按原计划完成，不受影响\n\n" + ZH_CLOSE.replace("陈静\n", signature))
        body, changes, errors = mended(text, "zh-store-email.yaml", settings)
        assert body.endswith("此致\n敬礼\n\n陈静\n项目经理\n杭州云帆科技\n") and "李明" not in body and not errors, body


def test_the_promised_date_is_told_when_the_answer_leaves_it_out(settings):
    for news in ("We now plan to deliver on Friday, 15 January 2027.", "Delivery moves to Friday, 15 January 2027."):
        text = EN_NEWS.replace("We cannot deliver the online shop payment upgrade on Friday, 4 December 2026. "
                               "The new date is Friday, 15 January 2027.", news) + EN_STEPS + "\n" + EN_CLOSE
        body, changes, _ = mended(text, "en-payment-email.yaml", settings)
        assert "Friday, 4 December 2026" in body and any("promised date" in c for c in changes), body
