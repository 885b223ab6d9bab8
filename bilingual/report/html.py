"""The per-entry HTML report: one self-contained page (CSS, JS and band images inline) built from a
report's JSON (`Report.to_dict`), so that `audit` can render a page from a stored report too.

Every piece of text that comes from the entry (cue text, file names, OCR readings, transcripts)
goes through `esc` or into the JSON blob the page's script reads with `textContent`: a cue
`<script>alert(1)</script>` is shown, never run.
"""

from __future__ import annotations

import base64
import html
import json
import os
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bilingual import __version__
from bilingual.files import atomic_write_text
from bilingual.report import catalogue_text, say
from bilingual.rules.script import OCR_SURE  # a reading below it is worth a look: the script rules trust no less

SEVERITIES = ("error", "warning", "info", "manual")


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


class Words:
    """The page's wording in one language, from messages.toml (`html.*` and friends)."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **values: Any) -> str:
        return say(key, self.lang, **values)

    def term(self, kind: str, code: str | None) -> str:
        """A coded value in words (`speech`, `script`, `source`, `pairing`, `severity`...); the code itself
        when it has no wording."""
        if code is None:
            return self("html.none")
        return catalogue_text(f"term.{kind}/{code}", self.lang) or code

    def language_id(self, code: str) -> str:
        """A Whisper language code in words (zh and bo are the spoken-language names)."""
        kind = "speech" if code in ("zh", "bo") else "lid"
        return catalogue_text(f"term.{kind}/{code}", self.lang) or code

    def seconds(self, value: float | None, digits: int = 2) -> str:
        return "—" if value is None else self("html.seconds", value=f"{value:.{digits}f}")


def clock(seconds: float | None) -> str:
    """m:ss.cc, the time a reviewer reads off the player."""
    if seconds is None:
        return ""
    cs = round(seconds * 100)
    return f"{cs // 6000}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def asset(name: str) -> str:
    return files("bilingual.report").joinpath(name).read_text("utf-8")


def verdict_key(data: dict[str, Any]) -> str:
    return "error" if data.get("exit_code") == 2 else data.get("verdict", "error")


def review_reasons(data: dict[str, Any], words: Words) -> list[str]:
    """What the machine could not decide: a passing entry with these needs a reviewer's look."""
    reasons = []
    if (data.get("audio") or {}).get("language") == "unknown" and (data.get("audio") or {}).get("speech_s"):
        reasons.append(words("html.review/speech"))
    codes = {f.get("code") for f in data.get("findings") or []}
    if (data.get("pairing") or {}).get("status") == "unknown" or "pairing.needs_look" in codes:
        reasons.append(words("html.review/pairing"))
    if "timing.needs_look" in codes:
        reasons.append(words("html.review/timing"))
    if "timing.speech_stops" in codes:
        reasons.append(words("html.review/speech_stops"))
    if "ocr.unreadable_band" in codes:
        reasons.append(words("html.review/unread_band"))
    unsure = [o for o in (data.get("subtitles") or {}).get("ocr") or [] if o.get("confidence", 1) < OCR_SURE]
    if unsure:
        reasons.append(words("html.review/ocr", n=len(unsure)))
    return reasons


def profile_titles(name: str | None) -> dict[str, Any]:
    """The profile's titles and notice, when the profile can still be loaded."""
    from bilingual.profiles import load_profile

    try:
        p = load_profile(name)
    except Exception:  # a profile file since moved: the page still shows its name
        return {}
    return {"zh": p.title, "en": p.title_en, "source": p.source, "profile": p}


def video_source(data: dict[str, Any], page_dir: Path, video_url: str | None) -> str | None:
    """The player's src: the given URL, else the entry's path relative to the page's folder."""
    if video_url:
        return video_url
    entry = Path(data.get("input", {}).get("path") or "")
    if not entry.is_file():
        return None
    relative = os.path.relpath(entry.resolve(), page_dir.resolve())
    return quote(Path(relative).as_posix())


BAND_JPEG_QUALITY = 85  # a 1920 × 120 band: PNG 48–80 KB, JPEG 14–18 KB, text as legible at the page's scale


def image_uri(path: str | None) -> str | None:
    """A band image as a JPEG data: URI (the page stays one file, ≈ 4× smaller than the PNG)."""
    if not path or not Path(path).is_file():
        return None
    import cv2

    picture = cv2.imread(path)
    if picture is None:
        return None
    _, jpeg = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, BAND_JPEG_QUALITY])
    return "data:image/jpeg;base64," + base64.b64encode(jpeg.tobytes()).decode("ascii")


