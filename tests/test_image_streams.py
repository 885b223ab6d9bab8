"""Image subtitle streams (issue 14): PGS, VobSub and DVB read by the burned-in OCR into the same cue model.

Tibetan and Chinese image streams are made here as an authoring tool makes them: each cue drawn by
libass (complex shaping) on a transparent canvas — its colour and alpha taken from two renders, over
black and over white —, quantised to a palette and written as a Blu-ray PGS stream (`write_pgs`);
ffmpeg then turns that PGS into DVB and VobSub (it converts bitmap subtitles to bitmap subtitles)
and muxes them with a picture. The times asked for are the packets' own, so the cues must come out
at exactly those times.
"""

import json
import struct

import numpy as np
import pytest
from rapidfuzz.distance import Levenshtein

from conftest import ASS_STYLE_FORMAT, ffmpeg, run_cli

WIDTH, HEIGHT = 1920, 1080
BO_LINES = ["ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།", "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།", "ཆུ་བོས་ཆུ་རྒྱ་མཚོར་ཁྱེར།"]
ZH_LINES = ["水是生命之源", "我们要节约每一滴水", "河流把水带到大海"]
# Packet times of the three cues (90 kHz ticks in PGS; the second follows the first with no gap).
TIMES = [(0.300, 1.500), (1.500, 2.700), (3.100, 3.900)]
STYLES = {  # ASS colours are &HAABBGGRR
    "white_outline": ("&H00FFFFFF", "&H00000000", 1, 3),  # white text, black outline
    "dark_on_light": ("&H00301010", "&H00F0F0F0", 1, 4),  # dark blue text, light outline
    "yellow_blue": ("&H0000FFFF", "&H00A02000", 1, 3),  # yellow text, blue outline
}
FONTS = {"bo": ("Tibetan Machine Uni", 60), "zh": ("Noto Sans CJK SC", 64)}


def render_bitmaps(tmp_path, lines, language, style):
    """Each line drawn by libass alone on the canvas, as RGBA: alpha and colour from a render over
    black and one over white (a pixel drawn with alpha a over black is a·c, over white a·c + (1−a))."""
    font, size = FONTS[language]
    fill, outline, border, thickness = STYLES[style]
    ass = tmp_path / f"{language}-{style}.ass"
    ass.write_text(f"[Script Info]\nScriptType: v4.00+\nPlayResX: {WIDTH}\nPlayResY: {HEIGHT}\n\n[V4+ Styles]\n"
                   f"{ASS_STYLE_FORMAT}\nStyle: S,{font},{size},{fill},&H000000FF,{outline},&H00000000,0,0,0,0,"
                   f"100,100,0,0,{border},{thickness},0,2,10,10,60,1\n\n[Events]\n"
                   "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                   + "".join(f"Dialogue: 0,0:00:{k:02d}.00,0:00:{k + 1:02d}.00,S,,0,0,0,,{line}\n"
                             for k, line in enumerate(lines)), encoding="utf-8")
    renders = []
    for canvas in ("black", "white"):
        raw = tmp_path / f"{language}-{style}-{canvas}.rgb"
        # Two frames a second: frame 2k + 1 is the middle of line k.
        ffmpeg("-f", "lavfi", "-i", f"color={canvas}:s={WIDTH}x{HEIGHT}:r=2:d={len(lines)}",
               "-vf", f"ass={ass}:shaping=complex,select='mod(n\\,2)',format=rgb24", "-fps_mode", "passthrough",
               "-f", "rawvideo", str(raw))
        renders.append(np.fromfile(raw, np.uint8).reshape(-1, HEIGHT, WIDTH, 3).astype(np.float32))
    over_black, over_white = renders
    alpha = np.clip(1 - (over_white - over_black).mean(axis=3, keepdims=True) / 255, 0, 1)
    colour = np.where(alpha > 0.02, over_black / np.maximum(alpha, 1e-3), 0)
    return [np.concatenate([np.clip(c, 0, 255), a * 255], axis=2).round().astype(np.uint8)
            for c, a in zip(colour, alpha, strict=True)]


def _quantise(rgba):
    """(cropped palette indices, palette RGBA, x, y): index 0 is transparent."""
    from PIL import Image

    ys, xs = np.nonzero(rgba[:, :, 3] > 8)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    crop = rgba[top:bottom, left:right]
    quantised = Image.fromarray(crop, "RGBA").quantize(colors=255, method=Image.Quantize.FASTOCTREE)
    palette = np.array(quantised.getpalette(rawmode="RGBA"), np.uint8).reshape(-1, 4)
    indices = np.asarray(quantised, np.uint8).astype(np.int32) + 1
    indices[crop[:, :, 3] <= 8] = 0
    return indices, np.concatenate([[[0, 0, 0, 0]], palette])[:256], int(left), int(top)


