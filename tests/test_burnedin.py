"""Burned-in subtitles, stage one: bands and frame-exact cue times on clips rendered with libass."""


from bilingual.media import probe
from bilingual.sources.burnedin.bands import burned_in_cues

from conftest import ASS_STYLE_FORMAT, burn

STYLES = f"""[Script Info]
ScriptType: v4.00+
PlayResX: 1920
PlayResY: 1080

[V4+ Styles]
{ASS_STYLE_FORMAT}
Style: White,DejaVu Sans,64,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1
Style: Yellow,DejaVu Sans,64,&H0000FFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1
Style: Upper,DejaVu Sans,56,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,160,1
Style: Boxed,DejaVu Sans,60,&H00FFFFFF,&H000000FF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,3,6,0,2,10,10,60,1
Style: Chinese,Noto Sans CJK SC,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def render(tmp_path, name, events, duration=10, logo=True):
    """A 1080p clip of a moving, textured picture (testsrc2), with a static logo, and `events` burned in."""
    ass = tmp_path / f"{name}.ass"
    ass.write_text(STYLES + "".join(f"Dialogue: 0,{s},{e},{style},,0,0,0,,{text}\n" for s, e, style, text in events),
                   encoding="utf-8")
    logo_filter = "drawbox=x=1700:y=950:w=160:h=80:color=white:t=fill,drawbox=x=1700:y=950:w=160:h=80:color=black:t=4,"
    return burn(ass, tmp_path / f"{name}.mp4", duration, pre_filter=logo_filter if logo else "")


def frames(video):
    bands, cues, _ = burned_in_cues(video, probe(video))
    return bands, [(c.band, c.first_frame, c.last_frame) for c in cues]


def test_cues_are_timed_to_the_frame_and_the_logo_is_ignored(tmp_path):
    video = render(tmp_path, "three", [("0:00:01.00", "0:00:03.00", "White", "Water is the source of life"),
                                       ("0:00:03.00", "0:00:05.40", "White", "We must save every drop"),
                                       ("0:00:06.00", "0:00:08.00", "Yellow", "A third line in yellow")])
    bands, cues = frames(video)
    assert cues == [(0, 25, 74), (0, 75, 134), (0, 150, 199)]  # 25 fps: 1.00 s is frame 25
    assert len(bands) == 1
    top, bottom = bands[0].source_rows()
    assert 900 < top < bottom <= 1080  # the bottom line, not the logo's box above it


def test_text_on_a_box(tmp_path):
    video = render(tmp_path, "boxed", [("0:00:02.00", "0:00:04.00", "Boxed", "Text on a translucent box")], 6)
    assert frames(video)[1] == [(0, 50, 99)]


def test_two_lines_shown_together_are_two_bands(tmp_path):
    video = render(tmp_path, "dual", [("0:00:01.00", "0:00:04.00", "White", "Lower line"),
                                      ("0:00:01.00", "0:00:04.00", "Upper", "Upper line"),
                                      ("0:00:05.00", "0:00:07.00", "White", "Lower again")], 8)
    bands, cues = frames(video)
    assert len(bands) == 2
    assert sorted((first, last) for _, first, last in cues) == [(25, 99), (25, 99), (125, 174)]


def test_subtitles_on_screen_most_of_the_time(tmp_path):
    lines = ["Water is the source of life", "We must save every drop", "Rivers carry it to the sea",
             "Clouds bring it back again", "Farms need it to grow food", "Cities pipe it to homes",
             "Clean it before it returns", "Thank you for watching"]
    events = [(f"0:00:0{i}.00", f"0:00:0{i + 1}.00", "White", line) for i, line in enumerate(lines, 1)]
    _, cues = frames(render(tmp_path, "busy", events, 10))
    assert cues == [(0, 25 * i, 25 * (i + 1) - 1) for i in range(1, 9)]


def test_no_subtitles_no_cues(tmp_path):
    assert frames(render(tmp_path, "none", [], 5)) == ([], [])


def test_fades_are_timed_at_half_opacity(tmp_path):
    # libass \fad(in,out): opacity ramps linearly, so half opacity falls at start + in/2 and end - out/2.
    events = [("0:00:01.00", "0:00:03.00", "White", r"{\fad(400,400)}Water is the source of life"),
              ("0:00:04.00", "0:00:06.00", "Yellow", r"{\fad(200,600)}We must save every drop"),
              ("0:00:07.00", "0:00:09.00", "Boxed", r"{\fad(400,400)}Text on a translucent box")]
    _, cues = frames(render(tmp_path, "fades", events, 10))
    half = [(30, 70), (102.5, 142.5), (180, 220)]  # 25 fps
    assert len(cues) == 3
    for (_, first, last), (want_first, want_last) in zip(cues, half, strict=False):
        assert abs(first - want_first) <= 2 and abs(last - want_last) <= 2, (first, last)


def test_chinese_fading_over_grain_is_one_cue_each(tmp_path):
    # The burned-in benchmark's fade case, shortened: Noto Sans CJK, white outline, \fad(300,300) over
    # testsrc2 with fresh grain. On held pixels the last frames of a fade-out kept part of the text and
    # were cut off as a cue of their own (9 cues of 6 on the benchmark; here 4 of 3).
    lines = ["试错的过程很简单", "听到后面的有专门的活动课他会", "我先今天写五个点我就实试试验"]
    events = [(f"0:00:{1 + 3 * i:02d}.00", f"0:00:{3 + 3 * i:02d}.60", "Chinese", r"{\fad(300,300)}" + line)
              for i, line in enumerate(lines)]
    ass = tmp_path / "fades.ass"
    ass.write_text(STYLES + "".join(
        f"Dialogue: 0,{s},{e},{style},,0,0,0,,{text}\n" for s, e, style, text in events), encoding="utf-8")
    _, cues = frames(burn(ass, tmp_path / "fades.mp4", 10, pre_filter="noise=alls=12:allf=t+u,"))
    half = [(25 + 75 * i + 3.75, 90 + 75 * i - 3.75) for i in range(3)]  # 25 fps, half opacity 0.15 s in
    assert len(cues) == 3, cues
    for (_, first, last), (want_first, want_last) in zip(cues, half, strict=True):
        assert abs(first - want_first) <= 2 and abs(last - want_last) <= 2, (first, last)


def test_a_given_band_is_the_only_one_read(tmp_path):
    video = render(tmp_path, "given", [("0:00:01.00", "0:00:04.00", "White", "Lower line"),
                                       ("0:00:02.00", "0:00:03.00", "Upper", "Upper line")], 5)
    bands, cues, _ = burned_in_cues(video, probe(video), region=(840, 940))  # the upper line's rows
    assert [(c.first_frame, c.last_frame) for c in cues] == [(50, 74)]
    top, bottom = bands[0].source_rows()
    assert abs(top - 840) <= 3 and abs(bottom - 940) <= 3 and bands[0].given


def test_consecutive_cues_that_differ_in_one_word_are_two_cues(tmp_path):
    events = [("0:00:01.00", "0:00:03.00", "White", "We must save every drop of water"),
              ("0:00:03.00", "0:00:05.00", "White", "We must save every drop of rain"),
              ("0:00:05.00", "0:00:07.00", "White", "We must save every drop of rain!")]
    _, cues = frames(render(tmp_path, "oneword", events, 8))
    assert cues == [(0, 25, 74), (0, 75, 124), (0, 125, 174)]  # centred: one more mark moves the line


def test_a_caption_shown_for_the_whole_video_is_not_a_subtitle(tmp_path):
    events = [("0:00:00.00", "0:00:08.00", "Upper", "Science Channel"),  # on screen from first to last frame
              ("0:00:01.00", "0:00:03.00", "White", "Water is the source of life"),
              ("0:00:04.00", "0:00:06.00", "White", "We must save every drop")]
    bands, cues = frames(render(tmp_path, "caption", events, 8, logo=False))
    assert [(first, last) for _, first, last in cues] == [(25, 74), (100, 149)]
    assert len(bands) == 1 and bands[0].source_rows()[0] > 940  # the subtitle line, not the caption's


def test_text_scrolling_across_the_picture_is_not_a_subtitle(tmp_path):
    events = [("0:00:00.00", "0:00:08.00", "Upper", r"{\move(2400,880,-600,880)}Breaking news scrolling across"),
              ("0:00:01.00", "0:00:03.00", "White", "Water is the source of life"),
              ("0:00:04.00", "0:00:06.00", "White", "We must save every drop")]
    bands, cues = frames(render(tmp_path, "ticker", events, 8, logo=False))
    assert [(first, last) for _, first, last in cues] == [(25, 74), (100, 149)] and len(bands) == 1


def test_a_cue_whose_first_frames_each_miss_other_strokes_is_one_cue():
    # Text masks made here (no render): four glyph blocks shown over frames 10–59, half the strokes
    # missing on frame 13 and the other half on frame 14, as strokes of thin Tibetan over a moving
    # picture drop out. On held pixels the frames around hold the two halves by turns: pieces that
    # share no pixel, each inside the cue they open (main cut it into 10–12 and 15–59).
    import numpy as np

    from bilingual.sources.burnedin.bands import SCAN_WIDTH, segment

    text = np.zeros((20, SCAN_WIDTH), bool)
    text[1:19, 100:164] = (np.indices((18, 64)).sum(axis=0) % 2) == 0  # four 16-column blocks
    frames = np.zeros((70, 20, SCAN_WIDTH), bool)
    frames[10:60] = text
    frames[13, :, 100:132] = False
    frames[14, :, 132:164] = False
    assert segment(np.packbits(frames, axis=2), (0, 20), np.zeros((20, SCAN_WIDTH), bool)) == [(10, 59)]


def test_reading_holds_only_the_samples_inside_cues():
    # The 5-minute 4K entry peaked at 1.94 GB (cap 1.5): after the cues are found, samples of frames
    # outside every cue, the frames between scanned ones, the fade masks and the thumbnails are let go.
    import numpy as np

    from bilingual.sources.burnedin.bands import BurnedCue, Scan

    samples = {t: [(0, np.zeros((6, 8), np.uint8))] for t in (0, 5, 10, 15, 20)}
    found = Scan(np.zeros((25, 2, 1), np.uint8), np.ones((25, 2, 1), np.uint8), 1.0, 0, samples,
                 np.arange(25) / 25, between={3: b"packed"}, thumbs=np.zeros((25, 4, 4), np.uint8))
    found.keep_for_reading([BurnedCue(0, 4, 10, 0.16, 0.44), BurnedCue(0, 20, 24, 0.8, 1.0)])
    assert sorted(found.samples) == [5, 10, 20]
    assert found.between == {} and found.thumbs is None and found.half.size == 0
    assert found.half.base is None  # not a view that keeps the fade masks alive
    assert found.masks.shape == (25, 2, 1)  # what the cues' views and covers read
