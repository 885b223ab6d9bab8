"""Burned-in subtitles across what entries really use (issue 14, second part): the free Tibetan and
Chinese fonts creators use, subtitles at the top, at both ends and in a letterbox bar, 720p and 4K,
and the styles still missing (dark text with a light outline, coloured boxes and outlines, shadow
only). Short clips rendered by libass with complex shaping; cue edges checked against the frames."""

import subprocess
import sys
import time

import pytest

from conftest import ASS_STYLE_FORMAT, ffmpeg, with_peak_rss

pytestmark = pytest.mark.slow

# Real lines: Tibetan from OpenPecha STT subtitles (the burned-in benchmark's), Chinese from the
# FunASR transcript.
BO_LINES = ["བཟུང་ནས་ཇི་ལྟར་བསླབ་པའི་ཚུལ་ལོ།", "རྒྱུད་སྦྱངས་ནས་", "དེ་ནས་འཛིན་པར་སྤྲོ་བ་ན་",
            "སྡོམ་པ་འབོགས་པ་ཡིན་པའི་ཕྱིར་རོ།", "དེ་ལྟར་ཡང་བྱང་ས་ལས།", "བྱང་ཆུབ་སེམས་དཔའི་བསླབ་པའི་གཞི་དང་"]
ZH_LINES = ["水是生命之源", "我们要节约每一滴水", "河流把水带到大海", "云又把水带回来"]
EVERY = 2.0  # a cue every 2 s from 1 s, shown 1.6 s: hard cuts on whole frames of 25 fps
FPS = 25
GRAIN = "testsrc2=size={size}:rate=25,noise=alls=12:allf=t+u"  # the burned-in benchmark's picture
LIFE = "life=size={size}:mold=10:rate=25:ratio=0.5:seed=1:death_color=#C83232:life_color=#00ff00,noise=alls=15:allf=t"
# x264's rate control under a VBV (maxrate, bufsize) on several threads is not repeatable: two renders of
# one clip differed (framemd5), so a reading near a limit passed on one and not the next; on one thread it
# is the same on every run and machine (≈ 25 % more render time)
CONTEST_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-maxrate", "8M", "-bufsize", "12M",
                  "-threads", "1"]


def style(name, font, size, primary="&H00FFFFFF", outline="&H00000000", back="&H00000000", border=1,
          width=3, shadow=0, align=2, marginv=60):
    """An ASS style line (colours &HAABBGGRR; border 1 = outline and shadow, 3 = opaque box)."""
    return (f"Style: {name},{font},{size},{primary},&H000000FF,{outline},{back},0,0,0,0,100,100,0,0,"
            f"{border},{width},{shadow},{align},10,10,{marginv},1")


def times(count, every=EVERY):
    return [(1.0 + i * every, 1.0 + (i + 1) * every - 0.4) for i in range(count)]


def expected_frames(count, every=EVERY):
    return [(round(s * FPS), round(e * FPS) - 1) for s, e in times(count, every)]


def render(folder, name, styles, tracks, *, background=GRAIN, size="1920x1080", encode=None, pre_filter="",
           at=None):
    """`tracks` (style name → lines, one cue every EVERY s, or at the times `at` gives that style)
    burned in over `background`; the clip alone in its folder. Returns its path."""
    ass = folder / f"{name}.ass"
    at = at or {}
    events = [f"Dialogue: 0,{_tc(s)},{_tc(e)},{name_},,0,0,0,,{text}\n" for name_, lines in tracks.items()
              for (s, e), text in zip(at.get(name_) or times(len(lines)), lines, strict=True)]
    width, height = size.split("x")
    ass.write_text(f"[Script Info]\nScriptType: v4.00+\nPlayResX: {width}\nPlayResY: {height}\n\n[V4+ Styles]\n"
                   f"{ASS_STYLE_FORMAT}\n" + "\n".join(styles) + "\n\n[Events]\nFormat: Layer, Start, End, Style, "
                   "Name, MarginL, MarginR, MarginV, Effect, Text\n" + "".join(events), encoding="utf-8")
    duration = 1.0 + EVERY * max(len(lines) for lines in tracks.values()) + 0.6
    video = folder / name / "entry.mp4"
    video.parent.mkdir()
    ffmpeg("-f", "lavfi", "-i", background.format(size=size), "-t", f"{duration}",
           "-vf", f"format=yuv420p,{pre_filter}ass={ass}:shaping=complex",
           *(encode or ["-c:v", "libx264", "-preset", "ultrafast"]), "-pix_fmt", "yuv420p", str(video))
    return video


