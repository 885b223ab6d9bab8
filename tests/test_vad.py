"""Silero run on onnxruntime (bilingual.vad), chunked as the audio decodes (speech.hear), against
faster-whisper's own runner on a real recording."""

import numpy as np
import pytest

from bilingual.errors import InputError
from bilingual.media import decode_audio, stream_audio
from bilingual.speech.language import VAD_CHUNK, hear, voice_activity
from bilingual.speech.vad import speech_probabilities, speech_stretches


@pytest.fixture(scope="module")
def recording(corpus):
    return corpus / "mandarin/funasr_vad_example_70s.wav"


def test_probabilities_and_stretches_match_faster_whisper(recording):
    from faster_whisper.vad import VadOptions, get_speech_timestamps, get_vad_model

    audio = decode_audio(recording)
    padded = np.pad(audio, (0, 512 - len(audio) % 512))
    theirs = get_vad_model()(padded).reshape(-1)
    ours = speech_probabilities(audio)
    assert np.allclose(ours, theirs[:len(ours)], atol=1e-5)
    reference = [(s["start"], s["end"]) for s in
                 get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300, speech_pad_ms=0))]
    stretches = speech_stretches(ours, len(audio), 0.3)
    assert len(stretches) == len(reference) > 10
    assert stretches[:-1] == reference[:-1]  # the last may end at its final pause instead of the end
    assert stretches[-1][0] == reference[-1][0] and stretches[-1][1] <= reference[-1][1]


def test_chunked_stretches_stay_within_a_few_percent_of_one_pass(recording):
    audio = decode_audio(recording)
    assert len(audio) > 2 * VAD_CHUNK  # three chunks: Silero's state starts afresh twice
    one_pass = speech_stretches(speech_probabilities(audio), len(audio), 0.3)
    chunked = voice_activity(audio)
    frames = np.zeros((2, len(audio) // 512 + 1), dtype=bool)
    for row, stretches in enumerate([[(s / 16000, e / 16000) for s, e in one_pass], chunked]):
        for start, end in stretches:
            frames[row, int(start * 16000) // 512:int(end * 16000) // 512] = True
    assert frames[0].sum() * 512 / 16000 > 40  # seconds of speech
    assert (frames[0] != frames[1]).sum() <= 0.03 * frames[0].sum()
    assert abs(len(chunked) - len(one_pass)) <= 2


def test_hearing_a_file_decodes_and_finds_speech_at_once(recording):
    audio, spans = hear(str(recording))
    assert np.array_equal(audio, decode_audio(recording))
    assert spans == voice_activity(audio)


def test_an_undecodable_stream_is_unreadable(tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000)
    with pytest.raises(InputError) as caught:
        list(stream_audio(bad))
    assert caught.value.code == "media.unreadable"
