"""Scene cuts found on the scan's thumbnails, and a still shot's picture told from a subtitle that
crosses its cuts (`sources/burnedin/scenes.py`). Masks and thumbnails made here, no render: the fast lane."""

import numpy as np

from bilingual.sources.burnedin.bands import SCAN_WIDTH, segment
from bilingual.sources.burnedin.scenes import cuts, find_scenes

ROWS = 100


def _thumbs(levels):
    rng = np.random.default_rng(0)
    return np.stack([np.clip(level + rng.normal(0, 1.5, (6, 40)), 0, 255) for level in levels]).astype(np.uint8)


def test_a_jump_of_the_whole_picture_is_a_cut_and_a_pan_is_not():
    still = [100.0] * 20
    pan = [180.0 + 6 * k for k in range(1, 13)]  # 6 grey levels a frame for 12 frames: a fast pan
    levels = still + [180.0] * 20 + pan + [60.0] * 20
    assert cuts(_thumbs(levels)) == [20, 52]  # the jump to 180 and the one after the pan (252 → 60)
    assert cuts(_thumbs(still)) == []


def _scene_masks():
    """90 frames, cuts at 30 and 60. Frames 30–59 (a still shot) hold a tall bar of picture edges (rows
    10–90) and a short line of its own; a subtitle line (rows 40–55) is shown over frames 20–74."""
    frames = np.zeros((90, ROWS, SCAN_WIDTH), bool)
    frames[30:60, 10:90, 50:52] = True  # the still shot's edges: taller than any line
    frames[30:60, 60:66, 500:540] = True  # a short piece of the same shot's picture
    frames[20:75, 40:55, 200:300:3] = True  # the subtitle, across both cuts
    thumbs = _thumbs([100.0] * 30 + [200.0] * 30 + [100.0] * 30)
    return frames, thumbs


def test_a_still_shots_tall_edges_leave_the_masks_and_a_subtitle_across_its_cuts_stays():
    frames, thumbs = _scene_masks()
    masks = np.packbits(frames, axis=2)
    scenes = find_scenes(masks, thumbs, SCAN_WIDTH)
    assert scenes.starts == [0, 30, 60]
    left = np.unpackbits(masks, axis=2)[:, :, :SCAN_WIDTH].astype(bool)
    assert not left[30:60, 10:90, 50:52].any()  # the bar: taller than PICTURE_ROWS
    assert (left[20:75, 40:55, 200:300:3]).all()  # the subtitle is untouched
    assert left[30:60, 60:66, 500:540].all()  # the short piece stays in the masks (it could be a line)
    picture = scenes.picture_bits(1, (0, ROWS), SCAN_WIDTH)
    assert picture is not None and picture[60:66, 500:540].all() and not picture[40:55].any()
    assert scenes.picture_bits(0, (0, ROWS), SCAN_WIDTH) is None


def test_a_subtitle_shown_exactly_from_cut_to_cut_is_still_a_cue():
    # A slide-show entry whose captions change with its slides: the caption holds still from one cut to
    # the next, as a still shot's picture does. It stays in the masks and is found as a cue.
    frames = np.zeros((90, 20, SCAN_WIDTH), bool)
    frames[30:60, 2:18, 200:300:3] = True
    masks = np.packbits(frames, axis=2)
    scenes = find_scenes(masks, _thumbs([100.0] * 30 + [200.0] * 30 + [100.0] * 30), SCAN_WIDTH)
    assert segment(masks, (0, 20), np.zeros((20, SCAN_WIDTH), bool), scenes=scenes) == [(30, 59)]


def test_a_thin_band_whose_cues_keep_to_the_shots_is_their_picture():
    # Under the matrix's `cuts` the scene rule left two bands of 4 scanned rows of the SMPTE bars' edges,
    # their cues on the bars' shots (one in two pieces); read, they cost 15–17 RapidOCR calls a cell.
    from types import SimpleNamespace

    from bilingual.sources.burnedin.bands import _shot_remnant
    from bilingual.sources.burnedin.scenes import Scenes

    found = SimpleNamespace(scenes=Scenes(list(range(0, 240, 30)), [None] * 8), stride=1, times=np.zeros(240))
    assert _shot_remnant((117, 121), [(60, 89), (180, 201), (202, 209)], found)
    assert not _shot_remnant((117, 121), [(60, 89), (65, 80)], found)  # a cue touching no cut: text
    assert not _shot_remnant((230, 249), [(60, 89)], found)  # as tall as a line
    found.scenes = Scenes()  # no cut: nothing to tell by
    assert not _shot_remnant((117, 121), [(0, 239)], found)