def json_for_script(value: Any) -> str:
    """JSON safe inside <script>: no `</script>` or `<!--` can close or open anything."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_page(data: dict[str, Any], lang: str = "zh", *, page_dir: Path | str = ".",
                video_url: str | None = None) -> str:
    words = Words(lang)
    titles = profile_titles(data.get("profile"))
    src = video_source(data, Path(page_dir), video_url)
    body = "\n".join([
        banner(data, words, titles),
        '<div class="top">', player(src, words),
        '<div class="side">', overview(data, words), findings_section(data, words), "</div>", "</div>",
        timeline(data, words),
        language_section(data, words),
        cues_section(data, words),
        media_section(data, words, titles.get("profile")),
        checklist_section(data, words),
        f'<footer>{esc(words("html.generated", version=__version__))}</footer>',
    ])
    name = Path(data.get("input", {}).get("path") or "").name
    return (f'<!DOCTYPE html>\n<html lang="{"zh-Hans" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{esc(name)} · {esc(words("html.title"))}</title>\n<style>\n{asset("page.css")}</style>\n</head>\n'
            f'<body class="page-entry">\n{body}\n'
            f'<script type="application/json" id="report-data">{json_for_script(page_data(data, words))}</script>\n'
            f'<script>\n{asset("page.js")}</script>\n</body>\n</html>\n')


def write_report_page(data: dict[str, Any], path: str | os.PathLike, lang: str = "zh",
                      video_url: str | None = None) -> Path:
    target = Path(path)
    return atomic_write_text(target, render_page(data, lang, page_dir=target.parent, video_url=video_url))


def banner(data: dict[str, Any], words: Words, titles: dict[str, str]) -> str:
    key = verdict_key(data)
    review = review_reasons(data, words) if key in ("pass", "warn") else []
    counts = Counter(f["severity"] for f in data.get("findings", []))
    title = titles.get(words.lang) or data.get("profile") or ""
    badge = f'<span class="badge review">{esc(words("html.verdict/review"))}</span>' if review else ""
    listed = ("、" if words.lang == "zh" else ", ").join(review)
    review_line = f'<p class="why">{esc(words("html.review_why", what=listed))}</p>' if review else ""
    name = Path(data.get("input", {}).get("path") or "").name
    return f"""<header class="banner v-{key}">
  <div class="verdict"><span class="badge">{esc(words(f"html.verdict/{key}"))}</span>{badge}
    <span class="exit">{esc(words("html.exit_code", code=data.get("exit_code")))}</span>
    <button type="button" class="print" onclick="window.print()">{esc(words("html.print"))}</button></div>
  <h1>{esc(words("html.title"))}: <span class="name">{esc(name)}</span></h1>
  {review_line}
  <dl>
    <dt>{esc(words("html.file"))}</dt><dd class="path">{esc(data.get("input", {}).get("path"))}</dd>
    <dt>{esc(words("html.profile"))}</dt><dd>{esc(title)} <span class="dim">({esc(data.get("profile"))})</span></dd>
    {f'<dt>{esc(words("html.notice"))}</dt><dd>{esc(titles["source"])}</dd>' if titles.get("source") else ""}
  </dl>
  <p class="counts">{esc(words("html.counts", **{s: counts.get(s, 0) for s in SEVERITIES}))}</p>
