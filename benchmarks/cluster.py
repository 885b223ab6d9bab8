"""Benchmark: `bilingual audit` throughput, local against a Ray cluster on the same 2 cores.

Eight generated 1080p entries — 20 s each to keep the run bounded (a real entry is 1–5 minutes):
testsrc2 with grain, 7.5 Mbit/s H.264, the sample's Mandarin speech, its Tibetan subtitles beside
it — checked in full (static screen, speech, language ID, pairing, timing) by:
- `audit --jobs 1`, `audit --jobs 2` (local worker processes),
- `audit --cluster` on a one-node Ray cluster started here with `--num-cpus 2`.
Reported: wall time, entries per hour, Ray's fixed cost (connecting and the worker pre-flight), its
cost per entry against `--jobs 2` (which includes each fresh worker importing the pipeline, shared
by only 4 entries a worker here), the round trip of one task apart from the check, and memory (the
driver's process tree; Ray's daemons with their workers).

    .venv/bin/python benchmarks/cluster.py
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import CACHE, REPO, report

from bilingual.sample import samples_dir

ENTRIES, SECONDS = 8, 20


def make_entries() -> Path:
    folder = CACHE / "cluster-entries"
    if len(list(folder.glob("*.mp4"))) == ENTRIES:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "entry-0.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc2=size=1920x1080:rate=25:duration={SECONDS},noise=alls=12:allf=t",
                    "-i", str(samples_dir() / "sample-entry.audio.flac"), "-map", "0:v", "-map", "1:a",
                    "-t", str(SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                    "-b:v", "7500k", "-c:a", "aac", "-movflags", "+faststart", str(first)], check=True)
    import pysubs2

    subs = pysubs2.load(str(samples_dir() / "sample-entry.bo.srt"))
    subs.events = [e for e in subs if e.end <= SECONDS * 1000]
    for k in range(ENTRIES):
        if k:
            shutil.copyfile(first, folder / f"entry-{k}.mp4")
        subs.save(str(folder / f"entry-{k}.bo.srt"))
    return folder


def _processes() -> dict[int, tuple[int, str, int]]:
    """pid → (parent pid, command line, RSS in kB) of every process."""
    table = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rss = next((int(line.split()[1]) for line in (proc / "status").read_text().splitlines()
                        if line.startswith("VmRSS:")), 0)
        except (OSError, ValueError, IndexError):
            continue
        table[int(proc.name)] = (ppid, cmdline, rss)
    return table


def tree_rss_mb(is_root) -> float:
    """The summed RSS of the processes `is_root(pid, cmdline)` accepts and of all their descendants."""
    table = _processes()
    inside = {pid for pid, (_, cmdline, _) in table.items() if is_root(pid, cmdline)}
    grew = True
    while grew:
        more = {pid for pid, (ppid, _, _) in table.items() if ppid in inside} - inside
        inside |= more
        grew = bool(more)
    return sum(table[pid][2] for pid in inside) / 1024


class PeakMemory:
    """Samples `tree_rss_mb(is_root)` every 0.2 s while a run lasts."""

    def __init__(self, is_root):
        self.is_root, self.peak, self._stop = is_root, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, tree_rss_mb(self.is_root))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def audit(entries: Path, *args: str) -> float:
    """The wall time of one whole `bilingual audit` run, into a fresh folder."""
    out = Path(tempfile.mkdtemp(prefix="bl-bench-"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bilingual", "audit", str(entries), "--out", str(out), *args],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    done = len(list(out.glob("*.json")))
    shutil.rmtree(out)
    assert done == ENTRIES, f"audit {' '.join(args)} wrote {done} reports"
    return wall


def is_audit(pid: int, cmdline: str) -> bool:
    """The audit driver (its workers and their ffmpeg children are its descendants)."""
    return "-m bilingual audit" in cmdline


# Ray's own cost per task, apart from the check: a task that receives an entry's Job and returns a
# report-sized (10 KB) result, run 40 times one after the other (the audit overlaps them: an upper bound).
_ROUND_TRIP = """
import logging, statistics, sys, time
import ray
from bilingual.audit import Job
from bilingual.profiles import load_profile
ray.init(address=sys.argv[1], logging_level=logging.ERROR, log_to_driver=False)
@ray.remote(num_cpus=1)
def echo(job):
    return {"report": {"x": "y" * 10_000}, "entry": job.entry}
job = Job("entry.mp4", "r.json", load_profile(None), "zh", {}, {"entry": None}, "/c")
ray.get(echo.remote(job))  # a worker started
times = []
for _ in range(40):
    t = time.perf_counter(); ray.get(echo.remote(job)); times.append(time.perf_counter() - t)
print(statistics.median(times))
"""
# A fresh Ray worker imports the pipeline once (local workers are forked from a driver that has).
_IMPORT = "import time; t = time.perf_counter(); import bilingual.pipeline; print(time.perf_counter() - t)"


def seconds_from(code: str, *args: str) -> float:
    return float(subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True,
                                text=True, cwd=REPO).stdout.split()[-1])


def main() -> None:
    entries = make_entries()
    ray = str(Path(sys.executable).with_name("ray"))
    results: dict = {"entries": ENTRIES, "entry_seconds": SECONDS}
    for jobs in (1, 2):
        with PeakMemory(is_audit) as memory:
            wall = audit(entries, "--jobs", str(jobs))
        results[f"jobs_{jobs}"] = {"wall_s": round(wall, 1), "entries_per_hour": round(ENTRIES / wall * 3600),
                                   "peak_rss_mb": round(memory.peak)}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    temp = tempfile.mkdtemp(prefix="bl-ray-", dir="/tmp")

    def is_ray(pid: int, cmdline: str) -> bool:  # Ray's daemons name their session folder; workers descend
        return temp in cmdline

    address = f"127.0.0.1:{port}"
    try:
        subprocess.run([ray, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                        "--num-cpus", "2", "--disable-usage-stats", "--include-dashboard=false", "--temp-dir", temp,
                        "--object-store-memory", "100000000"], check=True, capture_output=True)
        results["ray_idle_rss_mb"] = round(tree_rss_mb(is_ray))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from bilingual.cluster import RayWorkers; "
                        f"RayWorkers({address!r}, {{}}).close()"], check=True, cwd=REPO)
        fixed = time.perf_counter() - start
        round_trip = seconds_from(_ROUND_TRIP, address)
        with PeakMemory(is_ray) as ray_memory, PeakMemory(is_audit) as driver_memory:
            wall = audit(entries, "--cluster", address)
        local = results["jobs_2"]["wall_s"]
        per_entry = (wall - fixed - local) / ENTRIES
        entry_time = results["jobs_1"]["wall_s"] / ENTRIES
        results["ray"] = {"wall_s": round(wall, 1), "entries_per_hour": round(ENTRIES / wall * 3600),
                          "connect_and_preflight_s": round(fixed, 1),
                          "overhead_per_entry_s": round(per_entry, 2),
                          "overhead_per_entry_pct_of_entry": round(100 * per_entry / entry_time, 1),
                          "task_round_trip_ms": round(1000 * round_trip, 1),
                          "task_round_trip_pct_of_entry": round(100 * round_trip / entry_time, 2),
                          "worker_pipeline_import_s": round(seconds_from(_IMPORT), 2),
                          "peak_rss_mb_ray_processes_and_workers": round(ray_memory.peak),
                          "peak_rss_mb_driver": round(driver_memory.peak)}
    finally:
        subprocess.run([ray, "stop", "--force"], capture_output=True)
        shutil.rmtree(temp, ignore_errors=True)
    report(results)


if __name__ == "__main__":
    main()
