"""`--help` that reads right in Chinese: widths counted as the terminal shows them, lines broken as
Chinese is broken, headings with a full-width colon, and value names in words.

The command-line library measures text by characters and wraps it at spaces. A Chinese character
takes two columns and a Chinese sentence has no spaces, so its help ran past 80 columns, and a
sentence the catalogue had wrapped over two lines came out with a space in the middle (尚无 到期事项).
This module gives the library's formatter a display-width measure and a wrapper that may break
between any two Chinese characters — never before closing punctuation (，。、；：）」 …) nor after
opening punctuation (（「 …), and never inside a Latin word or a number — and joins a paragraph's
lines without a space where both sides are Chinese. ``install`` patches the formatter of this run.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from checklist.i18n import _

NO_LINE_START = set("，。、；：？！）」』】》〉”’…·%,.;:?!)]}")
NO_LINE_END = set("（「『【《〈“‘([{")
_TOKENS = re.compile(r"\s+|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                     r"\uff00-\uffef\u3000-\u303f]+")


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal (ANSI colour codes take none)."""
    text = re.sub(r"\033\[[0-9;]*m", "", text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wide(ch: str) -> bool:
    return bool(ch) and unicodedata.east_asian_width(ch) in "WF"


def join_lines(lines: list[str]) -> str:
    """One paragraph from its lines: a space between them, except where both sides are Chinese."""
    text = ""
    for line in lines:
        line = line.strip()
        if text and line and not (_wide(text[-1]) and _wide(line[0])):
            text += " "
        text += line
    return text


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end between two tokens that touch (no space between them)."""
    if after[0] in NO_LINE_START or before[-1] in NO_LINE_END:
        return False  # a closing mark stays with what it closes, an opening one with what it opens
    if not _wide(after[0]):
        return before[-1] in NO_LINE_START  # a word glued to a Chinese character (庭.html, 期22) goes with it,
        # but may start the line after a comma (、department)
    return not before[-1].isdigit()  # nor a number with its unit (30日, 22天, 5件)


SHORT_FRAGMENT = 4  # columns: a piece of a word this short is not left at a line's end


def _chunks(text: str, *, whole_words: bool = False, brackets: bool = False) -> list[tuple[int, str]]:
    """``text`` as (start, piece): what must stay on one line, and the spaces between. With
    ``whole_words`` a line breaks at spaces only; with ``brackets`` nothing inside ``[…]`` breaks."""
    parts: list[tuple[int, list[str]]] = []
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        last = parts[-1][1][-1] if parts else ""
        touching = parts and not token.isspace() and not last.isspace()
        if brackets and depth > 0 and parts or touching and (whole_words or not _may_break(last, token)):
            parts[-1][1].append(token.replace("\n", " "))
        else:
            parts.append((match.start(), [token]))
        if brackets:
            depth = max(0, depth + token.count("[") - token.count("]"))
    return [(start, "".join(tokens)) for start, tokens in parts]


def break_offsets(text: str, limit: int, fold: bool = True) -> list[int]:
    """Where lines of at most ``limit`` columns start in ``text`` (not 0), by the rules above; the spaces
    before a break stay at the end of the line before. A word longer than a line is cut when ``fold``.
    The shape Rich's ``divide_line`` has, so every table cell and paragraph breaks as Chinese breaks
    (``install_breaking``)."""
    chunks = _chunks(text)
    offsets: list[int] = []
    used, pending = 0, 0  # the line's width up to its last character, and the spaces after it
    after_space = False  # the next chunk starts a word that has a space before it on this line
    word_start, word_width, before_word = -1, 0, 0  # that word: where it starts, its width so far, the line before it
    previous_word = (-1, 0)
    for start, chunk in chunks:
        if chunk.isspace():
            pending += width(chunk)
            after_space = used > 0
            continue
        size = width(chunk)
        if after_space:
            previous_word = (word_start, before_word)  # the word before this one, for a mark that cannot start a line
            word_start, word_width, before_word, after_space = start, 0, used, False
        if used and used + pending + size > limit:
            if chunk[0] in NO_LINE_START and word_start == start and previous_word[0] >= 0:
                # "everyone · 320 cases": a · or ， after a space does not start a line; the word before it goes down
                offsets.append(previous_word[0])
                moved = text[previous_word[0]:start]
                used, pending = width(moved.rstrip()), len(moved) - len(moved.rstrip())
            elif word_start >= 0 and word_start != start and (word_width <= SHORT_FRAGMENT or before_word >= limit * 0.6):
                # rather than leave a word's first characters at the line's end (逾 / 期2天, 道里 / 区人民法院),
                # the whole word goes down
                offsets.append(word_start)
                used, pending = word_width, 0
            else:
                offsets.append(start)
                used, pending, word_width = 0, 0, 0
            word_start = -1  # the new line has no space in it yet
        used, pending = used + pending + size, 0
        word_width += size
        if fold and used > limit:  # a chunk longer than a whole line: cut it where the columns run out
            taken = used - size
            for n, ch in enumerate(chunk):
                w = width(ch)
                if taken + w > limit and (n or taken):
                    offsets.append(start + n)
                    taken = 0
                taken += w
            used = taken
    return offsets


def install_breaking() -> None:
    """Rich breaks lines at spaces and folds the rest anywhere; this run breaks them as Chinese breaks."""
    import rich.text

    rich.text.divide_line = break_offsets


EXAMPLE = re.compile(r"^\s*(Example|示例)[:：]")


def wrap(text: str, limit: int, first: str = "", rest: str = "", whole_words: bool = False) -> list[str]:
    """``text`` in lines of at most ``limit`` columns (a word longer than a line is cut), with the
    Chinese line-breaking rules above; spaces are kept as written, except at a line's ends. With
    ``whole_words`` (a command to type), lines break at spaces only: --out 执行一庭.html stays whole; and
    ``[…]`` (an option's default, its variable) is never broken."""
    limit = max(limit, width(first) + 1, width(rest) + 1)  # an indent as wide as the line still leaves a column
    lines: list[str] = []
    line, used, space = first, width(first), ""
    for _start, chunk in _chunks(text, whole_words=whole_words, brackets=True):
        if chunk.isspace():
            space = " " * len(chunk.replace("\n", " ")) if line.strip() else ""
            continue
        size = width(chunk)
        if used + len(space) + size > limit and line.strip():
            lines.append(line.rstrip())
            line, used, space = rest, width(rest), ""
        line, used, space = line + space, used + len(space), ""
        while size > limit - used and not _wide(chunk[0]) and line.strip() == "":  # longer than a whole line
            room = max(1, limit - used)
            lines.append(line + chunk[:room])
            chunk, line, used = chunk[room:], rest, width(rest)
            size = width(chunk)
        line, used = line + chunk, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def wrap_text(text: str, width_: int = 78, initial_indent: str = "", subsequent_indent: str = "",
              preserve_paragraphs: bool = False) -> str:
    """The library's ``wrap_text``, measuring and breaking as above. Paragraphs are separated by an
    empty line; one that starts with a ``\\b`` line is kept as written."""
    if not preserve_paragraphs:
        joined = join_lines(text.splitlines())
        return "\n".join(wrap(joined, width_, initial_indent, subsequent_indent, bool(EXAMPLE.match(joined))))
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.expandtabs()):
        lines = block.splitlines()
        if not lines:
            continue
        if lines[0].strip() == "\b":
            out.append("\n".join(initial_indent + line for line in lines[1:]))
            continue
        indent = len(lines[0]) - len(lines[0].lstrip())
        pad = " " * indent
        joined = join_lines(lines)
        out.append("\n".join(wrap(joined, width_, initial_indent + pad, subsequent_indent + pad,
                                   bool(EXAMPLE.match(joined)))))
    return "\n\n".join(out)


def metavar(type_name: str) -> str:
    """A value's name in words: <text>, <integer>, <number>, <path> (文本、整数、数值、路径)."""
    words = {"str": _("<text>"), "text": _("<text>"), "int": _("<integer>"), "integer": _("<integer>"),
             "int range": _("<integer>"), "float": _("<number>"), "float range": _("<number>"),
             "path": _("<path>"), "file": _("<file>"), "filename": _("<file>")}
    return words.get(type_name.strip("<>").lower(), f"<{type_name.strip('<>')}>")


def install(root: Any) -> None:
    """Use these rules for this run's help: the formatter's measure and wrapper, the headings'
    colon, and value names in words on every option and argument without a name of its own."""
    from typer._click import formatting

    formatting.term_len = width
    formatting.wrap_text = wrap_text
    colon = _(": ")

    def write_heading(self: Any, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}{colon.rstrip() if colon.strip() else ':'}\n")

    formatting.HelpFormatter.write_heading = write_heading
    from typer import core

    original = core.TyperArgument.make_metavar

    def make_metavar(self: Any, ctx: Any, *, usage: bool = False) -> str:  # ID..., not {ID...}
        shown = original(self, ctx, usage=usage)
        return shown[1:-1] if shown.startswith("{") and shown.endswith("}") else shown

    core.TyperArgument.make_metavar = make_metavar  # type: ignore[method-assign]
    stack = [root]
    while stack:
        command = stack.pop()
        command.options_metavar = _("[OPTIONS]")
        if hasattr(command, "subcommand_metavar"):
            command.subcommand_metavar = _("COMMAND [ARGS]...")
        stack.extend(getattr(command, "commands", {}).values())
        for param in command.params:
            if param.metavar is None and not getattr(param, "is_flag", False) and getattr(param, "type", None):
                name = getattr(param.type, "name", "")
                if name and name not in ("choice", "boolean"):
                    param.metavar = metavar(name)
