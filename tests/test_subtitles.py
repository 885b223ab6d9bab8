import pysubs2
import pytest

from bilingual.errors import InputError
from bilingual.media import probe
from bilingual.sources import find_subtitle_source
from bilingual.sources.files import decode_text, find_sidecars, load_subtitle_file

from conftest import write_srt

ZH = [(1.0, 3.0, "我们要节约用水"), (3.5, 6.0, "水是生命之源")]


def test_saymore_two_digit_fractions_are_hundredths(corpus):
    track = load_subtitle_file(corpus / "subtitles/tibetan/esukhia_childrens_speech/M0001_transcription_subtitle.srt")
    first, second = track.cues[:2]
    assert (first.start_s, first.end_s) == (0.0, 7.43)
    assert (second.start_s, second.end_s) == (7.43, 13.75)


@pytest.mark.parametrize("encoding, reported", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-32", "utf-32"),
    ("gbk", "gb18030"), ("big5", "big5"),
])
def test_encodings_are_detected_and_text_survives(tmp_path, encoding, reported):
    cues = ZH if encoding != "big5" else [(1.0, 3.0, "我們要節約用水"), (3.5, 6.0, "這是繁體中文字幕的測試")]
    path = write_srt(tmp_path / f"{encoding}.srt", cues * 3, encoding)
    track = load_subtitle_file(path)
    assert track.encoding == reported
    assert [c.text for c in track.cues] == [text for _, _, text in cues * 3]


def test_legacy_cyrillic_encoding_of_a_real_file(corpus):
    track = load_subtitle_file(corpus / "containers/subtitleedit/auto_detect_windows-1251.srt")
    assert track.encoding == "cp1251"
    assert any("а" in c.text for c in track.cues)  # Cyrillic, not mojibake


def test_binary_bytes_are_not_text():
    with pytest.raises(InputError, match="not a text file"):
        decode_text(bytes(range(256)) * 4, "x.srt")


@pytest.mark.parametrize("body, reason", [
    ("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:0x,000 --> 00:00:03,000\nbad\n", "line 6"),
    ("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:04,000 --> 00:00:03,000\nbackwards\n", "cue 2 ends"),
    ("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:75,000 --> 00:00:76,000\nsixty\n", "line 6"),
])
def test_invalid_time_codes_are_refused_not_folded(tmp_path, body, reason):
    # pysubs2 alone would fold cue 2 into cue 1's text or accept end < start.
    path = tmp_path / "bad.srt"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_subtitle_file(path)
    assert err.value.code == "subs.unreadable" and reason in err.value.reason


@pytest.mark.parametrize("content", ["", "   \n\n", "1\n\n"])
def test_empty_subtitle_files_are_unreadable(tmp_path, content):
    path = tmp_path / "empty.srt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_subtitle_file(path)
    assert err.value.code == "subs.unreadable"


@pytest.mark.parametrize("ext", ["ass", "ssa", "vtt"])
def test_other_formats_through_pysubs2(tmp_path, ext):
    subs = pysubs2.SSAFile()
    for s, e, text in ZH:
        subs.append(pysubs2.SSAEvent(start=int(s * 1000), end=int(e * 1000), text=text.replace("节约", "节约\\N")))
    path = tmp_path / f"track.{ext}"
    subs.save(str(path))
    track = load_subtitle_file(path)
    assert track.format == ext
    assert [(c.start_s, c.end_s) for c in track.cues] == [(1.0, 3.0), (3.5, 6.0)]
    assert track.cues[0].lines == ["我们要节约", "用水"]


