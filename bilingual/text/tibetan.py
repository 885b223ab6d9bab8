"""Tibetan text integrity: Unicode hygiene, syllable structure, romanisation and legacy-font mojibake."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

# Letters, subjoined letters, vowel signs and the marks that live inside a syllable.
_SYLLABLE = regex.compile(r"[\u0F40-\u0F6C\u0F71-\u0F87\u0F8D-\u0FBC\u0F35\u0F37\u0F39\u0F3E\u0F3F]+")
# GB/T 20542 precomposed stacks sit at U+F300–U+F8FF; any private-use code point is unportable.
_PRIVATE_USE = regex.compile(r"[\p{Co}]")
DISCOURAGED = {  # Unicode discourages these precomposed vowel signs; the decomposed sequence is what to write.
    "\u0F73": "\u0F71\u0F72", "\u0F75": "\u0F71\u0F74", "\u0F77": "\u0FB2\u0F71\u0F80",
    "\u0F79": "\u0FB3\u0F71\u0F80", "\u0F81": "\u0F71\u0F80",
}
# Signs of Sanskrit or foreign-word transliteration, outside standard syllable structure: a-chung,
# anusvara/visarga/candrabindu/virama, retroflex and aspirated-voiced letters, tsa-phru, ai/au vowels.
_TRANSLITERATION = regex.compile(
    r"[\u0F71\u0F73\u0F75\u0F77\u0F79\u0F7B\u0F7D-\u0F87\u0F39"
    r"\u0F43\u0F4A-\u0F4E\u0F52\u0F57\u0F5C\u0F65\u0F69\u0F6A-\u0F6C"
    r"\u0F93\u0F9A-\u0F9E\u0FA2\u0FA7\u0FAC\u0FB5\u0FB9\u0FBA-\u0FBC]")
_IGNORED_MARKS = str.maketrans("", "", "\u0F35\u0F37")  # as hunspell-bo: rare but valid anywhere
_LATIN_TOKEN = regex.compile(r"[A-Za-z'+~?-]+")
# Latin-1 Supplement and the cp1252 block: where 8-bit Tibetan fonts (Sambhota, TCRC Youtso,
# Tibetan Machine) put their glyphs, which show as this mojibake once the font is missing.
_LEGACY_GLYPH = regex.compile(r"[\u0080-\u00FF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC"
                              r"\u2013\u2014\u2018-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u20AC\u2122]")


def lexicon_dir() -> Path:
    here = Path(__file__).resolve().parent.parent  # the package folder (text/ is inside it)
    for candidate in (here / "_lexicons", here.parent / "lexicons"):
        if (candidate / "tibetan_syllables").is_dir():
            return candidate / "tibetan_syllables"
    raise FileNotFoundError("lexicons/tibetan_syllables not found next to the bilingual package")


@dataclass(frozen=True)
class SyllableLexicon:
    """Valid syllables = a stem (prefix, superscript, root, subscripts) + an ending its class allows."""

    stems: dict[str, str]
    endings: dict[str, frozenset[str]]
    whole: frozenset[str]

    def is_valid(self, syllable: str) -> bool:
        if syllable in self.whole:
            return True
        for cut in range(1, len(syllable) + 1):
            cls = self.stems.get(syllable[:cut])
            if cls and syllable[cut:] in self.endings[cls]:
                return True
        return False


@lru_cache(maxsize=1)
def lexicon() -> SyllableLexicon:
    folder = lexicon_dir()
    suffixes = json.loads((folder / "suffixes.json").read_text("utf-8"))
    endings = {cls: frozenset(items) for cls, items in suffixes.items()}
    stems: dict[str, str] = {}
    whole: set[str] = set()
    for name in ("root.txt", "wasurs.txt", "rare.txt", "exceptions.txt", "dzongkha.txt", "proper-names.txt"):
        for line in (folder / name).read_text("utf-8").split():
            stem, _, cls = line.partition("/")
            if cls:
                stems[stem] = cls
            else:
                whole.add(stem)
    return SyllableLexicon(stems, endings, frozenset(whole))


def syllables(text: str) -> list[str]:
    return _SYLLABLE.findall(text)


TRANSLITERATED_SHARE = 0.3  # a line this full of Sanskrit signs is a mantra: ཨོཾ་མ་ཎི་པདྨེ་ཧཱུྃ (པདྨེ has none)


def invalid_syllables(text: str) -> list[str]:
    """Syllables that break standard Tibetan syllable structure; transliterations are not judged."""
    lex = lexicon()
    found = syllables(text)
    marked = [bool(_TRANSLITERATION.search(syl)) for syl in found]
    if found and sum(marked) / len(found) >= TRANSLITERATED_SHARE:
        return []
    return [syl for syl, sanskrit in zip(found, marked, strict=False)
            if not sanskrit and not lex.is_valid(syl.translate(_IGNORED_MARKS))]


def private_use_chars(text: str) -> list[str]:
    return _PRIVATE_USE.findall(text)


def discouraged_chars(text: str) -> list[str]:
    return [ch for ch in text if ch in DISCOURAGED]


def codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def describe(ch: str) -> str:
    return f"{codepoint(ch)} {unicodedata.name(ch, 'PRIVATE USE')}"


@dataclass(frozen=True)
class Romanization:
    tokens: int
    wylie_tokens: int
    unicode_text: str  # the text converted from EWTS, to show what was meant

    @property
    def share(self) -> float:
        return self.wylie_tokens / self.tokens if self.tokens else 0.0


@lru_cache(maxsize=1)
def _converter() -> Any:
    import pyewts

    return pyewts.pyewts()


def romanization(text: str) -> Romanization:
    """How much of the Latin text reads as Wylie/EWTS that converts to valid Tibetan syllables."""
    tokens = [t.strip("'-") for t in _LATIN_TOKEN.findall(text.replace("/", " "))]
    tokens = [t for t in tokens if t]
    lex = lexicon()
    wylie = 0
    for token in tokens:
        warnings: list[str] = []
        converted = _from_wylie(token, warnings).strip("\u0F0B")
        if not warnings and converted and all(lex.is_valid(s) for s in syllables(converted)):
            wylie += 1
    return Romanization(len(tokens), wylie, _from_wylie(text, []) if wylie else "")


def _from_wylie(text: str, warnings: list[str]) -> str:
    """pyewts' Tibetan for `text`, or "" (with a warning) where it raises: a lone capital "M", as in
    the Serbian "-Mелој" of a real subtitle file (the rest Cyrillic), raised IndexError inside it."""
    try:
        return str(_converter().toUnicode(text, warnings))
    except (IndexError, KeyError, ValueError) as exc:
        warnings.append(f"pyewts: {type(exc).__name__}")
        return ""


def legacy_glyph_share(text: str) -> float:
    """Share of non-space characters that are where legacy 8-bit Tibetan fonts put their glyphs."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return 0.0
    return sum(1 for ch in visible if _LEGACY_GLYPH.match(ch)) / len(visible)
