"""`audit --cluster` on a real two-node Ray cluster on the loopback interface (started for this module
only, stopped in teardown whatever happens)."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_audit import read_rows, start_audit

from conftest import REPO, make_video, reused_count, run_cli, write_srt

pytestmark = pytest.mark.slow
ray_cli = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")
if ray_cli is None:
    pytest.skip("Ray is not installed (pip install 'bilingual[cluster]')", allow_module_level=True)
CHEAP = ("--no-language", "--ocr", "off")  # the speech stage (VAD and timing) runs; no Whisper


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """Head (2 CPUs) + a second node (1 CPU); workers import this checkout."""
    port, temp = free_port(), tempfile.mkdtemp(prefix="bl-ray-", dir="/tmp")  # short: socket paths ≤ 107 bytes
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "RAY_USAGE_STATS_ENABLED": "0"}
    common = ["--disable-usage-stats", "--object-store-memory", "100000000", "--node-ip-address", "127.0.0.1"]
    try:
        subprocess.run([ray_cli, "start", "--head", "--port", str(port), "--num-cpus", "2", "--temp-dir", temp,
                        "--include-dashboard=false", *common], env=env, check=True, capture_output=True, timeout=240)
        subprocess.run([ray_cli, "start", "--address", f"127.0.0.1:{port}", "--num-cpus", "1", *common],
                       env=env, check=True, capture_output=True, timeout=240)
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def entries(tmp_path_factory, corpus):
    """Three entries of real Mandarin speech, one with Tibetan sidecar subtitles."""
    folder = tmp_path_factory.mktemp("cluster") / "entries"
    folder.mkdir()
    speech = corpus / "mandarin" / "aishell1_BAC009S0724W0121.wav"
    for k in range(3):
        make_video(folder / f"e{k}.mp4", duration=4.0, audio=speech)
    write_srt(folder / "e0.bo.srt", [(0.3, 2.0, "ཆུ་ནི་སྲོག་གི་འབྱུང་ཁུངས་ཡིན།"), (2.2, 3.8, "ང་ཚོ་ཆུ་སྲུང་དགོས།")])
    return folder


@pytest.fixture(scope="module")
def local_run(entries):
    """Every file a local run writes, by name, and the folder it wrote them in."""
    out = entries.parent / "audit"
    proc = run_cli("audit", entries, "--out", out, *CHEAP)
    assert proc.returncode == 1, proc.stderr  # the clips are too short and too small for the profile
    files = written(out)
    shutil.rmtree(out)
    return out, files


def written(out: Path) -> dict[str, bytes]:
    """Every file in `out`, by name; index.html without the time it was updated at."""
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    if "index.html" in files:
        files["index.html"] = re.sub(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", b"<time>", files["index.html"])
    return files


@pytest.mark.parametrize("ship", [False, True], ids=["shared-storage", "ship"])
def test_a_cluster_audit_writes_the_bytes_of_a_local_one(cluster, entries, local_run, ship):
    out, expected = local_run
    try:
        proc = run_cli("audit", entries, "--out", out, *CHEAP, "--cluster", cluster, *(["--ship"] if ship else []))
        assert proc.returncode == 1, proc.stderr
        assert written(out) == expected  # reports, summary.csv and summary.jsonl, byte for byte
        again = run_cli("audit", entries, "--out", out, *CHEAP, "--cluster", cluster)
        assert reused_count(again.stderr) == 3 and written(out) == expected
    finally:
        shutil.rmtree(out, ignore_errors=True)


def task_workers() -> list[int]:
    """Ray worker processes running an entry (Ray titles them after the task)."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if cmdline.read_bytes().startswith(b"ray::_check_task"):
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue
    return pids


