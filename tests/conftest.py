import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _never_the_users_database(tmp_path, monkeypatch):
    """Every test gets its own database path and data folder, whatever it forgets to set."""
    monkeypatch.setenv("CHECKLIST_DB", str(tmp_path / "default-db" / "checklist.json"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for name in ("CHECKLIST_OFFICER", "CHECKLIST_TODAY", "CHECKLIST_USER", "CHECKLIST_FAULT", "CHECKLIST_LANG"):
        monkeypatch.delenv(name, raising=False)
    from checklist import i18n

    i18n.set_language("en")  # a test that ran a command in Chinese in-process leaves no Chinese behind


@pytest.fixture(scope="session")
def demo_seed(tmp_path_factory):
    """The demo roster imported on 2026-11-28, built once; tests work on copies (clitools.copy_world)."""
    from clitools import DEMO_ROSTER, Checklist

    folder = tmp_path_factory.mktemp("demo-seed")
    cl = Checklist(folder / "db.json", today="2026-11-28")
    assert cl.run("import", "roster", str(DEMO_ROSTER)).exit_code == 0
    return folder


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the whole run (tests/pgserver.py): started once, stopped at the end."""
    from pgserver import Server

    server = Server().start()
    yield server
    server.stop()


_databases = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(pg_server):
    """A new, empty database on that server, for one test."""
    return pg_server.create(f"t{next(_databases)}")


BACKENDS = ["files", "postgres"]


@pytest.fixture(scope="session")
def pg_demo_seed(pg_server, demo_seed):
    """The demo world copied onto the server once (db copy); tests get copies made by the server."""
    from clitools import Checklist

    url = pg_server.create("demo_seed")
    result = Checklist(url, today="2026-11-28").run("db", "copy", str(demo_seed / "db.json"), url)
    assert result.exit_code == 0, result.output
    return "demo_seed"


@pytest.fixture(params=BACKENDS)
def demo_world(request, demo_seed, tmp_path):
    """A fresh copy of the demo world (roster imported on 2026-11-28), once per backend."""
    from clitools import Checklist, copy_world

    if request.param == "files":
        return copy_world(demo_seed, tmp_path, today="2026-11-28")
    seed = request.getfixturevalue("pg_demo_seed")
    url = request.getfixturevalue("pg_server").create(f"t{next(_databases)}", template=seed)
    return Checklist(url, today="2026-11-28")


@pytest.fixture(params=BACKENDS)
def empty_db(request, tmp_path):
    """Where a new database goes, once per backend: a file path, or an empty server database."""
    if request.param == "files":
        return tmp_path / "db.json"
    from checklist.store.postgres import PostgresStore

    url = request.getfixturevalue("pg_url")
    PostgresStore(url).init()  # as a court's IT person leaves it: created, db init run, nothing imported
    return url
