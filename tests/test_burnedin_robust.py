"""Burned-in subtitles on pictures entries really have (issue 14): variable frame rate, busy grainy
animation, dark text on light boxes; and the picture checked beside a text track (issue 13, item 3)."""

import subprocess

import pysubs2
import pytest

from conftest import ASS_STYLE_FORMAT, ffmpeg, run_cli

HEADER = f"""[Script Info]
ScriptType: v4.00+
PlayResX: 1920
PlayResY: 1080

[V4+ Styles]
{ASS_STYLE_FORMAT}
Style: Zh,Noto Sans CJK SC,64,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1
Style: Bo,Tibetan Machine Uni,60,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,3,0,2,10,10,60,1
Style: ZhDark,Noto Sans CJK SC,64,&H00202020,&H000000FF,&H20F0F0F0,&H20F0F0F0,0,0,0,0,100,100,0,0,3,8,0,2,10,10,60,1
Style: BoDark,Tibetan Machine Uni,60,&H00202020,&H000000FF,&H20F0F0F0,&H20F0F0F0,0,0,0,0,100,100,0,0,3,8,0,2,10,10,60,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


def write_ass(path, events, header=HEADER):
    path.write_text(header + "".join(f"Dialogue: 0,{s},{e},{style},,0,0,0,,{text}\n" for s, e, style, text in events),
                    encoding="utf-8")
    return path


def frame_times(video) -> list[float]:
    """Every frame's presentation time as ffprobe decodes it: the oracle for cue edges."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts_time",
                          "-of", "csv=p=0", str(video)], capture_output=True, text=True, check=True).stdout
    return [float(line.strip(",")) for line in out.split() if line.strip(",")]


def shown(times: list[float], at: float) -> float:
    """The first frame shown at or after `at` (libass draws a cue on frames in [start, end))."""
    return next(t for t in times if t >= at - 1e-6)


def test_variable_frame_rate_cues_are_timed_by_presentation_time(tmp_path):
    # 30 fps, then every other frame (15 fps) from 2 s, every third (10 fps) from 5 s: burned in first,
    # so the subtitles keep their times and only the frames that show them thin out.
    events = [("0:00:01.00", "0:00:03.00", "Zh", "水是生命之源"),
              ("0:00:03.50", "0:00:05.50", "Zh", "我们要节约每一滴水"),
              ("0:00:06.00", "0:00:07.70", "Zh", "河流把水带到大海")]
    ass = write_ass(tmp_path / "vfr.ass", events)
    video = tmp_path / "entry" / "entry.mp4"
    video.parent.mkdir()
    keep = r"not(between(t\,2\,5)*mod(n\,2))*not(between(t\,5\,8)*mod(n\,3))"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=8",
           "-vf", f"ass={ass}:shaping=complex,select='{keep}'", "-fps_mode", "vfr",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(video))
    times = frame_times(video)
    assert len(times) < 8 * 30 * 0.7  # it is variable: far fewer frames than 30 fps would have
    proc = run_cli("extract", video, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    read = pysubs2.load(str(tmp_path / "out" / "entry.burned-in.zh.srt"))
    want = [(shown(times, s), shown(times, e)) for s, e in [(1.0, 3.0), (3.5, 5.5), (6.0, 7.7)]]
    assert [(e.start, e.end) for e in read] == [(round(s * 1000), round(e * 1000)) for s, e in want]
    assert [e.plaintext for e in read] == [t for *_, t in events]


def test_a_60_fps_entry_is_scanned_at_30_frames_a_second_and_timed_to_its_own_frames(tmp_path):
    # A phone's 60 fps over a grainy picture: every other frame is scanned (the masks, the cost), and
    # each cue edge is put back on the source's frame from the frames between. Cue edges on odd
    # frames (151, 239, 331: between two scanned ones), two cues back to back with no frame between.
    from bilingual.media import probe
    from bilingual.sources.burnedin.bands import burned_in_cues

    spans = [(1.02, 2.51), (2.51, 3.99), (4.36, 5.53)]
    ass = write_ass(tmp_path / "60fps.ass", [(f"0:00:{s:05.2f}", f"0:00:{e:05.2f}", "Zh", text)
                                             for (s, e), text in zip(spans, ZH_LINES, strict=False)])
    video = tmp_path / "entry" / "entry.mp4"
    video.parent.mkdir()
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=60:duration=6,noise=alls=12:allf=t+u",
           "-vf", f"ass={ass}:shaping=complex", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           str(video))
    times = frame_times(video)
    want = [(times.index(shown(times, s)), times.index(shown(times, e)) - 1) for s, e in spans]
    assert want == [(62, 150), (151, 239), (262, 331)]
    bands, cues, found = burned_in_cues(video, probe(video))
    assert len(found.masks) <= 30 * 6 and len(found.times) == len(times) == 360  # scanned: 30 a second
    assert [(c.first_frame, c.last_frame) for c in cues] == want
    edges_s = [t for c in cues for t in (c.start_s, c.end_s)]
    assert edges_s == pytest.approx([t for a, b in want for t in (times[a], times[b + 1])], abs=1e-5)
    read = read_cues(video)  # read from the full-size samples of scanned frames
    assert [(a, b, language, text) for a, b, language, text in read] == \
        [(a, b, "zh", text) for (a, b), text in zip(want, ZH_LINES, strict=False)]