def _tc(seconds: float) -> str:
    return f"0:00:{seconds:05.2f}"


def read(video):
    from bilingual.media import probe
    from bilingual.sources.burnedin.read import read_burned_in

    return read_burned_in(video, probe(video))


def letter_error(truth: str, text: str) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(truth.replace(" ", ""), text.replace(" ", "")) / len(truth.replace(" ", ""))


def assert_read(cues, lines, language, every=EVERY, most=0.0, rows=None):
    """The cues are the lines, frame-exact, in `language`, each within `most` letter error (and,
    with `rows`, on those source rows)."""
    got = [(c.cue.first_frame, c.cue.last_frame) for c in cues]
    assert got == expected_frames(len(lines), every), [(c.cue.first_frame, c.cue.last_frame, c.reading.text)
                                                        for c in cues]
    assert {c.reading.language for c in cues} == {language}
    from bilingual.sources.burnedin.read import PARTIAL_COVER

    for cue, truth in zip(cues, lines, strict=True):
        assert letter_error(truth, cue.reading.text) <= most, (truth, cue.reading.text)
        assert cue.cover is None or cue.cover >= PARTIAL_COVER, (truth, cue.reading.text, cue.cover)  # a whole line
        if rows is not None:
            top, bottom = cue.band.source_rows()
            assert rows[0] <= top and bottom <= rows[1], (top, bottom)


# ASS sizes giving these fonts the letter height of Tibetan Machine Uni at 56 (ཀ measured on a libass
# render at 100: TMU and Noto Serif Tibetan 40 px, Monlam Uni OuChan2 and DDC Uchen 58, Jomolhari 55).
# Monlam at 39 missed the 3 % on some renders and not on others (Tesseract reads སྦྱ as སྤྱ, ི as
# ེ: 0.0–5.2 % over the 6 lines) while x264 was not repeatable (CONTEST_ENCODE); on the one-thread render
# 5 of its 6 cues are found, 4 read exactly, the fifth at 15.8 % (ལས། read ལ ལ་བ): a known miss.
MONLAM_MISS = pytest.mark.xfail(reason="Monlam 39: 5 of 6 cues found, one at 15.8 % letter error", strict=True)


@pytest.mark.parametrize("font, size", [pytest.param("Monlam Uni OuChan2", 39, marks=MONLAM_MISS),
                                        ("DDC Uchen", 39), ("Noto Serif Tibetan", 56)])
def test_tibetan_fonts_creators_use(tmp_path, font, size):
    # Monlam: bits of a static yellow bar between the thin outlined letters joined the line as blots
    # (3 of 6 lines read as nothing, 0.505 letter error); DDC Uchen: 1 of 6 lost; Noto Serif Tibetan:
    # 3 of 6 cues split in two by a shape passing behind them (9 cues for 6).
    video = render(tmp_path, "bo", [style("bo", font, size)], {"bo": BO_LINES}, encode=CONTEST_ENCODE)
    cues = read(video)
    assert_read(cues, BO_LINES, "bo", most=0.08)
    assert sum(letter_error(t, c.reading.text) for t, c in zip(BO_LINES, cues, strict=True)) / len(cues) <= 0.03


def test_a_script_tesseract_cannot_read_asks_for_a_look_not_a_fail(tmp_path):
    # Sambhota Tsugring (an ume hand) reads as no confident Tibetan, and no cue claims a reading. Its
    # band was dropped as "not subtitles" and the entry failed `subs.missing` ("none burned into the
    # picture"): a false fail. Its cues keep one centre with lines of varying length, 1.6 s each:
    # placed like subtitles, so the report says so and asks for a look.
    video = render(tmp_path, "tsugring", [style("bo", "TibetanTsugRing", 44)], {"bo": BO_LINES[:4]})
    from bilingual import check
    from bilingual.media import probe
    from bilingual.sources.burnedin.read import read_burned_in

    dropped: list[dict] = []
    assert read_burned_in(video, probe(video), dropped=dropped) == []
    assert len(dropped) == 1 and dropped[0]["cues_read"] == 0 and dropped[0]["subtitle_like"], dropped
    findings = {f["code"]: f for f in check(video, speech=False).to_dict(lang="en")["findings"]}
    assert findings["ocr.unreadable_band"]["severity"] == "warning", findings
    assert findings["subs.missing"]["severity"] == "warning", findings["subs.missing"]
    assert (findings["ocr.unreadable_band"]["start_s"], findings["ocr.unreadable_band"]["end_s"]) == (1.0, 8.6)


