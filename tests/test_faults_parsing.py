"""Faults of issue 11, "parsing that silently drops or misreads": line ends, WebVTT blocks and
markup, 100-hour time codes, fix's offsets against its own report, rotated video."""

from __future__ import annotations

import json
import re

import pysubs2
import pytest

from conftest import digest, ffmpeg, make_video, run_cli

pytestmark = pytest.mark.slow

TIMING = re.compile(r"^(\S+) --> (\S+)(.*)$")


def ms(code: str) -> int:
    *hours, minutes, rest = code.replace(",", ".").split(":")
    seconds, fraction = rest.split(".")
    return ((int(hours[0]) if hours else 0) * 3600 + int(minutes) * 60 + int(seconds)) * 1000 + int(fraction)


def tc(t_ms: int, sep: str = ",") -> str:
    return f"{t_ms // 3600000:02d}:{t_ms // 60000 % 60:02d}:{t_ms // 1000 % 60:02d}{sep}{t_ms % 1000:03d}"


def scripts(path):
    before = digest(path)
    proc = run_cli("scripts", path, "--format", "json")
    assert digest(path) == before
    return proc


def sample_cues(shift_ms: int = 0) -> list[tuple[int, int, str]]:
    """The sample entry's Tibetan cues (correctly timed against its audio), moved by `shift_ms`."""
    from bilingual.sample import samples_dir

    return [(e.start + shift_ms, e.end + shift_ms, e.plaintext)
            for e in pysubs2.load(str(samples_dir() / "sample-entry.bo.srt"))]


@pytest.fixture(scope="module")
def entry(tmp_path_factory):
    """The sample's audio (Mandarin with pauses, 125 s) in a small video."""
    from bilingual.sample import samples_dir

    folder = tmp_path_factory.mktemp("faults-parsing")
    return make_video(folder / "entry.mp4", audio=samples_dir() / "sample-entry.audio.flac", duration=125)


def fixed(subs, video, *extra):
    before = digest(subs)
    proc = run_cli("fix", subs, "--video", video, "--lang", "en", *extra)  # the changes are read in English
    assert proc.returncode == 0, proc.stderr
    assert digest(subs) == before
    return proc


# --- line ends -------------------------------------------------------------------------------

def test_a_cr_only_srt_reads_as_its_cues(tmp_path):
    path = tmp_path / "mac.srt"
    path.write_bytes("1\r00:00:01,000 --> 00:00:02,500\r我们要节约用水\r\r"
                     "2\r00:00:03,000 --> 00:00:04,000\r水是生命之源\r".encode())
    proc = scripts(path)
    assert proc.returncode == 0, proc.stderr
    cues = json.loads(proc.stdout)["cues"]
    assert [(c["start_s"], c["end_s"], c["text"]) for c in cues] == [(1.0, 2.5, "我们要节约用水"),
                                                                      (3.0, 4.0, "水是生命之源")]


def test_no_cue_vanishes_with_mixed_line_ends(tmp_path):
    path = tmp_path / "mixed.srt"
    path.write_bytes(("1\r\n00:00:01,000 --> 00:00:02,000\r\n甲乙\r\n\r\n"
                      "2\r00:00:03,000 --> 00:00:04,000\r丙丁\r\r"
                      "3\n00:00:05,000 --> 00:00:06,000\n戊己\n").encode())
    proc = scripts(path)
    assert proc.returncode == 0, proc.stderr
    assert [c["text"] for c in json.loads(proc.stdout)["cues"]] == ["甲乙", "丙丁", "戊己"]


