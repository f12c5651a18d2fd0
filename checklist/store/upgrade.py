"""``checklist db upgrade``: turn a checklist 0.1 file database into the current layout, in place.

0.1 kept the roster and metadata in ``PATH``, each officer's items in ``PATH.d/officers/``, copies of
their history in ``PATH.d/history/<o>.json`` and an id index in ``PATH.d/ids/<xx>.json``, beside the
same hash-chained ``log.jsonl``. The upgrade, holding the lock:

1. finishes an interrupted 0.1 change if its journal is whole and names only that database's own
   files (anything else is refused and left for a person);
2. checks the 0.1 log's chain — a history that does not check out is not carried forward;
3. writes the new files, keeps every 0.1 log entry as it was (so heads written down before still
   check out), and appends a ``templates`` entry and, per officer, an ``upgrade`` entry recording
   their roster record and every item as found — the point from which ``audit verify`` replays;
4. copies the 0.1 manifest to ``PATH.v1-backup/``, moves the 0.1 folder there, moves the new folder
   into place and renames the new manifest over ``PATH`` — the commit point.

A crash before the 0.1 folder is moved leaves the 0.1 database as it was; a crash after it is
finished by the next ``db upgrade`` (``resume``). Every other command refuses a 0.1 database with
"run checklist db upgrade".
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from checklist.core.history import GENESIS, entry_hash, link, plan_digest, roster_record
from checklist.errors import StoreError
from checklist.i18n import _
from checklist.store.contract import record_ok
from checklist.store.files import (
    SCHEMA, FileStore, Manifest, _checkpoint, _create, _fsync_dir, _items_file, _read_regular, describe, file_stem,
    parse_manifest,
)

if TYPE_CHECKING:
    from checklist.context import Env


@dataclass
class UpgradeResult:
    path: str
    officers: int
    items: int
    entries: int
    backup: str


def is_v1(store: FileStore) -> bool:
    try:
        doc = orjson.loads(store.path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    meta = doc.get("meta") if isinstance(doc, dict) else None
    return isinstance(meta, dict) and "store" not in doc and any(
        isinstance(m, dict) and m.get("schema") == 1 for m in meta.values())


def _inside(path: str, store: FileStore) -> bool:
    try:
        resolved = Path(path).resolve()
    except OSError:
        return False
    return resolved == store.path.with_name(store.path.name + ".tmp").resolve() or resolved.is_relative_to(
        store.folder.resolve()) or resolved == store.path.resolve()


def _finish_v1_journal(store: FileStore) -> None:
    journal = store.path.with_name(store.path.name + ".journal")
    if not journal.exists():
        return
    raw = journal.read_bytes()
    digest, _newline, body = raw.partition(b"\n")
    try:
        if hashlib.sha256(body).hexdigest().encode() != digest:
            raise ValueError
        plan = orjson.loads(body)
        moves = plan.get("moves", [])
        log = plan.get("log")
        names = [p for pair in moves for p in pair] + (list(log[:2]) if log else [])
        if not all(isinstance(p, str) and _inside(p, store) for p in names):
            raise ValueError
        if any(not str(tmp).endswith(".tmp") or str(tmp)[:-4] != str(target) for tmp, target in moves):
            raise ValueError
    except (ValueError, TypeError, AttributeError, orjson.JSONDecodeError):
        raise StoreError(_("{file} is not a journal checklist 0.1 wrote for this database; nothing was changed — "
                           "look at it, and move it away if it is not yours").format(file=journal)) from None
    for tmp, target in moves:
        if os.path.exists(tmp):
            os.replace(tmp, target)
    if log and os.path.exists(log[0]):
        lines = Path(log[0]).read_bytes()
        with open(log[1], "ab") as handle:
            handle.truncate(int(log[2]))
            handle.seek(int(log[2]))
            handle.write(lines)
            handle.flush()
            os.fsync(handle.fileno())
        os.unlink(log[0])
    journal.unlink()


def _v1_log(store: FileStore) -> tuple[bytes, list[dict[str, Any]]]:
    """The 0.1 log's bytes and entries, its chain checked."""
    try:
        raw = store.log.read_bytes()
    except FileNotFoundError:
        return b"", []
    entries, previous = [], GENESIS
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            entry = orjson.loads(line)
            ok = (isinstance(entry, dict) and entry.get("seq") == number and entry.get("prev") == previous
                  and entry_hash(entry) == entry.get("hash"))
        except (orjson.JSONDecodeError, KeyError, TypeError):
            ok = False
        if not ok:
            raise StoreError(_("{file}:{line}: the 0.1 history does not check out here; nothing was changed — "
                               "restore the database from a backup before upgrading").format(file=store.log,
                                                                                            line=number))
        entries.append(entry)
        previous = entry["hash"]
    if raw and not raw.endswith(b"\n"):
        raw += b"\n"
    return raw, entries


