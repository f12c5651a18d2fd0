"""The store: officers, items and history in TinyDB files, written atomically under one lock.

This is the only module that imports TinyDB. Everything else talks to a ``Session``.

On disk, for ``--db PATH`` (default ``<user data folder>/checklist.json``)::

    PATH                        TinyDB: table "meta" (one document), table "officers"
    PATH.d/officers/<o>.json    TinyDB per officer: tables "items" and "history"
    PATH.d/ids/<xx>.json        TinyDB: table "ids", item id → officer, bucketed by the id's
                                first two characters (so ``done ID`` opens one small file)
    PATH.lock                   the lock every session holds (PATH.lock.info says who holds it)
    PATH.journal                exists only while a change to several files is being applied

A command reads and changes one officer's file, not the whole database: that keeps ``today`` and
``done`` fast at any scale.

Writing. A session buffers every change in memory; on commit, each changed file is written to
``<file>.tmp`` and fsynced. A change to one file is then a single ``os.replace`` (atomic). A
change to several files first writes a journal naming them (itself via a temp file and a
rename), which is the commit point; then each temp file replaces its target and the journal is
removed. A crash before the journal leaves the old state (the temp files are cleaned up by the
next session); a crash after it is completed by the next session (roll forward). So the
database is always either the old or the new state.

Serialising. Every session, reading or writing, holds ``PATH.lock`` (a ``filelock`` lock) from
before its first read to after its last write, so two processes never interleave a
read-change-write. A reader in a read-only folder (a copy on a share) reads without the lock.

Testing hook: ``CHECKLIST_FAULT=<checkpoint>[:<n>]`` makes the process exit abruptly at the n-th
time (default the first) it passes that checkpoint — tests use it to show a crash at any step
leaves the old or the new state. Checkpoints: ``temp-written``, ``journal-written``,
``replaced``, ``committed``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson
from filelock import FileLock, Timeout
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from checklist.errors import InputError, StoreError

SCHEMA_VERSION = 1
TMP = ".tmp"
_FAULT = os.environ.get("CHECKLIST_FAULT", "")
_fault_counts: dict[str, int] = {}


def _checkpoint(name: str) -> None:
    if not _FAULT:
        return
    wanted, _, nth = _FAULT.partition(":")
    if wanted == name:
        _fault_counts[name] = _fault_counts.get(name, 0) + 1
        if _fault_counts[name] == int(nth or 1):
            os._exit(86)


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _file_stem(officer_id: str) -> str:
    """A file name for an officer id that is safe on every file system and never collides."""
    digest = hashlib.sha256(officer_id.encode("utf-8")).hexdigest()[:8]
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", officer_id)[:40].lower()
    return f"{readable}-{digest}"


def _describe(err: OSError, path: Path) -> str:
    if err.errno == errno.ENOSPC:
        return f"the disk is full while writing {path}"
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"cannot write to {path.parent} (read-only or not permitted)"
    return f"cannot write {path}: {err.strerror or err}"


class _SessionStorage(Storage):
    """A TinyDB storage for one file of a session: reads through the session, buffers writes."""

    def __init__(self, path: Path, session: Session):
        self._path = path
        self._session = session

    def read(self) -> dict[str, Any] | None:
        return self._session._load(self._path)

    def write(self, data: dict[str, Any]) -> None:
        self._session._changed(self._path, data)


class Session:
    """Reads and buffered writes against the store, inside one lock; see ``Store.session``."""

    def __init__(self, store: Store, writable: bool):
        self._store = store
        self._writable = writable
        self._data: dict[Path, dict[str, Any]] = {}
        self._dirty: set[Path] = set()
        self._dbs: dict[Path, TinyDB] = {}

    # -- files ---------------------------------------------------------------------------------

    def _load(self, path: Path) -> dict[str, Any]:
        if path not in self._data:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                raw = b""
            except OSError as err:
                raise StoreError(f"cannot read {path}: {err.strerror or err}") from None
            try:
                data = orjson.loads(raw) if raw else {}
            except orjson.JSONDecodeError as err:
                raise StoreError(
                    f"the database file {path} is damaged ({err.msg} at byte {err.pos}); nothing was changed — "
                    "restore it from a backup"
                ) from None
            if not isinstance(data, dict):
                raise StoreError(f"the database file {path} is not a checklist database; nothing was changed")
            self._data[path] = data
        return self._data[path]

    def _changed(self, path: Path, data: dict[str, Any]) -> None:
        if not self._writable:
            raise RuntimeError("a read session cannot write")
        self._data[path] = data
        self._dirty.add(path)

    def _db(self, path: Path) -> TinyDB:
        if path not in self._dbs:
            self._dbs[path] = TinyDB(path, self, storage=_SessionStorage)
        return self._dbs[path]

    def _officer_path(self, officer_id: str) -> Path:
        return self._store.folder / "officers" / f"{_file_stem(officer_id)}.json"

    def _bucket_path(self, item_id: str) -> Path:
        return self._store.folder / "ids" / f"{item_id[:2]}.json"

    # -- meta and officers -----------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        docs = self._db(self._store.path).table("meta").all()
        return dict(docs[0]) if docs else {}

    def set_meta(self, **fields: Any) -> None:
        table = self._db(self._store.path).table("meta")
        if table.all():
            table.update(fields)
        else:
            table.insert({"schema": SCHEMA_VERSION, **fields})

    def officers(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self._db(self._store.path).table("officers").all()]

    def officer(self, officer_id: str) -> dict[str, Any] | None:
        found = self._db(self._store.path).table("officers").get(Query().id == officer_id)
        return dict(found) if found else None

    def put_officers(self, officers: Iterable[dict[str, Any]]) -> None:
        """Insert or replace officers by id."""
        table = self._db(self._store.path).table("officers")
        existing = {d["id"]: d.doc_id for d in table.all()}
        for officer in officers:
            if officer["id"] in existing:
                table.update(officer, doc_ids=[existing[officer["id"]]])
            else:
                existing[officer["id"]] = table.insert(officer)

    # -- items and history -------------------------------------------------------------------------

    def items(self, officer_id: str) -> list[dict[str, Any]]:
        return [dict(d) for d in self._db(self._officer_path(officer_id)).table("items").all()]

    def put_items(self, officer_id: str, items: list[dict[str, Any]]) -> None:
        """Replace all of an officer's items."""
        table = self._db(self._officer_path(officer_id)).table("items")
        table.truncate()
        table.insert_multiple(items)

    def update_item(self, officer_id: str, item_id: str, fields: dict[str, Any]) -> None:
        table = self._db(self._officer_path(officer_id)).table("items")
        if not table.update(fields, Query().id == item_id):
            raise InputError(f"no item {item_id} for officer {officer_id}")

    def history(self, officer_id: str, item_id: str | None = None) -> list[dict[str, Any]]:
        table = self._db(self._officer_path(officer_id)).table("history")
        docs = table.all() if item_id is None else table.search(Query().item == item_id)
        return sorted((dict(d) for d in docs), key=lambda d: d["seq"])

    def append_history(self, officer_id: str, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        table = self._db(self._officer_path(officer_id)).table("history")
        seq = max((d["seq"] for d in table.all()), default=0)
        for entry in entries:
            seq += 1
            entry["seq"] = seq
        table.insert_multiple(entries)

    # -- the id index ----------------------------------------------------------------------------------

    def find_ids(self, prefix: str) -> list[tuple[str, str]]:
        """``(item id, officer id)`` for every indexed id starting with ``prefix`` (≥ 2 characters)."""
        table = self._db(self._bucket_path(prefix)).table("ids")
        return sorted((d["id"], d["officer"]) for d in table.all() if d["id"].startswith(prefix))

    def index_ids(self, officer_id: str, item_ids: Iterable[str]) -> None:
        """Record which officer each new item id belongs to."""
        by_bucket: dict[Path, list[str]] = {}
        for item_id in item_ids:
            by_bucket.setdefault(self._bucket_path(item_id), []).append(item_id)
        for path, ids in by_bucket.items():
            table = self._db(path).table("ids")
            known = {d["id"] for d in table.all()}
            table.insert_multiple({"id": i, "officer": officer_id} for i in ids if i not in known)

    # -- commit ------------------------------------------------------------------------------------------

    def commit(self) -> None:
        if not self._dirty:
            return
        store = self._store
        temps: list[tuple[Path, Path]] = []
        try:
            for path in sorted(self._dirty):
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + TMP)
                _write_file(tmp, orjson.dumps(self._data[path]))
                temps.append((tmp, path))
                _checkpoint("temp-written")
            if len(temps) > 1:
                body = orjson.dumps([[str(t), str(p)] for t, p in temps])
                journal_tmp = store.journal.with_name(store.journal.name + TMP)
                _write_file(journal_tmp, hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
                os.replace(journal_tmp, store.journal)
                _fsync_dir(store.journal.parent)
                _checkpoint("journal-written")
        except OSError as err:
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
            failed = temps[-1][1] if temps else store.path
            raise StoreError(f"{_describe(err, failed)}; nothing was changed") from None
        for tmp, path in temps:
            os.replace(tmp, path)
            _checkpoint("replaced")
        for folder in {p.parent for _, p in temps}:
            _fsync_dir(folder)
        if len(temps) > 1:
            store.journal.unlink()
            _fsync_dir(store.journal.parent)
        _checkpoint("committed")
        self._dirty.clear()


class Store:
    """A checklist database at ``path``; open a ``session`` to read or change it."""

    def __init__(self, path: Path, wait: float = 10.0):
        self.path = Path(path)
        self.folder = self.path.with_name(self.path.name + ".d")
        self.journal = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.wait = wait

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def session(self, *, write: bool = False, create: bool = False) -> Iterator[Session]:
        """Hold the lock, finish any interrupted change, and yield a session; commit on success.

        ``create`` allows a new database; without it a missing database is a clean refusal.
        """
        if not self.path.exists() and not create:
            raise InputError(
                f"there is no database at {self.path} yet; import a roster first: checklist import roster FILE"
            )
        if create:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(f"{_describe(err, self.path)}; nothing was changed") from None
        with self._locked(write):
            self._recover()
            session = Session(self, write)
            yield session
            if write:
                if create and not self.path.exists() and self.path not in session._dirty:
                    session.set_meta(created=datetime.now().astimezone().isoformat(timespec="seconds"))
                session.commit()

    @contextmanager
    def _locked(self, write: bool) -> Iterator[None]:
        lock = FileLock(str(self.lock_path), timeout=self.wait)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(f"the database is busy: {self._holder()} has held it for more than "
                             f"{self.wait:g} s; nothing was changed (try again, or give --wait SECONDS)") from None
        except OSError as err:
            if write or self.journal.exists():
                raise StoreError(f"{_describe(err, self.lock_path)}; nothing was changed") from None
            yield  # a read-only copy: read without the lock
            return
        try:
            self._note_holder()
            yield
        finally:
            lock.release()

    def _note_holder(self) -> None:
        info = f"{os.getpid()}\t{time.time():.0f}\t{' '.join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200]}"
        try:
            self.lock_path.with_name(self.lock_path.name + ".info").write_text(info, encoding="utf-8")
        except OSError:
            pass

    def _holder(self) -> str:
        try:
            pid, since, command = self.lock_path.with_name(self.lock_path.name + ".info").read_text(
                encoding="utf-8").split("\t", 2)
            started = datetime.fromtimestamp(int(since)).strftime("%H:%M:%S")
            return f"'{command}' (process {pid}, since {started})"
        except (OSError, ValueError):
            return "another checklist process"

    def _recover(self) -> None:
        """Finish a change a crash interrupted after its commit point; drop one interrupted before."""
        if self.journal.exists():
            try:
                raw = self.journal.read_bytes()
                digest, _, body = raw.partition(b"\n")
                if hashlib.sha256(body).hexdigest().encode() != digest:
                    raise ValueError("journal checksum")
                moves = orjson.loads(body)
            except (OSError, ValueError):
                moves = []
            try:
                for tmp, path in moves:
                    if os.path.exists(tmp):
                        os.replace(tmp, path)
                for folder in {Path(p).parent for _, p in moves}:
                    _fsync_dir(folder)
                self.journal.unlink()
                _fsync_dir(self.journal.parent)
            except OSError as err:
                raise StoreError(f"an interrupted change could not be completed: {_describe(err, self.path)}") from None
        self._clean_temps()

    def _clean_temps(self) -> None:
        """Remove temp files an interrupted change left behind (only ours: never a user's file)."""
        stale = [self.path.with_name(self.path.name + TMP), self.journal.with_name(self.journal.name + TMP)]
        for folder in (self.folder / "officers", self.folder / "ids"):
            try:
                with os.scandir(folder) as entries:
                    stale += [Path(e.path) for e in entries if e.name.endswith(".json" + TMP)]
            except OSError:
                continue
        for path in stale:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
