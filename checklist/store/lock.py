"""A lock file held by one process at a time: ``flock`` on POSIX, ``msvcrt.locking`` on Windows.

The operating system releases the lock when the process ends, however it ends, so a crash never
leaves a stale lock behind. This does what the ``filelock`` package does for us, in a few lines
that import in well under a millisecond (``filelock`` costs about 13 ms of start-up, a tenth of
the budget of ``checklist today``).

A lock on a file that someone deleted (or replaced) while it was held protects nothing: the next
process creates a new file at the path and locks that. So after taking the lock we check that the
file we hold is still the one at the path, and start again if not.
"""

from __future__ import annotations

import os
import sys
import time


class LockTimeout(Exception):
    """Another process held the lock for longer than we were willing to wait."""


class FileLock:
    def __init__(self, path: str, timeout: float = 10.0, create: bool = True):
        self.path = path
        self.timeout = timeout
        self.create = create  # False: only look (FileNotFoundError if there is no lock file)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; OSError if the file cannot be opened."""
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        flags = (os.O_RDWR | os.O_CREAT if self.create else os.O_RDONLY) | getattr(os, "O_NOFOLLOW", 0) \
            | getattr(os, "O_CLOEXEC", 0)
        while True:
            fd = os.open(self.path, flags, 0o666)
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LockTimeout(self.path)
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
            if _still_at_path(fd, self.path):
                self._fd = fd
                return
            os.close(fd)  # the file was deleted or replaced while we waited: lock the one there now

    def still_held(self) -> bool:
        """Whether the file this process locked is still the one at the path."""
        return self._fd is not None and _still_at_path(self._fd, self.path)

    def release(self) -> None:
        if self._fd is not None:
            _unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _still_at_path(fd: int, path: str) -> bool:
    try:
        at_path = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (at_path.st_dev, at_path.st_ino)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
