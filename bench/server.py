"""The PostgreSQL backend beside the file backend, in one run: whole-process medians.

    python bench/server.py                      # city scale (500 officers)
    python bench/server.py --scales province    # 3,000 officers: a few minutes more to build

For each scale a world is built as a file database (bench/world.py), copied onto a throwaway
PostgreSQL server started for the run (tests/pgserver.py; or --url for a server of your own), and
each command is run as a separate process on both (today, done and report alternately, file then
server, so a machine that slows down part-way slows both):

    today            checklist today --officer <an officer>
    import           python -c "import checklist.cli" beside "import checklist.cli, psycopg": the driver's
                     share of every command on the server, and so the floor under today's ratio
    far today        today on the server through a link of 20 ms round trip and 20 Mbit/s
                     (bench/slowlink.py): what a court far from the province's server waits
    done             checklist done <an item>               (undone again between runs, untimed)
    report           checklist report --by court --month 2026-11
    import status    a 100,000-row status CSV into a fresh copy of the world
    full sync        checklist import roster into an empty database: every item for the year
    db copy          the file world onto an empty server database
    32 clients       32 processes at once, each marking its own items done, one `done` per process:
                     commits per second across all of them (on 2 cores, mostly process start-up);
                     and 32 threads in one process, each with its own connection, doing done/undo:
                     the commits per second the storage itself sustains

Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from run import SCALES, TODAY, env, median_of, pick, run  # noqa: E402
from slowlink import Link  # noqa: E402
from world import build, write_status  # noqa: E402

_names = itertools.count(1)


class Target:
    """A place to create databases: a throwaway server, or one given by URL."""

    def __init__(self, url: str | None):
        self.server = None
        if url is None:
            from pgserver import Server

            self.server = Server().start()
            url = self.server.url()
        self.url = url

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(statement)

    def database(self, template: str | None = None) -> tuple[str, str]:
        name = f"bench_{os.getpid()}_{next(_names)}"
        self._admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        base, _slash, query = self.url.partition("?")
        return name, base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}"')

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def checklist(db: str | Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "checklist", *args], env=env(db), capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"checklist {' '.join(args)} failed: {proc.stderr[-500:]}")
    return proc.stdout


def clients(db: str | Path, items: list[str], count: int = 32) -> float:
    """Commits per second: ``count`` processes at once, each marking one item done (then undone, untimed)."""
    chosen = items[:count]
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-m", "checklist", "done", item], env=env(db),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for item in chosen]
    for proc in procs:
        _out, err = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"a client failed: {err[-300:]}")
    elapsed = time.perf_counter() - start
    for item in chosen:
        checklist(db, "undo", item)
    return len(chosen) / elapsed


def threaded_commits(db: str | Path, items: list[str], clients: int = 32, rounds: int = 4) -> float:
    """Commits per second with the process start-up taken out: ``clients`` threads in one process,
    each with its own connection (or lock file descriptor), marking its own items done then open."""
    import threading
    from datetime import date

    from checklist.context import Env
    from checklist.work import work

    env = Env(db=db, templates=None, today=date.fromisoformat(TODAY), actor="bench", wait=600)
    errors: list[BaseException] = []

    def client(item: str) -> None:
        try:
            for _ in range(rounds):
                work(env, [item], "done")
                work(env, [item], "undo")
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    threads = [threading.Thread(target=client, args=(item,)) for item in items[:clients]]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"a client failed: {errors[0]}")
    return len(threads) * rounds * 2 / (time.perf_counter() - start)


def as_user(url: str, user: str) -> str:
    """The same server URL, logging in as ``user`` (a roster person's role from checklist db roles)."""
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{user}@{rest.split('@', 1)[1]}"


def open_items(db: str | Path, count: int) -> list[str]:
    doc = json.loads(checklist(db, "export", "items", "--status", "open", "--json"))
    return [i["id"] for i in doc["items"]][:count]


def bench(name: str, officers: int, work: Path, target: Target, runs: int) -> list[tuple[str, float, float]]:
    folder = work / name
    started = time.perf_counter()
    world = build(folder, officers, done=0.7)
    print(f"[{name}] world of {officers} officers built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    seed, server = target.database()
    copy_times = []
    started = time.perf_counter()
    checklist(world, "db", "copy", str(world), server)
    copy_times.append(time.perf_counter() - started)
    results: list[tuple[str, float, float]] = []

    def side_by_side(label: str, measure) -> None:
        file_value, server_value = measure(world), measure(server)
        results.append((label, file_value, server_value))
        print(f"  {label}: file {file_value:.3f}, server {server_value:.3f}", file=sys.stderr)

    def alternating(label: str, once) -> None:
        """``once(db)`` on the file database and the server in turn, ``runs`` times each: a machine that
        slows down part-way slows both alike, so the ratio holds (bench/compare.py does the same)."""
        file_times, server_times = [], []
        for _ in range(runs):
            file_times.append(once(world))
            server_times.append(once(server))
        results.append((label, median_of(file_times), median_of(server_times)))
        print(f"  {label}: file {results[-1][1]:.3f}, server {results[-1][2]:.3f}", file=sys.stderr)

    officer, item = pick(world)
    alternating("today", lambda db: run(db, "today", "--officer", officer)[0])

    def imports(db) -> float:
        """What every command on the server pays before it reads anything: the driver's import, on top of
        checklist's own (the file column imports checklist alone): the floor under `today`'s ratio."""
        modules = "checklist.cli" if isinstance(db, Path) else "checklist.cli, psycopg"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {modules}"], check=True, env=env(world))
        return time.perf_counter() - start

    alternating("import checklist (file) / checklist and psycopg (server)", imports)

    # a court far from its server: the same list through a simulated link (bench/slowlink.py)
    with Link(server, rtt_ms=20, mbit=20) as link:
        results.append(("today, from a court 20 ms and 20 Mbit/s away from the server", float("nan"),
                        median_of([run(link.url, "today", "--officer", officer)[0] for _ in range(runs)])))

    def done(db):
        took = run(db, "done", item)[0]
        run(db, "undo", item)
        return took

    alternating("done", done)

    # the same as the people themselves: their own logins, bound by row-level security
    checklist(server, "db", "roles")
    chief = officer.rsplit("-", 1)[0] + "-000"
    mine = as_user(server, officer)
    results.append(("today, as the officer's own login (row-level security)", float("nan"),
                    median_of([run(mine, "today")[0] for _ in range(runs)])))

    def done_as_officer():
        times = []
        for _ in range(runs):
            times.append(run(mine, "done", item)[0])
            run(mine, "undo", item)
        return median_of(times)

    results.append(("done, as the officer's own login (row-level security)", float("nan"), done_as_officer()))
    results.append(("report --by department, as the court's chief (row-level security)", float("nan"), median_of(
        [run(as_user(server, chief), "report", "--by", "department", "--month", "2026-11")[0] for _ in range(runs)])))
    alternating("report --by court --month", lambda db: run(db, "report", "--by", "court", "--month", "2026-11")[0])

    status = folder / "status-100k.csv"
    count = write_status(world, status, limit=100_000, until=None)

    def import_status(db):
        times = []
        for _ in range(max(1, runs // 3)):
            if isinstance(db, Path):
                copy = folder / "copy"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("copy", "empty*"))
                times.append(run(copy / "checklist.json", "import", "status", str(status))[0])
            else:
                scratch, url = target.database(template=seed)
                times.append(run(url, "import", "status", str(status))[0])
                target.drop(scratch)
        return median_of(times)

    side_by_side(f"import status, {count:,} rows", import_status)

    def full_sync(db):
        times = []
        for n in range(max(1, runs // 3)):
            if isinstance(db, Path):
                empty = folder / f"empty{n}" / "checklist.json"
                times.append(run(empty, "import", "roster", str(folder / "roster.csv"))[0])
                shutil.rmtree(empty.parent)
            else:
                scratch, url = target.database()
                times.append(run(url, "import", "roster", str(folder / "roster.csv"))[0])
                target.drop(scratch)
        return median_of(times)

    side_by_side("full sync (a year, empty database)", full_sync)
    results.append(("db copy (file → server)", float("nan"), median_of(copy_times)))
    items = open_items(world, 32)
    side_by_side("32 clients: done commits per second", lambda db: clients(db, items))
    side_by_side("32 clients in one process: commits per second", lambda db: threaded_commits(db, items))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="checklist: the server backend beside the file backend")
    parser.add_argument("--scales", nargs="+", default=["city"], choices=list(SCALES))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--url", help="a PostgreSQL server to create scratch databases on (default: start one)")
    args = parser.parse_args()
    target = Target(args.url)
    work = Path(tempfile.mkdtemp(prefix="checklist-bench-"))
    try:
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print("| scale | command | file | PostgreSQL | PostgreSQL ÷ file |")
        print("| --- | --- | ---: | ---: | ---: |")
        for scale in args.scales:
            for label, file_value, server_value in bench(scale, SCALES[scale], work, target, args.runs):
                per_second = "per second" in label
                shown = (lambda v: "—" if v != v else f"{v:.0f}") if per_second else \
                    (lambda v: "—" if v != v else (f"{v * 1000:.0f} ms" if v < 1 else f"{v:.1f} s"))
                ratio = "" if file_value != file_value else f"{server_value / file_value:.2f}"
                print(f"| {scale} ({SCALES[scale]:,}) | {label} | {shown(file_value)} | {shown(server_value)} | "
                      f"{ratio} |", flush=True)
    finally:
        target.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
