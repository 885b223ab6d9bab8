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
    assert finding.data["frames_differ"] == 6 and finding.data["cer"] > 0.5


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
    parts = [Sidecar("entry.bo.srt", "utf-8", "srt", "bo", 1, 2), Sidecar("entry.zh.srt", "utf-8", "srt", "bo", 3, 4)]
    (finding,) = language_tag_rule(facts_of(cues, sidecars=parts), BILINGUAL)
    assert finding.data["path"] == "entry.zh.srt" and finding.data["language"] == "zh"
