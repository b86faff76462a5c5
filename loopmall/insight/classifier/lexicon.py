"""Lexicon rules with negation scope, clause by clause.

One regular expression per language holds every phrase of the taxonomy, longest first, so each clause
is scanned once whatever the number of demands. Each match is one of:
- a problem term of a demand ("压扁", "runs small"): evidence for it unless negated ("没压扁");
- an aspect of a demand ("包装", "price"): evidence only if the clause also carries a negative opinion
  ("包装很差") or a negated positive one ("包装不太好");
- a generic negative or positive opinion word.
"""

import re
from dataclasses import dataclass, field

from loopmall.insight.taxonomy import Taxonomy
from loopmall.insight.text.negation import is_negated

TERM, ASPECT, NEGATIVE, POSITIVE = "term", "aspect", "negative", "positive"
_WILDCARD = "[^,.;!?。，！？；]{0,4}?"


@dataclass
class ClauseEvidence:
    codes: set[str] = field(default_factory=set)  # demands the rules find in the clause
    terms: set[str] = field(default_factory=set)  # demands with a non-negated problem term
    aspects: set[str] = field(default_factory=set)  # demands whose subject is mentioned
    negated_terms: set[str] = field(default_factory=set)  # "没坏", "no scratches"
    is_negative: bool = False
    is_positive: bool = False


def _trie_pattern(phrases: list[str]) -> str:
    """One regular expression for many phrases, factored by common prefixes ("质量差|质量一般" becomes
    "质量(?:差|一般)"), which the regex engine scans far faster than a flat alternation. Longer
    continuations come first, so a match is the longest phrase at its position."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = True

    def build(node: dict) -> str:
        is_end = "" in node
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if is_end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


class _LanguageMatcher:
    def __init__(self, entries: list[tuple[str, str, str | None]], *, words: bool) -> None:
        self.table: dict[str, list[tuple[str, str | None]]] = {}
        self.wildcards: list[tuple[str, re.Pattern[str], str, str | None]] = []
        for phrase, kind, code in entries:
            phrase = phrase.lower().strip()
            if not phrase:
                continue
            if "*" in phrase.strip("*"):
                parts = phrase.strip("*").split("*")
                pattern = re.compile(_WILDCARD.join(re.escape(p) for p in parts))
                self.wildcards.append((parts[0], pattern, kind, code))
                continue
            phrase = phrase.strip("*")
            bucket = self.table.setdefault(phrase, [])
            if (kind, code) not in bucket:
                bucket.append((kind, code))
        self.wildcards_by_char: dict[str, list[tuple[str, re.Pattern[str], str, str | None]]] = {}
        for wildcard in self.wildcards:
            self.wildcards_by_char.setdefault(wildcard[0][0], []).append(wildcard)
        alternation = _trie_pattern(list(self.table))
        if words:
            self.pattern = re.compile(r"(?<![a-z0-9'])(?:" + alternation + r")(?![a-z0-9])")
        else:
            self.pattern = re.compile(alternation)

    def matches(self, clause: str):
        for match in self.pattern.finditer(clause):
            for kind, code in self.table[match.group()]:
                yield match.start(), match.end(), kind, code
        # Only the wildcard phrases whose first character occurs in the clause are tried, and each of
        # those only if its whole first part does: most clauses hold none of these phrases.
        by_char = self.wildcards_by_char
        for char in set(clause) & by_char.keys():
            for first, pattern, kind, code in by_char[char]:
                if first not in clause:
                    continue
                found = pattern.search(clause)
                if found:
                    yield found.start(), found.end(), kind, code


class LexiconMatcher:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        matchers = {}
        for lang in ("zh", "en"):
            entries: list[tuple[str, str, str | None]] = []
            for demand in taxonomy:
                entries += [(p, TERM, demand.code) for p in getattr(demand, f"lexicon_{lang}")]
                entries += [(p, ASPECT, demand.code) for p in getattr(demand, f"aspects_{lang}")]
            opinions = taxonomy.opinions
            entries += [(p, NEGATIVE, None) for p in getattr(opinions, f"negative_{lang}")]
            entries += [(p, POSITIVE, None) for p in getattr(opinions, f"positive_{lang}")]
            matchers[lang] = _LanguageMatcher(entries, words=(lang == "en"))
        self._matchers = matchers

    def clause(self, clause: str, lang: str) -> ClauseEvidence:
        lang = "en" if lang == "en" else "zh"
        text = clause.lower()
        evidence = ClauseEvidence()
        for start, end, kind, code in self._matchers[lang].matches(text):
            negated = is_negated(text, start, lang, end)
            if kind == TERM:
                (evidence.negated_terms if negated else evidence.terms).add(code)
            elif kind == ASPECT:
                evidence.aspects.add(code)
            elif kind == NEGATIVE:
                if negated:
                    evidence.is_positive = True
                else:
                    evidence.is_negative = True
            elif kind == POSITIVE:
                if negated:
                    evidence.is_negative = True
                else:
                    evidence.is_positive = True
        evidence.codes = set(evidence.terms)
        if evidence.is_negative:
            evidence.codes |= evidence.aspects
        return evidence
