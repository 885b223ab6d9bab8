import pytest

from bilingual.model import Cue, SubtitleTrack
from bilingual.profiles import load_profile
from bilingual.script import analyze_track
from bilingual.sources.files import load_subtitle_file

from helpers import scripted

BILINGUAL = load_profile("sichuan-2024-kepu-bilingual")
MANDARIN = load_profile("sichuan-2024-kepu")


def track(*texts: str) -> SubtitleTrack:
    return SubtitleTrack([Cue(i, i * 2.0, i * 2.0 + 1.5, t) for i, t in enumerate(texts, 1)], source="sidecar")


def codes(analysis, code=None):
    found = [(f.code, f.cue) for f in analysis.findings]
    return [cue for c, cue in found if c == code] if code else sorted({c for c, _ in found})


def test_real_tibetan_subtitles_are_clean_tibetan(corpus):
    analysis = scripted(load_subtitle_file(corpus / "subtitles/tibetan/STT_AB00173.derived.srt"), BILINGUAL)
    assert analysis.language == "bo" and analysis.languages == ["bo"]
    assert analysis.counts.shares()["tibetan"] > 0.99
    assert codes(analysis) == []  # 5,330 syllables of human text, none invalid
    assert analysis.langid["label"] == "bo"


def test_short_chinese_lines_are_chinese_whatever_fasttext_says():
    analysis = scripted(track("水是生命之源", "我们要节约用水"), BILINGUAL)
    # fastText's label is recorded, whatever it is (lid.176 lite calls the first line Japanese) ...
    assert analysis.cues[0].to_dict()["langid"]["label"]
    assert [c.language for c in analysis.cues] == ["zh", "zh"]  # ... and does not decide
    assert analysis.language == "zh" and analysis.chinese_variant == "simplified"


def test_traditional_characters_are_listed_with_simplified_forms():
    analysis = scripted(track("水是生命之源", "我們要節約用水"), BILINGUAL)
    (finding,) = [f for f in analysis.findings if f.code == "script.traditional_chinese"]
    assert finding.cue == 2 and finding.severity.value == "error" and finding.start_s == 4.0
    assert finding.data["characters"] == [
        {"char": "們", "simplified": "们"}, {"char": "節", "simplified": "节"}, {"char": "約", "simplified": "约"}]
    assert analysis.chinese_variant == "traditional"


def test_real_traditional_subtitles(corpus):
    analysis = scripted(load_subtitle_file(corpus / "mandarin/webuddhist_zh_prayer.srt"), MANDARIN)
    assert analysis.language == "zh" and analysis.chinese_variant == "traditional"
    assert codes(analysis, "script.traditional_chinese")


def test_traditional_is_not_judged_where_the_profile_allows_any_variant():
    analysis = scripted(track("我們要節約用水"), load_profile("jiangmen-2020-quality"))
    assert "script.traditional_chinese" not in codes(analysis)


def test_dual_language_cues_are_mixed_but_not_flagged():
    analysis = scripted(track("ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།\n水是生命之源", "ང་ཚོས་ཆུ་གྲོན་ཆུང་བྱ་དགོས།\n我们要节约用水"),
                             BILINGUAL)
    assert analysis.language == "mixed" and set(analysis.languages) == {"bo", "zh"}
    assert [(f.code, f.severity.value) for f in analysis.findings] == [("script.mixed", "info")]


def test_a_chinese_cue_in_a_tibetan_track_is_flagged():
    analysis = scripted(track(*["བཀྲ་ཤིས་བདེ་ལེགས།"] * 30, "水是生命之源"), BILINGUAL)
    assert analysis.language == "bo"  # one cue in 31 does not make the track mixed
    assert codes(analysis, "script.mixed") == [31]


def test_private_use_stacks_are_errors():
    analysis = scripted(track("བཀྲ་ཤིས་\uf3a5\uf4b2་བདེ་ལེགས།"), BILINGUAL)
    (finding,) = [f for f in analysis.findings if f.code == "tibetan.private_use"]
    assert finding.data["codepoints"] == ["U+F3A5", "U+F4B2"] and finding.cue == 1
    assert analysis.language == "bo"


