"""The verdict pipeline: media → subtitles → script → speech → timing → rules → report."""

from __future__ import annotations

import importlib
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from bilingual.compare import compare_with_picture
from bilingual.errors import InputError
from bilingual.findings import Finding, Severity
from bilingual.imagestream import not_read_findings as image_streams_not_read
from bilingual.media import MAX_ANALYSED_S, MediaInfo, probe, require_file
from bilingual.models import load_whisper, whisper_model_dir
from bilingual.pairing import pairing_verdict, reason_text, timing_cues
from bilingual.profiles import Profile, load_profile
from bilingual.report import Report
from bilingual.rules import cue_findings, manual_findings, media_findings, shot_change_findings, timing_findings
from bilingual.script import ScriptCounts, TrackScript, analyze_track, language_label
from bilingual.shots import detect_cuts
from bilingual.speech import MIN_SPEECH_S, SpeechAnalysis, analyze_speech, hear
from bilingual.subtitles import Cue, OcrSettings, SubtitleTrack, find_subtitle_source, load_burned_in
from bilingual.timing import analyze_timing
from bilingual.transcribe import content_findings, transcribe


def check(video: str | os.PathLike, subs: str | os.PathLike | None = None,
          profile: Profile | str | os.PathLike | None = None, *, speech: bool = True, language: bool = True,
          ocr: OcrSettings | str = "auto", model: str | os.PathLike | None = None,
          progress: Callable[[str], None] | None = None, look: bool = True) -> Report:
    """Check one entry against a contest profile. Input problems become findings, never exceptions
    (a bad profile is the caller's argument and raises InputError).

    `speech=False` skips the speech stage (the static screen only); `language=False` keeps voice
    activity and timing but runs no language-ID model (no Whisper, no fastText); `model` is a
    CTranslate2 Whisper folder to use instead of the bundled base model. `ocr`: "auto" reads
    subtitles burned into the picture when there is no subtitle file or text track (beside one, with
    `look`, a quick look at the picture: `ocr.picture_differs`; `timing` shows no such finding and
    passes look=False); "on" reads them
    always — beside a text track, the text track is what is analysed and the picture is compared
    with it (`ocr.agrees` / `ocr.disagrees`); "off" never. An `OcrSettings` also gives the band
    to read (`band`: source rows) and a folder for each cue's band image (`frames_dir`).

    Dual-language subtitles (`TrackScript.dual`: one cue with both lines, two bands in the picture,
    two sidecars) satisfy the pairing whose required subtitle language they hold; timing and the cue
    rules then run on that language's cues (`pairing.timing_cues`, `timing.cues_language`).
    """
    if not isinstance(profile, Profile):
        profile = load_profile(profile)
    report = Report(str(video), profile)
    stop = threading.Event()  # set: the audio decode is not wanted after all
    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            require_file(video)  # before any child process: ffmpeg opening a FIFO waits forever
        except InputError as exc:
            return _unreadable(report, video, exc)
        # The first audio stream decodes (an ffmpeg process, VAD on each chunk as it comes) and the
        # VAD loads while the file is probed and the subtitles are read; a different main stream
        # is decoded later.
        audio = pool.submit(hear, video, None, stop) if speech else None
        if speech:
            pool.submit(importlib.import_module, "onnxruntime")
        try:
            media = probe(video)
        except InputError as exc:
            stop.set()
            return _unreadable(report, video, exc)
        report.media, report.size_bytes = media, media.size_bytes
        report.add(*media_findings(media, profile))
        too_long = media.duration_s is not None and media.duration_s > MAX_ANALYSED_S
        if too_long:
            # Only the static screen and the subtitle file: the rest holds or decodes the whole media.
            stop.set()
            report.add(_too_long(media))
            audio, ocr = None, replace(OcrSettings.of(ocr), mode="off")
        track, script = _check_subtitles(report, media, subs, profile, ocr, second_opinion=language, look=look)
        # Shot changes are found while the audio decodes; the cues they are checked against wait
        # for the pairing (dual-language subtitles: the required language's cues).
        cuts = detect_cuts(media.path, media.duration_s) if track is not None and not too_long \
            and profile.cues.shot_change_frames is not None and media.has_video else None
        heard = None
        if audio is not None and (main := media.main_audio) is not None and media.has_video:
            if main.index != media.audio_streams[0].index:
                audio = pool.submit(hear, video, main.index, stop)
            heard = _check_speech(report, track, script, profile, model, language, audio, progress)
        if track is not None and script is not None:
            cues, cues_language = timing_cues(track, script, report.pairing)
            report.timing.update(cues_language=cues_language, cue_count=len(cues))
            if heard is not None:
                _check_timing(report, cues, cues_language, heard, profile, progress)
            _check_cues(report, media, cues, profile, cuts)
            if cuts is not None:
                report.details["cuts"] = cuts
    if not speech:
        report.add(*unchecked_pairing(profile, "no_speech"))
    report.add(*manual_findings(profile))
    return report


