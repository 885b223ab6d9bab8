"""Chinese variant: which characters are traditional-only, and their simplified forms.

OpenCC and hanzidentifier load on first use: a Tibetan track never needs them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import regex

_HAN = regex.compile(r"\p{Han}")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s.json")


def _identifier() -> Any:
    import hanzidentifier

    return hanzidentifier


def traditional_chars(text: str) -> list[str]:
    """Characters that exist only in traditional Chinese (们 and 們: only 們 is listed)."""
    hz = _identifier()
    return [ch for ch in _HAN.findall(text) if hz.is_traditional(ch) and not hz.is_simplified(ch)]


def simplified_only_chars(text: str) -> list[str]:
    hz = _identifier()
    return [ch for ch in _HAN.findall(text) if hz.is_simplified(ch) and not hz.is_traditional(ch)]


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def variant(text: str) -> str | None:
    """"simplified", "traditional", "mixed", or None when there is no Han character."""
    if not _HAN.search(text):
        return None
    traditional, simplified = bool(traditional_chars(text)), bool(simplified_only_chars(text))
    if traditional and simplified:
        return "mixed"
    return "traditional" if traditional else "simplified"
