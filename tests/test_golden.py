"""The JSON contract does not drift: a check of a generated entry — real Mandarin speech, Tibetan
subtitles with faults of every script and cue kind, a cue after the video's end — gives the report
stored in tests/golden/ (made by the code before the restructuring of issue 12). What depends on
the encoder (file and bit sizes, the file-size finding) and on the temporary folder is left out.
`BILINGUAL_UPDATE_GOLDEN=1` rewrites the stored report."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from conftest import make_video, write_srt

GOLDEN = Path(__file__).resolve().parent / "golden" / "check_no_language.json"
VOLATILE = {"path", "size_bytes", "bit_rate"}  # the temporary folder's name; the encoder's sizes

CUES = [
    (0.4, 3.2, "སྐྱེ་བ་གཞན་དུའང་"),
    (3.4, 6.9, "དེ་དང་མི་འབྲལ་བའི་རྒྱུ་ལ་བསླབ་པའོ།"),
    (6.5, 9.0, "ཞི་བ་ལ་སོགས་པའི་ལས་ཚོགས་ཀྱང་"),  # overlaps the cue before
    (9.2, 9.5, "ཕར་ཕྱིན། ཕརཕྱིན་ཀྱིལྷ།"),  # too short; an invalid syllable
    (10.0, 14.5, "我們一起學習"),  # traditional Chinese, a stray line
    (15.0, 18.0, "bkra shis bde legs/"),  # Wylie
    (18.5, 22.0, "སེམས་བསྐྱེད་བརྟན་ན་འགྲུབ་སླ་བར་བསྟན་པས་ སེམས་བསྐྱེད་བརྟན་ན་འགྲུབ་སླ་བར་བསྟན་པས་"),  # too long a line
    (40.0, 42.0, "ཐུན་མོང་གི་དངོས་གྲུབ་"),  # after the video's end
]


def stable(data: Any) -> Any:
    """The report without what the machine decides: paths, sizes, and the file-size finding."""
    if isinstance(data, dict):
        return {k: stable(v) for k, v in data.items() if k not in VOLATILE}
    if isinstance(data, list):
        return [stable(v) for v in data if not (isinstance(v, dict) and v.get("code") == "media.filesize")]
    return data


def test_a_check_gives_the_stored_report(tmp_path, corpus):
    from bilingual.pipeline import check

    video = make_video(tmp_path / "entry.mp4", size="320x180", duration=25.0,
                       audio=corpus / "mandarin" / "funasr_long_25s.wav")
    write_srt(tmp_path / "entry.srt", CUES)
    report = check(video, language=False, ocr="off")
    got = {lang: stable(report.to_dict(lang)) for lang in ("en", "zh")}
    if os.environ.get("BILINGUAL_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert got == json.loads(GOLDEN.read_text("utf-8"))
