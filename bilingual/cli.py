"""The `bilingual` command: a thin shell over the library. Exit codes: 0 no error finding,
1 error findings, 2 input or arguments could not be analysed, 3 internal error (a bug)."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import sys
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer

try:  # typer ≥ 0.20 carries its own copy of click; before, it used click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]

from bilingual import __version__
from bilingual.errors import FixRefused, InputError
from bilingual.files import (
    STDOUT,
    check_new_output,
    check_output,
    check_output_folder,
    protect_inputs,
    stdout_is_a_file,
    write_output,
)
from bilingual.media import probe as probe_media
from bilingual.model import findings_exit_code
from bilingual.profiles import DEFAULT_PROFILE, load_profile
from bilingual.report import message, say
from bilingual.report.text import (
    Terminal,
    print_profile,
    print_scripts,
    probe_table,
    profiles_table,
    render_json,
    render_text,
    scripts_dict,
    timing_dict,
    timing_text,
    to_json,
)


def check_api(*args, **kwargs):
    """`bilingual.pipeline.check`, imported when a command needs it: the pipeline's imports (numpy and
    the rest) then run while the check's first ffmpeg decode is already under way."""
    from bilingual.pipeline import check

    return check(*args, **kwargs)


# Help as click writes it (rich_markup_mode None): rich's panels showed every flag as `<bool>` and
# took "[default: …]" and "bilingual[cluster]" in the help texts for markup, leaving stray spaces.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Verify Tibetan–Chinese bilingual contest videos (藏汉双语视频核查).")
profiles_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Contest profiles.")
app.add_typer(profiles_app, name="profiles")
stderr = Terminal(stderr=True)


class Format(str, Enum):
    text = "text"
    json = "json"
    html = "html"


class TextOrJson(str, Enum):
    """--format of the commands without an HTML page."""
    text = "text"
    json = "json"


class Transcript(str, Enum):
    """--format of `transcribe`."""
    srt = "srt"
    json = "json"


class Lang(str, Enum):
    zh = "zh"
    en = "en"


LANG_ENV = "BILINGUAL_LANG"  # the default of every --lang (zh where unset)


def env_lang() -> str | None:
    return os.environ.get(LANG_ENV) if os.environ.get(LANG_ENV) in ("zh", "en") else None


class Said:
    """The --lang of the running command: errors the library words (InputError.wording) are said in
    it; before a command has parsed its options, and in commands without --lang, $BILINGUAL_LANG's
    or English."""

    lang = env_lang() or "en"


def remember_lang(lang: Lang) -> Lang:
    Said.lang = lang.value
    return lang


FormatOpt = typer.Option(TextOrJson.text, "--format", "-f", metavar="text|json",
                         help="text (terminal) or json (the report contract).")
LangOpt = typer.Option(Lang.zh, "--lang", metavar="zh|en", envvar=LANG_ENV, help="Language of messages: zh or en.",
                       callback=remember_lang)
ForceOpt = typer.Option(False, "--force", help="Overwrite an existing output file.")
ProfileOpt = typer.Option(None, "--profile", "-p", metavar="NAME|FILE",
                          help=f"Profile name or .toml file [default: {DEFAULT_PROFILE}].")
ModelOpt = typer.Option(None, "--model", metavar="DIR",
                        help="CTranslate2 Whisper model folder [default: $BILINGUAL_WHISPER_MODEL, "
                             "else the bundled Whisper base].")

class Ocr(str, Enum):
    auto = "auto"
    on = "on"
    off = "off"


OcrOpt = typer.Option(Ocr.auto, "--ocr", metavar="auto|on|off",
                      help="Read subtitles by OCR — an image subtitle stream (PGS, VobSub, DVB), else "
                           "those burned into the picture: auto (when there is no "
                           "subtitle file or text track), on (always; beside a text track, "
                           "compare the two), off.")
