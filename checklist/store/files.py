"""The file database: TinyDB-format JSON files beside the ``--db`` path, written copy-on-write.

On disk, for ``--db PATH`` (default ``<user data folder>/checklist.json``)::

    PATH                          the manifest (TinyDB JSON): tables store, meta, officers, files,
                                  buckets, garbage — it names every other file and its size
    PATH.d/items/<o>.<g>.json     one officer's items (tables items, plans), written at generation g
    PATH.d/history/<o>.jsonl      that officer's history entries (copies of the log's), append-only
    PATH.d/ids/<xx>.<g>.json      item id → officer for ids starting with xx (so ``done ID`` opens one)
    PATH.d/templates/<h>.json     an applied templates bundle, named by its content
    PATH.d/log.jsonl              every history entry, one JSON object per line, hash-chained
    PATH.d/pending                present only while a write is under way (a crash leaves it)
    PATH.lock, PATH.lock.info     the writers' lock, and who holds it

A symlink at ``PATH`` is followed deliberately: the database lives beside the file it points to.

Writing. A writer holds ``PATH.lock``, reads the manifest, and for its change writes *new* files
(``<o>.<g+1>.json``), appends to ``log.jsonl`` and the officers' ``history/*.jsonl`` past the
lengths the manifest records, fsyncs them and their folders, and then replaces the manifest with
one naming the new files and lengths (temp file, fsync, ``os.replace``, fsync of the folder).
That rename is the commit point: before it, readers and the next writer see the old state (the
new files are unnamed leftovers, the appended bytes lie past the recorded lengths; the next
writer removes and cuts them back); after it, the new state. There is no journal to obey: the
only file that names others is the manifest, and every name in it must have the shape this
module generates, inside this folder — anything else is refused as damage (exit 3).

Reading. A reader reads the manifest once and then only files it names, up to the lengths it
records: a consistent snapshot, with no lock, beside any writer (and on a read-only copy).
Replaced files are kept for ``GRACE`` seconds (table garbage) before a writer deletes them, so a
reader that started earlier can finish.

Nothing the manifest names may be missing, shorter than recorded or unparseable: that is damage,
reported with the file's name (exit 3) and never "repaired" by writing over it.

Testing hook: ``CHECKLIST_FAULT=<checkpoint>[:<n>]`` ends the process abruptly the n-th time
(default the first) it passes a checkpoint — ``file-written``, ``log-partial``, ``log-written``,
``copies-written``, ``manifest-written``, ``committed`` — so tests can show a crash at any step
leaves the old or the new state. ``CHECKLIST_FAULT=slow:<ms>`` pauses at each checkpoint instead
(to aim a kill at the commit window); ``enospc`` and ``erofs`` make every write fail as on a full
disk or a read-only file system.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from checklist.core.history import GENESIS, PLAN_FIELDS
from checklist.errors import StoreError
from checklist.i18n import _, ngettext
from checklist.store.contract import (
    Change, Finding, LogLine, MissingDatabase, case_ok, collector_paused, day_item, due_ok, follow_up_ok, last_number,
    merge_items, record_ok, stamp_templates,
)
from checklist.store.lock import FileLock, LockTimeout

SCHEMA = 4
FOLLOW_UPS_SCHEMA = 3  # the first schema with the follow-up register; a database without one stays at 2
CASES_SCHEMA = 4  # the first with cases: an older checklist would sync their items away
GRACE = 600.0  # seconds a replaced file is kept for readers that started before the replacement
GARBAGE_PER_WRITE = 300  # replaced files one write deletes at most (a big import replaces thousands)
MAX_MANIFEST = 512 * 1024 * 1024
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
CLOEXEC = getattr(os, "O_CLOEXEC", 0)
NAMES = {  # every file name this module generates, by folder (a write's new files carry its own nonce)
    "items": re.compile(r"[a-z0-9_-]{0,40}-[0-9a-f]{8}\.[0-9]{1,15}-[0-9a-f]{8}\.json"),
    "history": re.compile(r"[a-z0-9_-]{0,40}-[0-9a-f]{8}\.jsonl"),
    "ids": re.compile(r"[0-9a-z]{2}\.[0-9]{1,15}-[0-9a-f]{8}\.json"),
    "templates": re.compile(r"[0-9a-f]{16}\.json"),
    "cases": re.compile(r"cases\.[0-9]{1,15}-[0-9a-f]{8}\.json"),
}
FOLDERS = ("items", "history", "ids", "templates", "cases")
TABLES = ("store", "meta", "officers", "files", "buckets", "garbage")

_fault_counts: dict[str, int] = {}


def _fault() -> str:
    return os.environ.get("CHECKLIST_FAULT", "")


def _checkpoint(name: str) -> None:
    fault = _fault()
    if not fault:
        return
    wanted, _colon, nth = fault.partition(":")
    if wanted == "slow":
        time.sleep(int(nth or 50) / 1000)
    elif wanted == name:
        _fault_counts[name] = _fault_counts.get(name, 0) + 1
        if _fault_counts[name] == int(nth or 1):
            os._exit(86)


def _injected(path: Path) -> None:
    """``CHECKLIST_FAULT=enospc[:n]`` / ``erofs[:n]``: the n-th write (default the first) fails."""
    kind, _colon, nth = _fault().partition(":")
    if kind in ("enospc", "erofs"):
        _fault_counts[kind] = _fault_counts.get(kind, 0) + 1
        if _fault_counts[kind] >= int(nth or 1):
            code = errno.ENOSPC if kind == "enospc" else errno.EROFS
            raise OSError(code, os.strerror(code), str(path))


def file_stem(officer_id: str) -> str:
    """A file name for an officer id that is safe on every file system and never collides."""
    digest = hashlib.sha256(officer_id.encode("utf-8")).hexdigest()[:8]
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", officer_id)[:40].lower()
    return f"{readable}-{digest}"


def describe(err: OSError, path: Path) -> str:
    """An OS error in words a user can act on."""
    if err.errno == errno.ENOSPC:
        return _("the disk is full while writing {path}").format(path=path)
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _("cannot write to {folder} (read-only or not permitted)").format(folder=path.parent)
    if err.errno == errno.ENAMETOOLONG:
        return _("the path {path} is too long").format(path=str(path)[:80] + "…")
    return _("cannot use {file}: {reason}").format(file=path, reason=err.strerror or err)


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


def _damaged(path: Path | str, what: str) -> StoreError:
    return StoreError(_("the database file {file} is damaged ({what}); nothing was changed — restore it from a "
                        "backup (checklist doctor says how)").format(file=path, what=what))


def _linked(path: Path) -> StoreError:
    return StoreError(_("{file} has other names (hard links) outside the database; adding to it would change them "
                        "too, so nothing was changed — make it a file of its own: cp -p {file} {file}.copy && mv "
                        "{file}.copy {file}").format(file=path))


def _links(path: Path) -> int:
    try:
        return os.lstat(path).st_nlink
    except OSError:
        return 1


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(folder, os.O_RDONLY | CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_regular(path: Path, size: int | None, limit: int = MAX_MANIFEST) -> bytes:
    """A regular file's bytes (never a symlink, device or pipe); its size must be ``size`` if given."""
    fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _damaged(path, _("not a regular file"))
        if size is not None and info.st_size < size:
            raise _damaged(path, _("{n} bytes where the database recorded {m}").format(n=info.st_size, m=size))
        wanted = size if size is not None else info.st_size
        if wanted > limit:
            raise _damaged(path, _("{n} bytes, more than a database file can be").format(n=wanted))
        chunks = []
        while wanted > 0:
            chunk = os.read(fd, min(wanted, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _create(path: Path, data: bytes, created: list[Path] | None = None, *, sync: bool = True) -> None:
    """A new file with exactly ``data``, fsynced (``sync=False``: by the caller, see ``_sync_all``).

    It must not exist: a write's names are its own. ``created`` is told about the file before a
    byte is written, so a failure half-way through still leaves it on the list of what to remove.
    """
    _injected(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | CLOEXEC, 0o666)
    if created is not None:
        created.append(path)
    try:
        _write_all(fd, memoryview(data))
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view):]


