"""Benchmark: the heavy faults of issue 11 run as whole processes — a FIFO or a device as the video
or the subtitles, names ffmpeg would read as options or protocols, a stray cue at 99:59:59, a 50 MB
and a 5 MB SRT, a 10-hour file, `audit --jobs 20` — with their exit code, stderr, wall time and peak
memory (the largest process of the tree, and the tree together), and the sha256 of every input
before and after. About 7 minutes on 2 cores, 5 of them the 10-hour transcript.

    .venv/bin/python benchmarks/faults.py [--hours 10] [--timeout 600]

A case behaves when its exit code is the documented one, stderr is one line with no traceback (for
`audit`, which reports progress: no traceback and its closing line), it ends within its time bound,
its peak memory is under 1.5 GB, and no input changed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cluster import PeakMemory
from common import CACHE, MEASURE, REPO

MEMORY_CAP_MB = 1536
AUDIT_ENTRIES = 6  # for `audit --jobs 20`: more entries than the 2 cores, a few seconds each
CORPUS = REPO.parent / "shared" / "corpus"


@dataclass
class Case:
    name: str
    args: list[str]
    codes: tuple[int, ...]  # the documented exit codes
    inputs: list[Path] = field(default_factory=list)  # regular files whose bytes must not change
    time_bound_s: float = 60.0
    said: str | None = None  # a command that reports progress: stderr must contain this, else be one line


@dataclass
class Outcome:
    code: int | None  # None: killed at the timeout
    stderr: str
    wall_s: float
    peak_mb: float  # the largest process of its tree
    tree_mb: float  # its whole tree together (sampled every 0.2 s)


def run(args: list[str], timeout_s: float, cwd: Path) -> Outcome:
    """`python -m bilingual ARGS` as a whole process: exit code, stderr, wall time and the peak RSS
    of the largest process of its tree (`common.MEASURE`), killed past `timeout_s`."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as figures:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", MEASURE, figures.name, sys.executable, "-m", "bilingual", *args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd,
                                env={**os.environ, "PYTHONPATH": str(REPO)}, start_new_session=True)
        timer = threading.Timer(timeout_s, os.killpg, (proc.pid, 9))
        timer.start()
        with PeakMemory(lambda pid, _: pid == proc.pid) as tree:
            proc.wait()
        timer.cancel()
        wall = time.perf_counter() - start
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
        measured = figures.read().split()
    code = None if proc.returncode == -9 else proc.returncode
    return Outcome(code, text, wall, float(measured[1]) if measured else float("nan"), tree.peak)

def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def speech_clip(path: Path, seconds: float) -> Path:
    """A small picture with real Mandarin speech (FunASR's 25 s recording)."""
    if not path.exists():
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={seconds}",
               "-i", str(CORPUS / "mandarin" / "funasr_long_25s.wav"), "-map", "0:v", "-map", "1:a", "-t", str(seconds),
               "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path))
    return path


def long_file(path: Path, hours: float) -> Path:
    """Hours of a 16×16 picture at 1 fps and silence, by `-c copy` concatenation of a 10-minute piece:
    seconds to make, a few MB."""
    if not path.exists():
        piece = path.with_name("piece-600s.mp4")
        ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=16x16:rate=1:duration=600", "-f", "lavfi",
               "-i", "anullsrc=r=8000:cl=mono", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-g", "600",
               "-c:a", "aac", "-b:a", "8k", str(piece))
        listing = path.with_name("pieces.txt")
        listing.write_text("".join(f"file '{piece.name}'\n" for _ in range(round(hours * 6))))
        ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(path))
    return path


