"""bilingual: verify Tibetan–Chinese bilingual contest videos, with evidence.

The library API is what the CLI is built on::

    from bilingual import check, load_profile
    report = check("entry.mp4", profile=load_profile("sichuan-2024-kepu-bilingual"))
    report.verdict, report.exit_code, report.to_dict(lang="en")
"""

__version__ = "0.1.0"

# The names load on first use (PEP 562), so `import bilingual` and the CLI's start stay light and
# a command's own work (an ffmpeg decode) starts before numpy and the pipeline are imported.
_EXPORTS = {
    "InputError": "errors", "Finding": "model", "Severity": "model", "MediaInfo": "media",
    "probe": "media", "Profile": "profiles", "list_profiles": "profiles", "load_profile": "profiles",
    "Cue": "model", "SubtitleTrack": "model", "load_subtitle_file": "sources.files",
    "analyze_track": "script", "check": "pipeline", "Report": "report", "Facts": "facts", "judge": "rules",
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'bilingual' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"bilingual.{_EXPORTS[name]}"), name)


__all__ = [
    "__version__", "InputError", "Finding", "Severity", "MediaInfo", "probe", "Profile",
    "list_profiles", "load_profile", "Cue", "SubtitleTrack", "load_subtitle_file",
    "analyze_track", "check", "Report", "Facts", "judge",
]
