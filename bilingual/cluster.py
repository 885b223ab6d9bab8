"""`bilingual audit --cluster`: the audit's entries as Ray tasks (imported only with --cluster).

Each entry is one task running the library's check on a worker; the driver (`audit.run_audit`)
writes the reports and summaries as a local run does. A task whose worker dies is retried on
another (Ray's `max_retries`); a broken entry comes back as an error row and is never retried, since
`audit.check_job` returns errors instead of raising them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bilingual import __version__
from bilingual.audit import Job, check_job
from bilingual.errors import InputError
from bilingual.sources.files import find_sidecars

try:
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy
except ImportError:  # pragma: no cover - the message is what a user without the extra sees
    raise InputError("cluster.unavailable", wording="error/no_ray") from None

# A lost worker (killed, out of memory, node gone) costs at most this many more tries of its entry.
MAX_RETRIES = 3
PREFLIGHT_TIMEOUT_S = 120  # a node that cannot start one small task in this time is not usable


def connect(address: str) -> None:
    """Joins the cluster as its driver; `auto` takes $RAY_ADDRESS."""
    if address == "auto":
        address = os.environ.get("RAY_ADDRESS", "")
        if not address:
            raise InputError("cluster.unreachable", wording="error/no_ray_address")
    try:
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError("cluster.unreachable", wording="error/cluster_unreachable", address=address,
                         detail=reason) from exc


@ray.remote(num_cpus=0)
def _preflight_probe(options: dict[str, Any]) -> dict[str, Any]:
    """What a worker node lacks for `options`: bilingual's version, ffmpeg, the model, Tesseract."""
    from bilingual.media import require_ffmpeg
    from bilingual.sources.burnedin.read import require_tesseract
    from bilingual.speech.models import whisper_model_dir

    problems: list[InputError] = []
    needs: list[Callable[[], object]] = [require_ffmpeg]
    if options.get("speech", True) and options.get("language", True):
        needs.append(lambda: whisper_model_dir(options.get("model")))
    if options.get("ocr", "auto") != "off":
        needs.append(require_tesseract)
    for need in needs:
        try:
            need()
        except InputError as exc:
            problems.append(exc)  # said in the driver's language there
    return {"host": socket.gethostname(), "version": __version__, "problems": problems}


def preflight(options: dict[str, Any]) -> None:
    """One small task on every alive node before the first entry; what a node lacks is one line."""
    nodes = [n for n in ray.nodes() if n.get("Alive")]
    if not nodes:
        raise InputError("cluster.unusable", wording="error/cluster_no_node")
    for node in nodes:
        where = node.get("NodeManagerAddress", node["NodeID"][:8])
        strategy = NodeAffinitySchedulingStrategy(node_id=node["NodeID"], soft=False)
        try:
            info = ray.get(_preflight_probe.options(scheduling_strategy=strategy).remote(options),
                           timeout=PREFLIGHT_TIMEOUT_S)
        except Exception as exc:  # bilingual not importable there, the node lost, the timeout
            first = next((line for line in str(exc).splitlines() if "Error" in line), type(exc).__name__)
            raise InputError("cluster.unusable", wording="error/node_cannot_run", node=where,
                             detail=first.strip()) from None
        if info["version"] != __version__:
            raise InputError("cluster.unusable", wording="error/node_version", node=where, theirs=info["version"],
                             ours=__version__)
        if info["problems"]:
            lack = info["problems"][0]
            raise InputError("cluster.unusable", wording="error/node_lacks", node=where, detail=lack,
                             at=f"{lack.path}: " if lack.path else "")


@ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)
def _check_task(job: Job, shipped: dict[str, bytes] | None, where: str | None,
                rename: dict[str, str] | None) -> dict[str, Any]:
    """One entry on a worker: read where it lies (shared storage), or written from the bytes that
    were shipped with it into a temporary folder that goes when the check is done."""
    if shipped is None:
        return check_job(job, where, rename)
    with tempfile.TemporaryDirectory(prefix="bilingual-ship-") as tmp:
        local = {}
        for given, data in shipped.items():
            path = Path(tmp) / Path(given).name
            path.write_bytes(data)
            local[str(path)] = given
        return check_job(job, str(Path(tmp) / Path(job.entry).name), local)


def _entry_files(entry: Path) -> list[Path]:
    return [entry, *find_sidecars(entry)]


def _read_shipped(entry: Path) -> dict[str, bytes]:
    """The entry's bytes and its sidecars', by the names the driver gives them (what cannot be read
    is left out, and the worker then reports it missing, as a local run reports it unreadable)."""
    shipped = {}
    for path in _entry_files(entry):
        try:
            if path.is_file():
                shipped[str(path)] = path.read_bytes()
        except OSError:
            pass
    return shipped


class RayWorkers:
    """`audit.Workers` on a Ray cluster: two entries handed out per CPU, so that a node always has
    its next entry waiting when one finishes."""

    def __init__(self, address: str, options: dict[str, Any], *, ship: bool = False):
        connect(address)
        try:
            preflight(options)
        except BaseException:
            ray.shutdown()
            raise
        self.ship = ship
        self.slots = max(1, 2 * int(ray.cluster_resources().get("CPU", 1)))

    def submit(self, job: Job) -> Any:
        entry = Path(job.entry)
        if self.ship:
            # put now, so the driver holds one entry's bytes at a time; the store keeps `slots` of them
            return _check_task.remote(job, ray.put(_read_shipped(entry)), None, None)
        rename = {os.path.abspath(p): str(p) for p in _entry_files(entry)}
        return _check_task.remote(job, None, os.path.abspath(entry), rename)

    def done(self, handles: list[Any], timeout: float) -> list[Any]:
        ready, _ = ray.wait(handles, num_returns=1, timeout=timeout)
        return ready

    def result(self, handle: Any) -> dict[str, Any]:
        return ray.get(handle)

    def cancel(self, handles: list[Any]) -> None:
        for handle in handles:
            with contextlib.suppress(Exception):  # already finished or lost: nothing left to cancel
                ray.cancel(handle, force=True)

    def close(self) -> None:
        ray.shutdown()
