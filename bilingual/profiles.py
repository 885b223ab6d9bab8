"""Contest profiles: TOML data files, one per contest notice, read into typed rules.

A profile may `extends` another (by name or path) and override any table. Unknown keys, wrong
types and values out of range (every quantity of a profile is a finite number ≥ 0; `mb_bytes` > 0,
shares ≤ 1, a range's min ≤ max ≤ hard_max) are refused with the dotted name of the key at fault.
"""

from __future__ import annotations

import math
import os
import tomllib
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from bilingual.errors import InputError
from bilingual.media import frame_rate

PROFILE_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE = "sichuan-2024-kepu-bilingual"
PAIRINGS = ("zh-audio+bo-subs", "bo-audio+zh-subs", "zh-audio+zh-subs")
POSITIVE_KEYS = frozenset({"mb_bytes"})  # a divisor: 0 would be a crash, not a rule
FRACTION_KEYS = frozenset({"min_speech_share", "tolerance"})


@dataclass(frozen=True)
class Rule:
    cite: str  # seed number and clause of the notice the rule comes from
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class ContainerRule(Rule):
    allowed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RangeRule(Rule):
    min: float | None = None
    max: float | None = None
    # For a soft upper bound ("1 minute, in special cases 1 min 30 s"): over `max` is a warning
    # up to `hard_max`, an error past it.
    hard_max: float | None = None


@dataclass(frozen=True)
class ResolutionRule(Rule):
    min_short_side: int | None = None  # "1080p or above": the short side of the picture, in pixels
    allowed: list[list[int]] = field(default_factory=list)  # exact [width, height] sizes, when listed


@dataclass(frozen=True)
class AspectRule(Rule):
    allowed: list[str] = field(default_factory=list)  # "16:9", "9:16"
    tolerance: float = 0.01  # relative


@dataclass(frozen=True)
class MediaRules:
    container: ContainerRule | None = None
    duration_s: RangeRule | None = None
    resolution: ResolutionRule | None = None
    aspect: AspectRule | None = None
    # "100-300 兆": megabytes as Windows and most uploaders count them (MiB, 1,048,576 bytes)
    filesize_mb: RangeRule | None = None
    mb_bytes: int = 1_048_576


# What a profile may name: the subtitle languages and pairings the analysis can tell apart (a
# misspelt "zh-audio+bo-sub" would otherwise load and allow nothing).
SubtitleLanguage = Literal["bo", "zh"]
PairingName = Literal["zh-audio+bo-subs", "bo-audio+zh-subs", "zh-audio+zh-subs", "bo-audio+bo-subs"]


@dataclass(frozen=True)
class SubtitleRules(Rule):
    required: bool = True
    languages: list[SubtitleLanguage] = field(default_factory=list)  # subtitle languages the contest accepts
    chinese_variant: Literal["simplified", "any"] = "simplified"


@dataclass(frozen=True)
class PairingRules(Rule):
    allowed: list[PairingName] = field(default_factory=list)


@dataclass(frozen=True)
class ValueRule(Rule):
    value: float = 0.0
    unit: Literal["s", "frames", "count", "per_s"] = "s"

    def seconds(self, fps: float | None) -> float:
        """The value in seconds; frames need the video's frame rate (25 fps when unknown)."""
        return self.value / frame_rate(fps) if self.unit == "frames" else self.value


@dataclass(frozen=True)
class CueRules:
    min_gap_s: ValueRule | None = None
    max_lines: ValueRule | None = None
    max_line_chars_zh: ValueRule | None = None
    max_line_syllables_bo: ValueRule | None = None
    max_chars_per_s_zh: ValueRule | None = None
    max_syllables_per_s_bo: ValueRule | None = None
    min_duration_s: ValueRule | None = None
    max_duration_s: ValueRule | None = None
    shot_change_frames: ValueRule | None = None


@dataclass(frozen=True)
class TimingRules:
    """Tolerances for subtitles against speech. Defaults are common practice; no notice sets them."""

    cite: str = "common practice (no rule in the notice)"
    offset_warning_s: float = 0.2
    offset_error_s: float = 0.5
    early_s: float = 0.75  # a cue starting this far before its speech is early
    late_s: float = 0.5  # ... this far after, late
    speech_without_cue_s: float = 1.5
    min_speech_share: float = 0.1  # a cue with less speech under it than this is over silence


