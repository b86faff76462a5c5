"""Negation scope: is a lexicon match inside the reach of a negator in its clause?

A negated problem term is not a problem ("没坏", "没有任何划痕", "not broken", "no scratches");
a negated praise word is a complaint ("不太好", "not great"). The scope is short and never crosses a
clause: up to five characters before a Chinese match, three words before an English one. Words that
contain a negator without negating ("非常", "不错", "没多久就坏了", "特别", "not only") are ignored.
"""

import re

ZH_WINDOW = 5
EN_WINDOW = 3

_ZH_NOT_NEGATING = re.compile(
    "非常|不错|不过|不但|不仅|不管|不久|不到|不少|不得不|不停|不断|不住|不然|不知道|差不多|没多久|没几天|没两天|"
    "没用几天|没过多久|没想到|没得说|无论|无语|无奈|无敌|别人|别的|特别|区别|分别|未免|要不|是不是|有没有|"
    "会不会|能不能|要不要|好不好|行不行|对不对|可不可以|无线|无糖|无添加|不粘|不伤手|不一会"
)
_ZH_NEGATOR = re.compile("不|没|无|未|非|别|毫无|从未|并非|绝非|否")
_EN_NOT_NEGATING = re.compile(r"\b(?:not only|no doubt|no matter|no wonder|not just)\b")
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_EN_NEGATORS = frozenset(
    str.split(
        "not no never without nothing none zero neither nor hardly barely nobody cannot cant dont didnt doesnt "
        "isnt wasnt arent werent wont couldnt shouldnt wouldnt hasnt havent hadnt"
    )
)


_ZH_AFTER = re.compile("^.{0,2}?(?:都|也|全|完全|根本)?(?:没有|没|无)(?!多久|几天|两天|想到)")


def is_negated(clause: str, start: int, lang: str = "zh", end: int | None = None) -> bool:
    """True if the match beginning at `start` (and ending at `end`, when given) in `clause` lies in the
    scope of a negator: before it, or for Chinese also right after it ("划痕都没有", "问题也没有")."""
    if lang != "en" and end is not None and _ZH_AFTER.match(clause[end : end + 6]):
        return True
    if start <= 0:
        return False
    if lang == "en":
        before = _EN_NOT_NEGATING.sub(" ", clause[max(0, start - 60) : start].lower())
        words = _EN_WORD.findall(before)[-EN_WINDOW:]
        return any(w in _EN_NEGATORS or w.endswith("n't") for w in words)
    before = _ZH_NOT_NEGATING.sub("|", clause[max(0, start - ZH_WINDOW - 4) : start])
    return bool(_ZH_NEGATOR.search(before[-ZH_WINDOW:]))
