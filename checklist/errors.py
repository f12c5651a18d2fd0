"""One family of errors, each carrying the exit code SPEC.md gives it.

The core and the edges raise these; only the command-line entry point turns them into messages
on stderr and an exit code. ``problems`` holds one line per problem, already naming its place
(``FILE:LINE: …`` or ``FILE:ROW: column: …``), so every problem is reported at once.
"""

from __future__ import annotations

import re

_PLACE = re.compile(r"^(.*?):(\d+): ")


class ChecklistError(Exception):
    """A clean refusal: bad input, unknown id, failed check (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])
        # the value the problem is about ("days", "reason", "officer"): the command line names the
        # option that gives it; the library itself does not speak in flags
        self.field = field


class TemplateError(ChecklistError):
    """Templates that do not validate; ``problems`` holds one ``FILE:LINE: message`` each."""


class InputError(ChecklistError):
    """A spreadsheet, id or value that cannot be used; nothing was written."""


class UsageError(ChecklistError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


class StoreError(ChecklistError):
    """The database could not be read or written; nothing changed (exit 3)."""

    exit_code = 3


def by_place(problems: list[str]) -> list[str]:
    """Problems ordered by file, then line or row number (the order a user fixes them in)."""

    def place(problem: str) -> tuple[str, int]:
        match = _PLACE.match(problem)
        return (match[1], int(match[2])) if match else ("", 0)

    return sorted(problems, key=place)