BandOpt = typer.Option(None, "--band", metavar="Y0:Y1",
                       help="Read burned-in subtitles in these rows only, Y0:Y1 in pixels "
                            "(880:1040) or fractions of the height (0.8:0.97), instead of "
                            "finding the bands.")
FramesOpt = typer.Option(None, "--frames", metavar="DIR",
                         help="Write each burned-in cue's band image, as read, into this "
                              "folder (cue-007-00h01m23.480s.png).")


def ocr_settings(video: Path, ocr: Ocr, band: str | None, frames: Path | None):
    """The OCR options as the library takes them; a band that does not fit the picture is a usage error."""
    from bilingual.sources import OcrSettings
    from bilingual.sources.burnedin.read import parse_band

    rows = None
    if frames is not None:
        check_output_folder(frames, "--frames")
    if band is not None:
        try:
            rows = parse_band(band, probe_media(video).height or 0)
        except ValueError as exc:
            key, values = exc.args
            fail(say(key, Said.lang, **values))
        except InputError as exc:
            fail(exc.in_language(Said.lang))
    return OcrSettings(ocr.value, rows, str(frames) if frames else None)
SubsOpt = typer.Option(None, "--subs", "-s", metavar="FILE",
                       help="Subtitle file (else a same-stem sidecar or a text track).")
NoSpeechOpt = typer.Option(False, "--no-speech", help="Skip the speech stage (the static screen only).")
NoLanguageOpt = typer.Option(False, "--no-language", help="Find speech and check timing, but skip the spoken "
                                                          "language (no Whisper).")


@contextmanager
def stderr_status(first: str):
    """Progress of a slow step on stderr (rich), never mixed into stdout."""
    with stderr.status(first) as status:
        yield lambda text: status.update(text)


def fail(text: str, code: int = 2) -> NoReturn:
    """One clear line on stderr and the exit code; never a traceback."""
    print(f"bilingual: error: {text}", file=sys.stderr)
    raise typer.Exit(code)


def emit(text: str, output: Path | None) -> None:
    """Text to standard output, or to `output` through the output guard (`-` is standard output)."""
    text = text if text.endswith("\n") else text + "\n"
    if output is None:
        check_output(STDOUT)  # not `>> input`
        sys.stdout.write(text)
    else:
        write_output(output, text.encode("utf-8"))


def guard_entry(video: Path, subs: Path | None, profile: str | None, output: Path | None,
                force: bool = False) -> None:
    """Register what a check reads (the entry, its subtitle file or same-stem sidecars, a profile
    file) and refuse an output that would replace one of them, or an existing file without
    `force`, before any work."""
    protect_inputs(video, subs, profile_file(profile))
    if subs is None and (output is not None or stdout_is_a_file()):
        from bilingual.sources.files import find_sidecars  # the sidecars the check may read

        protect_inputs(*find_sidecars(video))
    if output is not None:
        check_new_output(output, force)


def profile_file(profile: str | None) -> str | None:
    return profile if profile and (profile.endswith(".toml") or "/" in profile) else None


def _render(report, fmt: Format, lang: Lang, output: Path | None, video_url: str | None = None) -> None:
    if fmt is Format.json:
        emit(render_json(report, lang.value), output)
    elif fmt is Format.html:
        from bilingual.report.html import render_page

        page_dir = output.parent if output is not None else Path.cwd()
        emit(render_page(report.to_dict(lang.value), lang.value, page_dir=page_dir, video_url=video_url), output)
    elif output is None:
        check_output(STDOUT)
        render_text(report, sys.stdout, lang.value)
    else:
        import io

        buffer = io.StringIO()
        render_text(report, buffer, lang.value, color=False)
        emit(buffer.getvalue(), output)


