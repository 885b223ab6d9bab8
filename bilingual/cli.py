"""The `bilingual` command: a thin shell over the library. Exit codes: 0 no error finding,
1 error findings, 2 input or arguments could not be analysed, 3 internal error (a bug)."""

from __future__ import annotations

import dataclasses
import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from bilingual import __version__
from bilingual.errors import InputError
from bilingual.findings import Severity
from bilingual.files import atomic_write_text
from bilingual.media import probe as probe_media
from bilingual.profiles import DEFAULT_PROFILE, list_profiles, load_profile
from bilingual.render import render_json, render_text, timestamp, to_json
from bilingual.report import message

def check_api(*args, **kwargs):
    """`bilingual.pipeline.check`, imported when a command needs it: the pipeline's imports (numpy and
    the rest) then run while the check's first ffmpeg decode is already under way."""
    from bilingual.pipeline import check

    return check(*args, **kwargs)


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Verify Tibetan–Chinese bilingual contest videos (藏汉双语视频核查).")
profiles_app = typer.Typer(no_args_is_help=True, help="Contest profiles.")
app.add_typer(profiles_app, name="profiles")
stderr = Console(stderr=True)


class Format(str, Enum):
    text = "text"
    json = "json"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


FormatOpt = typer.Option(Format.text, "--format", "-f", help="text (terminal) or json (the report contract).")
LangOpt = typer.Option(Lang.zh, "--lang", help="Language of messages: zh or en.")
ProfileOpt = typer.Option(None, "--profile", "-p", help=f"Profile name or .toml file [default: {DEFAULT_PROFILE}].")
ModelOpt = typer.Option(None, "--model", help="CTranslate2 Whisper model folder [default: $BILINGUAL_WHISPER_MODEL, "
                                              "else the bundled Whisper base].")

class Ocr(str, Enum):
    auto = "auto"
    on = "on"
    off = "off"


OcrOpt = typer.Option(Ocr.auto, "--ocr", help="Read subtitles burned into the picture: auto (when there is no "
                                               "subtitle file or text track), on (always; beside a text track, "
                                               "compare the two), off.")
BandOpt = typer.Option(None, "--band", help="Read burned-in subtitles in these rows only, Y0:Y1 in pixels "
                                            "(880:1040) or fractions of the height (0.8:0.97), instead of "
                                            "finding the bands.")
FramesOpt = typer.Option(None, "--frames", help="Write each burned-in cue's band image, as read, into this "
                                                "folder (cue-007-00h01m23.480s.png).")


def ocr_settings(video: Path, ocr: "Ocr", band: Optional[str], frames: Optional[Path]):
    """The OCR options as the library takes them; a band that does not fit the picture is a usage error."""
    from bilingual.ocr import parse_band
    from bilingual.subtitles import OcrSettings

    rows = None
    if band is not None:
        try:
            rows = parse_band(band, probe_media(video).height or 0)
        except ValueError as exc:
            fail(str(exc))
        except InputError as exc:
            fail(f"{exc.path}: {exc.reason}" if exc.path else exc.reason)
    return OcrSettings(ocr.value, rows, str(frames) if frames else None)
SubsOpt = typer.Option(None, "--subs", "-s", help="Subtitle file (else a same-stem sidecar or a text track).")
NoSpeechOpt = typer.Option(False, "--no-speech", help="Skip the speech stage (the static screen only).")
NoLanguageOpt = typer.Option(False, "--no-language", help="Find speech and check timing, but skip the spoken "
                                                          "language (no Whisper).")


@contextmanager
def stderr_status(first: str):
    """Progress of a slow step on stderr (rich), never mixed into stdout."""
    with stderr.status(first) as status:
        yield lambda text: status.update(text)


def fail(text: str, code: int = 2) -> None:
    """One clear line on stderr and the exit code; never a traceback."""
    print(f"bilingual: error: {text}", file=sys.stderr)
    raise typer.Exit(code)


