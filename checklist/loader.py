"""Reading a templates folder from disk (the core parses; this module only finds and reads files).

Every ``*.yaml``/``*.yml`` file under the folder is read, subfolders included, in name order.
A file that resolves outside the folder (a symlink pointing elsewhere) is refused, so templates
cannot pull in arbitrary files. Text must be UTF-8; a bad byte is reported with its line.

``fingerprint`` is cheap (names, sizes and modification times only): commands compare it with the
one stored at the last sync to decide whether templates need to be read at all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from checklist.core.models import TemplateSet
from checklist.errors import InputError, TemplateError, by_place
from checklist.i18n import _, ngettext

SUFFIXES = (".yaml", ".yml")


def template_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise InputError(_("templates folder '{folder}' does not exist or is not a folder").format(folder=folder))
    return sorted(p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def fingerprint(folder: Path) -> str:
    """Changes whenever a template file is added, removed or modified."""
    digest = hashlib.sha256()
    for path in template_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def read_templates(folder: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """``(path as shown to users, text)`` for each readable template file, and the problems."""
    root = folder.resolve()
    files: list[tuple[str, str]] = []
    problems: list[str] = []
    for path in template_files(folder):
        shown = str(path)
        if not path.resolve().is_relative_to(root):
            problems.append(f"{shown}:1: " + _("points outside the templates folder; copy the file in instead"))
            continue
        try:
            data = path.read_bytes()
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
        files.append((shown, text))
    return files, problems


def load_templates(folder: Path) -> TemplateSet:
    """The validated templates of ``folder``; TemplateError lists every problem in every file."""
    from checklist.core.templates import parse_templates

    files, problems = read_templates(folder)
    if not files and not problems:
        raise InputError(_("no campaign templates (*.yaml) in '{folder}'").format(folder=folder))
    try:
        templates = parse_templates(files)
    except TemplateError as err:
        problems += err.problems
    if problems:
        count = len(problems)
        raise TemplateError(ngettext("{n} problem in the templates; nothing was loaded",
                                     "{n} problems in the templates; nothing was loaded", count).format(n=count),
                            by_place(problems))
    return templates
