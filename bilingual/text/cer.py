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
    wraps onto two): against the reference's best-matching stretch as long as it (± 1 character);
    against the whole reference when it is as long or longer."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalized_chinese(reference), normalized_chinese(hypothesis)
    if not ref or not hyp:
        return None if not ref else 1.0
    if len(hyp) >= len(ref):
        return Levenshtein.distance(ref, hyp) / len(ref)
    return min(Levenshtein.distance(ref[start:start + length], hyp) / len(hyp)
               for length in (len(hyp) - 1, len(hyp), len(hyp) + 1) if length > 0
               for start in range(len(ref) - length + 1))