def upgrade(env: Env) -> UpgradeResult | None:
    """Convert a 0.1 database at ``env.db``; None if it is already current."""
    store = FileStore(env.db, wait=env.wait)
    if not store.exists() or not is_v1(store):
        return None
    with store._locked():
        if not is_v1(store):
            return None
        try:
            if resume(store):
                return UpgradeResult(str(store.path), 0, 0, 0, str(_backup(store)))
            _finish_v1_journal(store)
            return _convert(store, env)
        except OSError as err:
            raise StoreError(_("{problem}; nothing was changed").format(problem=describe(err, store.path))) from None
        except (KeyError, TypeError, AttributeError, ValueError, IndexError, orjson.JSONDecodeError) as err:
            raise StoreError(_("the database file {file} is damaged ({what}); nothing was changed — restore it from "
                               "a backup (checklist doctor says how)").format(
                file=store.path, what=type(err).__name__)) from None


def _v1_explained(logged: list[dict[str, Any]], items_of: dict[str, list[dict[str, Any]]]) -> None:
    """Replay the 0.1 log as 0.1's own audit did and refuse items it does not explain.

    The upgrade records every item as found; carrying over an edit that 0.1 would have caught
    would launder it.
    """
    states: dict[str, dict[str, Any]] = {}
    for entry in logged:
        state = states.setdefault(entry["item"], {"status": "open", "done_at": None, "follow_up": False})
        if entry["action"] == "follow-up":
            state["follow_up"] = True
        elif entry["action"] == "follow-up-close":
            state["follow_up"] = False
        after = entry.get("after") or {}
        for name in ("status", "done_at"):
            if name in after:
                state[name] = after[name]
    problems = []
    for officer, items in items_of.items():
        for item in items:
            expected = states.get(item["id"], {"status": "open", "done_at": None, "follow_up": False})
            follow_ups = item.get("follow_ups") or []
            found = {"status": item["status"], "done_at": item.get("done_at"),
                     "follow_up": bool(follow_ups) and not (follow_ups[-1] or {}).get("closed_at")}
            if found != expected:
                problems.append(_("item {id} ({officer} {title}, due {due}): {found} but the 0.1 history says "
                                  "{expected}").format(id=item["id"], officer=officer, title=item.get("title"),
                                                       due=item["due"], found=found, expected=expected))
    if problems:
        raise StoreError(_("{n} item(s) of the 0.1 database are not what its history says; nothing was changed — "
                           "restore the database from a backup before upgrading").format(n=len(problems)), problems)


def _v1_follow_ups(officers: list[dict[str, Any]], items_of: dict[str, list[dict[str, Any]]],
                   entries: list[dict[str, Any]], env: Env, at: str, recorded: str) -> dict[str, dict[str, Any]]:
    """0.1's open follow-ups (kept on their items) into the register, each opened again in the history
    as it stood: who opened it, when, its note and deadline."""
    from checklist.core.followups import fid

    register: dict[str, dict[str, Any]] = {}
    for officer in officers:
        for item in items_of[officer["id"]]:
            last = (item.get("follow_ups") or [None])[-1]
            if not isinstance(last, dict) or last.get("closed_at"):
                continue
            target = {"kind": "item", "id": item["id"], "name": item.get("title", ""), "officer": officer["id"],
                      "court": officer.get("court") or "", "department": officer.get("department") or "",
                      "due": item["due"], "period": item["period"]}
            record = {"id": fid(len(register) + 1), "target": target, "by": str(last.get("by") or ""), "by_name": None,
                      "no": None, "source": None, "note": str(last.get("note") or ""),
                      "opened_at": str(last.get("opened_at") or at), "recorded": recorded, "days": None,
                      "reply_due": str(last.get("reply_due") or at[:10]), "state": "open", "replies": [],
                      "first_reply_due": str(last.get("reply_due") or at[:10]),
                      "returns": [], "escalations": [], "closed_at": None, "closed_by": None, "closed_by_name": None,
                      "close_note": None, "outcome": None}
            register[record["id"]] = record
            entries.append({"at": at, "recorded": recorded, **env.who(), "action": "follow-up",
                            "follow_up": record["id"], "officer": officer["id"], "item": item["id"],
                            "note": record["note"],
                            "after": {"follow_up": "open", "state": "open", "reply_due": record["reply_due"],
                                      "target": target, "by": record["by"], "upgrade": True}})
    return register


