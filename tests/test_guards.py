"""The sendable guards on an LLM answer (assistant/guards.py): commentary, placeholders, facts
traced to their source, required elements. Pure functions on strings; no model involved."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.checks import check_text
from assistant.facts import validate_facts
from assistant.guards import guard_findings, merge_findings, strip_commentary

FACTS: dict[str, Any] = {
    "language": "en", "channel": "email", "project": "Online shop payment upgrade",
    "client": {"organisation": "Brightwater Outdoor Ltd", "contact": "Ms. Patel"},
    "sender": {"name": "Daniel Okafor", "role": "Project manager", "organisation": "Northwind Software",
               "email": "daniel.okafor@northwind.example", "phone": "+44 20 7946 0321"},
    "original_date": "2026-12-04", "new_date": "2027-01-15", "notice_date": "2026-11-16",
    "causes": [{"summary": "The card payment provider is replacing the way it confirms payments"}],
    "mitigations": ["A second developer who knows the provider's system joins the project next Monday",
                    "A specialist from the payment provider reviews our checkout changes every week"],
    "updates": {"cadence": "weekly", "next": "2026-11-20"},
}

GOOD = """Subject: Online shop payment upgrade: new date Friday, 15 January 2027

Dear Ms. Patel,

We cannot deliver the online shop payment upgrade on Friday, 4 December 2026. The new date is Friday, 15 January 2027.
The card payment provider is replacing the way it confirms payments.
A second developer who knows the provider's system joins the project next Monday.
A specialist from the payment provider reviews our checkout changes every week.
Our next update comes on Friday, 20 November 2026, and then every week.
We are sorry. Call me on +44 20 7946 0321 or write to daniel.okafor@northwind.example.

