"""The contest cue rules, on generated cues and (shot changes) on a video cut with ffmpeg."""

import pytest

from bilingual.model import Cue
from bilingual.profiles import load_profile
from bilingual.rules.cues import cue_findings, shot_change_findings
from bilingual.shots import detect_cuts

from conftest import ffmpeg

BILINGUAL = load_profile("sichuan-2024-kepu-bilingual")
TIANJIN = load_profile("tianjin-2023-quality")


def cues(*spans_and_text):
    return [Cue(i, s, e, text) for i, (s, e, text) in enumerate(spans_and_text, 1)]


def found(findings, code):
    return [(f.cue, f.severity.value) for f in findings if f.code == code]


def test_tianjin_gaps_under_half_a_second_between_screens():
    track = cues((0, 2, "质量是企业的生命"), (2.3, 4, "我们精益求精"), (4, 6, "每一道工序"), (6.6, 8, "都严格把关"))
    findings = cue_findings(track, TIANJIN, 25)
    assert found(findings, "cue.gap") == [(2, "error")]  # 0.3 s; back to back (0 s) and 0.6 s are fine
    (gap,) = [f for f in findings if f.code == "cue.gap"]
    assert gap.data["gap_s"] == 0.3 and "0.5" in gap.data["cite"]


def test_default_gap_is_two_frames_at_the_video_rate():
    track = cues((0, 2, "水是生命之源"), (2.04, 4, "我们要节约用水"), (4.1, 6, "保护环境"))
    assert found(cue_findings(track, BILINGUAL, 25), "cue.gap") == [(2, "warning")]  # 40 ms < 80 ms
    assert found(cue_findings(track, BILINGUAL, 50), "cue.gap") == []  # 2 frames at 50 fps = 40 ms


def test_tianjin_one_line():
    findings = cue_findings(cues((0, 3, "质量强国\n从我做起")), TIANJIN, 25)
    assert found(findings, "cue.lines") == [(1, "error")]


def test_overlap_duration_length_and_speed():
    track = cues(
        (0.0, 0.5, "水"),  # too short
        (1.0, 9.0, "水是生命之源"),  # too long
        (8.5, 11.0, "我们一定要珍惜每一滴水资源保护我们的家园"),  # overlaps cue 2; 20 characters a line; 8 chars/s
        (12.0, 13.0, "བཀྲ་ཤིས་བདེ་ལེགས་ཕུན་སུམ་ཚོགས་པར་ཤོག་ཅིག"),  # 10 Tibetan syllables in 1 s
    )
    findings = cue_findings(track, BILINGUAL, 25)
    assert found(findings, "cue.too_short") == [(1, "warning")]
    assert found(findings, "cue.too_long") == [(2, "warning")]
    assert found(findings, "cue.overlap") == [(3, "warning")]
    assert found(findings, "cue.line_length") == [(3, "warning")]
    speed = {f.cue: f.data for f in findings if f.code == "cue.reading_speed"}
    assert set(speed) == {4} and speed[4]["counted"] == "syllables" and speed[4]["rate"] == 10.0


def test_dual_language_cue_counts_each_line_in_its_own_units():
    track = cues((0, 4, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།\n水是生命之源"))
    assert cue_findings(track, BILINGUAL, 25) == []


def test_identical_spans_are_dual_language_not_overlap():
    track = cues((0, 3, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), (0, 3, "水是生命之源"))
    assert found(cue_findings(track, BILINGUAL, 25), "cue.overlap") == []


@pytest.fixture(scope="module")
def cut_video(tmp_path_factory):
    """Red 0–2 s, blue 2–4 s, green 4–6 s at 25 fps: cuts at 2.0 and 4.0."""
    path = tmp_path_factory.mktemp("shots") / "cuts.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=red:size=320x180:rate=25:duration=2", "-f", "lavfi",
           "-i", "color=blue:size=320x180:rate=25:duration=2", "-f", "lavfi",
           "-i", "color=green:size=320x180:rate=25:duration=2", "-filter_complex", "[0][1][2]concat=n=3:v=1",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path))
    return path


def test_cuts_are_found_to_the_frame(cut_video):
    assert detect_cuts(cut_video) == pytest.approx([2.0, 4.0], abs=0.001)


def test_cue_edges_a_few_frames_off_a_cut(cut_video):
    track = cues((0.5, 2.0, "画面切换时字幕同时切换"), (2.2, 3.8, "这条字幕晚了五帧"), (4.0, 5.0, "对齐"))
    findings = shot_change_findings(track, detect_cuts(cut_video), TIANJIN, 25)
    flagged = sorted((f.cue, f.data["edge"], f.data["frames_off"]) for f in findings)
    assert flagged == [(2, "in", 5.0), (2, "out", 5.0)]
    assert shot_change_findings(track, detect_cuts(cut_video), BILINGUAL, 25) == []  # not a rule there
