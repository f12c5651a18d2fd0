"""The README as a newcomer follows it: every command it shows works, and every screen it shows is
what the demo prints at 80 columns, in Chinese and in English.

Two walkthroughs, each on a fresh demo built by the quick start's own commands (as of 2 December
2026): the Chinese one (快速上手: its `console` and `sh` blocks, in order) and the English one (every
`console` block after it, in order). A screen in a `console` block is the command's standard
output; a last line `…` shows only its first lines. `UPDATE_README=1` rewrites the screens from what
the commands print now.
"""

from __future__ import annotations

import getpass
import os
import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from clitools import Checklist

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
FENCE = re.compile(r"^```(console|sh)\n(.*?)^```\n", re.S | re.M)
SHOWN = 30  # lines of a screen the README shows in full at most


@dataclass
class Step:
    command: str
    screen: list[str] = field(default_factory=list)
    truncated: bool = False
    span: tuple[int, int] | None = None  # where the screen is in the README's text


def walkthroughs(text: str) -> dict[str, list[Step]]:
    """The Chinese walkthrough (快速上手 … 'What it does') and the English one (every console block after)."""
    zh_start, en_start = text.index("## 快速上手"), text.index("## What it does")
    found: dict[str, list[Step]] = {"zh": [], "en": []}
    for block in FENCE.finditer(text):
        kind, body = block[1], block[2]
        which = "zh" if zh_start <= block.start() < en_start else "en" if block.start() >= en_start else None
        if which is None or (kind == "sh" and which == "en"):
            continue  # the English sections' sh blocks are recipes for a bureau's own files, not the demo
        offset = block.start(2)
        steps = found[which]
        for match in re.finditer(r"^.*\n", body, re.M):
            line = match[0].rstrip("\n")
            if kind == "sh":
                if line.strip() and not line.lstrip().startswith("#"):
                    steps.append(Step(line))
            elif line.startswith("$ "):
                steps.append(Step(line[2:]))
            elif steps:
                step = steps[-1]
                start = offset + match.start()
                step.span = (step.span[0] if step.span else start, offset + match.end())
                if line == "…":
                    step.truncated = True
                else:
                    step.screen.append(line)
    return found


def quick_start(text: str) -> list[str]:
    """The checklist commands of the quick start's first command."""
    line = next(b[2] for b in FENCE.finditer(text) if "import roster" in b[2]).strip()
    return [part.strip().removeprefix(".venv/bin/checklist ") for part in line.split("&&")
            if part.strip().startswith(".venv/bin/checklist ")]


def run_step(cl: Checklist, env: dict[str, str | None], command: str):
    """One README line: `export A=B …`, or `[env -u X] [A=B] checklist …`; None for a line that is not a command."""
    command = re.sub(r"\$\(cat (\S+)\)", lambda m: Path(m[1]).read_text(encoding="utf-8").strip(), command)
    words = shlex.split(command, comments=True)
    if not words:
        return None
    into = None
    if ">" in words:  # checklist … > FILE
        words, into = words[:words.index(">")], words[words.index(">") + 1]
    if words[0] == "export":
        env.update(dict(word.split("=", 1) for word in words[1:]))
        return None
    extra: dict[str, str | None] = {}
    while words and (words[0] == "env" or "=" in words[0]):
        if words[0] == "env":
            words = words[1:]
            while words and words[0] == "-u":
                extra[words[1]] = None
                words = words[2:]
        else:
            name, _sep, value = words.pop(0).partition("=")
            extra[name] = value
    if words[:2] == ["cp", "-r"]:  # a copy of the templates to edit
        shutil.copytree(Path(words[2]).resolve(), words[3])
        return None
    if not words or words[0] != "checklist":
        assert words[0] in ("python3", ".", "source"), command  # the quick start's own lines: the fixture ran them
        return None
    result = cl.run(*words[1:], **{**env, **extra})
    if into is not None:
        Path(into).write_text(result.stdout, encoding="utf-8")
    return result


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A folder like a fresh clone after the quick start: the templates beside an empty .demo."""
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    monkeypatch.chdir(tmp_path)

    def build(lang: str) -> tuple[Checklist, dict[str, str | None]]:
        cl = Checklist(".demo/checklist.json", today="2026-12-02", user=getpass.getuser())
        # as a newcomer's shell: no CHECKLIST_ variables, so they are who they log in as (the demo's owner)
        env: dict[str, str | None] = {"CHECKLIST_DB": None, "CHECKLIST_TODAY": "2026-12-02", "COLUMNS": "80",
                                      "CHECKLIST_LANG": "en" if lang == "en" else None, "CHECKLIST_USER": None}
        for command in quick_start(README.read_text(encoding="utf-8")):
            result = cl.run(*shlex.split(command), **env)
            assert result.exit_code == 0, (command, result.output)
        return cl, env

    return build


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_readme_s_commands_work_and_its_screens_are_what_the_demo_prints(demo, lang):
    text = README.read_text(encoding="utf-8")
    cl, env = demo(lang)
    replacements = []
    for step in walkthroughs(text)[lang]:
        result = run_step(cl, env, step.command)
        if result is None:
            continue
        assert result.exit_code == 0, (step.command, result.output)
        if step.span is None:
            continue
        printed = [line.rstrip() for line in result.stdout.splitlines()]
        shown = printed[:len(step.screen)] if step.truncated and step.screen else printed
        if os.environ.get("UPDATE_README"):
            keep = printed[:SHOWN]
            replacements.append((step.span, "".join(f"{line}\n" for line in keep)
                                 + ("…\n" if len(printed) > SHOWN else "")))
            continue
        assert step.screen, step.command
        assert shown == step.screen, step.command
        assert all(len(line) <= 80 for line in printed) or lang == "zh"
    if replacements:
        for (start, end), new in sorted(replacements, reverse=True):
            text = text[:start] + new + text[end:]
        README.write_text(text, encoding="utf-8")


def test_every_screen_fits_80_columns():
    from checklist.helptext import width

    for block in FENCE.finditer(README.read_text(encoding="utf-8")):
        if block[1] == "console":
            for line in block[2].splitlines():
                if not line.startswith("$ "):
                    assert width(line) <= 80, line
