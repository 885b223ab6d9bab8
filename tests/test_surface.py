"""The reviewer-facing surface (issue 15): `fix` speaks the --lang language, no command overwrites a
file without --force, extract names burned-in files after the entry, the check text gives every
finding's time, help without placeholders, and the zh report without stray English."""

from __future__ import annotations

import io
import os
import re
import shutil
import threading

import pytest
import typer
from test_burnedin_robust import HEADER
from typer.testing import CliRunner

from bilingual.cli import app
from bilingual.model import Finding, Severity
from bilingual.profiles import load_profile
from bilingual.report import Report
from bilingual.report.text import render_text

from conftest import burn, digest, make_video, run_cli, write_srt


@pytest.fixture(scope="module")
def speech_clip(tmp_path_factory):
    """320×180, the sample entry's first 50 s (Mandarin with pauses): enough for `fix` to be sure of
    an offset (a 4-s clip of one utterance is refused: no other placement to compare with)."""
    from bilingual.sample import samples_dir

    folder = tmp_path_factory.mktemp("surface")
    return make_video(folder / "entry.mp4", duration=50.0, audio=samples_dir() / "sample-entry.audio.flac")


def late_cues() -> list[tuple[float, float, str]]:
    """The sample's first ten Tibetan cues, 0.6 s late; the last two 30 ms apart (under two frames)."""
    import pysubs2

    from bilingual.sample import samples_dir

    cues = pysubs2.load(str(samples_dir() / "sample-entry.bo.srt"))[:10]
    cues[8].end = cues[9].start - 30
    return [(e.start / 1000 + 0.6, e.end / 1000 + 0.6, e.plaintext) for e in cues]


def latin_outside(text: str, *allowed: str) -> list[str]:
    """The Latin words of `text` once the paths and names in `allowed` are taken out."""
    for word in allowed:
        text = text.replace(str(word), "")
    return re.findall(r"[A-Za-z][A-Za-z0-9]*", re.sub(r"--[a-z-]+", "", text))  # an option is its name


def test_fix_wording_in_zh_and_en(speech_clip, tmp_path):
    subs = write_srt(tmp_path / "late.srt", late_cues())
    zh = run_cli("fix", subs, "--video", speech_clip)
    assert zh.returncode == 0, zh.stderr
    assert re.search(r"^- 全部字幕：平移 -0\.\d+ 秒$", zh.stdout, re.M), zh.stdout
    assert re.search(r"^- 短于 80 毫秒的间隔：合并 1 处，加宽 0 处$", zh.stdout, re.M) and "已写入：" in zh.stdout
    assert latin_outside(zh.stdout, tmp_path / "late.fixed.srt") == [], zh.stdout
    en = run_cli("fix", subs, "--video", speech_clip, "--lang", "en", "--force")
    assert en.returncode == 0, en.stderr
    assert re.search(r"^- gaps under 80 ms: 1 closed, 0 widened$", en.stdout, re.M) and "written: " in en.stdout
    assert re.search(r"^- all cues: moved by -0\.\d+ s$", en.stdout, re.M), en.stdout
    # the errors fix says itself, in either language: one line, exit 2
    refused = run_cli("fix", subs, "--video", speech_clip)
    assert refused.returncode == 2 and refused.stderr == f"bilingual: error: {tmp_path / 'late.fixed.srt'}: " \
                                                          "文件已存在（加 --force 覆盖）\n", refused.stderr
    both = ["fix", subs, "--video", speech_clip, "--in-place", "-o", tmp_path / "other.srt"]
    assert run_cli(*both, "--lang", "en").stderr == \
        f"bilingual: error: {subs}: --in-place and --output exclude each other\n"
    assert run_cli(*both).stderr == f"bilingual: error: {subs}: --in-place 与 --output 不能同时使用\n"