def test_chinese_read_beside_an_unread_tibetan_band_fails_no_pairing(tmp_path, corpus):
    # Mandarin speech, Chinese at the bottom read, Tibetan at the top in Tsugring not read: the
    # pairing saw Chinese subtitles only and failed zh-audio+zh-subs, though the picture may hold the
    # Tibetan the contest asks for. It is now a warning that asks for a look.
    styles = [style("bo", "TibetanTsugRing", 44, align=8), style("zh", "Noto Sans CJK SC", 60)]
    silent = render(tmp_path, "dual", styles, {"bo": BO_LINES[:4], "zh": ZH_LINES})
    video = tmp_path / "entry.mp4"
    ffmpeg("-i", str(silent), "-i", str(corpus / "mandarin" / "funasr_long_25s.wav"), "-map", "0:v", "-map", "1:a",
           "-c:v", "copy", "-c:a", "aac", "-t", "9.6", str(video))
    from bilingual import check

    report = check(video).to_dict(lang="en")
    findings = {f["code"]: f for f in report["findings"]}
    assert report["audio"]["language"] == "zh" and report["subtitles"]["cue_count"] == 4, report["subtitles"]
    assert findings["ocr.unreadable_band"]["severity"] == "warning", findings
    assert findings["pairing.invalid"]["severity"] == "warning" and findings["pairing.invalid"]["data"]["needs_look"]


def test_subtitles_in_the_middle_of_the_picture_ask_for_a_look_with_the_rows_to_read(tmp_path):
    # Centred Tibetan (a new-user trial: Alignment 5, on a box) lies outside the rows the scan reads
    # (the top quarter and the lower half): the entry failed `subs.missing`, "none burned into the
    # picture". A look at the middle finds them, and the rows it names read them.
    video = render(tmp_path, "middle", [style("bo", "Tibetan Machine Uni", 56, align=5)], {"bo": BO_LINES[:4]},
                   encode=["-c:v", "libx264", "-preset", "ultrafast", "-g", "25"])  # a keyframe a second
    from bilingual import check
    from bilingual.sources.source import OcrSettings

    (missing,) = [f for f in check(video, speech=False).to_dict(lang="en")["findings"] if f["code"] == "subs.missing"]
    assert missing["severity"] == "warning" and missing["data"]["variant"] == "middle", missing
    assert missing["data"]["language"] == "bo" and missing["data"]["frames_with_text"] >= 2, missing["data"]
    top, bottom = map(int, missing["data"]["band"].split(":"))
    assert 1080 / 4 <= top < 540 < bottom <= 1080 * 3 / 4, (top, bottom)  # the line at the centre, 1080 rows
    report = check(video, speech=False, ocr=OcrSettings("auto", band=(top, bottom))).to_dict(lang="en")
    assert report["subtitles"]["language"] == "bo" and report["subtitles"]["cue_count"] == 4, report["subtitles"]


def test_a_two_line_subtitle_is_one_cue_of_two_lines(tmp_path):
    # Two-line cues among one-line ones (a new-user trial): the upper line's rows come and go apart
    # from the lower line's, so they are a band of their own, and each two-line cue was two cues on
    # the same frames, a false `cue.overlap` each.
    upper, lower = [BO_LINES[0], BO_LINES[2]], [BO_LINES[1], BO_LINES[3], BO_LINES[5]]
    video = render(tmp_path, "two-lines", [style("top", "Tibetan Machine Uni", 56, marginv=125),
                                           style("bottom", "Tibetan Machine Uni", 56)], {"top": upper, "bottom": lower},
                   at={"top": [times(3)[0], times(3)[2]]})
    from bilingual import check

    report = check(video, speech=False).to_dict(lang="en")
    assert [c["text"].count("\n") for c in report["cues"]] == [1, 0, 1], report["cues"]
    expected = [f"{upper[0]}\n{lower[0]}", lower[1], f"{upper[1]}\n{lower[2]}"]
    for cue, truth in zip(report["cues"], expected, strict=True):
        assert letter_error(truth, cue["text"]) <= 0.05, (truth, cue["text"])
    assert not [f for f in report["findings"] if f["code"] == "cue.overlap"], report["findings"]


