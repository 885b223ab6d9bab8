"""The verdict pipeline: media → subtitles (`sources`) → script → speech → timing, each stage adding
its facts (`facts.Facts`); then the rules (`rules.judge`) turn facts and profile into findings."""

from __future__ import annotations

import importlib
import os
import stat
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from bilingual.errors import InputError
from bilingual.facts import Facts
from bilingual.media import MAX_ANALYSED_S, MediaInfo, probe, require_file
from bilingual.model import Cue, SubtitleTrack
from bilingual.pairing import detect_pairing, timing_cues
from bilingual.profiles import Profile, load_profile
from bilingual.report import Report
from bilingual.rules import judge
from bilingual.script import TrackScript, analyze_track
from bilingual.shots import detect_cuts
from bilingual.sources import OcrSettings, find_subtitle_source, imagestream
from bilingual.sources.burnedin import load_burned_in
from bilingual.sources.burnedin.compare import compare_with_picture
from bilingual.sources.files import empty_sidecars
from bilingual.speech.language import MIN_SPEECH_S, SpeechAnalysis, analyze_speech, hear
from bilingual.speech.models import load_whisper, whisper_model_dir
from bilingual.speech.transcribe import said_under, transcribe
from bilingual.text.scripts import ScriptCounts
from bilingual.timing import analyze_timing


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
    facts = Facts(str(video), speech_analysed=speech, language_analysed=language)
    _analyse(facts, video, subs, profile, ocr, model, progress, look)
    return Report.from_facts(facts, profile, judge(facts, profile), facts.size_bytes)


def _analyse(facts: Facts, video: str | os.PathLike, subs: str | os.PathLike | None,
             profile: Profile, ocr: OcrSettings | str, model: str | os.PathLike | None,
             progress: Callable[[str], None] | None, look: bool) -> None:
    """The stages in order, each adding its facts; a stage that cannot run says why in `facts.problems`
    and the later ones that need it do not run."""
    speech, language = facts.speech_analysed, facts.language_analysed
    stop = threading.Event()  # set: the audio decode is not wanted after all
    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            require_file(video)  # before any child process: ffmpeg opening a FIFO waits forever
        except InputError as exc:
            facts.size_bytes = _size(video)
            facts.problems.append(exc)
            return
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
            facts.size_bytes = _size(video)
            facts.problems.append(exc)
            return
        facts.media, facts.size_bytes = media, media.size_bytes
        facts.too_long = media.duration_s is not None and media.duration_s > MAX_ANALYSED_S
        if facts.too_long:
            # Only the static screen and the subtitle file: the rest holds or decodes the whole media.
            stop.set()
            audio, ocr = None, replace(OcrSettings.of(ocr), mode="off")
        track, script = _check_subtitles(facts, media, subs, profile, ocr, second_opinion=language, look=look)
        # Shot changes are found while the audio decodes; the cues they are checked against wait
        # for the pairing (dual-language subtitles: the required language's cues).
        cuts = detect_cuts(media.path, media.duration_s) if track is not None and not facts.too_long \
            and profile.cues.shot_change_frames is not None and media.has_video else None
        heard = None
        if audio is not None and (main := media.main_audio) is not None and media.has_video:
            if main.index != media.audio_streams[0].index:
                audio = pool.submit(hear, video, main.index, stop)
            heard = _check_speech(facts, track, script, profile, model, language, audio, progress)
        if track is not None and script is not None:
            cues, cues_language = timing_cues(track, script, facts.pairing.detected if facts.pairing else None)
            facts.timed_cues, facts.timed_language = cues, cues_language
            if heard is not None:
                _check_timing(facts, cues, heard, profile, progress)
            facts.cuts = cuts