BO_LINES = ["ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།", "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།", "ཆུ་བོས་ཆུ་རྒྱ་མཚོར་ཁྱེར།", "སྤྲིན་པས་ཆུ་ཕྱིར་ལོག་བྱེད།"]
ZH_LINES = ["水是生命之源", "我们要节约每一滴水", "河流把水带到大海", "云又把水带回来"]
# Hard cuts at whole frames of 25 fps; the second and third cue follow each other with no gap.
TIMES = [(0.52, 2.12), (2.52, 4.12), (4.12, 5.72), (6.12, 7.52)]
GRAIN = "noise=alls=15:allf=t"
BUSY = {  # ffmpeg's generators: a zooming fractal, cellular automata, drifting colour, all with fresh grain
    # (gradients' colours and life's first grid are random unless seeded: a test unseeded read one picture
    # in CI and another here)
    "mandelbrot": f"mandelbrot=size={{size}}:rate=25,{GRAIN}",
    "gradients": "gradients=size={size}:rate=25:speed=0.1:nb_colors=8:seed={seed},noise=alls=20:allf=t",
    # rule 110 from its 10th second: the automaton has filled the picture (an entry does not show it born);
    # its first row is random unless seeded (README: over 5 seeds)
    "cellauto": f"cellauto=rule=110:seed=1:size={{size}}:rate=25,trim=start=10,setpts=PTS-STARTPTS,format=yuv420p,"
                f"{GRAIN}",
    "life": f"life=size={{size}}:mold=10:rate=25:ratio=0.5:seed={{seed}}:death_color=#C83232:life_color=#00ff00,"
            f"{GRAIN}",
    "testsrc2": "testsrc2=size={size}:rate=25",  # colour bars and moving shapes, no grain
}
# x264's rate control under a VBV (maxrate, bufsize) on several threads is not repeatable: two renders of
# one clip differed (framemd5), so a reading near a limit passed on one and not the next; on one thread it
# is the same on every run and machine (≈ 25 % more render time)
CONTEST_ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-b:v", "6M", "-maxrate", "8M", "-bufsize", "12M",
                  "-threads", "1"]


def render_busy(folder, background, style, texts, size="1280x720", duration=8.0, encode=None, audio=None, seed=1):
    """`texts` burned at TIMES over a busy lavfi background; alone in its folder (no sidecar)."""
    ass = write_ass(folder / f"{background}-{style}.ass",
                    [(_tc(s), _tc(e), style, t) for (s, e), t in zip(TIMES, texts, strict=False)])
    video = folder / f"{background}-{style}" / "entry.mp4"
    video.parent.mkdir(exist_ok=True)
    audio_in = ["-i", str(audio)] if audio else []
    ffmpeg("-f", "lavfi", "-i", BUSY[background].format(size=size, seed=seed), *audio_in, "-t", str(duration),
           "-vf", f"format=yuv420p,ass={ass}:shaping=complex",
           *(["-map", "0:v", "-map", "1:a", "-c:a", "aac"] if audio else []),
           *(encode or ["-c:v", "libx264", "-preset", "ultrafast"]), "-pix_fmt", "yuv420p", str(video))
    return video


def _tc(seconds: float) -> str:
    return f"0:00:{seconds:05.2f}"


def read_cues(video):
    from bilingual.media import probe
    from bilingual.sources.burnedin.read import read_burned_in

    return [(r.cue.first_frame, r.cue.last_frame, r.reading.language, r.reading.text)
            for r in read_burned_in(video, probe(video))]


EXPECTED_FRAMES = [(round(s * 25), round(e * 25) - 1) for s, e in TIMES]


