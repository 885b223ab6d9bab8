"""The batch page: `index.html` beside `summary.csv`, one row per entry, sortable and filterable,
re-written (atomically) after each entry as the audit runs."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from bilingual.files import atomic_write_text
from bilingual.report.html import Words, asset, esc

VERDICTS = ("pass", "warn", "fail", "error")
AREAS = ("media", "subs", "script", "tibetan", "audio", "pairing", "content", "timing", "cue", "ocr", "model")


def reason_areas(row: dict[str, Any]) -> list[str]:
    """The areas (media, timing, ...) of an entry's error and warning codes: what the page filters by."""
    codes = f"{row.get('errors') or ''} {row.get('warnings') or ''}".split()
    return sorted({code.split(".")[0] for code in codes if code.split(".")[0] in AREAS}, key=AREAS.index)


def counts_line(counts: dict[str, int], out: str | os.PathLike, lang: str = "zh", reused: int = 0) -> str:
    """The line `audit` ends with: how many entries (how many reports reused), how many of each
    verdict, where the reports are."""
    words = Words(lang)
    each = "，".join if lang == "zh" else ", ".join
    return words("html.batch/done_reused" if reused else "html.batch/done", n=sum(counts.values()), out=out,
                 reused=reused,
                 counts=each(f'{words(f"html.verdict/{v}")} {counts[v]}' for v in VERDICTS if counts.get(v)))


def write_batch_page(out_dir: str | os.PathLike, rows: list[dict[str, Any]], lang: str = "zh") -> Path:
    """Write `out_dir/index.html` for the audit's summary rows (`audit.summary_row`)."""
    out = Path(out_dir)
    return atomic_write_text(out / "index.html", render_batch_page(out, rows, lang))


def render_batch_page(out: Path, rows: list[dict[str, Any]], lang: str = "zh") -> str:
    words = Words(lang)
    counts = Counter(r.get("verdict") for r in rows)
    badges = "".join(f'<span class="count {v}">{esc(words(f"html.verdict/{v}"))} {counts[v]}</span>'
                     for v in VERDICTS if counts.get(v))
    areas = sorted({a for r in rows for a in reason_areas(r)}, key=AREAS.index)
    verdict_options = "".join(f'<option value="{v}">{esc(words(f"html.verdict/{v}"))}</option>'
                              for v in VERDICTS if counts.get(v))
    area_options = "".join(f'<option value="{a}">{esc(words(f"html.area/{a}"))}</option>' for a in areas)
    columns = ("entry", "verdict", "pairing", "speech", "subtitles", "offset", "main_reason", "page")
    head = "".join(f"<th>{esc(words(f'html.col/{c}'))}</th>" for c in columns)
    body = "".join(batch_row(out, r, words) for r in rows)
    updated = words("html.batch/updated", time=datetime.now().strftime("%Y-%m-%d %H:%M:%S"))
    return f"""<!DOCTYPE html>
<html lang="{"zh-Hans" if lang == "zh" else "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(words("html.batch_title"))}</title>
<style>
{asset("page.css")}</style>
</head>
<body class="page-batch">
<header class="banner">
  <h1>{esc(words("html.batch_title"))}</h1>
  <p>{esc(words("html.batch/entries", n=len(rows)))} · <span class="dim">{esc(updated)}</span></p>
  <div class="counts-bar">{badges}</div>
</header>
<section>
  <div class="filters">
    <select id="f-verdict"><option value="">{esc(words("html.batch/all_verdicts"))}</option>{verdict_options}</select>
    <select id="f-reason"><option value="">{esc(words("html.batch/all_reasons"))}</option>{area_options}</select>
    <input id="f-name" type="search" placeholder="{esc(words("html.batch/search"))}">
  </div>
  <table class="batch"><thead><tr>{head}</tr></thead><tbody>
{body}
  </tbody></table>
</section>
<script>
{asset("page.js")}</script>
</body>
</html>
"""


def link(out: Path, target: str | None, text: str) -> str:
    if not target:
        return ""
    href = Path(os.path.relpath(Path(target).resolve(), out.resolve())).as_posix()
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def batch_row(out: Path, r: dict[str, Any], words: Words) -> str:
    verdict = r.get("verdict") or "error"
    entry = Path(r.get("entry") or "")
    confidence = r.get("speech_confidence")
    speech = words.term("speech", r.get("speech")) if r.get("speech") else ""
    if speech and confidence not in (None, ""):
        speech += f" ({float(confidence):.2f})"
    subtitles = ""
    if r.get("subtitle_source"):
        languages = "＋".join(words.term("script", s) for s in (r.get("subtitles") or "").split("+") if s)
        subtitles = f'{languages} ({words.term("source", r["subtitle_source"])})'
    offset = r.get("offset_s")
    offset_text = "" if offset in (None, "") else words("html.seconds", value=f"{float(offset):+.2f}")
    pages = " · ".join(x for x in (link(out, r.get("page"), words("html.open_page")),
                                   link(out, r.get("report"), words("html.open_json"))) if x)
    return (f'<tr data-verdict="{esc(verdict)}" data-reasons="{esc(" ".join(reason_areas(r)))}">'
            f'<td class="path" data-key="{esc(entry.name)}">{esc(entry.name)}'
            f'<span class="dir">{esc(entry.parent)}</span></td>'
            f'<td class="verdict" data-key="{VERDICTS.index(verdict) if verdict in VERDICTS else 9}">'
            f'<span class="{esc(verdict)}">{esc(words(f"html.verdict/{verdict}"))}</span></td>'
            f'<td>{esc(words.term("pairing", r.get("pairing")) if r.get("pairing") else "")}</td>'
            f'<td>{esc(speech)}</td><td>{esc(subtitles)}</td>'
            f'<td class="num" data-key="{esc(offset if offset not in (None, "") else "")}">{esc(offset_text)}</td>'
            f'<td>{esc(r.get("reason") or r.get("error") or "")}</td><td>{pages}</td></tr>\n')
