"""Fixtures: media generated at test time with ffmpeg, and the shared corpus of real recordings."""

from __future__ import annotations

import hashlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The [V4+ Styles] format line of the ASS files the tests burn in with libass.
ASS_STYLE_FORMAT = ("Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
                    "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
                    "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding")

# The unit lane, `pytest -m "not slow"`, runs in seconds. A test is `slow` when it, or a fixture it
# uses, starts a process, renders or decodes media, or loads a model: its code (or that fixture's)
# calls one of SLOW_CALLS, or a function of its module that does. Marked at collection, so that no
# test has to remember it.
SLOW_CALLS = {"run_cli", "run_bounded", "start_audit", "with_peak_rss", "make_video", "burn", "ffmpeg",
              "mix_background", "decode_audio", "stream_audio", "hear", "load_whisper", "analyze_speech",
              "transcribe", "transcribe_stream", "check", "fix_subtitles", "run_audit", "probe", "scan",
              "read_burned_in", "load_burned_in", "read_tibetan", "read_tibetan_lines", "read_chinese",
              "detect_cuts", "voice_activity", "run", "Popen", "check_output", "write_batch_page"}
_CALL = re.compile(r"\b([A-Za-z_]\w*)\(")


def _calls(function) -> set[str]:
    try:
        return set(_CALL.findall(inspect.getsource(function)))
    except (OSError, TypeError):
        return set()


def _slow_names(module) -> set[str]:
    """SLOW_CALLS and the module's own functions that call one of them, however indirectly."""
    own = {name: _calls(f) for name, f in vars(module).items()
           if inspect.isfunction(f) and f.__module__ == module.__name__}
    slow = set(SLOW_CALLS)
    while grown := {name for name, calls in own.items() if name not in slow and calls & slow}:
        slow |= grown
    return slow


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    by_module: dict[str, set[str]] = {}
    for item in items:
        module = getattr(item, "module", None)
        if module is None:
            continue
        if module.__name__ not in by_module:
            by_module[module.__name__] = _slow_names(module)
        slow = by_module[module.__name__]
        definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        functions = [getattr(item, "function", None)] + [d.func for defs in definitions.values() for d in defs]
        if any(_calls(f) & slow for f in functions if f is not None):
            item.add_marker(pytest.mark.slow)


def corpus_dir() -> Path:
    candidates = [os.environ.get("BILINGUAL_CORPUS"), REPO.parent / "shared" / "corpus", Path("/work/shared/corpus")]
    for c in candidates:
        if c and (Path(c) / "MANIFEST.md").is_file():
            return Path(c)
    pytest.fail("the shared corpus is missing: set BILINGUAL_CORPUS to shared/corpus")


