"""Which script a piece of text is written in, counted by Unicode script, and the languages that
makes: the one fact about text every stage needs (sources, script analysis, cue rules). Imports
nothing of the package, so any module may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

_PATTERNS = {
    # Tibetan letters and marks, plus the GB/T 20542 private-use stacks (still Tibetan, badly encoded).
    "tibetan": regex.compile(r"[\p{Script=Tibetan}&&[\p{L}\p{M}]]|[\uF300-\uF8FF]", regex.V1),
    "han": regex.compile(r"\p{Script=Han}"),
    "latin": regex.compile(r"[\p{Script=Latin}&&\p{L}]", regex.V1),
    "other": regex.compile(r"[\p{L}\p{M}--[\p{Script=Tibetan}\p{Script=Han}\p{Script=Latin}]]", regex.V1),
}
_LANGUAGE_OF_SCRIPT = {"tibetan": "bo", "han": "zh", "latin": "other", "other": "other"}
DOMINANT_SHARE = 0.8  # a cue whose main script has this share is in that script's language
SECOND_SCRIPT_SHARE = 0.2  # below the dominant share, two scripts this strong make a mixed cue


@dataclass(frozen=True)
class ScriptCounts:
    tibetan: int = 0
    han: int = 0
    latin: int = 0
    other: int = 0

    @classmethod
    def of(cls, text: str) -> ScriptCounts:
        return cls(**{name: len(pattern.findall(text)) for name, pattern in _PATTERNS.items()})

    def __add__(self, other: ScriptCounts) -> ScriptCounts:
        return ScriptCounts(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=False)))

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.tibetan, self.han, self.latin, self.other

    @property
    def total(self) -> int:
        return sum(self.as_tuple())

    def shares(self) -> dict[str, float]:
        total = self.total or 1
        return {name: round(count / total, 3) for name, count in zip(_PATTERNS, self.as_tuple(), strict=False)}

    def languages(self) -> tuple[str, ...]:
        """The languages the scripts say: () none, one, or two for a mixed cue."""
        if not self.total:
            return ()
        ranked = sorted(self.shares().items(), key=lambda kv: -kv[1])
        (top, top_share), (second, second_share) = ranked[0], ranked[1]
        first = _LANGUAGE_OF_SCRIPT[top]
        if top_share < DOMINANT_SHARE and second_share >= SECOND_SCRIPT_SHARE:
            other = _LANGUAGE_OF_SCRIPT[second]
            return (first,) if other == first else (first, other)
        return (first,)


def language_label(languages: tuple[str, ...] | list[str]) -> str:
    """"none", the one language, or "mixed"."""
    if not languages:
        return "none"
    return languages[0] if len(languages) == 1 else "mixed"
