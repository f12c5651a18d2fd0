"""The core stays pure: no edge libraries, no clock, no environment, no files."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).parent.parent / "checklist" / "core"
EDGES = ("typer", "rich", "tinydb", "openpyxl", "click", "filelock")


def test_importing_the_core_loads_no_edge_library():
    code = (
        "import sys, checklist.core.merge, checklist.core.templates, checklist.core.schedule\n"
        "import checklist.core.calendar, checklist.core.periods, checklist.core.models\n"
        f"print(','.join(m for m in {EDGES!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_core_never_reads_the_clock_the_environment_or_files():
    forbidden_calls = {"today", "now", "utcnow", "open", "getenv", "read_text", "read_bytes", "time"}
    found = []
    for path in sorted(CORE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in forbidden_calls:
                    found.append(f"{path.name}:{node.lineno}: {name}()")
            if isinstance(node, ast.Attribute) and node.attr == "environ":
                found.append(f"{path.name}:{node.lineno}: os.environ")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{path.name}:{node.lineno}: import {n}" for n in names
                          if n.split(".")[0] in (*EDGES, "os", "time", "pathlib", "checklist") and
                          not n.startswith(("checklist.core", "checklist.errors", "checklist.i18n"))]
    assert found == []
