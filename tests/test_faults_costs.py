"""Faults that used to hang or cost without bound (issue 11): non-regular files, names ffmpeg would
read as options or protocols, a stray cue at 99:59:59, oversized subtitle files, a long file, and
children that run past their timeout. Each runs the CLI as a whole process, in its own session
(killed whole at a time bound, so a regression fails instead of hanging), and checks the exit code,
one stderr line, no traceback, the inputs unchanged, the wall time and the peak memory."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import bilingual.media as media
from bilingual.errors import InputError

from conftest import digest, ffmpeg, make_video, with_peak_rss, write_srt


@dataclass
class Run:
    code: int | None  # None: killed at the time bound
    stdout: str
    stderr: str
    wall_s: float
    peak_mb: float


def run_bounded(*args: str, timeout_s: float = 30.0, cwd: Path | None = None) -> Run:
    """`python -m bilingual ARGS`, its process group killed after `timeout_s`; the peak RSS of the
    largest process of its tree (its own: see `conftest.with_peak_rss`)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as figure:
        start = time.perf_counter()
        command = with_peak_rss([sys.executable, "-m", "bilingual", *map(str, args)], Path(figure.name))
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
                                start_new_session=True,  # the lines are asserted in English:
                                env={**os.environ, "COLUMNS": "120", "BILINGUAL_LANG": "en"})
        timer = threading.Timer(timeout_s, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        proc.wait()
        timer.cancel()
        with contextlib.suppress(ProcessLookupError):  # what it left behind (an ffmpeg waiting on a FIFO)
            os.killpg(proc.pid, signal.SIGKILL)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        peak_kib = figure.read()
        return Run(None if proc.returncode == -signal.SIGKILL else proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), wall,
                   int(peak_kib) / 1024 if peak_kib else float("nan"))


def assert_one_line(run: Run, code: int, *words: str) -> None:
    assert run.code is not None, f"hung: killed after {run.wall_s:.0f} s"
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert run.code == code, run.stderr
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("bilingual: error: ")
    for word in words:
        assert word in lines[0]


@pytest.fixture(scope="module")
def speech_clip(tmp_path_factory, corpus) -> Path:
    """3 s of real Mandarin speech under a small picture."""
    return make_video(tmp_path_factory.mktemp("faults") / "speech3.mp4", duration=3.0,
                      audio=corpus / "mandarin" / "aishell1_BAC009S0724W0121.wav")


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "entry.mp4"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["check", "timing"])
def test_fifo_as_the_video_is_refused_before_any_child_opens_it(fifo, command):
    run = run_bounded(command, fifo, timeout_s=20)
    assert_one_line(run, 2, "not a regular file (a FIFO)")
    assert run.wall_s < 10


def test_fifo_as_the_subtitles_is_refused(clip, fifo):
    before = digest(clip)
    run = run_bounded("check", clip, "--subs", fifo, "--no-speech", timeout_s=20)
    assert_one_line(run, 2, "not a regular file (a FIFO)")
    assert digest(clip) == before


def test_fifo_as_the_subtitles_of_fix_is_refused(clip, fifo, tmp_path):
    """Before: "no such subtitle file"."""
    run = run_bounded("fix", fifo, "--video", clip, "-o", tmp_path / "out.srt", timeout_s=20)
    assert_one_line(run, 2, "not a regular file (a FIFO)")
    assert not (tmp_path / "out.srt").exists()


def test_a_character_device_is_not_an_empty_file():
    run = run_bounded("check", "/dev/zero", timeout_s=20)
    assert_one_line(run, 2, "not a regular file (a character device)")


