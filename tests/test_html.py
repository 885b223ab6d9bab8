"""The HTML report and the batch page, rendered in a real browser (Debian's chromium, headless)."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_burnedin import STYLES
from test_dual import burned, mandarin  # noqa: F401 (fixtures: 11 s of Mandarin, Tibetan and Chinese burned in)

from conftest import REPO, make_video, run_cli

pytestmark = pytest.mark.slow
SCRIPT_CUE = "<script>alert(1)</script>"


def browse(url: str, tmp_path: Path, *args: str) -> str:
    """Headless chromium on `url` (a fresh profile, no network, a time limit); its stdout."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is missing: run setup.sh"
    profile = tmp_path / f"chromium-{len(list(tmp_path.glob('chromium-*')))}"
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--mute-audio", "--hide-scrollbars", f"--user-data-dir={profile}",
                           "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=3000", *args, url],
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def screenshot(url: str, tmp_path: Path, size: str = "1280,1500") -> Image.Image:
    png = tmp_path / "shot.png"
    browse(url, tmp_path, f"--screenshot={png}", f"--window-size={size}")
    return Image.open(png).convert("RGB")


def assert_not_blank(image: Image.Image) -> None:
    pixels = np.asarray(image).reshape(-1, 3)
    inked = (pixels < 235).any(axis=1).mean()  # the page background is near white
    colours = len(np.unique(pixels[::7], axis=0))
    assert inked > 0.05 and colours > 200, (inked, colours)


@pytest.fixture(scope="module")
def entry_page(burned, tmp_path_factory):  # noqa: F811
    """The page of a burned-in dual-language entry, written in a folder of its own (the player reaches
    the video by a relative path), with the band images read."""
    video, _, _ = burned
    folder = tmp_path_factory.mktemp("html")
    page = folder / "pages" / "entry.html"
    page.parent.mkdir()
    proc = run_cli("check", video, "--format", "html", "-o", page, "--frames", folder / "frames")
    assert proc.returncode in (0, 1) and page.is_file(), proc.stderr
    report = json.loads(run_cli("check", video, "--format", "json", "--no-speech").stdout)
    return page, report, video


def test_the_entry_page_shows_its_evidence(entry_page, tmp_path):
    page, report, video = entry_page
    text = page.read_text("utf-8")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "") and "https://" not in text  # offline
    assert f'src="{Path(os.path.relpath(video, page.parent)).as_posix()}"' in text  # the player, relative
    assert text.count('src="data:image/jpeg;base64,') == report["subtitles"]["cue_count"]  # every band read, inline
    image = screenshot(page.as_uri(), tmp_path)
    assert_not_blank(image)
    if os.environ.get("BILINGUAL_UPDATE_SCREENSHOT"):
        small = image.crop((0, 0, 1280, 1400)).resize((960, 1050), Image.LANCZOS)
        small.quantize(colors=128).save(REPO / "docs" / "report.png", optimize=True)


def test_a_cue_click_seeks_the_player_and_every_cue_is_on_the_timeline(entry_page, tmp_path):
    page, report, _ = entry_page
    cues = report["cues"]
    third = cues[2]
    dom = browse(f"{page.as_uri()}#test-click={third['cue']}", tmp_path, "--dump-dom")
    seeked = re.search(r'<html[^>]* data-seeked="([\d.]+)"', dom)
    assert seeked and abs(float(seeked.group(1)) - third["start_s"]) < 0.01, dom[:300]
    assert len(re.findall(r'<rect [^>]*class="cue lane\d[^"]*"', dom)) == len(cues) == report["subtitles"]["cue_count"]
    assert len(re.findall(r'<tr data-cue="\d+"', dom)) == len(cues)


def test_a_script_cue_and_a_file_name_are_shown_as_text(tmp_path):
    folder = tmp_path / "entry"
    folder.mkdir()
    video = make_video(folder / "<img src=x onerror=alert(2)>.mp4", duration=2.0)
    video.with_suffix(".ass").write_text(STYLES + f"Dialogue: 0,0:00:00.20,0:00:01.50,White,,0,0,0,,{SCRIPT_CUE}\n",
                                         encoding="utf-8")
    page = tmp_path / "page.html"
    proc = run_cli("check", video, "--format", "html", "-o", page, "--no-speech", "--lang", "en")
    assert proc.returncode in (0, 1) and page.is_file(), proc.stderr
    dom = browse(page.as_uri(), tmp_path, "--dump-dom")
    assert dom.count("<script") == 2  # the page's own: its data and its code
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom and "<img src=x" not in dom
    assert "&lt;img src=x onerror=alert(2)&gt;.mp4" in dom


