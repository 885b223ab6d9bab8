"""The character error rate of one text against another, on what a reader compares: Chinese and
Tibetan letters and digits, simplified, NFC — no spaces or punctuation."""

from __future__ import annotations

import unicodedata

import regex

from bilingual.text import chinese

_TEXT_CHARS = regex.compile(r"[\p{Han}\p{L}\p{M}\p{N}]")  # marks: Tibetan vowel signs, subjoined letters


def normalized_chinese(text: str) -> str:
    """NFC, simplified characters, letters (with their marks) and digits only — no spaces or
    punctuation: what a character error rate should compare (Chinese, and Tibetan read by OCR)."""
    return "".join(_TEXT_CHARS.findall(chinese.to_simplified(unicodedata.normalize("NFC", text))))


def character_error_rate(reference: str, hypothesis: str) -> float | None:
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalized_chinese(reference), normalized_chinese(hypothesis)
    if not ref:
        return None
    return Levenshtein.distance(ref, hyp) / len(ref)


def stretch_error_rate(reference: str, hypothesis: str) -> float | None:
    """The character error of `hypothesis` as a part of `reference` (one row of a cue the picture
    wraps onto two): the lowest of its error against the whole reference and against each stretch of
    the reference from as long as it to half as long again (a reading that dropped letters), each
    over the stretch's length as an error rate counts."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalized_chinese(reference), normalized_chinese(hypothesis)
    if not ref or not hyp:
        return None if not ref else 1.0
    whole = Levenshtein.distance(ref, hyp) / len(ref)
    lengths = range(len(hyp), min(len(ref), len(hyp) + len(hyp) // 2 + 1) + 1)
    return min([whole] + [Levenshtein.distance(ref[start:start + length], hyp) / length
                          for length in lengths for start in range(len(ref) - length + 1)])