@pytest.fixture(scope="session")
def corpus() -> Path:
    return corpus_dir()


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def make_video(path: Path, *, size: str = "320x180", duration: float = 2.0, rate: int = 25,
               audio: Path | str | None = "sine", sar: str | None = None, fmt: str | None = None,
               faststart: bool = True) -> Path:
    """A short clip: testsrc2 picture, a sine tone or a real recording (`audio`), or no audio (None)."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={duration}"]
    if audio == "sine":
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:duration={duration}"]
    elif audio is not None:
        args += ["-i", str(audio)]
    vf = ["-vf", f"setsar={sar}"] if sar else []
    maps = ["-map", "0:v"] + (["-map", "1:a", "-c:a", "aac", "-shortest"] if audio is not None else [])
    extra = ["-movflags", "+faststart"] if faststart and (fmt or path.suffix[1:]) in ("mp4", "mov") else []
    ffmpeg(*args, *maps, *vf, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", *extra,
           *(["-f", fmt] if fmt else []), str(path))
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def clip(media_dir) -> Path:
    """320×180, 2 s, sine audio, MP4."""
    return make_video(media_dir / "clip.mp4")


@pytest.fixture(scope="session")
def mandarin_entry(media_dir, corpus) -> Path:
    """1920×1080 16:9 with real Mandarin speech (AISHELL-1), 4 s."""
    return make_video(media_dir / "mandarin.mp4", size="1920x1080", duration=4.0,
                      audio=corpus / "mandarin" / "aishell1_BAC009S0724W0121.wav")


@pytest.fixture(scope="session")
def whisper():
    from bilingual.speech.models import load_whisper, whisper_model_dir

    return load_whisper(whisper_model_dir())


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bilingual", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "COLUMNS": "120"})


# Starts a command and writes its peak RSS (KiB) to argv[1]. Linux keeps a process's high-water RSS across
# exec and a child starts with its parent's, so a command started by a test measures the pytest process
# (306 MB after other tests had loaded their libraries); started by this small Python (≈ 10 MB), it
# measures itself. The exit status is the command's (a signal as 128 + its number).
PEAK_RSS_STARTER = ("import resource, subprocess, sys\n"
                    "code = subprocess.run(sys.argv[2:]).returncode\n"
                    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
                    "sys.exit(code if code >= 0 else 128 - code)")


def with_peak_rss(command: list[str], figure: Path) -> list[str]:
    """`command` started so that its own peak RSS (KiB) is written to `figure` when it ends."""
    return [sys.executable, "-c", PEAK_RSS_STARTER, str(figure), *command]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_srt(path: Path, cues: list[tuple[float, float, str]], encoding: str = "utf-8") -> Path:
    def tc(t: float) -> str:
        ms = round(t * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    blocks = [f"{i}\n{tc(s)} --> {tc(e)}\n{text}\n" for i, (s, e, text) in enumerate(cues, 1)]
    path.write_bytes("\n".join(blocks).encode(encoding))
    return path


def burn(ass: Path, video: Path, duration: float, *, audio: Path | None = None, pre_filter: str = "",
         keyframe_every: int = 250) -> Path:
    """A 1080p clip of a moving test picture with the ASS file burned in by libass, shaped as a video
    editor shapes (complex shaping: Tibetan stacks and vowels placed by HarfBuzz), with `audio`;
    a keyframe every `keyframe_every` frames (x264's default; a phone or an editor: every 1–2 s)."""
    inputs = ["-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={duration}"]
    audio_args = ["-i", str(audio), "-shortest", "-c:a", "aac"] if audio else []
    ffmpeg(*inputs, *audio_args[:2], "-vf", f"{pre_filter}ass={ass}:shaping=complex", *audio_args[2:],
           "-c:v", "libx264", "-preset", "ultrafast", "-g", str(keyframe_every), "-pix_fmt", "yuv420p", str(video))
    return video


def reused_count(stderr: str) -> int:
    """How many reports `audit` said it reused, from its closing line in either language (0 if it said none)."""
    import re

    said = re.findall(r"^(?:共 \d+ 个作品（其中 (\d+) 个沿用已有报告）|\d+ entries \((\d+) up to date\))",
                      stderr, flags=re.M)
    return int(next(g for g in said[-1] if g)) if said else 0


MUSIC_DIR = Path("/usr/share/games/tecnoballz/musics")  # Debian's tecnoballz-data: tracker modules (GPL-3+)


def pink_noise(duration: float) -> str:
    """A lavfi source of pink noise (wind, a fan, a street at a distance)."""
    return f"anoisesrc=color=pink:sample_rate=16000:duration={duration}:seed=7"


def mix_background(speech: Path, background: str | Path, snr_db: float | None, out: Path,
                   *, start: float = 0.0, duration: float = 30.0) -> Path:
    """`duration` s of `speech` from `start` under a background (a lavfi source or a music file, looped)
    at `snr_db`: the speech's power over its Silero stretches against the background's over the clip.
    None: the speech alone. A 16 kHz mono WAV."""
    import wave

    import numpy as np

    from bilingual.media import decode_audio
    from bilingual.speech.language import SAMPLE_RATE, voice_activity

    voice = decode_audio(speech)[int(start * SAMPLE_RATE):int((start + duration) * SAMPLE_RATE)]
    mixed = voice
    if snr_db is not None:
        raw = out.with_suffix(".background.wav")
        source = ["-f", "lavfi", "-i", background] if str(background).startswith("anoisesrc") \
            else ["-stream_loop", "-1", "-i", str(background)]
        ffmpeg(*source, "-t", f"{len(voice) / SAMPLE_RATE}", "-ac", "1", "-ar", str(SAMPLE_RATE), str(raw))
        noise = decode_audio(raw)[:len(voice)]
        raw.unlink()
        speaking = np.concatenate([voice[int(s * SAMPLE_RATE):int(e * SAMPLE_RATE)] for s, e in voice_activity(voice)])
        gain = np.sqrt(np.mean(speaking ** 2) / np.mean(noise ** 2) / 10 ** (snr_db / 10))
        mixed = voice[:len(noise)] + gain * noise
    samples = np.clip(mixed / max(1.0, float(np.abs(mixed).max())), -1, 1)
    with wave.open(str(out), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(SAMPLE_RATE)
        w.writeframes((samples * 32767).astype("<i2").tobytes())
    return out
