"""Burned-in subtitles end to end: rendered with libass on real speech, read by `check` and `extract`."""

import json

import pytest
from rapidfuzz.distance import Levenshtein
from test_burnedin import STYLES

from conftest import burn, run_cli

TIBETAN = [("0:00:00.52", "0:00:02.00", "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), ("0:00:02.00", "0:00:03.64", "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།")]
STYLES_OCR = STYLES.replace("Style: Yellow,", "Style: Bo,Tibetan Machine Uni,56,&H00FFFFFF,&H000000FF,&H00000000,"
                                            "&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1\nStyle: Yellow,")
STYLES_OCR = STYLES_OCR.replace("Style: Upper,", "Style: Zh,Noto Sans CJK SC,60,&H00FFFFFF,&H000000FF,&H00000000,"
                                              "&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1\nStyle: Upper,")


def burn_entry(tmp_path, name, audio, events, duration):
    ass = tmp_path / f"{name}-subs.ass"
    ass.write_text(STYLES_OCR + "".join(f"Dialogue: 0,{s},{e},{style},,0,0,0,,{t}\n" for s, e, style, t in events),
                   encoding="utf-8")
    folder = tmp_path / name
    folder.mkdir()
    video = folder / "entry.mp4"  # alone in its folder: no sidecar
    return burn(ass, video, duration, audio=audio)


def cer(a, b):
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return Levenshtein.distance(a, b) / len(a)


@pytest.fixture(scope="module")
def tibetan_on_mandarin(tmp_path_factory, corpus):
    return burn_entry(tmp_path_factory.mktemp("ocr"), "bo", corpus / "mandarin/aishell1_BAC009S0724W0121.wav",
                [(s, e, "Bo", t) for s, e, t in TIBETAN], 4.3)


def test_tibetan_burned_in_on_mandarin_speech(tibetan_on_mandarin):
    proc = run_cli("check", tibetan_on_mandarin, "--format", "json")
    report = json.loads(proc.stdout)
    s = report["subtitles"]
    assert (s["source"], s["language"], s["cue_count"]) == ("ocr", "bo", 2)
    assert [(o["first_frame"], o["last_frame"]) for o in s["ocr"]] == [(13, 49), (50, 90)]  # 0.52–2.00, 2.00–3.64
    assert report["pairing"]["status"] == "zh-audio+bo-subs"
    assert abs(report["timing"]["offset_s"]) < 0.1


def test_extract_writes_what_it_read(tibetan_on_mandarin, tmp_path):
    proc = run_cli("extract", tibetan_on_mandarin, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    import pysubs2

    read = pysubs2.load(str(tmp_path / "out" / "entry.burned-in.bo.srt"))
    assert [(e.start, e.end) for e in read] == [(520, 2000), (2000, 3640)]
    for event, (_, _, truth) in zip(read, TIBETAN, strict=False):
        assert cer(truth, event.text) <= 0.1, event.text


def test_chinese_burned_in_on_tibetan_speech(tmp_path, corpus):
    events = [("0:00:20.00", "0:00:24.00", "Zh", "愿一切众生具足安乐"),
              ("0:00:24.50", "0:00:29.00", "Zh", "愿一切众生远离痛苦")]
    video = burn_entry(tmp_path, "zh", corpus / "tibetan/webuddhist_bo_prayer.mp3", events, 30)
    report = json.loads(run_cli("check", video, "--format", "json").stdout)
    s = report["subtitles"]
    assert (s["source"], s["language"], s["chinese_variant"]) == ("ocr", "zh", "simplified")
    # 24.50 s falls between frames 612 and 613
    assert [(o["first_frame"], o["last_frame"]) for o in s["ocr"]] == [(500, 599), (613, 724)]
    assert report["audio"]["language"] == "bo" and report["pairing"]["status"] == "bo-audio+zh-subs"


def test_no_burned_in_subtitles_is_a_missing_error(tmp_path, corpus):
    video = burn_entry(tmp_path, "none", corpus / "mandarin/aishell1_BAC009S0724W0121.wav", [], 4.3)
    report = json.loads(run_cli("check", video, "--format", "json", "--no-speech").stdout)
    (missing,) = [f for f in report["findings"] if f["code"] == "subs.missing"]
    assert missing["severity"] == "error" and "burned into the picture" in run_cli(
        "check", video, "--lang", "en", "--no-speech").stdout
    off = json.loads(run_cli("check", video, "--format", "json", "--no-speech", "--ocr", "off").stdout)
    assert [f["severity"] for f in off["findings"] if f["code"] == "subs.missing"] == ["warning"]


def test_picture_detail_read_as_nonsense_is_not_a_cue(corpus):
    # A real container with a moving picture and no subtitles: Tesseract makes "Tibetan" out of a
    # detail of the picture; with no valid syllable it is not a cue.
    report = json.loads(run_cli("check", corpus / "containers/subtitleedit/sample_MKV_delayed.mkv",
                                "--format", "json", "--no-speech").stdout)
    assert report["subtitles"]["source"] == "none" and report["subtitles"]["cue_count"] == 0
    # the picture was read and holds no subtitles: the entry has none (an error, not a "check by eye")
    assert [f["severity"] for f in report["findings"] if f["code"] == "subs.missing"] == ["error"]


def test_missing_tesseract_is_one_clear_error(monkeypatch):
    import numpy as np

    from bilingual.errors import InputError
    from bilingual.sources.burnedin import read as ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(InputError) as err:
        ocr.read_tibetan(np.zeros((40, 200, 3), dtype=np.uint8))
    assert err.value.code == "ocr.missing" and "tesseract-ocr-bod" in err.value.reason


def test_frames_are_written_as_evidence_and_named_in_the_report(tibetan_on_mandarin, tmp_path):
    import cv2

    frames = tmp_path / "frames"
    report = json.loads(run_cli("check", tibetan_on_mandarin, "--format", "json", "--no-speech",
                                "--frames", frames).stdout)
    images = [o["image"] for o in report["subtitles"]["ocr"]]
    assert [p.split("/")[-1][:8] for p in images] == ["cue-001-", "cue-002-"]
    assert sorted(str(p) for p in frames.iterdir()) == sorted(images)
    picture = cv2.imread(images[0])
    assert picture.shape[1] == 1920 and 40 < picture.shape[0] < 400  # the band, not the whole frame


@pytest.mark.parametrize("band", ["5:2", "0.9", "abc:def", "1000:1200"])
def test_a_band_outside_the_picture_is_one_usage_error(tibetan_on_mandarin, band):
    proc = run_cli("check", tibetan_on_mandarin, "--band", band, "--no-speech")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "--band" in proc.stderr


def test_tesseract_without_its_tibetan_model_is_one_clear_error(monkeypatch, tmp_path):
    """A Tesseract installed without tesseract-ocr-bod (an empty model folder here): refused before
    any line is read, naming the package, not a failure per line."""
    import numpy as np

    from bilingual.errors import InputError
    from bilingual.sources.burnedin import read as ocr

    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    ocr.tesseract_languages.cache_clear()
    try:
        with pytest.raises(InputError) as err:
            ocr.read_tibetan(np.zeros((40, 200, 3), dtype=np.uint8))
        assert err.value.code == "ocr.missing" and "(bod)" in err.value.reason
    finally:
        ocr.tesseract_languages.cache_clear()


def test_steady_view_drops_static_picture_beside_moving_dark_picture():
    # testsrc2 behind a cue: a light field that a dark stripe crosses. The darkest value over the
    # frames put the field's edge beside a dark "outline", a text-like sliver that spoilt the line.
    import numpy as np

    from bilingual.sources.burnedin.read import steady_view, text_pixels

    views = []
    for x in (10, 22):
        view = np.full((40, 60, 3), 235, np.uint8)  # a light field (a yellow one: unlike white text, `COLOUR_SPREAD`)
        view[3:17, 8:52] = 0  # the subtitle's box
        view[8:11, 12:48] = 255  # its text, a stroke bright in every frame
        view[17:, x:x + 8] = (0, 40, 0)  # the moving stripe, below the box
        views.append(view)
    assert text_pixels(np.minimum.reduce(views))[17:].any()  # the darkest value alone: a sliver at 18–22
    steady = text_pixels(steady_view(views))
    assert not steady[17:].any() and steady[8:11, 12:48].all()


def test_tesseract_not_answering_in_time_is_its_own_error_not_a_missing_install(monkeypatch):
    """Under load the model listing took past its 30 s and the entry was refused as "tesseract has no
    Tibetan model": a new user reinstalled a package that was there. A real Tesseract, stopped by a
    timeout too short for it."""
    import numpy as np

    from bilingual.errors import InputError
    from bilingual.sources.burnedin import read as ocr

    monkeypatch.setattr(ocr, "TESSERACT_MIN_TIMEOUT_S", 0.001)
    ocr.tesseract_languages.cache_clear()
    try:
        with pytest.raises(InputError) as err:
            ocr.read_tibetan(np.zeros((40, 200, 3), dtype=np.uint8))
        assert err.value.code == "ocr.timeout" and "tesseract" in err.value.reason
        assert "(bod)" not in err.value.reason and "apt-get" not in err.value.reason
    finally:
        monkeypatch.undo()
    assert "bod" in ocr.tesseract_languages()  # the failure was not cached


def test_a_page_tesseract_cannot_take_leaves_only_that_line_unread(tmp_path):
    """Tesseract fails a whole list for one page it cannot take (exit 1): every line of the entry
    was lost and the check stopped with exit 2. A real Tesseract, on a truncated page among good ones."""
    import numpy as np

    from bilingual.errors import InputError
    from bilingual.sources.burnedin import read as ocr

    good, bad = tmp_path / "good.pgm", tmp_path / "bad.pgm"
    good.write_bytes(b"P5\n200 40\n255\n" + np.full((40, 200), 255, np.uint8).tobytes())
    bad.write_bytes(b"P5\n10 10\n255\n")  # no pixels
    lines = ocr._tesseract_list(str(tmp_path), [str(good), str(bad), str(good)], "7")
    assert len(lines) == 3 and lines[1] == ("", 0.0)
    assert ocr._tesseract_list(str(tmp_path), [str(bad)], "7") == [("", 0.0)]  # alone in its half
    empty = tmp_path / "empty"  # Tesseract broken (no model where it looks): said so, not "nothing read"
    empty.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TESSDATA_PREFIX", str(empty))
        with pytest.raises(InputError) as err:
            ocr._tesseract_list(str(tmp_path), [str(good), str(bad)], "7")
    assert err.value.code == "ocr.missing" and "tesseract" in err.value.reason
