"""Writing a file the user named with ``--out``: whole or not at all, and never over the wrong thing.

* a regular file, or a name that does not exist yet: written beside it under a temporary name,
  fsynced, then renamed over it — a reader (a shared folder, a nightly job) never sees half a file;
* a symlink: followed on purpose — the file it points to is written that way (the link stays);
* a FIFO or a character device (``/dev/null``, ``/dev/stdout``, a pipe a script made): written to
  as a stream, never replaced by a regular file;
* ``-``: standard output;
* a folder, a socket or a block device: refused;
* the database or any of its files (its folder, lock, backups): refused — an export must never
  replace what it was exported from.

Errors are ``InputError``s naming the file (exit 1): the database is not involved.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from checklist.errors import InputError
from checklist.i18n import _

CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def write_output(out: Path, data: bytes, database: Path | None = None) -> None:
    """Put ``data`` at ``out`` as the module docstring says (``database``: the path given by --db)."""
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(out)) if out.is_symlink() else out
    if database is not None and _belongs_to(Path(os.path.realpath(out)), database):
        raise InputError(_("cannot write {file}: it is part of the database {db}; give another file name").format(
            file=out, db=database))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _cannot(out, err) from None
    if info is not None and (stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)):
        _stream(out, target, data)
        return
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise InputError(_("cannot write {file}: it is a folder; give a file name").format(file=out))
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise InputError(_("cannot write {file}: it is not a regular file").format(file=out))
    _replace(out, target, data, info)


def _belongs_to(target: Path, database: Path) -> bool:
    """Whether ``target`` (resolved) is the database file, or one of its files beside or under it."""
    db = Path(os.path.realpath(database))
    if target == db or target.parent == db.parent and target.name.startswith(db.name + "."):
        return True
    return any(parent.parent == db.parent and parent.name.startswith(db.name + ".") for parent in target.parents)


def _cannot(out: Path, err: OSError) -> InputError:
    return InputError(_("cannot write {file}: {reason}").format(file=out, reason=err.strerror or err))


def _stream(out: Path, target: Path, data: bytes) -> None:
    try:
        fd = os.open(target, os.O_WRONLY | CLOEXEC)  # no O_CREAT, no O_TRUNC: it is a stream
    except OSError as err:
        raise _cannot(out, err) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as err:
        raise _cannot(out, err) from None
    finally:
        os.close(fd)


def _replace(out: Path, target: Path, data: bytes, info: os.stat_result | None) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | CLOEXEC
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666
    try:
        fd = os.open(tmp, flags, mode)
    except OSError as err:
        raise _cannot(out, err) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as err:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise _cannot(out, err) from None
