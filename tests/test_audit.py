import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bilingual import audit

from conftest import reused_count, run_cli, write_srt


@pytest.fixture()
def batch(tmp_path, mandarin_entry, clip):
    entries = tmp_path / "entries"
    (entries / "district a").mkdir(parents=True)
    (entries / "district b").mkdir()
    good = entries / "district a" / "水.mp4"
    shutil.copyfile(mandarin_entry, good)
    write_srt(entries / "district a" / "水.bo.srt", [(0.5, 2.0, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།")])
    shutil.copyfile(clip, entries / "district b" / "水.mp4")  # same name, other folder
    (entries / "district b" / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 64)
    (entries / "district b" / "notes.txt").write_text("not an entry")
    return entries


def read_summary(out):
    with open(out / "summary.csv", encoding="utf-8-sig") as fh:
        return {os.path.relpath(r["entry"], out.parent / "entries"): r for r in csv.DictReader(fh)}


def test_audit_writes_reports_and_summaries_and_goes_past_broken_entries(batch, tmp_path):
    out = tmp_path / "audit"
    proc = run_cli("audit", batch, "--out", out, "--jobs", "2")
    assert proc.returncode == 2, proc.stderr  # one entry could not be analysed
    rows = read_summary(out)
    assert set(rows) == {"district a/水.mp4", "district b/水.mp4", "district b/broken.mp4"}
    broken = rows["district b/broken.mp4"]
    assert broken["verdict"] == "error" and "media.unreadable" in broken["errors"] and broken["error"]
    good = rows["district a/水.mp4"]
    assert good["verdict"] == "fail" and "media.duration" in good["errors"].split()
    reports = sorted(p.name for p in out.glob("*.json"))
    assert len(reports) == 3 and len({r["report"] for r in rows.values()}) == 3
    report = json.loads((out / os.path.basename(good["report"])).read_text("utf-8"))
    assert report["subtitles"]["language"] == "bo"
    jsonl = [json.loads(line) for line in (out / "summary.jsonl").read_text("utf-8").splitlines()]
    assert {r["entry"] for r in jsonl} == {r["entry"] for r in rows.values()}


def test_audit_resumes_and_redoes_changed_entries(batch, tmp_path):
    out = tmp_path / "audit"
    run_cli("audit", batch, "--out", out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}
    time.sleep(0.05)
    again = run_cli("audit", batch, "--out", out)
    assert again.returncode == 2 and "共 3 个作品" in again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == stamps  # nothing redone
    assert len(read_summary(out)) == 3
    time.sleep(0.05)
    srt = batch / "district a" / "水.bo.srt"
    srt.write_text(srt.read_text("utf-8"), encoding="utf-8")  # a newer subtitle file → redo that entry
    run_cli("audit", batch, "--out", out)
    changed = {name for name, ns in stamps.items() if (out / name).stat().st_mtime_ns != ns}
    assert len(changed) == 1 and changed.pop().startswith("水-")


def test_audit_of_passing_entries_exits_0(tmp_path, mandarin_entry):
    lenient = tmp_path / "lenient.toml"
    lenient.write_text('extends = "sichuan-2024-kepu-bilingual"\nname = "lenient"\n'
                       '[media.duration_s]\nmin = 1\ncite = "t"\n[media.filesize_mb]\nmin = 0\ncite = "t"\n'
                       '[subtitles]\nrequired = false\nlanguages = ["bo"]\ncite = "t"\n', encoding="utf-8")
    proc = run_cli("audit", mandarin_entry, "--out", tmp_path / "a", "--profile", lenient)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = list(read_summary(tmp_path / "a").values())
    assert [r["verdict"] for r in rows] == ["pass"] and rows[0]["exit_code"] == "0"


def test_audit_refuses_a_bad_profile_before_any_work(tmp_path, clip):
    proc = run_cli("audit", clip, "--out", tmp_path / "a", "--profile", "nope")
    assert proc.returncode == 2 and not (tmp_path / "a").exists()


def reports(out):
    return {p.name: json.loads(p.read_text("utf-8")) for p in out.glob("*.json")}


def stamps(out):
    return {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}


def test_audit_reuses_a_report_only_when_what_it_was_made_with_matches(batch, tmp_path):
    out, cheap = tmp_path / "audit", ("--no-speech", "--ocr", "off")
    run_cli("audit", batch, "--out", out, *cheap)
    first, made_at = reports(out), stamps(out)
    made = next(r for r in first.values() if r["input"]["path"].endswith("district a/水.mp4"))["made_with"]
    assert made["entry"]["size"] > 0 and len(made["entry"]["sha256_first_last_mib"]) == 64
    assert [s["name"] for s in made["subtitles"]] == ["水.bo.srt"] and made["options"]["speech"] is False
    assert made["options"]["lang"] == "zh" and made["version"] and len(made["profile_sha256"]) == 64
    assert len(made["calibration_sha256"]) == 64  # other calibration tables: the report is made again
    again = run_cli("audit", batch, "--out", out, *cheap)
    assert reused_count(again.stderr) == 3 and stamps(out) == made_at
    before = stamps(out)
    other = run_cli("audit", batch, "--out", out, *cheap, "--profile", "tianjin-2023-quality")
    assert reused_count(other.stderr) == 0 and all(stamps(out)[n] != ns for n, ns in before.items())
    assert {r["profile"] for r in reports(out).values()} == {"tianjin-2023-quality"}
    english = run_cli("audit", batch, "--out", out, *cheap, "--profile", "tianjin-2023-quality", "--lang", "en")
    assert reused_count(english.stderr) == 0
    messages = [f["message"] for r in reports(out).values() for f in r["findings"] if f["severity"] == "error"]
    assert any(m.startswith("resolution is 320×180") for m in messages)  # English, not the zh of the run before
    options = run_cli("audit", batch, "--out", out, "--no-speech", "--profile", "tianjin-2023-quality", "--lang", "en")
    assert reused_count(options.stderr) == 0  # --ocr auto instead of off


def test_audit_redoes_an_entry_whose_user_profile_changed(tmp_path, clip):
    profile = tmp_path / "mine.toml"
    profile.write_text('extends = "sichuan-2024-kepu-bilingual"\nname = "mine"\n', encoding="utf-8")
    out = tmp_path / "audit"
    run_cli("audit", clip, "--out", out, "--no-speech", "--ocr", "off", "--profile", profile)
    profile.write_text('extends = "sichuan-2024-kepu-bilingual"\nname = "mine"\n[media.duration_s]\nmin = 1\n'
                       'cite = "t"\n', encoding="utf-8")
    proc = run_cli("audit", clip, "--out", out, "--no-speech", "--ocr", "off", "--profile", profile)
    assert reused_count(proc.stderr) == 0
    (report,) = reports(out).values()
    assert "media.duration" not in {f["code"] for f in report["findings"]}


def test_jobs_are_capped_by_memory_as_well_as_cores(monkeypatch):
    monkeypatch.setattr(audit, "usable_cores", lambda: 16)
    monkeypatch.setattr(audit, "available_memory", lambda: 3 * 2**30 + 1)
    assert audit.cap_jobs(8, audit.HEAVY_WORKER_BYTES)[0] == 2
    jobs, why = audit.cap_jobs(8, audit.LIGHT_WORKER_BYTES)
    assert jobs == 8 and why is None
    jobs, why = audit.cap_jobs(20, audit.LIGHT_WORKER_BYTES)
    assert jobs == 12 and why.startswith("--jobs 20 capped to 12 (16 cores, 3.0 GiB memory available")
    _, said = audit.cap_jobs(20, audit.LIGHT_WORKER_BYTES, "zh")
    assert said.startswith("--jobs 20 已降为 12（16 个核心，可用内存 3.0 GiB")
    monkeypatch.setattr(audit, "available_memory", lambda: 2**29)  # less than one worker needs: one still runs
    assert audit.cap_jobs(4, audit.HEAVY_WORKER_BYTES)[0] == 1


def children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (the pool's workers; their ffmpeg children are grandchildren)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_audit(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bilingual", "audit", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "120"})


def copies(entry: Path, folder: Path, count: int) -> Path:
    """`folder` holding `count` copies of `entry` (e0.mp4, e1.mp4, …)."""
    folder.mkdir()
    for k in range(count):
        shutil.copyfile(entry, folder / f"e{k}.mp4")
    return folder


@pytest.mark.slow
def test_audit_caps_jobs_by_cores_and_says_so(tmp_path, clip):
    entries = copies(clip, tmp_path / "entries", 4)
    proc = start_audit(entries, "--out", tmp_path / "audit", "--jobs", "20", "--no-speech", "--ocr", "off",
                       "--lang", "en")
    most = 0
    while proc.poll() is None:
        most = max(most, len(children(proc.pid)))
        time.sleep(0.02)
    stderr = proc.stderr.read()
    cap = min(len(os.sched_getaffinity(0)), 20)
    assert f"bilingual: --jobs 20 capped to {cap} ({cap} cores" in stderr
    assert len([line for line in stderr.splitlines() if "capped" in line]) == 1
    assert 1 <= most <= cap and proc.returncode == 1  # the clips are too short for the profile
    assert len(read_rows(tmp_path / "audit")) == 4


def read_rows(out):
    with open(out / "summary.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_ctrl_c_cancels_the_queue_and_leaves_a_consistent_summary(tmp_path, mandarin_entry):
    entries = copies(mandarin_entry, tmp_path / "entries", 8)
    out = tmp_path / "audit"
    proc = start_audit(entries, "--out", out, "--jobs", "2", "--no-language", "--ocr", "off")
    deadline = time.monotonic() + 120
    while not list(out.glob("*.json")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read()
    workers = children(proc.pid)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10, "the in-flight entries were not dropped at once"
    assert proc.returncode == 130 and "bilingual: interrupted" in stderr, stderr
    assert "Traceback" not in stderr
    rows = read_rows(out)
    done = {p.name for p in out.glob("*.json")}
    assert 1 <= len(rows) < 8 and {os.path.basename(r["report"]) for r in rows} == done
    assert all(json.loads((out / name).read_text("utf-8"))["made_with"] for name in done)  # whole reports
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file left
    assert len((out / "summary.jsonl").read_text("utf-8").splitlines()) == len(rows)
    assert not any(running(pid) for pid in workers)  # no worker left behind
    resumed = run_cli("audit", entries, "--out", out, "--jobs", "2", "--no-language", "--ocr", "off")
    assert reused_count(resumed.stderr) == len(rows) and len(read_rows(out)) == 8
