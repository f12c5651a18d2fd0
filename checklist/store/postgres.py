"""The storage contract on a PostgreSQL server: a bureau's PCs or a province on one database.

``--db postgresql://USER@HOST[:PORT]/DBNAME`` (any libpq URL, or ``postgres://``). psycopg is
imported only here, so file-database users never pay for it.

* A reader is one ``REPEATABLE READ READ ONLY`` transaction: a consistent snapshot that takes no
  locks, so a report never blocks a ``done`` and is never blocked by one (MVCC).
* A writer is one ``READ COMMITTED`` transaction that first locks the chain row — the head of the
  one history chain — so writers are serialised exactly as the file database's lock serialises
  them, and the chain stays one chain. ``commit`` writes the whole change and commits; a client
  killed before that leaves nothing (the server rolls the transaction back).
* The schema is versioned SQL in ``checklist/store/sql`` (``NNN_name.sql``); ``db init`` applies
  what is missing to an empty database, ``db upgrade`` migrates an older schema in one
  transaction, and every command refuses a schema newer than it knows.

Every error a user can meet — server unreachable, login refused, no schema, a schema too new, the
writers' lock held too long — is a ``StoreError`` (exit 3) in one line.
"""

from __future__ import annotations

import functools
import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

import orjson

from checklist.core.history import GENESIS
from checklist.errors import ChecklistError, StoreError

if TYPE_CHECKING:
    from checklist.core.models import Phase
    from checklist.core.report import Tallies
from checklist.i18n import _
from checklist.store.contract import (
    Change, Finding, LogLine, MissingDatabase, case_ok, collector_paused, follow_up_ok, record_ok, stamp_templates,
)

FEW_UPDATES = 50  # changed items up to this many are updated one by one; more, through a temporary table
BULK_LOAD = 50_000  # new items into an empty table from here on: indexes built after the load, not row by row
MEMBERS = "checklist_member"  # the group role every roster person's login role belongs to
MEMBER_GRANTS = (
    "GRANT USAGE ON SCHEMA checklist TO {role}",
    "GRANT SELECT ON ALL TABLES IN SCHEMA checklist TO {role}",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA checklist TO {role}",
    "GRANT INSERT, UPDATE, DELETE ON checklist.items, checklist.officers, checklist.meta, checklist.templates "
    "TO {role}",
    "GRANT UPDATE ON checklist.chain TO {role}",
    "GRANT INSERT, UPDATE ON checklist.follow_ups TO {role}",  # never deleted: a 督办 stays on the record
    "GRANT INSERT, UPDATE, DELETE ON checklist.cases TO {role}",  # DELETE: a case moving to another court
    "GRANT INSERT ON checklist.history TO {role}",  # append-only: no UPDATE, DELETE or TRUNCATE
    "REVOKE UPDATE, DELETE, TRUNCATE ON checklist.history FROM {role}",
    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA checklist TO {role}",  # the permission functions policies call
)
CREATING = 0x636B6C73  # the advisory lock held while the schema is looked for, and made if missing


