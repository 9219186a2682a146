"""The data directory, private to the service.

Everything in it (PostgreSQL's files, Chroma's, model files, passwords) is for the
service's user alone: folders 0700, files 0600, and the process makes new ones so (umask
077). Each start walks the directory: what other users could read or write is made
private, and what cannot be is refused with its path named.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tutor.errors import StartupError

_log = logging.getLogger(__name__)

PRIVATE_UMASK = 0o077
"""New files 0600 and folders 0700."""
_OPEN_BITS = stat.S_IRWXG | stat.S_IRWXO


@contextmanager
def private_umask() -> Iterator[None]:
    """Within: this process makes every new file 0600 and folder 0700 (umask 077).

    The umask is the whole process's, threads included; ``tutor serve`` sets it for good.
    """
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def make_private(data_dir: Path, *, server_group: int | None = None) -> list[Path]:
    """Make ``data_dir`` and everything in it private (created 0700 when missing).

    Args:
        data_dir: The data directory; created (0700) when missing.
        server_group: The group of the embedded PostgreSQL server's own user when it is
            not the service's: it may pass through (not list) ``data_dir`` to reach its
            own 0700 folder inside, and nothing more.

    Returns:
        The paths whose modes were changed.

    Raises:
        StartupError: Something in ``data_dir`` is open to others and this process cannot
            change that (it belongs to another user).
    """
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    repaired: list[Path] = []
    for path, info in _walk(data_dir):
        allowed = 0
        if path == data_dir and server_group is not None and info.st_gid == server_group:
            allowed = stat.S_IXGRP
        mode = stat.S_IMODE(info.st_mode)
        loose = mode & _OPEN_BITS & ~allowed
        if not loose:
            continue
        try:
            os.chmod(path, mode & ~loose)
        except FileNotFoundError:
            continue  # removed meanwhile (a server's temporary file)
        except PermissionError as error:
            raise StartupError(
                f"{path} in the data directory is open to other users (mode {mode:04o}, "
                f"owner uid {info.st_uid}) and this service cannot make it private: "
                f"run `chmod go-rwx` on it as its owner, or set TUTOR_DATA_DIR to a "
                "folder of this service's user"
            ) from error
        repaired.append(path)
    if repaired:
        _log.warning(
            "made %d path(s) in the data directory %s private (other users could read "
            "them), e.g. %s",
            len(repaired),
            data_dir,
            repaired[0],
        )
    return repaired


def write_private(path: Path, text: str, owner: str | None = None) -> None:
    """Write ``text`` to ``path`` as a 0600 file, atomically; owned by ``owner`` if given."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}.new")
    scratch.unlink(missing_ok=True)
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if owner is not None:
            shutil.chown(scratch, owner, owner)
        scratch.replace(path)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """``root`` and everything under it, not following symbolic links."""
    yield root, os.stat(root)
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in (*folders, *files):
            path = Path(folder) / name
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            # A link's own mode means nothing, and its target may lie outside.
            if not stat.S_ISLNK(info.st_mode):
                yield path, info
