"""`bilingual fix`: round trips on SRT and ASS against real speech; inputs kept."""

import json
import re

import pysubs2
import pytest

from conftest import digest, make_video, run_cli


@pytest.fixture(scope="module")
def entry(tmp_path_factory, corpus):
    """The sample's audio (Mandarin with pauses) in a small video."""
    from bilingual.sample import samples_dir

    folder = tmp_path_factory.mktemp("fix")
    video = make_video(folder / "entry.mp4", audio=samples_dir() / "sample-entry.audio.flac", duration=125)
    return video, pysubs2.load(str(samples_dir() / "sample-entry.bo.srt"))


def late_copy(subs, path, shift_ms=2300, from_index=None, shift_after_ms=None):
    out = pysubs2.SSAFile.from_string(subs.to_string("ass"))
    for i, e in enumerate(out):
        d = shift_after_ms if from_index is not None and i >= from_index else shift_ms
        e.start += d
        e.end += d
    out.save(str(path))
    return path


def timing(video, subs):
    report = json.loads(run_cli("check", video, "--subs", subs, "--format", "json").stdout)
    return report["timing"], [f for f in report["findings"] if f["code"].startswith("timing.") and f["severity"] == "error"]


def test_fix_srt_round_trip(entry, tmp_path):
    video, subs = entry
    late = late_copy(subs, tmp_path / "late.srt")
    before = digest(late)
    proc = run_cli("fix", late, "--video", video, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    moved = float(re.search(r"all cues: moved by ([-+0-9.]+) s", proc.stdout).group(1))
    assert moved == pytest.approx(-2.3, abs=0.1) and digest(late) == before
    fixed = tmp_path / "late.fixed.srt"
    assert timing(video, late)[1]  # the late file has a timing error ...
    offset, errors = timing(video, fixed)
    assert errors == [] and abs(offset["offset_s"]) < 0.1  # ... the fixed one none
    assert [e.text for e in pysubs2.load(str(fixed))] == [e.text for e in subs]


def test_fix_keeps_ass_styling_and_repairs_a_split(entry, tmp_path):
    video, subs = entry
    styled = pysubs2.SSAFile.from_string(subs.to_string("ass"))
    styled.styles["Tibetan"] = pysubs2.SSAStyle(fontname="Noto Serif Tibetan", fontsize=48, bold=True)
    for e in styled:
        e.style = "Tibetan"
    path = late_copy(styled, tmp_path / "split.ass", shift_ms=0, from_index=12, shift_after_ms=-1500)
    proc = run_cli("fix", path, "--video", video, "-o", tmp_path / "out.ass", "--lang", "en")
    assert proc.returncode == 0 and "cues 1–" in proc.stdout, proc.stdout
    fixed = pysubs2.load(str(tmp_path / "out.ass"))
    assert fixed.styles["Tibetan"].fontname == "Noto Serif Tibetan" and {e.style for e in fixed} == {"Tibetan"}
    assert (tmp_path / "out.ass").read_text("utf-8").startswith("[Script Info]")
    report_timing, errors = timing(video, tmp_path / "out.ass")
    assert errors == [] and len(report_timing["segments"]) == 1


def test_fix_enforces_the_profile_gap(entry, tmp_path):
    video, _ = entry
    subs = pysubs2.SSAFile()
    for start, end in [(3.39, 5.0), (5.3, 8.84), (9.7, 14.6)]:  # gaps of 0.3 s and 0.86 s
        subs.append(pysubs2.SSAEvent(start=int(start * 1000), end=int(end * 1000), text="质量"))
    path = tmp_path / "gaps.srt"
    subs.save(str(path))
    proc = run_cli("fix", path, "--video", video, "--profile", "tianjin-2023-quality", "--lang", "en")
    assert "gaps under 500 ms" in proc.stdout
    fixed = sorted(pysubs2.load(str(tmp_path / "gaps.fixed.srt")), key=lambda e: e.start)
    gaps = [b.start - a.end for a, b in zip(fixed, fixed[1:])]
    assert all(g == 0 or g >= 500 for g in gaps)


def test_in_place_keeps_a_backup_and_outputs_are_not_overwritten(entry, tmp_path):
    video, subs = entry
    late = late_copy(subs, tmp_path / "inplace.srt")
    original = late.read_bytes()
    assert run_cli("fix", late, "--video", video, "--in-place").returncode == 0
    assert (tmp_path / "inplace.srt.bak").read_bytes() == original and late.read_bytes() != original
    again = run_cli("fix", tmp_path / "inplace.srt.bak", "--video", video, "-o", late)
    assert again.returncode == 2 and "--force" in again.stderr


def test_fix_refuses_bad_input(entry, tmp_path):
    video, _ = entry
    assert run_cli("fix", tmp_path / "none.srt", "--video", video).returncode == 2
    empty = tmp_path / "empty.srt"
    empty.touch()
    proc = run_cli("fix", empty, "--video", video)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1


def test_fix_keeps_a_legacy_encoding(entry, tmp_path):
    video, subs = entry
    chinese = pysubs2.SSAFile.from_string(subs.to_string("srt"), format_="srt")
    for e in chinese:
        e.text = "我们要节约用水"
        e.start += 1000
        e.end += 1000
    path = tmp_path / "gbk.srt"
    path.write_bytes(chinese.to_string("srt").encode("gbk"))
    assert run_cli("fix", path, "--video", video).returncode == 0
    data = (tmp_path / "gbk.fixed.srt").read_bytes()
    assert "我们要节约用水" in data.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