@pytest.mark.parametrize("language, font, size", [("bo", "Tibetan Machine Uni", 56), ("zh", "Noto Sans CJK SC", 60)])
def test_cues_of_two_lines_each_are_read_line_by_line(tmp_path, language, font, size):
    # When every cue has two lines, both lines are one band and were read as one line: Tibetan as
    # nothing (the band then dropped), Chinese as a mix of both (我水是命每一滴水, confidence 0.82).
    lines = BO_LINES if language == "bo" else ZH_LINES
    pairs = [(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]
    video = render(tmp_path, "two-lines", [style(language, font, size)], {language: [f"{a}\\N{b}" for a, b in pairs]})
    cues = read(video)
    assert [(c.cue.first_frame, c.cue.last_frame) for c in cues] == expected_frames(len(pairs))
    for cue, (first, second) in zip(cues, pairs, strict=True):
        read_first, read_second = cue.reading.text.split("\n")
        assert cue.reading.language == language, cue.reading
        assert letter_error(first, read_first) <= 0.05 and letter_error(second, read_second) <= 0.05, cue.reading


def test_a_sign_that_comes_and_goes_is_not_taken_for_unread_subtitles(tmp_path):
    # Guard for the test above: text that reads as no Tibetan or Chinese and comes back with one
    # width (a sign, a logo; over real footage with no subtitles, every dropped band had at most 2 of
    # 3 cues on one centre, or one width) is picture: no subtitles stays an error.
    video = render(tmp_path, "sign", [style("sign", "DejaVu Sans", 56)], {"sign": ["SCIENCE 2024"] * 4})
    from bilingual import check

    findings = {f["code"]: f for f in check(video, speech=False).to_dict(lang="en")["findings"]}
    assert "ocr.unreadable_band" not in findings and findings["ocr.band_dropped"]["data"]["subtitle_like"] is False
    assert findings["subs.missing"]["severity"] == "error", findings


def test_english_subtitles_burned_in_are_named_and_fail_the_missing_subtitles(tmp_path):
    # English subtitles (a new-user trial) were "a band placed like subtitles that could not be read",
    # a warning asking a look: RapidOCR reads them, confidently, as Latin script.
    english = ["Do not be afraid to be wrong", "Try, measure, and try again", "That is how science moves forward",
               "Trial and error is simple"]
    video = render(tmp_path, "english", [style("en", "DejaVu Sans", 56)], {"en": english})
    from bilingual import check

    findings = {f["code"]: f for f in check(video, speech=False).to_dict(lang="en")["findings"]}
    assert "ocr.unreadable_band" not in findings, findings
    assert findings["ocr.latin_band"]["severity"] == "info" and findings["ocr.latin_band"]["data"]["latin"] in english
    assert findings["subs.missing"]["severity"] == "error" and findings["subs.missing"]["data"]["variant"] == "latin"


def test_subtitles_at_the_top(tmp_path):
    # Only the lower half was scanned: a Tibetan line at the top was not seen at all.
    video = render(tmp_path, "top", [style("bo", "Tibetan Machine Uni", 56, align=8)], {"bo": BO_LINES[:4]})
    assert_read(read(video), BO_LINES[:4], "bo", most=0.05, rows=(0, 270))


def test_tibetan_at_the_top_and_chinese_at_the_bottom(tmp_path):
    video = render(tmp_path, "both", [style("bo", "Tibetan Machine Uni", 56, align=8),
                                      style("zh", "Noto Sans CJK SC", 60)],
                   {"bo": BO_LINES[:4], "zh": ZH_LINES})
    cues = read(video)
    assert_read([c for c in cues if c.reading.language == "bo"], BO_LINES[:4], "bo", most=0.05, rows=(0, 270))
    assert_read([c for c in cues if c.reading.language == "zh"], ZH_LINES, "zh", rows=(540, 1080))


def test_subtitles_in_the_bars_of_a_letterboxed_picture(tmp_path):
    # A 2.39:1 picture in a 16:9 frame (bars of 138 rows): Tibetan in the upper bar, Chinese in the lower.
    video = render(tmp_path, "letterbox", [style("bo", "Tibetan Machine Uni", 50, align=8, marginv=40),
                                           style("zh", "Noto Sans CJK SC", 56, marginv=35)],
                   {"bo": BO_LINES[:4], "zh": ZH_LINES}, size="1920x1080",
                   pre_filter="crop=1920:804,pad=1920:1080:0:138:black,")
    cues = read(video)
    assert_read([c for c in cues if c.reading.language == "bo"], BO_LINES[:4], "bo", most=0.05, rows=(0, 138))
    assert_read([c for c in cues if c.reading.language == "zh"], ZH_LINES, "zh", rows=(942, 1080))


def test_an_anamorphic_picture_is_read_as_it_is_shown(tmp_path):
    # HDV's 1440×1080 with 4:3 pixels is shown at 16:9 (a new-user trial): its text is stored squeezed
    # to 3/4 of its width, and the Tibetan read as nothing ("a band that could not be read").
    shown = render(tmp_path, "anamorphic", [style("bo", "Tibetan Machine Uni", 56)], {"bo": BO_LINES[:4]})
    video = tmp_path / "hdv.mp4"
    ffmpeg("-i", str(shown), "-vf", "scale=1440:1080,setsar=4/3", "-c:v", "libx264", "-preset", "ultrafast",
           str(video))
    assert_read(read(video), BO_LINES[:4], "bo", most=0.05)


@pytest.mark.xfail(strict=True, reason="not done: at 720p (Tibetan Machine Uni at 37, letters ≈ 15 px) readings "
                   "lose a letter (ནས read རས; the cue that came apart in three is whole since pieces are rejoined); "
                   "upscaling the band ×1.5 or ×2 before isolating the text read worse (README, burned-in matrix)")
def test_720p(tmp_path):
    video = render(tmp_path, "720p", [style("bo", "Tibetan Machine Uni", 37, marginv=40)], {"bo": BO_LINES[:4]},
                   size="1280x720")
    assert_read(read(video), BO_LINES[:4], "bo", most=0.05)


READ = ("import json, sys; from bilingual.media import probe; "
        "from bilingual.sources.burnedin.read import read_burned_in; "
        "print(json.dumps([[r.cue.first_frame, r.cue.last_frame, r.reading.language, r.reading.text] "
        "for r in read_burned_in(sys.argv[1], probe(sys.argv[1]))]))")


def timed(command, figure=None):
    started = time.perf_counter()
    proc = subprocess.run(with_peak_rss(command, figure) if figure else command, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return time.perf_counter() - started, proc.stdout


def test_4k_uhd_within_the_memory_cap_and_three_decodes(tmp_path):
    # Guard (passes before and after).
    # 3840×2160 (the notice asks ≥ 1080p): read as a whole process, peak RSS ≤ 1.5 GB and ≤ 3× the
    # time of a plain decode (the bound for any picture).
    video = render(tmp_path, "4k", [style("zh", "Noto Sans CJK SC", 120, marginv=120)], {"zh": ZH_LINES[:3]},
                   size="3840x2160", background="testsrc2=size={size}:rate=25")
    decode_s, _ = timed(["ffmpeg", "-nostdin", "-v", "error", "-i", str(video), "-f", "null", "-"])
    figure = tmp_path / "peak-rss"
    read_s, out = timed([sys.executable, "-c", READ, str(video)], figure)
    import json

    assert [tuple(cue) for cue in json.loads(out)] == \
        [(a, b, "zh", t) for (a, b), t in zip(expected_frames(3), ZH_LINES, strict=False)]
    assert int(figure.read_text()) / 1024 <= 1536, figure.read_text()
    assert read_s <= 3 * decode_s + 2.0, (read_s, decode_s)  # + the interpreter's and the models' start


STYLES = {  # name → (ASS colours and border), beside the benchmark's white/yellow outline and black box
    "dark-light-outline": dict(primary="&H00202020", outline="&H00F0F0F0"),
    "blue-box": dict(back="&H00A03000", outline="&H00A03000", border=3, width=8),  # white on a dark blue box
    "red-outline": dict(primary="&H0000FFFF", outline="&H000000C0"),  # yellow with a dark red outline
    "shadow-only": dict(width=0, shadow=4, back="&H00000000"),
    # a truly translucent black box (alpha &H80: BorderStyle 3 draws the box in OutlineColour)
    "translucent-box": dict(outline="&H80000000", back="&H80000000", border=3, width=6),
    # 38 % transparent (the burned-in matrix's `black-box`): dark in every channel over testsrc2's blue
    # only, and the first rule lost the characters at the line's ends over the yellow
    "black-box-38": dict(outline="&H60000000", back="&H60000000", border=3, width=6),
}


NOT_DONE: dict[str, str] = {  # the styles still misread (README, burned-in matrix)
}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=NOT_DONE[name]))
                                  if name in NOT_DONE else name for name in STYLES])
