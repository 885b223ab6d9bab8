"""Writing outputs safely: never onto an input, never half a file, never through a symlink's back.

Every output of every command goes through `write_output` (or its `atomic_write_*` forms), which
- refuses a path that is one of the inputs `protect_inputs` registered (same real path, or the same
  (st_dev, st_ino): a hard link or a bind mount is still the input);
- treats `-` as standard output, and `/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N` as that descriptor;
- writes other special files (a FIFO, `/dev/null`, a character device) directly, never replacing them;
- writes a regular file atomically (a temporary file beside it, then `os.replace`) at the symlink's
  target when the path is a symlink, so the link stays a link;
- gives a new file the mode any program would (0666 & ~umask, not mkstemp's 0600) and an existing
  file its own mode;
- turns a failure of the environment (read-only folder, no space, a folder where a file should be,
  a name too long) into `OutputError`: one line, exit 2.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from bilingual.errors import InputError

STDOUT = "-"
_FD_PATH = re.compile(r"^/(?:dev/fd|proc/self/fd)/(\d+)$")
_STD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_protected: dict[tuple[int, int], str] = {}  # (st_dev, st_ino) → the input's path, as given
_protected_paths: dict[str, str] = {}  # real path → the input's path, as given


class OutputError(InputError):
    """An output that must not or cannot be written (exit code 2)."""

    def __init__(self, reason: str | None, path: str | os.PathLike | None = None, **wording: Any):
        super().__init__("output.unwritable", reason, str(path) if path is not None else None, **wording)


def protect_inputs(*paths: str | os.PathLike | None) -> None:
    """Register the files a command reads, so that no output of this process replaces them."""
    for p in paths:
        if p is None or str(p) == STDOUT:
            continue
        _protected_paths.setdefault(os.path.realpath(p), str(p))
        try:
            st = os.stat(p)
        except (OSError, ValueError):
            continue  # a missing input is refused by whoever reads it
        _protected.setdefault((st.st_dev, st.st_ino), str(p))
    if stdout_is_a_file():
        _check_fd(1, STDOUT)  # `bilingual … >> input`: refused before anything is written


def stdout_is_a_file() -> bool:
    try:
        return stat.S_ISREG(os.fstat(1).st_mode)
    except OSError:
        return False


def protected_input(path: str | os.PathLike) -> str | None:
    """The input that `path` is (by real path or by inode), if it is one."""
    hit = _protected_paths.get(os.path.realpath(path))
    if hit is None:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        hit = _protected.get((st.st_dev, st.st_ino))
    return hit


def output_fd(path: str | os.PathLike) -> int | None:
    """The descriptor a path names (`-` and /dev/stdout → 1, /dev/fd/N → N), else None."""
    text = str(path)
    if text == STDOUT:
        return 1
    match = _FD_PATH.match(text)
    return int(match.group(1)) if match else _STD_NAMES.get(text)


def check_output(path: str | os.PathLike, *, replaces_input: bool = False) -> None:
    """Refuse, before any work, an output that is an input, a folder, or cannot be created."""
    fd = output_fd(path)
    if fd is not None:
        _check_fd(fd, path)
        return
    real = _real(path)
    st = _stat(real, path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(None, path, wording="error/output_is_folder")
    hit = None if replaces_input else protected_input(real)
    if hit is not None:
        raise OutputError(None, path, wording="error/output_onto_input", input=hit)
    if st is None or stat.S_ISREG(st.st_mode):
        _check_folder(real.parent, path)


def check_new_output(path: str | os.PathLike, force: bool = False) -> None:
    """`check_output`, and without `force` refuse a file that exists. Standard output (`-`,
    /dev/stdout, /dev/fd/N), a FIFO or a device is written to, not replaced: never "existing"."""
    check_output(path)
    if not force and output_fd(path) is None and os.path.isfile(path):
        raise OutputError(None, path, wording="error/exists")


def check_output_folder(folder: str | os.PathLike, what: str = "--out") -> Path:
    """A folder to write into: refused if it is a file (or an input), else created; it must be writable."""
    real = _real(folder)
    st = _stat(real, folder)
    if st is not None and not stat.S_ISDIR(st.st_mode):
        raise OutputError(None, folder, wording="error/folder_is_file", what=what)
    try:
        real.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _environment_error(exc, folder) from None
    _check_folder(real, folder)
    return real


def write_output(path: str | os.PathLike, data: bytes, *, replaces_input: bool = False) -> Path:
    """Write `data` to `path` as the module docstring says; returns the path written."""
    check_output(path, replaces_input=replaces_input)
    fd = output_fd(path)
    if fd is not None:
        _write_fd(fd, data, path)
        return Path(path)
    real = _real(path)
    st = _stat(real, path)
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):
            with open(real, "wb") as fh:  # a FIFO or a device: written to, never replaced
                fh.write(data)
        else:
            _replace(real, data, stat.S_IMODE(st.st_mode) if st is not None else _default_mode())
    except OSError as exc:
        raise _environment_error(exc, path) from None
    return real


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, replaces_input: bool = False) -> Path:
    return write_output(path, data, replaces_input=replaces_input)


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    return write_output(path, text.encode(encoding))


def temp_path_beside(target: Path) -> Path:
    """A temporary name in the target's folder, so that os.replace() onto the target is atomic.
    Use `finish_temp` to move it into place with the mode a new file gets."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    except OSError as exc:
        raise _environment_error(exc, target.parent) from None
    os.close(fd)
    return Path(tmp)


