"""Keep the translation catalogues in step with the code.

    python scripts/i18n.py extract    # collect every message into checklist/locale/checklist.pot and
                                      # merge it into each .po (new entries get an empty translation)
    python scripts/i18n.py compile    # write each .po's .mo (the installed package reads the .mo)

Messages are the string literals passed to ``_()`` and ``ngettext()`` anywhere in the package,
the help texts of every command and option (read from the command tree), and the few messages
of the command-line library that users see (usage lines, option errors). tests/test_i18n.py
fails when a message has no Chinese translation or a .mo is older than its .po.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checklist"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("zh_CN",)



def messages_in_code() -> dict[str, list[str]]:
    """msgid → places, from _("…") and ngettext("…", "…", n) calls."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "_" and node.args and isinstance(node.args[0], ast.Constant):
                ids = [node.args[0].value]
            elif name == "ngettext" and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2]):
                ids = [f"{node.args[0].value}\x00{node.args[1].value}"]
            elif name == "pgettext" and len(node.args) >= 2 and all(isinstance(a, ast.Constant) for a in node.args[:2]):
                ids = [f"{node.args[0].value}\x04{node.args[1].value}"]
            else:
                continue
            for msgid in ids:
                if isinstance(msgid, str):
                    found.setdefault(msgid, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def messages_in_help() -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT))
    from checklist.cli import help_texts

    return {text: [f"help: {where}"] for where, text in help_texts()}


def all_messages() -> dict[str, list[str]]:
    found = messages_in_code()
    for msgid, places in messages_in_help().items():
        found.setdefault(msgid, []).extend(places)
    sys.path.insert(0, str(ROOT))
    from checklist.cli import LIBRARY_MESSAGES

    for msgid in LIBRARY_MESSAGES:
        found.setdefault(msgid, []).append("command-line library")
    return found


# -- .po files ----------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" not in escaped:
        return f'"{escaped}"'
    parts = escaped.split("\n")
    lines = [p + "\\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return '""\n' + "\n".join(f'"{line}"' for line in lines)


def _unquote(lines: list[str]) -> str:
    text = "".join(line.strip()[1:-1] for line in lines)
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def read_po(path: Path) -> dict[str, str]:
    """msgid → msgstr (plural entries as 'singular\\0plural' → 'translation')."""
    entries: dict[str, str] = {}
    if not path.exists():
        return entries
    current: dict[str, list[str]] = {}
    key = None

    def flush() -> None:
        if "msgid" in current:
            msgid = _unquote(current["msgid"])
            if "msgctxt" in current:
                msgid = _unquote(current["msgctxt"]) + "\x04" + msgid
            if "msgid_plural" in current:
                msgid += "\x00" + _unquote(current["msgid_plural"])
                msgstr = _unquote(current.get("msgstr[0]", []))
            else:
                msgstr = _unquote(current.get("msgstr", []))
            if msgid:
                entries[msgid] = msgstr
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
                key = None
            continue
        for word in ("msgctxt", "msgid_plural", "msgid", "msgstr[0]", "msgstr[1]", "msgstr"):
            if line.startswith(word + " "):
                if word in ("msgid", "msgctxt") and "msgid" in current and ("msgstr" in current or "msgstr[0]" in current):
                    flush()
                key = word
                current[key] = [line[len(word) + 1:]]
                break
        else:
            if line.startswith('"') and key:
                current[key].append(line)
    flush()
    return entries


HEADER = (
    "Project-Id-Version: checklist\n"
    "Language: {lang}\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Plural-Forms: nplurals=1; plural=0;\n"
)


def write_po(path: Path, lang: str, messages: dict[str, list[str]], old: dict[str, str]) -> list[str]:
    lines = ['msgid ""', "msgstr " + _quote(HEADER.format(lang=lang)), ""]
    missing = []
    for msgid in sorted(messages, key=lambda m: (messages[m][0], m)):
        for place in messages[msgid][:3]:
            lines.append(f"#: {place}")
        translated = old.get(msgid, "")
        if not translated:
            missing.append(msgid)
        if "\x04" in msgid:
            context, text = msgid.split("\x04")
            lines += ["msgctxt " + _quote(context), "msgid " + _quote(text), "msgstr " + _quote(translated)]
        elif "\x00" in msgid:
            singular, plural = msgid.split("\x00")
            lines += ["msgid " + _quote(singular), "msgid_plural " + _quote(plural),
                      "msgstr[0] " + _quote(translated)]
        else:
            if "{" in msgid:
                lines.insert(len(lines), "#, python-brace-format")
            lines += ["msgid " + _quote(msgid), "msgstr " + _quote(translated)]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return missing


def write_mo(po: Path, mo: Path) -> None:
    """GNU .mo format: what gettext.translation() reads."""
    entries = read_po(po)
    header = HEADER.format(lang=po.parent.parent.name)
    catalog = {"": header, **{k: v for k, v in entries.items() if v}}
    keys = sorted(catalog)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        k = key.encode("utf-8")
        v = catalog[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    count = len(keys)
    key_start = 7 * 4
    value_start = key_start + count * 8
    ids_start = value_start + count * 8
    strs_start = ids_start + len(ids)
    out = struct.pack("Iiiiiii", 0x950412DE, 0, count, key_start, value_start, 0, 0)
    out += b"".join(struct.pack("ii", length, ids_start + start) for start, length, _, _ in offsets)
    out += b"".join(struct.pack("ii", length, strs_start + start) for _, _, start, length in offsets)
    out += ids + strs
    mo.parent.mkdir(parents=True, exist_ok=True)
    mo.write_bytes(out)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        messages = all_messages()
        pot = LOCALE / "checklist.pot"
        write_po(pot, "", messages, {})
        for lang in LANGUAGES:
            po = LOCALE / lang / "LC_MESSAGES" / "checklist.po"
            missing = write_po(po, lang, messages, read_po(po))
            print(f"{po.relative_to(ROOT)}: {len(messages)} messages, {len(missing)} without a translation")
    elif command == "compile":
        for lang in LANGUAGES:
            po = LOCALE / lang / "LC_MESSAGES" / "checklist.po"
            write_mo(po, po.with_suffix(".mo"))
            print(f"wrote {po.with_suffix('.mo').relative_to(ROOT)}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
