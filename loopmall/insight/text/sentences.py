"""Splitting feedback into clauses, so one review can carry several demands ("物流很快，但是包装破了").

Clauses break at sentence punctuation in both scripts, at commas, and before contrast words
("但是/不过/可是/就是/只是/but/however/though"), which is where a review turns from praise to a complaint.
A decimal point or thousands separator between digits does not break.
"""

import re

_BREAK = re.compile(r"(?:(?<!\d)[.,]|[.,](?!\d))+|[。！？!?;；\n\r…~，:：\"“”]+")
_ZH_CONTRAST = re.compile(r"(?=但是|不过|可是|然而|就是有点|就是太|只是|但|可惜)")
_EN_CONTRAST = re.compile(
    r"\b(?=(?:but|however|though|although|except|unfortunately|sadly)\b)", re.IGNORECASE
)

MAX_CLAUSE_CHARS = 400


def split_sentences(text: str, lang: str = "zh") -> list[str]:
    """Clauses of `text` (already normalised), in order, stripped, none empty.

    A clause longer than MAX_CLAUSE_CHARS (a wall of text without punctuation) is cut into pieces of
    that size so that every later step stays linear in the length of the text.
    """
    if not text:
        return []
    contrast = _EN_CONTRAST if lang == "en" else _ZH_CONTRAST
    clauses: list[str] = []
    for part in _BREAK.split(text):
        if not part or part.isspace():
            continue
        for piece in contrast.split(part) if len(part) > 2 else (part,):
            piece = piece.strip(" -—*#'")
            if not piece:
                continue
            while len(piece) > MAX_CLAUSE_CHARS:
                clauses.append(piece[:MAX_CLAUSE_CHARS])
                piece = piece[MAX_CLAUSE_CHARS:]
            clauses.append(piece)
    return clauses
