"""Tokenizing: jieba for Chinese with a domain dictionary staff can extend, plain word tokens for English.

The domain dictionary is the shipped `insight/data/domain_words.txt` plus the words staff add through
`add_domain_words` (the insight app stores them and hands them over at start-up). jieba runs without its HMM
new-word guesser: unknown runs come out as single characters, which the classifier's character
n-grams already cover, and it is four times faster.
"""

import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data"
_LOCK = threading.Lock()

_EN_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ZH_SKIP = re.compile(r"^[\s\W_]+$")
# Function words only; negators ("不", "没", "not", "no") stay because they carry meaning here.
ZH_STOPWORDS = frozenset(
    str.split(
        "的 了 是 我 也 和 就 都 而 及 与 着 或 一个 这个 那个 这 那 啊 吧 呢 吗 哦 呀 嘛 啦 哈 在 有点儿 "
        "之 其 把 被 给 让 又 还 再 从 对 为 于 以 等 个 们 他 她 它 你 您 我们 你们 他们"
    )
)
EN_STOPWORDS = frozenset(
    str.split(
        "a an the and or of to in on at for with by from as is are was were be been being it its it's this that "
        "these those i me my we our you your he she they them their his her am do does did so just also "
        "very really than then there here if when what which who whom will would can could should has have had "
        "i'm i've i'd you're they're we're s t"
    )
)


def _read_words(path: Path) -> list[str]:
    if not path.exists():
        return []
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(word)
    return words


@cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(60)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in _read_words(_DATA / "domain_words.txt"):
        tokenizer.add_word(word)
    return tokenizer


_added: list[str] = []


def domain_words() -> list[str]:
    """The shipped domain words followed by those added since start-up."""
    return list(dict.fromkeys(_read_words(_DATA / "domain_words.txt") + _added))


def add_domain_words(words: Iterable[str]) -> list[str]:
    """Teach the tokenizer `words` (a product line, a local term) for this process; returns those that
    were new. Whoever stores staff's words calls this again at start-up."""
    cleaned = [w.strip() for w in words if w and w.strip() and not any(c.isspace() for c in w.strip())]
    known = set(domain_words())
    new = [w for w in dict.fromkeys(cleaned) if w not in known]
    tokenizer = _tokenizer()
    with _LOCK:
        for word in cleaned:
            tokenizer.add_word(word)
        _added.extend(new)
    return new


def tokenize(text: str, lang: str = "zh", *, keep_stopwords: bool = False) -> list[str]:
    """Tokens of a normalised text: jieba words for "zh" (English words inside it lower-cased),
    lower-case word tokens for every other language. Punctuation and stopwords are dropped."""
    if not text:
        return []
    if lang != "zh":
        tokens = _EN_TOKEN.findall(text.lower())
        return tokens if keep_stopwords else [t for t in tokens if t not in EN_STOPWORDS]
    tokens = []
    for token in _tokenizer().cut(text, HMM=False):
        token = token.strip().lower()
        if not token or _ZH_SKIP.match(token):
            continue
        if not keep_stopwords and (token in ZH_STOPWORDS or token in EN_STOPWORDS):
            continue
        tokens.append(token)
    return tokens
