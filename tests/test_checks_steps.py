"""Who does what (assistant/checks/steps.py, LABELS.md): a recovery step in its verb form, a
Chinese reason given by its grammar, and a late third party as a cause. Each rule is shown on
two sentences in different words that must count and two that must not, in both languages.
These sentences were written for the tests; none comes from a corpus."""

from __future__ import annotations

import pytest

from assistant.checks import check_text


def fires(text: str, check: str, lang: str) -> bool:
    report = check_text(text, path="n.txt", language=lang)
    return any(f.check == check for f in report.findings)


@pytest.mark.parametrize(("text", "lang"), [
    ("We have brought in a second electrician for the rewiring.", "en"),
    ("Our crew booked a mobile crane for Saturday morning.", "en"),
    ("- Expedited the replacement pumps from the Rotterdam depot", "en"),
    ("A night shift has been assigned to the tiling.", "en"),
    ("项目部已增派两个班组进场。", "zh"),
    ("我司将改用空运，缩短运输时间。", "zh"),
    ("供应商已安排3月5日前补发剩余面板。", "zh"),
])
def test_a_step_someone_on_our_side_takes_counts_as_mitigation(text: str, lang: str) -> None:
    assert not fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("We are working hard to get this finished.", "en"),
    ("We will do everything we can to limit the delay.", "en"),
    ("We could not add another tester this month.", "en"),
    ("We will send you an update on Friday.", "en"),
    ("Our team will arrange things as soon as possible.", "en"),
    ("我们会加快进度。", "zh"),
    ("我们已经调集了全部技术力量。", "zh"),
    ("我们未能增加人手。", "zh"),
    ("我们会尽快安排。", "zh"),
])
def test_effort_a_negated_step_or_an_update_is_no_mitigation(text: str, lang: str) -> None:
    assert fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize("text", [
    "因市政管网改道，需顺延工期。",
    "受芯片供货紧张影响，整机无法按时组装。",
    "本批货物因港口拥堵滞留，预计晚到一周。",
])
def test_a_chinese_reason_given_by_its_grammar_counts(text: str) -> None:
    assert not fires(text, "missing-cause", "zh")


@pytest.mark.parametrize("text", [
    "受多重因素影响，工期顺延。",
    "因各种原因，交付推迟。",
    "因此交付日期需要调整。",
    "因技术问题，上线推迟。",
])
def test_a_chinese_reason_that_names_nothing_is_no_cause(text: str) -> None:
    assert fires(text, "missing-cause", "zh")


@pytest.mark.parametrize(("text", "lang"), [
    ("The glass supplier is running behind on our order.", "en"),
    ("The fabricator is running late with the steel frames.", "en"),
    ("The panels are back-ordered at the factory.", "en"),
    ("We are still waiting for the signed drawings from the architect.", "en"),
    ("门窗厂家进度滞后，外立面无法封闭。", "zh"),
])
def test_someone_else_being_late_or_a_missing_supply_is_a_cause(text: str, lang: str) -> None:
    assert not fires(text, "missing-cause", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("We're running behind on the site works.", "en"),
    ("Our team is behind with the new booking site.", "en"),
    ("我们进度滞后，需要推迟交付。", "zh"),
    ("项目进度落后，交付顺延。", "zh"),
])
def test_our_own_lateness_is_the_delay_not_its_cause(text: str, lang: str) -> None:
    assert fires(text, "missing-cause", lang)