def _rle(indices):
    """PGS run-length code of an object's rows."""
    out = bytearray()
    for row in indices:
        x = 0
        while x < len(row):
            colour, run = int(row[x]), 1
            while x + run < len(row) and row[x + run] == colour and run < 16383:
                run += 1
            if colour and run < 3:
                out += bytes([colour]) * run
            elif colour == 0:
                out += bytes([0, run]) if run < 64 else bytes([0, 0x40 | run >> 8, run & 0xFF])
            else:
                out += bytes([0, 0x80 | run, colour]) if run < 64 else bytes([0, 0xC0 | run >> 8, run & 0xFF, colour])
            x += run
        out += b"\x00\x00"
    return bytes(out)


def _segment(kind, pts_s, data):
    ticks = round(pts_s * 90000)
    return b"PG" + struct.pack(">IIBH", ticks, 0, kind, len(data)) + data


def _ycbcra(palette):
    """RGBA palette entries as PGS's BT.709 limited-range Y, Cr, Cb, A (what ffmpeg decodes HD PGS with)."""
    r, g, b, a = (palette[:, i].astype(np.float64) for i in range(4))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    cb, cr = (b - y) / 1.8556, (r - y) / 1.5748
    return np.stack([16 + y * 219 / 255, 128 + cr * 224 / 255, 128 + cb * 224 / 255, a], axis=1).round().clip(0, 255)


def write_pgs(path, cues):
    """A Blu-ray PGS stream: per cue an epoch start (composition, window, palette, object, end) at its
    start and an empty composition (a clear) at its end. `cues`: (start s, end s, RGBA canvas)."""
    # An empty composition at 0 first, as authoring tools begin a stream: the stream then starts at 0,
    # and ffmpeg, which shifts each input to start at 0, keeps the cues' times when it muxes it.
    out = bytearray(_segment(0x16, 0.0, struct.pack(">HHBHBBBB", WIDTH, HEIGHT, 0x10, 0, 0x80, 0, 0, 0))
                    + _segment(0x80, 0.0, b""))
    for number, (start, end, rgba) in enumerate(cues, 1):
        indices, palette, x, y = _quantise(rgba)
        h, w = indices.shape
        window = struct.pack(">BBHHHH", 1, 0, x, y, w, h)
        composition = struct.pack(">HHBHBBBB", WIDTH, HEIGHT, 0x10, 2 * number, 0x80, 0, 0, 1) \
            + struct.pack(">HBBHH", 0, 0, 0, x, y)
        entries = b"".join(struct.pack(">BBBBB", i, *map(int, e)) for i, e in enumerate(_ycbcra(palette)))
        data = _rle(indices)
        body = struct.pack(">I", len(data) + 4)[1:] + struct.pack(">HH", w, h) + data
        pieces = [body[i:i + 65000] for i in range(0, len(body), 65000)]
        out += _segment(0x16, start, composition) + _segment(0x17, start, window)
        out += _segment(0x14, start, struct.pack(">BB", 0, 0) + entries)
        for k, piece in enumerate(pieces):
            flags = (0x80 if k == 0 else 0) | (0x40 if k == len(pieces) - 1 else 0)
            out += _segment(0x15, start, struct.pack(">HBB", 0, 0, flags) + piece)
        out += _segment(0x80, start, b"")
        clear = struct.pack(">HHBHBBBB", WIDTH, HEIGHT, 0x10, 2 * number + 1, 0x00, 0, 0, 0)
        out += _segment(0x16, end, clear) + _segment(0x17, end, window) + _segment(0x80, end, b"")
    path.write_bytes(bytes(out))
    return path


def image_entry(tmp_path, name, lines, language, style, codec, container, audio=None, duration=4.5):
    """An entry (alone in its folder) with a grey picture, `audio` (a sine tone without) and the lines as
    an image subtitle stream: "pgs" (MKV only), "dvbsub" or "dvdsub" (converted from the PGS by ffmpeg)."""
    bitmaps = render_bitmaps(tmp_path, lines, language, style)
    sup = write_pgs(tmp_path / f"{name}.sup", [(s, e, b) for (s, e), b in zip(TIMES, bitmaps, strict=False)])
    folder = tmp_path / name
    folder.mkdir()
    video = folder / f"entry.{container}"
    sound = ["-i", str(audio)] if audio else ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=16000:d={duration}"]
    # -fix_sub_duration: a PGS subtitle lasts until the next display set, which ffmpeg must know to
    # write DVB and VobSub (they carry their end). PCM in MKV: AAC's priming would shift the streams.
    ffmpeg("-f", "lavfi", "-i", f"color=gray:s={WIDTH}x{HEIGHT}:r=25:d={duration}", *sound,
           "-fix_sub_duration", "-i", str(sup), "-map", "0:v", "-map", "1:a", "-map", "2:s",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
           "-c:a", "pcm_s16le" if container == "mkv" else "aac", "-t", str(duration),
           "-c:s", "copy" if codec == "pgs" else codec, str(video))
    return video