def _sync_all(paths: list[Path]) -> None:
    """fsync many files at once: the file system commits them together instead of one by one.

    A roster import that changes 150 officers appends to 150 history files; one after another,
    their fsyncs took most of a second at province scale.
    """
    def sync(path: Path) -> None:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    if len(paths) < 4:
        for path in paths:
            sync(path)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(16, len(paths))) as pool:
        list(pool.map(sync, paths))


class _Interleaved(Exception):
    """Bytes appeared past a recorded length while this write held the lock: another writer is at work."""


def _append(path: Path, recorded: int, data: bytes, *, half_then_die: bool = False, sync: bool = True) -> None:
    """Append ``data`` to an append-only file whose committed length is ``recorded``.

    The file must end exactly there: the writer cut off any crashed write's leftovers when it
    took the lock (``FileStore._tidy``), so bytes past it now can only be another writer's — one
    that got in because the lock file was deleted — and are never cut or written over. The bytes
    go on with O_APPEND; if they did not land at ``recorded``, the write is abandoned.
    """
    _injected(path)
    try:  # a file the database says has content must be there: it is never made afresh
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | (os.O_CREAT if recorded == 0 else 0) | NOFOLLOW | CLOEXEC,
                     0o666)
    except FileNotFoundError:
        raise _damaged(path, _("the file is missing")) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _damaged(path, _("not a regular file"))
        if info.st_nlink > 1:
            raise _linked(path)
        if info.st_size < recorded:
            raise _damaged(path, _("{n} bytes where the database recorded {m}").format(n=info.st_size, m=recorded))
        if info.st_size > recorded:
            raise _Interleaved()
        view = memoryview(data)
        first = os.write(fd, view[: len(view) // 2] if half_then_die else view)
        if os.lseek(fd, 0, os.SEEK_CUR) - first != recorded:
            raise _Interleaved()
        if half_then_die:
            os.fsync(fd)
            _checkpoint("log-partial")
        _write_all(fd, view[first:])
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _cut_back(path: Path, recorded: int) -> bool:
    """Take appended bytes off again; False if that failed (readers ignore them anyway)."""
    try:
        fd = os.open(path, os.O_WRONLY | NOFOLLOW | CLOEXEC)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
            return True  # not the store's own file: left alone
        if info.st_size > recorded:
            os.ftruncate(fd, recorded)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _undo(created: list[Path], appended: list[tuple[Path, int]], marker: Path, shared: bool) -> None:
    """Before the commit point: remove what this write made, so nothing at all has changed.

    Its own files (named with its nonce) always go. Appended bytes are cut back only when
    ``shared`` is true — this writer still holds the lock and the manifest is the one it read;
    otherwise they may lie under another writer's, and stay past the recorded length for the next
    writer to tidy (readers never read them).
    """
    tidy = shared
    for path in created:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            tidy = False
    if shared:
        for path, size in appended:
            tidy = _cut_back(path, size) and tidy
    if tidy:  # else the marker stays, and the next writer finishes the tidying
        try:
            marker.unlink()
        except OSError:
            pass


def _table(doc: dict[str, Any], name: str, path: Path, *, checked: bool = True) -> list[dict[str, Any]]:
    """A TinyDB table's records; ``checked=False`` leaves checking each record to the caller (bulk reads)."""
    table = doc.get(name, {})
    if not isinstance(table, dict) or (checked and not all(isinstance(v, dict) for v in table.values())):
        raise _damaged(path, _("table '{name}' is not a table of records").format(name=name))
    return list(table.values())


def _as_table(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(n): r for n, r in enumerate(records, start=1)}


@dataclass
class Manifest:
    """The parsed, checked manifest: what the database is at one generation."""

    store: dict[str, Any]
    meta: dict[str, Any]
    officers: dict[str, dict[str, Any]]
    files: dict[str, dict[str, Any]]  # officer → {"items", "size", "history", "entries"}
    buckets: dict[str, dict[str, Any]]  # two characters → {"file", "size"}
    garbage: list[dict[str, Any]] = field(default_factory=list)
    follow_ups: dict[str, dict[str, Any]] = field(default_factory=dict)  # the 督办 register, by id

    @property
    def generation(self) -> int:
        return int(self.store["generation"])

    def names(self) -> set[str]:
        """Every file (``folder/name``) this manifest refers to."""
        named = {f"items/{f['items']}" for f in self.files.values() if f.get("items")}
        named |= {f"history/{file_stem(o)}.jsonl" for o in self.files}
        named |= {f"ids/{b['file']}" for b in self.buckets.values()}
        if self.store.get("templates"):
            named.add(f"templates/{self.store['templates']['file']}")
        if self.store.get("cases"):
            named.add(f"cases/{self.store['cases']['file']}")
        return named

    def dumps(self) -> bytes:
        return orjson.dumps({
            "store": _as_table([self.store]), "meta": _as_table([self.meta]),
            "officers": _as_table(list(self.officers.values())),
            "files": _as_table([{"officer": o, **f} for o, f in self.files.items()]),
            "buckets": _as_table([{"bucket": b, **f} for b, f in self.buckets.items()]),
            "garbage": _as_table(self.garbage),
            **({"follow_ups": _as_table(list(self.follow_ups.values()))} if self.follow_ups else {}),
        })


def _check_name(folder: str, name: Any, path: Path) -> str:
    if not isinstance(name, str) or not NAMES[folder].fullmatch(name):
        raise _damaged(path, _("it names a file checklist does not make: {name}").format(name=repr(name)[:60]))
    return name


def _check_size(value: Any, path: Path) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _damaged(path, _("a recorded size is not a number"))
    return value


def _is_day(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-" and (
        value.replace("-", "").isdigit())


def _check_officer(doc: dict[str, Any], path: Path) -> None:
    """A roster record with the types every command relies on."""
    if not all(isinstance(doc.get(name, ""), str) for name in ("id", "name", "court", "department")) \
            or not (doc.get("lead") is None or isinstance(doc.get("lead"), str)) \
            or not all(isinstance(doc.get(name, []), list) and all(isinstance(r, str) for r in doc.get(name, []))
                       for name in ("roles", "tags")) \
            or not (doc.get("since") is None or _is_day(doc.get("since"))):
        raise _damaged(path, _("the roster record of {id} is not what checklist writes").format(id=doc.get("id")))


def _check_meta(meta: dict[str, Any], path: Path) -> None:
    """The metadata commands read: campaigns, the calendar, the templates record."""
    campaigns = meta.get("campaigns", {})
    templates = meta.get("templates", {})
    calendar = meta.get("calendar", {})
    ok = isinstance(campaigns, dict) and all(
        isinstance(c, dict) and all(isinstance(c.get(n, ""), str) for n in ("name", "short"))
        and all(_is_day(c[n]) for n in ("start", "end") if n in c)
        and isinstance(c.get("phases", []), list) and all(
            isinstance(p, list) and len(p) == 3 and isinstance(p[0], str) and _is_day(p[1]) and _is_day(p[2])
            for p in c.get("phases", []))
        for c in campaigns.values())
    ok = ok and isinstance(templates, dict) and all(
        isinstance(templates.get(n, ""), str) for n in ("fingerprint", "applied_at", "applied_by", "folder")) and (
        "seq" not in templates or (type(templates["seq"]) is int and templates["seq"] > 0))
    ok = ok and isinstance(calendar, dict) and all(
        isinstance(calendar.get(n, []), list) and all(_is_day(d) for d in calendar.get(n, [])) for n in ("rest", "work")
    ) and isinstance(calendar.get("years", []), list) and all(
        isinstance(y, int) and not isinstance(y, bool) for y in calendar.get("years", []))
    if not ok:
        raise _damaged(path, _("its metadata (campaigns, calendar or templates) is not what checklist writes"))


PLAN_TYPES = {"key": str, "title": str, "priority": str, "every": str, "campaigns": list, "tags": list,
              "sources": list}


def _check_plans(plans: dict[str, dict[str, Any]], path: Path) -> None:
    for plan in plans.values():
        if not all(isinstance(plan.get(name), kind) for name, kind in PLAN_TYPES.items()) or not (
                plan.get("basis") is None or isinstance(plan.get("basis"), str)) or not all(
                isinstance(c, str) for c in plan["campaigns"]):
            raise _damaged(path, _("an item is incomplete"))


def parse_manifest(raw: bytes, path: Path) -> Manifest:
    if not raw.strip():
        raise _damaged(path, _("it is empty"))
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise _damaged(path, f"{err.msg} @ {err.pos}") from None
    if not isinstance(doc, dict):
        raise _damaged(path, _("not a checklist database"))
    if "store" not in doc:
        old = _table(doc, "meta", path)
        if old and old[0].get("schema") == 1:
            raise StoreError(_("{file} was written by checklist 0.1; run checklist db upgrade to convert it "
                               "(nothing was changed)").format(file=path))
        raise _damaged(path, _("not a checklist database"))
    store = _table(doc, "store", path)
    if len(store) != 1 or not isinstance(store[0].get("schema"), int):
        raise _damaged(path, _("no schema version"))
    store_doc = store[0]
    if store_doc["schema"] > SCHEMA:
        raise StoreError(_("{file} was written by a newer checklist (schema {n}); upgrade checklist to use it").format(
            file=path, n=store_doc["schema"]))
    if not isinstance(store_doc.get("generation"), int) or isinstance(store_doc["generation"], bool) \
            or store_doc["generation"] < 0:
        raise _damaged(path, _("no generation number"))
    log = store_doc.get("log")
    if not isinstance(log, dict) or not isinstance(log.get("hash"), str) or not isinstance(log.get("seq"), int):
        raise _damaged(path, _("the history log's length is not recorded"))
    _check_size(log.get("size"), path)
    for name, damage in (("templates", _("the templates are not recorded properly")),
                         ("cases", _("the cases are not recorded properly"))):
        ref = store_doc.get(name)
        if ref is None:
            continue
        if not isinstance(ref, dict):
            raise _damaged(path, damage)
        _check_name(name, ref.get("file"), path)
        _check_size(ref.get("size"), path)
    meta = _table(doc, "meta", path)
    if meta:
        _check_meta(meta[0], path)
    officers: dict[str, dict[str, Any]] = {}
    for officer in _table(doc, "officers", path):
        if not isinstance(officer.get("id"), str):
            raise _damaged(path, _("an officer has no id"))
        _check_officer(officer, path)
        officers[officer["id"]] = officer
    files: dict[str, dict[str, Any]] = {}
    for ref in _table(doc, "files", path):
        if not isinstance(ref.get("officer"), str):
            raise _damaged(path, _("a file record names no officer"))
        if "items" not in ref:
            raise _damaged(path, _("a file record names no items file"))
        if ref["items"] is not None:
            _check_name("items", ref["items"], path)
        for name in ("size", "history", "entries"):
            _check_size(ref.get(name), path)
        files[ref.pop("officer")] = ref
    buckets: dict[str, dict[str, Any]] = {}
    for ref in _table(doc, "buckets", path):
        _check_name("ids", ref.get("file"), path)
        _check_size(ref.get("size"), path)
        if not isinstance(ref.get("bucket"), str):
            raise _damaged(path, _("an index bucket has no name"))
        buckets[ref.pop("bucket")] = ref
    garbage = _table(doc, "garbage", path)
    for ref in garbage:
        if not isinstance(ref.get("since"), (int, float)) or isinstance(ref.get("since"), bool):
            raise _damaged(path, _("a recorded size is not a number"))
        folder, _slash, name = str(ref.get("file", "")).partition("/")
        if folder not in NAMES:
            raise _damaged(path, _("it names a file checklist does not make: {name}").format(name=ref.get("file")))
        _check_name(folder, name, path)
    follow_ups: dict[str, dict[str, Any]] = {}
    for record in _table(doc, "follow_ups", path):
        if not follow_up_ok(record):
            raise _damaged(path, _("a follow-up record is incomplete"))
        follow_ups[record["id"]] = record
    return Manifest(store_doc, meta[0] if meta else {}, officers, files, buckets, garbage, follow_ups)


class FileReader:
    """A snapshot of the database as one manifest describes it."""

    def __init__(self, db: FileStore, manifest: Manifest):
        self._db = db
        self._manifest = manifest
        self.location = str(db.path)
        self._items_cache: dict[str, tuple[Path, dict[str, dict[str, Any]], list[dict[str, Any]]]] = {}

    # -- reading the files the manifest names ---------------------------------------------------------

    def _read(self, folder: str, name: str, size: int | None) -> bytes:
        path = self._db.folder / folder / name
        try:
            return _read_regular(path, size)
        except FileNotFoundError:
            raise self._missing(path) from None
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise _damaged(path, _("not a regular file")) from None
            raise StoreError(_("cannot read {file}: {reason}").format(file=path, reason=err.strerror or err)) from None

    def _missing(self, path: Path) -> StoreError:
        """A named file is gone: the database changed under a very long read, or it was damaged."""
        try:
            now = parse_manifest(_read_regular(self._db.path, None), self._db.path)
            changed = now.generation != self._manifest.generation
        except (OSError, StoreError):
            changed = False
        if changed:
            return StoreError(_("the database changed while this command read it (for more than {n} minutes); run "
                                "it again").format(n=int(GRACE // 60)))
        return _damaged(path, _("the file is missing"))

    def _json(self, folder: str, name: str, size: int) -> dict[str, Any]:
        raw = self._read(folder, name, size)
        path = self._db.folder / folder / name
        try:
            doc = _loads_without_collecting(raw)
        except orjson.JSONDecodeError as err:
            raise _damaged(path, f"{err.msg} @ {err.pos}") from None
        if not isinstance(doc, dict):
            raise _damaged(path, _("not a table file"))
        return doc

    # -- the contract -------------------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        return dict(self._manifest.meta)

    def officers(self) -> list[dict[str, Any]]:
        return [dict(o) for o in self._manifest.officers.values()]

    def officer(self, officer_id: str) -> dict[str, Any] | None:
        found = self._manifest.officers.get(officer_id)
        return dict(found) if found is not None else None

    def _officer_file(self, officer_id: str) -> tuple[Path, dict[str, dict[str, Any]], list[dict[str, Any]]]:
        """(path, plans by id, stored item records) of an officer's items file, parsed once per session.

        Only the last few are kept: a report or an audit reads every officer once, and memory
        must not grow with the number of officers.
        """
        cached = self._items_cache.pop(officer_id, None)
        if cached is None:
            ref = self._manifest.files.get(officer_id)
            if ref is None or ref.get("items") is None:
                return self._db.folder, {}, []
            path = self._db.folder / "items" / ref["items"]
            doc = self._json("items", ref["items"], ref["size"])
            try:
                plans = {p["id"]: p for p in _table(doc, "plans", path)}
            except (KeyError, TypeError):
                raise _damaged(path, _("an item is incomplete")) from None
            _check_plans(plans, path)
            cached = (path, plans, _table(doc, "items", path, checked=False))
            while len(self._items_cache) >= 32:
                self._items_cache.pop(next(iter(self._items_cache)))
        self._items_cache[officer_id] = cached
        return cached

    def items(self, officer_id: str, due_from: str = "", due_to: str = "9999") -> list[dict[str, Any]]:
        return self._items(officer_id, lambda record: due_from <= record["due"] <= due_to)

    def day_items(self, officer_id: str, first: str, last: str, today: str) -> list[dict[str, Any]]:
        return self._items(officer_id, lambda record: day_item(record, first, last, today))

    def _items(self, officer_id: str, wanted: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        path, plans, stored = self._officer_file(officer_id)
        items = []
        try:
            for record in stored:
                if not due_ok(record):
                    raise TypeError
                if not wanted(record):
                    continue
                if not record_ok(record):  # every record a command uses, whole
                    raise TypeError
                item = {"officer": officer_id, **record}
                plan = plans[item.pop("plan")]
                for name in PLAN_FIELDS:
                    item[name] = plan.get(name)
                items.append(item)
        except (KeyError, TypeError, AttributeError):
            raise _damaged(path, _("an item is incomplete")) from None
        return items

    def find_ids(self, prefix: str) -> list[tuple[str, str]]:
        ref = self._manifest.buckets.get(prefix[:2])
        if ref is None:
            return []
        path = self._db.folder / "ids" / ref["file"]
        try:
            found = sorted((d["id"], d["officer"]) for d in _table(self._json("ids", ref["file"], ref["size"]), "ids",
                                                                   path) if str(d["id"]).startswith(prefix))
            if not all(type(i) is str and type(o) is str for i, o in found):
                raise TypeError
            return found
        except (KeyError, TypeError):
            raise _damaged(path, _("an index record is incomplete")) from None

    def history(self, officer_id: str) -> list[dict[str, Any]]:
        ref = self._manifest.files.get(officer_id)
        if ref is None or not ref["history"]:
            return []
        name = f"{file_stem(officer_id)}.jsonl"
        raw = self._read("history", name, ref["history"])
        path = self._db.folder / "history" / name
        entries = []
        for number, line in enumerate(raw.splitlines(), start=1):
            try:
                entry = orjson.loads(line)
                if not isinstance(entry, dict):
                    raise ValueError
            except ValueError:
                raise _damaged(f"{path}:{number}", _("not a whole history entry")) from None
            entries.append(entry)
        return entries

    def head(self) -> tuple[int, str]:
        log = self._manifest.store["log"]
        return int(log["seq"]), str(log["hash"]) if log["seq"] else GENESIS

    def log(self, after: int = 0) -> Iterator[LogLine]:
        size = self._manifest.store["log"]["size"]
        path = self._db.log
        if not size:
            return
        try:
            handle = os.fdopen(os.open(path, os.O_RDONLY | NOFOLLOW | CLOEXEC), "rb")
        except FileNotFoundError:
            raise _damaged(path, _("the file is missing")) from None
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise _damaged(path, _("not a regular file")) from None
            raise StoreError(_("cannot read {file}: {reason}").format(file=path, reason=err.strerror or err)) from None
        with handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise _damaged(path, _("not a regular file"))
            if os.fstat(handle.fileno()).st_size < size:
                raise _damaged(path, _("{n} bytes where the database recorded {m}").format(
                    n=os.fstat(handle.fileno()).st_size, m=size))
            offset, number = _seek_after(handle, size, after) if after else (0, 0)
            handle.seek(offset)
            remaining = size - offset
            for line in handle:
                if remaining <= 0:
                    break
                line = line[:remaining]
                remaining -= len(line)
                number += 1
                where = f"{path}:{number}"
                try:
                    entry = orjson.loads(line)
                except orjson.JSONDecodeError:
                    yield LogLine(where, None, _("not a whole entry"))
                    continue
                if not isinstance(entry, dict):
                    yield LogLine(where, None, _("not an entry"))
                    continue
                yield LogLine(where, entry)

    def templates(self) -> list[tuple[str, str]]:
        ref = self._manifest.store.get("templates")
        if not ref:
            return []
        path = self._db.folder / "templates" / ref["file"]
        try:
            return [(str(t["path"]), str(t["text"])) for t in
                    _table(self._json("templates", ref["file"], ref["size"]), "templates", path)]
        except KeyError:
            raise _damaged(path, _("a template file record is incomplete")) from None

    def follow_ups(self) -> list[dict[str, Any]]:
        return [dict(f) for f in self._manifest.follow_ups.values()]

    def last_follow_up(self) -> int:
        return last_number(self.follow_ups())

    def cases(self, officers: list[str] | None = None) -> list[dict[str, Any]]:
        records = self._all_cases()
        if officers is None:
            return records
        wanted = set(officers)
        return [r for r in records if r["officer"] in wanted]

    def _all_cases(self) -> list[dict[str, Any]]:
        ref = self._manifest.store.get("cases")
        if not ref:
            return []
        path = self._db.folder / "cases" / ref["file"]
        records = _table(self._json("cases", ref["file"], ref["size"]), "cases", path, checked=False)
        if not all(case_ok(r) for r in records):
            raise _damaged(path, _("a case record is incomplete"))
        return records


def _loads_without_collecting(raw: bytes) -> Any:
    """Parse JSON with the cycle collector paused.

    Parsing an officer's file makes thousands of dicts and lists at once, and each burst set off
    collections that walk everything already loaded — a tenth of a city-scale report
    (bench/run.py --gc-compare). Parsed JSON holds no reference cycles, so pausing loses nothing.
    """
    with collector_paused():
        return orjson.loads(raw)


def _seek_after(handle: Any, size: int, after: int) -> tuple[int, int]:
    """(byte offset, line number before it) of the first entry with seq > ``after`` (binary search)."""

    def seq_at(offset: int) -> tuple[int, int] | None:
        handle.seek(offset)
        if offset:
            handle.readline()  # the rest of a line begun before ``offset``
        start = handle.tell()
        if start >= size:
            return None
        try:
            return start, int(orjson.loads(handle.readline())["seq"])
        except (ValueError, KeyError, TypeError):
            return start, -1

    low, high, found = 0, size, size
    while low < high:
        middle = (low + high) // 2
        at = seq_at(middle)
        if at is None or at[1] < 0:
            high = middle
            continue
        start, seq = at
        if seq > after:
            found, high = start, middle
        else:
            low = max(start + 1, middle + 1)
    first = seq_at(0)
    if first is not None and first[1] > after:
        found = 0
    lines = 0
    handle.seek(0)
    remaining = found
    while remaining > 0:
        chunk = handle.read(min(remaining, 1 << 20))
        if not chunk:
            break
        lines += chunk.count(b"\n")
        remaining -= len(chunk)
    return found, lines


class FileWriter(FileReader):
    def __init__(self, db: FileStore, manifest: Manifest | None, identity: tuple[int, ...] | None):
        super().__init__(db, manifest or _new_manifest())
        self._committed = False
        self._identity = identity  # the manifest file this writer read (see FileStore.still_ours)

    def commit(self, change: Change) -> list[dict[str, Any]]:
        if self._committed:
            raise RuntimeError("one commit per write session")
        self._committed = True
        with collector_paused():  # a year's sync writes a million items: their dicts hold no cycles
            return self._commit(change)

    def _commit(self, change: Change) -> list[dict[str, Any]]:
        old = self._manifest
        generation = old.generation + 1
        nonce = os.urandom(4).hex()  # this write's own file names: no other writer can touch them
        linked = change.chained(self.head())
        db = self._db
        created: list[Path] = []
        appended: list[tuple[Path, int]] = []
        new = Manifest(dict(old.store), stamp_templates({**old.meta, **change.meta}, linked), dict(old.officers),
                       {o: dict(f) for o, f in old.files.items()}, {b: dict(f) for b, f in old.buckets.items()},
                       list(old.garbage), dict(old.follow_ups))
        new.store["generation"] = generation
        replaced: list[str] = []
        db.still_ours(self._identity)  # before touching anything: is this still the state we read?
        tmp = db.path.with_name(f"{db.path.name}.{nonce}.tmp")
        marker = db.folder / "pending"
        try:
            db.check_folders(make=True)
            _create_marker(marker, generation)
            _checkpoint("commit-started")
            for doc in change.officers:
                new.officers[doc["id"]] = dict(doc)
            for record in change.follow_ups:
                new.follow_ups[record["id"]] = dict(record)
            if new.follow_ups:  # a checklist that knows no register must not read (and drop) it
                new.store["schema"] = max(new.store["schema"], FOLLOW_UPS_SCHEMA)
            if change.cases or new.store.get("cases"):
                new.store["schema"] = max(new.store["schema"], CASES_SCHEMA)
            new_ids: dict[str, dict[str, str]] = {}
            for officer, changed in change.items.items():
                stored = self.items(officer)
                known = {i["id"] for i in stored}
                name = f"{file_stem(officer)}.{generation}-{nonce}.json"
                data = _items_file(merge_items(stored, changed))
                _create(db.folder / "items" / name, data, created, sync=False)
                _checkpoint("file-written")
                ref = new.files.setdefault(officer, {"items": None, "size": 0, "history": 0, "entries": 0})
                if ref["items"]:
                    replaced.append(f"items/{ref['items']}")
                ref["items"], ref["size"] = name, len(data)
                for item in changed:
                    if item["id"] not in known:
                        new_ids.setdefault(item["id"][:2], {})[item["id"]] = officer
            for bucket, adds in sorted(new_ids.items()):
                ref = new.buckets.get(bucket)
                records = []
                if ref is not None:
                    records = self._bucket(ref)
                    replaced.append(f"ids/{ref['file']}")
                known = {r["id"] for r in records}
                records += [{"id": i, "officer": o} for i, o in sorted(adds.items()) if i not in known]
                name = f"{bucket}.{generation}-{nonce}.json"
                data = orjson.dumps({"ids": _as_table(records)})
                _create(db.folder / "ids" / name, data, created, sync=False)
                _checkpoint("file-written")
                new.buckets[bucket] = {"file": name, "size": len(data)}
            if change.cases:
                by_number = {c["number"]: c for c in self._all_cases()}
                by_number.update((c["number"], c) for c in change.cases)
                data = orjson.dumps({"cases": _as_table([by_number[n] for n in sorted(by_number)])})
                name = f"cases.{generation}-{nonce}.json"
                _create(db.folder / "cases" / name, data, created)
                if old.store.get("cases"):
                    replaced.append(f"cases/{old.store['cases']['file']}")
                new.store["cases"] = {"file": name, "size": len(data)}
            if change.templates is not None:
                data = orjson.dumps({"templates": _as_table([{"path": p, "text": t} for p, t in change.templates])})
                name = hashlib.sha256(data).hexdigest()[:16] + ".json"
                current = old.store.get("templates") or {}
                if current.get("file") != name:
                    if (db.folder / "templates" / name).exists():  # applied before: the same text, named by it
                        if _read_regular(db.folder / "templates" / name, None) != data:
                            raise _damaged(db.folder / "templates" / name, _("not the text its name says"))
                    else:
                        _create(db.folder / "templates" / name, data, created)
                    if current.get("file"):
                        replaced.append(f"templates/{current['file']}")
                new.store["templates"] = {"file": name, "size": len(data)}
            if linked:
                lines = b"".join(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) + b"\n" for e in linked)
                size = old.store["log"]["size"]
                _append(db.log, size, lines, half_then_die=_fault().startswith("log-partial"))
                appended.append((db.log, size))
                _checkpoint("log-written")
                new.store["log"] = {"size": size + len(lines), "seq": linked[-1]["seq"], "hash": linked[-1]["hash"]}
                by_officer: dict[str, list[bytes]] = {}
                for entry, line in zip(linked, lines.splitlines(keepends=True)):
                    if entry.get("officer") is not None:
                        by_officer.setdefault(entry["officer"], []).append(line)
                for officer, officer_lines in sorted(by_officer.items()):
                    ref = new.files.setdefault(officer, {"items": None, "size": 0, "history": 0, "entries": 0})
                    path = db.folder / "history" / f"{file_stem(officer)}.jsonl"
                    data = b"".join(officer_lines)
                    _append(path, ref["history"], data, sync=False)
                    appended.append((path, ref["history"]))
                    ref["history"] += len(data)
                    ref["entries"] += len(officer_lines)
                _checkpoint("copies-written")
            _sync_all([p for p in created if p.parent.name in ("items", "ids")] + [p for p, _ in appended])
            for folder in FOLDERS:
                _fsync_dir(db.folder / folder)
            _fsync_dir(db.folder)
            now = time.time()
            named = new.names()
            garbage = [g for g in new.garbage if g["file"] not in named]  # a name in use again is not garbage
            garbage += [{"file": name, "since": now} for name in replaced if name not in named]
            # replaced files older than the grace period go, a few hundred per write so no write is slow
            expired = [g for g in garbage if now - g["since"] > GRACE][:GARBAGE_PER_WRITE]
            gone = {g["file"] for g in expired}
            new.garbage = [g for g in garbage if g["file"] not in gone]
            _create(tmp, new.dumps(), created)
            _checkpoint("manifest-written")
            db.still_ours(self._identity)
        except (OSError, _Interleaved) as err:
            _undo(created, appended, marker, shared=db.holds(self._identity))
            if isinstance(err, _Interleaved):
                raise db.lock_lost() from None
            raise StoreError(_("{problem}; nothing was changed").format(problem=describe(err, db.path))) from None
        except BaseException:  # StoreError (damage, a lost lock) or a bug: the old state stands
            _undo(created, appended, marker, shared=db.holds(self._identity))
            raise
        try:
            os.replace(tmp, db.path)  # the commit point
        except OSError as err:
            _undo(created, appended, marker, shared=db.holds(self._identity))
            raise StoreError(_("{problem}; nothing was changed").format(problem=describe(err, db.path))) from None
        try:
            _fsync_dir(db.path.parent)
        except OSError:
            pass  # the rename happened; a failed folder sync cannot undo it
        try:  # at once: a marker outliving its commit must never pass for a first write that died
            marker.unlink()
        except OSError:
            pass
        _checkpoint("committed")
        self._manifest = new
        self._items_cache.clear()
        for ref in expired:  # after the commit: nothing here may fail the change
            try:
                (db.folder / ref["file"]).unlink()
            except OSError:
                pass
        return linked

    def _bucket(self, ref: dict[str, Any]) -> list[dict[str, Any]]:
        path = self._db.folder / "ids" / ref["file"]
        records = _table(self._json("ids", ref["file"], ref["size"]), "ids", path)
        if not all(isinstance(r.get("id"), str) and isinstance(r.get("officer"), str) for r in records):
            raise _damaged(path, _("an index record is incomplete"))
        return records


def _create_marker(path: Path, generation: int) -> None:
    """``pending``, saying which generation is being written (1: the database's very first write)."""
    _injected(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW | CLOEXEC, 0o666)
    try:
        os.write(fd, f"{generation}\n".encode())
    finally:
        os.close(fd)


def _items_file(items: list[dict[str, Any]]) -> bytes:
    """One officer's items, compact: what items share with their duty is stored once per plan."""
    plans: dict[str, dict[str, Any]] = {}
    ids: dict[bytes, str] = {}
    docs = []
    for item in items:
        plan = {name: item.get(name) for name in PLAN_FIELDS}
        text = orjson.dumps(plan, option=orjson.OPT_SORT_KEYS)
        plan_id = ids.get(text)
        if plan_id is None:
            plan_id = ids[text] = hashlib.sha1(text).hexdigest()[:10]
            plans[plan_id] = {"id": plan_id, **plan}
        doc = {k: v for k, v in item.items() if k not in PLAN_FIELDS and k != "officer" and v is not None}
        doc["plan"] = plan_id
        docs.append(doc)
    return orjson.dumps({"items": _as_table(docs), "plans": _as_table(list(plans.values()))})


def _new_manifest() -> Manifest:
    created = datetime.now().astimezone().isoformat(timespec="seconds")
    return Manifest({"schema": SCHEMA, "generation": 0, "created": created,
                     "log": {"size": 0, "seq": 0, "hash": GENESIS}, "templates": None}, {}, {}, {}, {})


class FileStore:
    """A checklist database in files named after ``path``."""

    def __init__(self, path: Path | str, wait: float = 10.0):
        given = Path(path)
        try:
            # a symlink at --db is followed on purpose: the database lives beside what it points to
            resolved = Path(os.path.realpath(given)) if given.is_symlink() else given.absolute()
        except OSError as err:
            raise StoreError(describe(err, given)) from None
        self.path = resolved
        self.folder = resolved.with_name(resolved.name + ".d")
        self.lock_path = resolved.with_name(resolved.name + ".lock")
        self.log = self.folder / "log.jsonl"
        self.location = str(resolved)
        self.wait = wait
        self._lock: FileLock | None = None

    # -- what is at the path ---------------------------------------------------------------------------

    def _kind(self) -> str:
        """'file', 'missing', or raise for anything that cannot be a database."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return "missing"
        except NotADirectoryError:
            raise StoreError(_("{path}: a part of this path is a file, not a folder").format(path=self.path)) from None
        except OSError as err:
            raise StoreError(describe(err, self.path)) from None
        if stat.S_ISDIR(info.st_mode):
            raise StoreError(_("{path} is a folder; give the database file inside it, like {path}/checklist.json").format(
                path=self.path))
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(_("{path} is not a regular file (a device, pipe or socket) and cannot be a database").format(
                path=self.path))
        return "file"

    def exists(self) -> bool:
        return self._kind() == "file"

    def _crashed_creation(self) -> bool:
        """The folder holds only what the database's very first write left when it died before committing.

        Its ``pending`` says generation 1; a marker from any later write means a manifest existed
        and is now lost — damage, never a reason to start afresh.
        """
        if self.path.exists():
            return False
        try:
            return _read_regular(self.folder / "pending", None, limit=64).strip() == b"1"
        except (OSError, StoreError):
            return False

    def check_folders(self, make: bool = False) -> None:
        """The database folder and its subfolders must be real folders, not links to elsewhere.

        Files are opened without following a symlink at their own name; a linked folder would
        still lead writes and deletions outside the database, so it is refused as damage.
        """
        for folder in (self.folder, *(self.folder / f for f in FOLDERS)):
            try:
                info = os.lstat(folder)
            except FileNotFoundError:
                if make:
                    try:
                        folder.mkdir()
                    except FileExistsError:
                        pass
                    info = os.lstat(folder)
                else:
                    continue
            if not stat.S_ISDIR(info.st_mode):
                raise _damaged(folder, _("not a folder, or a link to one elsewhere"))

    def _has_data(self) -> bool:
        """Whether the folder holds a database's data (not just empty folders a failed first write made)."""
        try:
            if self.log.stat().st_size > 0:
                return True
        except OSError:
            pass
        try:
            return any((self.folder / "items").iterdir())
        except OSError:
            return False

    def _missing(self) -> Exception:
        if self._has_data() and not self._crashed_creation():
            return StoreError(_("the database file {path} is missing but its folder {folder} is there; restore {path} "
                                "from a backup (or move the folder away to start afresh)").format(
                path=self.path, folder=self.folder))
        return MissingDatabase(_("there is no database at {path} yet; import a roster first: checklist import roster "
                                 "FILE").format(path=self.path))

    def _manifest(self) -> Manifest:
        try:
            raw = _read_regular(self.path, None)
        except FileNotFoundError:
            raise self._missing() from None
        except StoreError:
            raise
        except OSError as err:
            raise StoreError(_("cannot read {file}: {reason}").format(file=self.path, reason=err.strerror or err)) from None
        return parse_manifest(raw, self.path)

    # -- sessions --------------------------------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[FileReader]:
        if self._kind() == "missing":
            raise self._missing()
        yield FileReader(self, self._manifest())

    @contextmanager
    def writing(self, *, create: bool = False) -> Iterator[FileWriter]:
        kind = self._kind()
        if kind == "missing" and not create:
            raise self._missing()
        if kind == "missing":
            error = self._missing()
            if isinstance(error, StoreError):
                raise error
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(_("{problem}; nothing was changed").format(problem=describe(err, self.path))) from None
        with self._locked():
            identity = self._identity()
            manifest = self._manifest() if identity is not None else None
            self.check_folders()
            if (self.folder / "pending").exists():
                if manifest is None:
                    self._set_aside()
                else:
                    self._clean_up(manifest)
            yield FileWriter(self, manifest, identity)

    def _identity(self) -> tuple[int, ...] | None:
        """Which manifest file is at the path now (every commit puts a new one there), or None."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return None
        except OSError as err:
            raise StoreError(describe(err, self.path)) from None
        return info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns

    def holds(self, identity: tuple[int, ...] | None) -> bool:
        """Whether this process still holds the lock and the manifest is the one it read."""
        lock = self._lock
        try:
            return lock is not None and lock.still_held() and self._identity() == identity
        except (OSError, StoreError):
            return False

    def lock_lost(self) -> StoreError:
        return StoreError(_("the lock file {path} was removed while this command held it, and another command "
                            "may have written since; nothing was changed — run it again").format(path=self.lock_path))

    def still_ours(self, identity: tuple[int, ...] | None) -> None:
        """Refuse to commit unless this writer still holds the lock and the manifest is the one it read.

        Both can only fail if someone deleted the lock file while it was held (then a second
        writer can take a lock on a new file): the writer that finds out stops, and nothing of its
        change is kept — no acknowledged change is lost and the history never forks. Every file a
        write creates carries its own nonce, and appends refuse bytes they did not expect, so the
        two writers never write into each other's work.
        """
        if not self.holds(identity):
            raise self.lock_lost()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = FileLock(str(self.lock_path), timeout=self.wait)
        try:
            lock.acquire()
        except LockTimeout:
            raise StoreError(_("the database is busy: {holder} has held it for more than {seconds} s; nothing was "
                               "changed (try again, or wait longer)").format(
                holder=self.holder(), seconds=f"{self.wait:g}")) from None
        except OSError as err:
            raise StoreError(_("{problem}; nothing was changed").format(problem=describe(err, self.lock_path))) from None
        self._lock = lock
        try:
            self._note_holder()
            yield
        finally:
            self._lock = None
            self._note_holder(done=True)
            lock.release()

    def _note_holder(self, done: bool = False) -> None:
        """Say who holds the lock, for a waiting process's message (``done``: nobody, once released)."""
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200]
        info = "" if done else f"{os.getpid()}\t{time.time():.0f}\t{command}"
        path = self.lock_path.with_name(self.lock_path.name + ".info")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW | CLOEXEC, 0o666)
            try:
                os.write(fd, info.encode("utf-8", "replace"))
            finally:
                os.close(fd)
        except OSError:
            pass

    def holder(self) -> str:
        try:
            raw = _read_regular(self.lock_path.with_name(self.lock_path.name + ".info"), None, limit=4096)
            pid, since, command = raw.decode("utf-8", "replace").split("\t", 2)
            started = datetime.fromtimestamp(int(since)).strftime("%H:%M:%S")
            return _("'{command}' (process {pid}, since {time})").format(command=command, pid=pid, time=started)
        except (OSError, ValueError, StoreError):
            return _("another checklist process")

    # -- after a crash ------------------------------------------------------------------------------------

    def _temps(self) -> list[Path]:
        """Manifests a write made and never renamed into place (``PATH.<nonce>.tmp``)."""
        pattern = re.compile(re.escape(self.path.name) + r"\.([0-9a-f]{8}\.)?tmp")
        try:
            with os.scandir(self.path.parent) as entries:
                return [Path(e.path) for e in entries if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)]
        except OSError:
            return []

    def _leftovers(self, manifest: Manifest) -> tuple[list[Path], list[Path]]:
        """(files a crashed write left, files checklist never made) in the database folder."""
        named = manifest.names() | {g["file"] for g in manifest.garbage}
        leftovers, unknown = [], []
        for folder, pattern in NAMES.items():
            try:
                with os.scandir(self.folder / folder) as entries:
                    for entry in entries:
                        relative = f"{folder}/{entry.name}"
                        if relative in named:
                            continue
                        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                            leftovers.append(Path(entry.path))
                        else:
                            unknown.append(Path(entry.path))
            except (FileNotFoundError, NotADirectoryError):
                continue
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if entry.name not in (*NAMES, "log.jsonl", "pending") or entry.is_symlink():
                        unknown.append(Path(entry.path))
        except (FileNotFoundError, NotADirectoryError):
            pass
        for sibling in (self.path.with_name(self.path.name + ".journal"),):
            if sibling.exists() or sibling.is_symlink():
                unknown.append(sibling)
        return leftovers, unknown + [p for p in self._temps() if p.name == self.path.name + ".tmp"]

    def _set_aside(self) -> None:
        """The very first write died before committing: its folder is moved aside, never emptied.

        What it wrote is of no use — unless the marker outlived a commit whose manifest was lost
        since; moving the folder keeps even that for whoever restores the database.
        """
        aside = self.folder.with_name(f"{self.folder.name}.unfinished-{os.urandom(4).hex()}")
        try:
            os.rename(self.folder, aside)
            _fsync_dir(self.path.parent)
        except OSError as err:
            raise StoreError(_("{problem}; nothing was changed").format(problem=describe(err, self.folder))) from None

    def _clean_up(self, manifest: Manifest) -> None:
        """A write crashed before its commit point: remove its new files and cut back its appends."""
        self.check_folders()
        leftovers, _unknown = self._leftovers(manifest)
        for path in [*leftovers, *(p for p in self._temps() if p.name != self.path.name + ".tmp")]:
            try:
                path.unlink()
            except OSError:
                pass
        _cut_back(self.log, manifest.store["log"]["size"])
        for officer, ref in manifest.files.items():
            _cut_back(self.folder / "history" / f"{file_stem(officer)}.jsonl", ref["history"])
        try:
            (self.folder / "pending").unlink()
        except OSError:
            pass

    def health(self) -> list[Finding]:
        findings: list[Finding] = []
        lock = FileLock(str(self.lock_path), timeout=0, create=False)  # looking creates nothing
        try:
            lock.acquire()
            lock.release()
            findings.append(Finding("lock", True, _("free")))
        except FileNotFoundError:
            findings.append(Finding("lock", True, _("free")))
        except LockTimeout:
            findings.append(Finding("lock", False, _("held by {holder}").format(holder=self.holder()),
                                    _("wait for that command to finish; if the process is gone, the lock frees "
                                      "itself")))
        except OSError as err:
            findings.append(Finding("lock", True, _("cannot be taken here ({reason}): this copy can be read, not "
                                                    "changed").format(reason=err.strerror or err)))
        try:
            manifest = self._manifest()
            self.check_folders()
        except StoreError as err:  # reported by the database check, or here
            if "not a folder" in err.message:
                findings.append(Finding("files", False, err.message, _(
                    "checklist writes only inside its own folder: replace the link with the real folder it points "
                    "to, or restore the database from a backup")))
            return findings
        leftovers, unknown = self._leftovers(manifest)
        if unknown:
            shown = ", ".join(_relative(p, self.path.parent) for p in unknown[:3]) + (" …" if len(unknown) > 3 else "")
            findings.append(Finding(
                "files", False, ngettext("{n} file in {folder} that checklist did not make: {files}",
                                         "{n} files in {folder} that checklist did not make: {files}",
                                         len(unknown)).format(n=len(unknown), folder=self.path.parent, files=shown),
                _("checklist never reads or runs them; look at each, then move it out of the folder (a .journal "
                  "from checklist 0.1 means: run checklist db upgrade)")))
        linked = [p for p in (self.log, *(self.folder / "history" / f"{file_stem(o)}.jsonl" for o in manifest.files))
                  if _links(p) > 1]
        if linked:
            findings.append(Finding(
                "files", False, _("{n} file(s) with other names (hard links) outside the database: {files}").format(
                    n=len(linked), files=", ".join(_relative(p, self.path.parent) for p in linked[:3])),
                _("checklist adds to these files and would change the other names too, so it refuses; make each a "
                  "file of its own: cp -p FILE FILE.copy && mv FILE.copy FILE")))
        if not unknown and not linked:
            findings.append(Finding("files", True, _("{n} file(s) left by an interrupted write; the next change "
                                                     "removes them").format(n=len(leftovers)) if leftovers else
                                    _("only files checklist made")))
        return findings