def _convert(store: FileStore, env: Env) -> UpgradeResult:
    from checklist.sync import bundle_fingerprint, read_bundle

    old = orjson.loads(_read_regular(store.path, None))
    meta = next(iter(old["meta"].values()))
    officers = [dict(o) for o in old.get("officers", {}).values()]
    if not all(isinstance(o.get("id"), str) for o in officers):
        raise ValueError("an officer without an id")
    log_bytes, logged = _v1_log(store)
    items_of = {o["id"]: _v1_items(store, o["id"]) for o in officers}
    _v1_explained(logged, items_of)
    fingerprint_text = str(meta.get("templates_fp", ""))
    folder = Path(fingerprint_text.split("|")[1]) if fingerprint_text.count("|") >= 2 else None
    files = read_bundle(folder if folder is not None and folder.is_dir() else env.templates_folder())

    at, recorded = env.at(), env.recorded()
    seq, previous = (logged[-1]["seq"], logged[-1]["hash"]) if logged else (0, GENESIS)
    fingerprint = bundle_fingerprint(files)
    new_entries = [{"at": at, "recorded": recorded, **env.who(), "action": "templates", "officer": None,
                    "after": {"fingerprint": fingerprint, "files": len(files), "upgrade": True}}]
    for officer in officers:
        new_entries.append({
            "at": at, "recorded": recorded, **env.who(), "action": "upgrade", "officer": officer["id"],
            "after": roster_record(officer),
            "items": {i["id"]: [i["period"], i["due"], plan_digest(i), i["status"], i.get("done_at"),
                                bool(i.get("follow_ups")) and not (i["follow_ups"][-1] or {}).get("closed_at")]
                      for i in items_of[officer["id"]]}})
    register = _v1_follow_ups(officers, items_of, new_entries, env, at, recorded)
    linked = link(new_entries, (seq, previous))
    seq, previous = linked[-1]["seq"], linked[-1]["hash"]
    all_entries = logged + linked
    log_data = log_bytes + b"".join(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) + b"\n" for e in linked)

    backup = _backup(store)
    staging = store.folder.with_name(store.folder.name + ".upgrading")
    nonce = os.urandom(4).hex()
    tmp = store.path.with_name(store.path.name + ".upgrade.tmp")
    made_backup = False
    try:
        for sub in ("items", "history", "ids", "templates"):
            (staging / sub).mkdir(parents=True)
        manifest = Manifest({"schema": SCHEMA, "generation": 1, "created": meta.get("created"),
                             "log": {"size": len(log_data), "seq": seq, "hash": previous}, "templates": None},
                            {k: v for k, v in meta.items() if k not in ("schema", "templates_fp")}
                            | {"templates": {"fingerprint": fingerprint, "applied_at": recorded,
                                             "applied_by": env.actor, "folder": str(folder or ""),
                                             "files": len(files), "seq": linked[0]["seq"]},
                               # 0.1 kept no owner: whoever takes the database over (and can write its folder) owns it
                               "owner": env.user},
                            {o["id"]: o for o in officers}, {}, {}, follow_ups=register)
        bundle = orjson.dumps({"templates": {str(n): {"path": p, "text": t}
                                             for n, (p, t) in enumerate(files, start=1)}})
        bundle_name = hashlib.sha256(bundle).hexdigest()[:16] + ".json"
        _create(staging / "templates" / bundle_name, bundle)
        manifest.store["templates"] = {"file": bundle_name, "size": len(bundle)}
        buckets: dict[str, list[dict[str, str]]] = {}
        for oid, items in items_of.items():
            name = f"{file_stem(oid)}.1-{nonce}.json"
            data = _items_file(items)
            _create(staging / "items" / name, data)
            mine = b"".join(orjson.dumps(e, option=orjson.OPT_SORT_KEYS) + b"\n"
                            for e in all_entries if e.get("officer") == oid)
            _create(staging / "history" / f"{file_stem(oid)}.jsonl", mine)
            manifest.files[oid] = {"items": name, "size": len(data), "history": len(mine),
                                   "entries": mine.count(b"\n")}
            for item in items:
                buckets.setdefault(item["id"][:2], []).append({"id": item["id"], "officer": oid})
        for bucket, records in sorted(buckets.items()):
            name = f"{bucket}.1-{nonce}.json"
            data = orjson.dumps({"ids": {str(n): r for n, r in enumerate(records, start=1)}})
            _create(staging / "ids" / name, data)
            manifest.buckets[bucket] = {"file": name, "size": len(data)}
        _create(staging / "log.jsonl", log_data)
        for sub in ("items", "history", "ids", "templates", ""):
            _fsync_dir(staging / sub if sub else staging)
        raw = manifest.dumps()
        parse_manifest(raw, store.path)  # what this version would refuse to read is never committed
        bad = next((i for items in items_of.values() for i in items if not record_ok(i)), None)
        if bad is not None:
            raise StoreError(_("item {id} of officer {officer} in {file} is not what checklist writes; nothing was "
                               "changed — restore the 0.1 database from a backup").format(
                id=str(bad.get("id"))[:20], officer=bad.get("officer"), file=store.path))
        _create(tmp, raw)
        backup.mkdir()
        made_backup = True
        _create(backup / UNDER_WAY, b"")  # until the commit: this backup belongs to an upgrade under way
        _create(backup / store.path.name, _read_regular(store.path, None))
        _fsync_dir(backup)
        _fsync_dir(store.path.parent)
    except (OSError, StoreError):
        shutil.rmtree(staging, ignore_errors=True)
        tmp.unlink(missing_ok=True)
        if made_backup:  # this run's own backup, not yet holding anything the database needs
            shutil.rmtree(backup, ignore_errors=True)
        raise
    _swap(store, staging, backup, tmp)
    return UpgradeResult(str(store.path), len(officers), sum(map(len, items_of.values())), len(linked), str(backup))