def test_bad_ass_time_code_names_the_line(tmp_path):
    path = tmp_path / "bad.ass"
    path.write_text("[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, "
                    "MarginL, MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:xx.00,0:00:03.00,Default,,0,0,0,,x\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match="line 6"):
        load_subtitle_file(path)


def test_sidecars_by_the_same_stem_rule(tmp_path):
    video = tmp_path / "entry.mp4"
    video.touch()
    for name in ["entry.zh.srt", "entry.vtt", "entry.srt", "entry2.srt", "entry.bo.srt", "other.srt",
                 "entry.notes.bo.srt"]:
        (tmp_path / name).touch()
    assert [p.name for p in find_sidecars(video)] == ["entry.srt", "entry.vtt", "entry.bo.srt", "entry.zh.srt"]


def test_language_tag_from_the_file_name(tmp_path):
    path = write_srt(tmp_path / "entry.bo.srt", [(0, 1, "བཀྲ་ཤིས་བདེ་ལེགས།")])
    assert load_subtitle_file(path).language_tag == "bo"


def test_embedded_mov_text_is_read_through_ffmpeg(corpus):
    media = probe(corpus / "containers/subtitleedit/sample_MP4.mp4")
    source = find_subtitle_source(media)
    assert source.kind == "embedded" and source.stream.codec == "mov_text"
    track = source.load(media)
    assert track.source == "embedded" and len(track.cues) == 808
    # the times and text ffmpeg gives for the first and last cues (font markup dropped), and in order
    first, last = track.cues[0], track.cues[-1]
    assert (first.start_s, first.end_s, first.text) == (11.08, 13.399, "(Alan) 'Chapter one. Sorrow.")
    assert (last.index, last.start_s, last.end_s, last.text) == (808, 2594.2, 2596.08, "(♪ Theme music)")
    assert all(a.start_s <= b.start_s for a, b in zip(track.cues, track.cues[1:], strict=False))


def test_embedded_subrip_in_matroska(corpus):
    media = probe(corpus / "containers/subtitleedit/sample_MKV_SRT.mkv")
    track = find_subtitle_source(media).load(media)
    assert track.cues and track.format == "subrip"


def test_sidecar_wins_over_embedded_and_subs_argument_wins_over_sidecar(tmp_path, corpus):
    video = tmp_path / "entry.mp4"
    video.write_bytes((corpus / "containers/subtitleedit/sample_MP4_SRT.mp4").read_bytes())
    media = probe(video)
    assert find_subtitle_source(media).kind == "embedded"
    write_srt(tmp_path / "entry.srt", ZH)
    assert find_subtitle_source(media).path.name == "entry.srt"
    explicit = write_srt(tmp_path / "chosen.srt", ZH)
    assert find_subtitle_source(media, explicit).path == explicit


def _tag_findings(video):
    import json

    from conftest import run_cli
    proc = run_cli("check", video, "--no-speech", "--ocr", "off", "--format", "json", "--lang", "en")
    assert proc.returncode in (0, 1), proc.stderr
    return [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "subs.language_tag"]


def test_a_sidecar_named_chinese_that_holds_tibetan_is_said(tmp_path, clip):
    # `entry.zh.srt` holding Tibetan was read as Tibetan and nothing said the name is wrong: a player
    # or platform offers it as Chinese.
    video = tmp_path / "entry.mp4"
    video.write_bytes(clip.read_bytes())
    write_srt(tmp_path / "entry.zh.srt", [(0.2, 1.0, "བཀྲ་ཤིས་བདེ་ལེགས།"), (1.0, 1.8, "ཆུ་ནི་སྲོག་གི་རྩ་བ་ཡིན།")])
    (finding,) = _tag_findings(video)
    assert finding["severity"] == "warning" and finding["data"]["tag"] == "zh", finding
    assert finding["data"]["language"] == "bo" and finding["data"]["cues_in_language"] == 2, finding
    assert "tagged “zh” (Chinese) but holds Tibetan" in finding["message"], finding["message"]


def test_sidecars_named_for_what_they_hold_are_no_finding(tmp_path, clip):
    video = tmp_path / "entry.mp4"
    video.write_bytes(clip.read_bytes())
    write_srt(tmp_path / "entry.bo.srt", [(0.2, 1.0, "བཀྲ་ཤིས་བདེ་ལེགས།")])
    write_srt(tmp_path / "entry.zh-Hans.srt", [(0.2, 1.0, "水是生命之源")])
    assert _tag_findings(video) == []


def test_a_stream_tagged_chinese_that_holds_tibetan_is_said(tmp_path, clip):
    from conftest import ffmpeg
    bo = write_srt(tmp_path / "bo.srt", [(0.2, 1.0, "བཀྲ་ཤིས་བདེ་ལེགས།")])
    video = tmp_path / "entry.mp4"
    ffmpeg("-i", str(clip), "-i", str(bo), "-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "copy",
           "-c:s", "mov_text", "-metadata:s:s:0", "language=chi", str(video))
    (finding,) = _tag_findings(video)
    assert finding["data"]["variant"] == "stream" and finding["data"]["tag"] == "chi", finding
    assert finding["message"].startswith("subtitle stream #2 is tagged “chi” (Chinese) but holds Tibetan"), finding
