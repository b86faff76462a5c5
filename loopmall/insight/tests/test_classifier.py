"""Behaviour of the demand classifier on crisp cases, for the lexicon rules and for the shipped
classifier (rules + the model trained on the shipped labels, when ../shared/data is present)."""

import time

import pytest

from loopmall.insight.classifier import Classification, DemandClassifier, get_classifier
from loopmall.insight.evaluation.harness import shared_data_available
from loopmall.insight.taxonomy import Demand, Taxonomy, default_taxonomy

CODES = [
    "packaging",
    "logistics",
    "quality",
    "price",
    "mismatch",
    "size_fit",
    "function",
    "usability",
    "service",
    "eco_safety",
    "taste_freshness",
    "appearance",
    "scenario",
    "content_info",
]


@pytest.fixture(scope="module")
def rules():
    return DemandClassifier()


@pytest.fixture(scope="module", params=["rules", "trained"])
def classifier(request, rules):
    if request.param == "rules":
        return rules
    if not shared_data_available():
        pytest.skip("../shared/data is absent: the shipped model cannot be trained")
    trained = get_classifier()
    assert trained.is_trained
    return trained


def demands(classifier, text, lang=None):
    return classifier.classify([text], [lang])[0].demands


def test_default_taxonomy_has_the_fourteen_codes():
    taxonomy = default_taxonomy()
    assert list(taxonomy.codes) == CODES
    price = taxonomy["price"]
    assert (price.name_zh, price.name_en) == ("价格", "Price & value")
    assert all(d.lexicon_zh and d.lexicon_en and d.definition for d in taxonomy)


def test_taxonomy_rejects_duplicate_codes():
    demand = default_taxonomy()["price"]
    with pytest.raises(ValueError, match="duplicated"):
        Taxonomy(demands=(demand, demand))


@pytest.mark.parametrize(
    "text",
    ["没坏", "瓶子没有漏", "一点划痕都没有，很新", "The box was not broken", "no scratches at all, like new"],
)
def test_negated_problem_is_not_a_demand(classifier, text):
    assert demands(classifier, text) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [("质量不太好", "quality"), ("the quality is not great", "quality"), ("物流不是很快", "logistics")],
)
def test_negated_praise_is_a_complaint(rules, text, code):
    assert code in demands(rules, text)


@pytest.mark.parametrize("text", ["包装很结实", "the box was sturdy", "物流很快，质量很好，非常满意"])
def test_praise_is_not_a_demand(classifier, text):
    assert demands(classifier, text) == []


def test_mild_complaint_counts(classifier):
    assert demands(classifier, "还行，就是有点贵") == ["price"]


def test_mixed_praise_and_complaint(classifier):
    result = classifier.classify(["物流很快，包装也很好，但是用了两天就坏了"])[0]
    assert result.demands == ["quality"]
    assert result.sentences[-1] == ("但是用了两天就坏了", ["quality"])
    assert result.sentences[0] == ("物流很快", [])


def test_several_demands_in_one_text(classifier):
    result = classifier.classify(["衣服偏小一码，而且太贵了，快递还慢，等了十天才到"])[0]
    assert {"size_fit", "price", "logistics"} <= set(result.demands)


def test_english(classifier):
    result = classifier.classify(["Lovely colour, but it runs small and shipping was slow."])[0]
    assert result.lang == "en"
    assert {"size_fit", "logistics"} <= set(result.demands)


def test_traditional_chinese(classifier):
    result = classifier.classify(["這件衣服偏小，價格也太貴了"])[0]
    assert result.lang == "zh"
    assert {"size_fit", "price"} <= set(result.demands)


def test_portuguese_is_recognised_and_not_analysed(classifier):
    result = classifier.classify(["O produto chegou quebrado e atrasado"])[0]
    assert (result.lang, result.demands, result.sentences) == ("pt", [], [])
    assert set(result.scores.values()) == {0.0}


def test_empty_and_blank_text(classifier):
    for result in classifier.classify(["", "   ", "👍"]):
        assert result.demands == []
        assert set(result.scores) == set(CODES)


def test_very_long_text_finishes_quickly(classifier):
    text = ("物流很快，包装很好。" * 5_000 + "但是用了两天就坏了")[:100_000]
    started = time.process_time()
    result = classifier.classify([text])[0]
    assert time.process_time() - started < 5
    assert set(result.scores) == set(CODES)


def test_result_shape(classifier):
    results = classifier.classify(["盒子压扁了", "物流很快"], langs=["zh", None], ratings=[1, 5])
    assert len(results) == 2
    for result in results:
        assert isinstance(result, Classification)
        assert set(result.scores) == set(CODES)
        assert all(0.0 <= s <= 1.0 for s in result.scores.values())
        assert 0.0 <= result.uncertainty <= 1.0
        assert [c for c in CODES if result.scores[c] >= 0.5] == result.demands
    assert results[0].demands == ["packaging"]


def test_langs_must_match_texts(rules):
    with pytest.raises(ValueError, match="langs"):
        rules.classify(["a", "b"], langs=["en"])


def test_staff_taxonomy_with_a_new_demand(rules):
    extra = Demand(
        code="refill",
        name_zh="补充装",
        name_en="Refills",
        definition="Wants a refill pack",
        lexicon_zh=("希望有补充装", "没有替换装"),
        lexicon_en=("no refill",),
    )
    taxonomy = Taxonomy(demands=(*default_taxonomy().demands, extra))
    classifier = DemandClassifier(taxonomy)
    result = classifier.classify(["好用，希望有补充装"])[0]
    assert result.demands == ["refill"]
    assert "refill" in result.scores


def test_train_on_corrections_and_reload(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    examples = (
        [
            ("盒子压扁了", ["packaging"]),
            ("快递太慢了", ["logistics"]),
            ("用了两天就坏了", ["quality"]),
            ("太贵了", ["price"]),
            ("非常好，很满意", []),
        ]
        * 5
        + [(f"第{i}次买，盒子压扁了", ["packaging"]) for i in range(6)]
        + [(f"第{i}次买，很好", []) for i in range(6)]
    )
    classifier = DemandClassifier()
    report = classifier.train(examples, include_shipped=False)
    assert report["examples"] == 17  # duplicates of a text count once
    assert classifier.is_trained
    assert classifier.classify(["盒子压扁了"])[0].demands == ["packaging"]
    saved = list((tmp_path / "insight" / "models").glob("demand-classifier-*.joblib"))
    assert len(saved) == 1
    reloaded = DemandClassifier.load(saved[0])
    assert reloaded.classify(["快递太慢了"])[0].demands == ["logistics"]


def test_training_needs_enough_examples(rules):
    with pytest.raises(ValueError, match="at least 10"):
        DemandClassifier().train([("太贵了", ["price"])], include_shipped=False)
