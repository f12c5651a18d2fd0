"""Where things live: the database, the shipped templates. One place, moved by env vars.

``CHECKLIST_DB`` (or ``--db``) moves the database; ``CHECKLIST_TEMPLATES`` (or ``--templates``)
picks the templates folder. Tests always set both, so they never touch a user's real data.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_templates() -> Path:
    """The templates installed with the package (or the repository's, in a source checkout)."""
    installed = PACKAGE_DIR / "_templates"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent / "templates"


def templates_dir(option: str | os.PathLike[str] | None = None) -> Path:
    chosen = option or os.environ.get("CHECKLIST_TEMPLATES")
    return Path(chosen) if chosen else shipped_templates()


def default_db() -> Path:
    from platformdirs import user_data_path

    return user_data_path("checklist", appauthor=False) / "checklist.json"


def db_path(option: str | os.PathLike[str] | None = None) -> str | Path:
    """The database: a ``postgresql://`` URL as given, else a file path (default: the data folder)."""
    chosen = option or os.environ.get("CHECKLIST_DB")
    if isinstance(chosen, str) and is_server_url(chosen):
        return chosen
    return Path(chosen) if chosen else default_db()


def is_server_url(text: str) -> bool:
    """Whether ``text`` names a server: any ``postgres:``/``postgresql:`` URL, even one mistyped
    (``postgresql:/checklist``), which the server's library then refuses in one line."""
    return text[:11].lower().startswith(("postgres:", "postgresql:"))
