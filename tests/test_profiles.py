import dataclasses

import pytest

from bilingual.errors import InputError
from bilingual.profiles import DEFAULT_PROFILE, list_profiles, load_profile

EXPECTED = {"sichuan-2024-kepu-bilingual": "004", "sichuan-2024-kepu": "004", "tianjin-2023-quality": "000",
            "jiangmen-2020-quality": "001", "sichuan-2024-core-values": "002",
            "sichuan-2024-core-values-film": "002", "miit-2024-industrial": "003"}


def rules_of(profile):
    """Every rule table of a profile (anything with a `cite`)."""
    out = []

    def walk(value):
        if isinstance(value, dict):
            if "cite" in value:
                out.append(value)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
    walk(dataclasses.asdict(profile))
    return out


def test_every_seed_has_its_profile_and_the_default_is_bilingual():
    assert set(list_profiles()) == set(EXPECTED)
    assert DEFAULT_PROFILE == "sichuan-2024-kepu-bilingual"
    assert load_profile().name == DEFAULT_PROFILE


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_rule_cites_its_seed(name):
    profile = load_profile(name)
    assert profile.seed == EXPECTED[name] and profile.name == name
    rules = rules_of(profile)
    assert rules and profile.manual
    for rule in rules:
        assert rule["cite"].startswith(EXPECTED[name]) or rule["cite"].startswith("common practice"), rule


def test_numbers_come_from_the_notices():
    bilingual = load_profile("sichuan-2024-kepu-bilingual")
    assert (bilingual.media.duration_s.min, bilingual.media.duration_s.max) == (120, 300)
    assert (bilingual.media.filesize_mb.min, bilingual.media.filesize_mb.max) == (100, 300)
    assert bilingual.media.resolution.min_short_side == 1080 and bilingual.media.aspect.allowed == ["16:9"]
    assert bilingual.pairing.allowed == ["zh-audio+bo-subs", "bo-audio+zh-subs"]
    tianjin = load_profile("tianjin-2023-quality")
    assert (tianjin.media.duration_s.max, tianjin.media.duration_s.hard_max) == (60, 90)
    assert tianjin.cues.min_gap_s.value == 0.5 and tianjin.cues.max_lines.value == 1
    assert tianjin.media.resolution.allowed == [[3840, 2160], [1920, 1080]]
    assert load_profile("miit-2024-industrial").media.aspect.allowed == ["16:9", "9:16"]
    assert load_profile("sichuan-2024-core-values-film").media.duration_s.max == 900
    assert load_profile("sichuan-2024-kepu").pairing.allowed == ["zh-audio+zh-subs"]
    assert load_profile("jiangmen-2020-quality").media.container.allowed == ["avi", "mov", "mp4", "mpg"]


def test_a_user_profile_can_extend_a_built_in_one(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('extends = "sichuan-2024-kepu-bilingual"\nname = "mine"\n\n'
                    '[media.duration_s]\nmax = 600\ncite = "our own rule"\n', encoding="utf-8")
    mine = load_profile(str(path))
    assert mine.name == "mine" and mine.media.duration_s.max == 600 and mine.media.duration_s.min == 120
    assert mine.media.container.allowed == ["mp4"]


@pytest.mark.parametrize("body, named", [
    ('extends = "sichuan-2024-kepu"\n[media.duration_s]\nmaxx = 3\n', "media.duration_s.maxx"),
    ('extends = "sichuan-2024-kepu"\n[media.duration_s]\nmax = "five minutes"\n', "media.duration_s.max"),
    ('extends = "sichuan-2024-kepu"\n[subtitles]\nchinese_variant = "cantonese"\n', "subtitles.chinese_variant"),
    ('extends = "sichuan-2024-kepu"\ncolour = "red"\n', "colour"),
    ('name = "x"\n', "title"),
    ('name = [unclosed\n', "not valid TOML"),
    ('extends = "no-such-contest"\n', "unknown profile 'no-such-contest'"),
    # a misspelt pairing or a language the analysis cannot tell loaded, and allowed nothing
    ('extends = "sichuan-2024-kepu-bilingual"\n[pairing]\ncite = "x"\nallowed = ["zh-audio+bo-sub"]\n',
     "pairing.allowed[0]"),
    ('extends = "sichuan-2024-kepu-bilingual"\n[subtitles]\ncite = "x"\nlanguages = ["bo", "en"]\n',
     "subtitles.languages[1]"),
])
def test_invalid_profiles_name_the_bad_key(tmp_path, body, named):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_profile(str(path))
    assert named in str(err.value) and err.value.code == "profile.invalid"


def test_unknown_profile_name_lists_the_known_ones():
    with pytest.raises(InputError, match="known: .*tianjin-2023-quality"):
        load_profile("nope")