def shown(url: str) -> str:
    """The URL without its password (``user:pw@`` or ``password=`` in the query), for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    netloc = parts.netloc
    if not netloc and "@" in parts.path:  # a mistyped URL (postgresql:/user:pw@host/db): its login part hidden
        return f"{parts.scheme}:…@{parts.path.rsplit('@', 1)[-1]}"
    if parts.password is not None:
        netloc = f"{parts.username or ''}:***@{netloc.rsplit('@', 1)[-1]}"
    query = PASSWORD_PARAM.sub(r"\1***", parts.query)
    if not netloc:  # postgresql:///checklist (the local socket): urlunsplit would drop the '//'
        slashes = "//" if url[len(parts.scheme) + 1:].startswith("//") else ""
        return f"{parts.scheme}:{slashes}{parts.path}" + (f"?{query}" if query else "")
    return urlunsplit(parts._replace(netloc=netloc, query=query))


PASSWORD_PARAM = re.compile(r"(password=)[^&\s\"']*", re.IGNORECASE)


def normalised(url: str) -> str:
    """The URL as libpq takes it: the scheme in lower case (``POSTGRESQL://`` is the same URL)."""
    scheme, sep, rest = url.partition(":")
    return scheme.lower() + sep + rest


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every schema step shipped with this version, in order."""
    found = []
    for entry in resources.files("checklist.store").joinpath("sql").iterdir():
        match = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA = migrations()[-1][0]


@functools.cache
def _psycopg():
    """The driver, set up once: orjson for JSON columns, and its own log quiet (ours is one line)."""
    try:
        import psycopg
    except ImportError:
        raise StoreError(_("a PostgreSQL database needs the psycopg driver: pip install 'psycopg[binary]'")) from None
    import logging

    from psycopg.types.json import set_json_loads

    set_json_loads(orjson.loads)
    quiet = logging.getLogger("psycopg")  # its warnings would be a second line under ours
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
    return psycopg


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0].strip()


_cursors = itertools.count(1)


@dataclass(frozen=True)
class _Opened:
    """What a session's first statement found."""

    version: int | None  # None: no checklist schema
    data: bool = False  # anything ever committed
    any_items: bool | None = None  # a read's: whether there are items to read,
    meta: dict[str, Any] | None = None  # and its snapshot's meta


class PostgresReader:
    def __init__(self, store: PostgresStore, conn: Any, opened: _Opened | None = None):
        self._store = store
        self._conn = conn
        self.location = store.location
        self._courts: dict[str, str] | None = None  # officer id → court: everyone's, once a report needs them
        self._court: dict[str, str | None] = {}  # … or one officer's at a time, for a list of one person
        # a snapshot's meta does not change, nor whether it has items: read once (with the schema, for a read)
        self._meta = opened.meta if opened is not None else None
        self._any_items = opened.any_items if opened is not None else None
        self._rls: bool | None = None

    def _counting(self) -> None:
        """Before a statement that counts many rows, for the rest of this read: no JIT compilation (it cost more
        than it saved on every such statement here: 40–160 ms of a province report), and the memory to sort and
        keep a province's month of items without going to disk."""
        self._store._run(lambda: self._conn.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"))

    def _rows(self, query: str, params: tuple = ()) -> list[tuple]:
        return self._store._run(lambda: self._conn.execute(query, params).fetchall())

    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            self._meta = dict(self._rows("SELECT name, value FROM checklist.meta WHERE court = ''"))
        return dict(self._meta)

    def officers(self) -> list[dict[str, Any]]:
        rows = self._rows("SELECT record, id, court FROM checklist.officers ORDER BY pos")
        if self._courts is None:  # where each one's items are kept, known now without asking again
            self._courts = {officer_id: court for _record, officer_id, court in rows}
        return [record for record, _id, _court in rows]

    def accounts(self) -> list[str]:
        """The names the roster's people log in as (their login, else their id): one server role each."""
        return sorted({o.get("login") or o["id"] for o in self.officers()})

    def session(self) -> tuple[str, bool, dict[str, Any] | None]:
        """Who the server says is connected — the acting person's account (CHECKLIST_USER cannot change
        it) —, whether they own the database (or are a superuser: then they act as admin), and their
        roster entry, found through the account index: the rest of the roster is not sent."""
        user, owner, record = self._rows("SELECT session_user, checklist.is_owner(), "
                                         "(SELECT record FROM checklist.officers WHERE id = checklist.me())")[0]
        return str(user), bool(owner), record

    def officer(self, officer_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT record, court FROM checklist.officers WHERE id = %s", (officer_id,))
        self._court.setdefault(officer_id, rows[0][1] if rows else None)  # where their items are: known now
        return rows[0][0] if rows else None

    def _all_courts(self) -> dict[str, str]:
        """Officer id → court, read once a session: a report reads thousands of officers."""
        if self._courts is None:
            self._courts = dict(self._rows("SELECT id, court FROM checklist.officers"))
        return self._courts

    def _court_of(self, officer_id: str) -> str | None:
        return self._courts_of((officer_id,)).get(officer_id)

    def _courts_of(self, officer_ids: Iterable[str]) -> dict[str, str]:
        """Officer id → court for these officers (those on the roster): a few are asked for by id — one
        person's list, a ``done`` — and many by reading everyone's once."""
        wanted = set(officer_ids)
        if self._courts is None and len(wanted) <= 100:
            unknown = sorted(w for w in wanted if w not in self._court)
            if unknown:
                found = dict(self._rows("SELECT id, court FROM checklist.officers WHERE id = ANY(%s)", (unknown,)))
                self._court.update((w, found.get(w)) for w in unknown)
            return {w: court for w in wanted if (court := self._court[w]) is not None}
        courts = self._all_courts()
        return {w: courts[w] for w in wanted if w in courts}

    def case_items(self, officer_id: str, keys: Iterable[str] = ()) -> list[dict[str, Any]]:
        """The officer's items a case's clocks made, and those of the duties ``keys`` (a case import
        reconciles only these): picked by the server, so the campaigns' other items are neither sent
        nor decoded."""
        return self.items(officer_id, only_cases=True, keys=tuple(keys))

    def day_items(self, officer_id: str, first: str, last: str, today: str) -> list[dict[str, Any]]:
        """Picked through the (court, officer, due) index: the year's work done before ``first`` is not sent."""
        return self.items(officer_id, "", last, day=(first, today))

    def items(self, officer_id: str, due_from: str = "", due_to: str = "9999", *,
              only_cases: bool = False, keys: tuple[str, ...] = (),
              day: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        if self._any_items is None:  # a first sync asks 3,000 officers for their items in an empty table
            self._any_items = bool(self._rows(f"SELECT {_ANY_ITEMS}")[0][0])
        if not self._any_items:
            return []
        court = self._court_of(officer_id) or ""  # items of someone not on the roster are kept under ''
        query = f"SELECT {_ITEM_READ} FROM checklist.items WHERE court = %s AND officer = %s"
        params: list[Any] = [court, officer_id]
        if day is not None:
            query += " AND (due >= %s OR status = 'open' OR (status = 'done' AND left(done_at, 10) = %s))"
            params += [date.fromisoformat(day[0]), day[1]]
        if only_cases:
            query += " AND (case_no IS NOT NULL OR key = ANY(%s))"
            params.append(list(keys))
        if due_from:
            query += " AND due >= %s"
            params.append(date.fromisoformat(due_from))
        if due_to < "9999":
            query += " AND due <= %s"
            params.append(date.fromisoformat(due_to))
        items = []
        for row in self._rows(query, tuple(params)):
            item = _item(officer_id, row)
            if item is None or not record_ok(item):
                raise _damaged(_("an item of {officer} is not what checklist writes").format(officer=officer_id))
            items.append(item)
        items.sort(key=lambda i: (i["due"], str(i.get("key")), i["period"]))
        return items

    # -- a report, counted by the server --------------------------------------------------------------------

    # The items of a report's people in its range, each with what the counting rules ask of it
    # (checklist.core.report: live, counted, done by the as-of day, listed as late), from the columns;
    # the title, the one field read from the JSON, only for the items the report names (parsing
    # every record's JSON for it cost more than all the counting).
    _REPORT_ITEMS = """
        WITH c AS (
            SELECT court, officer, id, due, status, key, campaigns, every, priority, recorded_at, record,
                   left(done_at, 10)::date AS done_on,
                   CASE WHEN reassigned_to IS NOT NULL AND due < reassigned_on::date THEN 'open' ELSE status END AS st
            FROM checklist.items
            WHERE court = ANY(%(courts)s) AND officer = ANY(%(officers)s) AND due BETWEEN %(start)s AND %(end)s
        ), f AS (
            SELECT *, st <> 'withdrawn' AS live, coalesce(st = 'done' AND done_on <= %(as_of)s, false) AS done_by
            FROM c
        ), g AS (
            SELECT *, live AND due <= %(until)s AND (due < %(as_of)s OR st = 'skipped' OR done_by) AS counted
            FROM f
        ), h AS (
            SELECT *, counted AND st <> 'skipped' AND NOT done_by AND due < %(as_of)s AS late,
                   status = 'done' AND done_on IS NOT NULL AND recorded_at IS NOT NULL
                   AND left(recorded_at, 10)::date - done_on > %(days)s AS recorded_late,
                   -- what missing it weighs: checklist.core.report.weight
                   (CASE every WHEN 'day' THEN 1 WHEN 'week' THEN 2 WHEN 'halfmonth' THEN 3 WHEN 'month' THEN 4
                        WHEN 'quarter' THEN 6 WHEN 'year' THEN 8 WHEN 'once' THEN 8 ELSE 4 END)
                   * (CASE priority WHEN 'low' THEN 0.5 WHEN 'high' THEN 2 ELSE 1 END)::float8 AS w
            FROM g
        ), k AS MATERIALIZED (
            SELECT court, officer, id, due, status, key, campaigns, done_on, recorded_at, st, live, done_by, counted,
                   late, recorded_late, w,
                   CASE WHEN recorded_late OR (late AND %(every_late)s) THEN record->>'title' END AS title
            FROM h
        )"""

    def report_tallies(self, officer_ids: list[str], start: date, end: date, as_of: date, record_days: int, *,
                       by: str = "officer", phases: dict[str, tuple[Phase, ...]] | None = None,
                       late_each: int | None = None, group_of: dict[str, str] | None = None,
                       ) -> tuple[Tallies, list[tuple[str, str, str, date, date]]]:
        """The counts a report adds up, counted here rather than item by item in Python (the same rules):
        one statement — counts per officer (and campaign, or campaign stage), the overdue items, the weeks, and the done
        items recorded more than ``record_days`` days after the day they claim (id, officer, title, done
        on, recorded on: the candidates; the caller counts working days) — its parts told apart by their
        first column.

        The overdue items are all of them, or with ``late_each`` the first that many of each group by due day
        and officer, with all of any tie (the caller sorts them on by title and id, as the report lists them):
        the group is ``group_of[officer]``, or for ``by`` campaign or phase the item's campaign (stage) — an
        item can then come once for each."""
        from checklist.core.report import ReportItem, Tallies, Tally, week_of

        courts = self._all_courts()
        params = {"courts": sorted({courts.get(o) or "" for o in officer_ids}), "officers": list(officer_ids),
                  "start": start, "end": end, "as_of": as_of, "until": min(end, as_of), "days": record_days}
        campaign, join = "NULL::text", ""
        if by in ("campaign", "phase"):
            campaign = "camp.name"
            join = "CROSS JOIN LATERAL unnest(k.campaigns) AS camp(name)"
        if by == "phase":  # each stage a (campaign, name, first day, last day) row the items join on
            stages = [p for found in (phases or {}).values() for p in found]
            params.update({"ph_c": [p.campaign for p in stages], "ph_n": [p.name for p in stages],
                           "ph_s": [p.start for p in stages], "ph_e": [p.end for p in stages]})
            campaign = "ph.campaign || ':' || ph.phase"
            join += (" JOIN unnest(%(ph_c)s::text[], %(ph_n)s::text[], %(ph_s)s::date[], %(ph_e)s::date[])"
                     " AS ph(campaign, phase, first, last) ON ph.campaign = camp.name AND k.due BETWEEN ph.first"
                     " AND ph.last")
        late = "k WHERE late"
        params["every_late"] = late_each is None
        if late_each is not None:  # the first of each group by due day and officer (ties kept; the caller sorts)
            group, grouped = campaign, join
            if by not in ("campaign", "phase"):
                members = group_of or {}
                params.update({"g_o": list(members), "g_k": list(members.values())})
                group, grouped = "g.key", "JOIN unnest(%(g_o)s::text[], %(g_k)s::text[]) AS g(officer, key) USING (officer)"
            params["each"] = late_each
            late = f"""(SELECT f.officer, f.id, f.key, f.due, f.done_on, f.campaigns,
                           (SELECT t.record->>'title' FROM checklist.items AS t WHERE t.court = f.court AND t.id = f.id)
                           AS title
                    FROM (SELECT k.*, rank() OVER (PARTITION BY {group} ORDER BY k.due, k.officer COLLATE "C") AS n
                          FROM k {grouped} WHERE late) AS f
                    WHERE f.n <= %(each)s) AS first"""
        found = Tallies()
        self._counting()
        rows = self._rows(self._REPORT_ITEMS + f"""
            SELECT 'count', officer, {campaign}, NULL, NULL, NULL::date, NULL::date, NULL::text[],
                   count(*) FILTER (WHERE counted AND st = 'skipped'),
                   count(*) FILTER (WHERE counted AND st <> 'skipped'),
                   count(*) FILTER (WHERE counted AND st <> 'skipped' AND done_by),
                   count(*) FILTER (WHERE counted AND st <> 'skipped' AND done_by AND done_on <= due),
                   count(*) FILTER (WHERE counted AND st <> 'skipped' AND NOT done_by AND due < %(as_of)s),
                   coalesce(sum(w) FILTER (WHERE counted AND st <> 'skipped'), 0),
                   coalesce(sum(w) FILTER (WHERE counted AND st <> 'skipped' AND done_by), 0)
            FROM k {join} WHERE live GROUP BY officer, {campaign}
            UNION ALL
            SELECT 'late', officer, id, key, title, due, done_on, campaigns, 0, 0, 0, 0, 0, 0, 0
            FROM {late}
            UNION ALL
            SELECT 'day', NULL, NULL, NULL, NULL, due, NULL, NULL, 0, count(*), count(*) FILTER (WHERE done_by), 0, 0, 0, 0
            FROM k WHERE counted AND st <> 'skipped' GROUP BY due
            UNION ALL
            SELECT 'recorded', officer, id, NULL, title, done_on, left(recorded_at, 10)::date, NULL,
                   0, 0, 0, 0, 0, 0, 0
            FROM k WHERE recorded_late""", params)
        recorded = []
        for (kind, officer, name, key, title, due, done_on, campaigns, skipped, n_due, done, on_time, overdue,
             weight_due, weight_done) in rows:
            if kind == "count":
                found.counts[(officer, name)] = Tally(n_due, done, on_time, overdue, skipped,
                                                      weight_due=float(weight_due), weight_done=float(weight_done))
            elif kind == "late":
                found.late.append(ReportItem(name, officer, key, title, due, "open", done_on, tuple(campaigns)))
            elif kind == "day":  # the trend's weeks, added up from days (naming a week in SQL cost more)
                week = found.weeks.setdefault(week_of(due), [0, 0])
                week[0] += n_due
                week[1] += done
            else:
                recorded.append((name, officer, title, due, done_on))  # (done on, recorded on) in those columns
        return found, recorded

    def indicator_facts(self, officer_ids: list[str], start: date, end: date, as_of: date,
                        kinds: dict[str, str]) -> tuple[dict[str, tuple[int, int]], list[dict[str, Any]], list[tuple],
                                                        int]:
        """What ``checklist.core.indicators.compute`` reads, picked by the server: per officer the open cases
        and those open over 12 months; the cases closed in the range; and the 案款 payout and 终本 re-check
        items that can count (open and past due, or due in the range), as (kind, officer, due, status,
        done on); and how many cases the officers have."""
        from checklist.core.clocks import add_months

        until = min(end, as_of)
        self._counting()
        params = {"officers": officer_ids, "as_of": as_of.isoformat(), "old": add_months(as_of, -12).isoformat(),
                  "start": start.isoformat(), "until": until.isoformat(), "keys": list(kinds),
                  "courts": sorted({self._all_courts().get(o) or "" for o in officer_ids})}
        counts = {officer: (int(opened), int(old)) for officer, opened, old in self._rows("""
            SELECT officer,
                   count(*) FILTER (WHERE NOT closed_by),
                   count(*) FILTER (WHERE NOT closed_by AND filed < %(old)s)
            FROM (SELECT officer, record->>'filed' AS filed,
                         coalesce(record->>'closed' <= %(as_of)s, false) AS closed_by
                  FROM checklist.cases WHERE officer = ANY(%(officers)s) AND record->>'filed' <= %(as_of)s) AS c
            GROUP BY officer""", params)}
        closed = [record for (record,) in self._rows(
            "SELECT record FROM checklist.cases WHERE officer = ANY(%(officers)s) "
            "AND record->>'closed' BETWEEN %(start)s AND %(until)s", params)]
        items = [(kinds[key], officer, due, status, done_on) for officer, due, status, done_on, key in self._rows("""
            SELECT officer, due, status, left(done_at, 10)::date, key FROM checklist.items
            WHERE court = ANY(%(courts)s) AND officer = ANY(%(officers)s) AND case_no IS NOT NULL
              AND key = ANY(%(keys)s)
              AND ((status = 'open' AND due < %(as_of)s::date) OR due BETWEEN %(start)s::date AND %(until)s::date)
            """, params)] if kinds else []
        (total,) = self._rows("SELECT count(*) FROM checklist.cases WHERE officer = ANY(%(officers)s)", params)[0]
        return counts, closed, items, int(total)

    def find_ids(self, prefix: str) -> list[tuple[str, str]]:
        if len(prefix) >= 4 and self._bound():
            # under row-level security a LIKE runs after the policy, over every row: look the prefix up in
            # the id index (item_owners), then keep what this session may see, by primary key
            found = self._rows("SELECT id, officer FROM checklist.item_owners(%s)", (prefix,))
            if not found:
                return []
            courts = self._courts_of(o for _i, o in found)
            return sorted((i, o) for i, o in self._rows(
                "SELECT id, officer FROM checklist.items WHERE court = ANY(%s) AND id = ANY(%s)",
                (sorted({courts.get(o) or "" for _i, o in found}), [i for i, _o in found])))
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return sorted((i, o) for i, o in self._rows(
            "SELECT id, officer FROM checklist.items WHERE id LIKE %s", (pattern,)))

    def _bound(self) -> bool:
        """Whether row-level security binds this session (a roster person, not the owner)."""
        if self._rls is None:
            self._rls = bool(self._rows("SELECT row_security_active('checklist.items')")[0][0])
        return self._rls

    def hidden_owners(self, prefix: str) -> list[tuple[str, str]]:
        """(id, officer) of items starting with ``prefix`` that this session may not read: only whose they
        are, so that a refusal can say so (the items themselves stay hidden)."""
        return sorted((i, o) for i, o in self._rows("SELECT id, officer FROM checklist.item_owners(%s)", (prefix,)))

    def history(self, officer_id: str) -> list[dict[str, Any]]:
        entries = []
        for seq, line in self._rows("SELECT seq, line FROM checklist.history WHERE officer = %s ORDER BY seq",
                                    (officer_id,)):
            try:
                entries.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                raise _damaged(_("history entry {seq} is not JSON").format(seq=seq)) from None
        return entries

    def log(self, after: int = 0) -> Iterator[LogLine]:
        psycopg = _psycopg()
        name = f"log_{next(_cursors)}"
        try:
            with self._conn.cursor(name=name) as cursor:  # streamed from the server, a batch at a time
                cursor.itersize = 2000
                cursor.execute("SELECT seq, line FROM checklist.history WHERE seq > %s ORDER BY seq", (after,))
                for seq, line in cursor:
                    try:
                        entry = orjson.loads(line)
                    except orjson.JSONDecodeError as err:
                        yield LogLine(f"entry {seq}", None, err.msg)
                        continue
                    yield LogLine(f"entry {seq}", entry if isinstance(entry, dict) else None)
        except psycopg.Error as err:  # the connection can go while the log streams, not only at a query
            raise self._store.translated(err) from None

    def head(self) -> tuple[int, str]:
        rows = self._rows("SELECT seq, hash FROM checklist.chain WHERE court = ''")
        return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS)

    def templates(self) -> list[tuple[str, str]]:
        return [(path, body) for path, body in self._rows(
            "SELECT path, body FROM checklist.templates WHERE court = '' ORDER BY n")]

    def follow_ups(self) -> list[dict[str, Any]]:
        records = [record for (record,) in self._rows("SELECT record FROM checklist.follow_ups ORDER BY n")]
        bad = next((r for r in records if not follow_up_ok(r)), None)
        if bad is not None:
            raise _damaged(_("follow-up {id} is not what checklist writes").format(id=str(
                bad.get("id") if isinstance(bad, dict) else bad)[:20]))
        return records

    def last_follow_up(self) -> int:
        return int(self._rows("SELECT checklist.last_follow_up()")[0][0])

    def cases(self, officers: list[str] | None = None) -> list[dict[str, Any]]:
        if officers is None:
            records = [record for (record,) in self._rows("SELECT record FROM checklist.cases ORDER BY number")]
        else:
            records = [record for (record,) in self._rows(
                "SELECT record FROM checklist.cases WHERE officer = ANY(%s) ORDER BY number", (list(officers),))]
        bad = next((r for r in records if not case_ok(r)), None)
        if bad is not None:
            raise _damaged(_("case {number} is not what checklist writes").format(
                number=str(bad.get("number") if isinstance(bad, dict) else bad)[:40]))
        return records


class PostgresWriter(PostgresReader):
    def __init__(self, store: PostgresStore, conn: Any):
        super().__init__(store, conn)
        self._committed = False

    def commit(self, change: Change) -> list[dict[str, Any]]:
        if self._committed:
            raise RuntimeError("one commit per write session")
        self._committed = True
        with collector_paused():  # a year's sync writes a million items: their rows hold no cycles
            self._store._run(lambda: self._write(change))
        self._courts = self._any_items = self._meta = None  # officers may have moved, items come
        self._court = {}
        return self._linked

    def _write(self, change: Change) -> None:
        conn = self._conn
        head = self.head()
        linked = change.chained(head)
        self._linked = linked
        old_meta = self.meta()
        meta = stamp_templates({**old_meta, **change.meta}, linked)
        courts = self._courts_of({doc["id"] for doc in change.officers} | set(change.items)
                                 | {entry["officer"] for entry in linked if entry.get("officer")})
        with conn.cursor() as cur:
            moved = []
            for doc in change.officers:
                court = str(doc.get("court") or "")
                before = courts.get(doc["id"], "")  # items of someone not on the roster yet are under ''
                if before != court:  # the officer moved (or joined): their rows are deleted and inserted again
                    moved.append((before, doc["id"], court))
                courts[doc["id"]] = court
            # one batch (a province's first import is 3,000 people), not a round trip each
            cur.executemany("INSERT INTO checklist.officers (id, court, record) VALUES (%s, %s, %s) "
                            "ON CONFLICT (id) DO UPDATE SET court = excluded.court, record = excluded.record",
                            [(doc["id"], str(doc.get("court") or ""), _json(doc)) for doc in change.officers])
            cur.executemany(f"WITH gone AS (DELETE FROM checklist.items WHERE court = %s AND officer = %s "
                            f"RETURNING *) INSERT INTO checklist.items (court, officer, {_ITEM_WRITE}) "
                            f"SELECT %s, officer, {_ITEM_WRITE} FROM gone", moved)
            if change.items:
                self._put_items(cur, change.items, courts)
            for record in change.follow_ups:  # before the history: an entry names its follow-up
                target = record["target"]
                court = str(target.get("court") or "")
                # an UPDATE first: an upsert would hold a reply to the policy for opening one
                cur.execute("UPDATE checklist.follow_ups SET record = %s WHERE court = %s AND id = %s",
                            (_json(record), court, record["id"]))
                if cur.rowcount == 0:
                    cur.execute("INSERT INTO checklist.follow_ups (court, id, n, opener, officer, record) "
                                "VALUES (%s, %s, %s, %s, %s, %s)", (court, record["id"], int(record["id"][1:]),
                                                                    record["by"], target.get("officer"), _json(record)))
            if change.cases:
                self._put_cases(cur, change.cases)
            if linked:
                self._copy_in(cur, "history", "(court, seq, officer, line)", (
                    (courts.get(entry.get("officer"), "") if entry.get("officer") else "", entry["seq"],
                     entry.get("officer"), orjson.dumps(entry, option=orjson.OPT_SORT_KEYS).decode())
                    for entry in linked))
                cur.execute("UPDATE checklist.chain SET seq = %s, hash = %s WHERE court = ''",
                            (linked[-1]["seq"], linked[-1]["hash"]))
            for name, value in meta.items():
                if old_meta.get(name, _ABSENT) != value:
                    cur.execute("INSERT INTO checklist.meta (court, name, value) VALUES ('', %s, %s) "
                                "ON CONFLICT (court, name) DO UPDATE SET value = excluded.value", (name, _json(value)))
            if change.templates is not None:
                cur.execute("DELETE FROM checklist.templates WHERE court = ''")
                self._copy_in(cur, "templates", "(court, n, path, body)",
                              (("", n, path, text) for n, (path, text) in enumerate(change.templates, start=1)))
        conn.commit()

    def _copy_in(self, cur: Any, table: str, columns: str, rows: Iterable[tuple]) -> None:
        """Rows into a table with COPY — through a temporary table when row-level security binds this
        session (a roster person: COPY FROM does not apply policies, so PostgreSQL refuses it there)."""
        bound = cur.execute("SELECT row_security_active(%s)", (f"checklist.{table}",)).fetchone()[0]
        target = f"checklist.{table}"
        if bound:
            target = f"incoming_{table}"
            cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE checklist.{table}) ON COMMIT DROP")
            cur.execute(f"TRUNCATE {target}")
        with cur.copy(f"COPY {target} {columns} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if bound:
            cur.execute(f"INSERT INTO checklist.{table} {columns} SELECT {columns[1:-1]} FROM {target}")

    def _put_cases(self, cur: Any, cases: list[dict[str, Any]]) -> None:
        """Cases in by number: one that changed court is deleted under the old one and inserted again."""
        rows = {c["number"]: (str(c.get("court") or ""), c["number"], c["officer"], orjson.dumps(c).decode())
                for c in cases}
        cur.execute("CREATE TEMP TABLE IF NOT EXISTS incoming_cases (court text, number text, officer text, "
                    "record jsonb) ON COMMIT DROP")
        cur.execute("TRUNCATE incoming_cases")
        with cur.copy("COPY incoming_cases (court, number, officer, record) FROM STDIN") as copy:
            for row in rows.values():
                copy.write_row(row)
        cur.execute("DELETE FROM checklist.cases AS c USING incoming_cases AS n "
                    "WHERE c.number = n.number AND c.court <> n.court")
        cur.execute("UPDATE checklist.cases AS c SET officer = n.officer, record = n.record FROM incoming_cases AS n "
                    "WHERE c.court = n.court AND c.number = n.number")
        cur.execute("INSERT INTO checklist.cases (court, number, officer, record) SELECT n.court, n.number, n.officer, "
                    "n.record FROM incoming_cases AS n WHERE NOT EXISTS (SELECT 1 FROM checklist.cases AS c "
                    "WHERE c.court = n.court AND c.number = n.number)")

    def _first_load(self, cur: Any) -> bool:
        """Whether this session may rebuild the items table's indexes and the table is empty (a first sync,
        or `db copy` into a new database): only the database's owner, whom row-level security does not bind."""
        return not cur.execute("SELECT row_security_active('checklist.items') "
                               "OR EXISTS (SELECT 1 FROM checklist.items)").fetchone()[0]

    @contextmanager
    def _indexes_rebuilt(self, cur: Any, table: str) -> Iterator[None]:
        """The table's indexes dropped for a bulk load into it, and built again after (in this transaction).

        Building an index over a million rows at once costs less than keeping it up to date row by row
        (a province's first sync: about 40% of its COPY). Until the commit, readers of the table wait.
        The table is analysed after, so the commands that follow are planned on its real size."""
        found = cur.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_index AS i LEFT JOIN pg_constraint AS c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
            "WHERE i.indrelid = %s::regclass", (f"checklist.{table}",)).fetchall()
        for index, _definition, constraint, _rule in found:
            cur.execute(f"ALTER TABLE checklist.{table} DROP CONSTRAINT {constraint}" if constraint
                        else f"DROP INDEX {index}")
        yield
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _index, definition, constraint, rule in found:
            cur.execute(f"ALTER TABLE checklist.{table} ADD CONSTRAINT {constraint} {rule}" if constraint
                        else definition)
        # and its statistics now, not when autovacuum comes by: the next import's plans depend on them
        cur.execute(f"ANALYZE checklist.{table}")

    def _put_items(self, cur: Any, changed: dict[str, list[dict[str, Any]]], courts: dict[str, str]) -> None:
        """New items go straight in with COPY; changed ones through a temporary table and one UPDATE."""
        wanted = list(changed)
        existing = {item_id for (item_id,) in cur.execute(
            "SELECT id FROM checklist.items WHERE court = ANY(%s) AND officer = ANY(%s)",
            (sorted({courts.get(o, "") for o in wanted}), wanted)).fetchall()}
        latest: dict[str, tuple[str, dict[str, Any]]] = {}  # by id: an item put twice is stored as put last
        for officer, items in changed.items():
            for item in items:
                latest[item["id"]] = (officer, item)
        # rows are made as COPY sends them: the client formats while the server stores (two cores, both busy)
        fresh = (_item_row(courts.get(officer, ""), officer, item)
                 for item_id, (officer, item) in latest.items() if item_id not in existing)
        updated = [_item_row(courts.get(officer, ""), officer, item)
                   for item_id, (officer, item) in latest.items() if item_id in existing]
        columns = f"(court, officer, {_ITEM_WRITE})"
        if len(latest) - len(updated) >= BULK_LOAD and not existing and self._first_load(cur):
            with self._indexes_rebuilt(cur, "items"):
                self._copy_in(cur, "items", columns, fresh)
        elif len(latest) > len(updated):
            self._copy_in(cur, "items", columns, fresh)
        if 0 < len(updated) <= FEW_UPDATES:  # a done, a skip: an UPDATE each, sent together (one round trip)
            assigned = ", ".join(f"{name} = %s" for name in ("officer", *_ITEM_COLUMNS[1:], "record"))
            cur.executemany(f"UPDATE checklist.items SET {assigned} WHERE court = %s AND id = %s",
                            [(officer, *fields, court, item_id) for court, officer, item_id, *fields in updated])
        elif updated:
            cur.execute("CREATE TEMP TABLE IF NOT EXISTS incoming (LIKE checklist.items) ON COMMIT DROP")
            cur.execute("TRUNCATE incoming")
            with cur.copy(f"COPY incoming {columns} FROM STDIN") as copy:
                for values in updated:
                    copy.write_row(values)
            # each incoming row finds its item through the primary key: left to itself the planner scanned the
            # whole table (a hash or merge join) to update a few per cent of it, at twice the time
            cur.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL jit = off")
            assigned = ", ".join(f"{name} = n.{name}" for name in ("officer", *_ITEM_COLUMNS[1:], "record"))
            cur.execute(f"UPDATE checklist.items AS i SET {assigned} FROM incoming AS n "
                        "WHERE i.court = n.court AND i.id = n.id")
            cur.execute("RESET enable_hashjoin; RESET enable_mergejoin; RESET jit")


# An item's fields that queries read are columns (schema 5: 005_item_columns.sql); the rest is the JSON
# ``record``. A field held as null reads back absent, as from the file database.
_ITEM_FIELDS = ("id", "due", "status", "done_at", "key", "every", "priority", "campaigns", "recorded_at",
                "reassigned_to", "reassigned_on", "case")
_ITEM_COLUMNS = tuple("case_no" if name == "case" else name for name in _ITEM_FIELDS)
_ITEM_WRITE = ", ".join((*_ITEM_COLUMNS, "record"))
_HAS_DATA = ("EXISTS (SELECT 1 FROM checklist.meta) OR EXISTS (SELECT 1 FROM checklist.officers) "
             "OR (SELECT seq FROM checklist.chain WHERE court = '') > 0")
# whether there are items to read; a session bound by row-level security is not asked (it would read
# the table for a row it may see)
_ANY_ITEMS = "row_security_active('checklist.items') OR EXISTS (SELECT 1 FROM checklist.items)"
_ITEM_READ = ", ".join("due::text" if name == "due" else name for name in (*_ITEM_COLUMNS, "record"))
_KEPT_APART = frozenset((*_ITEM_FIELDS, "officer"))  # the officer is a column of its own


def _item_row(court: str, officer: str, item: dict[str, Any]) -> list[Any]:
    """An item as the columns it is stored in: court, officer, its fields that queries read, then the rest as JSON."""
    values = [court, officer, *map(item.get, _ITEM_FIELDS)]
    campaigns = values[_CAMPAIGNS]
    if campaigns is not None:  # the array's text, written here: psycopg's list adapter was half of a sync's COPY
        try:  # a sync's million items name a few dozen lists: each written once
            values[_CAMPAIGNS] = _array_text(tuple(campaigns))
        except TypeError:  # not a list of names: written as it is, for the server to refuse
            values[_CAMPAIGNS] = _array_text.__wrapped__(campaigns)
    values.append(orjson.dumps({k: v for k, v in item.items() if k not in _KEPT_APART}).decode())
    return values


_CAMPAIGNS = 2 + _ITEM_FIELDS.index("campaigns")  # after the court and the officer


@functools.lru_cache(maxsize=1024)
def _array_text(values: tuple[str, ...] | list[str]) -> str:
    """A text[] as PostgreSQL reads it: each element quoted, its backslashes and quotes escaped."""
    return "{" + ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _item(officer: str, row: tuple) -> dict[str, Any] | None:
    """The item a row stores, with its officer (None: not what checklist writes)."""
    rest = row[-1]
    if type(rest) is not dict:
        return None
    item = {"officer": officer}
    item.update((name, value) for name, value in zip(_ITEM_FIELDS, row) if value is not None)
    item.update(rest)
    return item


_ABSENT = object()


def _json(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value, dumps=lambda v: orjson.dumps(v).decode())


def _damaged(what: str) -> StoreError:
    return StoreError(_("the database is damaged ({what}); nothing was changed — restore it from a backup").format(
        what=what))


class PostgresStore:
    """One PostgreSQL database; ``url`` is any libpq URL."""

    def __init__(self, url: str, wait: float = 10.0):
        self.url = normalised(url)
        self.location = shown(self.url)
        self.wait = wait

    def _scrub(self, text: str) -> str:
        """A server or libpq message with the URL and any password in it hidden."""
        text = text.replace(self.url, self.location)
        try:
            password = urlsplit(self.url).password
        except ValueError:
            password = None
        if password:
            text = text.replace(password, "***")
        return PASSWORD_PARAM.sub(r"\1***", text)

    # -- connecting, and errors in one line --------------------------------------------------------------

    def _connect(self) -> Any:
        psycopg = _psycopg()
        try:
            return psycopg.connect(self.url, connect_timeout=10, application_name="checklist")
        except psycopg.OperationalError as err:
            reason = self._scrub(_first_line(err))
            if re.search(r'role ".*" does not exist|no pg_hba\.conf entry', reason):
                raise StoreError(_("the database server refused the login for {db}: {reason}; a person added to "
                                   "the roster gets their login when the database's owner runs checklist db roles "
                                   "again, and is let in by the server's pg_hba.conf").format(
                    db=self.location, reason=reason)) from None
            if "password" in reason or "authentication" in reason:
                raise StoreError(_("the database server refused the login for {db}: {reason}").format(
                    db=self.location, reason=reason)) from None
            if "database" in reason and "does not exist" in reason:
                raise StoreError(_("the server has no such database ({reason}); create it first (createdb), then "
                                   "checklist db init").format(reason=reason)) from None
            raise StoreError(_("cannot reach the database server for {db}: {reason}").format(
                db=self.location, reason=reason)) from None
        except psycopg.Error as err:
            raise StoreError(_("cannot use {db}: {reason}").format(
                db=self.location, reason=self._scrub(_first_line(err)))) from None

    @contextmanager
    def _connection(self) -> Iterator[Any]:
        """A connection for one session; closing it without a commit rolls everything back."""
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    def _run(self, action: Any, refused: Callable[[str], str] | None = None) -> Any:
        """``action()`` with the server's errors turned into one-line StoreErrors; ``refused``, if given,
        says what to do when the server refuses it for want of a privilege (given the server's words)."""
        psycopg = _psycopg()
        try:
            return action()
        except psycopg.Error as err:
            if refused is not None and isinstance(err, psycopg.errors.InsufficientPrivilege):
                from checklist.identity import Refused

                raise Refused(refused(self._scrub(_first_line(err)))) from None
            raise self.translated(err) from None

    @staticmethod
    def _quoted(conn: Any) -> tuple[str, str]:
        """This session's role and database as SQL names (``DL001`` unquoted would mean ``dl001``)."""
        from psycopg import sql

        return sql.Identifier(conn.info.user).as_string(conn), sql.Identifier(conn.info.dbname).as_string(conn)

    def _owners_step(self, conn: Any) -> Callable[[str], str]:
        """What to say when db init is refused: it is the database owner's to run."""
        user, db = self._quoted(conn)
        return lambda reason: _(
            "the database server refused this: {reason}; db init is run by the database's owner — have the "
            "server's administrator run ALTER DATABASE {db} OWNER TO {user} (or create it with createdb -O); "
            "nothing was changed").format(reason=reason, user=user, db=db)

    def _schema_owners_step(self, conn: Any) -> Callable[[str], str]:
        """What to say when db upgrade or db roles is refused the schema: they are for the role owning it."""
        user, _db = self._quoted(conn)
        return lambda reason: _(
            "the database server refused this: {reason}; it is run by the role that ran db init, which owns the "
            "checklist schema — log in as that role, or have the server's administrator run ALTER SCHEMA "
            "checklist OWNER TO {user} and REASSIGN OWNED BY the old owner TO {user}; nothing was "
            "changed").format(reason=reason, user=user)

    def translated(self, err: Exception) -> ChecklistError:
        """A server error in one line a user can act on; the server's own refusal exits 1 like the CLI's."""
        psycopg = _psycopg()
        reason = self._scrub(_first_line(err))
        if isinstance(err, psycopg.errors.LockNotAvailable):
            return StoreError(_("the database is busy: {holder} has held it for more than {seconds} s; nothing was "
                                "changed (try again, or wait longer)").format(
                holder=_("another checklist command"), seconds=f"{self.wait:g}"))
        if isinstance(err, psycopg.errors.InsufficientPrivilege):
            from checklist.identity import Refused

            return Refused(_("the database server refused this: {reason}; nothing was changed (checklist whoami tells "
                             "who you are to it)").format(reason=reason))
        if isinstance(err, psycopg.OperationalError) and getattr(err, "sqlstate", None) in (None, "57P01", "57P02",
                                                                                             "57P03"):
            return StoreError(_("lost the connection to {db}: {reason}; nothing was changed").format(
                db=self.location, reason=reason))
        return StoreError(_("the database server reported: {reason}; nothing was changed").format(reason=reason))

    def _schema(self, conn: Any) -> int | None:
        """The schema version in the database (None: no checklist schema at all)."""
        return self._opened(conn, data=False).version

    def _opened(self, conn: Any, *, data: bool = True, snapshot: bool = False) -> _Opened:
        """The schema version, whether anything was ever committed and, for a read, its snapshot's meta and
        whether there are items — asked in one statement: each is a round trip to a server that may be a
        province away. Only the first tables are named, so a schema of any version answers."""
        row = conn.execute("SELECT to_regclass('checklist.schema_version') IS NOT NULL").fetchone()
        if not row[0]:
            return _Opened(None)
        asked = ["(SELECT max(version) FROM checklist.schema_version)", _HAS_DATA if data or snapshot else "false"]
        if snapshot:
            asked += [_ANY_ITEMS, "(SELECT coalesce(jsonb_object_agg(name, value), '{}') FROM checklist.meta "
                                  "WHERE court = '')"]
        version, committed, *read = conn.execute("SELECT " + ", ".join(asked)).fetchone()
        return _Opened(int(version) if version is not None else None, bool(committed), *read)

    def _checked(self, conn: Any, create: bool = False, snapshot: bool = False) -> _Opened:
        """Refuses a database without the schema this checklist knows (with ``create``, makes it in an
        empty one); what the first statement found."""
        opened = self._run(lambda: self._opened(conn, snapshot=snapshot))
        version = opened.version
        if version is None and create:
            self._run(lambda: self._migrate(conn, 0))
            return opened
        if version is None:
            conn.rollback()
            raise StoreError(_("{db} has no checklist schema; create it with checklist db init (or import a roster "
                               "into it)").format(db=self.location))
        if version > SCHEMA:
            raise StoreError(_("{db} has schema {n}, newer than this checklist knows ({m}); upgrade checklist to use "
                               "it").format(db=self.location, n=version, m=SCHEMA))
        if version < SCHEMA:
            raise StoreError(_("{db} has schema {n}; this checklist needs {m}: run checklist db upgrade (nothing was "
                               "changed)").format(db=self.location, n=version, m=SCHEMA))
        return opened

    def _migrate(self, conn: Any, version: int) -> list[str]:
        """Apply every shipped step after ``version`` in the current transaction; their names."""
        done = []
        for number, name, sql in migrations():
            if number > version:
                conn.execute(sql)
                conn.execute("INSERT INTO checklist.schema_version (version) VALUES (%s)", (number,))
                done.append(f"{number:03d}_{name}")
        return done

    # -- the contract -------------------------------------------------------------------------------------

    def exists(self) -> bool:
        with self._connection() as conn:
            opened = self._run(lambda: self._opened(conn))
            return opened.version is not None and opened.data

    def _nothing_yet(self) -> MissingDatabase:
        return MissingDatabase(_("{db} has its schema but nothing in it yet; import a roster first: checklist import "
                                 "roster FILE (or bring a file database across: checklist db copy FILE {db})").format(
            db=self.location))

    @contextmanager
    def reading(self) -> Iterator[PostgresReader]:
        with self._connection() as conn:
            psycopg = _psycopg()
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot, no locks
            conn.read_only = True
            opened = self._checked(conn, snapshot=True)
            if not opened.data:
                raise self._nothing_yet()
            yield PostgresReader(self, conn, opened)

    @contextmanager
    def writing(self, *, create: bool = False) -> Iterator[PostgresWriter]:
        psycopg = _psycopg()
        with self._connection() as conn:
            # set, not inherited: a server whose default is REPEATABLE READ would fail a writer that
            # waited for the chain row instead of letting it go on
            conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
            conn.read_only = False
            self._wait_limit(conn)
            if create:  # two first imports into an empty database: one creates the schema, the other waits
                self._run(lambda: conn.execute("SELECT pg_advisory_xact_lock(%s)", (CREATING,)))
            if not self._checked(conn, create=create).data and not create:
                raise self._nothing_yet()
            self._run(lambda: conn.execute("SELECT 1 FROM checklist.chain WHERE court = '' FOR UPDATE"  # one trip
                                           + (" NOWAIT" if self.wait <= 0 else "") + "; SET LOCAL lock_timeout = 0"))
            yield PostgresWriter(self, conn)

    def _wait_limit(self, conn: Any) -> None:
        """``--wait`` as the server's lock timeout (0: do not wait at all; capped at what it takes)."""
        millis = max(1, min(int(min(self.wait, 2_000_000) * 1000), 2_147_483_647))
        self._run(lambda: conn.execute(f"SET LOCAL lock_timeout = {millis}"))  # an int: nothing to quote

    def health(self) -> list[Finding]:
        with self._connection() as conn:
            # "15.18", without the packager's build ("(Debian 15.18-0+deb12u1)"): the line is one of many
            version = str(self._run(lambda: conn.execute("SHOW server_version").fetchone()[0])).split(" ")[0]
            schema = self._run(lambda: self._schema(conn))
            findings = [Finding("server", True, _("PostgreSQL {version} at {db}").format(
                version=version, db=self.location))]
            if schema is None:
                findings.append(Finding("schema", False, _("no checklist schema"), _("run checklist db init")))
            elif schema != SCHEMA:
                findings.append(Finding("schema", False, _("schema {n}; this checklist needs {m}").format(
                    n=schema, m=SCHEMA), _("run checklist db upgrade") if schema < SCHEMA else
                    _("upgrade checklist")))
            else:
                findings.append(Finding("schema", True, _("schema {n}").format(n=schema)))
            return findings

    # -- the schema ---------------------------------------------------------------------------------------

    def init(self) -> list[str]:
        """Create the schema in an empty database, or check it; the steps applied."""
        with self._connection() as conn:
            self._wait_limit(conn)
            self._run(lambda: conn.execute("SELECT pg_advisory_xact_lock(%s)", (CREATING,)))
            version = self._run(lambda: self._schema(conn))
            if version is not None:
                conn.rollback()
                self._checked(conn)
                return []
            steps = self._run(lambda: self._migrate(conn, 0), self._owners_step(conn))
            self._run(conn.commit)
            return steps

    def without_login(self) -> list[str]:
        """The roster's accounts with no role on this server yet (``checklist db roles`` makes them)."""
        with self.reading() as reader:
            return [name for (name,) in reader._rows(
                "SELECT a FROM unnest(%s::text[]) AS a WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = a) "
                "ORDER BY a", (reader.accounts(),))]

    def roles(self, people: list[str]) -> tuple[list[str], list[str]]:
        """One login role per roster person, members of ``checklist_member``; (created, already there).

        Members may read everything and write what the commands write; the history is
        append-only for them (no UPDATE, DELETE or TRUNCATE), so only the database's owner can
        rewrite it. Which rows each person may touch (row-level security keyed to the session
        user) follows the permission rules (SPEC.md → Who may do what). No passwords: logging in
        is the server's business (pg_hba.conf).
        """
        from psycopg import sql

        created, present = [], []
        with self._connection() as conn:
            self._checked(conn)
            exists = "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s)"
            # making roles takes the CREATEROLE right, which a database's owner does not have by being its owner
            user, _db = self._quoted(conn)

            def creating(reason: str) -> str:
                return _("the database server refused this: {reason}; checklist db roles makes a login role for "
                         "each person, which needs the CREATEROLE right: have the server's administrator run ALTER "
                         "ROLE {user} CREATEROLE (or create the role with createuser --createrole); nothing was "
                         "changed").format(reason=reason, user=user)

            def joining(reason: str) -> str:  # PostgreSQL 16 asks more of a grant than CREATEROLE
                return _("the database server refused this: {reason}; checklist db roles makes each person a member "
                         "of {group}, which needs the CREATEROLE right (PostgreSQL 15 and before) or the admin "
                         "option on {group} (16 and after): have the server's administrator run ALTER ROLE {user} "
                         "CREATEROLE, or GRANT {group} TO {user} WITH ADMIN OPTION; nothing was changed").format(
                    reason=reason, user=user, group=MEMBERS)

            granting = self._schema_owners_step(conn)
            if not self._run(lambda: conn.execute(exists, (MEMBERS,)).fetchone()[0]):
                self._run(lambda: conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(MEMBERS))),
                          creating)
            for statement in MEMBER_GRANTS:
                self._run(lambda: conn.execute(sql.SQL(statement).format(role=sql.Identifier(MEMBERS))), granting)
            for person in people:
                if self._run(lambda: conn.execute(exists, (person,)).fetchone()[0]):
                    present.append(person)
                else:
                    self._run(lambda: conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(person))),
                              creating)
                    created.append(person)
                self._run(lambda: conn.execute(sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(MEMBERS), sql.Identifier(person))), joining)
            self._run(conn.commit)
        return created, present

    def upgrade(self) -> list[str]:
        """Migrate an older schema to this version's, in one transaction; the steps applied."""
        with self._connection() as conn:
            version = self._run(lambda: self._schema(conn), self._schema_owners_step(conn))
            if version is None:
                raise MissingDatabase(_("there is no checklist database at {db} yet; create it with checklist db "
                                        "init").format(db=self.location))
            if version >= SCHEMA:
                self._checked(conn)
                return []
            self._wait_limit(conn)
            refused = self._schema_owners_step(conn)
            self._run(lambda: conn.execute("LOCK TABLE checklist.chain IN EXCLUSIVE MODE"), refused)
            steps = self._run(lambda: self._migrate(conn, version), refused)
            self._run(conn.commit)
            return steps
