"""The `bilingual` command as a user runs it: exit codes, one-line errors, reports, inputs untouched."""

import json
import shutil

import pytest

from conftest import digest, ffmpeg, make_video, run_cli, write_srt

# Timed to the speech of the AISHELL clip (VAD: 0.51–3.65 s).
TIBETAN = [(0.5, 2.0, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), (2.0, 3.65, "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།")]
CONTRACT_KEYS = {"schema", "tool", "input", "profile", "verdict", "media", "subtitles", "audio", "pairing",
                 "timing", "findings"}


@pytest.fixture(scope="module")
def entry(tmp_path_factory, mandarin_entry):
    """A 1080p entry with Mandarin speech and a Tibetan sidecar, in a folder with spaces and Chinese."""
    folder = tmp_path_factory.mktemp("cli") / "参赛 作品"
    folder.mkdir()
    video = folder / "科普 视频.mp4"
    shutil.copyfile(mandarin_entry, video)
    write_srt(folder / "科普 视频.bo.srt", TIBETAN)
    return video


def check_json(*args):
    proc = run_cli("check", *args, "--format", "json")
    return proc, json.loads(proc.stdout) if proc.stdout.strip() else None


def test_check_json_follows_the_contract(entry):
    before = digest(entry)
    proc, report = check_json(entry)
    assert set(report) >= CONTRACT_KEYS
    assert report["schema"] == "bilingual.report/1" and report["profile"] == "sichuan-2024-kepu-bilingual"
    assert report["input"]["path"] == str(entry)
    s = report["subtitles"]
    assert (s["source"], s["language"], s["cue_count"], s["languages"]) == ("sidecar", "bo", 2, ["bo"])
    assert s["path"].endswith("科普 视频.bo.srt") and s["encoding"] == "utf-8"
    assert report["audio"]["language"] == "zh" and report["pairing"]["status"] == "zh-audio+bo-subs"
    assert set(report["timing"]) >= {"offset_s", "drift", "segments", "confidence"}
    codes = {f["code"]: f for f in report["findings"]}
    # A 4-second, tiny file: duration and size fail; resolution, aspect, container pass.
    assert {"media.duration", "media.filesize"} <= set(codes)
    assert not {"media.resolution", "media.aspect", "media.container"} & set(codes)
    assert codes["subs.encoding"]["severity"] == "info"
    assert any(f["severity"] == "manual" for f in report["findings"])
    assert report["verdict"] == "fail" and proc.returncode == 1
    assert digest(entry) == before


def test_terminal_report_in_both_languages(entry):
    zh = run_cli("check", entry)
    en = run_cli("check", entry, "--lang", "en")
    assert zh.returncode == en.returncode == 1
    assert "不通过" in zh.stdout and "时长" in zh.stdout and "人工核对清单" in zh.stdout
    assert "FAIL" in en.stdout and "duration is" in en.stdout and "Manual checklist" in en.stdout


def test_report_to_a_file(entry, tmp_path):
    out = tmp_path / "report.json"
    proc = run_cli("check", entry, "--format", "json", "-o", out)
    assert proc.stdout == "" and json.loads(out.read_text("utf-8"))["verdict"] == "fail"


def test_exit_zero_when_only_the_profile_rules_pass(entry, tmp_path):
    lenient = tmp_path / "lenient.toml"
    lenient.write_text('extends = "sichuan-2024-kepu-bilingual"\nname = "lenient"\n'
                       '[media.duration_s]\nmin = 1\nmax = 10\ncite = "test"\n'
                       '[media.filesize_mb]\nmin = 0\nmax = 10\ncite = "test"\n', encoding="utf-8")
    proc, report = check_json(entry, "--profile", lenient)
    # Two cues back to back over 4 s of speech: nothing is wrong, but the placement cannot be measured
    # (calibrated 0.319), so the timing asks for a look: a warning, and exit 0.
    assert (proc.returncode, report["verdict"], report["profile"]) == (0, "warn", "lenient")
    warnings = [f for f in report["findings"] if f["severity"] == "warning"]
    assert [(f["code"], f["data"]["variant"]) for f in warnings] == [("timing.needs_look", "unsure")]


def test_explicit_subs_and_wrong_language(entry, tmp_path):
    english = write_srt(tmp_path / "english.srt", [(0.5, 2.0, "Water is the source of life")])
    proc, report = check_json(entry, "--subs", english)
    assert report["subtitles"]["language"] == "other"
    assert "script.wrong_language" in {f["code"] for f in report["findings"]}


def test_image_only_streams_are_reported_when_not_read(corpus):
    proc, report = check_json(corpus / "containers/subtitleedit/sample_MKV_VobSub_PGS.mkv", "--ocr", "off")
    image = [f for f in report["findings"] if f["code"] == "subs.image_only"]
    assert [f["data"]["codec"] for f in image] == ["dvd_subtitle", "hdmv_pgs_subtitle"]
    assert [f["severity"] for f in image] == ["warning", "warning"]
    # with --ocr off image streams are not read (tests/test_image_streams.py: read otherwise): no cues,
    # and the picture was not looked at either
    assert report["subtitles"]["source"] == "none" and report["subtitles"]["cue_count"] == 0
    assert [f["severity"] for f in report["findings"] if f["code"] == "subs.missing"] == ["warning"]


