"""``checklist db copy FROM TO``: a whole database from any backend to any other.

Roster, items, the follow-up (督办) register, the cases, the history with its chain exactly as it is, the applied
templates and the metadata go across in one write: the target's commit is atomic, so a copy that
fails or is killed leaves the target as it was. Only an empty target is accepted. Afterwards
``audit head`` is the same on both, and ``audit verify`` passes on the target if it passed on the
source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checklist.errors import InputError
from checklist.i18n import _
from checklist.store import Change, Store

if TYPE_CHECKING:
    from checklist.context import Env


@dataclass
class CopyResult:
    source: str
    target: str
    officers: int
    items: int
    entries: int
    head: str
    follow_ups: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "officers": self.officers, "items": self.items,
                "follow_ups": self.follow_ups, "entries": self.entries, "head": self.head}


def copy_database(source: Store, target: Store, env: Env | None = None) -> CopyResult:
    """Copy ``source`` into the empty ``target``; with ``env``, only if its actor may manage the source."""
    if target.exists():
        raise InputError(_("{db} already holds a database; copy only into an empty one (nothing was copied)").format(
            db=target.location))
    with source.reading() as reader:
        if env is not None and reader.officers():
            from checklist.identity import require_manage_all, writer_access

            require_manage_all(writer_access(reader, env)[0], "db copy")
        change = Change(meta=reader.meta(), officers=reader.officers(), follow_ups=reader.follow_ups(),
                        cases=reader.cases(),
                        linked=[line.entry for line in _whole(reader)])
        for officer in change.officers:
            items = reader.items(officer["id"])
            if items:
                change.items[officer["id"]] = items
        templates = reader.templates()
        change.templates = templates or None
        seq, digest = reader.head()
    with target.writing(create=True) as writer:
        if writer.head()[0] or writer.officers():
            raise InputError(_("{db} already holds a database; copy only into an empty one (nothing was "
                               "copied)").format(db=target.location))
        writer.commit(change)
    return CopyResult(source.location, target.location, len(change.officers),
                      sum(len(i) for i in change.items.values()), len(change.linked or []), f"{seq}-{digest}",
                      len(change.follow_ups))


def _whole(reader):
    for line in reader.log():
        if line.entry is None:
            raise InputError(_("{where}: the history is damaged here ({what}); repair it before copying (nothing was "
                               "copied)").format(where=line.where, what=line.damage or "?"))
        yield line