def test_styles(tmp_path, name):
    # blue-box and red-outline: guards (they read before too). dark-light-outline read 河 as 可 and
    # 云又把水带回来 as 巴水带回来 (read upright, the light outline was the text); shadow-only read
    # 命之源 for 水是生命之源 (glyphs with a shadow on one side only were not kept as text); translucent-box
    # read 生命之源 (over testsrc2's yellow the box is (128, 128, 0), luma 113: dark neither to the scan,
    # luma < 70, nor to the reader, every channel < 60; text is now told by its contrast to the box).
    video = render(tmp_path, name, [style("zh", "Noto Sans CJK SC", 60, **STYLES[name])], {"zh": ZH_LINES})
    # red-outline: the line is found by its outline dark in luma (`ocr.line_mask`) and recognised on its
    # box, not by full detection (6 s a line): 又 of 云又把水带回来 then reads 叉, one letter in 30
    assert_read(read(video), ZH_LINES, "zh", most=0.15 if name == "red-outline" else 0.0)


def test_light_text_on_a_black_box_is_read_the_right_way_up(tmp_path):
    # Inverted, white Chinese on the 38 %-transparent black box leaves the insides of its glyphs (口,
    # 日, 冒) as text, each enclosed by the strokes: it was taken for a dark fill read the wrong way up,
    # and 啊 read inverted as 阿 replaced the upright reading (`read.FILLED_MIN_PIXELS`).
    lines = ["试错的过程很简单", "啊今特别是今天冒名插修卡的同", "听到后面的有专门的活动课他会",
             "降低你的思错成本其实你也可以"]
    matrix_encode = ["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M"]  # the burned-in matrix's cell
    video = render(tmp_path, "zh-box", [style("zh", "Noto Sans CJK SC", 60, **STYLES["black-box-38"])],
                   {"zh": lines}, encode=matrix_encode)
    assert_read(read(video), lines, "zh", most=0.0)


