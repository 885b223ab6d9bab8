"""The README's first command: the bundled sample entry passes the static screen."""

import json

from bilingual.sample import build_sample

from conftest import run_cli


def test_sample_entry_builds_and_passes_the_static_screen(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    video = build_sample(out)
    assert (out / "sample-entry.bo.srt").is_file()
    proc = run_cli("check", video, "--format", "json")
    report = json.loads(proc.stdout)
    assert proc.returncode == 0, [f["code"] for f in report["findings"]]
    m = report["media"]
    assert (m["container"], m["width"], m["height"], m["display_aspect"]) == ("mp4", 1920, 1080, "16:9")
    assert 120 <= m["duration_s"] <= 300 and 100 <= m["size_bytes"] / 1_048_576 <= 300
    assert report["subtitles"]["language"] == "bo" and report["subtitles"]["cue_count"] == 26
    mtime = video.stat().st_mtime_ns
    assert build_sample(out) == video and video.stat().st_mtime_ns == mtime  # built once