def srt(path: Path, cues: list[tuple[float, float]], text: str = "བོད་ཡིག་གི་ཡི་གེ།") -> Path:
    def tc(t: float) -> str:
        ms = round(t * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    with path.open("w", encoding="utf-8") as f:
        for i, (s, e) in enumerate(cues, 1):
            f.write(f"{i}\n{tc(s)} --> {tc(e)}\n{text}\n\n")
    return path


def dense_srt(path: Path, megabytes: float) -> Path:
    """An SRT of `megabytes` of one-second cues."""
    per_cue = len(srt(path, [(0, 0.8)]).read_bytes())
    return srt(path, [(i, i + 0.8) for i in range(int(megabytes * 1e6 / per_cue))])


def cases(work: Path, hours: float) -> list[Case]:
    clip = speech_clip(CACHE / "faults-speech-20s.mp4", 20)
    fifo = work / "fifo.mp4"
    os.mkfifo(fifo)
    named = {name: work / name for name in ("-entry.mp4", "pipe:0.mp4", "data:,x.mp4")}
    for path in named.values():
        shutil.copy(clip, path)
    stray = srt(work / "stray.srt", [(1 + 2 * i, 2.5 + 2 * i) for i in range(9)] + [(359999.0, 359999.9)])
    huge, dense = dense_srt(work / "huge.srt", 50), dense_srt(work / "dense.srt", 5)
    long = long_file(CACHE / f"faults-{hours:g}h.mp4", hours)
    entries = work / "entries"
    entries.mkdir()
    for k in range(AUDIT_ENTRIES):
        shutil.copy(clip, entries / f"entry-{k}.mp4")
    out = [
        *(Case(f"FIFO as the video: {cmd}", [cmd, str(fifo)], (2,), time_bound_s=10) for cmd in ("check", "timing")),
        Case("FIFO as the video: audit", ["audit", str(fifo), "--out", str(work / "audit"), "--lang", "en"], (2,),
             time_bound_s=10, said="Cannot analyse 1"),
        Case("FIFO as --subs", ["check", str(clip), "--subs", str(fifo), "--no-speech"], (2,), [clip], 10),
        Case("/dev/zero as the video", ["check", "/dev/zero"], (2,), time_bound_s=10),
        *(Case(f"video named {name}", ["check", "--no-language", "--", name], (0, 1), [path], 30)
          for name, path in named.items()),
        Case("cue at 99:59:59 on a 20 s clip", ["timing", str(clip), "--subs", str(stray)], (0, 1), [clip, stray], 30),
        # Refused unread or uncounted; the check of the video itself (speech, language) still runs: 30 s.
        Case("50 MB SRT", ["check", str(clip), "--subs", str(huge)], (2,), [clip, huge], 30),
        Case("5 MB SRT on a 20 s clip", ["check", str(clip), "--subs", str(dense)], (2,), [clip, dense], 30),
        Case("5 MB SRT alone (scripts)", ["scripts", str(dense)], (2,), [dense], 15),
        *(Case(f"{hours:g}-hour file: {' '.join(cmd)}", [*cmd, str(long)], (2,), [long], 30)
          for cmd in (["check"], ["check", "--no-speech"], ["timing"])),
        Case(f"{hours:g}-hour file: fix", ["fix", str(stray), "--video", str(long), "-o", str(work / "fixed.srt")],
             (2,), [long, stray], 30),
        Case(f"{hours:g}-hour file: extract", ["extract", str(long), "--out", str(work / "extracted")], (2,),
             [long], 30),
        Case(f"audit --jobs 20, {AUDIT_ENTRIES} entries", ["audit", str(entries), "--jobs", "20", "--ocr", "off",
             "--out", str(work / "audit-jobs"), "--lang", "en"], (1,),
             [entries / f"entry-{k}.mp4" for k in range(AUDIT_ENTRIES)], 300, said="capped to"),
        Case(f"{hours:g}-hour file: transcribe", ["transcribe", str(long), "-o", str(work / "long.srt")], (0,),
             [long], 600),
    ]
    return out


def behaved(case: Case, outcome: Outcome) -> list[str]:
    """What went wrong, if anything."""
    lines = [ln for ln in outcome.stderr.splitlines() if ln.strip()]
    wrong = []
    if outcome.code is None:
        wrong.append("killed at the timeout")
    elif outcome.code not in case.codes:
        wrong.append(f"exit {outcome.code}")
    if "Traceback" in outcome.stderr or (len(lines) > 1 if case.said is None else case.said not in outcome.stderr):
        wrong.append(f"{len(lines)} stderr lines")
    if outcome.wall_s > case.time_bound_s:
        wrong.append(f"over {case.time_bound_s:.0f} s")
    if max(outcome.peak_mb, outcome.tree_mb) > MEMORY_CAP_MB:
        wrong.append(f"over {MEMORY_CAP_MB} MB")
    return wrong


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=10.0, help="length of the long file")
    parser.add_argument("--timeout", type=float, default=600.0, help="kill a case after this many seconds")
    options = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bilingual-faults-") as folder:
        work = Path(folder)
        todo = cases(work, options.hours)
        print("| case | exit | wall | peak RSS (largest process / tree) | stderr | behaved |\n"
              "|---|---|---|---|---|---|")
        good = lost = 0
        for case in todo:
            before = {p: sha256(p) for p in case.inputs}
            outcome = run(case.args, options.timeout, work)
            changed = [p.name for p, digest in before.items() if sha256(p) != digest]
            lost += bool(changed)
            wrong = behaved(case, outcome) + [f"changed {', '.join(changed)}"] * bool(changed)
            good += not wrong
            line = outcome.stderr.strip().splitlines()[-1][:90] if outcome.stderr.strip() else ""
            print(f"| {case.name} | {outcome.code} | {outcome.wall_s:.1f} s | "
                  f"{outcome.peak_mb:.0f} / {outcome.tree_mb:.0f} MB | {line.replace('|', '/')} | "
                  f"{'yes' if not wrong else '; '.join(wrong)} |", flush=True)
        print(f"\n{len(todo)} inputs tried, {good} behaved, data lost: {lost}")


if __name__ == "__main__":
    main()
