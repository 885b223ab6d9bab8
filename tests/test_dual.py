"""Dual-language subtitles (a Tibetan and a Chinese line shown together): in one cue, as two sidecars,
burned in as two bands; and `--ocr on` comparing a text track with what is burned into the picture."""

import json

import pysubs2
import pytest
from test_burnedin import STYLES

from bilingual.model import Cue, SubtitleTrack
from bilingual.pairing import timing_cues
from bilingual.profiles import load_profile
from bilingual.rules.picture import compared_finding
from bilingual.rules.speech import pairing_verdict
from bilingual.sources.burnedin.compare import compare_with_picture
from bilingual.sources.files import load_subtitle_file, with_other_sidecars

from conftest import burn, ffmpeg, make_video, run_cli, write_srt
from helpers import scripted

BILINGUAL = load_profile("sichuan-2024-kepu-bilingual")
MANDARIN = load_profile("sichuan-2024-kepu")
TIBETAN_LINES = ["བློ་སྦྱོང་ཚིག་བརྒྱད་མ།", "བདག་ནི་སེམས་ཅན་ཐམས་ཅད་ལ།", "ཡིད་བཞིན་ནོར་བུ་ལས་ལྷག་པའི།",
                 "དོན་མཆོག་སྒྲུབ་པའི་བསམ་པ་ཡིས།", "རྟག་ཏུ་གཅེས་པར་འཛིན་པར་ཤོག", "བདག་ནི་གང་དུ་སུ་དང་འགྲོགས།"]
# Tibetan on the upper line, Chinese on the lower, both libass-rendered in the fonts setup.sh installs.
STYLES_DUAL = STYLES.replace("Style: Yellow,", "Style: BoUpper,Tibetan Machine Uni,56,&H00FFFFFF,&H000000FF,"
                                               "&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,200,1\n"
                                               "Style: ZhLower,Noto Sans CJK SC,60,&H00FFFFFF,&H000000FF,"
                                               "&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,50,1\n"
                                               "Style: Yellow,")