@pytest.mark.parametrize(("text", "lang"), [
    # "due to" + a verb after "be" is a schedule, and the rest names nothing
    ("The pool was due to reopen on Saturday. For operational reasons it stays closed.", "en"),
    ("The new wing is due to open in May; unforeseen issues mean it will open later.", "en"),
    # a generic reason with a time after it says when, not where; "on our end" says whose
    ("We have faced unexpected challenges in recent weeks.", "en"),
    ("Things got complicated on our end this week.", "en"),
    # a "because" that is only the delay itself (its clause holds the date)
    ("Due to technical difficulties, the book did not go to print on 24 November.", "en"),
    # 因 that introduces the apology, not a reason
    ("因一些特殊情况，工期顺延。因工期延长给贵处带来的不便，深表歉意。", "zh"),
    ("受多重客观因素影响，整体进度滞后。", "zh"),
])
def test_what_only_looks_like_a_reason_is_no_cause(text: str, lang: str) -> None:
    assert fires(text, "missing-cause", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("The delay is due to the glass supplier closing its factory.", "en"),
    ("The opening is late due to a flood in the basement plant room.", "en"),
])
def test_due_to_with_a_reason_is_a_cause(text: str, lang: str) -> None:
    assert not fires(text, "missing-cause", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("我司已采取以下措施：\n一、控制柜改为空运，12月16日前送达；\n二、主机到港后安装。", "zh"),
    ("调整方案：\n1. 调整施工顺序，先完成一层展厅。", "zh"),
    ("我司将按已付房款向业主支付违约金。", "zh"),
    ("The printer's night shift will run the job on 10 March.", "en"),
])
def test_steps_in_a_list_or_as_compensation_count(text: str, lang: str) -> None:
    assert not fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("We're writing to say that the move of your account has been postponed to 3 May.", "en"),
    ("Your order is now expected on 14 June.", "en"),
    ("特申请将工期延长至2027年4月25日。", "zh"),
    ("我们会把交付时间调整到5月3日。", "zh"),
])
def test_a_noun_or_the_delay_itself_is_no_step(text: str, lang: str) -> None:
    assert fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("What we have done:\n- Your pallets are re-booked on the next sailing via Rotterdam.", "en"),
    ("Actions taken:\n1. Production has moved to our partner plant in Leicester.", "en"),
])
def test_a_list_under_a_heading_that_calls_it_our_steps_counts(text: str, lang: str) -> None:
    assert not fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("Actions from the meeting:\n- Ruth: chase vendor", "en"),
    ("Your installation has been rebooked for Friday 11 December.", "en"),
])
def test_a_meeting_action_or_a_new_date_alone_is_no_step(text: str, lang: str) -> None:
    assert fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("我公司将于每周五下午向贵局书面报送本周进度。", "zh"),
    ("从今天开始，我每天晚上8点前把当天的生产照片发您微信。", "zh"),
    ("We will post the progress photos on the portal every Monday.", "en"),
])
def test_telling_progress_on_a_rhythm_is_an_update_plan(text: str, lang: str) -> None:
    assert not fires(text, "missing-update-plan", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("原计划12月1日发布新版本。", "zh"),
    ("We sent the parts on 3 May.", "en"),
])
def test_telling_without_progress_is_no_update_plan(text: str, lang: str) -> None:
    assert fires(text, "missing-update-plan", lang)


@pytest.mark.parametrize(("text", "lang"), [
    # the only later date is part of the old plan, or of a loan, not the delivery
    ("The works were due to finish on 30 September, with the library reopening on 5 October. "
     "The library will reopen in the coming weeks.", "en"),
    ("The table won't be ready for the 12th. It'll be ready in the next couple of weeks. "
     "In the meantime you are welcome to borrow our pine table; we can drop it round on Friday.", "en"),
])
def test_a_later_date_that_is_not_the_delivery_is_no_new_date(text: str, lang: str) -> None:
    assert fires(text, "missing-new-date", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("Your installation has been rebooked for Friday 11 December.", "en"),
    ("特申请延长工期25天，至2027年4月25日。", "zh"),
])
def test_a_rebooked_or_extended_date_is_the_new_date(text: str, lang: str) -> None:
    assert not fires(text, "missing-new-date", lang)


@pytest.mark.parametrize("text", [
    "This was entirely the mould maker's fault.",
    "The fault lies with the carrier, not with us.",
])
def test_naming_whose_fault_it_was_is_blame(text: str) -> None:
    assert fires(text, "blame-shifting", "en")


@pytest.mark.parametrize("text", [
    # the rest goes ahead on time: a partial release
    "The product pages still go live on Monday 7 December; only online payment waits.",
    "The ground-floor gallery goes ahead as planned on 3 May, and the upper floor follows.",
    # a workaround the client can use meanwhile
    "In the meantime you can take orders by phone through our hotline.",
    "Until then, you can keep printing the labels from the old portal.",
    # scope moved later so that the rest lands sooner
    "We are moving the reporting screens to phase 2 so the booking flow lands first.",
    "The export feature moves to a later release; everything else ships on the 14th.",
])
def test_a_partial_release_a_workaround_or_scope_moved_later_is_a_step(text: str) -> None:
    assert not fires(text, "missing-mitigation", "en")