</header>"""


def player(src: str | None, words: Words) -> str:
    if src is None:
        return f'<section class="video"><p class="novideo">{esc(words("html.no_video"))}</p></section>'
    return (f'<section class="video"><video id="player" controls preload="auto" src="{esc(src)}"></video>'
            f'<p class="now" id="now"></p></section>')


def overview(data: dict[str, Any], words: Words) -> str:
    """The facts a reviewer reads first: speech, pairing, subtitles, timing."""
    audio, pairing, subs, t = data.get("audio") or {}, data.get("pairing") or {}, data.get("subtitles") or {}, \
        data.get("timing") or {}
    rows = [
        (words("html.lane/speech"), speech_summary(audio, pairing, words)),
        (words("html.media/subtitles"), words("html.subs_summary", source=words.term("source", subs.get("source")),
                                               language=subtitle_languages(subs, words), n=subs.get("cue_count", 0))),
        (words("html.section/timeline"), correction_text(t, words)),
    ]
    return '<section class="overview"><dl>' + "".join(
        f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows) + "</dl></section>"


def speech_summary(audio: dict[str, Any], pairing: dict[str, Any], words: Words) -> str:
    code = pairing.get("reason_code")
    reason = (catalogue_text(f"pairing.reason/{code}", words.lang) if code else None) or \
        (words("html.not_analysed") if audio.get("speech_s") is None else pairing.get("reason") or "")
    confidence = audio.get("confidence")
    return words("html.speech_summary", language=words.term("speech", audio.get("language")),
                 confidence="—" if confidence is None else f"{confidence:.2f}",
                 speech=words.seconds(audio.get("speech_s"), 1),
                 pairing=words.term("pairing", pairing.get("status")), reason=reason)


def subtitle_languages(subs: dict[str, Any], words: Words) -> str:
    languages = subs.get("languages") or [subs.get("language")]
    return "＋".join(words.term("script", lang) for lang in languages if lang) or words("html.none")


def correction_text(t: dict[str, Any], words: Words) -> str:
    if t.get("offset_s") is None:
        return words("html.none")
    segments = t.get("segments") or []
    text = words("html.correction", offset=words("html.seconds", value=f'{t["offset_s"]:+.2f}'),
                 blocks=words("html.correction_blocks", n=len(segments)) if len(segments) > 1 else "",
                 drift=words("html.correction_drift", ratio=t["drift"]) if t.get("drift") else "")
    if t.get("cues_language"):
        text += " · " + words("html.timed_cues", lang=words.term("script", t["cues_language"]), n=t.get("cue_count"))
    return text


def timeline(data: dict[str, Any], words: Words) -> str:
    return f"""<section class="timeline-section">
  <h2>{esc(words("html.section/timeline"))}</h2>
  <div class="tools"><button type="button" data-zoom="2">{esc(words("html.zoom_in"))}</button>
    <button type="button" data-zoom="0.5">{esc(words("html.zoom_out"))}</button>
    <button type="button" data-zoom="0">{esc(words("html.zoom_fit"))}</button>
    <span class="dim">{esc(words("html.timeline_hint"))}</span></div>
  <div class="timeline" id="timeline"><svg id="timeline-svg" xmlns="http://www.w3.org/2000/svg" role="img"></svg></div>
  <div class="tip" id="tip" hidden></div>
</section>"""


def page_data(data: dict[str, Any], words: Words) -> dict[str, Any]:
    """What the page's script draws the timeline from (all text set with textContent)."""
    media = data.get("media") or {}
    cues = data.get("cues") or []
    languages = list(dict.fromkeys(c["language"] for c in cues)) or ["none"]
    ends = [c["end_s"] for c in cues] + [e for _, e in (data.get("audio") or {}).get("speech_segments") or []]
    return {
        "duration": media.get("duration_s") or max(ends, default=1.0),
        "storage": "bilingual-checklist:" + (data.get("input", {}).get("path") or ""),
        "speech": (data.get("audio") or {}).get("speech_segments") or [],
        "cues": [{"cue": c["cue"], "start": c["start_s"], "end": c["end_s"], "text": c["text"],
                  "lane": languages.index(c["language"]), "corrected": c.get("corrected")} for c in cues],
        "cuts": (data.get("timing") or {}).get("shot_changes") or [],
        "findings": [{"start": f["start_s"], "end": f["end_s"], "severity": f["severity"], "message": f["message"],
                      "label": words.term("severity", f["severity"])}
                     for f in data.get("findings", []) if f.get("start_s") is not None],
        "lanes": {"speech": words("html.lane/speech"), "corrected": words("html.lane/corrected"),
                  "shots": words("html.lane/shots"), "findings": words("html.lane/findings"),
                  "cues": [words("html.lane/cues", lang=words.term("script", lang)) for lang in languages]},
        "unit": words("html.unit/s"),
    }


def seek_attr(seconds: float | None) -> str:
    return f' data-seek="{seconds:.3f}"' if seconds is not None else ""


