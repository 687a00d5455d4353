"""Atomic writes: a temporary file beside the target, then a rename.

An interrupted or failed run leaves the previous output as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from isthmus.errors import OutputError


def write_bytes(path: Path, data: bytes, *, option: str = "-o") -> None:
    """Write ``data`` to ``path`` atomically; raises ``OutputError`` naming the option."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        if folder.exists() or any(parent.is_file() for parent in folder.parents):
            raise OutputError(f"{option} {path}: cannot write there: {_file_in_the_way(folder)} is a file, not a folder")
        raise OutputError(f"{option} {path}: the folder {folder} does not exist")
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise OutputError(f"{option} {path}: cannot write in {folder}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise OutputError(f"{option} {path}: cannot write: {err.strerror or err}") from None


def _file_in_the_way(folder: Path) -> Path:
    """The first path on the way to ``folder`` that is a file."""
    for candidate in [*reversed(folder.parents), folder]:
        if candidate.exists() and not candidate.is_dir():
            return candidate
    return folder


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: the call or the file system lacks it
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def replace_dir(new: Path, target: Path, *, option: str = "--out") -> None:
    """Put the folder ``new`` in place of ``target`` so that ``target`` is, at every moment,
    either the complete old folder or the complete new one; then remove the old one."""
    import shutil

    new, target = Path(new), Path(target)
    try:
        if not target.exists():
            os.rename(new, target)
            return
        if _exchange(new, target):
            shutil.rmtree(new, ignore_errors=True)  # ``new`` now holds the previous folder
            return
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.rename(target, old)
        os.rename(new, target)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        raise OutputError(f"{option} {target}: cannot replace the folder: {err.strerror or err}") from None
