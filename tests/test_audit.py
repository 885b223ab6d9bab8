import csv
import json
import os
import shutil
import time

import pytest

from conftest import run_cli, write_srt


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
    assert again.returncode == 2 and "3 entries" in again.stderr
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
    assert read_summary(tmp_path / "a") and "pass" in (tmp_path / "a" / "summary.csv").read_text()


def test_audit_refuses_a_bad_profile_before_any_work(tmp_path, clip):
    proc = run_cli("audit", clip, "--out", tmp_path / "a", "--profile", "nope")
    assert proc.returncode == 2 and not (tmp_path / "a").exists()