def findings_section(data: dict[str, Any], words: Words) -> str:
    items = [f for f in data.get("findings", []) if f["severity"] != "manual"]
    if not items:
        return (f'<section><h2>{esc(words("html.section/findings"))}</h2>'
                f'<p>{esc(words("html.no_findings"))}</p></section>')
    rows = "".join(
        f'<tr class="sev-{esc(f["severity"])}"{seek_attr(f.get("start_s"))} title="{esc(f["code"])}">'
        f'<td><span class="sev">{esc(words.term("severity", f["severity"]))}</span></td>'
        f'<td class="num">{esc(clock(f.get("start_s")))}</td>'
        f'<td class="num">{esc(f["cue"] if f.get("cue") else "")}</td>'
        f'<td>{esc(f["message"])}</td></tr>' for f in items)
    head = "".join(f"<th>{esc(words(k))}</th>" for k in ("html.col/severity", "html.col/time", "html.col/index",
                                                          "html.col/message"))
    return (f'<section><h2>{esc(words("html.section/findings"))}</h2>'
            f'<table class="findings"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>')


def language_section(data: dict[str, Any], words: Words) -> str:
    audio = data.get("audio") or {}
    summary = f'<p>{esc(speech_summary(audio, data.get("pairing") or {}, words))}</p>'
    windows = audio.get("evidence") or []
    if not windows:
        return (f'<section><h2>{esc(words("html.section/language"))}</h2>{summary}'
                f'<p class="dim">{esc(words("html.no_evidence"))}</p></section>')
    head = "".join(f"<th>{esc(words(f'html.col/{k}'))}</th>" for k in
                   ("window", "speech_s", "lid", "decode", "logprob", "compression", "cer", "verdict", "reason"))
    rows = "".join(window_row(w, words) for w in windows)
    return (f'<section><h2>{esc(words("html.section/language"))}</h2>{summary}'
            f'<table class="evidence"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>')


def window_row(w: dict[str, Any], words: Words) -> str:
    top = w.get("top_languages") or [[w.get("top_language"), w.get("top_probability")]]
    bars = "".join(f'<div class="bar"><span class="lbl">{esc(words.language_id(lang))}</span>'
                   f'<span class="track"><span class="fill" style="width:{100 * (p or 0):.0f}%"></span></span>'
                   f'<span class="p">{(p or 0):.2f}</span></div>' for lang, p in top)
    reason = catalogue_text(f"speech.reason/{w.get('reason_code')}", words.lang) if w.get("reason_code") else None

    def number(value: Any, fmt: str = ".2f") -> str:
        return "—" if value is None else format(value, fmt)

    return (f'<tr{seek_attr(w.get("start_s"))}>'
            f'<td class="num">{esc(clock(w.get("start_s")))}–{esc(clock(w.get("end_s")))}</td>'
            f'<td class="num">{esc(words.seconds(w.get("speech_s"), 1))}</td><td class="lid">{bars}</td>'
            f'<td class="text" lang="zh">{esc(w.get("text"))}</td>'
            f'<td class="num">{number(w.get("mandarin_logprob"))}</td>'
            f'<td class="num">{number(w.get("compression_ratio"))}</td>'
            f'<td class="num">{number(w.get("subtitle_cer"))}</td>'
            f'<td>{esc(words.term("speech", w.get("verdict")))} ({number(w.get("confidence"))})</td>'
            f'<td>{esc(reason or w.get("reason"))}</td></tr>')


def cues_section(data: dict[str, Any], words: Words) -> str:
    cues = data.get("cues") or []
    if not cues:
        return ""
    ocr = {o["cue"]: o for o in (data.get("subtitles") or {}).get("ocr") or []}
    by_cue: dict[int, list[dict[str, Any]]] = {}
    for f in data.get("findings", []):
        if f.get("cue") is not None:
            by_cue.setdefault(f["cue"], []).append(f)
    columns = ["index", "start", "end", "text", "script", "findings"] + (["image", "ocr_confidence"] if ocr else [])
    head = "".join(f"<th>{esc(words(f'html.col/{k}'))}</th>" for k in columns)
    rows = "".join(cue_row(c, by_cue.get(c["cue"], []), ocr.get(c["cue"]), words, bool(ocr)) for c in cues)
    return (f'<section><h2>{esc(words("html.section/cues"))}</h2>'
            f'<table class="cues"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>')


