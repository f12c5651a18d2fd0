"""Reading a templates folder from disk (the core parses; this module only finds and reads files).

Every ``*.yaml``/``*.yml`` file under the folder is read, subfolders included, in name order, and
named by its path relative to the folder (``quality-year-2026.yaml``) — which is also how the
database keeps them once applied. A file that resolves outside the folder (a symlink pointing
elsewhere) is refused, so templates cannot pull in arbitrary files; so is anything that is not a
regular file. Text must be UTF-8; a bad byte is reported with its line.

Limits, checked before a file is read whole: at most ``MAX_FILES`` files, each at most
``MAX_FILE_BYTES`` bytes and ``MAX_TOTAL_BYTES`` together.
"""

from __future__ import annotations

import stat
from pathlib import Path

from checklist.core.models import TemplateSet
from checklist.errors import InputError, TemplateError, by_place
from checklist.i18n import _, ngettext

SUFFIXES = (".yaml", ".yml")
MAX_FILES = 200
MAX_FILE_BYTES = 1_000_000
MAX_TOTAL_BYTES = 5_000_000


def template_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(_("templates folder '{folder}' does not exist or is not a folder").format(folder=folder))
    found = []
    for path in folder.rglob("*"):
        if path.suffix in SUFFIXES and (path.is_file() or path.is_symlink()):
            found.append(path)
            if len(found) > MAX_FILES:
                raise InputError(_("templates folder '{folder}' holds more than {n} template files; a templates folder "
                                   "is a few campaigns").format(folder=folder, n=MAX_FILES))
    return sorted(found)


def load_files(folder: Path) -> list[tuple[str, str]]:
    """``(path relative to the folder, text)`` for each template file; TemplateError lists every problem."""
    root = folder.resolve()
    files: list[tuple[str, str]] = []
    problems: list[str] = []
    total = 0
    for path in template_files(folder):
        name = path.relative_to(folder).as_posix()
        shown = str(folder / name)
        if not path.resolve().is_relative_to(root):
            problems.append(f"{shown}:1: " + _("points outside the templates folder; copy the file in instead"))
            continue
        try:
            info = path.stat()
        except OSError as err:
            problems.append(f"{shown}:1: " + _("cannot be read: {reason}").format(reason=err.strerror or err))
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.append(f"{shown}:1: " + _("is not a regular file"))
            continue
        if info.st_size > MAX_FILE_BYTES:
            problems.append(f"{shown}:1: " + _("file is larger than {n} MB; a template is a short list").format(
                n=MAX_FILE_BYTES // 1_000_000))
            continue
        total += info.st_size
        if total > MAX_TOTAL_BYTES:
            problems.append(f"{shown}:1: " + _("the templates together are larger than {n} MB").format(
                n=MAX_TOTAL_BYTES // 1_000_000))
            break
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as err:
            problems.append(f"{shown}:1: " + _("cannot be read: {reason}").format(reason=err.strerror or err))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            problems.append(f"{shown}:{line}: " + _("not UTF-8 text (byte {n}); save the file as UTF-8").format(n=err.start))
            continue
        if "\0" in text:
            problems.append(f"{shown}:{text[: text.index(chr(0))].count(chr(10)) + 1}: "
                            + _("contains a NUL byte; is this a binary file?"))
            continue
        files.append((name, text))
    if problems:
        _refuse(problems)
    if not files:
        raise InputError(_("no campaign templates (*.yaml) in '{folder}'").format(folder=folder))
    return files


def parse_files(files: list[tuple[str, str]], folder: Path | None = None) -> TemplateSet:
    """The validated templates of ``files``; TemplateError lists every problem in every file.

    Problems name each file by its path in ``folder`` when one is given (validating a folder),
    else as the database keeps it.
    """
    from checklist.core.templates import parse_templates

    try:
        return parse_templates(files)
    except TemplateError as err:
        problems = [f"{folder}/{p}" if folder is not None else p for p in err.problems]
        _refuse(problems)
        raise


def _refuse(problems: list[str]) -> None:
    count = len(problems)
    raise TemplateError(ngettext("{n} problem in the templates; nothing was loaded",
                                 "{n} problems in the templates; nothing was loaded", count).format(n=count),
                        by_place(problems))


def load_templates(folder: Path) -> TemplateSet:
    """The validated templates of a folder (``plan --role`` without a database, ``templates list``)."""
    return parse_files(load_files(folder), folder)
