import shutil

import pytest

from bilingual.errors import InputError
from bilingual.media import probe

from conftest import ffmpeg, make_video


def test_probe_reads_picture_audio_and_container(mandarin_entry):
    m = probe(mandarin_entry)
    assert (m.container, m.width, m.height, m.display_aspect, m.fps) == ("mp4", 1920, 1080, "16:9", 25.0)
    assert 3.9 < m.duration_s < 4.4
    assert m.size_bytes == mandarin_entry.stat().st_size
    assert [a.codec for a in m.audio_streams] == ["aac"] and m.main_audio.index == 1
    assert m.subtitle_streams == []


def test_probe_lists_subtitle_streams_of_a_real_container(corpus):
    m = probe(corpus / "containers/subtitleedit/sample_MP4_SRT.mp4")
    assert [(s.codec, s.text_based) for s in m.subtitle_streams] == [("mov_text", True)]
    assert m.audio_streams[0].language == "eng"
    pgs = probe(corpus / "containers/subtitleedit/sample_MKV_VobSub_PGS.mkv")
    assert pgs.container == "mkv"
    assert [(s.codec, s.image_based) for s in pgs.subtitle_streams] == [
        ("dvd_subtitle", True), ("hdmv_pgs_subtitle", True)]


def test_quicktime_is_told_from_mp4(media_dir):
    assert probe(make_video(media_dir / "clip.mov", duration=1)).container == "mov"


@pytest.mark.parametrize("size, sar, shown", [("1440x1080", "4/3", "16:9"), ("1920x1080", "4/3", "64:27"),
                                              ("1366x768", "1/1", "16:9")])
def test_display_aspect_uses_the_sample_aspect_ratio(media_dir, size, sar, shown):
    """64:27 is what ffprobe and a player say; it was named "45:19", the nearest ratio of small numbers."""
    anamorphic = make_video(media_dir / f"anamorphic-{size}.mp4", size=size, sar=sar, duration=1)
    m = probe(anamorphic)
    assert (m.width, m.display_aspect) == (int(size.split("x")[0]), shown)


@pytest.mark.parametrize("faststart", [True, False])
def test_truncated_mp4_is_unreadable(media_dir, faststart):
    whole = make_video(media_dir / f"whole-{faststart}.mp4", duration=2, faststart=faststart)
    cut = media_dir / f"cut-{faststart}.mp4"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 2 // 3])
    with pytest.raises(InputError) as err:
        probe(cut)
    assert err.value.code == "media.unreadable"
    assert "truncated" in err.value.reason  # with the index (moov) at the end too: issue 11


@pytest.mark.parametrize("kind", ["missing", "directory", "empty", "text"])
def test_non_media_inputs_are_unreadable(tmp_path, kind):
    target = tmp_path / "entry.mp4"
    if kind == "directory":
        target.mkdir()
    elif kind == "empty":
        target.touch()
    elif kind == "text":
        target.write_text("这不是视频 / not a video\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        probe(target)
    assert err.value.code == "media.unreadable"
    expected = {"missing": "no such file", "directory": "directory", "empty": "empty", "text": "not a readable"}
    assert expected[kind] in err.value.reason


def test_audio_only_file_has_no_video_even_with_cover_art(media_dir, corpus):
    # An MP3 with an embedded cover picture: the picture is not a video stream.
    mp3 = media_dir / "cover.mp3"
    ffmpeg("-i", str(corpus / "mandarin/funasr_asr_example.wav"),
           "-f", "lavfi", "-i", "color=red:size=64x64:duration=0.04",
           "-frames:v", "1", "-map", "0:a", "-map", "1:v", "-c:v", "mjpeg", "-disposition:v", "attached_pic",
           str(mp3))
    m = probe(mp3)
    assert not m.has_video and m.audio_streams


def test_missing_ffmpeg_is_one_clear_error(monkeypatch, clip):
    monkeypatch.setattr(shutil, "which", lambda tool: None)
    with pytest.raises(InputError, match="ffmpeg not found"):
        probe(clip)


def test_an_interlaced_picture_is_said_so_and_read_deinterlaced(media_dir):
    """A 1080i broadcast master (fields, not frames) is known by its field order; the frames read for
    burned-in subtitles are deinterlaced first, as a player shows them (`bands.deinterlaced`)."""
    from bilingual.sources.burnedin.bands import deinterlaced

    interlaced = media_dir / "interlaced.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=50:duration=1", "-vf", "interlace=scan=tff",
           "-c:v", "libx264", "-preset", "ultrafast", "-flags", "+ildct+ilme", "-x264opts", "tff=1",
           "-field_order", "tt", "-pix_fmt", "yuv420p", str(interlaced))
    progressive = make_video(media_dir / "progressive.mp4", duration=1)
    assert (probe(interlaced).interlaced, probe(progressive).interlaced) == (True, False)
    assert deinterlaced(probe(interlaced)).startswith("bwdif") and deinterlaced(probe(progressive)) == ""