@app.command()
def check(
    video: Path = typer.Argument(..., metavar="VIDEO", help="The entry (MP4)."),
    subs: Path | None = SubsOpt,
    profile: str | None = ProfileOpt,
    fmt: Format = typer.Option(Format.text, "--format", "-f", metavar="text|json|html",
                               help="text (terminal), json (the report contract) "
                                    "or html (one self-contained page)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to this file."),
    force: bool = ForceOpt,
    lang: Lang = LangOpt,
    model: Path | None = ModelOpt,
    no_speech: bool = NoSpeechOpt,
    no_language: bool = NoLanguageOpt,
    ocr: Ocr = OcrOpt,
    band: str | None = BandOpt,
    frames: Path | None = FramesOpt,
    video_url: str | None = typer.Option(None, "--video-url", metavar="URL",
                                         help="HTML report: the address its player loads "
                                              "the video from [default: the entry's path "
                                              "relative to the report]."),
) -> None:
    """Check one entry against a contest profile and report with evidence."""
    guard_entry(video, subs, profile, output, force)
    report = run_check(say("progress/check", lang.value), video, subs, profile, ocr, band, frames, speech=not no_speech,
                       language=not no_language, model=model)
    _render(report, fmt, lang, output, video_url)
    exit_with(report, report.exit_code, lang.value)


def run_check(status: str, video: Path, subs: Path | None, profile: str | None, ocr: Ocr,
              band: str | None, frames: Path | None, **options):
    """The check as `check` and `timing` run it: the profile and the OCR options refused before any
    work, progress on stderr."""
    prof = load_profile(profile)
    settings = ocr_settings(video, ocr, band, frames)
    with stderr_status(status) as progress:
        return check_api(video, subs, prof, ocr=settings, progress=progress, **options)


def exit_with(report, code: int, lang: str) -> None:
    """Exit 2 with one line (in `lang`) when the input could not be analysed, else with `code`.
    Every reason is on the line: a file with neither audio nor video says both."""
    fatal = list(dict.fromkeys(message(f, lang) for f in report.findings if f.fatal))
    if fatal:
        fail("; ".join(fatal))
    raise typer.Exit(code)


@app.command()
def probe(video: Path = typer.Argument(..., metavar="VIDEO", help="The entry (or any media file)."),
          fmt: TextOrJson = FormatOpt, lang: Lang = LangOpt) -> None:
    """Container, duration, picture, size and every audio and subtitle stream."""
    protect_inputs(video)
    info = probe_media(video)
    if fmt is TextOrJson.json:
        emit(to_json({"path": info.path, **info.to_dict()}), None)
        return
    Terminal().print(probe_table(info, lang.value))


@app.command()
def timing(
    video: Path = typer.Argument(..., metavar="VIDEO", help="The entry."),
    subs: Path | None = SubsOpt,
    profile: str | None = ProfileOpt,
    fmt: TextOrJson = FormatOpt,
    lang: Lang = LangOpt,
    ocr: Ocr = OcrOpt,
    band: str | None = BandOpt,
    frames: Path | None = FramesOpt,
) -> None:
    """Only check that the subtitles follow the speech: offset, splits, drift, cues against speech."""
    guard_entry(video, subs, profile, None)
    report = run_check(say("progress/timing", lang.value), video, subs, profile, ocr, band, frames, language=False,
                       look=False)  # the quick look's finding is not a timing finding: not shown, not paid for
    timing_codes = [f for f in report.sorted_findings() if f.fatal or f.code.startswith("timing.")]
    code = findings_exit_code(timing_codes)
    if fmt is TextOrJson.json:
        emit(to_json(timing_dict(report, timing_codes, code, lang.value)), None)
    else:
        print(timing_text(report, timing_codes, lang.value))
    exit_with(report, code, lang.value)


