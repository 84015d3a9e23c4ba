"""The labelled corpus (`evals/drafts/`) and the rule checks' precision and recall on it.

Run with `-s` to see the per-language, per-check table and every miss.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.checks.catalogue import CHECK_IDS
from assistant.checks.scoring import Label, format_score, load_labels, score_results
from assistant.facts import load_facts
from assistant.findings import FileReport, Finding

DRAFTS = Path(__file__).resolve().parent.parent / "evals" / "drafts"
HELDOUT = Path(__file__).resolve().parent.parent / "evals" / "heldout"
MIN_PRECISION = 0.9
MIN_RECALL = 0.85
SUFFIXES = {".md", ".txt", ".html", ".eml"}


@pytest.fixture(scope="module")
def labels() -> dict[str, Label]:
    return load_labels(DRAFTS)


@pytest.mark.parametrize("root", [DRAFTS, HELDOUT], ids=["drafts", "heldout"])
def test_every_label_is_well_formed(root: Path) -> None:
    for name, label in load_labels(root).items():
        assert (root / name).is_file(), f"{name} is labelled but missing"
        assert Path(name).suffix in SUFFIXES, name
        assert name.split("/")[0] in ("en", "zh"), name
        unknown = (set(label.fire) | set(label.quiet)) - set(CHECK_IDS)
        assert not unknown, f"{name}: unknown check ids {unknown}"
        both = set(label.fire) & set(label.quiet)
        assert not both, f"{name}: {both} is both fire and quiet"
        assert len(label.fire) == len(set(label.fire)) and len(label.quiet) == len(set(label.quiet)), name
        if label.facts is None:
            assert not {"fact-mismatch", "late-notice"} & (set(label.fire) | set(label.quiet)), (
                f"{name}: fact checks can only be labelled with a facts file"
            )


def test_each_language_has_enough_drafts(labels: dict[str, Label]) -> None:
    for language in ("en", "zh"):
        assert sum(name.startswith(f"{language}/") for name in labels) >= 30, language


@pytest.mark.parametrize("root", [DRAFTS, HELDOUT], ids=["drafts", "heldout"])
def test_every_draft_on_disk_is_labelled(root: Path) -> None:
    on_disk = {
        p.relative_to(root).as_posix()
        for language in ("en", "zh")
        for p in (root / language).rglob("*")
        if p.is_file()
    }
    assert on_disk == set(load_labels(root))


def test_heldout_files_are_not_also_in_the_tuning_corpus() -> None:
    tuned = {(DRAFTS / n).read_bytes() for n in load_labels(DRAFTS)}
    assert not [n for n in load_labels(HELDOUT) if (HELDOUT / n).read_bytes() in tuned]


def test_every_facts_file_is_valid_and_in_the_drafts_language(labels: dict[str, Label]) -> None:
    used = [(name, label.facts) for name, label in labels.items() if label.facts]
    assert len(used) >= 10
    for name, facts_path in used:
        facts = load_facts(DRAFTS / facts_path)
        assert facts.language == name.split("/")[0], name


def test_labels_cover_every_text_check_in_both_languages(labels: dict[str, Label]) -> None:
    """Each check the text alone can decide has positives and negatives in each language."""
    for language in ("en", "zh"):
        subset = [lab for n, lab in labels.items() if n.startswith(f"{language}/")]
        for check in CHECK_IDS:
            fire = sum(check in lab.fire for lab in subset)
            quiet = sum(check in lab.quiet for lab in subset)
            assert fire >= 3, f"{language} {check}: only {fire} drafts must fire"
            assert quiet >= 3, f"{language} {check}: only {quiet} drafts must stay quiet"


def test_score_results_counts_and_misses() -> None:
    labels = {
        "en/a.md": Label(fire=["jargon", "hedging"], quiet=["overpromise"]),
        "en/b.md": Label(fire=["jargon"], quiet=["hedging", "overpromise"]),
        "zh/c.md": Label(fire=["jargon"], quiet=[]),
    }
    fired = {"en/a.md": {"jargon", "overpromise"}, "en/b.md": {"hedging", "long-sentence"}, "zh/c.md": {"jargon"}}
    score = score_results(labels, fired)

    jargon = score.get("en", "jargon")
    assert (jargon.tp, jargon.fp, jargon.fn, jargon.tn) == (1, 0, 1, 0)
    assert jargon.precision == 1.0 and jargon.recall == 0.5
    assert jargon.f1 == pytest.approx(2 / 3)
    hedging = score.get("en", "hedging")
    assert (hedging.tp, hedging.fp, hedging.fn) == (0, 1, 1)
    assert hedging.precision == 0.0 and hedging.recall == 0.0 and hedging.f1 is None
    overpromise = score.get("en", "overpromise")
    assert overpromise.recall is None and overpromise.precision == 0.0
    assert score.get("zh", "jargon").recall == 1.0
    assert score.get("en", "long-sentence") is None  # unlabelled: never scored
    assert score.files == {"en": 2, "zh": 1}
    assert {(m.file, m.check, m.expected, m.got) for m in score.misses} == {
        ("en/a.md", "overpromise", "quiet", "fired"),
        ("en/a.md", "hedging", "fire", "quiet"),
        ("en/b.md", "jargon", "fire", "quiet"),
        ("en/b.md", "hedging", "quiet", "fired"),
    }
    table = format_score(score)
    assert "en/b.md: jargon expected fire, got quiet" in table


def test_score_corpus_passes_facts_and_paths_to_the_checker(tmp_path: Path) -> None:
    from assistant.checks.scoring import score_corpus

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.md").write_text("We will deliver soon.", encoding="utf-8")
    (tmp_path / "facts").mkdir()
    facts_src = (DRAFTS / "facts" / "en-portal.yaml").read_text(encoding="utf-8")
    (tmp_path / "facts" / "f.yaml").write_text(facts_src, encoding="utf-8")
    (tmp_path / "labels.yaml").write_text(
        "en/a.md:\n  facts: facts/f.yaml\n  fire: [vague-timeline]\n  quiet: [jargon]\n", encoding="utf-8"
    )
    calls = []

    def fake_check(text, *, path, facts, settings, language):
        calls.append((text, Path(path).name, facts.project if facts else None, language))
        finding = Finding(check="vague-timeline", principle="solution", severity="warning", message="m")
        return FileReport(path=path, language="en", findings=[finding])

    score = score_corpus(tmp_path, check=fake_check)
    assert calls == [("We will deliver soon.", "a.md", "Customer portal rebuild", "auto")]
    assert score.get("en", "vague-timeline").tp == 1 and not score.misses
    assert score.languages == {"en/a.md": "en"}


@pytest.fixture(scope="module")
def corpus_score():
    from assistant.checks.scoring import score_corpus

    return score_corpus(DRAFTS)


def test_checker_detects_each_drafts_language(corpus_score) -> None:
    wrong = {n: lang for n, lang in corpus_score.languages.items() if lang != n.split("/")[0]}
    assert not wrong


def test_rule_checks_meet_precision_and_recall_on_the_corpus(corpus_score) -> None:
    print()
    print(format_score(corpus_score))
    below = [
        f"{c.language} {c.check}: precision {c.precision:.2f}"
        for c in corpus_score.checks
        if c.precision is not None and c.precision < MIN_PRECISION
    ] + [
        f"{c.language} {c.check}: recall {c.recall:.2f}"
        for c in corpus_score.checks
        if c.recall is not None and c.recall < MIN_RECALL
    ]
    assert not below, "; ".join(below)


def test_heldout_figures_are_reported() -> None:
    """Generalisation: the rules were never tuned on `evals/heldout/`, so its figures are printed
    for people to compare, not held to the thresholds (that would invite tuning on it)."""
    from assistant.checks.scoring import score_corpus

    score = score_corpus(HELDOUT)
    print()
    print("held-out corpus (not tuned on; no threshold):")
    text = format_score(score, name_misses=False)
    print(text)
    assert sum(score.files.values()) == len(load_labels(HELDOUT))
    assert not any(f"{name}:" in text for name in load_labels(HELDOUT))  # no file is named