def muxed_times(video):
    """TIMES as the file holds them: ffmpeg's muxers move every stream by the same amount (MPEG-TS
    starts at 1.4 s, AAC's priming starts the audio early), and cue times count from the file's start
    (as the audio and the picture do): the picture's start is where the times asked for count from."""
    import subprocess

    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=start_time:stream=start_time",
                          "-select_streams", "v:0", "-of", "json", str(video)], capture_output=True, text=True).stdout
    raw = json.loads(out)
    shift = float(raw["streams"][0]["start_time"]) - float(raw["format"]["start_time"])
    return [(round(s + shift, 3), round(e + shift, 3)) for s, e in TIMES]


def read_stream(video):
    from bilingual.media import probe
    from bilingual.sources.imagestream import load_image_stream

    media = probe(video)
    stream = next(s for s in media.subtitle_streams if s.image_based)
    return load_image_stream(media, stream)


def letter_error(truth, read):
    return Levenshtein.distance(truth.replace(" ", ""), read.replace(" ", "")) / len(truth)


@pytest.mark.slow
def test_tibetan_pgs_in_mkv_comes_out_as_cues_at_the_packet_times(tmp_path):
    track = read_stream(image_entry(tmp_path, "bo-pgs", BO_LINES, "bo", "white_outline", "pgs", "mkv"))
    assert track.source == "image_stream" and track.format == "hdmv_pgs_subtitle"
    assert [(round(c.start_s, 3), round(c.end_s, 3)) for c in track.cues] == TIMES
    for cue, truth in zip(track.cues, BO_LINES, strict=True):
        assert letter_error(truth, cue.text) <= 0.05, cue.text
    assert all(track.readings is not None and track.readings[c.index].engine == "tesseract-bod" for c in track.cues)


@pytest.mark.slow
def test_chinese_dvb_in_ts_dark_text_on_a_light_outline(tmp_path):
    # The other polarity: dark text with a light outline on a transparent background.
    video = image_entry(tmp_path, "zh-dvb", ZH_LINES, "zh", "dark_on_light", "dvbsub", "ts")
    track = read_stream(video)
    assert track.format == "dvb_subtitle"
    assert [(round(c.start_s, 3), round(c.end_s, 3)) for c in track.cues] == muxed_times(video)
    assert [c.text for c in track.cues] == ZH_LINES


@pytest.mark.slow
def test_tibetan_vobsub_in_mp4_with_a_coloured_outline(tmp_path):
    # VobSub keeps four colours of the PGS palette: yellow text, a blue outline.
    track = read_stream(image_entry(tmp_path, "bo-vob", BO_LINES, "bo", "yellow_blue", "dvdsub", "mp4"))
    assert track.format == "dvd_subtitle"
    assert [round(c.start_s, 3) for c in track.cues] == [s for s, _ in TIMES]
    # A VobSub ends by a delay in ticks of 1024 / 90 kHz (11.4 ms), decoded to whole ms: 1.2 s is 1.194 s.
    assert [abs(c.end_s - e) < 1024 / 90000 + 0.001 for c, (_, e) in zip(track.cues, TIMES, strict=True)] == [True] * 3
    # VobSub's four hard-edged colours: a line may lose one letter (ཆ read as རྐ: 1 of 12), no more
    errors = [letter_error(truth, cue.text) for cue, truth in zip(track.cues, BO_LINES, strict=True)]
    assert max(errors) <= 0.09 and sum(errors) / len(errors) <= 0.05, [c.text for c in track.cues]


def check_json(*args):
    proc = run_cli("check", *args, "--format", "json", "--lang", "en")
    return proc, json.loads(proc.stdout)


