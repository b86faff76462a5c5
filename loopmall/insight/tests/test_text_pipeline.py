import pytest

from loopmall.insight.text import (
    add_domain_words,
    detect_language,
    is_negated,
    normalise,
    split_sentences,
    tokenize,
)


class TestNormalise:
    def test_full_width_becomes_half_width(self):
        assert normalise("ＯＫ，２天到了！") == "OK,2天到了!"

    def test_traditional_becomes_simplified(self):
        assert normalise("這個產品質量很好，價格太貴了") == "这个产品质量很好,价格太贵了"

    def test_emoji_removed_and_whitespace_collapsed(self):
        assert normalise("  很好用👍👍\n\n 推荐 🇨🇳 ") == "很好用 推荐"

    def test_invisible_characters_and_repeated_punctuation(self):
        assert normalise("\ufeff太慢了！！！！") == "太慢了!"

    def test_empty(self):
        assert normalise("") == ""
        assert normalise("   ") == ""

    @pytest.mark.parametrize("text", ["這個產品質量很好！！", "ＯＫ👍 good", "物流很快，包装也很好"])
    def test_idempotent(self, text):
        assert normalise(normalise(text)) == normalise(text)


class TestDetectLanguage:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("物流很快，包装也很好", "zh"),
            ("这个iPhone的battery不耐用", "zh"),
            ("The dress runs small but the fabric is lovely.", "en"),
            ("O produto chegou antes do prazo, muito bom", "pt"),
            ("Não recebi o produto até agora", "pt"),
            ("この商品はとても良いです", "other"),
            ("Отличный товар", "other"),
            ("", "other"),
            ("12345 !!!", "other"),
        ],
    )
    def test_languages(self, text, expected):
        assert detect_language(normalise(text)) == expected


class TestSplitSentences:
    def test_chinese_punctuation_and_contrast(self):
        assert split_sentences("物流很快。包装也很好,但是价格有点贵", "zh") == [
            "物流很快",
            "包装也很好",
            "但是价格有点贵",
        ]

    def test_contrast_word_without_punctuation_breaks(self):
        assert split_sentences("质量不错不过有点贵", "zh") == ["质量不错", "不过有点贵"]

    def test_english_but_however(self):
        assert split_sentences("Lovely colour but it runs small. However shipping was slow", "en") == [
            "Lovely colour",
            "but it runs small",
            "However shipping was slow",
        ]

    def test_decimal_point_does_not_break(self):
        assert split_sentences("价格59.90元,太贵", "zh") == ["价格59.90元", "太贵"]

    def test_long_text_without_punctuation_is_cut(self):
        clauses = split_sentences("好" * 1000, "zh")
        assert "".join(clauses) == "好" * 1000
        assert max(len(c) for c in clauses) <= 400

    def test_empty(self):
        assert split_sentences("", "zh") == []


class TestNegation:
    @pytest.mark.parametrize(
        ("clause", "term", "lang", "negated"),
        [
            ("没坏", "坏", "zh", True),
            ("没有任何划痕", "划痕", "zh", True),
            ("一点都没漏", "漏", "zh", True),
            ("没多久就坏了", "坏", "zh", False),
            ("非常慢", "慢", "zh", False),
            ("不到一周就坏了", "坏", "zh", False),
            ("用了两天就坏了", "坏", "zh", False),
            ("not broken at all", "broken", "en", True),
            ("there were no scratches", "scratches", "en", True),
            ("arrived without any damage", "damage", "en", True),
            ("it is broken", "broken", "en", False),
            ("not only slow but loud", "slow", "en", False),
        ],
    )
    def test_scope(self, clause, term, lang, negated):
        assert is_negated(clause, clause.index(term), lang) is negated


class TestTokenize:
    def test_chinese_uses_domain_dictionary(self):
        assert "性价比" in tokenize("这个性价比不高", "zh")

    def test_staff_can_add_domain_words(self):
        word = "循环购物袋"
        assert word not in tokenize("希望有循环购物袋", "zh")
        assert add_domain_words([word]) == [word]
        assert word in tokenize("希望有循环购物袋", "zh")
        assert add_domain_words([word]) == []

    def test_english_lowercase_without_stopwords_keeps_negation(self):
        assert tokenize("The Fabric is NOT soft", "en") == ["fabric", "not", "soft"]

    def test_punctuation_dropped(self):
        assert tokenize("好!!,。", "zh") == ["好"]