def test_tibetan_on_a_translucent_black_box_over_a_two_coloured_picture(tmp_path):
    # The burned-in matrix's `black-box` (38 % transparent) over testsrc2: the box is dark in every
    # channel over the blue and not over the yellow ((128, 128, 0)). The first rule found the strokes
    # over the blue only and the 4 lines read as nothing (band dropped); the band is read by the box rule
    # (`read._box_rule_in_boxed_bands`).
    video = render(tmp_path, "bo-box", [style("bo", "Tibetan Machine Uni", 56, **STYLES["black-box-38"])],
                   {"bo": BO_LINES[:4]})
    assert_read(read(video), BO_LINES[:4], "bo", most=0.03)


@pytest.mark.xfail(strict=True, reason="not done: the 4 cues are found, frame-exact; by luma only the strokes over "
                   "the blue are text, and inked by colour (`read.colour_page`) 3 lines read (0.0, 0.0, 3.2 %), but "
                   "the short one's left half, white over testsrc2's yellow, differs from it only in 4:2:0 blue and "
                   "reads at Tesseract 0.59: not kept, said to be unread (`ocr.unread_cue`)")
def test_tibetan_shadow_only(tmp_path):
    # As test_styles' shadow-only, in Tibetan Machine Uni. Measured on the 4 cues' read views: split from
    # the yellow by colour, the strokes there are pieces of 6–59 pixels casting 0–38 on clear picture
    # (under SHADOW_MIN_CAST and SHADOW_THIN: none kept). Grouped (pieces 4 px apart or less), each
    # line's pieces over the yellow are one group of 450–851 pixels casting 0.27–0.35 of its size, 97–100 %
    # on dark, and the line masks cover the lines; inked by luma the yellow beside the strokes blots them
    # (Tesseract 0.13–0.61), inked by distance from the text's colour the lines read as confident Tibetan
    # (0.73–0.86) at 3.2, 6.7, 4.3, 6.5 % letter error: ད read ང twice, its thin vertical hook lost. Text
    # luma there 231–254, the yellow beside it 214–239: the hook differs from the yellow in blue, which
    # 4:2:0 halves horizontally. No way of inking tried (luma ramp, wider edge) read all 4 within 5 %.
    video = render(tmp_path, "bo-shadow", [style("bo", "Tibetan Machine Uni", 56, **STYLES["shadow-only"])],
                   {"bo": BO_LINES[:4]})
    assert_read(read(video), BO_LINES[:4], "bo", most=0.05)