def test_the_batch_page_lists_every_entry(burned, tmp_path):  # noqa: F811
    video, _, _ = burned
    entries = tmp_path / "entries"
    entries.mkdir()
    shutil.copy(video, entries / "burned.mp4")
    make_video(entries / "plain.mp4", duration=2.0)
    (entries / "broken.mp4").write_bytes(b"not a video")
    out = tmp_path / "audit"
    proc = run_cli("audit", entries, "--out", out, "--html", "--no-language")
    assert proc.returncode == 2, proc.stderr  # the broken entry
    assert proc.stderr.strip().splitlines()[-1] == f"共 3 个作品：不通过 2，无法分析 1；报告在 {out}"  # not a dict
    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Chinese right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["verdict"] for r in rows} == {"fail", "error"} and all(r["page"] for r in rows)
    burned_row = next(r for r in rows if r["entry"].endswith("burned.mp4"))
    assert (burned_row["subtitle_source"], burned_row["subtitles"]) == ("ocr", "bo+zh") and burned_row["reason"]
    index = out / "index.html"
    dom = browse(index.as_uri(), tmp_path, "--dump-dom")
    assert len(re.findall(r'<tr data-verdict="(fail|error)"', dom)) == 3
    assert "不通过 2" in dom and "无法分析 1" in dom
    for row in rows:  # every page the index links to is there
        assert Path(row["page"]).is_file()
        assert f'href="{Path(os.path.relpath(row["page"], out)).as_posix()}"' in dom
    assert_not_blank(screenshot(index.as_uri(), tmp_path, "1280,700"))


def visible_text(page: str) -> str:
    """The text a reader sees: no tags, no style or script."""
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def test_the_chinese_page_has_no_english(tmp_path):
    from conftest import write_srt

    video = make_video(tmp_path / "entry.mp4", duration=3.0)
    write_srt(tmp_path / "entry.srt", [(0.5, 2.5, "水是生命之源")])
    page = tmp_path / "entry.html"
    proc = run_cli("check", video, "--format", "html", "-o", page, "--no-speech")
    assert proc.returncode == 1 and page.is_file(), proc.stderr
    text = re.sub(r"--[a-z-]+", "", visible_text(page.read_text("utf-8")).replace(str(tmp_path), ""))  # options
    # what may stay Latin: the file and profile names, the tool's name, a key, units and encodings
    allowed = {"entry", "mp4", "srt", "sichuan", "kepu", "bilingual", "Ctrl", "MB", "MP4", "mp", "utf"}
    words = set(re.findall(r"[A-Za-z]{2,}", text)) - allowed
    assert not words, words


def test_a_given_video_address_is_the_players_and_files_are_readable_by_all(tmp_path):
    video = make_video(tmp_path / "entry.mp4", duration=2.0)
    page = tmp_path / "out" / "entry.html"
    url = 'https://media.example.org/v.mp4?a=1&b="x"'
    proc = run_cli("check", video, "--format", "html", "-o", page, "--no-speech", "--video-url", url)
    assert proc.returncode == 1, proc.stderr
    assert 'src="https://media.example.org/v.mp4?a=1&amp;b=&quot;x&quot;"' in page.read_text("utf-8")
    assert page.stat().st_mode & 0o777 == 0o666 & ~current_umask()  # 0644 under umask 022, not mkstemp's 0600


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_undecided_entry_needs_review():
    from bilingual.report.html import render_page

    data = {"input": {"path": "x.mp4"}, "profile": "sichuan-2024-kepu-bilingual", "verdict": "pass", "exit_code": 0,
            "audio": {"language": "unknown", "speech_s": 40.0, "evidence": []},
            "pairing": {"status": "unknown", "reason_code": "undecided"}, "findings": [], "cues": []}
    page = render_page(data, "zh")
    assert 'class="badge review">需人工复核' in page and "语音语言、语言组合" in page
    data["pairing"], data["audio"]["language"] = {"status": "zh-audio+bo-subs", "reason_code": "zh_bo"}, "zh"
    assert 'class="badge review"' not in render_page(data, "zh")
    data["findings"] = [{"code": "ocr.unreadable_band", "severity": "warning", "message": "…"}]  # not read
    assert "text placed like subtitles in the picture that could not be read" in render_page(data, "en")
    data["findings"] = [{"code": "timing.speech_stops", "severity": "warning", "message": "…"}]
    assert "the speech stops before the subtitles do" in render_page(data, "en")


def test_scripts_json_carries_its_schema_verdict_and_exit_code(tmp_path):
    from conftest import write_srt

    srt = write_srt(tmp_path / "t.srt", [(0.5, 2.5, "水是生命之源")])
    proc = run_cli("scripts", srt, "--format", "json")
    data = json.loads(proc.stdout)
    assert (data["schema"], data["verdict"], data["exit_code"]) == ("bilingual.scripts/1", "pass", proc.returncode)
