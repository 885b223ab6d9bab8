"""Issue 13, item 3: the picture is the entry. Under `--ocr auto`, beside a sidecar, a quick look at a
few keyframes says which script the burned-in subtitles are in; another script than the track's is an
error that names what the picture shows."""

import json

import pytest
from test_ocr import STYLES_OCR, TIBETAN

from conftest import burn, ffmpeg, run_cli, write_srt

CHINESE = ["水是生命之源", "我们要节约用水", "保护环境人人有责"]
TIBETAN_SRT = [(0.5, 2.0, TIBETAN[0][2]), (2.0, 3.6, TIBETAN[1][2]), (3.6, 5.5, TIBETAN[0][2])]

pytestmark = pytest.mark.slow


# dark Tibetan on a 12 %-transparent light box (the burned-in matrix's `dark-on-light-box`)
STYLES_LOOK = STYLES_OCR.replace("Style: Zh,", "Style: BoDark,Tibetan Machine Uni,56,&H00202020,&H000000FF,&H20F0F0F0,"
                                               "&H20F0F0F0,0,0,0,0,100,100,0,0,3,8,0,2,10,10,60,1\nStyle: Zh,")


def entry(tmp_path, name, lines, style, sidecar=TIBETAN_SRT, language="bo"):
    """entry.mp4 (6 s, a keyframe a second) with `lines` burned in one after another, and a sidecar
    entry.<language>.srt beside it (Tibetan)."""
    folder = tmp_path / name
    folder.mkdir()
    times = ["0:00:00.50", "0:00:02.00", "0:00:03.60", "0:00:05.50"]
    ass = folder / "burn.ass"
    ass.write_text(STYLES_LOOK + "".join(f"Dialogue: 0,{times[i]},{times[i + 1]},{style},,0,0,0,,{text}\n"
                                        for i, text in enumerate(lines)), encoding="utf-8")
    quiet = folder / "quiet.wav"  # --no-speech: the sound is not listened to, but must be there
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "6", str(quiet))
    video = burn(ass, folder / "entry.mp4", 6, audio=quiet, keyframe_every=25)
    ass.unlink(), quiet.unlink()
    write_srt(folder / f"entry.{language}.srt", sidecar)
    return video


def look(video, *options):
    proc = run_cli("check", video, "--no-speech", "--format", "json", *options)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return report, [f for f in report["findings"] if f["code"] == "ocr.picture_differs"]


def test_chinese_burned_in_beside_a_tibetan_sidecar_is_an_error(tmp_path):
    report, (finding,) = look(entry(tmp_path, "zh", CHINESE, "Zh"), "--lang", "en")
    assert report["subtitles"]["source"] == "sidecar" and report["subtitles"]["language"] == "bo"
    assert finding["severity"] == "error" and report["verdict"] == "fail"
    d = finding["data"]
    assert d["language"] == "zh" and d["track_language"] == "bo" and d["frames_with_text"] >= 3, d
    assert d["text"] in CHINESE and 0.4 <= d["at_s"] <= 5.5
    assert "Chinese" in finding["message"] and "Tibetan" in finding["message"]


def test_tibetan_burned_in_beside_its_tibetan_sidecar_is_no_finding(tmp_path):
    report, found = look(entry(tmp_path, "bo", [t for *_, t in TIBETAN_SRT], "Bo"))
    assert found == [] and report["subtitles"]["picture"]["languages"] == ["bo"]


def test_a_picture_without_subtitles_beside_a_sidecar_is_no_finding(tmp_path):
    report, found = look(entry(tmp_path, "none", [], "Zh"))
    assert found == [] and report["subtitles"]["picture"]["languages"] == []


def test_dark_tibetan_on_a_light_box_beside_a_chinese_sidecar_is_an_error(tmp_path):
    # Tibetan speech with a Chinese sidecar, but the picture carries Tibetan, dark on a light box: the
    # look read its lines as nothing (bright text beside dark is what it looks for) and said nothing.
    chinese = [(s, e, CHINESE[i]) for i, (s, e, _) in enumerate(TIBETAN_SRT)]
    video = entry(tmp_path, "bo-dark", [t for *_, t in TIBETAN_SRT], "BoDark", chinese, "zh")
    report, (finding,) = look(video, "--lang", "en")
    assert report["subtitles"]["language"] == "zh" and finding["severity"] == "error", report["findings"]
    assert finding["data"]["language"] == "bo" and finding["data"]["frames_with_text"] >= 3, finding["data"]