def input_finding(exc: InputError) -> Finding:
    return Finding(exc.code, Severity.ERROR, data={"reason": exc.reason, "path": exc.path})


def _unreadable(report: Report, video: str | os.PathLike, exc: InputError) -> Report:
    report.size_bytes = _size(video)
    report.add(input_finding(exc))
    return report


def _too_long(media: MediaInfo) -> Finding:
    finding = input_finding(InputError(
        "media.too_long", f"{media.duration_s:.0f} s; speech, timing, shot changes and burned-in subtitles "
        f"are analysed up to {MAX_ANALYSED_S:.0f} s", media.path))
    finding.data.update(duration_s=round(media.duration_s or 0.0, 3), limit_s=MAX_ANALYSED_S)
    return finding


def _check_subtitles(report: Report, media: MediaInfo, subs: Any, profile: Profile, ocr: OcrSettings | str = "auto",
                     second_opinion: bool = True, look: bool = True) -> tuple[SubtitleTrack | None, TrackScript | None]:
    """Find and read the subtitles, their script and integrity; with `ocr="on"` and a text track,
    also read the picture and compare the two."""
    ocr = OcrSettings.of(ocr)
    report.add(*image_streams_not_read(media, ocr.mode))  # `--ocr off`, or no OCR here
    source = find_subtitle_source(media, subs, ocr)
    track = None
    if source is not None:
        report.subtitles.update(source=source.kind, **source.where())
        try:
            track = source.load(media)
        except InputError as exc:
            report.add(input_finding(exc))
            return None, None
        report.add(*dropped_band_findings(track))
    if track is None or not track.cues:
        report.subtitles["source"] = "none"
        if profile.subtitles and profile.subtitles.required:
            # Once the picture was read too, no subtitles is a fact, not a gap in what was looked at.
            looked = source is not None and source.kind == "ocr"
            report.add(Finding("subs.missing", Severity.ERROR if looked else Severity.WARNING,
                               data={"cite": profile.subtitles.cite, "variant": "burned_in" if looked else None}))
        return None, None
    analysis = analyze_track(track, profile, second_opinion=second_opinion)
    report.subtitles = subtitles_section(track, analysis)
    report.details["script"] = analysis
    if track.source == "sidecar":
        for f in track.extra.get("sidecars") or [{"encoding": track.encoding, "path": track.path}]:
            report.add(Finding("subs.encoding", Severity.INFO, data={"encoding": f["encoding"], "path": f["path"]}))
    report.add(*_with_ocr_evidence(analysis.findings, track))
    report.add(*_beyond_video(track, media))
    if ocr.mode == "on" and track.source != "ocr" and media.has_video:
        try:
            picture = load_burned_in(media, ocr)
        except InputError as exc:
            report.add(input_finding(exc))
        else:
            report.details["ocr"] = picture
            report.add(compare_with_picture(track, analysis, picture))
    elif look and ocr.mode == "auto" and track.source != "ocr" and media.has_video:
        report.add(*_look_at_picture(report, media, analysis))
    return track, analysis


# Keyframes a script must be read on for the picture's subtitles to be in it: one keyframe may show a
# sign or a shop front in the scenery; subtitles are on most of the keyframes of the time they run.
PICTURE_MIN_FRAMES = 2