def cue_row(cue: dict[str, Any], findings: list[dict[str, Any]], ocr: dict[str, Any] | None, words: Words,
            burned_in: bool) -> str:
    notes = "".join(f'<div class="sev-{esc(f["severity"])}" title="{esc(f["code"])}">'
                    f'<span class="sev">{esc(words.term("severity", f["severity"]))}</span> {esc(f["message"])}</div>'
                    for f in findings)
    lang = f' lang="{cue["language"]}"' if cue["language"] in ("bo", "zh") else ""
    cells = (f'<td class="num">{cue["cue"]}</td><td class="num">{esc(clock(cue["start_s"]))}</td>'
             f'<td class="num">{esc(clock(cue["end_s"]))}</td><td class="text"{lang}>{esc(cue["text"])}</td>'
             f'<td>{esc(words.term("script", cue["language"]))}</td><td class="notes">{notes}</td>')
    if burned_in:
        uri = image_uri((ocr or {}).get("image"))
        confidence = (ocr or {}).get("confidence")
        image = f'<img alt="" src="{uri}">' if uri else ""
        unsure = " unsure" if confidence is not None and confidence < OCR_SURE else ""
        cells += (f'<td class="band">{image}</td>'
                  f'<td class="num{unsure}">{"" if confidence is None else f"{confidence:.2f}"}</td>')
    worst = min((SEVERITIES.index(f["severity"]) for f in findings if f["severity"] in SEVERITIES), default=None)
    mark = f' class="has-{SEVERITIES[worst]}"' if worst is not None else ""
    return f'<tr data-cue="{cue["cue"]}"{seek_attr(cue["start_s"])}{mark}>{cells}</tr>'


def media_section(data: dict[str, Any], words: Words, profile: Any) -> str:
    media = data.get("media")
    if not media:
        return ""
    failed = {f["code"]: f for f in data.get("findings", []) if f["code"].startswith("media.")}
    rules = profile.media if profile is not None else None
    rows = [
        ("container", media.get("container"), "container"),
        ("duration", words.seconds(media.get("duration_s"), 2), "duration_s"),
        ("resolution", f'{media.get("width")}×{media.get("height")}' if media.get("width") else words("html.none"),
         "resolution"),
        ("aspect", media.get("display_aspect"), "aspect"),
        ("filesize", f'{(media.get("size_bytes") or 0) / 1_048_576:.1f} MB', "filesize_mb"),
        ("fps", f'{media["fps"]:.3f}'.rstrip("0").rstrip(".") + " " + words("html.unit/fps")
         if media.get("fps") else "—", None),
    ]
    codes = {"container": "media.container", "duration_s": "media.duration", "resolution": "media.resolution",
             "aspect": "media.aspect", "filesize_mb": "media.filesize"}
    body = ""
    for key, value, rule in rows:
        finding = failed.get(codes.get(rule or "", ""))
        result = (f'<span class="sev-{esc(finding["severity"])}">{esc(finding["message"])}</span>' if finding
                  else esc(words("html.ok")) if rule and rules is not None and getattr(rules, rule) else "")
        limit = limit_text(getattr(rules, rule) if rules is not None and rule else None, rule, words)
        body += (f'<tr><td>{esc(words(f"html.media/{key}"))}</td><td>{esc(value)}</td><td>{esc(limit)}</td>'
                 f'<td>{result}</td></tr>')
    head = "".join(f"<th>{esc(words(f'html.col/{k}'))}</th>" for k in ("item", "value", "limit", "result"))
    return (f'<section><h2>{esc(words("html.section/media"))}</h2>'
            f'<table class="media"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>')


def limit_text(rule: Any, key: str | None, words: Words) -> str:
    if rule is None:
        return ""
    if key == "container" or key == "aspect":
        return " / ".join(rule.allowed)
    if key == "resolution":
        sizes = " / ".join(f"{w}×{h}" for w, h in rule.allowed)
        return sizes or words("html.limit/short_side", value=rule.min_short_side)
    unit = words("html.unit/s") if key == "duration_s" else words("html.unit/mb")
    fmt = lambda v: "—" if v is None else f"{v:g}"  # noqa: E731
    return words("html.limit/range", min=fmt(rule.min), max=fmt(rule.max), unit=unit)


def checklist_section(data: dict[str, Any], words: Words) -> str:
    items = [f for f in data.get("findings", []) if f["severity"] == "manual"]
    if not items:
        return ""
    rows = "".join(f'<li><label><input type="checkbox" data-check="{esc(f["code"])}"> {esc(f["message"])}'
                   f'</label>{cite(f)}</li>' for f in items)
    return (f'<section class="checklist"><h2>{esc(words("html.section/checklist"))}</h2>'
            f'<p class="dim">{esc(words("html.checklist_hint"))}</p><ul>{rows}</ul></section>')


def cite(finding: dict[str, Any]) -> str:
    text = (finding.get("data") or {}).get("cite")
    return f' <span class="cite">{esc(text)}</span>' if text else ""
