"""A real, throwaway PostgreSQL server for the tests and benchmarks: initdb + pg_ctl, data and socket
in a temporary folder, stopped at the end. Never a mock.

The binaries come from the machine's PostgreSQL (Debian: /usr/lib/postgresql/<version>/bin, not on
PATH), or from CHECKLIST_PG_BIN. initdb refuses to run as root, so as root the server runs as the
``postgres`` user (Debian's package creates it). If the server cannot start, this raises: CI fails,
it never skips.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote


def binaries() -> Path:
    """The machine's PostgreSQL binaries; else those the ``pgserver`` wheel (a test dependency) carries."""
    given = os.environ.get("CHECKLIST_PG_BIN")
    if given:
        return Path(given)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    import importlib.util

    spec = importlib.util.find_spec("pgserver")  # found, not imported: only its files are wanted
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
        if (bundled / "initdb").exists():
            return bundled
    raise RuntimeError("no PostgreSQL binaries found (apt install postgresql, pip install pgserver, or set "
                       "CHECKLIST_PG_BIN)")


def _reachable_by_all(path: Path) -> bool:
    return all(os.stat(folder).st_mode & 0o001 for folder in (path, *path.parents))


def _copied(bin_dir: Path, into: Path) -> Path:
    """The binaries copied where any user can run them, keeping the layout their RPATH expects
    (the pgserver wheel's: <site>/pgserver/pginstall/bin and <site>/pgserver.libs)."""
    install = bin_dir.parent
    site = install.parent.parent
    if (site / "pgserver.libs").is_dir():
        shutil.copytree(site / "pgserver.libs", into / "pgserver.libs")
        target = into / install.parent.name / install.name
    else:
        target = into / install.name
    shutil.copytree(install, target, symlinks=True)
    for folder in (into, *into.rglob("*")):
        if folder.is_dir():
            os.chmod(folder, 0o755)
    return target / "bin"


def _server_user() -> str:
    """As root, the user the server runs as: ``postgres`` if the machine has one, else one made for it."""
    import pwd

    for name in ("postgres", "checklist-pg"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "checklist-pg"],
                   check=True)
    return "checklist-pg"


class Server:
    def __init__(self) -> None:
        self.bin = binaries()
        self.root = Path(tempfile.mkdtemp(prefix="checklist-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.port = 5432
        self.user = "postgres"
        self._as: list[str] = []
        self._owner = ""
        if os.geteuid() == 0:  # initdb refuses root
            self._owner = _server_user()
            self._as = ["runuser", "-u", self._owner, "--"]
            if not _reachable_by_all(self.bin):  # e.g. a venv under /root: the server user could not run them
                self.bin = _copied(self.bin, self.root / "bin-copy")

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode:
            raise RuntimeError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")

    def start(self) -> Server:
        os.chmod(self.root, 0o755)
        self.socket.mkdir()
        self.data.mkdir()
        os.chmod(self.root, 0o755)
        if self._as:
            shutil.chown(self.data, self._owner)
            shutil.chown(self.socket, self._owner)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        # one role must give a password (to test a refused login); everyone else is trusted locally
        hba = self.data / "pg_hba.conf"
        hba.write_text("local all needs_password scram-sha-256\nlocal all all trust\n", encoding="utf-8")
        if self._owner:
            shutil.chown(hba, self._owner)
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.socket}' -c port={self.port} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                   "-c shared_buffers=128MB")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"),
                  "-w", "-t", "60", "start")
        return self

    def url(self, database: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{quote(user or self.user)}@/{database}?host={quote(str(self.socket), safe='')}" \
               f"&port={self.port}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(statement)

    def create(self, name: str, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given: fast, done by the server); its URL."""
        self.sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError
        time.sleep(0.05)
