"""`bilingual fix`: round trips on SRT and ASS against real speech; inputs kept."""

import json
import re

import pysubs2
import pytest

from conftest import digest, make_video, run_cli, write_srt


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
    errors = [f for f in report["findings"] if f["code"].startswith("timing.") and f["severity"] == "error"]
    return report["timing"], errors


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
    gaps = [b.start - a.end for a, b in zip(fixed, fixed[1:], strict=False)]
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


@pytest.fixture(scope="module")
def funasr(tmp_path_factory, corpus):
    """The FunASR recording (70 s, continuous speech) in a small video, and its cues."""
    folder = tmp_path_factory.mktemp("fix-funasr")
    video = make_video(folder / "funasr.mp4", audio=corpus / "mandarin/funasr_vad_example_70s.wav", duration=70.5)
    srt = pysubs2.load(str(corpus / "mandarin/funasr_vad_example_70s.machine.srt"))
    return video, [(e.start / 1000, e.end / 1000, "བཀྲ་ཤིས་བདེ་ལེགས།") for e in srt]


def cue_times(path):
    return [(e.start / 1000, e.end / 1000) for e in pysubs2.load(str(path))]


@pytest.mark.slow
@pytest.mark.parametrize("until", [60.0, 39.0])
def test_fix_leaves_subtitles_that_stop_early_where_they_are(funasr, tmp_path, until):
    """Correct times, the last part of the speech uncaptioned: no cue moves (before: a drift of
    25/29.97 undone and +2.5 s, the cue at 57 s sent to 72 s)."""
    video, cues = funasr
    path = write_srt(tmp_path / "partial.srt", [c for c in cues if c[1] <= until])
    proc = run_cli("fix", path, "--video", video, "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    moved = [abs(a[0] - b[0]) for a, b in zip(cue_times(path), cue_times(tmp_path / "partial.fixed.srt"), strict=False)]
    assert max(moved) <= 0.1 and "drift" not in proc.stdout


@pytest.mark.slow
def test_fix_refuses_a_low_confidence_correction(funasr, tmp_path):
    """Four cues in continuous speech fit 31 s away about as well as where they are: nothing is
    written, one line says why, exit 1 (before: all four moved by +31 s, exit 0)."""
    video, cues = funasr
    path = write_srt(tmp_path / "four.srt", [c for c in cues if c[0] >= 21 and c[1] <= 42.3])
    before = digest(path)
    proc = run_cli("fix", path, "--video", video, "--lang", "en")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "low confidence" in proc.stderr, proc.stderr
    assert proc.stderr.startswith("bilingual: error: fix refused, nothing written")
    assert not (tmp_path / "four.fixed.srt").exists() and digest(path) == before


@pytest.mark.slow
def test_title_cards_do_not_make_fix_move_blocks(tmp_path, corpus):
    """The recitation after 3 s of silence, two title cards over it: fix moves no block on its own
    (before: cues 1–6 by +17.7 s, 7–14 by −9.4 s); its 1-s cues fit 0.2 s late about as well as
    elsewhere, so it moves them all by that or refuses on low confidence."""
    from conftest import ffmpeg

    audio = tmp_path / "recitation.wav"
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono:d=3", "-i", str(corpus / "mandarin/webuddhist_zh_prayer.mp3"),
           "-filter_complex", "[1:a]aresample=16000,aformat=channel_layouts=mono[b];[0:a][b]concat=n=2:v=0:a=1",
           str(audio))
    video = make_video(tmp_path / "recitation.mp4", audio=audio, duration=51)
    srt = pysubs2.load(str(corpus / "mandarin/webuddhist_zh_prayer.srt"))
    path = write_srt(tmp_path / "cards.srt", [(0.0, 1.5, "科普"), (1.5, 3.0, "片头")]
                     + [(e.start / 1000 + 3, e.end / 1000 + 3, e.plaintext) for e in srt])
    proc = run_cli("fix", path, "--video", video, "--lang", "en")
    assert "cues 1–" not in proc.stdout
    if proc.returncode == 0:
        moved = float(re.search(r"all cues: moved by ([-+0-9.]+) s", proc.stdout).group(1))
        assert abs(moved) <= 0.3
    else:
        assert proc.returncode == 1 and "low confidence" in proc.stderr
        assert not (tmp_path / "cards.fixed.srt").exists()


@pytest.mark.slow
def test_fix_refuses_what_the_recheck_finds_worse(entry):
    """The re-check on real speech: a correction that would put the sample's correct cues 3 s off
    the speech, or make them overlap, is refused."""
    from bilingual.errors import FixRefused
    from bilingual.fix import _recheck, _refuse_if_worse
    from bilingual.media import probe
    from bilingual.model import Cue
    from bilingual.profiles import load_profile
    from bilingual.speech.language import hear
    from bilingual.timing import analyze_timing, distinctness

    video, subs = entry
    media = probe(video)
    audio, spans = hear(media.path, media.main_audio.index)
    cues = [Cue(i, e.start / 1000, e.end / 1000, e.text) for i, e in enumerate(subs, 1)]
    timing = analyze_timing(cues, spans, len(audio) / 16000)

    def placement():
        return distinctness(timing, spans, len(audio) / 16000)

    assert placement() > 2  # the sample's own cues fit where they are and nowhere else
    profile = load_profile("sichuan-2024-kepu-bilingual")
    before = [(e.start, e.end) for e in subs]
    off_speech = [(s + 3000, e + 3000) for s, e in before]
    check = _recheck((before, off_speech, off_speech), spans)
    assert check.share_after < check.share_before - 0.2
    with pytest.raises(FixRefused, match="less over speech"):
        _refuse_if_worse((before, off_speech, off_speech), check, profile, placement)
    overlapping = [(s, e + 1500) for s, e in before]
    check = _recheck((before, before, overlapping), spans)
    assert check.overlaps_after > check.overlaps_before == 0
    with pytest.raises(FixRefused, match="overlap"):
        _refuse_if_worse((before, before, overlapping), check, profile, placement)
    _refuse_if_worse((before, before, before), _recheck((before, before, before), spans), profile, placement)
