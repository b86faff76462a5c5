"""Normalisation: one canonical form of a feedback text before anything reads it.

- full-width letters, digits and punctuation become half-width (NFKC), so "ＯＫ，２天" reads "OK,2天";
- traditional Chinese becomes simplified (OpenCC "t2s"); texts without a traditional character skip the
  converter, which keeps the common case fast;
- emoji and pictographs are removed: they carry mood, not the subject of a need, and the rating already
  carries mood;
- invisible characters (BOM, zero-width joiners) go, runs of whitespace become one space, and a run of
  the same punctuation mark ("！！！") becomes one.
"""

import re
import unicodedata
from functools import cache
from pathlib import Path

_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f\u00ad]")
_EMOJI = re.compile(
    "["
    "\U0001f000-\U0001faff"  # mahjong .. symbols & pictographs extended-A
    "\U0001fb00-\U0001fbff"
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b00-\u2bff"  # arrows, stars
    "\u2300-\u23ff"  # technical (watch, hourglass)
    "\u3030\u303d\u3297\u3299"
    "\U000e0020-\U000e007f"  # tag characters in flag sequences
    "]+"
)
_SPACE = re.compile(r"\s+")
_REPEATED_PUNCTUATION = re.compile(r"([!?,.;~。，！？；…、])\1+")


@cache
def _traditional_characters() -> frozenset[str]:
    import opencc

    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    characters = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if source and source not in targets.split():
            characters.add(source)
    return frozenset(characters)


@cache
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    if _traditional_characters().isdisjoint(text):
        return text
    return _converter().convert(text)


def normalise(text: str) -> str:
    """The canonical form of `text` (see the module docstring). Idempotent."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _EMOJI.sub(" ", text)
    text = to_simplified(text)
    text = _REPEATED_PUNCTUATION.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()
