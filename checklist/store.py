"""The store: officers, items and their history, in TinyDB files plus an append-only log.

This is the only module that imports TinyDB. Everything else talks to a ``Session``.

On disk, for ``--db PATH`` (default ``<user data folder>/checklist.json``)::

    PATH                        TinyDB: table "meta" (one document), table "officers"
    PATH.d/officers/<o>.json    TinyDB per officer: table "items"
    PATH.d/history/<o>.json     TinyDB per officer: table "history" (that officer's log entries)
    PATH.d/ids/<xx>.json        TinyDB: table "ids", item id → officer, bucketed by the id's
                                first two characters (so ``done ID`` opens one small file)
    PATH.d/log.jsonl            every history entry, one JSON object per line, hash-chained
    PATH.lock                   the lock every session holds (PATH.lock.info says who holds it)
    PATH.journal                exists only while a change to several files is being applied

A command reads and changes one officer's files, not the whole database: that keeps ``today`` and
``done`` fast at any scale.

History. Every change to an item is an entry with a global sequence number, the hash of the
entry before it and its own hash (sha256 over the previous hash and the entry's canonical JSON).
Entries are appended to ``log.jsonl`` — a log only ever grows, so it is a plain file rather than
a TinyDB table, which would be rewritten whole on every change — and copied into the officer's
history file so ``show`` reads one small file. ``checklist audit verify`` re-links the chain and
replays it against the items (``checklist.audit``).

Writing. A session buffers every change in memory; on commit, each changed file is written to
``<file>.tmp`` and fsynced, and the log lines to append to ``log.jsonl.tmp``. A change to one
file is then a single ``os.replace`` (atomic). A change to more (any change with history) first
writes a journal naming the files and where the log ended (itself via a temp file and a rename):
that is the commit point. Then each temp file replaces its target, the log is cut back to where
it ended and the new lines appended, and the journal is removed. A crash before the journal
leaves the old state (the next session removes the temp files); a crash after it is completed
by the next session (roll forward). So the database is always either the old or the new state.

Serialising. Every session, reading or writing, holds ``PATH.lock`` (``checklist.lock``: flock) from
before its first read to after its last write, so two processes never interleave a
read-change-write. A reader in a read-only folder (a copy on a share) reads without the lock.

Testing hook: ``CHECKLIST_FAULT=<checkpoint>[:<n>]`` makes the process exit abruptly at the n-th
time (default the first) it passes that checkpoint — tests use it to show a crash at any step
leaves the old or the new state. Checkpoints: ``temp-written``, ``journal-written``,
``replaced``, ``log-partial`` (half the new log lines written), ``log-appended``, ``committed``.
``CHECKLIST_FAULT=enospc`` or ``erofs`` makes every write fail as on a full disk or a read-only
file system.
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
from checklist.lock import FileLock, LockTimeout
from tinydb import Query, TinyDB
from tinydb.storages import Storage

from checklist.errors import InputError, StoreError
from checklist.i18n import _

SCHEMA_VERSION = 1
PLAN_FIELDS = ("key", "title", "priority", "campaigns", "tags", "sources", "basis", "every")
TMP = ".tmp"
_FAULT = os.environ.get("CHECKLIST_FAULT", "")
_fault_counts: dict[str, int] = {}


def _checkpoint(name: str) -> None:
    if not _FAULT:
        return
    wanted, _colon, nth = _FAULT.partition(":")
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
    if _FAULT in ("enospc", "erofs"):
        raise OSError(errno.ENOSPC if _FAULT == "enospc" else errno.EROFS, os.strerror(
            errno.ENOSPC if _FAULT == "enospc" else errno.EROFS), str(path))
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
        return _("the disk is full while writing {path}").format(path=path)
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _("cannot write to {folder} (read-only or not permitted)").format(folder=path.parent)
    return _("cannot write {file}: {reason}").format(file=path, reason=err.strerror or err)


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
        self._log_head: tuple[int, str] | None = None
        self._log_lines: list[bytes] = []
        self._index_adds: dict[Path, dict[str, str]] = {}

    # -- files ---------------------------------------------------------------------------------

    def _load(self, path: Path) -> dict[str, Any]:
        if path not in self._data:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                raw = b""
            except OSError as err:
                raise StoreError(_("cannot read {file}: {reason}").format(file=path, reason=err.strerror or err)) from None
            try:
                data = orjson.loads(raw) if raw else {}
            except orjson.JSONDecodeError as err:
                raise StoreError(_("the database file {file} is damaged ({what}); nothing was changed — restore it "
                                   "from a backup").format(file=path, what=f"{err.msg} @ {err.pos}")) from None
            if not isinstance(data, dict):
                raise StoreError(_("the database file {file} is not a checklist database; nothing was changed").format(
                    file=path))
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

    def _history_path(self, officer_id: str) -> Path:
        return self._store.folder / "history" / f"{_file_stem(officer_id)}.json"

    def _bucket_path(self, item_id: str) -> Path:
        return self._store.folder / "ids" / f"{item_id[:2]}.json"

    # -- meta and officers -----------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        docs = list(self._table(self._store.path, "meta").values())
        return dict(docs[0]) if docs else {}

    def set_meta(self, **fields: Any) -> None:
        table = self._db(self._store.path).table("meta")
        if table.all():
            table.update(fields)
        else:
            table.insert({"schema": SCHEMA_VERSION, **fields})

    def officers(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self._table(self._store.path, "officers").values()]

    def officer(self, officer_id: str) -> dict[str, Any] | None:
        for doc in self._table(self._store.path, "officers").values():
            if doc["id"] == officer_id:
                return dict(doc)
        return None

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

    def _table(self, path: Path, name: str) -> dict[str, dict[str, Any]]:
        """A table's documents by doc id, straight from the parsed file.

        Bulk reads skip TinyDB's per-document wrapping, which costs more than parsing the JSON
        when a report reads every officer's items (0.75 s of 2.6 s at city scale).
        """
        table = self._load(path).get(name)
        return table if isinstance(table, dict) else {}

    def items(self, officer_id: str, due_from: str = "", due_to: str = "9999") -> list[dict[str, Any]]:
        """An officer's items (due in ``due_from``..``due_to``, ISO dates), with their plan's fields."""
        path = self._officer_path(officer_id)
        plans = {p["id"]: p for p in self._table(path, "plans").values()}
        items = []
        for doc in self._table(path, "items").values():
            if not due_from <= doc["due"] <= due_to:
                continue
            item = {"officer": officer_id, **doc}
            plan = plans.get(doc.get("plan"))
            if plan is None:
                raise StoreError(_("the database file {file} is damaged ({what}); nothing was changed — restore it "
                                   "from a backup").format(file=path, what=f"item {doc.get('id')} has no plan"))
            for name in PLAN_FIELDS:
                item[name] = plan.get(name)
            del item["plan"]
            items.append(item)
        return items

    def put_items(self, officer_id: str, items: list[dict[str, Any]]) -> None:
        """Replace all of an officer's items.

        What items share — title, campaigns, priority, tags, sources — is stored once per distinct
        combination (table "plans"); each item keeps its own id, period, due date and state. That
        makes an officer's file about a fifth of the size, and every command that reads it faster.
        """
        plans: dict[str, dict[str, Any]] = {}
        docs: dict[str, dict[str, Any]] = {}
        for n, item in enumerate(items, start=1):
            plan = {name: item.get(name) for name in PLAN_FIELDS}
            plan_id = hashlib.sha1(orjson.dumps(plan, option=orjson.OPT_SORT_KEYS)).hexdigest()[:10]
            plans.setdefault(plan_id, {"id": plan_id, **plan})
            doc = {k: v for k, v in item.items() if k not in PLAN_FIELDS and k != "officer" and v is not None}
            doc["plan"] = plan_id
            docs[str(n)] = doc
        self._changed(self._officer_path(officer_id), {
            "items": docs, "plans": {str(n): p for n, p in enumerate(plans.values(), start=1)}})

    def update_item(self, officer_id: str, item_id: str, fields: dict[str, Any]) -> None:
        items = self.items(officer_id)
        for item in items:
            if item["id"] == item_id:
                item.update(fields)
                break
        else:
            raise InputError(_("no item '{typed}' (ids are shown by checklist today)").format(typed=item_id))
        self.put_items(officer_id, items)

    def history(self, officer_id: str, item_id: str | None = None) -> list[dict[str, Any]]:
        table = self._db(self._history_path(officer_id)).table("history")
        docs = table.all() if item_id is None else table.search(Query().item == item_id)
        return sorted((dict(d) for d in docs), key=lambda d: d["seq"])

    def append_history(self, officer_id: str, entries: list[dict[str, Any]]) -> None:
        """Chain ``entries`` onto the log (sequence, previous hash, own hash) and copy them to the officer."""
        if not entries:
            return
        if self._log_head is None:
            self._log_head = self._store.log_head()
        seq, previous = self._log_head
        chained = []
        for entry in entries:
            seq += 1
            entry = {**entry, "officer": officer_id, "seq": seq, "prev": previous}
            entry["hash"] = previous = entry_hash(entry)
            chained.append(entry)
            self._log_lines.append(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS) + b"\n")
        self._log_head = (seq, previous)
        self._db(self._history_path(officer_id)).table("history").insert_multiple(chained)

    # -- the id index ----------------------------------------------------------------------------------

    def find_ids(self, prefix: str) -> list[tuple[str, str]]:
        """``(item id, officer id)`` for every indexed id starting with ``prefix`` (≥ 2 characters)."""
        docs = self._table(self._bucket_path(prefix), "ids").values()
        return sorted((d["id"], d["officer"]) for d in docs if d["id"].startswith(prefix))

    def index_ids(self, officer_id: str, item_ids: Iterable[str]) -> None:
        """Record which officer each new item id belongs to (written with the rest at commit)."""
        for item_id in item_ids:
            self._index_adds.setdefault(self._bucket_path(item_id), {})[item_id] = officer_id

    def _flush_index(self) -> None:
        for path, adds in self._index_adds.items():
            table = dict(self._table(path, "ids"))
            known = {d["id"] for d in table.values()}
            n = max((int(k) for k in table), default=0)
            for item_id, officer in adds.items():
                if item_id not in known:
                    n += 1
                    table[str(n)] = {"id": item_id, "officer": officer}
            self._changed(path, {**self._load(path), "ids": table})
        self._index_adds.clear()

    # -- commit ------------------------------------------------------------------------------------------

    def commit(self) -> None:
        self._flush_index()
        if not self._dirty and not self._log_lines:
            return
        store = self._store
        temps: list[tuple[Path, Path]] = []
        log_tmp = store.log.with_name(store.log.name + TMP)
        try:
            for path in sorted(self._dirty):
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.name + TMP)
                temps.append((tmp, path))  # listed first, so a half-written one is cleaned up too
                _write_file(tmp, orjson.dumps(self._data[path]))
                _checkpoint("temp-written")
            journal = None
            if self._log_lines:
                _write_file(log_tmp, b"".join(self._log_lines))
                journal = {"moves": [[str(t), str(p)] for t, p in temps], "log": [str(log_tmp), str(store.log),
                                                                                  store.log_size()]}
            elif len(temps) > 1:
                journal = {"moves": [[str(t), str(p)] for t, p in temps], "log": None}
            if journal is not None:
                body = orjson.dumps(journal)
                journal_tmp = store.journal.with_name(store.journal.name + TMP)
                _write_file(journal_tmp, hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
                os.replace(journal_tmp, store.journal)
                _fsync_dir(store.journal.parent)
                _checkpoint("journal-written")
        except OSError as err:
            for tmp, _path in temps:
                tmp.unlink(missing_ok=True)
            log_tmp.unlink(missing_ok=True)
            failed = temps[-1][1] if temps else store.path
            raise StoreError(_("{problem}; nothing was changed").format(problem=_describe(err, failed))) from None
        try:
            if journal is None:
                tmp, path = temps[0]
                os.replace(tmp, path)
                _checkpoint("replaced")
                _fsync_dir(path.parent)
            else:
                store._apply(journal)
        except OSError as err:  # after the commit point: the change is recorded, the next command finishes it
            raise StoreError(_("{problem}; the change is recorded and will be completed by the next command once "
                               "that is fixed").format(problem=_describe(err, store.log))) from None
        _checkpoint("committed")
        self._dirty.clear()
        self._log_lines.clear()


def entry_hash(entry: dict[str, Any]) -> str:
    """sha256 over the previous entry's hash and this entry's canonical JSON (without its own hash)."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(entry["prev"].encode() + orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


