"""The ``checklist`` command line: thin commands over the library.

Each command parses its options, asks the library for a result and hands it to ``render`` (a
Rich view, or JSON with ``--json``). Errors from the library are ``ChecklistError``s; the root
group turns them into one line per problem on stderr and the exit code SPEC.md gives them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from checklist import __version__, paths
from checklist.errors import ChecklistError, UsageError


class _Root(TyperGroup):
    """Turns the library's errors into messages and exit codes, never a traceback."""

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ChecklistError as err:
            from checklist.render import lines_to, stderr_console

            console = stderr_console()
            lines_to(console, err.problems)
            console.print(f"error: {err.message}", style="bold red", markup=False, highlight=False, soft_wrap=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted; nothing was changed", err=True)
            ctx.exit(130)


app = typer.Typer(
    cls=_Root,
    help="One list (一张清单) per court-enforcement officer, merged from every campaign's duties.\n\n"
    "Example: checklist plan --officer DL001 --court 道里区人民法院 --role officer",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
templates_app = typer.Typer(help="Check and list the campaign templates.", no_args_is_help=True)
app.add_typer(templates_app, name="templates")


@dataclass
class Settings:
    """Where this run reads and writes, and what day it is (set once by the root callback)."""

    db: Path
    templates: Path

    @property
    def today(self) -> date:
        return today_from_env()


def today_from_env() -> date:
    """CHECKLIST_TODAY replaces the clock (tests, 'as of' reports); else the real date."""
    text = os.environ.get("CHECKLIST_TODAY", "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"CHECKLIST_TODAY must be a date like 2026-11-27, not '{text}'") from None


def _settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"checklist {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[Path], typer.Option(
        "--db", envvar="CHECKLIST_DB", help="Database file (default: in your user data folder).",
        show_default=False)] = None,
    templates: Annotated[Optional[Path], typer.Option(
        "--templates", envvar="CHECKLIST_TEMPLATES", help="Templates folder (default: the shipped campaigns).",
        show_default=False)] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    ctx.obj = Settings(db=paths.db_path(db), templates=paths.templates_dir(templates))


# -- templates -----------------------------------------------------------------------------------


@templates_app.command("validate")
def templates_validate(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Argument(help="Folder to check (default: the templates in use).")] = None,
) -> None:
    """Check every template file; list every problem as FILE:LINE: message.

    Example: checklist templates validate templates/
    """
    from checklist import service
    from checklist.render import lines_to, stderr_console, stdout_console

    settings = _settings(ctx)
    report = service.validate_templates(folder or settings.templates, settings.today)
    lines_to(stderr_console(), report.warnings, style="yellow")
    stdout_console().print(report.summary, markup=False, highlight=False)


@templates_app.command("list")
def templates_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """List the campaigns (active, upcoming, ended) and the duty library.

    Example: checklist templates list --json
    """
    from checklist.loader import load_templates
    from checklist.render import emit_json, stdout_console, templates_json, templates_view

    settings = _settings(ctx)
    tset = load_templates(settings.templates)
    if as_json:
        emit_json(templates_json(tset, settings.today))
    else:
        stdout_console().print(templates_view(tset, settings.today))


# -- plan ---------------------------------------------------------------------------------------------


@app.command()
def plan(
    ctx: typer.Context,
    officer: Annotated[Optional[str], typer.Option(
        "--officer", envvar="CHECKLIST_OFFICER", help="Officer id (工号).", show_default=False)] = None,
    role: Annotated[Optional[list[str]], typer.Option(
        "--role", help="A role of the officer (repeat for several), e.g. officer, lead, chief.")] = None,
    court: Annotated[str, typer.Option("--court", help="The officer's court.")] = "",
    department: Annotated[str, typer.Option("--department", help="The officer's department.")] = "",
    name: Annotated[str, typer.Option("--name", help="The officer's name, for the heading.")] = "",
    include_ended: Annotated[bool, typer.Option("--all", help="Include campaigns that have ended.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Show one officer's merged duty list and which campaigns each line serves.

    Example: checklist plan --officer DL001 --court 道里区人民法院 --role officer
    """
    from checklist.core.merge import plan_for
    from checklist.core.models import Officer
    from checklist.loader import load_templates
    from checklist.render import emit_json, plan_json, plan_view, stdout_console

    if not officer:
        raise UsageError("which officer? give --officer ID or set CHECKLIST_OFFICER")
    if not role:
        raise UsageError("give the officer's roles with --role (e.g. --role officer)")
    settings = _settings(ctx)
    who = Officer(officer, name, court, department, tuple(role))
    tset = load_templates(settings.templates)
    today = settings.today
    result = plan_for(who, tset, today=None if include_ended else today)
    if as_json:
        emit_json(plan_json(who, result, tset, today))
    else:
        stdout_console().print(plan_view(who, result, tset, today))


def main() -> None:
    try:
        app(prog_name="checklist")
    except BrokenPipeError:  # `checklist … | head`
        sys.stderr.close()
        sys.exit(0)