def report_of(*args):
    proc = run_cli("check", *args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    return report, report["findings"]


def codes(findings):
    return {f["code"] for f in findings}


@pytest.fixture(scope="module")
def mandarin(corpus, tmp_path_factory):
    """The first 23 s of the FunASR recording (two speakers) and its six machine cues there."""
    folder = tmp_path_factory.mktemp("dual-audio")
    wav = folder / "mandarin-23s.wav"
    ffmpeg("-i", str(corpus / "mandarin/funasr_vad_example_70s.wav"), "-t", "23", str(wav))
    srt = pysubs2.load(str(corpus / "mandarin/funasr_vad_example_70s.machine.srt"))
    cues = [(e.start / 1000, e.end / 1000, e.plaintext) for e in srt if e.end <= 23000]
    assert len(cues) == 6
    return wav, cues


def tibetan(cues, shift=0.0):
    return [(s + shift, e + shift, TIBETAN_LINES[i]) for i, (s, e, _) in enumerate(cues)]


def shifted(cues, shift):
    return [(s + shift, e + shift, text) for s, e, text in cues]


# ---- one cue, two lines -----------------------------------------------------------------------

def test_one_cue_dual_track_on_mandarin_speech_is_mandarin_with_tibetan(tmp_path, mandarin):
    wav, zh = mandarin
    video = make_video(tmp_path / "entry.mp4", audio=wav, duration=23)
    lines = [(s, e, f"{bo}\n{text}") for (s, e, bo), (_, _, text) in zip(tibetan(zh), zh, strict=True)]
    write_srt(tmp_path / "entry.srt", lines)
    report, findings = report_of(video)
    s = report["subtitles"]
    assert s["language"] == "mixed" and set(s["languages"]) == {"bo", "zh"} and s["dual_language"]
    assert report["audio"]["language"] == "zh"
    assert report["pairing"]["status"] == "zh-audio+bo-subs" and "pairing.invalid" not in codes(findings)
    assert report["timing"]["cues_language"] == "bo" and report["timing"]["cue_count"] == 6
    assert abs(report["timing"]["offset_s"]) < 0.2 and "script.mixed" not in {
        f["code"] for f in findings if f["severity"] != "info"}


def test_one_cue_dual_track_on_tibetan_speech_is_tibetan_with_chinese(tmp_path, corpus):
    wav = tmp_path / "bo-25s.wav"  # the recitation from its first verse, 25 s
    ffmpeg("-ss", "20", "-i", str(corpus / "tibetan/webuddhist_bo_prayer.mp3"), "-t", "25", str(wav))
    video = make_video(tmp_path / "entry.mp4", audio=wav, duration=25)
    lines = ["我要以胜过如意宝的心", "成就一切众生的利益", "时时珍爱他们", "与人交往之时", "视自己为最卑下者"]
    write_srt(tmp_path / "entry.srt", [(i * 5 + 0.2, i * 5 + 4.6, f"{TIBETAN_LINES[i]}\n{line}")
                                       for i, line in enumerate(lines)])
    report, findings = report_of(video)
    assert report["audio"]["language"] == "bo", report["audio"]["evidence"]
    assert report["pairing"]["status"] == "bo-audio+zh-subs" and "pairing.invalid" not in codes(findings)
    assert report["timing"]["cues_language"] == "zh"


def test_dual_subtitles_satisfy_the_pairing_whose_language_they_hold():
    both = ["bo", "zh"]
    assert pairing_verdict("zh", both, BILINGUAL)[0]["status"] == "zh-audio+bo-subs"
    assert pairing_verdict("bo", both, BILINGUAL)[0]["status"] == "bo-audio+zh-subs"
    assert pairing_verdict("zh", both, MANDARIN)[0]["status"] == "zh-audio+zh-subs"  # the Mandarin category
    verdict, findings = pairing_verdict("bo", ["bo"], BILINGUAL)
    assert verdict["status"] == "invalid" and findings


# ---- which cues are timed ---------------------------------------------------------------------

def two_bands(zh_delay=0.2):
    """Tibetan and Chinese cues of the same lines, the Chinese line coming 0.2 s later (two bands)."""
    cues = []
    for i in range(4):
        cues.append(Cue(len(cues) + 1, i * 3.0, i * 3.0 + 2.5, TIBETAN_LINES[i]))
        cues.append(Cue(len(cues) + 1, i * 3.0 + zh_delay, i * 3.0 + 2.5, "水是生命之源我们要节约用水"[i:i + 6]))
    return SubtitleTrack(cues, source="ocr")


@pytest.mark.parametrize("detected, language, indices", [
    ("zh-audio+bo-subs", "bo", [1, 3, 5, 7]), ("bo-audio+zh-subs", "zh", [2, 4, 6, 8]),
    (None, "bo", [1, 3, 5, 7]),  # unknown: the language with more cues (a tie: the track's first)
])
def test_timing_uses_the_required_languages_cues(detected, language, indices):
    track = two_bands()
    script = scripted(track, BILINGUAL)
    assert script.dual and "script.mixed" not in {f.code for f in script.findings if f.severity.value != "info"}
    cues, chosen = timing_cues(track, script, detected)
    assert chosen == language and [c.index for c in cues] == indices


def test_unknown_pairing_times_the_language_with_more_cues():
    track = two_bands()
    track.cues.append(Cue(9, 12.0, 14.0, "保护环境"))
    cues, chosen = timing_cues(track, scripted(track, BILINGUAL), "invalid")
    assert chosen == "zh" and len(cues) == 5


def test_stray_cues_of_another_language_are_not_dual():
    track = SubtitleTrack([Cue(i, i * 2.0, i * 2.0 + 1.5, TIBETAN_LINES[i % 6]) for i in range(1, 20)]
                          + [Cue(20, 40.0, 41.0, "水是生命之源")], source="sidecar")
    script = scripted(track, BILINGUAL)
    assert not script.dual and script.language == "mixed"
    assert [f.cue for f in script.findings if f.code == "script.mixed"] == [20]
    cues, chosen = timing_cues(track, script, "zh-audio+bo-subs")
    assert len(cues) == 20 and chosen == "mixed"  # used whole, as before


# ---- two sidecars -----------------------------------------------------------------------------

def test_two_sidecars_are_one_dual_track_and_the_tibetan_one_is_timed(tmp_path, mandarin):
    wav, zh = mandarin
    video = make_video(tmp_path / "entry.mp4", audio=wav, duration=23)
    write_srt(tmp_path / "entry.bo.srt", tibetan(zh))
    write_srt(tmp_path / "entry.zh.srt", shifted(zh, 2.0))  # the Chinese file is 2 s late
    report, findings = report_of(video)
    s = report["subtitles"]
    assert s["source"] == "sidecar" and s["language"] == "mixed" and set(s["languages"]) == {"bo", "zh"}
    assert [(f["first_cue"], f["last_cue"]) for f in s["sidecars"]] == [(1, 6), (7, 12)]
    assert report["pairing"]["status"] == "zh-audio+bo-subs" and "pairing.invalid" not in codes(findings)
    t = report["timing"]
    assert t["cues_language"] == "bo" and t["cue_count"] == 6
    assert abs(t["offset_s"]) < 0.2 and not codes(findings) & {"timing.offset", "timing.split", "cue.overlap"}
    assert len([f for f in findings if f["code"] == "subs.encoding"]) == 2


def test_two_text_streams_are_one_dual_track_as_two_sidecars_are(tmp_path, mandarin):
    # An MP4 with a Tibetan and a Chinese mov_text stream (and an English one, not read): one
    # dual-language track; before, only the first stream was read (a Tibetan track, not dual).
    wav, zh = mandarin
    video = make_video(tmp_path / "plain.mp4", audio=wav, duration=23)
    bo_srt = write_srt(tmp_path / "bo.srt", tibetan(zh))
    zh_srt = write_srt(tmp_path / "zh.srt", zh)
    en_srt = write_srt(tmp_path / "en.srt", [(s, e, "Water is the source of life") for s, e, _ in zh])
    entry = tmp_path / "entry" / "entry.mp4"
    entry.parent.mkdir()
    ffmpeg("-i", str(video), "-i", str(bo_srt), "-i", str(zh_srt), "-i", str(en_srt),
           "-map", "0", "-map", "1", "-map", "2", "-map", "3", "-c:v", "copy", "-c:a", "copy", "-c:s", "mov_text",
           "-metadata:s:s:0", "language=tib", "-metadata:s:s:1", "language=chi", "-metadata:s:s:2", "language=eng",
           str(entry))
    report, findings = report_of(entry)
    s = report["subtitles"]
    assert s["source"] == "embedded" and s["dual_language"] and set(s["languages"]) == {"bo", "zh"}, s
    assert [(p["stream_index"], p["first_cue"], p["last_cue"]) for p in s["streams"]] == [(2, 1, 6), (3, 7, 12)]
    assert report["pairing"]["status"] == "zh-audio+bo-subs" and "pairing.invalid" not in codes(findings)
    assert report["timing"]["cues_language"] == "bo" and report["timing"]["cue_count"] == 6


def test_a_second_sidecar_in_a_language_already_there_is_not_read_in(tmp_path):
    first = write_srt(tmp_path / "entry.bo.srt", [(0, 2, TIBETAN_LINES[0]), (3, 5, TIBETAN_LINES[1])])
    copy = write_srt(tmp_path / "entry.srt", [(0, 2, TIBETAN_LINES[2])])
    broken = tmp_path / "entry.vtt"
    broken.write_text("WEBVTT\n\n00:00:01.000 --> nonsense\nx\n", encoding="utf-8")
    zh = write_srt(tmp_path / "entry.zh.srt", [(0, 2, "水是生命之源")])
    track = with_other_sidecars(load_subtitle_file(first), [str(copy), str(broken), str(zh)])
    assert [c.index for c in track.cues] == [1, 2, 3] and track.cues[2].text == "水是生命之源"
    assert [o.path for o in track.skipped_sidecars] == [str(copy), str(broken)]
    assert track.path == str(first)


# ---- burned in: two bands ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def burned(mandarin, tmp_path_factory):
    """1080p, 11 s of Mandarin speech, its first three lines burned in twice: Tibetan above, Chinese
    below, the Chinese line shown 0.2 s after the Tibetan one (so the two languages' cues overlap)."""
    wav, zh = mandarin
    bo_cues, zh_cues = tibetan(zh[:3]), [(s + 0.2, e, text) for s, e, text in zh[:3]]
    folder = tmp_path_factory.mktemp("dual-burned")
    ass = folder / "dual.ass"

    def tc(t):
        return f"{int(t // 3600)}:{int(t // 60 % 60):02d}:{t % 60:05.2f}"

    ass.write_text(STYLES_DUAL + "".join(f"Dialogue: 0,{tc(s)},{tc(e)},{style},,0,0,0,,{text}\n"
                                         for cues, style in ((bo_cues, "BoUpper"), (zh_cues, "ZhLower"))
                                         for s, e, text in cues), encoding="utf-8")
    video = folder / "entry" / "entry.mp4"  # alone in its folder: no sidecar
    video.parent.mkdir()
    burn(ass, video, 11, audio=wav)
    return video, bo_cues, zh_cues


def test_burned_in_tibetan_and_chinese_lines_time_the_tibetan_cues(burned):
    video, bo_cues, zh_cues = burned
    report, findings = report_of(video)
    s = report["subtitles"]
    assert s["source"] == "ocr" and s["cue_count"] == 6, s
    assert s["language"] == "mixed" and set(s["languages"]) == {"bo", "zh"} and s["dual_language"]
    assert report["pairing"]["status"] == "zh-audio+bo-subs"
    assert not codes(findings) & {"cue.overlap", "cue.gap", "pairing.invalid"}
    assert [f["cue"] for f in findings if f["code"] == "script.mixed" and f["severity"] != "info"] == []
    t = report["timing"]
    assert t["cues_language"] == "bo" and t["cue_count"] == 3 and abs(t["offset_s"]) < 0.2


def test_ocr_on_beside_a_matching_text_track_agrees(burned, tmp_path):
    video, _, zh_cues = burned
    subs = write_srt(tmp_path / "chinese.srt", zh_cues)
    report, findings = report_of(video, "--subs", subs, "--ocr", "on", "--no-speech")
    assert report["subtitles"]["source"] == "sidecar" and report["subtitles"]["language"] == "zh"
    (agrees,) = [f for f in findings if f["code"].startswith("ocr.")]
    assert agrees["code"] == "ocr.agrees" and agrees["severity"] == "info", agrees
    d = agrees["data"]
    assert (d["matched"], d["ocr_cues"], d["text_cues"]) == (3, 3, 3)  # the Tibetan band is not compared
    assert abs(d["start_diff_s"]) <= 0.04 and d["cer"] <= 0.05


def test_ocr_on_beside_a_shifted_text_track_disagrees(burned, tmp_path):
    video, bo_cues, _ = burned
    subs = write_srt(tmp_path / "tibetan-late.srt", shifted(bo_cues, 2.0))
    report, findings = report_of(video, "--subs", subs, "--ocr", "on", "--no-speech", "--lang", "en")
    assert report["subtitles"]["source"] == "sidecar" and report["subtitles"]["language"] == "bo"
    (disagrees,) = [f for f in findings if f["code"].startswith("ocr.")]
    assert disagrees["code"] == "ocr.disagrees" and disagrees["severity"] == "warning"
    d = disagrees["data"]
    assert d["matched"] == 3 and abs(d["start_diff_s"] - 2.0) <= 0.04 and d["disagree_on"] == ["times"], d
    assert d["cer"] <= 0.15 and f"{d['start_diff_s']} s later" in disagrees["message"]


def test_comparison_matches_each_cue_with_its_own_text_when_shifted():
    picture = SubtitleTrack([Cue(i, i * 3.0, i * 3.0 + 2.8, t) for i, t in enumerate(["水是生命之源", "我们要节约用水",
                                                                                   "保护环境"], 1)], source="ocr")
    text = SubtitleTrack([Cue(c.index, c.start_s + 2.0, c.end_s + 2.0, c.text) for c in picture.cues], source="sidecar")
    finding = compared_finding(compare_with_picture(text, scripted(text, BILINGUAL), picture))
    assert finding.code == "ocr.disagrees" and finding.data["disagree_on"] == ["times"]
    assert finding.data["cer"] == 0.0 and finding.data["start_diff_s"] == 2.0
    same = compared_finding(compare_with_picture(picture, scripted(picture, BILINGUAL), picture))
    assert same.code == "ocr.agrees" and same.data["matched"] == 3


def test_every_pairing_reason_is_worded_in_both_languages():
    from bilingual.pairing import detected_pairing
    from bilingual.report import catalogue_text

    codes = {detected_pairing(audio, subs)[1] for audio in ("zh", "bo", "other", "none", "unknown")
             for subs in ([], ["bo"], ["zh"], ["bo", "zh"], ["en"])} | {"not_analysed"}
    assert len(codes) >= 13
    for code in codes:
        zh, en = catalogue_text(f"pairing.reason/{code}", "zh"), catalogue_text(f"pairing.reason/{code}", "en")
        assert zh and en and zh != en, code
    _, findings = pairing_verdict("bo", ["bo"], BILINGUAL)
    from bilingual.report import message
    assert "藏语语音配同语言（藏文）字幕" in message(findings[0], "zh")