@pytest.mark.parametrize(("text", "lang"), [
    # an event told with its date is still the reason
    ("The manufacturer stopped production for three weeks after a fire at its plant in Penang.", "en"),
    ("Our kitchen failed its gas safety check on 24 September.", "en"),
    ("Our head chef has been in hospital since Tuesday.", "en"),
    ("The oak boards for your table split while they were drying in the kiln.", "en"),
])
def test_an_event_told_with_its_date_is_a_cause(text: str, lang: str) -> None:
    assert not fires(text, "missing-cause", lang)


def test_a_plan_with_a_past_participle_is_no_event() -> None:
    assert fires("The checkout will be fixed by Friday 5 February and tested by then.", "missing-cause", "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("每周五我们会把供应商的最新回复告诉您。", "zh"),
    ("4月17日我们会再与您确认剩余设备的生产进度。", "zh"),
    ("四、需甲方确认事项\n脚本请于7月30日前确认。\n五、下次例会\n8月3日（周一）9:00，项目部会议室。", "zh"),
    ("I'll text you on Wednesday evening with the fitting time.", "en"),
    ("Expect a call from Dana, your account manager, every Friday until we start.", "en"),
])
def test_a_dated_promise_to_tell_the_client_is_an_update_plan(text: str, lang: str) -> None:
    assert not fires(text, "missing-update-plan", lang)


@pytest.mark.parametrize("text", [
    "目前已派专人驻港，每天向海关确认查验进度。",
    "我们会尽快跟进。",
])
def test_telling_someone_else_or_no_date_is_no_update_plan(text: str) -> None:
    assert fires(text, "missing-update-plan", "zh")


@pytest.mark.parametrize(("text", "lang"), [
    ("Here are your options:\n- Download the full gallery today.\n- Keep the order as it is.", "en"),
    ("You can choose between a refund and a later delivery.", "en"),
    ("Would a courtesy car help until then?", "en"),
    ("Would an online theory session on 26 November help the staff who cannot come?", "en"),
    ("The tile maker has agreed to send the first 12 pallets from its Rotterdam stock.", "en"),
    ("Lunches will be delivered at 20% off the agreed price until then.", "en"),
    ("We have also brought our ceiling crew forward.", "en"),
    ("已经修好的20张今晚先发您，您可以先上架。", "zh"),
    ("现有库存的60台可于4月10日照常发出。", "zh"),
    ("这两周的接送改由我们的司机负责。", "zh"),
])
def test_a_choice_an_offer_a_discount_or_a_part_sent_first_is_a_step(text: str, lang: str) -> None:
    assert not fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize(("text", "lang"), [
    ("Would a call on Friday suit you?", "en"),
    ("We regret the change and would like to apologise.", "en"),
])
def test_a_question_or_regret_without_a_step_is_no_mitigation(text: str, lang: str) -> None:
    assert fires(text, "missing-mitigation", lang)


@pytest.mark.parametrize("text", [
    "受多方面因素影响，研究报告终稿需要推迟。我们将先行提交产业现状与政策分析初稿。",
    "因近期出现一些情况，开班时间延期。如有变化会再通知大家。",
])
def test_a_weak_cue_beside_an_empty_reason_or_in_a_condition_is_no_cause(text: str) -> None:
    assert fires(text, "missing-cause", "zh")


@pytest.mark.parametrize("text", [
    "延期主要是原文中有大量手写批注，逐条核对所需时间比评估时多出一倍。",
    "交付推迟，主要因为检测机构排队，报告要下周才出。",
])
def test_zhuyaoshi_introduces_a_reason(text: str) -> None:
    assert not fires(text, "missing-cause", "zh")


@pytest.mark.parametrize("text", [
    "鉴于目的港海关加强查验，集装箱需开箱逐项核对，放行时间比平常多出约两周。",
    "鉴于设计单位出具了新的变更图纸，三层需要重新施工。",
])
def test_jianyu_introduces_a_reason(text: str) -> None:
    assert not fires(text, "missing-cause", "zh")


@pytest.mark.parametrize("text", [
    "由于一些问题，上线时间将会延后。造成不便，敬请见谅。",
    "因种种原因推迟交付，由此造成的不便，我们深表歉意。",
])
def test_the_inconvenience_caused_is_no_reason(text: str) -> None:
    assert fires(text, "missing-cause", "zh")
