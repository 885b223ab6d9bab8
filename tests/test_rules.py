import pytest

from bilingual.media import MediaInfo, StreamInfo
from bilingual.profiles import load_profile
from bilingual.rules.checklist import manual_findings
from bilingual.rules.media import media_findings

MB = 1_048_576
BILINGUAL = load_profile("sichuan-2024-kepu-bilingual")


def media(**overrides) -> MediaInfo:
    """A conforming bilingual-contest entry; tests change one fact at a time."""
    base = dict(path="entry.mp4", container="mp4", format_name="mov,mp4", duration_s=180.0, width=1920,
                height=1080, display_aspect="16:9", display_aspect_ratio=16 / 9, fps=25.0, size_bytes=150 * MB,
                bit_rate=None, video_codec="h264",
                audio_streams=[StreamInfo(1, "audio", "aac", None, default=True)], subtitle_streams=[])
    return MediaInfo(**{**base, **overrides})


def found(m, profile="sichuan-2024-kepu-bilingual"):
    return {f.code: f for f in media_findings(m, load_profile(profile))}


def test_a_conforming_entry_has_no_media_finding():
    assert found(media()) == {}


@pytest.mark.parametrize("overrides, code", [
    (dict(container="mov"), "media.container"),
    (dict(duration_s=119.9), "media.duration"),
    (dict(duration_s=300.5), "media.duration"),
    (dict(width=1280, height=720, display_aspect_ratio=16 / 9), "media.resolution"),
    (dict(width=1440, height=1080, display_aspect="4:3", display_aspect_ratio=4 / 3), "media.aspect"),
    (dict(size_bytes=99 * MB), "media.filesize"),
    (dict(size_bytes=301 * MB), "media.filesize"),
    (dict(audio_streams=[]), "media.no_audio"),
    (dict(width=None, height=None, display_aspect=None, display_aspect_ratio=None), "media.no_video"),
])
def test_each_media_rule(overrides, code):
    findings = found(media(**overrides))
    assert list(findings) == [code]
    assert findings[code].severity.value == "error"


def test_boundaries_are_inclusive_and_megabytes_are_mib():
    assert found(media(duration_s=120.0, size_bytes=100 * MB)) == {}
    assert found(media(duration_s=300.0, size_bytes=300 * MB)) == {}
    assert "media.filesize" in found(media(size_bytes=100_000_000))  # 95.4 MiB


def test_findings_carry_value_limit_and_clause():
    f = found(media(duration_s=95.0))["media.duration"]
    assert f.data["value"] == 95.0 and f.data["min"] == 120 and "004" in f.data["cite"]


def test_tianjin_soft_and_hard_duration_limits():
    assert found(media(duration_s=60.0, size_bytes=MB), "tianjin-2023-quality") == {}
    assert found(media(duration_s=75.0), "tianjin-2023-quality")["media.duration"].severity.value == "warning"
    assert found(media(duration_s=95.0), "tianjin-2023-quality")["media.duration"].severity.value == "error"


def test_tianjin_wants_exact_sizes():
    assert "media.resolution" in found(media(width=2560, height=1440), "tianjin-2023-quality")
    assert "media.resolution" not in found(media(width=3840, height=2160), "tianjin-2023-quality")


def test_miit_accepts_portrait_at_1080():
    portrait = dict(width=1080, height=1920, display_aspect="9:16", display_aspect_ratio=9 / 16)
    assert found(media(**portrait, duration_s=200), "miit-2024-industrial") == {}
    small = dict(width=720, height=1280, display_aspect="9:16", display_aspect_ratio=9 / 16)
    assert list(found(media(**small), "miit-2024-industrial")) == ["media.resolution"]


def test_jiangmen_accepts_avi_at_720p_and_has_no_size_rule():
    assert found(media(container="avi", width=1280, height=720, size_bytes=10 * MB), "jiangmen-2020-quality") == {}


def test_manual_items_come_from_the_profile():
    items = manual_findings(load_profile())
    assert {"manual.opening_closing", "manual.ownership_credit", "manual.translation"} <= {f.code for f in items}
    assert all(f.severity.value == "manual" and f.text["zh"] and f.text["en"] for f in items)


def _burned_in_track(covers, unread=()):
    from bilingual.model import Cue, CueReading, SubtitleTrack, UnreadCue

    cues = [Cue(i, 2.0 * i, 2.0 * i + 1.6, "བཀྲ་ཤིས་བདེ་ལེགས།") for i in range(1, len(covers) + 1)]
    readings = {i: CueReading(2.0 * i + 0.8, (940, 1000), min(1.0, c or 1.0), "tesseract-bod", cover=c)
                for i, c in enumerate(covers, 1)}
    return SubtitleTrack(cues=cues, source="ocr", format="burned-in", readings=readings,
                         unread_cues=[UnreadCue(s, e, (940, 1000)) for s, e in unread])


