"""`bilingual audit`: many entries, one JSON report each, a summary; resumable and interruptible.

The driver (this process) decides what to redo, hands entries to workers — local processes, or Ray
tasks with `--cluster` (`bilingual.cluster`) — and writes every report and summary itself, so that a
report is never half-written and is the same bytes whoever made it.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import signal
import stat
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bilingual import __version__
from bilingual.calibration import table_digest
from bilingual.files import atomic_write_text
from bilingual.media import VIDEO_EXTENSIONS
from bilingual.model import FATAL_CODES
from bilingual.model import exit_code as exit_code_policy
from bilingual.pipeline import check
from bilingual.profiles import Profile, load_profile
from bilingual.report import say as word
from bilingual.report.text import to_json
from bilingual.sources.files import find_sidecars
from bilingual.speech.models import cache_dir

SUMMARY_FIELDS = ("entry", "report", "verdict", "exit_code", "errors", "warnings", "error", "pairing", "speech",
                  "speech_confidence", "subtitles", "subtitle_source", "offset_s", "reason", "page")

# Peak RSS of one worker process, checking the 125-s 1080p sample entry (2026-12-01, this project's
# 2-core machine): static screen 59 MB; speech stage 471–482 MB; burned-in scan + speech 516 MB; the
# README's 5-minute burned-in read 1,004 MB; ffmpeg beside it ≤ 60 MB. A worker that may run the
# speech stage or read the picture is given the 1.5 GB that issue 11 allows any one input; one that
# does neither, 256 MB.
HEAVY_WORKER_BYTES = 1536 << 20
LIGHT_WORKER_BYTES = 256 << 20
# Entries are fingerprinted by size, mtime and the SHA-256 of their first and last MiB: 2–6 ms for a
# 300 MB entry, where hashing it whole takes 0.59–0.66 s (10 minutes per resume of 1,000 entries).
FINGERPRINT_SPAN = 1 << 20


@dataclass(frozen=True)
class Job:
    """One entry's check, as a worker receives it."""
    entry: str  # the path as the driver names it (in reports and summaries)
    report_path: str
    profile: Profile
    lang: str
    options: dict[str, Any]  # passed to `check` (speech, language, ocr, model)
    made_with: dict[str, Any]
    cache_dir: str  # the driver's model cache: a worker's own is renamed to it in the report


def find_entries(paths: Iterable[Path]) -> list[Path]:
    """Video files named on the command line, and those found by walking folders (sorted)."""
    entries: list[Path] = []
    for p in paths:
        if p.is_dir():
            entries.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in VIDEO_EXTENSIONS
                                  and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            entries.append(p)  # named files are taken as given; a bad one becomes an error row
    return list(dict.fromkeys(entries))


def report_name(entry: Path) -> str:
    """`<stem>-<8 hex of the absolute path>.json`: readable, and unique across folders."""
    digest = hashlib.sha1(str(entry.resolve()).encode("utf-8")).hexdigest()[:8]
    return f"{entry.stem}-{digest}.json"


