"""From a raw feedback text to what the rules and the model read: normalised text, language, clauses,
tokens and the lexicon evidence of every clause."""

from dataclasses import dataclass

from loopmall.insight.classifier.lexicon import ClauseEvidence, LexiconMatcher
from loopmall.insight.text import ANALYSED_LANGUAGES, detect_language, normalise, split_sentences, tokenize

# A text longer than this is read up to here: reviews are short, and the rest of a pasted wall of text
# adds nothing a reader of the report would look at.
MAX_TEXT_CHARS = 20_000

_LANGUAGE_ALIASES = {"zh": "zh", "en": "en", "pt": "pt", "other": "other"}


@dataclass
class Prepared:
    text: str
    lang: str
    clauses: list[str]
    words: list[str]  # English word tokens; Chinese is read through character n-grams instead
    evidence: list[ClauseEvidence]  # per clause

    @property
    def is_analysed(self) -> bool:
        return self.lang in ANALYSED_LANGUAGES


def language_code(lang: str | None) -> str | None:
    """ "zh-Hans", "zh_CN", "en-US", "pt-BR" -> "zh", "en", "pt"; None or unknown -> None (detect)."""
    if not lang:
        return None
    base = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    return _LANGUAGE_ALIASES.get(base)


def prepare(text: str | None, lang: str | None, matcher: LexiconMatcher) -> Prepared:
    clean = normalise((text or "")[: MAX_TEXT_CHARS * 2])[:MAX_TEXT_CHARS]
    language = language_code(lang) or detect_language(clean)
    if language not in ANALYSED_LANGUAGES or not clean:
        return Prepared(text=clean, lang=language, clauses=[], words=[], evidence=[])
    clauses = split_sentences(clean, language)
    # jieba is left out on purpose: character n-grams carry the same signal for the model at a
    # fraction of the cost, which is what keeps classification above 2,000 texts a second.
    words = tokenize(clean, "en", keep_stopwords=True) if language == "en" else []
    evidence = [matcher.clause(clause, language) for clause in clauses]
    return Prepared(text=clean, lang=language, clauses=clauses, words=words, evidence=evidence)