@pytest.mark.parametrize("name", ["-entry.mp4", "pipe:0.mp4", "data:,x.mp4"])
def test_names_ffmpeg_would_read_as_options_or_protocols_are_files(clip, tmp_path, name):
    entry = tmp_path / name
    entry.write_bytes(clip.read_bytes())
    before = digest(entry)
    run = run_bounded("check", "--no-language", "--format", "json", "--", name, cwd=tmp_path, timeout_s=60)
    assert run.code == 1, run.stderr  # the small clip fails the profile: it was read
    report = json.loads(run.stdout)
    assert report["media"]["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert report["audio"]["speech_s"] is not None  # the audio was decoded from the file too
    assert not any(f["code"] == "media.unreadable" for f in report["findings"])
    assert digest(entry) == before


@pytest.fixture
def one_second_sample(tmp_path, monkeypatch) -> Path:
    """The sample's sources, 1 s long instead of 125 s, so that building it takes a second."""
    from bilingual import sample

    sources = tmp_path / "sources"
    sources.mkdir()
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "flac",
           str(sources / "sample-entry.audio.flac"))
    write_srt(sources / "sample-entry.bo.srt", [(0.1, 0.9, "བོད་ཡིག")])
    monkeypatch.setattr(sample, "samples_dir", lambda: sources)
    return sources


@pytest.mark.parametrize("folder", ["-out", "pipe:out"])
def test_the_sample_builds_into_a_folder_ffmpeg_would_read_as_an_option_or_a_protocol(one_second_sample, tmp_path,
                                                                                       monkeypatch, folder):
    from bilingual.sample import build_sample

    monkeypatch.chdir(tmp_path)
    video = build_sample(folder)  # relative, as `bilingual sample --out -out` gives it
    assert video == Path(folder) / "sample-entry.mp4"
    assert media.probe(tmp_path / video).duration_s == pytest.approx(1.0, abs=0.25)
    assert sorted(p.name for p in (tmp_path / folder).iterdir()) == ["sample-entry.bo.srt", "sample-entry.mp4"]


def test_the_sample_build_has_a_timeout(one_second_sample, tmp_path, monkeypatch):
    """Before: its ffmpeg ran without one (and without the `file:` paths of every other ffmpeg call)."""
    from bilingual import sample

    monkeypatch.setattr(sample, "decode_timeout", lambda duration_s: 0.01, raising=False)
    with pytest.raises(InputError) as stopped:
        sample.build_sample(tmp_path / "out")
    assert "could not build the sample: ffmpeg took longer than 0 s" in stopped.value.reason
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "sample-entry.bo.srt"]  # no temporary file


def test_a_cue_at_99_59_59_does_not_size_the_timing_grid(speech_clip, tmp_path):
    """Before: the grid spanned the last cue (100 h at 10 ms); a 3 s clip took > 120 s and 5 GB."""
    cues = [(0.1 + 0.33 * i, 0.35 + 0.33 * i, "བོད་ཡིག") for i in range(9)] + [(359999.0, 359999.9, "བོད་ཡིག")]
    subs = write_srt(tmp_path / "stray.srt", cues)
    before = digest(subs), digest(speech_clip)
    run = run_bounded("check", speech_clip, "--subs", subs, "--no-language", "--format", "json", timeout_s=60)
    assert run.code == 1 and run.wall_s < 20, (run.code, run.wall_s, run.stderr)
    assert run.peak_mb < 500
    report = json.loads(run.stdout)
    assert report["timing"]["offset_s"] is not None  # timing ran on the cues that meet the speech
    assert any(f["code"] == "subs.beyond_video" and f["cue"] == 10 for f in report["findings"])
    assert (digest(subs), digest(speech_clip)) == before


def test_a_few_megabyte_srt_for_a_short_clip_is_refused_unparsed(clip, tmp_path):
    subs = write_srt(tmp_path / "dense.srt", [(i, i + 0.8, "水是生命之源，我们要节约用水。") for i in range(24000)])
    assert subs.stat().st_size > 1.5e6
    before = digest(subs)
    run = run_bounded("check", clip, "--subs", subs, "--no-speech", timeout_s=60)
    assert_one_line(run, 2, "cues or more", "a 2 s video")
    assert run.wall_s < 10
    assert digest(subs) == before


def test_a_subtitle_file_over_the_size_bound_is_refused_unread(tmp_path):
    subs = tmp_path / "huge.srt"
    with subs.open("wb") as f:
        f.truncate((10 << 20) + 1)  # sparse: costs no disk
    run = run_bounded("scripts", subs, timeout_s=30)
    assert_one_line(run, 2, "larger than 10 MB")
    assert run.peak_mb < 200