@pytest.mark.slow
def test_check_reads_a_tibetan_pgs_stream_over_mandarin_speech(tmp_path, corpus):
    # The whole check: the PGS stream is the entry's subtitles — script, pairing, timing and cue rules
    # run on its cues as on a sidecar's; nothing says the stream was not read.
    speech = corpus / "mandarin" / "aishell1_BAC009S0724W0121.wav"
    video = image_entry(tmp_path, "bo-speech", BO_LINES, "bo", "white_outline", "pgs", "mkv", audio=speech)
    proc, report = check_json(video)
    subs = report["subtitles"]
    assert (subs["source"], subs["stream_index"], subs["format"]) == ("image_stream", 2, "hdmv_pgs_subtitle")
    assert (subs["language"], subs["cue_count"]) == ("bo", 3)
    assert [c["cue"] for c in subs["ocr"]] == [1, 2, 3]
    assert report["pairing"]["detected"] == "zh-audio+bo-subs"
    assert report["timing"]["cue_count"] == 3 and report["timing"]["cues_language"] == "bo"
    codes = {f["code"] for f in report["findings"]}
    assert "subs.image_only" not in codes and "subs.missing" not in codes
    assert "pairing.invalid" not in codes and "script.wrong_language" not in codes


@pytest.mark.slow
def test_a_tibetan_and_a_chinese_pgs_stream_are_one_dual_language_track(tmp_path, corpus):
    # Two image streams, as two sidecars: one track whose cues keep their own language; before, only
    # the first stream was read (a Tibetan track, not dual-language).
    speech = corpus / "mandarin" / "aishell1_BAC009S0724W0121.wav"
    bo = image_entry(tmp_path, "bo", BO_LINES, "bo", "white_outline", "pgs", "mkv", audio=speech)
    zh = image_entry(tmp_path, "zh", ZH_LINES, "zh", "white_outline", "pgs", "mkv", audio=speech)
    video = tmp_path / "both" / "entry.mkv"
    video.parent.mkdir()
    ffmpeg("-i", str(bo), "-i", str(zh), "-map", "0", "-map", "1:s", "-c", "copy", str(video))
    proc, report = check_json(video)
    subs = report["subtitles"]
    assert (subs["source"], subs["dual_language"], set(subs["languages"])) == ("image_stream", True, {"bo", "zh"})
    assert [(p["stream_index"], p["first_cue"], p["last_cue"]) for p in subs["streams"]] == [(2, 1, 3), (3, 4, 6)]
    assert [c["cue"] for c in subs["ocr"]] == [1, 2, 3, 4, 5, 6]
    assert report["pairing"]["detected"] == "zh-audio+bo-subs"
    assert report["timing"]["cues_language"] == "bo" and report["timing"]["cue_count"] == 3


@pytest.mark.slow
def test_real_samples_are_read_as_the_latin_text_they_hold(corpus):
    # SubtitleEdit's samples hold English: read, and said to be neither Tibetan nor Chinese.
    folder = corpus / "containers" / "subtitleedit"
    proc, report = check_json(folder / "sample_MKV_VobSub_PGS.mkv", "--no-speech")
    subs = report["subtitles"]
    assert (subs["source"], subs["stream_index"], subs["format"]) == ("image_stream", 1, "dvd_subtitle")
    assert subs["language"] == "other" and subs["cue_count"] == 2
    assert "script.wrong_language" in {f["code"] for f in report["findings"]}
    vobsub = read_stream(folder / "sample_MKV_VobSub_PGS.mkv")
    assert [(c.start_s, round(c.end_s, 3), c.text) for c in vobsub.cues] == \
        [(1.0, 2.979, "Line 1"), (3.024, 5.003, "Line 2")]
    dvb = read_stream(folder / "sample_TS_dvbsub_rs204.ts")  # its clock starts at 1.6 s: cues from the start
    assert [(c.start_s, round(c.end_s, 3), c.text) for c in dvb.cues] == [(0.0, 4.9, "One")]
    sup = read_stream(folder / "sample_BDSUP_multi_image.sup")  # a PGS file alone: two objects, five lines
    assert len(sup.cues) == 1 and len(sup.cues[0].lines) == 5, sup.cues
    assert "has been plummeting for days" in sup.cues[0].text and round(sup.cues[0].start_s, 3) == 0.084