def test_cues_read_from_part_of_their_line_are_one_warning():
    from bilingual.facts import Facts
    from bilingual.rules.subtitles import partial_line_rule

    track = _burned_in_track([0.98, 0.46, None, 0.74, 0.75])
    (finding,) = partial_line_rule(Facts("entry.mp4", track=track), BILINGUAL)
    assert finding.code == "ocr.partial_line" and finding.severity.value == "warning"
    assert (finding.start_s, finding.end_s) == (4.0, 5.6)  # the first partial cue's
    assert finding.data["cues"] == [2, 4] and finding.data["of"] == 5 and finding.data["cover"] == "46%"
    assert partial_line_rule(Facts("entry.mp4", track=_burned_in_track([0.9, None, 1.0])), BILINGUAL) == []


def test_cues_found_but_not_read_are_one_warning_with_their_times():
    from bilingual.facts import Facts
    from bilingual.rules.subtitles import unread_cue_rule

    facts = Facts("entry.mp4", track=_burned_in_track([1.0, 1.0], unread=[(3.0, 4.6), (9.0, 10.6)]))
    (finding,) = unread_cue_rule(facts, BILINGUAL)
    assert finding.severity.value == "warning" and (finding.start_s, finding.end_s) == (3.0, 4.6)
    assert finding.data["times"] == [[3.0, 4.6], [9.0, 10.6]] and finding.data["count"] == 2
    assert unread_cue_rule(Facts("entry.mp4", track=_burned_in_track([1.0])), BILINGUAL) == []


def _dropped_band_facts(subtitle_like, cues=()):
    from bilingual.facts import Facts
    from bilingual.model import Cue, DroppedBand, SubtitleTrack
    from bilingual.pairing import Pairing
    from bilingual.sources.source import SubtitleSource

    band = DroppedBand((971, 1016), 4, 0, subtitle_like, 1.0, 8.6)
    track = SubtitleTrack(cues=[Cue(i, 2.0 * i, 2.0 * i + 1.6, text) for i, text in enumerate(cues, 1)],
                          source="ocr", format="burned-in", readings={}, dropped_bands=[band])
    pairing = Pairing("zh-audio+zh-subs", "zh_zh") if cues else Pairing(None, "no_subtitle_text")
    return Facts("entry.mp4", media=media(), found=SubtitleSource("ocr"), track=track, pairing=pairing)


def test_a_band_placed_like_subtitles_but_unread_asks_for_a_look_instead_of_failing():
    # Sambhota Tsugring subtitles read as nothing: their band was dropped as "not subtitles" and the
    # entry failed `subs.missing` ("none burned into the picture"), an error a reviewer would act on.
    from bilingual.rules.subtitles import dropped_band_rule, missing_rule

    (band,) = dropped_band_rule(_dropped_band_facts(True), BILINGUAL)
    assert band.code == "ocr.unreadable_band" and band.severity.value == "warning"
    assert (band.start_s, band.end_s) == (1.0, 8.6) and band.data["band"] == "971–1016"
    (missing,) = missing_rule(_dropped_band_facts(True), BILINGUAL)
    assert missing.severity.value == "warning" and missing.data["variant"] == "unreadable"
    # picture that is not placed like subtitles stays a note, and no subtitles stays an error
    assert [f.code for f in dropped_band_rule(_dropped_band_facts(False), BILINGUAL)] == ["ocr.band_dropped"]
    (missing,) = missing_rule(_dropped_band_facts(False), BILINGUAL)
    assert missing.severity.value == "error" and missing.data["variant"] == "burned_in"


def test_a_pairing_beside_an_unread_subtitle_band_fails_nothing():
    # Chinese read, the Tibetan band beside it unread: the pairing lacks Tibetan only as far as we read
    from bilingual.rules.speech import pairing_rule

    (pairing,) = pairing_rule(_dropped_band_facts(True, ["水是生命之源"]), BILINGUAL)
    assert pairing.code == "pairing.invalid" and pairing.severity.value == "warning" and pairing.data["needs_look"]
    (pairing,) = pairing_rule(_dropped_band_facts(False, ["水是生命之源"]), BILINGUAL)
    assert pairing.severity.value == "error"
