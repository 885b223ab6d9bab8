"""The fault suite (issue 11): what a careless or hostile user, or a broken environment, does to
bilingual. Every case asserts the documented exit code, one stderr line, no traceback, every
input's sha256 unchanged and no temporary file left behind."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import digest, make_video, write_srt

# --- outputs and environment (helper: outputs) ---

TIBETAN = "བོད་ཀྱི་སྐད་ཡིག་ནི་གལ་ཆེན་པོ་རེད།"
PYTHON = [sys.executable, "-m", "bilingual"]
# root ignores file permissions: a child that must meet them runs without the two capabilities
# that bypass them (its uid stays 0, so the interpreter under /root stays readable)
NO_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, Path]:
    """Made once per module: a 2-s 320×180 clip with a sine (its MP4 index at the end, as ffmpeg
    writes it without faststart) and a Tibetan SRT."""
    folder = tmp_path_factory.mktemp("fault-sources")
    clip = make_video(folder / "clip.mp4", faststart=False)
    subs = write_srt(folder / "subs.srt", [(0.2, 0.9, TIBETAN), (1.0, 1.8, TIBETAN)])
    return {"clip": clip, "subs": subs}


@pytest.fixture
def entry(tmp_path, sources) -> dict[str, Path]:
    """A fresh copy per test: `video` and its same-stem sidecar `sidecar` in `tmp_path/entry`."""
    folder = tmp_path / "entry"
    folder.mkdir()
    video = folder / "v.mp4"
    shutil.copyfile(sources["clip"], video)
    sidecar = folder / "v.srt"
    shutil.copyfile(sources["subs"], sidecar)
    return {"video": video, "sidecar": sidecar, "folder": folder}


def run(*args, env: dict[str, str] | None = None, prefix: list[str] | None = None, umask: int | None = None,
        stdout=subprocess.PIPE, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**{k: v for k, v in os.environ.items() if k != "BILINGUAL_DEBUG"}, "COLUMNS": "120",
                "BILINGUAL_LANG": "en", **(env or {})}  # the faults' lines are asserted in English
    return subprocess.run([*(prefix or []), *PYTHON, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                          env=full_env, cwd=cwd, preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
                          timeout=120)


def err(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.decode("utf-8", "replace")


def assert_one_line(proc: subprocess.CompletedProcess, code: int) -> str:
    """The documented exit code, exactly one stderr line, no traceback; returns the line."""
    text = err(proc)
    assert "Traceback" not in text, text
    assert proc.returncode == code, (proc.returncode, text)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def hashes(*paths: Path) -> dict[Path, str]:
    return {p: digest(p) for p in paths}


def stray_temporaries(*folders: Path) -> list[Path]:
    return [p for f in folders if f.is_dir() for p in f.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def needs_root_tools() -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be made to bind")


def readonly_mount_prefix(folder: Path) -> list[str]:
    """A child that sees `folder` mounted read-only (EROFS, which binds root too): a private mount
    namespace with a read-only bind mount of it."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("a read-only bind mount needs root and unshare")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode().strip()}")
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(folder)]


def unprivileged_prefix() -> list[str]:
    needs_root_tools()
    return NO_DAC if os.geteuid() == 0 else []


