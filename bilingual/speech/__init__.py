"""Speech: where it is (`vad`, Silero on onnxruntime), which language it is (`language`: Whisper
language ID with a Mandarin decode), the Whisper model (`models`) and the Mandarin transcript
(`transcribe`). Facts about the audio only: no profile, no findings."""
