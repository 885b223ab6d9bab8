"""What the commands print for a reader: the report for a terminal (rich, Chinese or English) or as
JSON, and the tables and JSON of `probe`, `timing`, `scripts` and `profiles`."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from typing import Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bilingual.media import MediaInfo
from bilingual.model import Finding, Severity, SubtitleTrack, verdict_of
from bilingual.profiles import DEFAULT_PROFILE, Profile, list_profiles, load_profile
from bilingual.report import Report, catalogue_text, message, say
from bilingual.script import TrackScript

UI = {
    "zh": {"file": "文件", "profile": "赛事", "verdict": "结论", "pass": "通过", "warn": "通过（有警告）",
           "fail": "不通过", "unanalysable": "无法分析", "media": "媒体", "container": "容器", "duration": "时长",
           "resolution": "分辨率", "aspect": "画幅", "fps": "帧率", "size": "大小", "audio": "音频",
           "subtitle_streams": "字幕流", "subtitles": "字幕", "source": "来源", "language": "语言",
           "variant": "中文字形", "cues": "条数", "encoding": "编码", "speech": "语音",
           "pairing": "语言组合", "timing": "时间轴", "not_yet": "未分析",
           "timed_cues": "依据{lang}字幕 {n} 条",
           "error": "错误", "warning": "警告", "info": "提示", "manual": "人工核对清单", "more": "另有 {n} 条",
           "none": "无", "cue": "第{n}条", "speech_time": "语音时长", "s": "秒",
           "bytes": "{n} 字节"},
    "en": {"file": "File", "profile": "Contest", "verdict": "Verdict", "pass": "PASS", "warn": "PASS with warnings",
           "fail": "FAIL", "unanalysable": "CANNOT ANALYSE", "media": "Media", "container": "container",
           "duration": "duration", "resolution": "resolution", "aspect": "aspect", "fps": "fps", "size": "size",
           "audio": "audio", "subtitle_streams": "subtitle streams", "subtitles": "Subtitles", "source": "source",
           "language": "language", "variant": "Chinese variant", "cues": "cues", "encoding": "encoding",
           "speech": "Speech", "pairing": "Pairing", "timing": "Timing", "not_yet": "not analysed",
           "timed_cues": "from {n} {lang} cues",
           "error": "Errors", "warning": "Warnings", "info": "Notes", "manual": "Manual checklist",
           "more": "and {n} more", "none": "none", "cue": "cue {n}", "speech_time": "speech", "s": "s",
           "bytes": "{n} B"},
}
_STYLE = {"pass": "bold green", "warn": "bold yellow", "fail": "bold red", "unanalysable": "bold red",
          "error": "red", "warning": "yellow", "info": "cyan", "manual": "magenta"}
SHOWN_PER_CODE = 5


class Terminal(Console):
    """rich's Console, but a closed pipe (`| head -1`) is a BrokenPipeError for the CLI to exit
    141 on, not rich's own SystemExit(1), which would read as "the entry fails"."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def render_json(report: Report, lang: str = "zh") -> str:
    return to_json(report.to_dict(lang))


def timestamp(seconds: float | None) -> str:
    if seconds is None:
        return ""
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def render_text(report: Report, out: TextIO, lang: str = "zh", color: bool | None = None) -> None:
    ui = UI[lang]
    console = Terminal(file=out, force_terminal=color, no_color=color is False,
                      width=None if out.isatty() else 110)
    verdict = "unanalysable" if report.fatal else report.verdict
    console.print(Text(f"{ui['file']}: {report.input_path}"))
    title = report.profile.title if lang == "zh" else report.profile.title_en
    console.print(Text(f"{ui['profile']}: {title} ({report.profile.name})"))
    console.print(Text(f"{ui['verdict']}: ", style="bold") + Text(ui[verdict], style=_STYLE[verdict]))
    if report.media:
        console.print(_media_table(report, ui))
    console.print(_subtitles_line(report, ui, lang))
    for key in ("speech", "pairing", "timing"):
        console.print(Text(f"{ui[key]}: {_later_section(report, key, ui, lang)}"))
    _print_findings(console, report, ui, lang)