def test_a_killed_worker_costs_nothing_but_a_retry(cluster, entries, local_run):
    out, expected = local_run
    try:
        proc = start_audit(entries, "--out", out, *CHEAP, "--cluster", cluster)
        deadline, killed = time.monotonic() + 180, None
        while killed is None and time.monotonic() < deadline and proc.poll() is None:
            running = task_workers()
            if running:
                os.kill(running[0], signal.SIGKILL)
                killed = running[0]
            time.sleep(0.01)
        _, stderr = proc.communicate(timeout=300)
        assert killed is not None, "no worker was seen running an entry"
        assert proc.returncode == 1, stderr
        assert not Path(f"/proc/{killed}/cmdline").exists() or task_workers().count(killed) == 0
        assert written(out) == expected  # the killed worker's entry was run again, nothing lost
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_ctrl_c_cancels_the_cluster_tasks_and_keeps_what_finished(cluster, entries, tmp_path):
    many = tmp_path / "many"
    many.mkdir()
    for k in range(8):
        shutil.copyfile(entries / f"e{k % 3}.mp4", many / f"m{k}.mp4")
    out = tmp_path / "audit"
    proc = start_audit(many, "--out", out, *CHEAP, "--cluster", cluster)
    deadline = time.monotonic() + 180
    while not list(out.glob("*.json")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "bilingual: interrupted" in stderr, stderr
    assert time.monotonic() - sent < 20 and "Traceback" not in stderr
    rows, reports = read_rows(out), {p.name for p in out.glob("*.json")}
    assert 1 <= len(rows) < 8 and {os.path.basename(r["report"]) for r in rows} == reports
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    time.sleep(2)
    assert task_workers() == []  # the outstanding tasks were cancelled, not left running


def test_a_worker_without_the_model_is_one_line_before_any_entry(cluster, entries, tmp_path):
    proc = run_cli("audit", entries, "--out", tmp_path / "audit", "--cluster", cluster, "--model", tmp_path,
                   "--lang", "en")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bilingual: error: Ray node ")
    assert "not a CTranslate2 Whisper model folder" in lines[0] and not list((tmp_path / "audit").glob("*.json"))
    proc = run_cli("audit", entries, "--out", tmp_path / "audit", "--cluster", cluster, "--model", tmp_path,
                   "--lang", "zh")  # the node's own reason in the driver's language too
    assert proc.returncode == 2 and "不是 CTranslate2 Whisper 模型文件夹" in proc.stderr, proc.stderr
    assert f"{tmp_path}: " in proc.stderr


def test_cluster_auto_without_an_address_and_ship_without_a_cluster(entries, tmp_path):
    env_free = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    proc = subprocess.run([sys.executable, "-m", "bilingual", "audit", str(entries), "--out", str(tmp_path / "a"),
                           "--cluster", "auto"], capture_output=True, text=True, env=env_free)
    assert proc.returncode == 2 and proc.stderr.strip() == "bilingual: error: --cluster auto：未设置 RAY_ADDRESS"
    proc = run_cli("audit", entries, "--out", tmp_path / "a", "--ship")
    assert proc.returncode == 2 and proc.stderr.strip() == "bilingual: error: --ship 需要与 --cluster 一起使用"


def test_ray_is_imported_only_for_a_cluster_run():
    code = "import sys, bilingual.audit, bilingual.cli; print('ray' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_a_broken_entry_is_an_error_row_as_locally(cluster, tmp_path):
    """A file that is no video comes back from its worker as an error row (not an exception Ray
    would retry), and its report and summary are the bytes a local run writes."""
    folder = tmp_path / "entries"
    folder.mkdir()
    (folder / "broken.mp4").write_bytes(os.urandom(4096))
    out = tmp_path / "audit"
    assert run_cli("audit", folder, "--out", out, *CHEAP).returncode == 2
    local = written(out)
    shutil.rmtree(out)
    started = time.monotonic()
    proc = run_cli("audit", folder, "--out", out, *CHEAP, "--cluster", cluster)
    assert proc.returncode == 2, proc.stderr
    assert time.monotonic() - started < 60  # not retried with back-off
    (row,) = read_rows(out)
    assert row["verdict"] == "error" and row["exit_code"] == "2" and "不是可读取的媒体文件" in row["error"]
    assert written(out) == local
