"""Language detection by script and function words: fast, no model, good enough to route feedback.

Chinese is recognised by Han characters; Japanese kana, Hangul, Cyrillic, Arabic and the like are "other".
Latin-script text is English or Portuguese when its function words and diacritics say so (Olist's
Brazilian reviews are Portuguese: LoopMall keeps them but does not analyse them), otherwise "other".
"""

import re

ANALYSED_LANGUAGES = frozenset({"zh", "en"})

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff]")
_OTHER_SCRIPT = re.compile(r"[\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0e00-\u0e7f\u0900-\u097f]")
_LATIN_WORD = re.compile(r"[a-zà-öø-ÿ']+")
_PORTUGUESE_MARKS = re.compile(r"[ãõçâêôáéíóúà]")

_ENGLISH_WORDS = frozenset(
    str.split(
        "the and is it to was not this for with very i of a my you that but are have in on they be so "
        "too it's i'm would just like love great good one size fit fits wear when what were has had from "
        "than its these them or no an at as if can will don't didn't"
    )
)
_PORTUGUESE_WORDS = frozenset(
    str.split(
        "de que o a não nao e do da em um uma para com os as no na produto muito mais foi bom bem chegou "
        "entrega prazo recebi ainda antes veio está esta pelo pela minha meu isso ótimo otimo recomendo "
        "loja compra comprei dia dias até ate mas sem já ja só so é"
    )
)


def detect_language(text: str) -> str:
    """ "zh", "en", "pt" or "other" (empty text is "other")."""
    if not text:
        return "other"
    han = len(_HAN.findall(text))
    if _KANA_HANGUL.search(text) and len(_KANA_HANGUL.findall(text)) * 4 >= han:
        return "other"
    words = _LATIN_WORD.findall(text.lower())
    if han and han * 2 >= len(words):
        return "zh"
    if _OTHER_SCRIPT.search(text) and len(_OTHER_SCRIPT.findall(text)) > len(words):
        return "other"
    if not words:
        return "zh" if han else "other"
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    portuguese = sum(1 for w in words if w in _PORTUGUESE_WORDS)
    portuguese += 2 * len(_PORTUGUESE_MARKS.findall(" ".join(words)))
    if portuguese > english:
        return "pt"
    if english and english * 6 >= len(words):
        return "en"
    if english >= 1 and len(words) <= 3:
        return "en"
    return "other" if not han else "zh"
