"""Atomic file writes: a file is either the old one or the whole new one."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_CANNOT_WRITE = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}
"""Errors of the place written to (a full disk, a read-only or forbidden folder), not bugs."""


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place on success.

    The folder of ``path`` is made if it does not exist.

    If the block raises (or the process dies), ``path`` is left as it was and
    the temporary file is removed (or, after a kill, left with a ``.tmp``
    name that no reader takes for output). A full disk or a folder that
    cannot be written raises :class:`~hfs_detect.HFSDetectError` naming ``path``.
    """
    from ._checks import HFSDetectError  # here: importing this module stays light

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # as analyze makes its folder
    except (FileExistsError, NotADirectoryError):
        raise HFSDetectError(
            f"cannot write {path}: a file stands where a folder is needed"
        ) from None
    except OSError as exc:  # e.g. a folder that cannot be made there (/proc/x)
        raise HFSDetectError(f"cannot write {path}: {exc.strerror}") from None
    _refuse_a_folder(path)
    tmp_path = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        yield tmp_path
        os.replace(tmp_path, path)
    except OSError as exc:
        if exc.errno not in _CANNOT_WRITE:
            raise
        raise HFSDetectError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        if tmp_path is not None and tmp_path.exists():
            tmp_path.unlink()


def check_output_file(path: str | os.PathLike) -> Path:
    """Refuse, before any work, a file output that could not be written.

    Raises :class:`~hfs_detect.HFSDetectError` when ``path`` is a folder, or when
    its nearest existing parent is a file or a folder that cannot be written.
    Returns ``path`` as a :class:`~pathlib.Path`.
    """
    from ._checks import HFSDetectError

    path = Path(path)
    _refuse_a_folder(path)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        raise HFSDetectError(f"cannot write {path}: a file stands where a folder is needed")
    try:  # a real probe: permissions alone do not tell (root, /proc, read-only mounts)
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise HFSDetectError(
            f"cannot write {path}: no file can be made in {parent} ({exc.strerror})"
        ) from None
    return path


def _refuse_a_folder(path: Path) -> None:
    """A file output given the name of a folder (the folder would be replaced)."""
    if path.is_dir():
        from ._checks import HFSDetectError

        raise HFSDetectError(f"cannot write {path}: it is a folder (give a file name)")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
