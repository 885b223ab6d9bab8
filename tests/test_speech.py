"""Spoken language and pairing on real recordings from the shared corpus, in generated entries."""

import json

import pysubs2
import pytest

from bilingual.speech.language import Window, judge_window, pick_windows
from bilingual.text.cer import character_error_rate

from conftest import ffmpeg, make_video, run_cli, write_srt

TIBETAN_LINES = ["བློ་སྦྱོང་ཚིག་བརྒྱད་མ།", "བདག་ནི་སེམས་ཅན་ཐམས་ཅད་ལ།", "ཡིད་བཞིན་ནོར་བུ་ལས་ལྷག་པའི།",
                 "དོན་མཆོག་སྒྲུབ་པའི་བསམ་པ་ཡིས།", "རྟག་ཏུ་གཅེས་པར་འཛིན་པར་ཤོག"]
CHINESE_LINES = ["我要以胜过如意宝的心", "成就一切众生的利益", "时时珍爱他们", "与人交往之时", "视自己为最卑下者"]


def entry_with(tmp_path, name, audio, cues, duration):
    video = make_video(tmp_path / f"{name}.mp4", audio=audio, duration=duration)
    write_srt(tmp_path / f"{name}.srt", cues)
    return video


def spread(lines, start, end):
    step = (end - start) / len(lines)
    return [(start + i * step, start + (i + 1) * step - 0.3, text) for i, text in enumerate(lines)]


def check(video, *args):
    proc = run_cli("check", video, "--format", "json", *args)
    report = json.loads(proc.stdout)
    return proc, report, {f["code"]: f for f in report["findings"]}


@pytest.fixture(scope="module")
def tibetan_audio(corpus):
    return corpus / "tibetan/webuddhist_bo_prayer.mp3"


def test_mandarin_speech_with_tibetan_subtitles_is_the_first_pairing(tmp_path, corpus):
    video = entry_with(tmp_path, "zh-bo", corpus / "mandarin/funasr_long_25s.wav", spread(TIBETAN_LINES, 0.5, 24), 25)
    proc, report, codes = check(video)
    assert report["audio"]["language"] == "zh" and report["audio"]["confidence"] > 0.8
    assert report["pairing"]["status"] == "zh-audio+bo-subs" and "pairing.invalid" not in codes
    assert 20 < report["audio"]["speech_s"] <= 25
    evidence = report["audio"]["evidence"]
    # Mandarin by language ID alone (zh ≥ 0.9), or by a confident Mandarin decode where it ran.
    assert evidence and all(w["verdict"] == "zh" and (w["rule"] == "lid_zh" and w["p_zh"] >= 0.9 or
                                                      w["mandarin_logprob"] > -0.5) for w in evidence)


def test_tibetan_speech_with_chinese_subtitles_is_the_second_pairing(tmp_path, tibetan_audio):
    video = entry_with(tmp_path, "bo-zh", tibetan_audio, spread(CHINESE_LINES, 20, 94), 100)
    proc, report, codes = check(video)
    assert report["audio"]["language"] == "bo", report["audio"]["evidence"]
    assert report["pairing"]["status"] == "bo-audio+zh-subs" and "pairing.invalid" not in codes
    assert all(w["verdict"] == "bo" for w in report["audio"]["evidence"])
    # Whatever Whisper made of it as Mandarin, it is no match for the Chinese subtitles.
    assert all(w["subtitle_cer"] is None or w["subtitle_cer"] > 0.5 for w in report["audio"]["evidence"])


def test_mandarin_speech_with_matching_chinese_subtitles_is_not_bilingual(tmp_path, corpus):
    srt = pysubs2.load(str(corpus / "mandarin/funasr_vad_example_70s.machine.srt"))
    cues = [(e.start / 1000, e.end / 1000, e.plaintext) for e in srt]
    video = entry_with(tmp_path, "zh-zh", corpus / "mandarin/funasr_vad_example_70s.wav", cues, 70)
    proc, report, codes = check(video)
    assert report["audio"]["language"] == "zh"
    assert min(w["subtitle_cer"] for w in report["audio"]["evidence"]) < 0.5  # the transcript matches
    assert report["pairing"]["status"] == "invalid" and report["pairing"]["detected"] == "zh-audio+zh-subs"
    assert codes["pairing.invalid"]["severity"] == "error" and proc.returncode == 1


def test_tibetan_speech_with_tibetan_subtitles_is_not_bilingual(tmp_path, tibetan_audio):
    video = entry_with(tmp_path, "bo-bo", tibetan_audio, spread(TIBETAN_LINES, 20, 94), 100)
    proc, report, codes = check(video)
    assert report["pairing"]["detected"] == "bo-audio+bo-subs" and report["pairing"]["status"] == "invalid"
    assert "pairing.invalid" in codes


def test_silence_has_no_speech(tmp_path):
    video = tmp_path / "silence.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=8", "-f", "lavfi",
           "-i", "anullsrc=r=16000:cl=mono", "-t", "8", "-c:v", "libx264", "-preset", "ultrafast",
           "-c:a", "aac", str(video))
    write_srt(tmp_path / "silence.srt", spread(TIBETAN_LINES[:2], 1, 7))
    proc, report, codes = check(video)
    assert report["audio"]["language"] == "none" and report["audio"]["speech_s"] < 1
    assert codes["audio.no_speech"]["severity"] == "error"
    assert report["pairing"]["status"] == "invalid"