@app.command()
def transcribe(
    video: Path = typer.Argument(..., metavar="VIDEO", help="The entry."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write to this file instead of stdout."),
    force: bool = ForceOpt,
    fmt: Transcript = typer.Option(Transcript.srt, "--format", "-f", metavar="srt|json",
                                   help="srt, or json (segments with word times)."),
    model: Path | None = ModelOpt,
    any_language: bool = typer.Option(False, "--any-language", help="Transcribe even speech that is not Mandarin."),
    lang: Lang = LangOpt,
) -> None:
    """The Mandarin transcript of the main audio, with segment times (word times in JSON); speech that
    is not Mandarin is refused (exit 2) unless --any-language."""
    from bilingual.media import MAX_ANALYSED_S, decode_audio, stream_audio
    from bilingual.speech.models import load_whisper, whisper_model_dir
    from bilingual.speech.transcribe import to_srt, transcribe_stream, why_not_mandarin

    protect_inputs(video)
    if output is not None:
        check_new_output(output, force)
    info = probe_media(video)
    if info.main_audio is None:
        fail(f"{video}: {say('error/no_audio_to_transcribe', lang.value)}")
    whisper = load_whisper(whisper_model_dir(model))
    if not any_language:  # decided on the first hour at most, as `check` analyses no more
        with stderr_status(say("progress/deciding_language", lang.value)):
            refusal = why_not_mandarin(decode_audio(info.path, info.main_audio.index, limit_s=MAX_ANALYSED_S),
                                       whisper, lang.value)
        if refusal:
            fail(refusal)
    audio = stream_audio(info.path, info.main_audio.index, duration_s=info.duration_s)  # memory flat
    total = info.duration_s or 0
    with stderr_status(say("progress/transcribing", lang.value)) as progress:
        segments = transcribe_stream(audio, whisper, words=fmt is Transcript.json, progress=lambda t: progress(
            say("progress/transcribing_at", lang.value, done=f"{t:.0f}", total=f"{total:.0f}")))
    if fmt is Transcript.json:
        emit(to_json({"path": info.path, "language": "zh", "segments": [s.to_dict() for s in segments]}), output)
    else:
        emit(to_srt(segments), output)


@app.command()
def fix(
    subs: Path = typer.Argument(..., metavar="SUBS", help="Subtitle file to correct (srt, ass, ssa, vtt)."),
    video: Path = typer.Option(..., "--video", metavar="VIDEO",
                               help="The entry whose speech the subtitles must follow."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Where to write [default: <name>.fixed.<ext>]."),
    profile: str | None = ProfileOpt,
    in_place: bool = typer.Option(False, "--in-place", help="Overwrite the input, keeping <name>.bak."),
    force: bool = ForceOpt,
    lang: Lang = LangOpt,
) -> None:
    """Apply the detected offset, block offsets and drift; enforce minimum gap and duration."""
    from bilingual.fix import fix_subtitles

    protect_inputs(profile_file(profile))
    prof = load_profile(profile)
    try:
        with stderr_status(say("progress/fix", lang.value)):
            result = fix_subtitles(subs, video, prof, output=output, in_place=in_place, force=force)
    except FixRefused as exc:  # a finding about the subtitles, not unusable input: exit 1, nothing written
        fail(exc.in_language(lang.value), 1)
    said = sys.stderr if output is not None and str(output) == "-" else sys.stdout  # `-o -`: stdout is the file
    for change in [c.words(lang.value) for c in result.changes] or [say("fix.nothing", lang.value)]:
        print(f"- {change}", file=said)
    if result.backup:
        print(say("fix.backup", lang.value, path=result.backup), file=said)
    print(say("fix.written", lang.value, path=result.output), file=said)


@app.command()
def extract(
    video: Path = typer.Argument(..., metavar="VIDEO", help="The entry."),
    out: Path = typer.Option(..., "--out", metavar="DIR", help="Folder to write into (created if missing)."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that exist."),
    ocr: Ocr = OcrOpt,
    band: str | None = BandOpt,
    frames: Path | None = FramesOpt,
    lang: Lang = LangOpt,
) -> None:
    """The main audio as 16 kHz mono WAV, every text subtitle stream as SRT, and (OCR) what is burned
    into the picture as <stem>.burned-in.<lang>.srt."""
    from bilingual.extract import extract_entry

    protect_inputs(video)
    with stderr_status(say("progress/extracting", lang.value)):
        written = extract_entry(video, out, force=force, ocr=ocr_settings(video, ocr, band, frames))
    for path in written:
        print(path)


@app.command()
def scripts(
    subs: Path = typer.Argument(..., metavar="SUBS", help="Subtitle file (srt, ass, ssa, vtt)."),
    profile: str | None = ProfileOpt,
    fmt: TextOrJson = FormatOpt,
    lang: Lang = LangOpt,
) -> None:
    """Per-cue and whole-track script analysis: languages, Chinese variant, Tibetan integrity."""
    from bilingual.rules.script import script_findings
    from bilingual.script import analyze_track
    from bilingual.sources.files import load_subtitle_file

    protect_inputs(subs, profile_file(profile))
    prof = load_profile(profile)
    track = load_subtitle_file(subs)
    analysis = analyze_track(track, expects_tibetan=prof.accepts_tibetan_subtitles)
    findings = script_findings(analysis, prof)
    code = findings_exit_code(findings)
    if fmt is TextOrJson.json:
        emit(to_json(scripts_dict(track, analysis, findings, code, lang.value)), None)
    else:
        print_scripts(Terminal(), track, analysis, findings, lang.value)
    raise typer.Exit(code)


@profiles_app.command("list")
def profiles_list(lang: Lang = LangOpt) -> None:
    """The built-in contest profiles."""
    Terminal().print(profiles_table(lang.value))


@profiles_app.command("show")
def profiles_show(name: str = typer.Argument(..., metavar="NAME", help="Profile name or .toml file."),
                  fmt: TextOrJson = FormatOpt, lang: Lang = LangOpt) -> None:
    """Every rule of a profile, with the clause of the notice it comes from."""
    p = load_profile(name)
    if fmt is TextOrJson.json:
        emit(to_json(dataclasses.asdict(p)), None)
        return
    print_profile(Terminal(), p, lang.value)


@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., metavar="PATH", help="Entries or folders (walked for video files)."),
    out: Path = typer.Option(Path("bilingual-audit"), "--out", metavar="DIR", help="Folder for reports and summaries."),
    profile: str | None = ProfileOpt,
    jobs: int = typer.Option(1, "--jobs", "-j", metavar="N", min=1,
                             help="Worker processes (at most one per core and per 1.5 GB "
                                  "of free memory; not with --cluster)."),
    lang: Lang = LangOpt,
    model: Path | None = ModelOpt,
    no_speech: bool = NoSpeechOpt,
    no_language: bool = NoLanguageOpt,
    ocr: Ocr = OcrOpt,
    cluster: str | None = typer.Option(None, "--cluster", metavar="ADDRESS",
                                       help="Run the entries on this Ray cluster (host:port, or auto for "
                                            "$RAY_ADDRESS); needs bilingual[cluster]."),
    ship: bool = typer.Option(False, "--ship", help="With --cluster: send each entry's bytes to its worker "
                                                    "(no shared storage)."),
    html: bool = typer.Option(False, "--html", help="Also write each entry's HTML page beside its JSON report."),
) -> None:
    """Check many entries: one JSON report each, plus summary.csv, summary.jsonl and index.html."""
    from bilingual.audit import find_entries, run_audit
    from bilingual.report.batch import counts_line
    from bilingual.sources.files import find_sidecars

    if ship and cluster is None:
        fail(say("error/ship_without_cluster", lang.value))
    entries = find_entries(paths)
    protect_inputs(profile_file(profile), *entries, *(s for e in entries for s in find_sidecars(e)))
    load_profile(profile)  # refuse a bad profile before any work (and before making the folder)
    check_output_folder(out)
    summary = run_audit(paths, out, profile=profile, jobs=jobs, lang=lang.value, cluster=cluster, ship=ship,
                        options={"speech": not no_speech, "language": not no_language, "ocr": ocr.value,
                                 "model": str(model) if model else None}, pages=html)
    print(counts_line(summary.counts, out, lang.value, summary.reused), file=sys.stderr)
    if summary.interrupted:
        print(f"bilingual: interrupted: {say('audit/interrupted', lang.value, n=summary.total)}", file=sys.stderr)
    raise typer.Exit(summary.exit_code)


@app.command()
def sample(out: Path = typer.Option(Path(".sample"), "--out", metavar="DIR",
                                    help="Folder for the sample entry.")) -> None:
    """Build the bundled sample entry (Mandarin speech, Tibetan subtitles) and print its path."""
    from bilingual.sample import build_sample

    check_output_folder(out, "--out")
    print(build_sample(out))


@app.callback(invoke_without_command=True)
def _root(version: bool = typer.Option(False, "--version", help="Print the version.")) -> None:
    if version:
        print(f"bilingual {__version__}")
        raise typer.Exit(0)


def main() -> None:
    sys.exit(run(sys.argv[1:]))


def run(args: list[str]) -> int:
    """The command's exit code. Every failure is one line on stderr: a usage error (2, not click's
    boxed panel), input or environment that cannot be used (2), a broken pipe (141, as for any
    program killed by SIGPIPE: `| head -1` is not a failure of the entry), an interrupt (130),
    a bug (3; with BILINGUAL_DEBUG=1 the traceback, still 3)."""
    prepare_std_streams()
    try:
        code = invoke(args)
        flush_stdout()
        return code
    except click_errors.UsageError as exc:
        return usage_error(exc, args)
    except InputError as exc:
        print(f"bilingual: error: {exc.in_language(Said.lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bilingual: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        silence_stdout()
        return 141
    except StdoutError as exc:
        silence_stdout()
        print(f"bilingual: error: cannot write to standard output: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.filename is None or os.environ.get("BILINGUAL_DEBUG"):
            raise_bug(exc)
            return 3
        # the file system's answer about a named file (a name too long, a folder that vanished):
        # the environment, not a bug
        print(f"bilingual: error: {short_name(exc.filename)}: {exc.strerror}", file=sys.stderr)
        return 2
    except Exception as exc:
        raise_bug(exc)
        return 3


def raise_bug(exc: BaseException) -> None:
    """A bug: one line, or with BILINGUAL_DEBUG=1 the traceback (the exit code stays 3)."""
    if os.environ.get("BILINGUAL_DEBUG"):
        traceback.print_exception(exc)
    else:
        print(f"bilingual: internal error: {type(exc).__name__}: {exc} (set BILINGUAL_DEBUG=1 for a traceback)",
              file=sys.stderr)


def short_name(name: object) -> str:
    text = os.fsdecode(name) if isinstance(name, (str, bytes)) else str(name)
    return text if len(text) <= 80 else text[:40] + "…" + text[-30:]


def invoke(args: list[str]) -> int:
    """Run the click command ourselves: click's own main exits 1 on a broken pipe and boxes usage errors."""
    command = typer.main.get_command(app)
    try:
        with command.make_context("bilingual", list(args)) as ctx:
            command.invoke(ctx)
        return 0
    except (typer.Exit, getattr(click_errors, "Exit", typer.Exit)) as exc:
        return exc.exit_code
    except click_errors.NoArgsIsHelpError as exc:
        print(exc.format_message())  # `bilingual` alone: the help, as before
        return 2
    except (typer.Abort, getattr(click_errors, "Abort", typer.Abort)):
        raise KeyboardInterrupt from None
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise BrokenPipeError from None
        if exc.errno in (errno.ENOSPC, errno.EBADF, errno.EIO) and is_stdout_error(exc):
            raise StdoutError(exc.strerror) from None
        raise


# click's usage messages (English, and worded differently across click versions) by their shape:
# each is said again from messages.toml (`usage/<key>`) in the language the command speaks.
_USAGE_SHAPES = [
    ("no_such_option_hint", re.compile(r"No such option: (?P<option>\S+) \(Possible options: (?P<possible>.*)\)")),
    ("no_such_option", re.compile(r"No such option: (?P<option>\S+)")),
    ("missing_argument", re.compile(r"Missing argument '(?P<name>.*)'\.")),
    ("missing_option", re.compile(r"Missing option '(?P<name>.*)'\.")),
    ("not_a_choice", re.compile(r"Invalid value for (?P<name>.*?): (?:Value error, )?'(?P<value>.*)' is not one of "
                                r"(?P<choices>.*)\.")),
    ("invalid_value", re.compile(r"Invalid value for (?P<name>.*?): (?P<detail>.*)")),
    ("no_such_command", re.compile(r"No such command '(?P<name>.*)'\.")),
    ("extra_arguments", re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<values>.*)\)")),
    ("needs_value", re.compile(r"Option '(?P<name>.*)' requires an? .*argument.*\.")),
    ("takes_no_value", re.compile(r"Option '(?P<name>.*)' does not take a value\.")),
]


def usage_error(exc: click_errors.UsageError, args: list[str]) -> int:
    sub = sub_command(args)
    # click raises a missing option value before it has a context: the command is then the first word
    where = exc.ctx.command_path if exc.ctx else f"bilingual {args[0]}" if sub is not None else "bilingual"
    lang = usage_language(args, sub)
    text = " ".join(exc.format_message().split())
    key, values = next(((key, m.groupdict()) for key, shape in _USAGE_SHAPES if (m := shape.fullmatch(text))),
                       ("other", {"detail": text}))
    print(f"bilingual: error: {say(f'usage/{key}', lang, **values)}{say('usage/see_help', lang, command=where)}",
          file=sys.stderr)
    return 2


def sub_command(args: list[str]) -> Any:
    """The click command the first word names (None: an option, or no such command)."""
    return getattr(typer.main.get_command(app), "commands", {}).get(args[0]) if args else None


def usage_language(args: list[str], sub: Any) -> str:
    """The language a usage error is said in: `--lang`'s where it was given, else $BILINGUAL_LANG's,
    else the command's default (zh) for a command that has --lang, else English (as for `--version`)."""
    for k, arg in enumerate(args):
        value = arg.split("=", 1)[1] if arg.startswith("--lang=") else args[k + 1] if arg == "--lang" and \
            k + 1 < len(args) else None
        if value in ("zh", "en"):
            return value
    has_lang = sub is not None and any("--lang" in getattr(p, "opts", ()) for p in sub.params)
    return env_lang() or ("zh" if has_lang else "en")


class StdoutError(Exception):
    """Standard output cannot take what we print (closed, full, an I/O error)."""


class ClosedStdout:
    """Standard output when the shell closed it (`>&-`): Python then has no sys.stdout at all, and
    print() would drop everything silently."""

    encoding = "utf-8"

    def write(self, text: str) -> int:
        raise StdoutError(os.strerror(errno.EBADF) + " (standard output is closed)")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def prepare_std_streams() -> None:
    """Stdout and stderr that can carry Tibetan and Chinese. A locale or PYTHONIOENCODING that
    cannot encode them (latin-1, ascii) gets UTF-8 instead: replacing the cue text with "?" would
    erase the very evidence a report exists to show, and JSON must be UTF-8 (RFC 8259 §8.1)."""
    if sys.stdout is None:
        sys.stdout = ClosedStdout()  # type: ignore[assignment]
    for stream in (sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "reconfigure"):
            continue
        try:
            "\u0f56\u0f7c\u0f51\u4e2d".encode(stream.encoding)
        except (UnicodeEncodeError, LookupError):
            stream.reconfigure(encoding="utf-8")


def is_stdout_error(exc: OSError) -> bool:
    """Whether a write error came from standard output (and not from a file we were writing)."""
    return exc.filename is None


def flush_stdout() -> None:
    """Flush here, where a failure can still be one line (at exit Python would print a traceback)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise StdoutError(exc.strerror) from None


def silence_stdout() -> None:
    """Point fd 1 at /dev/null, so that Python's final flush of what is still buffered cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass
