"""`bilingual audit`: many entries, one JSON report each, a summary, resumable."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bilingual.pipeline import check
from bilingual.files import atomic_write_text
from bilingual.findings import FATAL_CODES
from bilingual.media import VIDEO_EXTENSIONS
from bilingual.profiles import load_profile
from bilingual.render import render_json
from bilingual.subtitles import find_sidecars

SUMMARY_FIELDS = ("entry", "report", "verdict", "exit_code", "errors", "warnings", "error")


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


def is_up_to_date(entry: Path, report: Path) -> bool:
    """A report newer than the entry and its sidecar subtitles need not be made again."""
    if not report.is_file() or not entry.is_file():
        return False
    made = report.stat().st_mtime
    return all(made > src.stat().st_mtime for src in [entry, *find_sidecars(entry)])


def check_entry(entry: str, report_path: str, profile: str | None, lang: str, options: dict[str, Any]) -> dict[str, Any]:
    """One entry, in a worker process. Whatever happens, a summary row comes back."""
    try:
        report = check(entry, profile=load_profile(profile), **options)
        atomic_write_text(report_path, render_json(report, lang) + "\n")
        return summary_row(entry, report_path, report.to_dict(lang))
    except Exception as exc:  # a bug on one entry must not stop the batch
        return {"entry": entry, "report": "", "verdict": "error", "exit_code": 3, "errors": "", "warnings": "",
                "error": f"{type(exc).__name__}: {exc}"}


def summary_row(entry: str, report_path: str, data: dict[str, Any]) -> dict[str, Any]:
    findings = data.get("findings", [])
    codes = {sev: sorted({f["code"] for f in findings if f["severity"] == sev}) for sev in ("error", "warning")}
    fatal = next((f for f in findings if f["code"] in FATAL_CODES), None)
    return {"entry": entry, "report": report_path,
            "verdict": "error" if data.get("exit_code") == 2 else data["verdict"],
            "exit_code": data.get("exit_code"), "errors": " ".join(codes["error"]),
            "warnings": " ".join(codes["warning"]), "error": fatal["message"] if fatal else ""}


@dataclass
class AuditSummary:
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(r["verdict"] for r in self.rows))

    @property
    def exit_code(self) -> int:
        """2 if an entry could not be analysed, else 1 if one failed, else 0."""
        verdicts = {r["verdict"] for r in self.rows}
        return 2 if "error" in verdicts else 1 if "fail" in verdicts else 0


def run_audit(paths: Iterable[Path], out: Path, *, profile: str | None = None, jobs: int = 1,
              lang: str = "zh", options: dict[str, Any] | None = None,
              console: Console | None = None) -> AuditSummary:
    """`options` are passed to `check` (speech, language, model)."""
    out.mkdir(parents=True, exist_ok=True)
    entries = find_entries(paths)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, str]] = []
    for entry in entries:
        report_path = out / report_name(entry)
        if is_up_to_date(entry, report_path):
            rows[str(entry)] = _row_from_report(str(entry), report_path)
        else:
            todo.append((str(entry), str(report_path)))
    progress = Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                        MofNCompleteColumn(), TimeElapsedColumn(), console=console or Console(stderr=True))
    with progress:
        task = progress.add_task(f"audit ({len(rows)} up to date)", total=len(todo))
        for row in _run(todo, profile, lang, jobs, options or {}):
            rows[row["entry"]] = row
            progress.update(task, advance=1, description=Path(row["entry"]).name[:40])
    summary = AuditSummary([rows[str(e)] for e in entries])
    _write_summaries(out, summary.rows)
    return summary


def _run(todo: list[tuple[str, str]], profile: str | None, lang: str, jobs: int,
         options: dict[str, Any]) -> Iterable[dict[str, Any]]:
    if jobs <= 1 or len(todo) <= 1:
        for entry, report_path in todo:
            yield check_entry(entry, report_path, profile, lang, options)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(check_entry, entry, rp, profile, lang, options) for entry, rp in todo]
        for future in as_completed(futures):
            yield future.result()


def _row_from_report(entry: str, report_path: Path) -> dict[str, Any]:
    try:
        return summary_row(entry, str(report_path), json.loads(report_path.read_text("utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        return {"entry": entry, "report": str(report_path), "verdict": "error", "exit_code": 3,
                "errors": "", "warnings": "", "error": f"unreadable report: {exc}"}


def _write_summaries(out: Path, rows: list[dict[str, Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(out / "summary.csv", buffer.getvalue())
    atomic_write_text(out / "summary.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