# Data loss: no output may be an input, whatever the command and however it is named.
REFUSALS = {
    "check -o VIDEO": lambda e: ["check", e["video"], "--no-speech", "-o", e["video"]],
    "check --subs S -o S": lambda e: ["check", e["video"], "--subs", e["sidecar"], "--no-speech", "-o", e["sidecar"]],
    "check -o its sidecar": lambda e: ["check", e["video"], "--no-speech", "-o", e["sidecar"]],
    "check -o a hard link of VIDEO": lambda e: ["check", e["video"], "--no-speech", "-o", e["hardlink"]],
    "check -o a symlink to VIDEO": lambda e: ["check", e["video"], "--no-speech", "-o", e["symlink"]],
    "check VIDEO through ../ -o VIDEO": lambda e: ["check", e["folder"] / ".." / "entry" / "v.mp4", "--no-speech",
                                                   "-o", e["video"]],
    "transcribe -o VIDEO": lambda e: ["transcribe", e["video"], "-o", e["video"]],
    "fix -o VIDEO --force": lambda e: ["fix", e["sidecar"], "--video", e["video"], "-o", e["video"], "--force"],
    "fix -o SUBS": lambda e: ["fix", e["sidecar"], "--video", e["video"], "-o", e["sidecar"], "--force"],
    "extract --force onto a link to VIDEO": lambda e: ["extract", e["video"], "--out", e["wavlink"].parent, "--force",
                                                       "--ocr", "off"],
    "audit --out VIDEO": lambda e: ["audit", e["video"], "--no-speech", "--out", e["video"]],
    "sample --out VIDEO": lambda e: ["sample", "--out", e["video"]],
    "check --frames VIDEO": lambda e: ["check", e["video"], "--no-speech", "--ocr", "on", "--frames", e["video"]],
    "check -o FOLDER": lambda e: ["check", e["video"], "--no-speech", "-o", e["folder"]],
    "fix -o FOLDER --force": lambda e: ["fix", e["sidecar"], "--video", e["video"], "-o", e["folder"], "--force"],
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_an_output_that_is_an_input_or_a_folder_is_refused(entry, tmp_path, case):
    entry["hardlink"] = tmp_path / "hard.mp4"
    os.link(entry["video"], entry["hardlink"])
    entry["symlink"] = tmp_path / "link.json"
    entry["symlink"].symlink_to(entry["video"])
    entry["wavlink"] = tmp_path / "out" / "v.audio-1.16k.wav"  # the name extract gives the clip's audio
    entry["wavlink"].parent.mkdir()
    entry["wavlink"].symlink_to(entry["video"])
    before = hashes(entry["video"], entry["sidecar"])
    proc = run(*REFUSALS[case](entry))
    line = assert_one_line(proc, 2)
    assert line.startswith("bilingual: error:"), line
    assert hashes(entry["video"], entry["sidecar"]) == before
    assert entry["symlink"].is_symlink() and entry["wavlink"].is_symlink() and entry["video"].is_file()
    assert stray_temporaries(entry["folder"], tmp_path, entry["wavlink"].parent) == []


@pytest.mark.parametrize("command", ["check", "scripts"])
def test_stdout_appended_onto_an_input_is_refused(entry, command):
    args = ["check", entry["video"], "--no-speech"] if command == "check" else ["scripts", entry["sidecar"]]
    target = entry["video"] if command == "check" else entry["sidecar"]
    before = digest(target)
    with open(target, "ab") as appended:  # `bilingual … >> input`
        proc = run(*args, stdout=appended)
    assert_one_line(proc, 2)
    assert digest(target) == before


def test_fix_in_place_twice_keeps_the_original_backup(entry):
    original = digest(entry["sidecar"])
    for _ in range(2):
        proc = run("fix", entry["sidecar"], "--video", entry["video"], "--in-place")
        assert proc.returncode == 0, err(proc)
    first_backup, second_backup = entry["folder"] / "v.srt.bak", entry["folder"] / "v.srt.bak.1"
    assert digest(first_backup) == original  # the original survives the second run
    assert second_backup.read_bytes() == entry["sidecar"].read_bytes()  # the first result, kept too
    assert stray_temporaries(entry["folder"]) == []


def test_outputs_write_through_symlinks(entry, tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    proc = run("check", entry["video"], "--no-speech", "-f", "json", "-o", link)
    assert proc.returncode == 1 and '"schema"' in real.read_text(), err(proc)  # 1: the clip fails the contest
    assert link.is_symlink() and os.readlink(link) == str(real)
    real_subs = tmp_path / "real.srt"
    shutil.copyfile(entry["sidecar"], real_subs)
    subs_link = entry["folder"] / "linked.srt"
    subs_link.symlink_to(real_subs)
    before = real_subs.read_bytes()
    proc = run("fix", subs_link, "--video", entry["video"], "--in-place")
    assert proc.returncode == 0, err(proc)
    assert subs_link.is_symlink(), "the link was replaced by a file"
    assert (tmp_path / "real.srt.bak").read_bytes() == before
    assert stray_temporaries(entry["folder"], tmp_path) == []


@pytest.mark.parametrize("name", ["-", "/dev/fd/1"])
def test_dash_and_dev_fd_are_standard_output(entry, name):
    proc = run("check", entry["video"], "--no-speech", "-f", "json", "-o", name)
    assert proc.returncode == 1 and err(proc) == "", err(proc)  # 1: the clip fails the contest's rules
    assert proc.stdout.decode().startswith("{") and '"schema"' in proc.stdout.decode()


def test_a_fifo_output_is_written_to_not_replaced(entry, tmp_path):
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run("check", entry["video"], "--no-speech", "-f", "json", "-o", fifo)
    if reader.is_alive():  # the old code replaced the FIFO without opening it: unblock the reader
        with open(fifo, "wb") if stat.S_ISFIFO(os.stat(fifo).st_mode) else open(os.devnull, "wb"):
            pass
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert b'"schema"' in b"".join(received)


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_new_outputs_get_the_umask_mode_and_existing_ones_keep_theirs(entry, tmp_path, umask):
    report = tmp_path / "report.txt"
    run("check", entry["video"], "--no-speech", "-o", report, umask=umask)
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~umask
    os.chmod(entry["sidecar"], 0o640)
    proc = run("fix", entry["sidecar"], "--video", entry["video"], "--in-place", umask=umask)
    assert proc.returncode == 0, err(proc)
    assert stat.S_IMODE(entry["sidecar"].stat().st_mode) == 0o640


# Environment faults: one line, exit 2, never "internal error".
def test_read_only_output_folder(entry, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    before = hashes(entry["video"], entry["sidecar"])
    proc = run("check", entry["video"], "--no-speech", "-o", folder / "report.json",
               prefix=readonly_mount_prefix(folder))
    line = assert_one_line(proc, 2)
    assert "read-only" in line.lower(), line
    assert hashes(entry["video"], entry["sidecar"]) == before and list(folder.iterdir()) == []


@pytest.mark.parametrize("case", ["fix beside the subtitles", "extract --out", "audit --out", "sample --out",
                                  "--frames"])
def test_unwritable_folder(entry, tmp_path, case):
    prefix = unprivileged_prefix()
    locked = tmp_path / "locked"
    locked.mkdir()
    subs = locked / "v.srt"
    shutil.copyfile(entry["sidecar"], subs)
    args = {"fix beside the subtitles": ["fix", subs, "--video", entry["video"]],
            "extract --out": ["extract", entry["video"], "--out", locked / "out"],
            "audit --out": ["audit", entry["video"], "--no-speech", "--out", locked / "out"],
            "sample --out": ["sample", "--out", locked / "out"],
            "--frames": ["check", entry["video"], "--no-speech", "--ocr", "on", "--frames", locked / "frames"]}[case]
    before = hashes(entry["video"], subs)
    locked.chmod(0o555)
    try:
        proc = run(*args, prefix=prefix)
    finally:
        locked.chmod(0o755)
    line = assert_one_line(proc, 2)
    assert "internal error" not in line and "ermission denied" in line, line
    assert hashes(entry["video"], subs) == before and sorted(p.name for p in locked.iterdir()) == ["v.srt"]


@pytest.mark.parametrize("case", ["cache is a file", "cache read-only", "HOME read-only"])
def test_model_cache_faults(entry, tmp_path, case):
    prefix, env = [], {}
    if case == "cache is a file":
        cache = tmp_path / "cache"
        cache.write_text("a file")
        env = {"BILINGUAL_CACHE_DIR": str(cache)}
    else:
        prefix = unprivileged_prefix()
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        env = {"BILINGUAL_CACHE_DIR": str(locked)} if case == "cache read-only" else \
            {"HOME": str(locked), "BILINGUAL_CACHE_DIR": "", "XDG_CACHE_HOME": ""}
    proc = run("transcribe", entry["video"], "--lang", "en", env={**env, "BILINGUAL_WHISPER_MODEL": ""}, prefix=prefix)
    line = assert_one_line(proc, 2)
    assert "model cache" in line and "BILINGUAL_CACHE_DIR" in line, line


@pytest.mark.parametrize("case", ["--frames a file", "sample --out a file"])
def test_a_folder_option_given_a_file(entry, tmp_path, case):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep me\n")
    args = {"--frames a file": ["check", entry["video"], "--no-speech", "--ocr", "on", "--frames", a_file],
            "sample --out a file": ["sample", "--out", a_file]}[case]
    line = assert_one_line(run(*args), 2)
    assert "not a folder" in line, line
    assert a_file.read_text() == "keep me\n"


def test_stdout_closed_full_and_not_utf8(entry):
    closed = subprocess.run([*PYTHON, "scripts", str(entry["sidecar"])], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, pass_fds=(), preexec_fn=lambda: os.close(1), timeout=60)
    assert "closed" in assert_one_line(closed, 2)
    with open("/dev/full", "wb") as full:
        line = assert_one_line(run("scripts", entry["sidecar"], stdout=full), 2)
    assert "No space left" in line, line
    latin = run("scripts", entry["sidecar"], env={"PYTHONIOENCODING": "latin-1"})
    assert latin.returncode == 0, err(latin)
    assert TIBETAN in latin.stdout.decode("utf-8")  # UTF-8, so the evidence is not "?"


@pytest.mark.parametrize("command", [["profiles", "list"], ["scripts", "SUBS"], ["profiles", "show",
                                                                                 "sichuan-2024-kepu"]])
def test_a_broken_pipe_is_not_a_failure(entry, command):
    read_end, write_end = os.pipe()
    os.close(read_end)  # `| head -1` that has already gone
    try:
        proc = run(*[entry["sidecar"] if a == "SUBS" else a for a in command], stdout=write_end)
    finally:
        os.close(write_end)
    assert proc.returncode in (0, 141), err(proc)
    assert err(proc).strip() == ""


def test_a_bug_stays_exit_3_when_debugging():
    code = ("import sys, bilingual.cli as cli; cli.probe_media = lambda *a: 1 / 0; "
            "sys.argv = ['bilingual', 'probe', 'x.mp4']; cli.main()")
    env = {**os.environ, "BILINGUAL_DEBUG": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 3 and "ZeroDivisionError" in proc.stderr and "Traceback" in proc.stderr
    env.pop("BILINGUAL_DEBUG")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 3 and "internal error" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [["check", "--no-such-option"], ["check"], ["fix", "x.srt"],
                                  ["profiles", "show"], ["audit", "--jobs", "zero"]])
def test_usage_errors_are_one_line(args):
    line = assert_one_line(run(*args), 2)
    assert line.startswith("bilingual: error:") and "╭" not in line, line


@pytest.mark.parametrize("where", ["input", "output"])
def test_a_300_character_file_name(entry, tmp_path, where):
    long = tmp_path / ("x" * 300 + ".mp4")
    args = ["check", long, "--no-speech", "--lang", "en"] if where == "input" else \
        ["check", entry["video"], "--no-speech", "--lang", "en", "-o", tmp_path / ("x" * 300 + ".json")]
    line = assert_one_line(run(*args), 2)
    assert "too long" in line.lower(), line


PROFILE_FAULTS = {
    "mb_bytes = 0": ("[media]\nmb_bytes = 0\n", "media.mb_bytes"),
    "NaN": ("[media.duration_s]\ncite = 'x'\nmax = nan\n", "media.duration_s.max"),
    "infinity": ("[cues.min_gap_s]\ncite = 'x'\nvalue = inf\n", "cues.min_gap_s.value"),
    "negative duration": ("[cues.min_duration_s]\ncite = 'x'\nvalue = -1.0\n", "cues.min_duration_s.value"),
    "min over max": ("[media.duration_s]\ncite = 'x'\nmin = 300\nmax = 120\n", "media.duration_s.min"),
    "share over 1": ("[timing]\nmin_speech_share = 1.5\n", "timing.min_speech_share"),
    "deeply nested arrays": ("[media.resolution]\ncite = 'x'\nallowed = " + "[" * 5000 + "]" * 5000 + "\n",
                             "nested too deeply"),
    "extends itself through ../": ("", "extends itself"),
    "title with markup": ("", None),
}


@pytest.mark.parametrize("case", list(PROFILE_FAULTS))
def test_profile_values_are_validated(tmp_path, case):
    body, named = PROFILE_FAULTS[case]
    folder = tmp_path / "profiles"
    folder.mkdir()
    path = folder / "p.toml"
    if case == "extends itself through ../":
        path.write_text('extends = "../profiles/p.toml"\n')
    elif case == "title with markup":
        path.write_text('extends = "sichuan-2024-kepu"\ntitle = "[/i] 科普 [bold]"\n')
        proc = run("profiles", "show", path, "--lang", "zh")  # the zh title
        assert proc.returncode == 0, err(proc)
        assert "[/i] 科普 [bold]" in proc.stdout.decode()
        return
    else:
        path.write_text('extends = "sichuan-2024-kepu"\n' + body)
    before = digest(path)
    line = assert_one_line(run("profiles", "show", path), 2)
    assert named in line, line
    assert digest(path) == before


def test_an_unreadable_profile(tmp_path):
    prefix = unprivileged_prefix()
    path = tmp_path / "p.toml"
    path.write_text('extends = "sichuan-2024-kepu"\n')
    path.chmod(0)
    line = assert_one_line(run("profiles", "show", path, prefix=prefix), 2)
    assert "ermission denied" in line, line


def test_markup_in_cue_text_is_shown_as_text(entry, tmp_path):
    subs = write_srt(tmp_path / "markup.srt", [(0.2, 0.9, "[laughs] 中文字幕"), (1.0, 1.8, "[/i] 中文 [bold]")])
    proc = run("scripts", subs)
    out = proc.stdout.decode()
    assert "Traceback" not in err(proc) and proc.returncode in (0, 1), err(proc)
    assert "[laughs]" in out and "[/i]" in out


# Misleading diagnoses.
def test_a_symlink_loop_is_not_no_such_file(tmp_path):
    (tmp_path / "a.mp4").symlink_to(tmp_path / "b.mp4")
    (tmp_path / "b.mp4").symlink_to(tmp_path / "a.mp4")
    line = assert_one_line(run("probe", tmp_path / "a.mp4"), 2)
    assert "loop" in line and "no such file" not in line, line


def test_neither_audio_nor_video_is_not_audio_only(tmp_path, sources):
    subs_only = tmp_path / "subs only.mkv"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(sources["subs"]), "-c:s", "srt", str(subs_only)],
                   check=True)
    line = assert_one_line(run("check", subs_only, "--no-speech", "--lang", "en"), 2)
    assert "audio only" not in line and "no video" in line and "no audio" in line, line


def test_a_cut_mp4_with_its_index_at_the_end_says_truncated(tmp_path, sources):
    whole = sources["clip"].read_bytes()
    assert whole[4:8] == b"ftyp" and b"moov" in whole[len(whole) // 2:]  # moov after mdat
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 2])
    line = assert_one_line(run("probe", cut), 2)
    assert "truncated" in line, line