def fingerprint(path: Path) -> dict[str, Any] | None:
    """Size, mtime and the SHA-256 of the first and last MiB (the whole file when it is shorter);
    None for what is not a regular file (never opened: a FIFO would block)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            digest.update(fh.read(FINGERPRINT_SPAN))
            if st.st_size > FINGERPRINT_SPAN:
                fh.seek(max(FINGERPRINT_SPAN, st.st_size - FINGERPRINT_SPAN))
                digest.update(fh.read(FINGERPRINT_SPAN))
    except OSError:
        return None
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256_first_last_mib": digest.hexdigest()}


def profile_digest(profile: Profile) -> str:
    """The SHA-256 of the profile's rules (parents merged in), wherever its file lies."""
    content = {k: v for k, v in dataclasses.asdict(profile).items() if k != "path"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def made_with(entry: Path, profile: Profile, lang: str, options: dict[str, Any]) -> dict[str, Any]:
    """What a report depends on; a report is reused only when all of it still matches."""
    return {"entry": fingerprint(entry),
            "subtitles": [{"name": p.name, "fingerprint": fingerprint(p)} for p in find_sidecars(entry)],
            "profile_sha256": profile_digest(profile), "calibration_sha256": table_digest(),
            "options": {**options, "lang": lang}, "version": __version__}


def check_job(job: Job, where: str | None = None, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """One entry, in a worker: `{"report": …}`, or `{"error": …}` for a bug (never raised, so that a
    cluster does not retry a broken entry). `where` is the entry's path on this worker; `rename`
    maps this worker's paths (the entry's, its sidecars', the model cache) to the driver's."""
    try:
        report = check(where or job.entry, profile=job.profile, **job.options)
        return {"report": _renamed(report.to_dict(job.lang), {**(rename or {}), str(cache_dir()): job.cache_dir})}
    except Exception as exc:  # a bug on one entry must not stop the batch
        return {"error": f"{type(exc).__name__}: {exc}"}


def _renamed(value: Any, rename: dict[str, str]) -> Any:
    """`value` with every worker path in its strings written as the driver's."""
    if isinstance(value, str):
        for old in sorted(rename, key=len, reverse=True):
            if old != rename[old]:
                value = value.replace(old, rename[old])
        return value
    if isinstance(value, dict):
        return {k: _renamed(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    return value


def summary_row(entry: str, report_path: str, data: dict[str, Any]) -> dict[str, Any]:
    findings = data.get("findings", [])
    codes = {sev: sorted({f["code"] for f in findings if f["severity"] == sev}) for sev in ("error", "warning")}
    fatal = next((f for f in findings if f["code"] in FATAL_CODES), None)
    # The main reason: the first error, else the first warning (findings come sorted by severity).
    main = next((f for f in findings if f["severity"] in ("error", "warning")), None)
    audio, subs = data.get("audio") or {}, data.get("subtitles") or {}
    return {"entry": entry, "report": report_path,
            "verdict": "error" if data.get("exit_code") == 2 else data["verdict"],
            "exit_code": data.get("exit_code"), "errors": " ".join(codes["error"]),
            "warnings": " ".join(codes["warning"]), "error": fatal["message"] if fatal else "",
            "pairing": (data.get("pairing") or {}).get("status", ""), "speech": audio.get("language", ""),
            "speech_confidence": audio.get("confidence"),
            "subtitles": "+".join(subs.get("languages") or []) or subs.get("language", ""),
            "subtitle_source": subs.get("source", ""), "offset_s": (data.get("timing") or {}).get("offset_s"),
            "reason": main["message"] if main else "", "page": ""}


def error_row(entry: str, error: str) -> dict[str, Any]:
    """The row of an entry whose check failed without a report (a bug, a worker lost for good)."""
    return {"entry": entry, "report": "", "verdict": "error", "exit_code": 3, "errors": "", "warnings": "",
            "error": error}


@dataclass
class AuditSummary:
    rows: list[dict[str, Any]] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: the rows are the entries that were finished
    reused: int = 0  # reports that were up to date

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r["verdict"] for r in self.rows))

    @property
    def exit_code(self) -> int:
        """130 when interrupted, else 2 if an entry could not be analysed, else 1 if one failed, else 0."""
        if self.interrupted:
            return 130
        verdicts = {r["verdict"] for r in self.rows}
        return exit_code_policy(unanalysable="error" in verdicts, failed="fail" in verdicts)


class Workers(Protocol):
    """Where the checks run: local processes (`LocalWorkers`) or a Ray cluster (`cluster.RayWorkers`)."""

    slots: int  # entries handed out at once

    def submit(self, job: Job) -> Any: ...
    def done(self, handles: list[Any], timeout: float) -> list[Any]: ...
    def result(self, handle: Any) -> dict[str, Any]: ...
    def cancel(self, handles: list[Any]) -> None: ...
    def close(self) -> None: ...


def worker_bytes(options: dict[str, Any]) -> int:
    heavy = options.get("speech", True) or options.get("ocr", "auto") != "off"
    return HEAVY_WORKER_BYTES if heavy else LIGHT_WORKER_BYTES


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where there is no such file)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cap_jobs(requested: int, per_worker: int, lang: str = "en") -> tuple[int, str | None]:
    """At most one worker per core and per `per_worker` bytes of available memory; the second value
    says why (in `lang`) when that is fewer than asked."""
    cores, memory = usable_cores(), available_memory()
    by_memory = max(1, memory // per_worker) if memory is not None else requested
    jobs = max(1, min(requested, cores, by_memory))
    if jobs == requested:
        return jobs, None
    free = f"{memory / 2**30:.1f} GiB" if memory is not None else word("audit/unknown_memory", lang)
    return jobs, word("audit/capped", lang, requested=requested, jobs=jobs, cores=cores, free=free,
                      per_worker=f"{per_worker / 2**30:.2f}")


def _leave_terminal_group() -> None:
    """Worker processes (and their ffmpeg children) leave the terminal's process group: Ctrl-C
    reaches the driver alone, which then ends them itself."""
    os.setpgrp()


class LocalWorkers:
    """Worker processes on this machine, one entry each at a time."""

    def __init__(self, jobs: int):
        self.slots = jobs
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.slots, initializer=_leave_terminal_group)
        # A forking pool starts all its processes on the first task: do it now, before the progress
        # bar's thread runs (a fork copies no thread, only the locks a thread may hold).
        pool.submit(int).result()
        return pool

    def submit(self, job: Job) -> Future:
        try:
            return self._pool.submit(check_job, job)
        except BrokenProcessPool:  # a worker was killed (out of memory): the others go on in a new pool
            self._pool.shutdown(wait=False)
            self._pool = self._new_pool()
            return self._pool.submit(check_job, job)

    def done(self, handles: list[Future], timeout: float) -> list[Future]:
        return list(wait(handles, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def result(self, handle: Future) -> dict[str, Any]:
        return handle.result()

    def cancel(self, handles: list[Future]) -> None:
        """Ends the workers and the tools they run: their entries are dropped, nothing half-written
        (workers write no file)."""
        for pid in list(getattr(self._pool, "_processes", None) or {}):  # the executor keeps no public list
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class _Interrupt:
    """Ctrl-C (SIGINT) sets `hit` instead of raising inside whatever was running."""

    hit = False

    def __enter__(self) -> _Interrupt:
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:  # not the main thread: signals cannot be handled here
            self._previous = None
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.hit = True

    def __exit__(self, *exc: Any) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _stderr_line(text: str) -> None:
    print(f"bilingual: {text}", file=sys.stderr, flush=True)


def run_audit(paths: Iterable[Path], out: Path, *, profile: str | None = None, jobs: int = 1,
              lang: str = "zh", options: dict[str, Any] | None = None, console: Console | None = None,
              cluster: str | None = None, ship: bool = False, pages: bool = False,
              say: Callable[[str], None] = _stderr_line) -> AuditSummary:
    """`options` are passed to `check` (speech, language, ocr, model). `cluster`: a Ray address
    ("auto": $RAY_ADDRESS) to run the entries on; `ship` sends their bytes through Ray's object store;
    `pages`: an HTML page per entry."""
    options = options or {}
    loaded = load_profile(profile)
    out.mkdir(parents=True, exist_ok=True)
    entries = find_entries(paths)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[Job] = []
    for entry in entries:
        report_path = out / report_name(entry)
        made = made_with(entry, loaded, lang, options)
        reused = _reusable_row(str(entry), report_path, made)
        if reused is not None:
            rows[str(entry)] = reused
        else:
            todo.append(Job(str(entry), str(report_path), loaded, lang, options, made, str(cache_dir())))
    workers = _workers(todo, jobs, options, cluster, ship, say, lang) if todo else None
    progress = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=console or Console(stderr=True))
    with _Interrupt() as interrupt:
        with progress:
            task = progress.add_task(word("audit/progress", lang, n=len(rows)), total=len(todo))
            for row in _drive(workers, todo, interrupt) if workers else ():
                rows[row["entry"]] = row
                # escaped: an entry named `[red]x.mp4` is shown by its name, not coloured as `x.mp4`
                progress.update(task, advance=1, description=escape(Path(row["entry"]).name[:40]))
                _write_summaries(out, [rows[str(e)] for e in entries if str(e) in rows], lang, pages)
        summary = AuditSummary([rows[str(e)] for e in entries if str(e) in rows], interrupt.hit,
                               reused=len(entries) - len(todo))
        _write_summaries(out, summary.rows, lang, pages)
    return summary


def _workers(todo: list[Job], jobs: int, options: dict[str, Any], cluster: str | None, ship: bool,
             say: Callable[[str], None], lang: str) -> Workers:
    if cluster is not None:
        from bilingual.cluster import RayWorkers  # Ray is imported only for a cluster run

        return RayWorkers(cluster, options, ship=ship)
    capped, why = cap_jobs(jobs, worker_bytes(options), lang)
    if why:
        say(why)
    return LocalWorkers(min(capped, len(todo)))


def _drive(workers: Workers, todo: list[Job], interrupt: _Interrupt) -> Iterable[dict[str, Any]]:
    """Hands out the entries, `workers.slots` at a time, and yields each finished entry's row (its
    report written). On Ctrl-C, what was not handed out is never started and what is in flight is
    cancelled."""
    queue, pending = deque(todo), dict[Any, Job]()
    try:
        while (queue or pending) and not interrupt.hit:
            while queue and len(pending) < workers.slots:
                job = queue.popleft()
                pending[workers.submit(job)] = job
            for handle in workers.done(list(pending), timeout=0.2):
                yield _finish(pending.pop(handle), workers, handle)
        if interrupt.hit and pending:
            workers.cancel(list(pending))
    finally:
        workers.close()


def _finish(job: Job, workers: Workers, handle: Any) -> dict[str, Any]:
    """The driver's half of a check: the report, with what it was made with, and its summary row."""
    try:
        result = workers.result(handle)
    except Exception as exc:  # the worker was lost for good (local pool broken, cluster retries spent)
        first_line = next(iter(str(exc).splitlines()), "")
        return error_row(job.entry, f"{type(exc).__name__}: {first_line}")
    if "report" not in result:
        return error_row(job.entry, result["error"])
    data = {**result["report"], "made_with": job.made_with}
    atomic_write_text(job.report_path, to_json(data) + "\n")
    return summary_row(job.entry, job.report_path, data)


def _reusable_row(entry: str, report_path: Path, made: dict[str, Any]) -> dict[str, Any] | None:
    """The row of a report that was made from the same inputs as this run would use, else None."""
    try:
        data = json.loads(report_path.read_text("utf-8"))
        return summary_row(entry, str(report_path), data) if data.get("made_with") == made else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # missing, unreadable or foreign
        return None


def _write_summaries(out: Path, rows: list[dict[str, Any]], lang: str = "zh", pages: bool = False) -> None:
    """summary.csv (with a BOM, so that Excel reads it as UTF-8), summary.jsonl and index.html; with
    `pages`, each entry's HTML page beside its JSON report (made again when the report is newer)."""
    from bilingual.report.batch import write_batch_page

    if pages:
        for row in rows:
            row["page"] = _entry_page(row, lang) or row.get("page", "")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "summary.csv", buffer.getvalue(), encoding="utf-8-sig")
    atomic_write_text(out / "summary.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    write_batch_page(out, rows, lang)


def _entry_page(row: dict[str, Any], lang: str) -> str | None:
    """The entry's HTML page, rendered from its JSON report unless a newer page is there."""
    from bilingual.report.html import write_report_page

    report = Path(row.get("report") or "")
    if not report.is_file():
        return None
    page = report.with_suffix(".html")
    if not page.is_file() or page.stat().st_mtime < report.stat().st_mtime:
        write_report_page(json.loads(report.read_text("utf-8")), page, lang)
    return str(page)