def _media_table(report: Report, ui: dict[str, str]) -> Table:
    m = report.media
    assert m is not None  # called only when the file was probed
    table = Table(title=ui["media"], show_header=False, title_justify="left", box=None, padding=(0, 2))
    rows = [
        (ui["container"], m.container),
        (ui["duration"], f"{m.duration_s:.2f} {ui['s']}" if m.duration_s is not None else "?"),
        (ui["resolution"], (f"{m.width}×{m.height}" + (f" ({m.rotation}°)" if m.rotation else ""))
         if m.has_video else ui["none"]),
        (ui["aspect"], m.display_aspect or "?"),
        (ui["fps"], f"{m.fps:.3f}".rstrip("0").rstrip(".") if m.fps else "?"),
        (ui["size"], f"{m.size_bytes / 1_048_576:.1f} MB ({ui['bytes'].format(n=m.size_bytes)})"),
        (ui["audio"], ", ".join(f"#{s.index} {s.codec} {s.language or ''}".strip() for s in m.audio_streams)
         or ui["none"]),
        (ui["subtitle_streams"], ", ".join(f"#{s.index} {s.codec} {s.language or ''}".strip()
                                           for s in m.subtitle_streams) or ui["none"]),
    ]
    for key, value in rows:
        table.add_row(key, Text(str(value)))
    return table


def term(kind: str, code: str, lang: str) -> str:
    """A coded value in words (`term.*` in messages.toml), else the code."""
    return catalogue_text(f"term.{kind}/{code}", lang) or code


def _subtitles_line(report: Report, ui: dict[str, str], lang: str = "zh") -> Text:
    s = report.subtitles
    where = s.get("path") or (f"stream {s['stream_index']}" if s.get("stream_index") is not None else "")
    parts = [f"{ui['source']} {term('source', s['source'], lang)}", where,
             f"{ui['language']} {term('script', s['language'], lang)}"]
    if s.get("languages") and len(s["languages"]) > 1:
        parts[-1] += f" ({'+'.join(term('script', x, lang) for x in s['languages'])})"
    if s.get("chinese_variant"):
        parts.append(f"{ui['variant']} {term('variant', s['chinese_variant'], lang)}")
    parts.append(f"{ui['cues']} {s['cue_count']}")
    if s.get("encoding"):
        parts.append(f"{ui['encoding']} {s['encoding']}")
    return Text(f"{ui['subtitles']}: " + " · ".join(p for p in parts if p))


def _later_section(report: Report, key: str, ui: dict[str, str], lang: str) -> str:
    if key == "speech":
        a = report.audio
        if a.get("speech_s") is None:
            return ui["not_yet"]
        confidence = f" ({a['confidence']:.2f})" if a.get("confidence") is not None else ""
        return f"{term('speech', a['language'], lang)}{confidence} · {ui['speech_time']} {a['speech_s']:.1f} {ui['s']}"
    if key == "pairing":
        p = report.pairing
        reason = (catalogue_text(f"pairing.reason/{p['reason_code']}", lang) if p.get("reason_code") else None) \
            or p.get("reason")
        status = term("pairing", p["status"], lang)
        return f"{status} — {reason}" if reason else status
    t = report.timing
    if t.get("offset_s") is None:
        return ui["not_yet"]
    timed = (" · " + ui["timed_cues"].format(n=t["cue_count"], lang=term("script", t["cues_language"], lang))
             if t.get("cues_language") else "")
    return f"{t['offset_s']:+.2f} {ui['s']}{timed}"