@dataclass(frozen=True)
class ManualItem:
    code: str
    zh: str
    en: str
    cite: str


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    title_en: str
    seed: str
    source: str
    media: MediaRules = MediaRules()
    subtitles: SubtitleRules | None = None
    pairing: PairingRules | None = None
    cues: CueRules = CueRules()
    timing: TimingRules = TimingRules()
    manual: list[ManualItem] = field(default_factory=list)
    path: str = ""

    @property
    def accepts_tibetan_subtitles(self) -> bool:
        return self.subtitles is not None and "bo" in self.subtitles.languages


def list_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def load_profile(name_or_path: str | os.PathLike | None = None) -> Profile:
    """A built-in profile by name, or a user's profile file (any path ending in .toml)."""
    return _load(str(name_or_path or DEFAULT_PROFILE))


@lru_cache(maxsize=32)
def _load(ref: str) -> Profile:
    path = _resolve(ref)
    data = _read_with_parents(path, seen=())
    data.setdefault("path", str(path))
    try:
        return _build(Profile, data, "")
    except ProfileError as exc:
        raise InputError("profile.invalid", path=str(path), wording="error/profile_invalid", detail=exc) from None


def _resolve(ref: str, relative_to: Path | None = None) -> Path:
    if ref.endswith(".toml") or "/" in ref:
        path = Path(ref) if relative_to is None or Path(ref).is_absolute() else relative_to / ref
    else:
        path = PROFILE_DIR / f"{ref}.toml"
        if not path.is_file():
            raise InputError("profile.invalid", wording="error/profile_unknown", name=ref,
                             known=", ".join(list_profiles()))
    if not path.is_file():
        raise InputError("profile.invalid", path=str(path), wording="error/profile_no_file")
    return path


def _read_with_parents(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    real = path.resolve()  # `extends = "../x/p.toml"` naming the file itself is still itself
    if real in seen:
        raise InputError("profile.invalid", path=str(path), wording="error/profile_extends_itself")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise InputError("profile.invalid", path=str(path), wording="error/profile_unreadable",
                         detail=exc.strerror or exc) from None
    except RecursionError:
        raise InputError("profile.invalid", path=str(path), wording="error/profile_too_deep") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("profile.invalid", path=str(path), wording="error/profile_not_toml", detail=exc) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise InputError("profile.invalid", path=str(path), wording="error/profile_invalid",
                         detail="'extends' must be str")
    base = _read_with_parents(_resolve(parent, path.parent), seen + (real,))
    base.pop("path", None)
    return _merge(base, data)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


class ProfileError(ValueError):
    pass


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ProfileError(f"'{where}' must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ProfileError(f"unknown key '{_join(where, unknown[0])}'")
    values = {}
    for name, f in known.items():
        key = _join(where, name)
        if name in data:
            values[name] = _coerce(hints[name], data[name], key)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise ProfileError(f"missing key '{key}'")
    built = cls(**values)
    if isinstance(built, RangeRule):
        _check_order(built, where)
    return built


def _check_order(rule: RangeRule, where: str) -> None:
    bounds = [(name, getattr(rule, name)) for name in ("min", "max", "hard_max") if getattr(rule, name) is not None]
    for (low_name, low), (high_name, high) in zip(bounds, bounds[1:], strict=False):
        if low > high:
            raise ProfileError(f"'{_join(where, low_name)}' ({low}) must not exceed "
                               f"'{_join(where, high_name)}' ({high})")


def _coerce(hint: Any, value: Any, key: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _coerce(next(a for a in args if a is not type(None)), value, key)
    if origin is Literal:
        if value not in args:
            raise ProfileError(f"'{key}' must be one of {', '.join(map(str, args))}, not {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ProfileError(f"'{key}' must be a list")
        return [_coerce(args[0], item, f"{key}[{i}]") for i, item in enumerate(value)]
    if isinstance(hint, type) and is_dataclass(hint):
        return _build(hint, value, key)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, hint) or (hint is not bool and isinstance(value, bool)):
        raise ProfileError(f"'{key}' must be {hint.__name__}, not {type(value).__name__}")
    if hint in (int, float):
        _check_range(value, key)
    return value


def _check_range(value: float, key: str) -> None:
    """Durations, sizes, counts, rates and tolerances: finite and not negative (NaN passes every
    comparison a rule makes, so it would silently disable the rule)."""
    name = key.rsplit(".", 1)[-1].split("[", 1)[0]
    if not math.isfinite(value):
        raise ProfileError(f"'{key}' must be a finite number, not {value}")
    if value < 0:
        raise ProfileError(f"'{key}' must not be negative ({value})")
    if name in POSITIVE_KEYS and value <= 0:
        raise ProfileError(f"'{key}' must be greater than 0")
    if name in FRACTION_KEYS and value > 1:
        raise ProfileError(f"'{key}' must be a fraction between 0 and 1 ({value})")


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