def test_fix_wording_beside_the_file_on_stdout(speech_clip, tmp_path):
    subs = write_srt(tmp_path / "late.srt", late_cues())
    proc = run_cli("fix", subs, "--video", speech_clip, "-o", "-")  # the file on stdout, the words on stderr
    assert proc.returncode == 0 and "-->" in proc.stdout and "全部字幕" not in proc.stdout
    assert proc.stderr.splitlines()[0].startswith("- 全部字幕：平移") and proc.stderr.endswith("已写入：-\n")


@pytest.mark.parametrize("command", ["check", "transcribe"])
def test_an_existing_output_needs_force(clip, tmp_path, command):
    out = tmp_path / "report.txt"
    out.write_text("mine", encoding="utf-8")
    args = ["check", clip, "--no-speech", "--ocr", "off"] if command == "check" else ["transcribe", clip]
    refused = run_cli(*args, "-o", out, "--lang", "en")
    assert refused.returncode == 2 and refused.stderr == f"bilingual: error: {out}: exists (use --force to overwrite)\n"
    assert out.read_text("utf-8") == "mine"
    assert "文件已存在（加 --force 覆盖）" in run_cli(*args, "-o", out).stderr  # in the --lang language
    if command == "check":
        forced = run_cli(*args, "-o", out, "--force")
        assert forced.returncode == 1 and "不通过" in out.read_text("utf-8")


@pytest.mark.parametrize("target", ["-", "/dev/stdout"])
def test_standard_output_is_no_existing_file(clip, target):
    proc = run_cli("check", clip, "--no-speech", "--ocr", "off", "--format", "json", "-o", target)
    assert proc.returncode == 1 and '"schema": "bilingual.report/1"' in proc.stdout, proc.stderr