def letter_error(truth: str, read: str) -> float:
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(truth.replace(" ", ""), read.replace(" ", "")) / len(truth)


def test_tibetan_over_a_zooming_fractal_at_1080p_6_mbits(tmp_path):
    # The entry: Tibetan Machine Uni with an outline over a busy animation with grain, at the
    # contest's size and bit rate. The texture made the whole lower half one band and no cue was found.
    video = render_busy(tmp_path, "mandelbrot", "Bo", BO_LINES, size="1920x1080", encode=CONTEST_ENCODE)
    cues = read_cues(video)
    assert [(a, b) for a, b, *_ in cues] == EXPECTED_FRAMES
    assert {language for *_, language, _ in cues} == {"bo"}
    for (*_, text), truth in zip(cues, BO_LINES, strict=False):
        assert letter_error(truth, text) <= 0.05, text


@pytest.mark.parametrize("seed", [1, 3])
def test_chinese_over_grainy_backgrounds_is_whole_cues_and_no_tibetan(tmp_path, seed):
    # Over drifting colour and cellular automata with grain, cues came apart into fragments of
    # 0.2–0.4 s and a Tibetan "cue" was read out of the texture.
    from bilingual.text.cer import normalized_chinese

    cues = read_cues(render_busy(tmp_path, "gradients", "Zh", ZH_LINES, seed=seed))
    assert [(a, b, language) for a, b, language, _ in cues] == [(a, b, "zh") for a, b in EXPECTED_FRAMES], cues
    # The reading, compared as the picture is compared with a sidecar (letters only, `text.cer`). Over
    # seeds 1–6 of the colours the cues were frame-exact and Chinese on all 6, with 0, 1, 2, 0, 0, 0
    # of the 30 letters misread (seed 3: 节 → 范, 滴 → 插); a CI run over unseeded colours read
    # 河 → 铜 and a "、" out of the grain after 海.
    shown = [normalized_chinese(t) for t in ZH_LINES[:len(EXPECTED_FRAMES)]]
    read = [normalized_chinese(text) for *_, text in cues]
    wrong = sum(x != y for text, truth in zip(read, shown, strict=True) for x, y in zip(text, truth, strict=True))
    assert [len(text) for text in read] == [len(t) for t in shown] and wrong <= 2, cues


def near_frames(cues, frames=2):
    """Each cue within `frames` of its expected first and last frame (a textured picture is scanned on
    the pixels that stay on, `bands.steady_pixels`: its edges are read a frame or two off)."""
    return len(cues) == len(EXPECTED_FRAMES) and all(
        abs(a - x) <= frames and abs(b - y) <= frames for (a, b, *_), (x, y) in zip(cues, EXPECTED_FRAMES, strict=True))


@pytest.mark.parametrize("style, lines, size, encode", [
    ("Zh", ZH_LINES, "1280x720", None),
    ("Bo", BO_LINES, "1920x1080", ["-c:v", "libx264", "-preset", "veryfast", "-crf", "27"])])
def test_subtitles_over_a_cellular_automaton_are_found_where_its_texture_fills_every_row(
        tmp_path, style, lines, size, encode):
    # Rule 110 leaves text-like pixels in every scanned row of every frame: no band could be told, and
    # a new user's entry (legible Tibetan Machine Uni, Mandarin speech) failed as "none burned in".
    # The Tibetan case is that entry's encoding (crf 27). Over other seeds of the automaton this holds
    # for Chinese on 4 of 5, for Tibetan on 2 of 5 (README): Tesseract reads the other lines right but
    # under its confidence floor (0.38–0.60), and they are left unread, never invented.
    cues = read_cues(render_busy(tmp_path, "cellauto", style, lines, size=size, encode=encode))
    assert near_frames(cues), cues
    assert {language for *_, language, _ in cues} == {style.lower()}, cues
    for (*_, text), truth in zip(cues, lines, strict=True):
        assert letter_error(truth, text) <= 0.15, text  # measured ≤ 0.12: texture at a line's end read into it


def test_steady_pixels_keep_exactly_the_runs_of_enough_frames():
    import numpy as np

    from bilingual.sources.burnedin.bands import steady_pixels

    rng = np.random.default_rng(7)
    for count, frames in [(1203, 1), (1203, 3), (1203, 12), (6, 8), (5, 8), (7, 12), (2, 3)]:  # > 2 chunks; short
        on = rng.random((count, 3, 16)) < 0.7
        want = np.zeros_like(on)
        for t in range(len(on) - frames + 1):
            want[t:t + frames] |= on[t:t + frames].all(axis=0)
        got = np.unpackbits(steady_pixels(np.packbits(on, axis=2), frames), axis=2).astype(bool)
        assert (got == want).all(), (count, frames)