@pytest.fixture(scope="module")
def two_hour_file(tmp_path_factory) -> Path:
    """Two hours of a 16×16 picture at 1 fps and silence, by `-c copy` concatenation (≈ 2 s, 0.7 MB)."""
    folder = tmp_path_factory.mktemp("long")
    piece = folder / "piece.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=16x16:rate=1:duration=600", "-f", "lavfi",
           "-i", "anullsrc=r=8000:cl=mono", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-g", "600",
           "-c:a", "aac", "-b:a", "8k", str(piece))
    (folder / "list.txt").write_text("file 'piece.mp4'\n" * 12)
    ffmpeg("-f", "concat", "-safe", "0", "-i", str(folder / "list.txt"), "-c", "copy", str(folder / "long.mp4"))
    return folder / "long.mp4"


def test_a_file_longer_than_an_hour_gets_the_static_screen_only(two_hour_file):
    """Before: its whole audio was decoded and scanned (41 s, 1.6 GB) and the exit code was 1."""
    before = digest(two_hour_file)
    run = run_bounded("check", two_hour_file, "--format", "json", timeout_s=90)
    assert_one_line(run, 2, "too long to analyse", "7200 s")
    assert run.wall_s < 20 and run.peak_mb < 400, (run.wall_s, run.peak_mb)
    report = json.loads(run.stdout)
    assert {"media.duration", "media.too_long"} <= {f["code"] for f in report["findings"]}
    assert digest(two_hour_file) == before


def test_fix_refuses_a_file_longer_than_an_hour_before_decoding_it(two_hour_file, tmp_path):
    """Before: an hour of its audio was decoded (28 s, 380 MB), then an internal error (exit 3)."""
    subs = write_srt(tmp_path / "long.srt", [(1.0, 2.0, "བོད་ཡིག")])
    before = digest(subs), digest(two_hour_file)
    run = run_bounded("fix", subs, "--video", two_hour_file, "-o", tmp_path / "out.srt", timeout_s=90)
    assert_one_line(run, 2, "too long to align subtitles to: 7200 s, over the 3600 s analysed")
    assert run.wall_s < 20 and run.peak_mb < 200, (run.wall_s, run.peak_mb)
    assert not (tmp_path / "out.srt").exists() and (digest(subs), digest(two_hour_file)) == before


def test_extract_refuses_a_file_longer_than_an_hour_before_decoding_it(two_hour_file, tmp_path):
    """Before: its audio and a burned-in scan of two hours of picture (30 s, 674 MB), exit 0."""
    run = run_bounded("extract", two_hour_file, "--out", tmp_path / "out", timeout_s=90)
    assert_one_line(run, 2, "too long to extract: 7200 s")
    assert run.wall_s < 20 and run.peak_mb < 200, (run.wall_s, run.peak_mb)
    assert not (tmp_path / "out").exists()


def test_speech_keeps_no_more_samples_than_it_has_room_for():
    """ffmpeg's `-t` bounds time stamps, not samples: the two-hour file's audio gave 1.2 s more than
    the hour asked for, which overflowed the buffer (ValueError, exit 3 from `fix`)."""
    from bilingual.speech.language import detect_speech

    chunks = (np.zeros(16000, np.float32) for _ in range(5))
    audio, spans = detect_speech(chunks, max_samples=40000)
    assert len(audio) == 40000 and spans == []


def test_speech_decode_stops_past_the_analysed_length(two_hour_file, monkeypatch):
    """`hear` alone (as `fix` calls it) decodes no further than the limit, then refuses."""
    from bilingual.speech.language import hear

    monkeypatch.setattr(media, "MAX_ANALYSED_S", 60.0)
    with pytest.raises(InputError) as refused:
        hear(str(two_hour_file))
    assert refused.value.code == "media.too_long"


def test_a_child_past_its_timeout_is_killed_and_reported(tmp_path):
    start = time.perf_counter()
    with pytest.raises(InputError) as stopped:
        media.run_tool(["sleep", "30"], tmp_path / "x.mp4", 0.5)
    assert time.perf_counter() - start < 5
    assert stopped.value.code == "media.unreadable" and "took longer than" in stopped.value.reason


def test_a_streaming_decode_past_its_timeout_is_killed(clip, monkeypatch):
    monkeypatch.setattr(media, "decode_timeout", lambda duration_s: 0.0)
    with pytest.raises(InputError) as stopped:
        for _ in media.stream_audio(clip, chunk_samples=1024):
            time.sleep(0.2)  # a slow reader: the watchdog fires meanwhile
    assert "took longer than" in stopped.value.reason