UNDER_WAY = "UPGRADE-UNDER-WAY"


def _backup(store: FileStore) -> Path:
    return store.path.with_name(store.path.name + ".v1-backup")


def _swap(store: FileStore, staging: Path, backup: Path, tmp: Path) -> None:
    """The 0.1 folder into the backup, the new one into its place, then the manifest: the commit point.

    Each step is a rename; ``resume`` finishes the sequence if a crash interrupts it.
    """
    if store.folder.exists() and not (backup / store.folder.name).exists():
        os.replace(store.folder, backup / store.folder.name)
        _checkpoint("upgrade-moved")
    if staging.exists():
        os.replace(staging, store.folder)
    os.replace(tmp, store.path)
    _fsync_dir(store.path.parent)
    (backup / UNDER_WAY).unlink()
    _fsync_dir(backup)


def resume(store: FileStore) -> bool:
    """Finish (or undo) an upgrade a crash interrupted; True if one was finished.

    Only a backup marked as belonging to an upgrade under way is touched; any other backup is in
    the way, and said so.
    """
    backup = _backup(store)
    staging = store.folder.with_name(store.folder.name + ".upgrading")
    tmp = store.path.with_name(store.path.name + ".upgrade.tmp")
    if backup.is_symlink() or (backup.exists() and not (backup / UNDER_WAY).is_file()):
        raise StoreError(_("{path} is in the way (a backup from an earlier upgrade?); move it aside and run the "
                           "upgrade again; nothing was changed").format(path=backup))
    if not backup.exists():
        shutil.rmtree(staging, ignore_errors=True)
        tmp.unlink(missing_ok=True)
        return False
    if (backup / store.folder.name).exists() and tmp.exists():  # the 0.1 folder moved: the new one is whole
        _swap(store, staging, backup, tmp)
        return True
    shutil.rmtree(backup)  # nothing of the 0.1 database moved yet: drop the half-made upgrade, start again
    shutil.rmtree(staging, ignore_errors=True)
    tmp.unlink(missing_ok=True)
    return False


def _v1_items(store: FileStore, officer_id: str) -> list[dict[str, Any]]:
    from checklist.core.history import PLAN_FIELDS

    path = store.folder / "officers" / f"{file_stem(officer_id)}.json"
    try:
        doc = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, orjson.JSONDecodeError) as err:
        raise StoreError(_("the database file {file} is damaged ({what}); nothing was changed — restore it from a "
                           "backup (checklist doctor says how)").format(file=path, what=err)) from None
    plans = {p["id"]: p for p in doc.get("plans", {}).values()}
    items = []
    for record in doc.get("items", {}).values():
        item = {"officer": officer_id, **record}
        plan = plans[item.pop("plan")]
        for name in PLAN_FIELDS:
            item[name] = plan.get(name)
        items.append(item)
    return items
