"""bilingual: verify Tibetan–Chinese bilingual contest videos, with evidence.

The library API is what the CLI is built on::

    from bilingual import check, load_profile
    report = check("entry.mp4", profile=load_profile("sichuan-2024-kepu-bilingual"))
    report.verdict, report.exit_code, report.to_dict(lang="en")
"""

__version__ = "0.1.0"

from bilingual.errors import InputError  # noqa: E402
from bilingual.findings import Finding, Severity  # noqa: E402
from bilingual.media import MediaInfo, probe  # noqa: E402
from bilingual.profiles import Profile, list_profiles, load_profile  # noqa: E402
from bilingual.subtitles import Cue, SubtitleTrack, load_subtitle_file  # noqa: E402
from bilingual.script import analyze_track  # noqa: E402
from bilingual.check import check  # noqa: E402
from bilingual.report import Report  # noqa: E402

__all__ = [
    "__version__", "InputError", "Finding", "Severity", "MediaInfo", "probe", "Profile",
    "list_profiles", "load_profile", "Cue", "SubtitleTrack", "load_subtitle_file",
    "analyze_track", "check", "Report",
]