def test_a_cue_found_but_not_read_is_said_to_be(tmp_path):
    # test_tibetan_shadow_only's clip: its second cue reads as no confident text. It was left out of the
    # track unsaid (timing then finds speech without a cue where the picture has one).
    video = render(tmp_path, "bo-shadow", [style("bo", "Tibetan Machine Uni", 56, **STYLES["shadow-only"])],
                   {"bo": BO_LINES[:4]})
    from bilingual import check

    report = check(video, speech=False).to_dict(lang="en")
    read_at = {(round(c["first_frame"] / FPS, 2), round((c["last_frame"] + 1) / FPS, 2))
               for c in report["subtitles"]["ocr"]}
    unread = [f for f in report["findings"] if f["code"] == "ocr.unread_cue"]
    assert len(unread) == 1 and unread[0]["severity"] == "warning", report["findings"]
    missed = {tuple(t) for t in unread[0]["data"]["times"]}
    assert missed and not missed & read_at and missed | read_at == {(round(s, 2), round(e, 2)) for s, e in times(4)}


def test_a_line_read_in_part_is_read_again_by_colour_or_said_to_be_partial(tmp_path):
    # The burned-in matrix's shadow-only Tibetan cell (6 Mbit/s): only each line's strokes over the blue
    # half of testsrc2 were read, confidently (Tesseract 0.85–0.92, every syllable valid: confidence
    # 1.0): སླབ་པའི་ཚུལ་ལོ། for བཟུང་ནས་ཇི་ལྟར་བསླབ་པའི་ཚུལ་ལོ།, 52.5 % letter error, nothing said. Read
    # again inked by colour, 3 lines read whole (0.0, 0.0, 3.2 %); the short one's left half is still
    # lost (Tesseract 0.51 by colour): it is partial, unsure, and said to be.
    from bilingual.rules.script import OCR_SURE
    from bilingual.sources.burnedin.read import PARTIAL_COVER

    video = render(tmp_path, "bo-shadow", [style("bo", "Tibetan Machine Uni", 56, **STYLES["shadow-only"])],
                   {"bo": BO_LINES[:4]}, encode=["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M"])
    cues = read(video)
    assert [(c.cue.first_frame, c.cue.last_frame) for c in cues] == expected_frames(4)
    errors = [letter_error(truth, c.reading.text) for truth, c in zip(BO_LINES[:4], cues, strict=True)]
    whole = [c for c, e in zip(cues, errors, strict=True) if e <= 0.05]
    assert len(whole) >= 3, [c.reading.text for c in cues]
    partial = [c for c, e in zip(cues, errors, strict=True) if e > 0.05]
    for cue in partial:
        assert cue.cover < PARTIAL_COVER and cue.reading.confidence < OCR_SURE, (cue.reading, cue.cover)
    from bilingual import check

    findings = check(video, speech=False).to_dict(lang="en")["findings"]
    found = [f for f in findings if f["code"] == "ocr.partial_line"]
    assert len(found) == bool(partial), findings
    if found:
        assert found[0]["severity"] == "warning" and found[0]["data"]["count"] == len(partial), found
        assert not [f for f in findings if f["severity"] == "error" and f.get("cue") in found[0]["data"]["cues"]]


def test_a_caption_just_above_the_line_for_its_last_seconds_is_a_band_of_its_own(tmp_path):
    # A credit faded in just above the Tibetan line, from 7.4 s to the end (its descenders on the rows
    # of the line's vowels): one band of both, its threshold raised by the caption, found one cue
    # (7.6–9.6 s) that read as no text; the band was dropped and the entry had no subtitles. Over real
    # footage (PySceneDetect's testvideo.mp4) its own credits made the last line end 21 frames late.
    video = render(tmp_path, "bo-caption", [style("bo", "Tibetan Machine Uni", 56),
                                            style("credit", "DejaVu Sans", 40, marginv=120)],
                   {"bo": BO_LINES[:4], "credit": [r"{\fad(400,0)}Copyright © 2013 Brandon Castellano"]},
                   at={"credit": [(7.4, 9.6)]})
    assert_read(read(video), BO_LINES[:4], "bo", rows=(900, 1040))