def _print_findings(console: Console, report: Report, ui: dict[str, str], lang: str) -> None:
    groups: dict[Severity, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in report.sorted_findings():
        groups[f.severity][f.code].append(f)
    for severity in sorted(groups, key=lambda s: s.rank):
        by_code = groups[severity]
        total = sum(len(v) for v in by_code.values())
        console.print()
        console.print(Text(f"{ui[severity.value]} ({total})", style=f"bold {_STYLE[severity.value]}"))
        for code, items in by_code.items():
            for f in items[:SHOWN_PER_CODE]:
                console.print(_finding_line(f, ui, lang, severity))
            if len(items) > SHOWN_PER_CODE:
                console.print(Text(f"    {code}: " + ui["more"].format(n=len(items) - SHOWN_PER_CODE), style="dim"))


def _finding_line(f: Finding, ui: dict[str, str], lang: str, severity: Severity) -> Text:
    line = Text("  ")
    line.append("☐ " if severity is Severity.MANUAL else "• ", style=_STYLE[severity.value])
    line.append(f.code, style="bold")
    if f.cue is not None:
        line.append(f"  {ui['cue'].format(n=f.cue)} {timestamp(f.start_s)}", style="dim")
    elif f.start_s is not None:  # a finding on a stretch of the video, not a cue (speech without a cue)
        line.append(f"  {timestamp(f.start_s)}", style="dim")
    line.append(f"  {message(f, lang)}")
    if severity is Severity.MANUAL and f.data.get("cite"):
        line.append(f"  [{f.data['cite']}]", style="dim")
    text = f.data.get("text")
    if text and f.code.startswith(("script.", "tibetan.")):
        line.append("\n      " + text.replace("\n", " / "), style="dim")
    return line


# ---- the other commands' output: probe, timing, scripts, profiles ------------------------------

def probe_table(info: MediaInfo, lang: str = "zh") -> Table:
    """`probe`: every field of the media facts (named in `lang`; the JSON's names in en), streams one
    a line."""
    table = Table(show_header=False, box=None)
    for key, value in info.to_dict().items():
        if key.endswith("_streams"):
            value = "\n".join(f"#{s['index']} {s['codec']} lang={s['language'] or '-'}"
                              + (f" {s['channels']}ch {s['sample_rate']} Hz" if s["channels"] else "")
                              for s in value) or "-"
        label = catalogue_text(f"probe.field/{key}", lang) or key
        table.add_row(label, Text(str(value)))  # stream titles and tags are the file's: never markup
    return table


def timing_dict(report: Report, findings: list[Finding], code: int, lang: str) -> dict[str, Any]:
    """`timing --format json` (`bilingual.timing/1`): the timing section and its findings."""
    return {"schema": "bilingual.timing/1", "verdict": verdict_of(findings), "exit_code": code,
            "input": report.input_path, "subtitles": report.subtitles.get("path") or
            report.subtitles.get("stream_index"), "timing": report.timing,
            "speech_s": report.audio.get("speech_s"),
            "findings": [f.to_dict(message(f, lang)) for f in findings]}


def timing_text(report: Report, findings: list[Finding], lang: str) -> str:
    """`timing`'s text: the offset, drift and blocks, then one line a finding."""
    t = report.timing
    words = lambda key: catalogue_text(key, lang) or key  # noqa: E731
    drift = t["drift"] or words("timing.no_drift")
    lines = [words("timing.header").format(offset=f"{t['offset_s']:+.3f}", drift=drift, blocks=len(t["segments"]),
                                           confidence=t["confidence"])
             if t["offset_s"] is not None else words("timing.header/none")]
    for f in findings:
        severity = words(f"term.severity/{f.severity.value}")
        lines.append(" ".join(p for p in (f"[{severity}]", f.code, timestamp(f.start_s), message(f, lang)) if p))
    return "\n".join(lines)


def scripts_dict(track: SubtitleTrack, analysis: TrackScript, findings: list[Finding], code: int,
                 lang: str) -> dict[str, Any]:
    """`scripts --format json` (`bilingual.scripts/1`)."""
    return {"schema": "bilingual.scripts/1", "verdict": verdict_of(findings),
            "exit_code": code, "path": track.path, "encoding": track.encoding,
            "format": track.format,
            "track": analysis.to_dict(), "cues": [c.to_dict() for c in analysis.cues],
            "findings": [f.to_dict(message(f, lang)) for f in findings]}


def print_scripts(console: Console, track: SubtitleTrack, analysis: TrackScript, findings: list[Finding],
                  lang: str) -> None:
    """`scripts`' text: the track's languages, a table of the cues' scripts, then the findings."""
    words = lambda key, **values: say(key, lang, **values)  # noqa: E731
    script = lambda code: term("script", code, lang)  # noqa: E731
    console.print(Text(words("scripts.header", path=track.path, encoding=track.encoding,
                             language=script(analysis.language),
                             languages="+".join(map(script, analysis.languages)) or "-",
                             variant=term("variant", analysis.chinese_variant, lang)
                             if analysis.chinese_variant else "-", n=len(analysis.cues))))
    table = Table(*words("scripts.columns").split("|"))
    for c in analysis.cues:
        s = c.counts.shares()
        table.add_row(str(c.cue.index), timestamp(c.cue.start_s), script(c.language),
                      term("written", c.written_as, lang),
                      f"{s['tibetan']:.2f}", f"{s['han']:.2f}", f"{s['latin']:.2f}",
                      Text(c.cue.text.replace("\n", " / ")[:60]))  # "[laughs]" is text, not markup
    console.print(table)
    for f in findings:
        console.print(f"[{term('severity', f.severity.value, lang)}] {f.code} "
                      f"{words('scripts.cue', n=f.cue)}: {message(f, lang)}", markup=False)


def profiles_table(lang: str) -> Table:
    """`profiles list`: name, seed notice and title of every built-in profile."""
    table = Table(*say("profiles.columns", lang).split("|"))
    for name in list_profiles():
        p = load_profile(name)
        table.add_row(name + (say("profiles.default", lang) if name == DEFAULT_PROFILE else ""), Text(p.seed),
                      Text(p.title if lang == "zh" else p.title_en))
    return table


def print_profile(console: Console, p: Profile, lang: str = "zh") -> None:
    """`profiles show`: every rule of a profile with the clause it comes from, headings and the
    citations the profile writes in English in `lang`; rule names and values are the profile's keys."""
    data = dataclasses.asdict(p)
    esc = escape  # every value below is the profile file's text: never rich markup
    cite = lambda text: catalogue_text(f"cite/{text}", lang) or text  # noqa: E731
    console.print(f"[bold]{esc(p.name)}[/bold]  {esc(p.title if lang == 'zh' else p.title_en)}\n"
                  f"{esc(p.source)}  ({esc(p.path)})")
    for section in ("media", "subtitles", "pairing", "cues"):
        rules = data[section]
        if not rules:
            continue
        console.print(f"\n[bold]{esc(say(f'profiles.section/{section}', lang))}[/bold]")
        items = rules.items() if section in ("media", "cues") else [(section, rules)]
        for key, rule in items:
            if isinstance(rule, dict):
                values = ", ".join(f"{k}={v}" for k, v in rule.items() if k != "cite" and v not in (None, []))
                console.print(f"  {key}: {esc(values)}  [dim]\\[{esc(cite(rule['cite']))}][/dim]")
            elif rule is not None:
                console.print(f"  {key}: {esc(str(rule))}")
    console.print(f"\n[bold]{esc(say('profiles.section/manual', lang))}[/bold]")
    for item in p.manual:
        console.print(f"  ☐ {esc(item.code)}: {esc(item.zh if lang == 'zh' else item.en)}  "
                      f"[dim]\\[{esc(cite(item.cite))}][/dim]")
