"""What the analysis found about one entry, stage by stage: the input the rules judge
(`bilingual.rules`) and the report shows. Facts hold no profile and no findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bilingual.errors import InputError
from bilingual.media import MediaInfo
from bilingual.model import Cue, SubtitleTrack

if TYPE_CHECKING:
    from bilingual.pairing import Pairing
    from bilingual.script import TrackScript
    from bilingual.sources.burnedin.compare import PictureComparison
    from bilingual.sources.burnedin.read import QuickLook
    from bilingual.sources.source import SubtitleSource
    from bilingual.speech.language import SpeechAnalysis
    from bilingual.speech.transcribe import SaidUnder
    from bilingual.timing import TimingAnalysis


@dataclass
class Facts:
    """One entry's facts. A stage that could not run leaves its facts None and says why in `problems`
    (the input errors met, in order: exit code 2)."""

    video: str
    size_bytes: int | None = None  # of a regular file (the report's input.size_bytes)
    media: MediaInfo | None = None
    problems: list[InputError] = field(default_factory=list)
    too_long: bool = False  # longer than media.MAX_ANALYSED_S: only the static screen and the subtitle file
    found: SubtitleSource | None = None  # where the subtitles are (None: nowhere)
    empty_sidecars: list[str] = field(default_factory=list)  # sidecars holding nothing, passed over
    image_streams_unread: tuple[str, InputError | None] | None = None  # (variant, why): image streams not read
    track_failed: bool = False  # the subtitles were found but could not be read (a problem says why)
    track: SubtitleTrack | None = None  # the subtitles as read (perhaps without a cue)
    script: TrackScript | None = None  # their script, when they hold cues
    look: QuickLook | None = None  # the quick look at the picture beside a text track
    look_unavailable: str | None = None  # why the picture could not be looked at
    picture: PictureComparison | None = None  # `--ocr on`: the text track against the picture
    speech_analysed: bool = True  # False: `--no-speech`
    language_analysed: bool = True  # False: `--no-language` (voice activity and timing only)
    speech: SpeechAnalysis | None = None
    pairing: Pairing | None = None
    timed_cues: list[Cue] | None = None  # the cues timing and the cue rules look at (`pairing.timing_cues`)
    timed_language: str | None = None
    timing: TimingAnalysis | None = None
    said_under: list[SaidUnder] | None = None  # Mandarin categories: each Chinese cue against the transcript
    cuts: list[float] | None = None  # shot changes, where the profile has a shot-change rule

    @property
    def fps(self) -> float | None:
        return self.media.fps if self.media else None