def test_still_picture_beside_a_line_is_not_read_into_it(tmp_path):
    # A dot (4 px, white on black) right of the lines for the first 6 s, in the gaps between cues as
    # in them: the first line ends 3 px from it, the second 73 px, the third 44 px. Read into the line,
    # "རྒྱུད་སྦྱངས་ནས་." (confidence 1.0). Over real footage (PySceneDetect's testvideo.mp4) a still
    # column as far beside a line was taken as the line's: a whole line's cover 0.57, said partial.
    from bilingual.sources.burnedin.read import PARTIAL_COVER

    dot = ("drawbox=x=1087:y=997:w=10:h=10:color=black:t=fill:enable='lt(t,6)',"
           "drawbox=x=1090:y=1000:w=4:h=4:color=white:t=fill:enable='lt(t,6)',")
    video = render(tmp_path, "bo-dot", [style("bo", "Tibetan Machine Uni", 56)], {"bo": BO_LINES[:4]},
                   pre_filter=dot)
    cues = read(video)
    assert [(c.cue.first_frame, c.cue.last_frame) for c in cues] == expected_frames(4)
    assert [c.reading.text for c in cues[1:]] == BO_LINES[1:4]  # the first ends at the dot: one mark
    assert all(c.cover is not None and c.cover >= PARTIAL_COVER for c in cues), [c.cover for c in cues]


def test_each_line_is_held_for_reading_in_its_own_columns(tmp_path, monkeypatch):
    # Every cue's view is held until its band is read: at 4K a view across the picture is 3.8 MB, and
    # the 5-minute entry's 99 held 378 MB. A view is the line's columns (and a margin), and what is
    # read in it is placed on the line by them: the covers stay whole.
    from bilingual.sources.burnedin import read as read_module

    widths = []
    cue_view = read_module.cue_view

    def spy(*args, **kwargs):
        frame_s, image, view = cue_view(*args, **kwargs)
        widths.append((image.shape[1], view.shape[1]))
        return frame_s, image, view

    monkeypatch.setattr(read_module, "cue_view", spy)
    video = render(tmp_path, "bo-short", [style("bo", "Tibetan Machine Uni", 56)], {"bo": BO_LINES[1:3]})
    cues = read(video)
    assert [c.reading.text for c in cues] == BO_LINES[1:3]
    assert all(c.cover is not None and c.cover >= 0.9 for c in cues), [c.cover for c in cues]
    # the two lines and 2 % of the width (38 px) either side: 192 and 252 of the picture's 1,920 px
    assert widths and all(frame == 1920 and 100 < view < 400 for frame, view in widths), widths


@pytest.mark.xfail(strict=True, reason="not done: the 4 cues are found frame-exact and the band covers the line "
                   "(`bands._joined_runs`); read by each pixel's lower median over the cue's frames, 3 of 4 read "
                   "as Tibetan at 14, 8.7 and 3.2 % letter error; the first does not (Tesseract 0.10): at 6 Mbit/s "
                   "over grain the strokes' luma is 183–215, about the text threshold (190), and its mask breaks up")
def test_tibetan_over_a_game_of_life_with_grain(tmp_path):
    video = render(tmp_path, "life", [style("bo", "Tibetan Machine Uni", 56)], {"bo": BO_LINES[:4]},
                   background=LIFE, encode=CONTEST_ENCODE)
    assert_read(read(video), BO_LINES[:4], "bo", most=0.05)


# A hard scene cut every 1.2 s, under the cues, between testsrc2, a mandelbrot zoom, SMPTE HD bars and RGB
# bars (the burned-in matrix's `cuts`): cues cross cuts, a still shot's edges hold still from cut to cut.
CUTS = (";".join(f"{src}=size={{size}}:rate=25,trim=duration=1.2,setpts=PTS-STARTPTS,format=yuv420p[c{i}]"
                 for i, src in enumerate(["testsrc2", "mandelbrot", "smptehdbars", "rgbtestsrc"] * 2))
        + ";" + "".join(f"[c{i}]" for i in range(8)) + "concat=n=8,noise=alls=12:allf=t")


@pytest.mark.parametrize("language, font, size, lines", [("bo", "Tibetan Machine Uni", 56, BO_LINES[:4]),
                                                         ("zh", "Noto Sans CJK SC", 60, ZH_LINES)])
def test_cues_across_scene_cuts_keep_their_own_edges(tmp_path, language, font, size, lines):
    # Before `scenes.py`: the bars' edges, still from one cut to the next, made the lower half one band;
    # cues started at the cut into the bars, ended at the cut out of them (Chinese 3 of 8 edges exact),
    # and a Tibetan line over the RGB bars (51 text pixels against 151 over SMPTE bars) was lost.
    video = render(tmp_path, language, [style(language, font, size)], {language: lines}, background=CUTS)
    # over the SMPTE bars RapidOCR reads 云又把水带回来 as 云叉把水带回来 (as in test_styles' red-outline): 1 of 7
    assert_read(read(video), lines, language, most=0.05 if language == "bo" else 0.15)