def test_a_fifo_is_written_to_without_force(clip, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    read: list[bytes] = []
    reader = threading.Thread(target=lambda: read.append(fifo.read_bytes()))
    reader.start()
    proc = run_cli("check", clip, "--no-speech", "--ocr", "off", "--format", "json", "-o", fifo)
    reader.join(timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert read and b'"verdict": "fail"' in read[0]


BURNED = HEADER + "Dialogue: 0,0:00:00.20,0:00:01.80,Zh,,0,0,0,,水是生命之源\n"  # libass styles of the burned-in tests


@pytest.mark.slow
def test_extract_names_burned_in_files_after_the_entry(tmp_path):
    ass = tmp_path / "subs.ass"
    ass.write_text(BURNED, encoding="utf-8")
    entries = tmp_path / "entries"
    entries.mkdir()
    first = burn(ass, entries / "first.mp4", 2.0)
    second = entries / "second.mp4"
    shutil.copyfile(first, second)
    out = tmp_path / "out"
    for video in (first, second):  # two entries of one folder, extracted into one folder
        proc = run_cli("extract", video, "--out", out, "--ocr", "on")
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.glob("*.srt")) == ["first.burned-in.zh.srt", "second.burned-in.zh.srt"]
    stamp = digest(out / "first.burned-in.zh.srt")
    again = run_cli("extract", first, "--out", out, "--ocr", "on")
    assert again.returncode == 2 and "--force" in again.stderr and digest(out / "first.burned-in.zh.srt") == stamp


def test_the_text_report_gives_the_time_of_every_finding():
    report = Report("entry.mp4", load_profile(None))
    report.add(Finding("timing.speech_without_cue", Severity.WARNING, 16.751, 19.14, None, data={"duration_s": 2.39}),
               Finding("timing.cue_late", Severity.WARNING, 42.252, 44.0, 9, data={"late_s": 0.751, "max_s": 0.5}),
               Finding("timing.split", Severity.ERROR, 61.5, 90.0, None, data={}))
    for lang in ("zh", "en"):
        out = io.StringIO()
        render_text(report, out, lang, color=False)
        lines = {code: line for line in out.getvalue().splitlines() for code in
                 ("timing.speech_without_cue", "timing.cue_late", "timing.split") if f"• {code} " in line}
        assert "00:00:16.751" in lines["timing.speech_without_cue"]
        assert "00:00:42.252" in lines["timing.cue_late"] and "00:01:01.500" in lines["timing.split"]


def command_paths(group=None, prefix=()):
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        yield (*prefix, name)
        if hasattr(command, "commands"):
            yield from command_paths(command, (*prefix, name))


@pytest.mark.parametrize("path", [(), *command_paths()], ids=lambda p: " ".join(p) or "bilingual")
def test_help_without_placeholders_or_stray_spaces(path):
    text = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
    assert "<bool>" not in text and not re.search(r"\w \.(\s|$)", text), text
    # options take the README's metavars (--profile NAME|FILE, --out DIR), not typer's <str>/<path>
    assert not re.search(r"<(str|path|integer|text\|json)", text.partition("Options:")[2]), text
    if path in (("check",), ("fix",), ("audit",)):  # "[default: …]" in a help text is text, not markup
        assert "Profile name or .toml file [default: sichuan" in " ".join(text.split()), text
    if path in (("timing",), ("probe",), ("scripts",), ("profiles", "show")):
        assert "--format text|json " in text  # the formats the command has: no html


def test_the_zh_terminal_report_has_no_stray_english(tmp_path, mandarin_entry):
    """An ordinary entry, in Chinese: what stays Latin is codes, file names and format names."""
    video = tmp_path / "entry.mp4"
    shutil.copyfile(mandarin_entry, video)
    write_srt(tmp_path / "entry.bo.srt", [(0.5, 2.0, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), (2.0, 3.65, "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།")])
    proc = run_cli("check", "entry.mp4", "--no-language", cwd=tmp_path)  # short paths: lines that do not wrap
    codes = re.findall(r"[a-z_]+\.[a-z_0-9]+", proc.stdout)
    words = latin_outside(proc.stdout, "sichuan-2024-kepu-bilingual", "entry.bo.srt", "entry.mp4", *codes)
    assert proc.returncode == 1 and set(words) <= {"mp4", "aac", "utf", "MB"}, proc.stdout


def test_scripts_and_profiles_list_in_zh(tmp_path):
    write_srt(tmp_path / "bo.srt", [(0.5, 2.0, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), (2.0, 3.65, "水是生命之源")])
    zh = run_cli("scripts", "bo.srt", cwd=tmp_path)
    codes = re.findall(r"[a-z_]+\.[a-z_]+", zh.stdout)
    assert zh.returncode == 0 and set(latin_outside(zh.stdout, "bo.srt", *codes)) <= {"utf", "Unicode"}, zh.stdout
    assert "2 cues" in run_cli("scripts", "bo.srt", "--lang", "en", cwd=tmp_path).stdout
    listed = run_cli("profiles", "list")
    names = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", listed.stdout)
    assert latin_outside(listed.stdout, *sorted(names, key=len, reverse=True)) == [], listed.stdout


def test_timing_lines_give_times_where_findings_have_them(speech_clip, tmp_path):
    subs = write_srt(tmp_path / "late.srt", late_cues())
    proc = run_cli("timing", speech_clip, "--subs", subs)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert any(" timing.offset 字幕整体偏移" in line for line in lines), proc.stdout  # no time, no gap for one
    assert all("  " not in line for line in lines), proc.stdout


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("zh", ["人工核对清单", "通行做法"], ["common practice", "manual checklist"]),
    ("en", ["manual checklist", "common practice"], ["通行做法", "人工核对清单"])])
def test_profiles_show_speaks_the_lang(lang, said, not_said):
    text = CliRunner().invoke(app, ["profiles", "show", "sichuan-2024-kepu-bilingual", "--lang", lang],
                              env={"COLUMNS": "200"}).output
    assert all(s in text for s in said) and not any(s in text for s in not_said), text
