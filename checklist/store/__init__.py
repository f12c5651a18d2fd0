"""Storage: one contract (``contract``), backends behind it, and ``open_store`` to pick one.

* ``files`` — the default: TinyDB-format JSON files beside the ``--db`` path (one person, or
  everyone on one machine);
* ``postgres`` — a PostgreSQL server (``postgresql://…``): a bureau's PCs, or a province;
* ``memory`` — the same contract in a Python object, for tests.

Only ``files`` imports TinyDB's file format conventions; nothing above this package knows which
backend it talks to.
"""

from __future__ import annotations

from pathlib import Path

from checklist.store.contract import Change, Finding, LogLine, MissingDatabase, Reader, Store, Writer

__all__ = ["Change", "Finding", "LogLine", "MissingDatabase", "Reader", "Store", "Writer", "open_store"]


def open_store(location: str | Path, wait: float = 10.0) -> Store:
    """The database at ``location``: a ``postgresql://`` URL, else a file path."""
    from checklist.paths import is_server_url

    if isinstance(location, str) and is_server_url(location):
        from checklist.store.postgres import PostgresStore

        return PostgresStore(location, wait=wait)
    from checklist.store.files import FileStore

    return FileStore(location, wait=wait)
