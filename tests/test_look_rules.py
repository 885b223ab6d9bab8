"""The rules that hold the quick look's lines against a text track (`rules.picture`) and a track's
language tags (`rules.subtitles.language_tag_rule`), on facts made by hand: the cases a review of
them found wrong, each a finding on an ordinary entry."""

from bilingual.facts import Facts
from bilingual.model import Cue, Sidecar, SubtitleTrack
from bilingual.profiles import load_profile
from bilingual.rules.picture import text_differs_rule, track_lacks_rule
from bilingual.rules.subtitles import language_tag_rule
from bilingual.script import analyze_track
from bilingual.sources.burnedin.read import FirstLine, LookedLine, QuickLook
from bilingual.speech.language import SpeechAnalysis

BILINGUAL = load_profile("sichuan-2024-kepu-bilingual")
ZH = ["水是生命之源", "我们要节约用水", "保护环境人人有责", "森林是地球之肺"]
BO = ["ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།", "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།", "བློ་སྦྱོང་ཚིག་བརྒྱད་མ།"]


def facts_of(cues, lines=(), spans=None, tag=None, sidecars=()):
    track = SubtitleTrack(cues=[Cue(i, s, e, t) for i, (s, e, t) in enumerate(cues, 1)], source="sidecar",
                          path="entry.srt", language_tag=tag, sidecars=list(sidecars))
    facts = Facts("entry.mp4", track=track, script=analyze_track(track))
    if lines:
        looked = [LookedLine(t, lang, text) for t, lang, text in lines]
        seen = {lang: len({x.time_s for x in looked if x.language == lang}) for lang in {x.language for x in looked}}
        facts.look = QuickLook(12, seen, {x.language: FirstLine(x.time_s, x.text, (900, 1000)) for x in looked[::-1]},
                               1.0, lines=looked)
    if spans is not None:
        facts.speech = SpeechAnalysis(60.0, sum(e - s for s, e in spans), spans)
    return facts


def codes(findings):
    return [f.code for f in findings]


def test_a_keyframe_on_the_boundary_of_two_cues_is_held_against_both():
    cues = [(2.0 * k, 2.0 * k + 2.0, ZH[k % 4]) for k in range(8)]
    lines = [(2.0 * k + 2.0, "zh", ZH[(k + 1) % 4]) for k in range(6)]  # the next cue shows at its start
    assert text_differs_rule(facts_of(cues, lines), BILINGUAL) == []


def test_two_cues_on_screen_at_once_are_each_a_candidate():
    cues = [(0.0, 20.0, ZH[0]), (0.0, 20.0, ZH[1])]  # two rows, two events
    lines = [(t, "zh", ZH[1]) for t in (2.0, 6.0, 10.0, 14.0)]
    assert text_differs_rule(facts_of(cues, lines), BILINGUAL) == []


def test_a_row_of_a_wrapped_cue_is_read_as_part_of_it():
    long = "我们要节约用水保护环境人人有责森林是地球之肺"
    lines = [(t, "zh", row) for t in (2.0, 6.0, 10.0) for row in (long[:17], long[17:])]
    assert text_differs_rule(facts_of([(0.0, 12.0, long)], lines), BILINGUAL) == []


def test_other_text_at_the_same_times_still_differs():
    cues = [(2.0 * k, 2.0 * k + 1.8, ZH[k % 4]) for k in range(8)]
    lines = [(2.0 * k + 1.0, "zh", ZH[(k + 2) % 4]) for k in range(6)]
    (finding,) = text_differs_rule(facts_of(cues, lines), BILINGUAL)
    assert finding.data["frames_differ"] == 6 and 0.5 < finding.data["cer"] <= 1.0  # an error rate, shown


def test_a_stray_cue_does_not_make_the_track_lack_the_picture_s_lines():
    # a Tibetan track with one stray Chinese cue (under the track-language share) and Chinese burned in
    # in the picture: `ocr.picture_differs` says it; `ocr.track_lacks` said it again
    cues = [(2.0 * k, 2.0 * k + 1.8, BO[k % 3]) for k in range(24)] + [(50.0, 51.0, ZH[0])]
    lines = [(t, "zh", ZH[1]) for t in (5.0, 15.0, 25.0)]
    assert track_lacks_rule(facts_of(cues, lines, spans=[(0.0, 55.0)]), BILINGUAL) == []


def test_text_without_cue_over_no_speech_is_a_warning_not_an_error():
    # credits in the track's script after its last cue, over music: the notice asks for them
    cues = [(2.0 * k, 2.0 * k + 1.8, ZH[k % 4]) for k in range(10)]
    lines = [(t, "zh", "摄制 四川省科学技术协会") for t in (40.0, 46.0, 52.0)]
    (quiet,) = track_lacks_rule(facts_of(cues, lines, spans=[(0.0, 20.0)]), BILINGUAL)
    assert quiet.severity.value == "warning" and quiet.data["variant"] == "no_speech", quiet
    (heard,) = track_lacks_rule(facts_of(cues, lines, spans=[(0.0, 20.0), (38.0, 55.0)]), BILINGUAL)
    assert heard.severity.value == "error" and heard.data["with_speech"] == 3, heard