@pytest.mark.slow
def test_ocr_off_or_no_tesseract_reports_the_stream_as_not_read(corpus, tmp_path, monkeypatch):
    sample = corpus / "containers" / "subtitleedit" / "sample_MKV_VobSub_PGS.mkv"
    proc, report = check_json(sample, "--no-speech", "--ocr", "off")
    image = [f for f in report["findings"] if f["code"] == "subs.image_only"]
    assert [(f["data"]["codec"], f["data"]["variant"]) for f in image] == \
        [("dvd_subtitle", "disabled"), ("hdmv_pgs_subtitle", "disabled")]
    assert report["subtitles"]["source"] == "none" and "--ocr off" in image[0]["message"]
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # a Tesseract without its models
    proc, report = check_json(sample, "--no-speech")
    image = [f for f in report["findings"] if f["code"] == "subs.image_only"]
    assert [f["data"]["variant"] for f in image] == ["no_ocr", "no_ocr"]
    assert "bod" in image[0]["message"] and proc.returncode == 2  # the picture then cannot be read either
    assert image[0]["data"]["reason"].startswith("tesseract has no Tibetan model")  # the contract: English
    proc = run_cli("check", sample, "--no-speech", "--format", "json", "--lang", "zh")
    zh = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "subs.image_only"]
    assert "没有藏文模型" in zh[0]["message"] and "Tibetan" not in zh[0]["message"], zh[0]["message"]


@pytest.mark.slow
def test_a_tibetan_line_above_a_chinese_one_is_one_dual_language_cue(tmp_path):
    # One bitmap, two lines (as dual-language subtitles are authored): one cue with both lines, the
    # upper read by Tesseract, the lower by RapidOCR — the model of `བོད་ཡིག\n中文` in a sidecar.
    from bilingual.script import analyze_track

    both = [f"{bo}\\N{{\\fnNoto Sans CJK SC}}{zh}" for bo, zh in zip(BO_LINES, ZH_LINES, strict=True)]
    track = read_stream(image_entry(tmp_path, "dual-pgs", both, "bo", "white_outline", "pgs", "mkv"))
    assert [(round(c.start_s, 3), round(c.end_s, 3)) for c in track.cues] == TIMES
    for cue, bo, zh in zip(track.cues, BO_LINES, ZH_LINES, strict=True):
        assert len(cue.lines) == 2 and cue.lines[1] == zh, cue.text
        assert letter_error(bo, cue.lines[0]) <= 0.05, cue.text
    analysis = analyze_track(track)
    assert analysis.dual and set(analysis.languages) == {"bo", "zh"}


@pytest.mark.slow
def test_extract_writes_each_image_stream_as_srt(corpus, tmp_path):
    import pysubs2

    proc = run_cli("extract", corpus / "containers" / "subtitleedit" / "sample_MKV_VobSub_PGS.mkv", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    vobsub = pysubs2.load(str(tmp_path / "sample_MKV_VobSub_PGS.stream-1.und.srt"))
    pgs = pysubs2.load(str(tmp_path / "sample_MKV_VobSub_PGS.stream-2.und.srt"))
    assert [(e.start, e.end, e.plaintext) for e in vobsub] == [(1000, 2979, "Line 1"), (3024, 5003, "Line 2")]
    assert [(e.start, e.end, e.plaintext) for e in pgs] == [(955, 2955, "Line 1"), (2979, 4979, "Line 2")]
    assert not list(tmp_path.glob("*.burned-in.*"))  # the streams are the subtitles: the picture is not read


@pytest.mark.parametrize("fill, outline", [((255, 255, 255), None), ((20, 20, 60), (240, 240, 240)),
                                           ((0, 0, 0), None), ((255, 255, 0), (0, 40, 160)),
                                           ((255, 255, 255), (90, 0, 0))])
def test_every_style_becomes_bright_text_on_a_dark_outline(fill, outline):
    # White with no outline, dark on a light outline, black with none, yellow on blue, white on dark
    # red (luma 27): what the burned-in reader reads, bright text (> 190) with nothing bright around it.
    import cv2

    from bilingual.sources.imagestream import CANVAS_RGB, canonical

    picture = np.full((60, 200, 3), CANVAS_RGB, np.uint8)
    if outline:
        cv2.putText(picture, "Ab", (20, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.5, outline, 9, cv2.LINE_AA)
    cv2.putText(picture, "Ab", (20, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.5, fill, 3, cv2.LINE_AA)
    skeleton = np.zeros((60, 200), np.uint8)
    cv2.putText(skeleton, "Ab", (20, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 255, 1, cv2.LINE_8)
    image, (top, bottom) = canonical(picture)  # the rows that hold the subtitle
    grey = image[:, :, 0]
    assert np.median(grey[skeleton[top:bottom] > 0]) > 190
    far = cv2.dilate(skeleton, np.ones((15, 15), np.uint8))[top:bottom] == 0  # canvas, away from text and outline
    assert grey[far].max() == 0 and top < 20 < bottom < 60 and image.shape[:2] == (bottom - top, 200)