@pytest.mark.parametrize("ends", ["cr", "mixed"])
def test_fix_keeps_each_line_end(entry, tmp_path, ends):
    cues = sample_cues(shift_ms=2300)
    lines = []
    for i, (start, end, text) in enumerate(cues, 1):
        lines += [str(i), f"{tc(start)} --> {tc(end)}", text, ""]
    pattern = ["\r"] if ends == "cr" else ["\r\n", "\r", "\n"]
    line_ends = [pattern[i * len(pattern) // len(lines)] for i in range(len(lines))]
    path = tmp_path / f"{ends}.srt"
    path.write_bytes("".join(line + end for line, end in zip(lines, line_ends, strict=False)).encode("utf-8"))
    proc = fixed(path, entry)
    moved = float(re.search(r"all cues: moved by ([-+0-9.]+) s", proc.stdout).group(1))
    assert moved == pytest.approx(-2.3, abs=0.1)
    out = (tmp_path / f"{ends}.fixed.srt").read_bytes().decode("utf-8")
    assert re.findall(r"\r\n|\r|\n", out) == line_ends  # every line keeps its own end
    out_lines = re.split(r"\r\n|\r|\n", out)[:-1]
    assert len(out_lines) == len(lines)
    starts = [ms(m.group(1)) for m in map(TIMING.match, out_lines) if m]
    assert len(starts) == len(cues)
    assert all(abs(s - (start + moved * 1000)) <= 1 for s, (start, _, _) in zip(starts, cues, strict=False))


# --- WebVTT ----------------------------------------------------------------------------------

VTT_HEAD = ["WEBVTT - contest entry", "Kind: captions", "",
            "STYLE", "::cue(.bo) { color: yellow; font-family: 'Noto Serif Tibetan'; }", "",
            "REGION", "id:lower width:80% lines:2 regionanchor:0%,100% viewportanchor:10%,90%", "",
            "NOTE written by the subtitling team, reviewed by the editor", ""]


def test_webvtt_identifiers_notes_and_markup_are_not_cue_text(tmp_path):
    lines = [*VTT_HEAD,
             "speaker-introduction", "00:00:01.000 --> 00:00:03.000 line:90% align:center",
             "<v Narrator>我们要<c.bo>节约</c>用水</v>", "",
             "NOTE the next cue was retimed by the producer after the review", "",
             "second-cue-identifier", "00:04.000 --> 00:06.500 region:lower",
             "<ruby>水<rt>shui</rt></ruby>是<i>生命</i>之源 &amp; 希望", "",
             "00:00:07.000 --> 00:00:09.000", "<00:00:07.500>保护<00:00:08.000>水资源", ""]
    path = tmp_path / "entry.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    proc = scripts(path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [(c["start_s"], c["end_s"], c["text"]) for c in report["cues"]] == [
        (1.0, 3.0, "我们要节约用水"), (4.0, 6.5, "水是生命之源 & 希望"), (7.0, 9.0, "保护水资源")]
    assert report["track"]["language"] == "zh"
    assert not [f for f in report["findings"] if f["code"] == "script.mixed"]


def test_fix_on_webvtt_changes_only_the_times(entry, tmp_path):
    cues = sample_cues(shift_ms=2300)
    lines = list(VTT_HEAD)
    for i, (start, end, text) in enumerate(cues, 1):
        lines += [f"cue-{i}", f"{tc(start, '.')} --> {tc(end, '.')} line:90% align:center size:80%",
                  f"<v 旁白><c.bo>{text}</c></v>" if i % 2 else f"<i>{text}</i> <ruby>༡<rt>gcig</rt></ruby>", ""]
        if i == 13:
            lines += ["NOTE", "half way: the producer's cut", ""]
    path = tmp_path / "late.vtt"
    path.write_text("\n".join(lines), encoding="utf-8")
    proc = fixed(path, entry)
    moved = float(re.search(r"all cues: moved by ([-+0-9.]+) s", proc.stdout).group(1))
    assert moved == pytest.approx(-2.3, abs=0.1)
    out = (tmp_path / "late.fixed.vtt").read_text("utf-8").split("\n")
    assert len(out) == len(lines)
    for before, after in zip(lines, out, strict=False):
        timing = TIMING.match(before)
        if not timing:
            assert after == before  # ids, NOTE, STYLE, REGION, markup: byte for byte
            continue
        new = TIMING.match(after)
        assert new.group(3) == timing.group(3) == " line:90% align:center size:80%"
        for old_code, new_code in zip(timing.group(1, 2), new.group(1, 2), strict=False):
            assert abs(ms(new_code) - ms(old_code) - moved * 1000) <= 1


# --- time codes ------------------------------------------------------------------------------

def test_a_100_hour_time_code_is_refused_with_one_line(tmp_path):
    path = tmp_path / "hours.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n甲\n\n2\n123:00:05,000 --> 123:00:06,000\n乙\n",
                    encoding="utf-8")
    proc = scripts(path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "第 6 行" in proc.stderr and "123:00:05,000" in proc.stderr and "100 小时" in proc.stderr  # zh, the default


def test_hours_10_to_99_are_read_exactly(tmp_path):
    path = tmp_path / "hours.srt"
    path.write_text("1\n12:00:05,000 --> 12:00:06,500\n甲\n\n2\n99:59:58,000 --> 99:59:59,999\n乙\n", encoding="utf-8")
    proc = scripts(path)
    assert proc.returncode == 0, proc.stderr
    assert [(c["start_s"], c["end_s"]) for c in json.loads(proc.stdout)["cues"]] == [
        (43205.0, 43206.5), (359998.0, 359999.999)]


# --- fix against its own report --------------------------------------------------------------

def test_fix_after_a_removed_cue_moves_cues_as_it_reports(tmp_path, corpus):
    """The FunASR recording's correct cues less cue 18: the analysis chose −8.97 s for the last cue
    alone, merged that one-cue block into the whole, reported one offset — and fix applied −8.97 s."""
    video = make_video(tmp_path / "funasr.mp4", audio=corpus / "mandarin/funasr_vad_example_70s.wav", duration=70)
    srt = (corpus / "mandarin/funasr_vad_example_70s.machine.srt").read_text("utf-8")
    blocks = srt.strip("\n").split("\n\n")
    del blocks[17]
    path = tmp_path / "removed.srt"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    proc = fixed(path, video)
    said = re.findall(r"moved by ([-+0-9.]+) s", proc.stdout)
    assert len(said) <= 1 and "cues " not in proc.stdout, proc.stdout  # one block, as reported
    moved_ms = float(said[0]) * 1000 if said else 0.0
    assert abs(moved_ms) < 100  # the cues were correct: a small offset at most
    starts = [ms(m.group(1)) for m in map(TIMING.match, path.read_text("utf-8").split("\n")) if m]
    after = [ms(m.group(1)) for m in map(TIMING.match, (tmp_path / "removed.fixed.srt").read_text("utf-8").split("\n"))
             if m]
    assert len(after) == len(starts) == 18
    pairs = list(zip(starts, after, strict=True))
    assert all(abs(b - a - moved_ms) <= 1 for a, b in pairs), pairs


# --- rotated video ---------------------------------------------------------------------------

def test_a_rotated_video_is_judged_by_its_display_size(tmp_path):
    landscape = make_video(tmp_path / "landscape.mp4", size="1920x1080", duration=1)
    rotated = tmp_path / "phone.mp4"
    ffmpeg("-i", str(landscape), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(rotated))

    def check(path):
        before = digest(path)
        proc = run_cli("check", path, "--no-speech", "--format", "json")
        assert digest(path) == before and proc.returncode == 1  # 1 s is too short anyway
        report = json.loads(proc.stdout)
        return report["media"], {f["code"] for f in report["findings"]}

    media, codes = check(landscape)
    assert (media["width"], media["height"], media.get("rotation")) == (1920, 1080, 0) and "media.aspect" not in codes
    media, codes = check(rotated)
    assert "media.aspect" in codes  # shown 1080×1920: not 16:9
    assert (media["width"], media["height"], media["rotation"], media["display_aspect"]) == (1080, 1920, 90, "9:16")
    probe = run_cli("probe", rotated, "--format", "json")
    assert json.loads(probe.stdout)["rotation"] == 90