def test_cues_without_letters_do_not_make_a_chinese_file_mistagged():
    cues = [(0.0, 1.0, ZH[0]), (1.0, 2.0, "♪"), (2.0, 3.0, ZH[1]), (3.0, 4.0, "♪ ♪"), (4.0, 5.0, ZH[2]),
            (5.0, 6.0, "123"), (6.0, 7.0, "…")]
    assert language_tag_rule(facts_of(cues, tag="zh"), BILINGUAL) == []


def test_a_dual_language_file_is_tagged_right_with_either_language():
    cues = [(2.0 * k, 2.0 * k + 1.8, text) for k in range(6) for text in (BO[k % 3], ZH[k % 4])][:11]
    facts = facts_of(cues, tag="zh")
    assert facts.script.dual and language_tag_rule(facts, BILINGUAL) == []


def test_a_region_tagged_file_holding_tibetan_is_mistagged():
    cues = [(2.0 * k, 2.0 * k + 1.8, BO[k % 3]) for k in range(4)]
    (finding,) = language_tag_rule(facts_of(cues, tag="zh-hans"), BILINGUAL)
    assert finding.data["tag_language"] == "zh" and finding.data["language"] == "bo"


def test_each_sidecar_of_a_joined_track_is_judged_on_its_own_cues():
    cues = [(0.0, 1.0, BO[0]), (1.0, 2.0, BO[1]), (0.0, 1.0, ZH[0]), (1.0, 2.0, ZH[1])]
    # the second file of a pair, with Chinese in it, tagged Tibetan (`entry.bo.srt` twice in all but name)
    parts = [Sidecar("entry.bo.srt", "utf-8", "srt", "bo", 1, 2), Sidecar("second.bo.srt", "utf-8", "srt", "bo", 3, 4)]
    (finding,) = language_tag_rule(facts_of(cues, sidecars=parts), BILINGUAL)
    assert finding.data["path"] == "second.bo.srt" and finding.data["language"] == "zh"


def test_a_reading_that_dropped_characters_is_not_other_text():
    # 我们要节约用水保护环境 read as 我们约水保环境 (4 characters dropped) scored 0.57 as a part of
    # the cue, over the level, while the whole cue's error is 0.36
    cues = [(0.0, 12.0, "我们要节约用水保护环境")]
    lines = [(t, "zh", "我们约水保环境") for t in (2.0, 6.0, 10.0)]
    assert text_differs_rule(facts_of(cues, lines), BILINGUAL) == []


def test_speech_that_stops_is_said_despite_blips_after_it():
    # muted narration under music leaves VAD blips: one under a trailing cue and one after the last
    from bilingual.rules.timing import speech_stops_rule
    from bilingual.timing import analyze_timing

    cues = [Cue(i + 1, 3.0 * i, 3.0 * i + 2.5, ZH[i % 4]) for i in range(16)]
    speech = [(3.0 * i + 0.2, 3.0 * i + 2.3) for i in range(8)]  # speech under the first 8 cues only
    for heard in (speech, [*speech, (40.0, 40.2)], [*speech, (40.0, 40.2), (49.0, 49.3)]):
        facts = Facts("entry.mp4", speech=SpeechAnalysis(60.0, 20.0, heard),
                      timing=analyze_timing(cues, heard, 60.0))
        (finding,) = speech_stops_rule(facts, BILINGUAL)
        assert finding.data["first_cue"] == 9 and finding.data["speech_end_s"] == 23.3, finding.data
    facts = Facts("entry.mp4", speech=SpeechAnalysis(60.0, 25.0, [*speech, (49.0, 54.0)]),
                  timing=analyze_timing(cues, [*speech, (49.0, 54.0)], 60.0))
    assert speech_stops_rule(facts, BILINGUAL) == []  # 5 s of speech after the cues: it comes back


def test_a_stream_tagged_with_a_region_is_read_as_a_possible_second_language():
    from bilingual.media import MediaInfo, StreamInfo
    from bilingual.sources.source import further_streams

    streams = [StreamInfo(2, "subtitle", "mov_text", "tib"), StreamInfo(3, "subtitle", "mov_text", "zh-Hans"),
               StreamInfo(4, "subtitle", "mov_text", "eng"), StreamInfo(5, "subtitle", "mov_text", None)]
    media = MediaInfo(path="entry.mp4", container="mp4", format_name="mov,mp4", duration_s=60.0, width=1920,
                      height=1080, display_aspect="16:9", display_aspect_ratio=16 / 9, fps=25.0, size_bytes=1,
                      bit_rate=None, video_codec="h264", audio_streams=[], subtitle_streams=streams)
    found = further_streams(media, streams[0], lambda s: True)
    assert [s.index for _, s in found] == [3, 5]  # zh-Hans and the untagged one; not English