def test_embedded_text_track_is_checked(corpus):
    proc, report = check_json(corpus / "containers/subtitleedit/sample_MP4_SRT.mp4")
    s = report["subtitles"]
    assert s["source"] == "embedded" and s["stream_index"] == 2
    # its two English cues ("Line 1", "Line 2", 24 ms apart) are read and judged like a sidecar's
    assert (s["cue_count"], s["language"]) == (2, "other")
    found = {f["code"]: f for f in report["findings"]}
    assert found["script.wrong_language"]["severity"] == "error"
    gap = found["cue.gap"]
    assert (gap["cue"], gap["data"]["text"], gap["data"]["gap_s"]) == (2, "Line 2", 0.024)
    assert report["verdict"] == "fail" and proc.returncode == 1


def bad_inputs(tmp_path, clip, corpus):
    """Each bad input of the issue, made fresh: name → (video, extra args)."""
    made = {}
    made["missing"] = (tmp_path / "没有 这个.mp4", [])
    (tmp_path / "folder.mp4").mkdir()
    made["directory"] = (tmp_path / "folder.mp4", [])
    (tmp_path / "zero.mp4").touch()
    made["zero-byte"] = (tmp_path / "zero.mp4", [])
    whole = clip.read_bytes()
    (tmp_path / "truncated.mp4").write_bytes(whole[: len(whole) // 2])
    made["truncated"] = (tmp_path / "truncated.mp4", [])
    (tmp_path / "text.mp4").write_text("not a video\n")
    made["text-as-mp4"] = (tmp_path / "text.mp4", [])
    made["no-audio"] = (make_video(tmp_path / "silent film.mp4", audio=None, duration=1), [])
    audio_only = tmp_path / "audio only.mp4"
    ffmpeg("-i", str(corpus / "mandarin/funasr_asr_example.wav"), "-c:a", "aac", str(audio_only))
    made["audio-only"] = (audio_only, [])
    bad_times = tmp_path / "bad times.srt"
    bad_times.write_text("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:0x,000 --> 00:00:03,000\nbad\n")
    made["invalid-timestamps"] = (clip, ["--subs", bad_times])
    empty = tmp_path / "empty.srt"
    empty.touch()
    made["empty-subs"] = (clip, ["--subs", empty])
    made["missing-subs"] = (clip, ["--subs", tmp_path / "不存在.srt"])
    return made


BAD = ["missing", "directory", "zero-byte", "truncated", "text-as-mp4", "no-audio", "audio-only",
       "invalid-timestamps", "empty-subs", "missing-subs"]
EXPECTED_CODE = {"no-audio": "media.no_audio", "audio-only": "media.no_video", "invalid-timestamps": "subs.unreadable",
                 "empty-subs": "subs.unreadable", "missing-subs": "subs.unreadable"}


@pytest.mark.parametrize("name", BAD)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_bad_input_is_one_line_exit_2_and_untouched(tmp_path, clip, corpus, name, fmt):
    video, extra = bad_inputs(tmp_path, clip, corpus)[name]
    inputs = [p for p in [video, *extra] if hasattr(p, "is_file") and p.is_file()]
    before = {p: digest(p) for p in inputs}
    proc = run_cli("check", video, *extra, "--format", fmt)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bilingual: error:"), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    if fmt == "json":
        report = json.loads(proc.stdout)
        codes = [f["code"] for f in report["findings"] if f["severity"] == "error"]
        assert EXPECTED_CODE.get(name, "media.unreadable") in codes
        # the report contract allows pass, warn and fail only: exit_code 2 says it could not be analysed
        assert (report["exit_code"], report["verdict"]) == (2, "fail")
    assert {p: digest(p) for p in inputs} == before


def test_bad_arguments_exit_2(clip):
    assert run_cli("check", clip, "--profile", "no-such-contest").returncode == 2
    assert run_cli("check", clip, "--format", "xml").returncode == 2
    proc = run_cli("check", clip, "--profile", "no-such-contest", "--lang", "en")
    assert proc.stderr.strip().count("\n") == 0 and "unknown profile" in proc.stderr
    assert "未知配置 'no-such-contest'" in run_cli("check", clip, "--profile", "no-such-contest").stderr


def test_probe_json_and_text(mandarin_entry):
    proc = run_cli("probe", mandarin_entry, "--format", "json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 0 and data["width"] == 1920 and data["audio_streams"][0]["codec"] == "aac"
    text = run_cli("probe", mandarin_entry)
    assert "1920" in text.stdout and "aac" in text.stdout and "音频流" in text.stdout  # zh unless --lang en
    assert "audio_streams" in run_cli("probe", mandarin_entry, "--lang", "en").stdout
    assert run_cli("probe", mandarin_entry.parent / "none.mp4").returncode == 2


def test_extract_audio_and_text_tracks_and_refuse_to_overwrite(tmp_path, corpus):
    video = corpus / "containers/subtitleedit/sample_MP4_SRT.mp4"
    out = tmp_path / "out"
    proc = run_cli("extract", video, "--out", out)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["sample_MP4_SRT.audio-0.16k.wav", "sample_MP4_SRT.stream-2.und.srt"]
    probed = json.loads(run_cli("probe", out / names[0], "--format", "json").stdout)["audio_streams"][0]
    assert (probed["sample_rate"], probed["channels"], probed["codec"]) == (16000, 1, "pcm_s16le")
    assert "-->" in (out / names[1]).read_text("utf-8")
    stamp = digest(out / names[1])
    again = run_cli("extract", video, "--out", out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run_cli("extract", video, "--out", out, "--force").returncode == 0
    assert digest(out / names[1]) == stamp


def test_scripts_command(corpus):
    path = corpus / "subtitles/tibetan/esukhia_childrens_speech/M0002_transcription_subtitle.srt"
    proc = run_cli("scripts", path, "--format", "json")
    data = json.loads(proc.stdout)
    assert data["track"]["language"] == "bo" and data["cues"][0]["language"] == "bo"
    assert data["cues"][0]["end_s"] > data["cues"][0]["start_s"]
    bad = [f for f in data["findings"] if f["code"] == "tibetan.invalid_syllable"]
    assert bad and all(f["cue"] and f["start_s"] is not None for f in bad)
    assert proc.returncode == 0  # invalid syllables are warnings
    assert "藏文" in run_cli("scripts", path).stdout and "┃ bo " in run_cli("scripts", path, "--lang", "en").stdout


def test_profiles_list_and_show():
    listed = run_cli("profiles", "list")
    assert listed.returncode == 0 and "tianjin-2023-quality" in listed.stdout and "(默认)" in listed.stdout
    assert "(default)" in run_cli("profiles", "list", "--lang", "en").stdout
    shown = run_cli("profiles", "show", "tianjin-2023-quality")
    assert "0.5" in shown.stdout and "两屏字幕间不可出现小于0.5秒的空隙" in shown.stdout
    data = json.loads(run_cli("profiles", "show", "miit-2024-industrial", "--format", "json").stdout)
    assert data["media"]["duration_s"]["max"] == 480
    assert run_cli("profiles", "show", "nope").returncode == 2


def test_version_and_module_entry_point():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("bilingual 0.")


def test_generated_media_that_breaks_the_format_rules(tmp_path):
    video = make_video(tmp_path / "old format.mkv", size="640x480", duration=1)
    proc, report = check_json(video)
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
    assert {"media.container", "media.resolution", "media.aspect", "media.duration", "media.filesize"} <= errors
    assert report["media"]["container"] == "mkv" and report["media"]["display_aspect"] == "4:3"
    missing = [f for f in report["findings"] if f["code"] == "subs.missing"]
    # The picture was read too (--ocr auto) and holds no subtitles: missing is an error.
    assert [f["severity"] for f in missing] == ["error"] and report["subtitles"]["source"] == "none"


def test_cues_after_the_end_of_the_video(tmp_path, clip):
    subs = write_srt(tmp_path / "late.srt", [(0.5, 1.5, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), (30.0, 32.0, "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།")])
    proc, report = check_json(clip, "--subs", subs)
    late = [f for f in report["findings"] if f["code"] == "subs.beyond_video"]
    assert [(f["cue"], f["start_s"], f["severity"]) for f in late] == [(2, 30.0, "warning")]


def test_an_empty_sidecar_is_passed_over_and_the_video_is_checked(tmp_path, clip):
    # An empty entry.bo.srt beside an entry (a new-user trial: Tibetan burned into its picture) made
    # the whole check "cannot analyse" (exit 2): the picture was never read. An empty file holds no
    # subtitles; it is passed over with a warning, and `--subs` naming it is still exit 2 (above).
    video = tmp_path / "entry.mp4"
    video.write_bytes(clip.read_bytes())
    sidecar = tmp_path / "entry.bo.srt"
    sidecar.write_bytes(b"\xef\xbb\xbf\r\n")
    proc = run_cli("check", video, "--ocr", "off", "--no-speech", "--format", "json", "--lang", "en")
    assert proc.returncode == 1, proc.stderr
    found = {f["code"]: f for f in json.loads(proc.stdout)["findings"]}
    empty = found["subs.empty_sidecar"]
    assert empty["severity"] == "warning" and empty["data"]["path"] == str(sidecar)
    assert "subs.unreadable" not in found and "subs.missing" in found
    assert sidecar.read_bytes() == b"\xef\xbb\xbf\r\n"