Kind regards,
Daniel Okafor
"""


def facts(**changes: Any):
    return validate_facts({**FACTS, **changes})


def checks(text: str, **kw: Any) -> list[tuple[str, str | None]]:
    return [(f.check, f.text) for f in guard_findings(text, kw.pop("lang", "en"), facts=kw.pop("facts", facts()), **kw)]


def test_a_faithful_notice_passes_every_guard():
    assert checks(GOOD) == []


# --- commentary ---------------------------------------------------------------------------

def test_preface_fence_and_trailing_commentary_are_removed_and_reported():
    answer = ("Here is the revised email:\n\n```\n" + GOOD + "```\n\n---\n"
              "The response is re-written to address all the listed problems while maintaining the original voice.")
    text, removed = strip_commentary(answer, "en")
    assert text == GOOD.strip("\n")
    assert "Here is the revised email:" in removed and "a Markdown code fence" in removed
    assert removed[-1].startswith("The response is re-written")


def test_a_note_after_the_sign_off_is_cut_but_a_note_inside_the_notice_stays():
    inside = GOOD.replace("We are sorry.", "Note: the current checkout keeps working. We are sorry.")
    text, removed = strip_commentary(inside + "\nNote: replace the phone number if needed.\n", "en")
    assert "Note: the current checkout keeps working." in text
    assert "replace the phone number" not in text and removed == ["Note: replace the phone number if needed."]


def test_a_bullet_that_starts_like_a_remark_is_not_commentary():
    text, removed = strip_commentary(GOOD.replace("A specialist", "- The revised timeline: a specialist"), "en")
    assert removed == [] and "The revised timeline" in text


def test_chinese_commentary_is_removed():
    notice = "王经理您好：\n\n商城 App 的交付日期调整为【新日期，请填写】。\n\n此致\n敬礼\n李明"
    text, removed = strip_commentary(f"以下是修改后的通知：\n\n{notice}\n\n以上是根据您的要求修改后的版本。", "zh")
    assert text == notice and len(removed) == 2


# --- placeholders -------------------------------------------------------------------------

@pytest.mark.parametrize("slot", ["[Your Name]", "[PRIYA_PHONE]", "{date}", "XX月XX日", "【您的姓名】", "___"])
def test_placeholders_in_an_answer_are_errors_but_slots_in_a_template(slot):
    text = GOOD.replace("Daniel Okafor\n", f"{slot}\n")
    assert ("placeholder", slot) in checks(text)
    assert not any(f.check == "placeholder" for f in check_text(text, facts=facts()).findings)


def test_a_heading_in_lenticular_brackets_is_not_a_placeholder():
    zh = "【延期通知】尊敬的张总：门店订货小程序将于2027年1月8日（星期五）交付。"
    assert not any(c == "placeholder" for c, _ in checks(zh, lang="zh", facts=None, original=zh))


# --- facts traced to their source ---------------------------------------------------------

def test_a_weekday_that_does_not_match_its_date_is_a_fact_mismatch():
    found = checks(GOOD.replace("Friday, 20 November 2026", "Monday, 20 November 2026"))
    assert ("fact-mismatch", "Monday, 20 November 2026") in found


def test_invented_dates_numbers_names_and_contacts_are_fact_mismatches():
    text = GOOD.replace("We are sorry.", "Priya Raman will call you on 14 December 2026 with 3 options. "
                        "Or call +44 20 7946 9999. We are sorry.")
    found = checks(text)
    for expected in [("fact-mismatch", "14 December 2026"), ("fact-mismatch", "3"),
                     ("fact-mismatch", "Raman"), ("fact-mismatch", "+44 20 7946 9999")]:
        assert expected in found


def test_a_rewrite_without_facts_may_keep_the_drafts_dates_but_not_invent_one():
    original = "王经理您好，商城App原定12月4日交付，现在要往后推一推，我们会尽快处理。"
    kept = "王经理您好：商城 App 原定12月4日交付，现在需要推迟。"
    assert checks(kept, lang="zh", facts=None, original=original) == []
    invented = "王经理您好：商城 App 原定12月4日交付，现调整为2023年12月18日（星期五）前。"
    found = checks(invented, lang="zh", facts=None, original=original)
    assert ("fact-mismatch", "2023年12月18日（星期五）") in found  # invented, and 18 December 2023 was a Monday


def test_a_person_with_a_title_no_source_has_is_a_fact_mismatch_in_chinese():
    original = "王经理您好，商城App要推迟了。"
    assert ("fact-mismatch", "李经理") in checks("李经理您好：商城 App 要推迟。", lang="zh", facts=None,
                                                original=original)


# --- required elements --------------------------------------------------------------------

def test_a_dropped_next_update_date_step_and_contact_are_errors_naming_them():
    text = (GOOD.replace("Our next update comes on Friday, 20 November 2026, and then every week.\n",
                         "We will keep you updated every week.\n")
            .replace("A specialist from the payment provider reviews our checkout changes every week.\n", "")
            .replace(" or write to daniel.okafor@northwind.example", ""))
    found = {f.check: f for f in guard_findings(text, "en", facts=facts())}
    assert "Friday, 20 November 2026" in found["missing-update-plan"].message
    assert "specialist" in found["missing-mitigation"].message
    assert "daniel.okafor@northwind.example" in found["missing-contact"].message
    assert found["missing-contact"].severity == "error"


def test_a_guards_missing_finding_replaces_the_rules_vaguer_one():
    text = GOOD.replace("Our next update comes on Friday, 20 November 2026, and then every week.\n", "")
    rules = check_text(text, facts=facts()).findings
    merged = merge_findings(rules, guard_findings(text, "en", facts=facts()))
    plans = [f for f in merged if f.check == "missing-update-plan"]
    assert len(plans) == 1 and "20 November 2026" in plans[0].message


def test_no_guard_fires_on_the_offline_drafters_notices_for_every_eval_case():
    # the offline drafter writes only what the facts say: every guard finding on it would be a
    # false alarm (agenda times, "Step 4", dates spelled in every form the drafter uses)
    from pathlib import Path

    from assistant.checks import draft_text
    from assistant.drafting.offline import draft_offline
    from assistant.evals.suite import load_suite

    suite = load_suite(Path(__file__).resolve().parent.parent / "evals")
    found = []
    for case in suite.cases:
        draft = draft_offline(case.facts)
        found += [(case.name, f.check, f.text) for f in guard_findings(
            draft_text(draft.subject, draft.body), case.facts.language, facts=case.facts)]
    assert found == []


def test_list_and_heading_numbers_are_not_facts():
    text = GOOD.replace("Dear Ms. Patel,\n", "Dear Ms. Patel,\n\n#### 2. Talking points\n3) Next steps\n")
    assert checks(text) == []