def test_texture_with_no_subtitles_yields_no_cue(tmp_path):
    assert read_cues(render_busy(tmp_path, "life", "Zh", [])) == []


def test_dark_text_on_a_light_box_is_read_as_light_text_is(tmp_path):
    # Dark grey text on a light box (12 % transparent: its colour shifts with the picture behind). The
    # scan finds it by the box's bright pixels beside the text; read upright, the text mask kept only
    # bits of the box and the Tibetan band was dropped as unreadable. Read inverted, it is light text.
    for background, style, lines, size in (("testsrc2", "BoDark", BO_LINES, "1920x1080"),
                                           ("gradients", "ZhDark", ZH_LINES, "1280x720")):
        cues = read_cues(render_busy(tmp_path, background, style, lines, size=size))
        assert [(a, b) for a, b, *_ in cues] == EXPECTED_FRAMES, (background, cues)
        assert {language for *_, language, _ in cues} == {style[:2].lower()}, cues
        for (*_, text), truth in zip(cues, lines, strict=True):
            assert letter_error(truth, text) <= 0.05, text


def test_a_logo_held_on_screen_is_not_a_subtitle_cue(tmp_path):
    # A channel name at the top right for 16 s of 20 (the scan's static rule leaves out only what stays
    # 90 % of the time) was a Chinese cue beside the Tibetan ones; the helper's entry, whose name the
    # scan lost at scene cuts, had three, and its track was called dual-language.
    from bilingual.media import probe
    from bilingual.sources.burnedin import load_burned_in

    events = [(_tc(s), _tc(e), "Bo", text) for (s, e), text in zip(TIMES, BO_LINES, strict=True)]
    ass = write_ass(tmp_path / "logo.ass", [*events, (_tc(1.0), _tc(17.0), "Zh", r"{\an9}四川科技频道")])
    video = tmp_path / "entry" / "entry.mp4"
    video.parent.mkdir()
    ffmpeg("-f", "lavfi", "-i", BUSY["testsrc2"].format(size="1920x1080"), "-t", "20",
           "-vf", f"format=yuv420p,ass={ass}:shaping=complex", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", str(video))
    track = load_burned_in(probe(video))
    want = [(start, text) for (start, _), text in zip(TIMES, BO_LINES, strict=True)]
    assert [(round(c.start_s, 2), c.text) for c in track.cues] == want
    (logo,) = track.held_lines
    assert logo.language == "zh" and logo.band[1] <= 1080 // 4, logo
    assert [(round(s), round(e)) for s, e in logo.shown] == [(1, 17)]


def test_a_band_that_reads_only_lone_characters_is_picture_not_subtitles(tmp_path):
    # Real footage under 1080i Tibetan subtitles read as 中, twice, in a band of its own (the same
    # scenery, looped): two Chinese cues beside the Tibetan ones, a "mixed" track and false overlaps.
    # Here a one-character sign shows twice at the top left, away from the Tibetan line.
    sign = r"{\an7\pos(160,60)\fs120}中"
    events = [(_tc(s), _tc(e), "Bo", t) for (s, e), t in zip(TIMES, BO_LINES, strict=True)]
    events += [("0:00:00.40", "0:00:03.40", "Zh", sign), ("0:00:04.40", "0:00:07.40", "Zh", sign)]
    ass = write_ass(tmp_path / "sign.ass", events)
    video = tmp_path / "entry" / "entry.mp4"
    video.parent.mkdir()
    ffmpeg("-f", "lavfi", "-i", BUSY["mandelbrot"].format(size="1920x1080"), "-t", "8",
           "-vf", f"format=yuv420p,ass={ass}:shaping=complex", "-c:v", "libx264", "-preset", "ultrafast",
           "-pix_fmt", "yuv420p", str(video))
    from bilingual.media import probe
    from bilingual.sources.burnedin.read import read_burned_in

    dropped: list[dict] = []
    cues = read_burned_in(video, probe(video), dropped=dropped)
    assert {c.reading.language for c in cues} == {"bo"}, [(c.reading.language, c.reading.text) for c in cues]
    assert any(d["band"][1] <= 300 and d["cues_found"] == 2 and d["cues_read"] == 0 for d in dropped), dropped

