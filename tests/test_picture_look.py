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
# a lower-third caption: left-aligned from x = 110 on a red box, above where subtitles sit
STYLES_LOOK = STYLES_LOOK.replace("Style: Zh,", "Style: Caption,Noto Sans CJK SC,44,&H00FFFFFF,&H000000FF,&H003020C0,"
                                               "&H003020C0,0,0,0,0,100,100,0,0,3,12,0,1,110,10,150,1\nStyle: Zh,")
STYLES_LOOK = STYLES_LOOK.replace("Style: Zh,", "Style: Mark,Noto Sans CJK SC,44,&H00FFFFFF,&H000000FF,&H00000000,"
                                               "&H00000000,0,0,0,0,100,100,0,0,1,2,0,3,10,40,160,1\nStyle: Zh,")


def entry(tmp_path, name, lines, style, sidecar=TIBETAN_SRT, language="bo", held=None, seconds=6, speech=None):
    """entry.mp4 (`seconds` long, a keyframe a second) with `lines` burned in one after another (over
    30 s: `lines` in turn, a cue every 2 s), `held` (a Chinese line at the right, above the subtitles)
    all the time, and a sidecar entry.<language>.srt beside it (Tibetan); silent, or `speech`."""
    folder = tmp_path / name
    folder.mkdir()
    times = ["0:00:00.50", "0:00:02.00", "0:00:03.60", "0:00:05.50"]
    cues = [(times[i], times[i + 1], text) for i, text in enumerate(lines)] if seconds == 6 else \
        [(_clock(0.5 + 2 * k), _clock(2.3 + 2 * k), lines[k % len(lines)]) for k in range(seconds // 2 - 1) if lines]
    ass = folder / "burn.ass"
    events = [f"Dialogue: 0,{start},{end},{style},,0,0,0,,{text}\n" for start, end, text in cues]
    events += [f"Dialogue: 0,0:00:00.00,{_clock(seconds)},Mark,,0,0,0,,{held}\n"] if held else []
    ass.write_text(STYLES_LOOK + "".join(events), encoding="utf-8")
    quiet = folder / "quiet.wav"  # --no-speech: the sound is not listened to, but must be there
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", str(seconds), str(quiet))
    video = burn(ass, folder / "entry.mp4", seconds, audio=speech or quiet, keyframe_every=25)
    ass.unlink(), quiet.unlink()
    write_srt(folder / f"entry.{language}.srt", sidecar)
    return video


def _clock(seconds: float) -> str:
    return f"0:00:{seconds:05.2f}"


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


def test_a_channel_name_held_on_screen_is_not_subtitles_in_its_script(tmp_path):
    # "科普中国" at the bottom right all the time beside a Tibetan sidecar (no subtitles burned in) was
    # "the picture carries Chinese subtitles", an error; it is a line held on screen (on keyframes
    # running 15 s and more: longer than a cue), said as a note.
    report, found = look(entry(tmp_path, "mark", [], "Zh", held="科普中国", seconds=30), "--lang", "en")
    assert found == [], found
    (fixed,) = [f for f in report["findings"] if f["code"] == "ocr.fixed_line"]
    assert fixed["severity"] == "info" and fixed["data"]["text"] == "科普中国" and fixed["data"]["language"] == "zh"


def test_chinese_subtitles_beside_a_channel_name_are_still_an_error(tmp_path):
    report, (finding,) = look(entry(tmp_path, "zh-mark", CHINESE, "Zh", held="科普中国", seconds=30), "--lang", "en")
    assert finding["severity"] == "error" and finding["data"]["text"] in CHINESE, finding


def test_a_lower_third_caption_beside_a_tibetan_sidecar_asks_for_a_look(tmp_path):
    # A speaker's name and post, then a place, as left-aligned captions on a box (no subtitles burned
    # in): "the picture carries Chinese subtitles", an error. Off the centre, it is a warning.
    captions = ["主讲 扎西多吉 四川省林业科学研究院", "拍摄地点 甘孜州理塘县", "主讲 扎西多吉 四川省林业科学研究院"]
    report, (finding,) = look(entry(tmp_path, "caption", captions, "Caption"), "--lang", "en")
    assert finding["severity"] == "warning" and finding["data"]["variant"] == "aside", finding
    assert "off the centre" in finding["message"] and report["subtitles"]["picture"]["languages"] == []


def _chinese_cues(count):
    """The 30-s entry's burned-in Chinese cues (`entry`), the first `count` of them."""
    return [(0.5 + 2 * k, 2.3 + 2 * k, CHINESE[k % len(CHINESE)]) for k in range(count)]


def test_a_track_that_stops_before_the_picture_s_subtitles_is_an_error(tmp_path, corpus):
    # Chinese burned in to 28 s over real Mandarin speech beside a Chinese sidecar that stops at 10.3 s:
    # the scripts agree, so the look said nothing, and the picture's last 18 s of subtitles were
    # nowhere in the report.
    speech = corpus / "mandarin" / "funasr_vad_example_70s.wav"
    video = entry(tmp_path, "zh-early", CHINESE, "Zh", sidecar=_chinese_cues(5), language="zh", seconds=30,
                  speech=speech)
    proc = run_cli("check", video, "--no-language", "--format", "json", "--lang", "en")
    report = json.loads(proc.stdout)
    assert [f for f in report["findings"] if f["code"] == "ocr.picture_differs"] == []
    (lacks,) = [f for f in report["findings"] if f["code"] == "ocr.track_lacks"]
    assert lacks["severity"] == "error" and lacks["data"]["language"] == "zh", lacks
    assert lacks["data"]["at_s"] > 12.3 and lacks["data"]["with_speech"] >= 3, lacks["data"]
    assert lacks["data"]["text"] in CHINESE and lacks["data"]["track_to_s"] == 10.3, lacks["data"]
    assert "the track lacks subtitles the picture has" in lacks["message"], lacks["message"]
    # speech not listened to: the same lines may be a title or the credits, and a person looks
    report, _ = look(video, "--lang", "en")
    (unheard,) = [f for f in report["findings"] if f["code"] == "ocr.track_lacks"]
    assert unheard["severity"] == "warning" and unheard["data"]["variant"] == "no_speech", unheard


def test_a_track_with_the_picture_s_subtitles_is_no_finding(tmp_path):
    video = entry(tmp_path, "zh-whole", CHINESE, "Zh", sidecar=_chinese_cues(14), language="zh", seconds=30)
    report, found = look(video, "--lang", "en")
    assert report["subtitles"]["picture"]["languages"] == ["zh"], report["subtitles"]["picture"]
    assert [f for f in report["findings"] if f["code"].startswith("ocr.")] == [], report["findings"]


def test_a_sidecar_whose_text_is_not_the_picture_s_asks_for_a_look(tmp_path):
    # Tibetan burned in beside a Tibetan sidecar holding other lines at the same times: the scripts
    # and the times agree, so nothing was said, and the track checked was not what judges read.
    other = ["བློ་སྦྱོང་ཚིག་བརྒྱད་མ།", "བདག་ནི་སེམས་ཅན་ཐམས་ཅད་ལ།", "ཡིད་བཞིན་ནོར་བུ་ལས་ལྷག་པའི།"]
    sidecar = [(s, e, other[i]) for i, (s, e, _) in enumerate(TIBETAN_SRT)]
    report, found = look(entry(tmp_path, "bo-other", [t for *_, t in TIBETAN_SRT], "Bo", sidecar), "--lang", "en")
    assert found == [], found
    (differs,) = [f for f in report["findings"] if f["code"] == "ocr.text_differs"]
    d = differs["data"]
    assert differs["severity"] == "warning" and d["language"] == "bo" and d["frames_differ"] >= 2, d
    assert d["track_text"] in other and d["cer"] > 0.5 and "--ocr on compares every cue" in differs["message"]


def test_tibetan_burned_in_beside_its_own_text_is_no_text_finding(tmp_path):
    report, _ = look(entry(tmp_path, "bo-same", [t for *_, t in TIBETAN_SRT], "Bo"))
    assert report["subtitles"]["picture"]["keyframes_with_text"]["bo"] >= 3, report["subtitles"]["picture"]
    assert [f for f in report["findings"] if f["code"].startswith("ocr.")] == [], report["findings"]
