"""The text pipeline of the demand engine: normalise, detect the language, split into clauses, tokenize.

Other parts of LoopMall (clustering, reports) import from here only; the modules behind it may change.
"""

from loopmall.insight.text.language import ANALYSED_LANGUAGES, detect_language
from loopmall.insight.text.negation import is_negated
from loopmall.insight.text.normalise import normalise
from loopmall.insight.text.segment import add_domain_words, domain_words, tokenize
from loopmall.insight.text.sentences import split_sentences

__all__ = [
    "ANALYSED_LANGUAGES",
    "add_domain_words",
    "detect_language",
    "domain_words",
    "is_negated",
    "normalise",
    "split_sentences",
    "tokenize",
]