GENESIS = "0" * 64


class Store:
    """A checklist database at ``path``; open a ``session`` to read or change it."""

    def __init__(self, path: Path, wait: float = 10.0):
        self.path = Path(path).absolute()  # the journal names files: it must not depend on the cwd
        self.folder = self.path.with_name(self.path.name + ".d")
        self.journal = self.path.with_name(self.path.name + ".journal")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.log = self.folder / "log.jsonl"
        self.wait = wait

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except FileNotFoundError:
            return 0

    def log_head(self) -> tuple[int, str]:
        """(sequence, hash) of the log's last entry; (0, GENESIS) for an empty log."""
        try:
            with open(self.log, "rb") as f:
                f.seek(0, os.SEEK_END)
                end = f.tell()
                if end == 0:
                    return 0, GENESIS
                tail = b""
                position = end
                # read back until the last line is whole (a line with a long note can be long)
                while position > 0 and tail.rstrip(b"\n").count(b"\n") == 0:
                    step = min(position, 65536)
                    position -= step
                    f.seek(position)
                    tail = f.read(step) + tail
        except FileNotFoundError:
            return 0, GENESIS
        except OSError as err:
            raise StoreError(_("cannot read {file}: {reason}").format(file=self.log, reason=err.strerror or err)) from None
        try:
            last = orjson.loads(tail.rstrip(b"\n").rsplit(b"\n", 1)[-1])
            return int(last["seq"]), str(last["hash"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            raise StoreError(_("the history log {file} is damaged at its end; nothing was changed — run checklist "
                               "audit verify").format(file=self.log)) from None

    def _apply(self, journal: dict[str, Any]) -> None:
        """Carry out a committed journal: replace the files, extend the log, drop the journal.

        Safe to run again after a crash part-way: each step checks what is already done.
        """
        moves = journal.get("moves", [])
        for tmp, path in moves:
            if os.path.exists(tmp):
                os.replace(tmp, path)
                _checkpoint("replaced")
        for folder in {Path(p).parent for _tmp, p in moves}:
            _fsync_dir(folder)
        if journal.get("log"):
            tmp, log, size = journal["log"]
            if os.path.exists(tmp):
                lines = Path(tmp).read_bytes()
                Path(log).parent.mkdir(parents=True, exist_ok=True)
                with open(log, "ab") as f:
                    f.truncate(size)  # a crash may have left part of these lines: start them again
                    f.seek(size)
                    if _FAULT.startswith("log-partial"):
                        f.write(lines[: len(lines) // 2])
                        f.flush()
                        _checkpoint("log-partial")
                    f.write(lines)
                    f.flush()
                    os.fsync(f.fileno())
                _checkpoint("log-appended")
                os.unlink(tmp)
        self.journal.unlink(missing_ok=True)
        _fsync_dir(self.journal.parent)

    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def session(self, *, write: bool = False, create: bool = False) -> Iterator[Session]:
        """Hold the lock, finish any interrupted change, and yield a session; commit on success.

        ``create`` allows a new database; without it a missing database is a clean refusal.
        """
        missing = InputError(_("there is no database at {path} yet; import a roster first: checklist import roster "
                               "FILE").format(path=self.path))
        if not self.path.exists() and not self.journal.exists() and not create:
            raise missing
        if create:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(_("{problem}; nothing was changed").format(problem=_describe(err, self.path))) from None
        with self._locked(write):
            self._recover()
            if not self.path.exists() and not create:  # a first import that never got committed
                raise missing
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
        except LockTimeout:
            raise StoreError(_("the database is busy: {holder} has held it for more than {seconds} s; nothing was "
                               "changed (try again, or give --wait SECONDS)").format(
                holder=self._holder(), seconds=f"{self.wait:g}")) from None
        except OSError as err:
            if write or self.journal.exists():
                raise StoreError(_("{problem}; nothing was changed").format(
                    problem=_describe(err, self.lock_path))) from None
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
            return _("'{command}' (process {pid}, since {time})").format(command=command, pid=pid, time=started)
        except (OSError, ValueError):
            return _("another checklist process")

    def _recover(self) -> None:
        """Finish a change a crash interrupted after its commit point; drop one interrupted before."""
        if self.journal.exists():
            try:
                raw = self.journal.read_bytes()
                digest, _newline, body = raw.partition(b"\n")
                if hashlib.sha256(body).hexdigest().encode() != digest:
                    raise ValueError("journal checksum")
                journal = orjson.loads(body)
            except (OSError, ValueError):
                journal = {}
            try:
                self._apply(journal)
            except OSError as err:
                raise StoreError(_("an interrupted change could not be completed: {problem}").format(
                    problem=_describe(err, self.path))) from None
        self._clean_temps()

    def _clean_temps(self) -> None:
        """Remove temp files an interrupted change left behind (only ours: never a user's file)."""
        stale = [self.path.with_name(self.path.name + TMP), self.journal.with_name(self.journal.name + TMP),
                 self.log.with_name(self.log.name + TMP)]
        for folder in (self.folder / "officers", self.folder / "history", self.folder / "ids"):
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