def test_the_burned_in_scan_is_refused_past_its_memory_budget(clip, monkeypatch):
    from bilingual.sources.burnedin import bands as burnedin

    # 10 MB: 364 frames of this clip's scan (60 s at 25 fps: 1,502)
    monkeypatch.setattr(burnedin, "SCAN_BUDGET", 10 << 20)
    long = media.probe(clip)
    long.duration_s = 60.0
    with pytest.raises(InputError) as refused:
        burnedin.scan(clip, long)
    assert refused.value.code == "media.too_long"


def test_the_burned_in_scan_budget_is_seconds_of_scanned_frames_whatever_the_frame_rate():
    """At most 30 frames a second are scanned, fewer (down to 12) for an entry too long to hold at
    that rate: a 5-minute 60 fps phone entry and a 15-minute film at 25 fps fit the budget (refused
    before: 5.4 and 12.9 minutes held at 1080p); past 12 a second, the entry is refused."""
    from bilingual.sources.burnedin.bands import SCAN_BUDGET, scan_stride

    limit = SCAN_BUDGET // (2 * 270 * 80)  # a 1080p frame's scanned rows (top quarter + lower half), packed
    assert [scan_stride(rate, 60 * 25, limit) for rate in (10, 25, 29.97, 30, 50, 59.94, 60, 120)] == \
        [1, 1, 1, 1, 2, 2, 2, 4]
    assert scan_stride(60, 300 * 60 + 2, limit) == 2
    assert scan_stride(25, 900 * 25 + 2, limit) == 2  # the film profile's 15 minutes: 12.5 a second
    assert scan_stride(25, 60 * 60 * 25, limit) is None  # an hour: 5.4 a second would be too few


def test_a_streamed_transcript_cuts_in_pauses_and_keeps_time(corpus, whisper, monkeypatch):
    """Pieces of 8 s (instead of 10 min) of a 25 s recording: the same words, in time order, on the
    recording's clock."""
    from bilingual.speech import transcribe as tr
    from bilingual.text.cer import character_error_rate

    recording = corpus / "mandarin" / "funasr_long_25s.wav"
    whole = tr.transcribe(media.decode_audio(recording), whisper)
    monkeypatch.setattr(tr, "PIECE_S", 8.0)
    monkeypatch.setattr(tr, "CUT_SEARCH_S", 3.0)
    pieces = tr.transcribe_stream(media.stream_audio(recording, chunk_samples=16000), whisper)
    starts = [s.start_s for s in pieces]
    assert starts == sorted(starts) and pieces[-1].end_s > 16  # later pieces keep the recording's clock
    assert character_error_rate("".join(s.text for s in whole), "".join(s.text for s in pieces)) < 0.2


def test_audit_shows_an_entry_named_like_markup_by_its_name(clip, tmp_path):
    """Before: the progress bar read `[red]x.mp4` as rich markup and showed a red `x.mp4`."""
    entries = tmp_path / "entries"
    entries.mkdir()
    (entries / "[red]x.mp4").write_bytes(clip.read_bytes())
    run = run_bounded("audit", entries, "--no-speech", "--ocr", "off", "--out", tmp_path / "out", "--lang", "en",
                      timeout_s=60)
    assert run.code == 1 and "Traceback" not in run.stderr, run.stderr  # the small clip fails the profile
    assert "[red]x.mp4" in run.stderr


@pytest.mark.parametrize("which", ["video", "subtitles"])
def test_a_300_character_name_still_gets_its_json_report(clip, tmp_path, which):
    """Before: the report was lost to "File name too long" (the pipeline's size look-up raised)."""
    long = str(tmp_path / ("x" * 300))
    args = [long + ".mp4"] if which == "video" else [clip, "--subs", long + ".srt"]
    run = run_bounded("check", *args, "--no-speech", "--format", "json", timeout_s=60)
    assert_one_line(run, 2, "file name too long")
    code = "media.unreadable" if which == "video" else "subs.unreadable"
    assert [f["data"]["reason"] for f in json.loads(run.stdout)["findings"] if f["code"] == code] == \
        ["file name too long"]