def _look_at_picture(report: Report, media: MediaInfo, analysis: TrackScript) -> list[Finding]:
    """`ocr.picture_differs` for each script the picture's subtitles are in (`ocr.quick_look`) that the
    text track does not have: an error when read on PICTURE_MIN_FRAMES keyframes or more, else a
    warning. The look is a help beside the text track, not a check of its own: when the picture cannot
    be looked at (no Tesseract, an unreadable frame), `subtitles.picture` says why and nothing else."""
    from bilingual.ocr import quick_look

    try:
        look = quick_look(media.path, media)
    except InputError as exc:
        report.subtitles["picture"] = {"looked": False, "reason": exc.reason}
        return []
    report.subtitles["picture"] = {"looked": True, "keyframes": look.frames, "languages": look.languages,
                                   "keyframes_with_text": look.seen, "seconds": round(look.seconds, 3)}
    track = list(analysis.languages)
    track_language = language_label(track) if track else "none"
    return [Finding("ocr.picture_differs",
                    Severity.ERROR if look.seen[lang] >= PICTURE_MIN_FRAMES else Severity.WARNING, look.first_s[lang],
                    data={"language": lang, "track_language": track_language, "frames_with_text": look.seen[lang],
                          "keyframes": look.frames, "at_s": round(look.first_s[lang], 3), "text": look.text[lang]})
            for lang in look.languages if lang not in track]


def dropped_band_findings(track: SubtitleTrack) -> list[Finding]:
    """`ocr.band_dropped` (info) for each band of the picture whose readings were mostly no text."""
    return [Finding("ocr.band_dropped", Severity.INFO, data={**band, "band": "–".join(map(str, band["band"]))})
            for band in track.extra.get("ocr_dropped_bands", [])]


def _check_cues(report: Report, media: MediaInfo, cues: list[Cue], profile: Profile, cuts: list[float] | None) -> None:
    """The profile's cue rules on the cues timing looks at (`pairing.timing_cues`)."""
    report.add(*cue_findings(cues, profile, media.fps))
    if cuts is not None:
        report.add(*shot_change_findings(cues, cuts, profile, media.fps))


@dataclass
class _Heard:
    analysis: SpeechAnalysis
    audio: Any
    whisper: Any


def _check_speech(report: Report, track: SubtitleTrack | None, script: TrackScript | None, profile: Profile,
                  model: str | os.PathLike | None, language: bool, decoding: Future,
                  progress: Callable[[str], None] | None) -> _Heard | None:
    """Voice activity, spoken language and pairing."""
    model_dir, whisper = None, None
    try:
        if language:
            model_dir = whisper_model_dir(model)
            whisper = load_whisper(model_dir)
        audio, spans = decoding.result()
    except InputError as exc:
        report.add(input_finding(exc))
        return None
    chinese = lines_in(track.cues, script, "zh") if track is not None and script is not None \
        and "zh" in script.languages else None
    analysis = analyze_speech(audio, whisper, spans=spans, progress=progress,
                              subtitle_text=(lambda s, e: cue_text_between(chinese, s, e)) if chinese else None)
    analysis.model = str(model_dir or "")
    report.audio = analysis.audio_section()
    report.details["speech"] = analysis
    _judge_language(report, analysis, language, profile, script.pairing_languages if script else [])
    return _Heard(analysis, audio, whisper)


def _check_timing(report: Report, cues: list[Cue], cues_language: str, heard: _Heard, profile: Profile,
                  progress: Callable[[str], None] | None) -> None:
    """Timing of the cues against the speech; in a Mandarin category, the Chinese cues against the
    Mandarin transcript."""
    analysis = heard.analysis
    if cues and analysis.speech_s >= MIN_SPEECH_S:
        timing = analyze_timing(cues, analysis.spans, analysis.duration_s)
        report.timing.update(timing.section())
        report.details["timing"] = timing
        report.add(*timing_findings(timing, profile))
    mandarin_category = profile.pairing is not None and "zh-audio+zh-subs" in profile.pairing.allowed
    chinese_cues = "zh" in report.subtitles.get("languages", [])
    if chinese_cues and mandarin_category and report.pairing.get("detected") == "zh-audio+zh-subs":
        if progress:
            progress("Mandarin transcript")
        chinese = lines_in(cues, report.details["script"], "zh")
        report.add(*content_findings(chinese, transcribe(heard.audio, heard.whisper, words=True)))