def finish_temp(tmp: Path, target: Path) -> None:
    """Move a finished temporary file onto `target`: checked like any output, mode 0666 & ~umask."""
    check_output(target)
    try:
        os.chmod(tmp, _default_mode())
        os.replace(tmp, _real(target))
    except OSError as exc:
        raise _environment_error(exc, target) from None


def backup_copy(src: str | os.PathLike) -> Path:
    """Copy `src` to the first free name of `name.bak`, `name.bak.1`, `name.bak.2`, …: an existing
    backup is never overwritten (os.link refuses an existing name, so two runs cannot race)."""
    real = _real(src)
    tmp = temp_path_beside(real)
    try:
        shutil.copy2(real, tmp)
        for n in range(10_000):
            candidate = real.with_name(real.name + (".bak" if n == 0 else f".bak.{n}"))
            try:
                os.link(tmp, candidate)
                return candidate
            except FileExistsError:
                continue
        raise OutputError(None, real, wording="error/too_many_backups")
    except OSError as exc:
        raise _environment_error(exc, real) from None
    finally:
        tmp.unlink(missing_ok=True)


def _replace(real: Path, data: bytes, mode: int) -> None:
    real.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_fd(fd: int, data: bytes, path: str | os.PathLike) -> None:
    if fd in (1, 2):  # through Python's own stream, so that nothing it buffered comes out of order
        stream = sys.stdout if fd == 1 else sys.stderr
        if stream is None:
            raise OutputError(None, path, wording="error/stdout_closed")
        stream.flush()
        stream.buffer.write(data)
        stream.flush()
        return
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _check_fd(fd: int, path: str | os.PathLike) -> None:
    """Refuse `-o -` (or /dev/stdout) when the shell sends standard output onto an input (`>> input`)."""
    try:
        st = os.fstat(fd)
    except OSError:
        raise OutputError(None, path, wording="error/stdout_closed" if fd == 1 else "error/fd_closed", fd=fd) from None
    hit = _protected.get((st.st_dev, st.st_ino))
    if hit is not None and stat.S_ISREG(st.st_mode):
        raise OutputError(None, path, wording="error/stdout_onto_input", input=hit)


def _check_folder(folder: Path, shown: str | os.PathLike) -> None:
    """The nearest existing folder above an output must be a folder we may write in."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(None, shown, wording="error/above_not_folder", folder=existing)
    if not os.access(existing, os.W_OK | os.X_OK):  # also EROFS on a read-only mount, even for root
        read_only = _read_only(existing)
        raise OutputError(None, shown, wording="error/read_only_folder" if read_only else "error/no_write_access",
                          folder=existing)


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _real(path: str | os.PathLike) -> Path:
    """The path with every symlink resolved (a dangling link: where it points)."""
    return Path(os.path.realpath(path))


def _stat(real: Path, shown: str | os.PathLike) -> os.stat_result | None:
    try:
        return os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _environment_error(exc, shown) from None


def _environment_error(exc: OSError, path: str | os.PathLike) -> OutputError:
    known = {errno.ELOOP: "error/link_loop", errno.ENAMETOOLONG: "error/name_too_long",
             errno.EISDIR: "error/output_is_folder"}.get(exc.errno or 0)
    reason = OutputError(None, None, wording=known) if known else OutputError(None, None, wording="error/os",
                                                                             detail=exc.strerror or exc)
    return OutputError(None, path, wording="error/cannot_write", cause=reason)


def _default_mode() -> int:
    """0666 & ~umask: the mode `open()` gives a new file. The umask is read from /proc where it can
    be (setting and restoring it would race with other threads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