def test_discouraged_precomposed_vowels_are_warnings():
    analysis = scripted(track("ཀ\u0f73་ཀ\u0f75"), BILINGUAL)
    (finding,) = [f for f in analysis.findings if f.code == "tibetan.discouraged_chars"]
    assert finding.severity.value == "warning" and finding.data["codepoints"] == "U+0F73, U+0F75"


def test_wylie_is_tibetan_written_wrongly():
    analysis = scripted(track("bkra shis bde legs/", "nga bod pa yin/"), BILINGUAL)
    assert analysis.language == "bo"
    assert codes(analysis, "tibetan.romanized") == [1, 2]
    assert analysis.cues[0].as_tibetan.startswith("བཀྲ་ཤིས་བདེ་ལེགས")


def test_a_few_english_lines_that_read_as_wylie_do_not_make_a_wylie_track(corpus):
    # A real English track: "God, no." and "Man u." are valid EWTS by chance.
    from bilingual.media import probe
    from bilingual.sources import find_subtitle_source

    media = probe(corpus / "containers/subtitleedit/sample_MP4.mp4")
    analysis = scripted(find_subtitle_source(media).load(media), BILINGUAL)
    assert analysis.language == "other" and "tibetan.romanized" not in codes(analysis)


def test_english_is_not_mistaken_for_wylie():
    analysis = scripted(track("Water is the source of life", "We must save water"), BILINGUAL)
    assert analysis.language == "other"
    assert codes(analysis) == ["script.wrong_language"]


def test_legacy_font_mojibake():
    # Text typed in an 8-bit Tibetan font (Sambhota/TCRC style) opened without the font.
    analysis = scripted(track("±ÐÞ-ÒÞ‰-±zÐ-‰ÞÐ-Ë¸", "àÜ-£ÞÐ-¼¸ÞÐ-ˆ"), BILINGUAL)
    assert codes(analysis, "tibetan.legacy_font") == [1, 2]
    assert analysis.language == "bo"


def test_invalid_syllables_are_named():
    analysis = scripted(track("ཕར་ཕྱིན། ཕརཕྱིན་ཀྱིལྷ།"), BILINGUAL)
    (finding,) = [f for f in analysis.findings if f.code == "tibetan.invalid_syllable"]
    assert finding.data["syllables"] == ["ཕརཕྱིན", "ཀྱིལྷ"] and finding.severity.value == "warning"


def test_sanskrit_transliteration_is_not_judged():
    analysis = scripted(track("ཨོཾ་མ་ཎི་པདྨེ་ཧཱུྃ།"), BILINGUAL)
    assert "tibetan.invalid_syllable" not in codes(analysis)


@pytest.mark.parametrize("profile, text", [("sichuan-2024-kepu", "བཀྲ་ཤིས་བདེ་ལེགས།"),
                                           ("sichuan-2024-kepu-bilingual", "Hello")])
def test_wrong_language_for_the_profile(profile, text):
    analysis = scripted(track(text), load_profile(profile))
    (finding,) = [f for f in analysis.findings if f.code == "script.wrong_language"]
    assert finding.severity.value == "error" and finding.data["allowed"] == load_profile(profile).subtitles.languages


def test_no_letters_means_language_none():
    analysis = scripted(track("♪♪", "123"), BILINGUAL)
    assert analysis.language == "none" and analysis.languages == []


def test_a_latin_letter_pyewts_cannot_take_is_not_wylie_and_no_crash():
    # A line of a real Serbian subtitle file (the corpus's auto_detect_windows-1251.srt, cue 144): its
    # lone Latin "M" among Cyrillic raised IndexError inside pyewts, and `check` ended as an internal
    # error (exit 3).
    from bilingual.text.tibetan import romanization
    assert romanization("-Mелој! Улази овамо.").wylie_tokens == 0
    track = SubtitleTrack(cues=[Cue(1, 0.2, 1.5, "-Mелој! Улази овамо.")], source="sidecar")
    assert analyze_track(track).main_language == "other"