def test_mandarin_category_accepts_mandarin_with_chinese_and_flags_cues_that_disagree(tmp_path, corpus):
    srt = pysubs2.load(str(corpus / "mandarin/funasr_vad_example_70s.machine.srt"))
    cues = [(e.start / 1000, e.end / 1000, e.plaintext) for e in srt]
    cues[3] = (cues[3][0], cues[3][1], "今天天气很好我们一起去公园散步吧")  # not what is said
    video = entry_with(tmp_path, "kepu", corpus / "mandarin/funasr_vad_example_70s.wav", cues, 70)
    proc, report, codes = check(video, "--profile", "sichuan-2024-kepu")
    assert report["pairing"]["status"] == "zh-audio+zh-subs" and "pairing.invalid" not in codes
    mismatched = [f["cue"] for f in report["findings"] if f["code"] == "content.mismatch"]
    assert 4 in mismatched and len(mismatched) <= 3


def test_a_missing_model_is_one_clear_error(tmp_path, clip):
    proc = run_cli("check", clip, "--model", tmp_path / "no-model", "--format", "json")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "model.bin" in proc.stderr
    assert "model.missing" in {f["code"] for f in json.loads(proc.stdout)["findings"]}
    assert run_cli("transcribe", clip, "--model", tmp_path / "no-model").returncode == 2


def test_transcribe_srt_and_json(corpus, tmp_path):
    video = make_video(tmp_path / "asr.mp4", audio=corpus / "mandarin/funasr_asr_example.wav", duration=6)
    srt = run_cli("transcribe", video)
    assert srt.returncode == 0 and "-->" in srt.stdout
    # Whisper base's greedy decode differs by CPU (int8 kernels): one machine writes 语音识别,
    # another 云石别 (3 of 19 characters). A transcript in another language or of other words is ≥ 0.5.
    text = "".join(line for line in srt.stdout.splitlines()[2:] if line.strip())
    assert character_error_rate("欢迎大家来体验达摩院推出的语音识别模型", text) <= 0.25
    out = tmp_path / "t.json"
    assert run_cli("transcribe", video, "--format", "json", "-o", out).returncode == 0
    segments = json.loads(out.read_text("utf-8"))["segments"]
    assert segments[0]["words"] and segments[0]["words"][0]["end_s"] > segments[0]["words"][0]["start_s"]


def test_no_speech_flag_skips_the_speech_stage(clip):
    proc = run_cli("check", clip, "--no-speech", "--format", "json")
    report = json.loads(proc.stdout)
    assert report["audio"]["language"] == "unknown" and report["pairing"]["status"] == "unknown"


def test_windows_are_spread_over_the_video_and_dense():
    spans = [(0, 5), (40, 100), (150, 190), (250, 290)]
    windows = pick_windows(spans, 300.0)
    assert [w[0] for w in windows] == [40.0, 150.0, 250.0]  # the densest start in each third
    assert [round(w[2]) for w in windows] == [30, 30, 30]
    assert [w[0] for w in pick_windows([(0, 5), (40, 100), (250, 290)], 300.0)] == [40.0, 250.0]
    assert pick_windows([(1, 1.5)], 10.0) == []  # too little speech to judge


@pytest.mark.parametrize("window, verdict", [
    (Window(0, 30, 25, "zh", 0.99, 0.99, 0.0, -0.2, 1.3, "今天我们讲水"), "zh"),
    (Window(0, 30, 25, "zh", 0.97, 0.97, 0.0, -0.7, 1.1, "願以此福"), "zh"),  # recitation
    (Window(0, 30, 25, "bo", 0.55, 0.05, 0.55, -0.2, 13.4, "我心情的心情的心情的", bo_rank=1), "bo"),  # a loop
    # Tibetan only on positive evidence: a weak Mandarin decode with nothing pointing to Tibetan is
    # undecided (it was "bo by elimination"), and language ID sure of Mandarin is Mandarin under noise.
    (Window(0, 30, 25, "zh", 0.52, 0.52, 0.0, -1.1, 1.0, "一二", bo_rank=12), "unknown"),
    (Window(0, 30, 25, "zh", 0.93, 0.93, 0.0, -0.9, 1.2, "今天我们讲水", bo_rank=30), "zh"),
    (Window(0, 30, 25, "en", 0.95, 0.01, 0.0, -1.5, 1.0, "so"), "other"),
])
def test_window_judgement_needs_more_than_language_id(window, verdict):
    assert judge_window(window).verdict == verdict


def test_narration_turned_far_down_is_said_to_be_quiet(tmp_path, corpus):
    # The FunASR recording turned down 45 dB (−58 dBFS over its speech): the speech was still found
    # and timed, and nothing said a judge would hardly hear it.
    quiet = tmp_path / "quiet.wav"
    ffmpeg("-i", str(corpus / "mandarin" / "funasr_long_25s.wav"), "-af", "volume=-45dB", str(quiet))
    video = make_video(tmp_path / "entry.mp4", duration=25.0, audio=quiet)
    write_srt(tmp_path / "entry.bo.srt", [(0.4, 3.2, "སྐྱེ་བ་གཞན་དུའང་")])
    report = json.loads(run_cli("check", video, "--no-language", "--format", "json", "--lang", "en").stdout)
    (finding,) = [f for f in report["findings"] if f["code"] == "audio.quiet"]
    assert finding["severity"] == "warning" and -62 < finding["data"]["level_dbfs"] < -54, finding
    assert report["audio"]["speech_s"] > 15 and report["audio"]["speech_level_dbfs"] == finding["data"]["level_dbfs"]