def _check_subtitles(facts: Facts, media: MediaInfo, subs: Any, profile: Profile,
                     ocr: OcrSettings | str = "auto", second_opinion: bool = True,
                     look: bool = True) -> tuple[SubtitleTrack | None, TrackScript | None]:
    """Find and read the subtitles and their script; with `ocr="on"` and a text track, also read the
    picture and compare the two; with "auto", a quick look at the picture beside the text track."""
    ocr = OcrSettings.of(ocr)
    facts.image_streams_unread = imagestream.unread_reason(media, ocr.mode)  # `--ocr off`, or no OCR here
    source = find_subtitle_source(media, subs, ocr)
    if subs is None:
        facts.empty_sidecars = [str(path) for path in empty_sidecars(media.path)]
    track = None
    if source is not None:
        facts.found = source
        try:
            track = facts.track = source.load(media)
        except InputError as exc:
            facts.problems.append(exc)
            facts.track_failed = True
            return None, None
    if track is None or not track.cues:
        return None, None
    analysis = facts.script = analyze_track(track, expects_tibetan=profile.accepts_tibetan_subtitles,
                                            second_opinion=second_opinion)
    if ocr.mode == "on" and track.source != "ocr" and media.has_video:
        try:
            picture = load_burned_in(media, ocr)
        except InputError as exc:
            facts.problems.append(exc)
        else:
            facts.picture = compare_with_picture(track, analysis, picture)
    elif look and ocr.mode == "auto" and track.source != "ocr" and media.has_video:
        _look_at_picture(facts, media)
    return track, analysis


def _look_at_picture(facts: Facts, media: MediaInfo) -> None:
    """The quick look at the picture beside a text track (`read.quick_look`; `rules.picture` judges
    it). The look is a help beside the text track, not a check of its own: when the picture cannot
    be looked at (no Tesseract, an unreadable frame), `subtitles.picture` says why and nothing else."""
    from bilingual.sources.burnedin.read import quick_look

    try:
        facts.look = quick_look(media.path, media)
    except InputError as exc:
        facts.look_unavailable = exc.reason


@dataclass
class _Heard:
    analysis: SpeechAnalysis
    audio: Any
    whisper: Any


def _check_speech(facts: Facts, track: SubtitleTrack | None, script: TrackScript | None,
                  profile: Profile, model: str | os.PathLike | None, language: bool, decoding: Future,
                  progress: Callable[[str], None] | None) -> _Heard | None:
    """Voice activity, spoken language and pairing."""
    model_dir, whisper = None, None
    try:
        if language:
            model_dir = whisper_model_dir(model)
            whisper = load_whisper(model_dir)
        audio, spans = decoding.result()
    except InputError as exc:
        facts.problems.append(exc)
        return None
    chinese = lines_in(track.cues, script, "zh") if track is not None and script is not None \
        and "zh" in script.languages else None
    analysis = analyze_speech(audio, whisper, spans=spans, progress=progress,
                              subtitle_text=(lambda s, e: cue_text_between(chinese, s, e)) if chinese else None)
    analysis.model = str(model_dir or "")
    facts.speech = analysis
    if analysis.language == "none" or language:  # without language ID, no pairing is detected
        allowed = profile.pairing.allowed if profile.pairing else ()
        facts.pairing = detect_pairing(analysis.language, script.pairing_languages if script else [], allowed)
    return _Heard(analysis, audio, whisper)


def _check_timing(facts: Facts, cues: list[Cue], heard: _Heard, profile: Profile,
                  progress: Callable[[str], None] | None) -> None:
    """Timing of the cues against the speech; in a Mandarin category, the Chinese cues against the
    Mandarin transcript."""
    analysis = heard.analysis
    if cues and analysis.speech_s >= MIN_SPEECH_S:
        facts.timing = analyze_timing(cues, analysis.spans, analysis.duration_s)
    mandarin_category = profile.pairing is not None and "zh-audio+zh-subs" in profile.pairing.allowed
    chinese_cues = facts.script is not None and "zh" in facts.script.languages
    detected = facts.pairing.detected if facts.pairing else None
    if chinese_cues and mandarin_category and detected == "zh-audio+zh-subs" and facts.script is not None:
        if progress:
            progress("Mandarin transcript")
        chinese = lines_in(cues, facts.script, "zh")
        facts.said_under = said_under(chinese, transcribe(heard.audio, heard.whisper, words=True))


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


def cue_text_between(cues: list, start_s: float, end_s: float) -> str:
    return "".join(c.text for c in cues if c.end_s > start_s and c.start_s < end_s)


def _size(path: str | os.PathLike) -> int | None:
    """A regular file's size, else None: Path.is_file raises on a name too long (ENAMETOOLONG)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None