def emit(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        atomic_write_text(output, text if text.endswith("\n") else text + "\n")


def _render(report, fmt: Format, lang: Lang, output: Optional[Path]) -> None:
    if fmt is Format.json:
        emit(render_json(report, lang.value), output)
    elif output is None:
        render_text(report, sys.stdout, lang.value)
    else:
        import io

        buffer = io.StringIO()
        render_text(report, buffer, lang.value, color=False)
        emit(buffer.getvalue(), output)


@app.command()
def check(
    video: Path = typer.Argument(..., help="The entry (MP4)."),
    subs: Optional[Path] = SubsOpt,
    profile: Optional[str] = ProfileOpt,
    fmt: Format = FormatOpt,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to this file."),
    lang: Lang = LangOpt,
    model: Optional[Path] = ModelOpt,
    no_speech: bool = NoSpeechOpt,
    no_language: bool = NoLanguageOpt,
    ocr: Ocr = OcrOpt,
    band: Optional[str] = BandOpt,
    frames: Optional[Path] = FramesOpt,
) -> None:
    """Check one entry against a contest profile and report with evidence."""
    report = run_check("checking", video, subs, profile, ocr, band, frames, speech=not no_speech,
                       language=not no_language, model=model)
    _render(report, fmt, lang, output)
    exit_with(report, report.exit_code)


def run_check(status: str, video: Path, subs: Optional[Path], profile: Optional[str], ocr: Ocr,
              band: Optional[str], frames: Optional[Path], **options):
    """The check as `check` and `timing` run it: the profile and the OCR options refused before any
    work, progress on stderr."""
    prof = load_profile(profile)
    settings = ocr_settings(video, ocr, band, frames)
    with stderr_status(status) as progress:
        return check_api(video, subs, prof, ocr=settings, progress=progress, **options)


def exit_with(report, code: int) -> None:
    """Exit 2 with one line when the input could not be analysed, else with `code`."""
    fatal = next((f for f in report.findings if f.fatal), None)
    if fatal:
        fail(message(fatal, "en"))
    raise typer.Exit(code)


@app.command()
def probe(video: Path = typer.Argument(...), fmt: Format = FormatOpt) -> None:
    """Container, duration, picture, size and every audio and subtitle stream."""
    info = probe_media(video)
    if fmt is Format.json:
        emit(to_json({"path": info.path, **info.to_dict()}), None)
        return
    table = Table(show_header=False, box=None)
    for key, value in info.to_dict().items():
        if key.endswith("_streams"):
            value = "\n".join(f"#{s['index']} {s['codec']} lang={s['language'] or '-'}"
                              + (f" {s['channels']}ch {s['sample_rate']} Hz" if s["channels"] else "")
                              for s in value) or "-"
        table.add_row(key, str(value))
    Console().print(table)


@app.command()
def timing(
    video: Path = typer.Argument(..., help="The entry."),
    subs: Optional[Path] = SubsOpt,
    profile: Optional[str] = ProfileOpt,
    fmt: Format = FormatOpt,
    lang: Lang = LangOpt,
    ocr: Ocr = OcrOpt,
    band: Optional[str] = BandOpt,
    frames: Optional[Path] = FramesOpt,
) -> None:
    """Only check that the subtitles follow the speech: offset, splits, drift, cues against speech."""
    report = run_check("checking timing", video, subs, profile, ocr, band, frames, language=False)
    timing_codes = [f for f in report.sorted_findings() if f.fatal or f.code.startswith("timing.")]
    if fmt is Format.json:
        emit(to_json({"input": report.input_path, "subtitles": report.subtitles.get("path") or
                      report.subtitles.get("stream_index"), "timing": report.timing,
                      "speech_s": report.audio.get("speech_s"),
                      "findings": [f.to_dict(message(f, lang.value)) for f in timing_codes]}), None)
    else:
        t = report.timing
        print(f"offset {t['offset_s']:+.3f} s · drift {t['drift'] or 'none'} · blocks {len(t['segments'])} · "
              f"confidence {t['confidence']}" if t["offset_s"] is not None else "timing: not analysed")
        for f in timing_codes:
            print(f"[{f.severity.value}] {f.code} {timestamp(f.start_s)} {message(f, lang.value)}")
    exit_with(report, 1 if any(f.severity is Severity.ERROR for f in timing_codes) else 0)


@app.command()
def transcribe(
    video: Path = typer.Argument(...),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    fmt: str = typer.Option("srt", "--format", "-f", help="srt, or json (segments with word times)."),
    model: Optional[Path] = ModelOpt,
    any_language: bool = typer.Option(False, "--any-language", help="Transcribe even speech that is not Mandarin."),
) -> None:
    """The Mandarin transcript of the main audio, with segment times (word times in JSON); speech that
    is not Mandarin is refused (exit 2) unless --any-language."""
    from bilingual.media import decode_audio
    from bilingual.models import load_whisper, whisper_model_dir
    from bilingual.transcribe import to_srt, transcribe as transcribe_audio, why_not_mandarin

    if fmt not in ("srt", "json"):
        fail(f"--format must be srt or json, not {fmt}")
    info = probe_media(video)
    if info.main_audio is None:
        fail(f"{video}: no audio stream to transcribe")
    whisper = load_whisper(whisper_model_dir(model))
    audio = decode_audio(info.path, info.main_audio.index)
    total = len(audio) / 16000
    if not any_language:
        with stderr_status("deciding the spoken language"):
            refusal = why_not_mandarin(audio, whisper)
        if refusal:
            fail(refusal)
    with stderr_status("transcribing") as progress:
        segments = transcribe_audio(audio, whisper, words=fmt == "json",
                                    progress=lambda t: progress(f"transcribing {t:.0f}/{total:.0f} s"))
    if fmt == "json":
        emit(to_json({"path": info.path, "language": "zh", "segments": [s.to_dict() for s in segments]}), output)
    else:
        emit(to_srt(segments), output)


@app.command()
def fix(
    subs: Path = typer.Argument(..., help="Subtitle file to correct (srt, ass, ssa, vtt)."),
    video: Path = typer.Option(..., "--video", help="The entry whose speech the subtitles must follow."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Where to write [default: <name>.fixed.<ext>]."),
    profile: Optional[str] = ProfileOpt,
    in_place: bool = typer.Option(False, "--in-place", help="Overwrite the input, keeping <name>.bak."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output file."),
) -> None:
    """Apply the detected offset, block offsets and drift; enforce minimum gap and duration."""
    from bilingual.fix import fix_subtitles

    prof = load_profile(profile)
    with stderr_status("aligning subtitles with the speech"):
        result = fix_subtitles(subs, video, prof, output=output, in_place=in_place, force=force)
    for change in result.changes or ["nothing to change"]:
        print(f"- {change}")
    if result.backup:
        print(f"backup: {result.backup}")
    print(f"written: {result.output}")


@app.command()
def extract(
    video: Path = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="Folder to write into (created if missing)."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that exist."),
    ocr: Ocr = OcrOpt,
    band: Optional[str] = BandOpt,
    frames: Optional[Path] = FramesOpt,
) -> None:
    """The main audio as 16 kHz mono WAV, every text subtitle stream as SRT, and (OCR) what is burned
    into the picture as burned-in.<lang>.srt."""
    from bilingual.extract import extract_entry

    with stderr_status("extracting"):
        written = extract_entry(video, out, force=force, ocr=ocr_settings(video, ocr, band, frames))
    for path in written:
        print(path)


@app.command()
def scripts(
    subs: Path = typer.Argument(..., help="Subtitle file (srt, ass, ssa, vtt)."),
    profile: Optional[str] = ProfileOpt,
    fmt: Format = FormatOpt,
    lang: Lang = LangOpt,
) -> None:
    """Per-cue and whole-track script analysis: languages, Chinese variant, Tibetan integrity."""
    from bilingual.script import analyze_track
    from bilingual.subtitles import load_subtitle_file

    prof = load_profile(profile)
    track = load_subtitle_file(subs)
    analysis = analyze_track(track, prof)
    if fmt is Format.json:
        emit(to_json({"path": track.path, "encoding": track.encoding, "format": track.format,
                      "track": analysis.to_dict(), "cues": [c.to_dict() for c in analysis.cues],
                      "findings": [f.to_dict(message(f, lang.value)) for f in analysis.findings]}), None)
    else:
        console = Console()
        console.print(f"{track.path} · {track.encoding} · {analysis.language} "
                      f"({'+'.join(analysis.languages) or '-'}) · {analysis.chinese_variant or '-'} · "
                      f"{len(analysis.cues)} cues")
        table = Table("#", "start", "lang", "written", "bo", "zh", "latin", "text")
        for c in analysis.cues:
            s = c.counts.shares()
            table.add_row(str(c.cue.index), timestamp(c.cue.start_s), c.language, c.written_as,
                          f"{s['tibetan']:.2f}", f"{s['han']:.2f}", f"{s['latin']:.2f}",
                          c.cue.text.replace("\n", " / ")[:60])
        console.print(table)
        for f in analysis.findings:
            console.print(f"[{f.severity.value}] {f.code} cue {f.cue}: {message(f, lang.value)}", markup=False)
    errors = any(f.severity is Severity.ERROR for f in analysis.findings)
    raise typer.Exit(1 if errors else 0)


@profiles_app.command("list")
def profiles_list(lang: Lang = LangOpt) -> None:
    """The built-in contest profiles."""
    table = Table("name", "seed", "title")
    for name in list_profiles():
        p = load_profile(name)
        table.add_row(name + (" (default)" if name == DEFAULT_PROFILE else ""), p.seed,
                      p.title if lang is Lang.zh else p.title_en)
    Console().print(table)


@profiles_app.command("show")
def profiles_show(name: str = typer.Argument(..., help="Profile name or .toml file."), fmt: Format = FormatOpt) -> None:
    """Every rule of a profile, with the clause of the notice it comes from."""
    p = load_profile(name)
    data = dataclasses.asdict(p)
    if fmt is Format.json:
        emit(to_json(data), None)
        return
    console = Console()
    console.print(f"[bold]{p.name}[/bold]  {p.title} / {p.title_en}\n{p.source}  ({p.path})")
    for section in ("media", "subtitles", "pairing", "cues"):
        rules = data[section]
        if not rules:
            continue
        console.print(f"\n[bold]{section}[/bold]")
        items = rules.items() if section in ("media", "cues") else [(section, rules)]
        for key, rule in items:
            if isinstance(rule, dict):
                values = ", ".join(f"{k}={v}" for k, v in rule.items() if k != "cite" and v not in (None, []))
                console.print(f"  {key}: {values}  [dim]\\[{rule['cite']}][/dim]")
            elif rule is not None:
                console.print(f"  {key}: {rule}")
    console.print("\n[bold]manual[/bold]")
    for item in p.manual:
        console.print(f"  ☐ {item.code}: {item.zh}  [dim]\\[{item.cite}][/dim]")


@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., help="Entries or folders (walked for video files)."),
    out: Path = typer.Option(Path("bilingual-audit"), "--out", help="Folder for reports and summaries."),
    profile: Optional[str] = ProfileOpt,
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes."),
    lang: Lang = LangOpt,
    model: Optional[Path] = ModelOpt,
    no_speech: bool = NoSpeechOpt,
    no_language: bool = NoLanguageOpt,
    ocr: Ocr = OcrOpt,
) -> None:
    """Check many entries: one JSON report each, plus summary.csv and summary.jsonl."""
    from bilingual.audit import run_audit

    load_profile(profile)  # refuse a bad profile before any work
    summary = run_audit(paths, out, profile=profile, jobs=jobs, lang=lang.value,
                        options={"speech": not no_speech, "language": not no_language, "ocr": ocr.value,
                                 "model": str(model) if model else None})
    stderr.print(f"{summary.total} entries: {summary.counts}; reports in {out}")
    raise typer.Exit(summary.exit_code)


@app.command()
def sample(out: Path = typer.Option(Path(".sample"), "--out", help="Folder for the sample entry.")) -> None:
    """Build the bundled sample entry (Mandarin speech, Tibetan subtitles) and print its path."""
    from bilingual.sample import build_sample

    print(build_sample(out))


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version.")) -> None:
    if version:
        print(f"bilingual {__version__}")
        raise typer.Exit(0)


def main() -> None:
    try:
        app(standalone_mode=True)
    except InputError as exc:
        print(f"bilingual: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("bilingual: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug: one line unless debugging is asked for
        if os.environ.get("BILINGUAL_DEBUG"):
            raise
        print(f"bilingual: internal error: {type(exc).__name__}: {exc} (set BILINGUAL_DEBUG=1 for a traceback)",
              file=sys.stderr)
        sys.exit(3)