def lines_in(cues: list[Cue], script: TrackScript, language: str) -> list[Cue]:
    """The cues that hold `language`, each with only its lines in that language (the Chinese line
    of a Tibetan + Chinese cue), for comparing with what is said."""
    holding = {c.cue.index for c in script.cues if language in c.languages}
    out = []
    for cue in cues:
        if cue.index in holding:
            lines = [line for line in cue.lines if language in ScriptCounts.of(line).languages()]
            out.append(replace(cue, text="\n".join(lines)) if lines else cue)
    return out


def _judge_language(report: Report, analysis: SpeechAnalysis, language: bool, profile: Profile,
                    subtitle_languages: list[str]) -> None:
    if analysis.language == "none":
        report.add(Finding("audio.no_speech", Severity.ERROR if profile.pairing else Severity.WARNING,
                           data={"speech_s": round(analysis.speech_s, 2)}))
    elif not language:
        report.pairing.update(reason=reason_text("not_analysed"), reason_code="not_analysed")
        report.add(*unchecked_pairing(profile, "no_language"))
        return
    elif analysis.language == "unknown":
        report.add(Finding("audio.needs_listen", Severity.WARNING, data={"reason": undecided_reason(analysis)}))
    else:
        report.add(Finding("audio.language", Severity.INFO, data={
            "language": analysis.language, "confidence": report.audio["confidence"]}))
    report.pairing, findings = pairing_verdict(analysis.language, subtitle_languages, profile)
    report.add(*findings)


def unchecked_pairing(profile: Profile, why: str) -> list[Finding]:
    """A warning where the profile's pairing rule was not checked: such a report is never a pass."""
    rule = profile.pairing
    if rule is None:
        return []
    return [Finding("pairing.unchecked", Severity.WARNING,
                    data={"variant": why, "allowed": rule.allowed, "cite": rule.cite})]


def undecided_reason(analysis: SpeechAnalysis) -> str:
    """The windows' verdicts in short ("zh 12 s, unknown 20 s"), for the request to listen."""
    seconds: dict[str, float] = {}
    for w in analysis.windows:
        seconds[w.verdict] = seconds.get(w.verdict, 0.0) + w.speech_s
    return ", ".join(f"{lang} {s:.0f} s" for lang, s in sorted(seconds.items(), key=lambda kv: -kv[1]))


def cue_text_between(cues: list, start_s: float, end_s: float) -> str:
    return "".join(c.text for c in cues if c.end_s > start_s and c.start_s < end_s)


OCR_SURE = 0.9  # below this OCR confidence, a finding about the text itself is a warning at most


def _with_ocr_evidence(findings: list[Finding], track: SubtitleTrack) -> list[Finding]:
    """Findings on text read from the picture carry where it was read, and never rest an error on
    text the OCR was unsure of."""
    read = track.extra.get("ocr")
    if not read:
        return findings
    for f in findings:
        if f.cue in read:
            f.data["ocr"] = read[f.cue]
            if f.severity is Severity.ERROR and read[f.cue]["confidence"] < OCR_SURE:
                f.severity = Severity.WARNING
    return findings


def subtitles_section(track: SubtitleTrack, analysis: TrackScript) -> dict[str, Any]:
    streamed = track.source in ("embedded", "image_stream")
    where = {"stream_index": track.stream_index} if streamed else {"path": track.path}
    extra = dict(track.extra)
    if "ocr" in extra:  # where each cue was read: frame time, band rows, confidence
        extra["ocr"] = [{"cue": index, **info} for index, info in extra["ocr"].items()]
    return {"source": track.source, **where, "format": track.format, "encoding": track.encoding,
            "language_tag": track.language_tag, **analysis.to_dict(), **extra}


def _beyond_video(track: SubtitleTrack, media: MediaInfo) -> list[Finding]:
    if not media.duration_s:
        return []
    return [Finding("subs.beyond_video", Severity.WARNING, c.start_s, c.end_s, c.index,
                    {"duration_s": round(media.duration_s, 3), "text": c.text})
            for c in track.cues if c.start_s >= media.duration_s]


def _size(path: str | os.PathLike) -> int | None:
    """A regular file's size, else None: Path.is_file raises on a name too long (ENAMETOOLONG)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None
