"""Storage: one contract (``contract``), backends behind it, and ``open_store`` to pick one.

* ``files`` — the default: TinyDB-format JSON files beside the ``--db`` path (one person, or
  everyone on one machine);
* ``memory`` — the same contract in a Python object, for tests.

Only ``files`` imports TinyDB's file format conventions; nothing above this package knows which
backend it talks to.
"""

from __future__ import annotations

from pathlib import Path

from checklist.store.contract import Change, Finding, LogLine, MissingDatabase, Reader, Store, Writer

__all__ = ["Change", "Finding", "LogLine", "MissingDatabase", "Reader", "Store", "Writer", "open_store"]


def open_store(location: str | Path, wait: float = 10.0) -> Store:
    """The database at ``location``: a file path (or, for tests, ``memory:``)."""
    from checklist.store.files import FileStore

    return FileStore(location, wait=wait)
