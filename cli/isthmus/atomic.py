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
