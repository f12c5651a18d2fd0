"""The ``checklist`` command line: thin commands over the library.

Each command parses its options, asks the library for a result and hands it to ``render`` (a
Rich view, or JSON with ``--json``). Errors from the library are ``ChecklistError``s; the root
group turns them into one line per problem on stderr and the exit code SPEC.md gives them.
"""


import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

try:
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - typer versions that use click itself
    from click import exceptions as click_errors

from checklist import __version__, i18n, paths
from checklist.errors import ChecklistError, InputError, UsageError
from checklist.i18n import _, ngettext

click_exceptions = click_errors.ClickException

# What users see of the command-line library itself. It writes these in English; they are
# matched and put in the user's language (scripts/i18n.py puts them in the catalogue).
LIBRARY_MESSAGES = [
    "Usage:", "Options", "Commands", "Arguments", "Show this message and exit.", "Error",
    "No such option: {name}", "No such command {name!r}.", "Missing argument '{param}'.",
    "Missing option '{param}'.", "Try '{command} {option}' for help.", "Invalid value for {param_hint}: {message}",
    "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})",
    "Option {name!r} requires an argument.", "{value!r} is not a valid float.", "{value!r} is not a valid integer.",
    "{value!r} is not in the range {range}.", "{value!r} is not a valid int range.",
    "{value!r} is not a valid float range.", "env var: {var}", "default: {default}", "required",
    "Did you mean {possibility}?", "(Possible options: {possibilities})",
]


def _library_patterns():
    import re

    for template in LIBRARY_MESSAGES:
        if "{" not in template:
            continue
        pattern = re.escape(template)
        for name in re.findall(r"\{(\w+)(?:!r)?\}", template):
            pattern = re.sub(r"\\\{%s(?:!r)?\\\}" % name, f"(?P<{name}>.+?)", pattern, count=1)
        yield template, re.compile(pattern)


def _translate_line(line: str) -> str:
    for template, pattern in _library_patterns():
        match = pattern.fullmatch(line)
        if match:
            parts = {k: _translate_line(v) if k == "message" else v for k, v in match.groupdict().items()}
            return _(template).replace("!r}", "}").format(**parts)
    return _(line) if line in LIBRARY_MESSAGES else line


def translate_library(message: str) -> str:
    """A message of the command-line library, in the user's language (line by line, as far as it can)."""
    lines = []
    for line in message.split("\n"):
        suffix = ""
        for marker in (" (Possible options:", " Did you mean "):
            head, sep, tail = line.partition(marker)
            if sep:
                line, suffix = head, " " + _translate_line((sep + tail).strip())
                break
        lines.append(_translate_line(line) + suffix)
    return "\n".join(lines)


def _take_lang(argv: list[str]) -> tuple[list[str], str | None]:
    """The command line without --lang, and its value: --lang works before or after the command."""
    rest: list[str] = []
    value = None
    n = 0
    while n < len(argv):
        arg = argv[n]
        if arg == "--":
            rest += argv[n:]
            break
        if arg == "--lang":
            value = argv[n + 1] if n + 1 < len(argv) else ""
            n += 2
            continue
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        n += 1
    return rest, value


def _walk(command, path=()):
    """Every (name path, command) in the command tree, groups included."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, (*path, name))


class _HelpNames:
    help_option_names = ["-h", "--help"]


def _usage_in_language(self, ctx, formatter) -> None:
    prefix = _("Usage:")
    formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                          prefix=prefix if prefix.endswith("：") else prefix + " ")


def translate_help(root) -> None:
    """Put the command tree's help texts into the chosen language (they are written in English).

    The command-line library writes "Usage:" and the --help option's own text without gettext;
    those two are put in the language here as well, on this run's command objects only.
    """
    import types

    for _path, command in _walk(root):
        if command.help:
            command.help = _(command.help)
        if command.short_help:
            command.short_help = _(command.short_help)
        for param in command.params:
            if getattr(param, "help", None):
                param.help = _(param.help)
        help_option = command.get_help_option(_HelpNames())
        if help_option is not None and help_option.help:
            help_option.help = _(help_option.help)
        command.format_usage = types.MethodType(_usage_in_language, command)


def help_texts() -> list[tuple[str, str]]:
    """(where, text) for every help text users can see, for the translation catalogue."""
    import typer.main

    found = []
    for path, command in _walk(typer.main.get_command(app)):
        where = " ".join(("checklist", *path))
        if command.help:
            found.append((where, command.help))
        if command.short_help:
            found.append((f"{where} (short)", command.short_help))
        for param in command.params:
            if getattr(param, "help", None):
                found.append((f"{where} {param.opts[0] if param.opts else param.name}", param.help))
    return found


COMMAND_ORDER = ("today", "done", "undo", "skip", "show", "plan", "report", "cases", "indicators", "follow-up",
                 "follow-ups",
                 "import", "export", "roster", "sync", "templates", "log", "audit", "doctor", "db", "path", "completion")


class _Root(TyperGroup):
    """Turns the library's errors into messages and exit codes, never a traceback."""

    def main(self, args=None, prog_name=None, **extra):  # type: ignore[override]
        """Choose the language before anything is parsed, so help and errors are in it too."""
        argv, option = _take_lang(list(sys.argv[1:] if args is None else args))
        try:
            if option == "":
                raise ValueError("--lang needs a value: zh or en")
            lang = i18n.choose_language(option)
        except ValueError as err:
            typer.echo(f"error: {err}", err=True)
            sys.exit(2)
        i18n.set_language(lang)
        if lang != "en":
            translate_help(self)
        if any(a in ("-h", "--help") for a in argv) or not argv:  # only help is shaped by it
            from checklist.helptext import install

            install(self)
        extra.pop("standalone_mode", None)
        try:
            result = super().main(args=argv, prog_name=prog_name, standalone_mode=False, **extra)
        except click_errors.UsageError as err:  # usage, hint and message, in the user's language
            if type(err).__name__ == "NoArgsIsHelpError":  # `checklist` alone: the help, as asked
                typer.echo(err.format_message())
                sys.exit(err.exit_code)
            if err.ctx is not None:
                typer.echo(err.ctx.get_usage(), err=True)
                option = err.ctx.help_option_names[0] if err.ctx.help_option_names else "--help"
                typer.echo(translate_library(f"Try '{err.ctx.command_path} {option}' for help."), err=True)
            typer.echo("\n" + _("error: {message}").format(message=translate_library(err.format_message())), err=True)
            sys.exit(err.exit_code)
        except click_errors.ClickException as err:
            typer.echo(_("error: {message}").format(message=translate_library(err.format_message())), err=True)
            sys.exit(err.exit_code)
        except typer.Abort:
            typer.echo(_("interrupted; nothing was changed"), err=True)
            sys.exit(130)
        except BrokenPipeError:  # `checklist … | head`: the reader has what it wanted
            _quiet_stdout()
            sys.exit(0)
        sys.exit(result if isinstance(result, int) else 0)

    def list_commands(self, ctx):  # type: ignore[override]
        """Commands in the order of a working day, not the order they are defined in."""
        names = super().list_commands(ctx)
        return sorted(names, key=lambda n: COMMAND_ORDER.index(n) if n in COMMAND_ORDER else len(COMMAND_ORDER))

    def invoke(self, ctx):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ChecklistError as err:
            from checklist.options import field_hint
            from checklist.render import lines_to, stderr_console

            console = stderr_console()
            lines_to(console, err.problems)
            message = err.message
            hint = field_hint(err.field) if err.field else ""
            if hint:
                message += _(" ({hint})").format(hint=hint)
            console.print(_("error: {message}").format(message=message), style="bold red", markup=False,
                          highlight=False, soft_wrap=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            typer.echo(_("interrupted; nothing was changed"), err=True)
            ctx.exit(130)
        except (typer.Exit, typer.Abort, click_exceptions, BrokenPipeError):
            raise
        except Exception as err:  # a bug: say so in one line; CHECKLIST_DEBUG=1 shows the traceback
            if os.environ.get("CHECKLIST_DEBUG"):
                raise
            typer.echo(_("error: internal error ({what}); nothing was changed. This is a bug: please report it with "
                         "the command you ran (CHECKLIST_DEBUG=1 shows the details)").format(
                what=f"{type(err).__name__}: {err}"), err=True)
            ctx.exit(1)


app = typer.Typer(
    cls=_Root,
    help="One list (一张清单) per court-enforcement officer, merged from every campaign's duties.\n\n"
    "Example: checklist today --officer DL001",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
templates_app = typer.Typer(help="Check, list, compare and apply the campaign templates.\n\nExample: checklist templates lint 模板/ --strict", no_args_is_help=True)
app.add_typer(templates_app, name="templates")
import_app = typer.Typer(help="Load spreadsheets: the roster, status updates, the case list.\n\nExample: checklist import status 台账.xlsx --dry-run", no_args_is_help=True)
app.add_typer(import_app, name="import")


@dataclass
class Settings:
    """Where this run reads and writes (set once by the root callback)."""

    db: str | Path
    templates: Optional[Path]  # only when given (--templates or CHECKLIST_TEMPLATES)
    wait: float

    @property
    def today(self) -> date:
        return today_from_env()

    @property
    def templates_folder(self) -> Path:
        return self.templates if self.templates is not None else paths.shipped_templates()

    def env(self):  # -> context.Env (imported lazily: --help should not pay for it)
        from checklist.context import Env, default_actor

        user = default_actor()
        return Env(db=self.db, templates=self.templates, today=self.today, actor=user, user=user, wait=self.wait)


def today_from_env() -> date:
    """CHECKLIST_TODAY replaces the clock (tests, 'as of' reports); else the real date."""
    text = os.environ.get("CHECKLIST_TODAY", "").strip()
    if not text:
        return date.today()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(_("CHECKLIST_TODAY must be a date like 2026-11-27, not '{text}'").format(text=text)) from None
    from checklist.options import in_range

    return in_range(day, "CHECKLIST_TODAY")


def _settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj  # type: ignore[no-any-return]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"checklist {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option(
        "--db", envvar="CHECKLIST_DB",
        help="Database file (default: in your user data folder), or a postgresql://USER@HOST/DB server.",
        show_default=False)] = None,
    templates: Annotated[Optional[Path], typer.Option(
        "--templates", envvar="CHECKLIST_TEMPLATES",
        help="Templates folder for a new database or templates apply (default: the shipped campaigns).",
        show_default=False)] = None,
    wait: Annotated[float, typer.Option(
        "--wait", envvar="CHECKLIST_WAIT", min=0, help="Seconds to wait for another checklist process.")] = 10.0,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", help="Language: zh or en (default: CHECKLIST_LANG, else your locale).",
        show_default=False)] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    ctx.obj = Settings(db=paths.db_path(db), templates=templates, wait=wait)


OfficerOption = Annotated[Optional[str], typer.Option(
    "--officer", "-o", envvar="CHECKLIST_OFFICER", help="Officer id (工号); or set CHECKLIST_OFFICER.",
    show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
ExportJsonOption = Annotated[bool, typer.Option("--json", help="The same as --format json.")]
# a report's date range (report, export report)
WeekOption = Annotated[Optional[str], typer.Option("--week", help="A week, like 2026-W48.", show_default=False)]
MonthOption = Annotated[Optional[str], typer.Option("--month", help="A month, like 2026-11 (default: this month).",
                                                    show_default=False)]
FromOption = Annotated[Optional[str], typer.Option("--from", help="First day, like 2026-11-01.", show_default=False)]
ToOption = Annotated[Optional[str], typer.Option("--to", help="Last day (default: today).", show_default=False)]


# -- templates -----------------------------------------------------------------------------------


@templates_app.command("validate")
def templates_validate(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Argument(help="Folder to check (default: the templates in use).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as one JSON document (exit 1 if it "
                                                          "does not validate).")] = False,
) -> None:
    """Check every template file; list every problem as FILE:LINE: message.

    With a database, also warns of a duty whose role nobody on its roster (in the campaign's
    scope) holds.

    Example: checklist templates validate templates/
    """
    from checklist import service
    from checklist.render import lines_to, stderr_console, stdout_console
    from checklist.roster import officer_from_doc
    from checklist.store import open_store

    settings = _settings(ctx)
    store = open_store(settings.db, settings.wait)
    officers = None
    if store.exists():
        with store.reading() as reader:
            officers = [officer_from_doc(d) for d in reader.officers()]
    where = folder or settings.templates_folder
    if as_json:
        from checklist.errors import TemplateError
        from checklist.render import emit_json

        try:
            report = service.validate_templates(where, settings.today, officers)
        except TemplateError as err:
            emit_json({"folder": str(where), "ok": False, "problems": err.problems, "warnings": []})
            raise typer.Exit(1) from None
        emit_json({"folder": str(where), "ok": True, "problems": [], "warnings": report.warnings,
                   "summary": report.summary})
        return
    report = service.validate_templates(where, settings.today, officers)
    lines_to(stderr_console(), report.warnings, style="yellow")
    stdout_console().print(report.summary, markup=False, highlight=False)


@templates_app.command("lint")
def templates_lint(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Argument(help="Folder to read (default: the templates in use).")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 when there is any finding (for CI).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Query what the merge would make of the campaigns: near-duplicate duties under two keys, and
    one key used for two different duties.

    A near-duplicate: two campaigns' duties with a role in common, titles alike and schedules that
    could merge — give them one key, or say `distinct_from: [key]` if they are two. One key, two
    duties: the same key with different bases, titles sharing no word, or a statutory duty of the
    library asked on another schedule. Findings are advice (exit 0) unless --strict.

    Example: checklist templates lint templates/ --strict
    """
    from checklist.core.lint import lint
    from checklist.loader import load_templates
    from checklist.render import emit_json, say

    settings = _settings(ctx)
    where = folder or settings.templates_folder
    findings = lint(load_templates(where))
    if as_json:
        emit_json({"folder": str(where), "findings": [
            {"code": f.code, "where": f"{where}/{f.where}", "also": f"{where}/{f.also}" if f.also else None,
             "keys": list(f.keys), "message": f.message} for f in findings]})
    else:
        for f in findings:
            say(f"{where}/{f.where}: {f.message}")
        say(ngettext("{folder}: {n} finding", "{folder}: {n} findings", len(findings)).format(
            folder=where, n=len(findings)) if findings else _("{folder}: no findings").format(folder=where),
            err=bool(findings))
    if strict and findings:
        raise typer.Exit(1)


@templates_app.command("list")
def templates_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """List the campaigns (active, upcoming, ended) and the duty library.

    Lists the templates applied to the database; without a database, the templates folder.

    Example: checklist templates list --json
    """
    from checklist.render import emit_json, stdout_console
    from checklist.render.setup import templates_json, templates_view

    settings = _settings(ctx)
    tset = _templates_in_use(settings)
    if as_json:
        emit_json(templates_json(tset, settings.today))
    else:
        stdout_console().print(templates_view(tset, settings.today))


def _templates_in_use(settings: Settings):
    """The database's applied templates; the templates folder when there is no database yet."""
    from checklist.loader import load_templates
    from checklist.store import open_store
    from checklist.sync import applied

    store = open_store(settings.db, settings.wait)
    if store.exists():
        with store.reading() as reader:
            if reader.templates():
                return applied(reader)
    return load_templates(settings.templates_folder)


@templates_app.command("apply")
def templates_apply(
    ctx: typer.Context,
    folder: Annotated[Optional[Path], typer.Argument(
        help="Folder to apply (default: --templates, else the shipped campaigns).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would change for whom; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Make a templates folder the one this database runs on, and bring every list up to date.

    The database keeps its own copy of the templates: every other command works from it, so
    people with different --templates folders never re-sync each other's lists. Done and skipped
    items keep the due date they were worked against. --dry-run lists, person by person, the items
    that would be added, re-dated, changed or withdrawn, and writes nothing.

    Example: checklist templates apply 模板/ --dry-run
    """
    from checklist.render import Progress, emit_json, lines_to, say, stderr_console
    from checklist.sync import apply_templates

    settings = _settings(ctx)
    with Progress(_("bringing lists up to date") if not dry_run else _("working out what would change")) as progress:
        result = apply_templates(settings.env(), folder or settings.templates_folder, progress, dry_run=dry_run)
    if result.preview is not None:
        _show_changes(settings, result.preview, as_json)
        if not as_json:
            say(_("dry run: nothing was written"), err=True)
        return
    if as_json:
        emit_json({"folder": result.folder, "changed": result.changed, "campaigns": result.campaigns,
                   "sync": None if result.sync is None else sync_json(result.sync)})
        return
    say(result.summary())
    if result.sync is not None:
        lines_to(stderr_console(), result.sync.warnings, style="yellow")


def sync_json(result) -> dict:
    """What a sync did, for scripts: officers looked at, items created, updated, withdrawn, restored."""
    return {"officers": result.officers, "created": result.created, "updated": result.updated,
            "withdrawn": result.withdrawn, "restored": result.restored, "warnings": result.warnings}


def _show_changes(settings: Settings, changes: list, as_json: bool) -> None:
    from checklist.render import emit_json, stdout_console
    from checklist.render.setup import changes_json, changes_view
    from checklist.roster import officer_from_doc

    with settings.env().store().reading() as reader:
        names = {d["id"]: officer_from_doc(d).name for d in reader.officers()}
    if as_json:
        emit_json(changes_json(changes, names))
    else:
        stdout_console().print(changes_view(changes, names))


@templates_app.command("diff")
def templates_diff(
    ctx: typer.Context,
    first: Annotated[Path, typer.Argument(help="The new folder; or, with a second folder, the old one.")],
    second: Annotated[Optional[Path], typer.Argument(help="The new folder, when the first is the old one.",
                                                     show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """What a templates change would do to everyone's list, person by person, before anything is
    written: items added (due from today on), and open items re-dated, reworded or withdrawn.

    With one folder, compares it with the templates the database runs on; with two, the first
    (old) with the second (new), for the people on this database's roster. Only the campaigns'
    duties are compared; `templates apply NEW --dry-run` also weighs the database's own items (work
    done, case clocks).

    Example: checklist templates diff 模板-旧/ 模板-新/
    """
    from checklist.sync import diff_templates

    settings = _settings(ctx)
    old, new = (None, first) if second is None else (first, second)
    _show_changes(settings, diff_templates(settings.env(), old, new), as_json)


# -- plan ---------------------------------------------------------------------------------------------


@app.command()
def plan(
    ctx: typer.Context,
    officer: OfficerOption = None,
    role: Annotated[Optional[list[str]], typer.Option(
        "--role", help="Plan for an officer not on the roster: their role (repeat for several).")] = None,
    court: Annotated[str, typer.Option("--court", help="With --role: the officer's court.")] = "",
    department: Annotated[str, typer.Option("--department", help="With --role: the officer's department.")] = "",
    tag: Annotated[Optional[list[str]], typer.Option(
        "--tag", help="With --role: a roster tag they have, like 党员 (repeat for several).")] = None,
    include_ended: Annotated[bool, typer.Option("--all", help="Include campaigns that have ended.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show one officer's merged duty list and which campaigns each line serves.

    The officer comes from the roster; with --role (and --court, --department) you can plan for
    someone who is not on it yet.

    Example: checklist plan --officer DL001
    """
    from checklist.core.merge import plan_for
    from checklist.core.models import Officer
    from checklist.render import emit_json, stdout_console
    from checklist.render.setup import plan_json, plan_view

    settings = _settings(ctx)
    env = settings.env()
    if role:
        who = Officer(officer or "-", "", court, department, tuple(role), tags=tuple(tag or ()))
        tset = _templates_in_use(settings)
    else:
        from checklist.identity import identify, require_see
        from checklist.service import officer_for
        from checklist.sync import applied

        with env.store().reading() as reader:
            access = identify(reader, env)
            who = officer_for(reader, access, officer)
            require_see(access, who)
            tset = applied(reader)
    result = plan_for(who, tset, today=None if include_ended else env.today)
    if as_json:
        emit_json(plan_json(who, result, tset, env.today))
    else:
        stdout_console().print(plan_view(who, result, tset, env.today))


# -- the store ------------------------------------------------------------------------------------------


@app.command()
def path(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show where the database and the templates are.

    Example: checklist path --json
    """
    from checklist.render import emit_json, say
    from checklist.store import open_store

    settings = _settings(ctx)
    store = open_store(settings.db, settings.wait)
    if as_json:
        applied, exists = {}, store.exists()
        if exists:
            with store.reading() as reader:
                applied = reader.meta().get("templates", {})
        emit_json({"database": str(store.location), "exists": exists,
                   "templates": str(settings.templates_folder),
                   "applied": {"folder": applied.get("folder"), "at": applied.get("applied_at"),
                               "files": applied.get("files"), "fingerprint": applied.get("fingerprint")}
                   if applied else None})
        return
    if not store.exists():
        say(_("database   {path}").format(path=store.location) + "  " + _("(not created yet)"))
        say(_("templates  {path}").format(path=settings.templates_folder) + "  " + _("(applied by the first roster "
                                                                                      "import)"))
        return
    say(_("database   {path}").format(path=store.location))
    with store.reading() as reader:
        applied = reader.meta().get("templates", {})
    say(_("templates  applied from {folder} on {day} ({n} files)").format(
        folder=applied.get("folder", "?"), day=str(applied.get("applied_at", ""))[:10], n=applied.get("files", "?")))


@app.command()
def whoami(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Who checklist thinks you are: your roster entry, your level, whom you see and what you may do.

    You are the roster person whose login (账号), else id, equals CHECKLIST_USER (default: your
    login name); on a PostgreSQL database, the user you connect as.

    Example: CHECKLIST_USER=DL010 checklist whoami
    """
    from checklist.identity import whoami as who
    from checklist.render import emit_json, stdout_console
    from checklist.render.setup import whoami_view

    found = who(_settings(ctx).env())
    if as_json:
        emit_json(found)
    else:
        stdout_console().print(whoami_view(found))


@app.command("roster")
def roster_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the officers on the roster.

    Example: checklist roster --json
    """
    from checklist import service
    from checklist.render import emit_json, officer_json, stdout_console
    from checklist.render.setup import roster_view

    officers = service.roster(_settings(ctx).env())
    if as_json:
        emit_json({"officers": [officer_json(o, level) for o, level in officers]})
    else:
        stdout_console().print(roster_view(officers))


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    mapping = {}
    for pair in pairs or []:
        header, sep, name = pair.partition("=")
        if not sep or not header.strip() or not name.strip():
            raise UsageError(_("--map takes HEADER=column, like --map 承办人=officer; not '{pair}'").format(pair=pair))
        mapping[header.strip()] = name.strip()
    return mapping


SheetOption = Annotated[Optional[str], typer.Option("--sheet", help="XLSX: the sheet to read (default: the first).")]
EncodingOption = Annotated[Optional[str], typer.Option(
    "--encoding", help="CSV: the text encoding, if not UTF-8 or GB18030 (detected).")]
MapOption = Annotated[Optional[list[str]], typer.Option(
    "--map", help="A header of yours and the column it means, e.g. --map 承办人=id (repeatable).")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check and show what would change; write nothing.")]


@import_app.command("roster")
def import_roster(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030) or XLSX roster.", show_default=False)],
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    map_: MapOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Add or update officers from a spreadsheet (all or nothing), then bring their lists up to date.

    Columns (English or Chinese): id/工号, name/姓名, court/法院, department/部门, roles/角色 (job
    titles such as 执行法官, 团队长, 局长), lead/上级, since/起始日期, until/离岗日期, login/账号.
    Officers are matched by id; re-importing the same file changes nothing. The first import
    creates the database and applies the templates (--templates, else the shipped); after it, a
    chief imports their court's people and an admin anyone's.

    Example: checklist import roster 人员名单.xlsx --dry-run
    """
    from checklist import service
    from checklist.render import lines_to, stderr_console

    from checklist.render import Progress

    with Progress(_("bringing lists up to date")) as progress:
        result = service.import_roster(_settings(ctx).env(), file, sheet=sheet, encoding=encoding,
                                       mapping=_mapping(map_), dry_run=dry_run, progress=progress)
    _tell_import(result, as_json)
    lines_to(stderr_console(), result.warnings, style="yellow")
    if not dry_run:
        lines_to(stderr_console(), _logins_missing(_settings(ctx).env()), style="yellow")


def _logins_missing(env: Any) -> list[str]:
    """On a server: the people on the roster who cannot log in yet, and who gives them a login."""
    without_login = getattr(env.store(), "without_login", None)  # a file database has no logins of its own
    names = without_login() if without_login is not None else []
    if not names:
        return []
    listed = _(", ").join(names[:5]) + ("…" if len(names) > 5 else "")
    return [ngettext("{n} person on the roster has no login on this server yet ({names}); the database's owner "
                     "gives them one with checklist db roles",
                     "{n} people on the roster have no login on this server yet ({names}); the database's owner "
                     "gives them one with checklist db roles", len(names)).format(n=len(names), names=listed)]


def _tell_import(result: Any, as_json: bool) -> None:
    """An import's outcome: its JSON document, or its one-line summary."""
    from checklist.render import emit_json, say

    if as_json:
        emit_json(result.as_json())
        return
    listing = result.listing() if getattr(result, "dry_run", False) and hasattr(result, "listing") else []
    for line in listing[:50]:
        say(line)
    if len(listing) > 50:
        say(_("  … and {n} more (--json lists every one)").format(n=len(listing) - 50))
    say(result.summary())


@import_app.command("status")
def import_status(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8 or GB18030) or XLSX with a status column.",
                                         show_default=False)],
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    map_: MapOption = None,
    dry_run: DryRunOption = False,
    backfill: Annotated[bool, typer.Option(
        "--backfill", help="Past work from before checklist was used: each done row counts as recorded at its "
                           "done time, not as recorded late (admin only; the history says so).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Mark items done, skipped or open from a spreadsheet (all or nothing; re-running changes nothing).

    Rows name items by id (as `checklist export items` writes them) or by officer/工号,
    key/任务编码 and period/期间 (a period like 2026-W48, or the due date). status/状态:
    done/完成, skipped/跳过 (reason in note/备注), open/未完成. done_at/完成时间 is optional.
    --backfill loads the 台账 of the months before the bureau used checklist: the report then does
    not list that work as recorded late.

    Example: checklist import status 台账.xlsx --sheet 11月 --dry-run
    """
    from checklist.render import Progress
    from checklist.status import import_status as run_import

    with Progress(_("checking rows")) as progress:
        result = run_import(_settings(ctx).env(), file, sheet=sheet, encoding=encoding, mapping=_mapping(map_),
                            dry_run=dry_run, backfill=backfill, progress=progress)
    _tell_import(result, as_json)


@import_app.command("cases")
def import_cases(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The case list: CSV (UTF-8 or GB18030) or XLSX.", show_default=False)],
    sheet: SheetOption = None,
    encoding: EncodingOption = None,
    map_: MapOption = None,
    dry_run: DryRunOption = False,
    as_json: JsonOption = False,
) -> None:
    """Load the case list the case system exports; each case's statutory clocks go on its officer's list.

    Columns: case/案号, officer/承办人 (工号 or a unique name), filed/立案日期; optional closed/结案日期,
    closing/结案方式 (执行完毕, 终本, 终结执行, 不予执行, 驳回申请, 销案, 和解), amount/申请执行标的,
    paid/到位金额, paused/暂缓中止期间 (2026-03-01~2026-04-15；2026-06-01~), seized/查封日期,
    seal_expires/查封到期日, funds_received/案款到账日 (several dates: ；or ,). All or nothing; a
    re-import updates closings and hands a reassigned case's open items to its new officer.

    Example: checklist import cases 案件清单.xlsx --dry-run
    """
    from checklist.caseimport import import_cases as run_import
    from checklist.render import say

    result = run_import(_settings(ctx).env(), file, sheet=sheet, encoding=encoding, mapping=_mapping(map_),
                        dry_run=dry_run)
    _tell_import(result, as_json)
    if as_json:
        return
    for warning in result.warnings:
        say(_("note: {warning}").format(warning=warning), err=True)


export_app = typer.Typer(help="Get data out: items, the roster, a report, the 督办台账.\n\nExample: checklist export items --month 2026-11 --format xlsx --out 11月.xlsx", no_args_is_help=True)
app.add_typer(export_app, name="export")
FormatOption = Annotated[str, typer.Option("--format", "-f", help="csv, json or xlsx.")]
OutOption = Annotated[Optional[Path], typer.Option(
    "--out", help="Write to this file (required for xlsx; a pipe or device is written as a stream).",
    show_default=False)]
ScopeOption = Annotated[Optional[str], typer.Option(
    "--officer", "-o", envvar="CHECKLIST_OFFICER", help="Only this lead's team (or this chief's court).",
    show_default=False)]
CourtOption = Annotated[Optional[str], typer.Option("--court", help="Only this court.", show_default=False)]
DepartmentOption = Annotated[Optional[str], typer.Option("--department", help="Only this department.",
                                                         show_default=False)]


def _db_file(ctx: typer.Context) -> Optional[Path]:
    """The database file (None for a server database): what --out must never write over."""
    db = _settings(ctx).db
    return db if isinstance(db, Path) else None


def _export(ctx: typer.Context, rows: list, columns: tuple, fmt: str, out: Optional[Path], title: str) -> None:
    from checklist.export import render
    from checklist.outfile import write_output
    from checklist.render import say

    if fmt == "xlsx" and out is None:
        raise UsageError(_("an XLSX export needs --out FILE"))
    data = render(rows, columns, fmt, title)
    if out is None and fmt != "xlsx" and sys.stdout.isatty():  # a person reads it: nothing may drive the terminal
        from checklist.core.text import visible

        data = visible(data.decode("utf-8")).encode("utf-8")
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_output(out, data, _db_file(ctx))
        say(ngettext("wrote {n} row to {file}", "wrote {n} rows to {file}", len(rows)).format(n=len(rows), file=out),
            err=True)


@export_app.command("items")
def export_items(
    ctx: typer.Context,
    fmt: FormatOption = "csv",
    out: OutOption = None,
    officer: ScopeOption = None,
    court: CourtOption = None,
    department: DepartmentOption = None,
    campaign: Annotated[Optional[str], typer.Option("--campaign", help="Only items crediting this campaign key.",
                                                    show_default=False)] = None,
    week: Annotated[Optional[str], typer.Option("--week", help="Due in this week, like 2026-W48.",
                                                show_default=False)] = None,
    month: Annotated[Optional[str], typer.Option("--month", help="Due in this month, like 2026-11.",
                                                 show_default=False)] = None,
    start: Annotated[Optional[str], typer.Option("--from", help="Due on or after this day.", show_default=False)] = None,
    end: Annotated[Optional[str], typer.Option("--to", help="Due on or before this day.", show_default=False)] = None,
    status: Annotated[Optional[str], typer.Option(
        "--status", help="open, done, skipped, withdrawn or overdue.", show_default=False)] = None,
    as_json: ExportJsonOption = False,
) -> None:
    """Export items — ready to fill in the status column and load back with `import status`.

    Example: checklist export items --month 2026-11 --court 哈尔滨市道里区人民法院 --format xlsx --out 11月.xlsx
    """
    from checklist.export import ITEM_COLUMNS, ItemFilter, item_rows
    from checklist.options import item_range
    from checklist.render import Progress

    env = _settings(ctx).env()
    first, last = item_range(env.today, week, month, start, end)
    with Progress(_("reading items")) as progress:
        rows = item_rows(env, ItemFilter(officer, court, department, campaign, first, last, status), progress)
    if fmt == "xlsx" and not as_json and out is not None:
        from checklist.outfile import write_output
        from checklist.render import say
        from checklist.workbook import items_workbook

        write_output(out, items_workbook(rows, ITEM_COLUMNS), _db_file(ctx))
        say(ngettext("wrote {n} row to {file}", "wrote {n} rows to {file}", len(rows)).format(n=len(rows), file=out),
            err=True)
        return
    _export(ctx, rows, ITEM_COLUMNS, "json" if as_json else fmt, out, "items")


@export_app.command("roster")
def export_roster(
    ctx: typer.Context,
    fmt: FormatOption = "csv",
    out: OutOption = None,
    officer: ScopeOption = None,
    court: CourtOption = None,
    department: DepartmentOption = None,
    as_json: ExportJsonOption = False,
) -> None:
    """Export the roster, in the columns `import roster` reads.

    Example: checklist export roster --format xlsx --out 人员名单.xlsx
    """
    from checklist.export import ROSTER_COLUMNS, ItemFilter, roster_rows

    rows = roster_rows(_settings(ctx).env(), ItemFilter(officer, court, department))
    _export(ctx, rows, ROSTER_COLUMNS, "json" if as_json else fmt, out, "roster")


@export_app.command("follow-ups")
def export_follow_ups(
    ctx: typer.Context,
    fmt: FormatOption = "csv",
    out: OutOption = None,
    officer: ScopeOption = None,
    state: Annotated[str, typer.Option(
        "--state", help="all, waiting (not closed), open, replied, returned, overdue or closed.")] = "all",
    as_json: ExportJsonOption = False,
) -> None:
    """Export the 督办台账: every follow-up with its number, source, target, deadline, replies and outcome.

    Example: checklist export follow-ups --format xlsx --out 督办台账.xlsx
    """
    from checklist.followup import LEDGER_COLUMNS, ledger_rows, line_json, listing

    found = listing(_settings(ctx).env(), viewer_id=officer, state=state)
    if as_json or fmt == "json":
        _export(ctx, [line_json(line) for line in found.lines], LEDGER_COLUMNS, "json", out, "follow_ups")
    else:
        _export(ctx, ledger_rows(found), LEDGER_COLUMNS, fmt, out, "follow_ups")


@export_app.command("report")
def export_report(
    ctx: typer.Context,
    fmt: FormatOption = "csv",
    out: OutOption = None,
    by: Annotated[str, typer.Option(
        "--by", help="officer, department, court, intermediate, campaign or phase (or 人员, 部门, 法院, 中院, 活动, "
                     "阶段).")] = "officer",
    week: WeekOption = None,
    month: MonthOption = None,
    start: FromOption = None,
    end: ToOption = None,
    officer: ScopeOption = None,
    as_json: ExportJsonOption = False,
) -> None:
    """Export a report's rows (the same figures as `checklist report`).

    Example: checklist export report --by court --month 2026-11 --format xlsx --out 通报.xlsx
    """
    from checklist.options import date_range, grouping
    from checklist.reporting import CSV_COLUMNS, LATE_NAMED, make_report, row_cells

    env = _settings(ctx).env()
    first, last = date_range(env.today, week, month, start, end)
    result = make_report(env, by=grouping(by), viewer_id=officer, start=first, end=last, late_each=LATE_NAMED)
    if fmt == "xlsx" and not as_json:
        _write_report_workbook(ctx, result, out)
        return
    rows = [row_cells(r) for r in result.report.rows]
    _export(ctx, rows, CSV_COLUMNS, "json" if as_json else fmt, out, "report")


def _write_report_workbook(ctx: typer.Context, result: Any, out: Optional[Path]) -> None:
    from checklist.outfile import write_output
    from checklist.render import say
    from checklist.workbook import report_workbook

    if out is None:
        raise UsageError(_("an XLSX report needs --out FILE"))
    write_output(out, report_workbook(result), _db_file(ctx))
    say(_("wrote {file}").format(file=out), err=True)


@app.command()
def sync(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Recompute every item even if nothing changed.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what changed as one JSON document.")] = False,
) -> None:
    """Bring every officer's items up to date with the applied templates and the holiday data.

    Run it after upgrading chinesecalendar or checklist (commands say when one is due); a roster
    import and templates apply do it themselves. Done and skipped items are never changed.

    Example: checklist sync --force
    """
    from checklist.render import Progress, lines_to, say, stderr_console
    from checklist.sync import sync as run_sync

    with Progress(_("bringing lists up to date")) as progress:
        result = run_sync(_settings(ctx).env(), force, progress)
    lines_to(stderr_console(), result.warnings, style="yellow")
    if as_json:
        from checklist.render import emit_json

        emit_json(sync_json(result))
    else:
        say(result.summary())


# -- the officer's day -------------------------------------------------------------------------------------


@app.command()
def today(
    ctx: typer.Context,
    officer: OfficerOption = None,
    days: Annotated[int, typer.Option("--days", "-d", min=0, max=366, help="How many days ahead to show.")] = 7,
    show_all: Annotated[bool, typer.Option("--all", help="Every overdue item, not just the oldest ten.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or html (a page to print; with --out).")
                   ] = "table",
    team: Annotated[bool, typer.Option(
        "--team", help="Everyone below the lead or chief given by --officer: one page each (with --format html).")
                    ] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the page to this file.",
                                                show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Your list for today: follow-ups (督办) first, then overdue, due today and the coming days.

    Example: checklist today --officer DL001 --days 14

    Example: checklist today --officer DL010 --team --format html --out 执行一庭.html
    """
    from checklist.render import emit_json, lines_to, stderr_console, stdout_console
    from checklist.render.day import today_view
    from checklist.work import day_list, day_list_json

    if as_json:
        fmt = "json"
    if fmt not in ("table", "json", "html"):
        raise UsageError(_("--format takes table, json or html"))
    if team and fmt != "html":
        raise UsageError(_("--team writes one page per person: use it with --format html"))
    if fmt == "html":
        if out is None and sys.stdout.isatty():
            raise UsageError(_("a report as {format} needs --out FILE").format(format="HTML"))
        _today_page(ctx, officer, days, team, out)
        return
    view = day_list(_settings(ctx).env(), officer, days)
    lines_to(stderr_console(), view.warnings, style="yellow")
    if fmt == "json":
        emit_json(day_list_json(view))
    else:
        console = stdout_console()
        console.print(today_view(view, console.width, show_all))


def _today_page(ctx: typer.Context, officer: str | None, days: int, team: bool, out: Optional[Path]) -> None:
    from checklist.render import lines_to, say, stderr_console
    from checklist.render.html import today_page
    from checklist.work import day_list, team_lists

    env = _settings(ctx).env()
    lists, heading, subheading = team_lists(env, officer, days) if team else ([day_list(env, officer, days)], "", "")
    lines_to(stderr_console(), lists[0].warnings, style="yellow")
    text = today_page(lists, heading, subheading)
    if out is None:
        sys.stdout.write(text)
        return
    from checklist.outfile import write_output

    write_output(out, text.encode("utf-8"), _db_file(ctx))
    say(_("wrote {file}").format(file=out), err=True)


def _work(ctx: typer.Context, ids: list[str], action: str, officer: str | None, note: str | None,
          on: date | None = None, as_json: bool = False) -> None:
    from checklist.render import emit_json, say, status_word
    from checklist.work import work

    # --officer X on the command line means "X's item": anyone else's is refused; CHECKLIST_OFFICER only
    # says whose list to look in first
    source = ctx.get_parameter_source("officer")
    strict = source is not None and source.name == "COMMANDLINE"
    changes = work(_settings(ctx).env(), ids, action, officer_id=officer, strict=strict, note=note, on=on)
    if as_json:  # what changed, for scripts: each item as it now is, and whether this command changed it
        emit_json({"items": [{"id": c.item["id"], "officer": c.item["officer"], "key": c.item["key"],
                              "period": c.item["period"], "title": c.item["title"], "due": c.item["due"],
                              "status": c.item["status"], "changed": c.changed,
                              "message": None if c.changed else c.message} for c in changes]})
        return
    for change in changes:
        item = change.item
        if change.changed:
            say(_("{id}  {status}  {title}  (due {due})").format(
                id=item["id"][:6], status=status_word(item["status"]), title=item["title"], due=item["due"]))
        else:
            say(change.message, err=True)


@app.command()
def done(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Item ids (any unique prefix of 4 or more "
                                                                   "characters).", show_default=False)],
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="A note kept with the item.")] = None,
    on: Annotated[Optional[str], typer.Option(
        "--on", help="The day the work was done, if not today (the history also records when you said so).",
        show_default=False)] = None,
    officer: OfficerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark items done (all or nothing). Marking a done item again changes nothing.

    With --on, the work is claimed for an earlier day; the history keeps both that day and the
    real time it was recorded, and `checklist report` lists claims recorded late.

    Example: checklist done 3fk2 8q1m --note 已报送 --on 2026-11-27
    """
    from checklist.options import parse_day

    _work(ctx, ids, "done", officer, note, parse_day(on, "--on", today_from_env()) if on else None, as_json)


@app.command()
def undo(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Item ids to open again.", show_default=False)],
    officer: OfficerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open a done or skipped item again (the history keeps both steps).

    Example: checklist undo 3fk2
    """
    _work(ctx, ids, "undo", officer, None, as_json=as_json)


@app.command()
def skip(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Item ids to skip.", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why it does not apply (required).",
                                        show_default=False)] = "",
    officer: OfficerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Skip items that do not apply this time, saying why.

    Example: checklist skip 3fk2 --reason 本期无终本案件
    """
    _work(ctx, ids, "skip", officer, reason, as_json=as_json)


@app.command()
def reassign(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Open items to hand on (unique id prefixes).",
                                             show_default=False)],
    to: Annotated[str, typer.Option("--to", help="The officer who takes them over (工号).", show_default=False)],
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="Why, kept in both histories.")] = None,
) -> None:
    """Hand open items to another officer — usually those of someone who left (离岗日期).

    The items leave the first officer's list and join the other's, due the same day; both
    histories record it. Their lead or a chief of their court may do it. `checklist report` lists
    people who left with open items.

    Example: checklist reassign 3fk2 8q1m --to DL003 --note 周敏调离，由郑洁接办
    """
    from checklist.render import say
    from checklist.work import reassign as hand_on

    target, moved = hand_on(_settings(ctx).env(), ids, to, note=note)
    for item in moved:
        say(_("{id}  now {officer}'s  {title}  (due {due}; was {old})").format(
            id=item["id"][:6], officer=target.shown, title=item["title"], due=item["due"],
            old=item["reassigned_from"][:6]))


@app.command()
def show(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ID|CASE", help="Item id (a unique prefix is enough), or a 案号.",
                                           show_default=False)],
    officer: OfficerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one item — where it comes from, its state and its whole history — or one case with its items.

    Example: checklist show 3fk2 --json ; checklist show "(2026)黑0102执123号"
    """
    from checklist.render import emit_json, stdout_console
    from checklist.render.day import show_view
    from checklist.work import show as show_item
    from checklist.work import show_json

    env = _settings(ctx).env()
    from checklist.core.text import clean

    if not clean(item_id).isascii() or "(" in item_id:  # a 案号, not an item id
        from checklist.caseload import show_case

        case = show_case(env, item_id)
        if case is None:
            raise InputError(_("no case '{case}' (checklist cases lists them)").format(case=item_id))
        if as_json:
            emit_json({**case.case, "officer_name": case.officer_name, "items": case.items, "history": case.history})
        else:
            from checklist.render.cases import case_view

            stdout_console().print(case_view(case))
        return
    detail = show_item(env, item_id, officer)
    if as_json:
        emit_json(show_json(detail))
    else:
        stdout_console().print(show_view(detail))


# -- the lead's view ------------------------------------------------------------------------------------


@app.command()
def cases(
    ctx: typer.Context,
    officer: Annotated[Optional[str], typer.Option(
        "--officer", "-o", envvar="CHECKLIST_OFFICER", help="This officer's cases (a lead's team, a chief's court).",
        show_default=False)] = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only cases not closed.")] = False,
    over: Annotated[Optional[str], typer.Option(
        "--over", help="Only open cases filed longer ago than this, like 12m (超12个月未结).", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """A caseload: each case with its officer, state, open items and its next statutory deadline.

    Example: checklist cases --officer DL010 --over 12m
    """
    from checklist.caseload import caseload, caseload_json
    from checklist.render import emit_json, stdout_console
    from checklist.render.cases import caseload_view

    found = caseload(_settings(ctx).env(), viewer_id=officer, only_open=only_open, over=over)
    if as_json:
        emit_json(caseload_json(found))
    else:
        stdout_console().print(caseload_view(found))


@app.command(short_help="What a bureau is ranked on: 执行完毕率, 终本率, 法定期限内结案率, 执行到位率 and more.")
def indicators(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(
        "--by", help="Group by officer, department, court or intermediate (or 人员, 部门, 法院, 中院).")] = "court",
    week: WeekOption = None,
    month: MonthOption = None,
    start: FromOption = None,
    end: ToOption = None,
    officer: Annotated[Optional[str], typer.Option(
        "--officer", "-o", envvar="CHECKLIST_OFFICER", help="As this lead (their team) or chief (their court).",
        show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, md, xlsx or html (with --out).")
                   ] = "table",
    out: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of the screen.",
                                                show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """What a bureau is ranked on, from the imported cases: open and closed cases, 执行完毕率, 终本率,
    法定期限内结案率, 执行到位率, cases open over 12 months, overdue 案款 payouts, 终本 re-checks on time.

    A rate with nothing to divide is shown as — (null in JSON). Formulas: docs/indicators.md.

    Example: checklist indicators --by court --month 2026-11 --format csv --out 指标.csv
    """
    from checklist.indicators import (
        indicators_csv, indicators_json, indicators_markdown, indicators_xlsx, make_indicators,
    )
    from checklist.options import BY_WORDS, date_range
    from checklist.render import emit_json, say, stdout_console
    from checklist.render.indicators import indicators_view

    if as_json:
        fmt = "json"
    if fmt not in ("table", "json", "csv", "md", "xlsx", "html"):
        raise UsageError(_("--format takes table, json, csv, md, xlsx or html"))
    if fmt == "xlsx" and out is None:
        raise UsageError(_("an XLSX export needs --out FILE"))
    if fmt == "html" and out is None and sys.stdout.isatty():
        raise UsageError(_("a report as {format} needs --out FILE").format(format="HTML"))
    env = _settings(ctx).env()
    first, last = date_range(env.today, week, month, start, end)
    grouped = BY_WORDS.get(by.strip(), by.strip().lower())
    result = make_indicators(env, by=grouped, viewer_id=officer, start=first, end=last)
    if fmt == "json" and not out:
        emit_json(indicators_json(result))
        return
    if fmt == "table" and not out:
        console = stdout_console()
        console.print(indicators_view(result, console.width))
        return
    if fmt == "json":
        import json

        text = json.dumps(indicators_json(result), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = indicators_csv(result)
    elif fmt == "md":
        text = indicators_markdown(result)
    elif fmt == "xlsx":
        text = ""
    elif fmt == "html":
        from checklist.render.html import indicators_page

        text = indicators_page(result)
    else:
        import io

        from checklist.render import SafeConsole

        buffer = io.StringIO()
        SafeConsole(file=buffer, width=160, no_color=True, highlight=False, markup=False).print(indicators_view(result))
        text = buffer.getvalue()
    if out:
        from checklist.outfile import write_output

        write_output(out, indicators_xlsx(result) if fmt == "xlsx" else text.encode("utf-8"), _db_file(ctx))
        say(_("wrote {file}").format(file=out), err=True)
    else:
        sys.stdout.write(text)


@app.command()
def report(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(
        "--by", help="Group by officer, department, court, intermediate (basic courts under their 中院), "
                     "campaign or phase (a campaign's stages); or 人员, 部门, 法院, 中院, 活动, 阶段.")] = "officer",
    week: WeekOption = None,
    month: MonthOption = None,
    start: FromOption = None,
    end: ToOption = None,
    officer: Annotated[Optional[str], typer.Option(
        "--officer", "-o", envvar="CHECKLIST_OFFICER",
        help="Report as this lead (their team) or bureau chief (their court).", show_default=False)] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Everyone, whoever is asking.")] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, csv, md, xlsx (a 通报 workbook) or html "
                                                            "(a page to print or share).")] = "table",
    out: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of the screen.",
                                                show_default=False)] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="Flag completion below this share.")] = 0.8,
    late_days: Annotated[int, typer.Option("--late-days", min=0,
                                           help="Flag items overdue by more working days than this.")] = 5,
    record_days: Annotated[int, typer.Option(
        "--recorded-late-days", min=0,
        help="List done items recorded more working days than this after the day they claim.")] = 3,
    rank_by: Annotated[Optional[str], typer.Option(
        "--rank-by", help="Rank the 通报 on an indicator too (full_rate, on_time_rate, paid_rate, over_12_months …).",
        show_default=False)] = None,
    bottom: Annotated[int, typer.Option("--bottom", min=0, max=100,
                                        help="How many of the lowest groups the 通报 names even above the threshold "
                                             "(排名后N位; and with --rank-by, on the indicator).")] = 3,
    as_json: JsonOption = False,
) -> None:
    """Progress as of today: due, done, on time, overdue and completion per group, and the 通报 list.

    'due' counts items due from the range's start up to today; completion = done ÷ due. The 通报
    ranks on weighted completion (a missed quarterly or high-priority duty weighs more than a
    missed daily one; docs/report.md) and names every group below the --threshold and the
    --bottom lowest that missed anything; items overdue by more than --late-days working days
    are given as a reason.

    Example: checklist report --by department --month 2026-11 --format csv --out 2026-11.csv
    """
    from checklist.options import date_range, grouping
    from checklist.render import emit_json, lines_to, say, stderr_console, stdout_console
    from checklist.render.lead import report_view
    from checklist.reporting import LATE_NAMED, make_report, report_csv, report_json, report_markdown

    if as_json:
        fmt = "json"
    if fmt not in ("table", "json", "csv", "md", "xlsx", "html"):
        raise UsageError(_("--format takes table, json, csv, md, xlsx or html"))
    if fmt in ("xlsx", "html") and out is None and (fmt == "xlsx" or sys.stdout.isatty()):
        raise UsageError(_("a report as {format} needs --out FILE").format(format=fmt.upper()))
    env = _settings(ctx).env()
    first, last = date_range(env.today, week, month, start, end)
    result = make_report(env, by=grouping(by), viewer_id=None if everyone else officer, start=first, end=last,
                         threshold=threshold, late_days=late_days, record_days=record_days, bottom=bottom,
                         late_each=None if fmt == "json" else LATE_NAMED)
    if rank_by:
        from checklist.reporting import rank

        result.ranked = rank(env, rank_by.strip().lower(), by=grouping(by), viewer_id=None if everyone else officer,
                             start=first, end=last, bottom=bottom)
    lines_to(stderr_console(), result.notes, style="yellow")
    if fmt == "xlsx":
        _write_report_workbook(ctx, result, out)
        return
    if fmt == "json":
        import json

        text = json.dumps(report_json(result), ensure_ascii=False, indent=2) + "\n"
        if not out:
            emit_json(report_json(result))
    elif fmt == "csv":
        text = report_csv(result)
    elif fmt == "md":
        text = report_markdown(result)
    elif fmt == "html":
        from checklist.render.html import report_page

        text = report_page(result)
    elif out:
        import io

        from checklist.render import SafeConsole

        buffer = io.StringIO()
        SafeConsole(file=buffer, width=120, no_color=True, highlight=False, markup=False).print(report_view(result, 120))
        text = buffer.getvalue()
    else:
        console = stdout_console()
        console.print(report_view(result, console.width))
        return
    if out:
        from checklist.outfile import write_output

        write_output(out, text.encode("utf-8"), _db_file(ctx))  # CSV keeps its BOM: Excel reads Chinese by it
        say(_("wrote {file}").format(file=out), err=True)
    elif fmt != "json":
        if sys.stdout.isatty():
            from checklist.core.text import visible

            text = visible(text)
        sys.stdout.write(text)


@app.command("follow-up")
def follow_up(
    ctx: typer.Context,
    args: Annotated[list[str], typer.Argument(
        metavar="[open|reply|return|close] TARGET|FID",
        help="What to do (default open), then what it is on — an item id, officer:ID, dept:COURT/NAME, court:NAME, "
             "case:案号 — or the follow-up's id (F12).", show_default=False)],
    note: Annotated[Optional[str], typer.Option("--note", "-n", help="What you ask for, answer or still miss.",
                                                show_default=False)] = None,
    days: Annotated[int, typer.Option("--days", min=1, max=250, help="Working days to reply in.")] = 3,
    no: Annotated[Optional[str], typer.Option("--no", help="Its document number, e.g. 督〔2026〕12号.",
                                              show_default=False)] = None,
    source: Annotated[Optional[str], typer.Option("--from", help="Who ordered it, e.g. 省法院执行局.",
                                                  show_default=False)] = None,
    outcome: Annotated[Optional[str], typer.Option(
        "--outcome", help="On close: none, 约谈, 通报批评 or 问责 (all but none go into the next 通报).",
        show_default=False)] = None,
    officer: OfficerOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the follow-up as one JSON document.")] = False,
) -> None:
    """督办: open a follow-up on an item, a person, a department, a court or a case; reply; send it back
    (退回重办); close it.

    A lead opens one on people below them, a chief on their court (and the courts below it), an
    admin anywhere. It tops the target's `today` (a department's lead's, a court's chief's) until
    it is closed. The target replies with what was put right; whoever opened it (or someone
    above them) sends it back with a new deadline or closes it, with an outcome. A reply that is
    late also goes onto the opener's own lead's (or chief's) list.

    Example: checklist follow-up open officer:DL001 --note 请说明逾期原因并于三日内整改 --no 督〔2026〕12号 ;
    checklist follow-up reply F1 --note 已整改 ; checklist follow-up close F1 --outcome 约谈
    """
    from checklist import followup
    from checklist.render import say

    env = _settings(ctx).env()
    verb = args[0] if args[0] in ("open", "reply", "return", "close") else "open"
    rest = args[1:] if args[0] == verb else args
    if len(rest) != 1:
        raise UsageError(_("follow-up {verb} takes one target or follow-up id").format(verb=verb))
    if outcome is not None and verb != "close":
        raise UsageError(_("--outcome goes with follow-up close"))
    if verb == "close":
        from checklist.render.followups import outcome_word

        record = followup.close(env, rest[0], note, outcome)
        message = _("{id}  closed  {target}  (outcome: {outcome})").format(
            id=record["id"], target=followup.target_shown(record["target"]), outcome=outcome_word(record["outcome"]))
    elif verb == "reply":
        record = followup.reply(env, rest[0], note or "")
        message = _("{id}  reply recorded  {target}  ({opener} checks it)").format(
            id=record["id"], target=followup.target_shown(record["target"]), opener=followup.opener_shown(record))
    elif verb == "return":
        record = followup.send_back(env, rest[0], note or "", days)
        message = _("{id}  sent back (退回重办)  {target}  (reply by {day})").format(
            id=record["id"], target=followup.target_shown(record["target"]), day=record["reply_due"])
    else:
        record = followup.open_follow_up(env, rest[0], note or "", days, no=no, source=source, officer_id=officer)
        message = _("{id}  follow-up opened  {target}  (reply by {day})").format(
            id=record["id"], target=followup.target_shown(record["target"]), day=record["reply_due"])
    if as_json:
        from checklist.render import emit_json

        emit_json({"action": verb, "follow_up": followup.line_json(followup.Line(record, "", env.today))})
    else:
        say(message)


@app.command("follow-ups")
def follow_ups(
    ctx: typer.Context,
    officer: Annotated[Optional[str], typer.Option(
        "--officer", "-o", envvar="CHECKLIST_OFFICER", help="As this lead (their team) or chief (their court).",
        show_default=False)] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Everyone's you may see, whoever is asking.")] = False,
    state: Annotated[str, typer.Option(
        "--state", help="waiting (not closed), open, replied, returned, overdue, closed or all.")] = "waiting",
    by: Annotated[Optional[str], typer.Option(
        "--by", help="Group by officer, department or court (人员, 部门, 法院).", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """List follow-ups (督办): number, target, who opened it, deadline, state, last reply.

    Example: checklist follow-ups --state overdue --by court
    """
    from checklist import followup
    from checklist.options import BY_WORDS
    from checklist.render import emit_json, stdout_console
    from checklist.render.followups import follow_ups_view

    grouped = BY_WORDS.get(by.strip(), by.strip().lower()) if by else None
    found = followup.listing(_settings(ctx).env(), viewer_id=None if everyone else officer, state=state, by=grouped)
    if as_json:
        emit_json(followup.listing_json(found))
    else:
        stdout_console().print(follow_ups_view(found))


# -- history and health ---------------------------------------------------------------------------------

audit_app = typer.Typer(help="Check the history has not been altered.\n\nExample: checklist audit verify", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
    head: Annotated[Optional[str], typer.Option("--head", help="A head printed earlier by `audit head`.",
                                                show_default=False)] = None,
    since_head: Annotated[Optional[str], typer.Option(
        "--from", help="Check only what follows this head (a quick nightly check).", show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-link the history's hash chain and replay it against every officer and item.

    Names the first altered, removed or reordered entry, every item or officer whose stored state
    the history does not explain (or that was deleted), and recorded times that go backwards;
    exit 1 if there is any. With --head, also proves the history up to that head was not
    rewritten since it was taken. With --from, checks only the entries after that head and the
    officers they touch.

    Example: checklist audit verify --head 1234-3f9a0c…
    """
    from checklist.audit import verify
    from checklist.errors import ChecklistError
    from checklist.render import say

    result = verify(_settings(ctx).env(), head, since_head)
    if as_json:
        from checklist.render import emit_json

        emit_json({"ok": result.ok, "entries": result.entries, "items": result.items, "officers": result.officers,
                   "from": result.checked_from, "head": result.head, "problems": result.problems})
        if not result.ok:
            raise typer.Exit(1)
        return
    if not result.ok:
        count = len(result.problems)
        raise ChecklistError(ngettext("the history does not check out: {n} problem",
                                      "the history does not check out: {n} problems", count).format(n=count),
                             result.problems)
    if result.checked_from and result.checked_from == result.entries:
        say(_("ok: no entries since {head}; it is still the history's head").format(head=since_head))
    elif result.checked_from:
        say(_("ok: entries {first}–{last}, chain intact; {officers} officers they touch, {items} items, each "
              "explained by its history").format(first=result.checked_from + 1, last=result.entries,
                                                 officers=result.officers, items=result.items))
    else:
        say(_("ok: {entries} entries, chain intact; {items} items, each explained by its history").format(
            entries=result.entries, items=result.items))
    say(_("head {head}").format(head=result.head))


@audit_app.command("head")
def audit_head(ctx: typer.Context) -> None:
    """Print the history's head (last entry and its hash) to write down or send elsewhere.

    Example: checklist audit head
    """
    from checklist.audit import head
    from checklist.render import say

    say(head(_settings(ctx).env()))


@app.command("log")
def log(
    ctx: typer.Context,
    item_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="One item's history (a unique prefix).",
                                                     show_default=False)] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Entries from this day on, like 2026-11-01.",
                                                 show_default=False)] = None,
    officer: OfficerOption = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=1, help="The newest N entries (default: a screenful on a terminal, else all).",
        show_default=False)] = None,
    everything: Annotated[bool, typer.Option("--all", help="Every entry, through a pager on a terminal.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Show the history, newest first: every change, who made it and when (one item's with ID).

    On a terminal it shows a screenful and says how to see more; --json lists the entries in the
    history's own order (oldest first), the newest N with -n.

    Example: checklist log -n 50 --since 2026-11-01 --officer DL001
    """
    from checklist.audit import read_log
    from checklist.options import parse_day
    from checklist.render import emit_json, stdout_console
    from checklist.render.day import log_view

    if since is not None:
        since = parse_day(since, "--since", today_from_env()).isoformat()
    entries = read_log(_settings(ctx).env(), item_id, since, officer)
    if as_json:
        emit_json({"entries": entries[-limit:] if limit and not everything else entries})
        return
    console = stdout_console()
    terminal = console.is_terminal
    if everything or (limit is None and not terminal):
        shown = entries
    else:
        shown = entries[-(limit or max(5, (console.height - 6) // 2)):]
    view = log_view(list(reversed(shown)), total=len(entries))
    if everything and terminal and len(entries) > console.height:
        with console.pager(styles=True):
            console.print(view)
    else:
        console.print(view)


@app.command()
def doctor(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Check the database, the history, the lock, the templates and next year's calendar.

    Prints what to do about each problem; exit 1 if there is any.

    Example: checklist doctor
    """
    from checklist.audit import doctor as run_doctor
    from checklist.render import emit_json, stdout_console
    from checklist.render.setup import doctor_view

    checks = run_doctor(_settings(ctx).env())
    if as_json:
        emit_json({"ok": all(c.ok for c in checks), "checks": [
            {"name": c.name, "ok": c.ok, "detail": c.detail, "advice": c.advice or None} for c in checks]})
    else:
        stdout_console().print(doctor_view(checks))
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


db_app = typer.Typer(help="Look after the database itself.\n\nExample: checklist db copy checklist.json postgresql:///checklist", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("init")
def db_init(ctx: typer.Context) -> None:
    """Create the checklist schema in an empty PostgreSQL database, or check the one there.

    Safe to run again: an existing schema is only checked. A file database needs no init (the
    first roster import creates it).

    Example: checklist --db postgresql://checklist@db.court.example/checklist db init
    """
    from checklist.render import say
    from checklist.store import open_store
    from checklist.store.postgres import PostgresStore

    settings = _settings(ctx)
    store = open_store(settings.db, settings.wait)
    if not isinstance(store, PostgresStore):
        say(_("{path}: a file database needs no init; the first roster import creates it").format(
            path=store.location))
        return
    steps = store.init()
    if steps:
        say(_("{db}: created the checklist schema ({steps})").format(db=store.location, steps=", ".join(steps)))
    else:
        say(_("{db}: the checklist schema is in place; nothing to do").format(db=store.location))


@db_app.command("roles")
def db_roles(ctx: typer.Context) -> None:
    """Create a PostgreSQL login role for every roster person (named as their account), or update it.

    Run it as the database's owner after each roster import. Roles get no password: logging in
    is the server's business (pg_hba.conf, docs/storage.md). The server then lets each person see
    and change what the commands let them (docs/permissions.md); the history is append-only.

    Example: checklist --db postgresql://checklist@db.court.example/checklist db roles
    """
    from checklist.render import say
    from checklist.store.postgres import PostgresStore

    env = _settings(ctx).env()
    store = env.store()
    if not isinstance(store, PostgresStore):
        raise UsageError(_("db roles is for a PostgreSQL database; a file database is guarded by its file "
                           "permissions"))
    from checklist.service import require_manager

    require_manager(env, "db roles")
    with store.reading() as reader:
        people = reader.accounts()
    created, present = store.roles(people)
    say(ngettext("{db}: {n} login role created, {present} already there, all members of {group}",
                 "{db}: {n} login roles created, {present} already there, all members of {group}", len(created)).format(
        db=store.location, n=len(created), present=len(present), group="checklist_member"))


@db_app.command("copy")
def db_copy(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The database to copy: a file, or a postgresql:// URL.",
                                          show_default=False)],
    target: Annotated[str, typer.Argument(help="An empty database to copy into (a file is created).",
                                          show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Copy a whole database between any two backends (file, PostgreSQL), into an empty one.

    Roster, items, follow-ups, the history with its chain and the applied templates go across in
    one step. Afterwards `audit head` is the same on both; a copy that fails leaves the target as
    it was.

    Example: checklist db copy 执行局.json postgresql://checklist@db.court.example/checklist
    """
    from checklist.paths import db_path
    from checklist.render import say
    from checklist.store import open_store
    from checklist.transfer import copy_database

    settings = _settings(ctx)
    copied = db_path(source)
    if isinstance(copied, Path) and not copied.exists():  # a mistyped name, not a database still to be made
        raise InputError(_("{path}: no such file; db copy copies an existing database (a file, or a "
                           "postgresql:// URL)").format(path=copied))
    result = copy_database(open_store(copied, settings.wait), open_store(db_path(target), settings.wait),
                           settings.env())
    if as_json:
        from checklist.render import emit_json

        emit_json(result.as_json())
        return
    say(_("copied {officers} officers, {items} items and {entries} history entries from {source} to {target}; "
          "head {head}").format(officers=result.officers, items=result.items, entries=result.entries,
                                source=result.source, target=result.target, head=result.head))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Bring a database to this version's layout, in place.

    A PostgreSQL database: its schema is migrated in one transaction (a newer schema is refused).
    A file database written by checklist 0.1: converted, every 0.1 history entry kept (heads
    written down before still check out), the 0.1 files kept in DB.v1-backup; then every list is
    brought up to date with the current rules.

    Example: checklist --db 执行局.json db upgrade
    """
    from checklist.render import lines_to, say, stderr_console
    from checklist.store.postgres import PostgresStore
    from checklist.store.upgrade import upgrade
    from checklist.sync import sync as run_sync

    env = _settings(ctx).env()
    store = env.store()
    if isinstance(store, PostgresStore):  # a server database: migrate its schema, then bring the lists in step
        steps = store.upgrade()
        say(_("{db}: migrated the schema ({steps})").format(db=store.location, steps=", ".join(steps)) if steps else
            _("{db}: the schema is current; nothing to do").format(db=store.location))
        if steps and store.exists():
            synced = run_sync(env)
            say(synced.summary())
            lines_to(stderr_console(), synced.warnings, style="yellow")
        return
    result = upgrade(env)  # a 0.1 database has no owner or titles yet: whoever can write its folder upgrades it
    if result is None:
        say(_("{path} is already in the current layout; nothing to do").format(path=env.store().location))
        return
    say(_("{path}: upgraded from checklist 0.1 — {officers} officers, {items} items, {entries} history entries "
          "added; the 0.1 files are in {backup}").format(path=result.path, officers=result.officers,
                                                          items=result.items, entries=result.entries,
                                                          backup=result.backup))
    synced = run_sync(env)
    say(synced.summary())
    lines_to(stderr_console(), synced.warnings, style="yellow")


def _quiet_stdout() -> None:
    """After a broken pipe, send whatever Python still flushes at exit nowhere, silently."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


COMPLETE_VAR = "_CHECKLIST_COMPLETE"


@app.command()
def completion(
    shell: Annotated[str, typer.Argument(help="bash, zsh, fish or powershell.", show_default=False)],
) -> None:
    """Print the script that lets your shell complete checklist's commands and options (Tab).

    Put it where your shell reads it, once: bash — `checklist completion bash >>
    ~/.bash_completion`; zsh — `checklist completion zsh > ~/.zfunc/_checklist` (with that folder in
    fpath); fish — `checklist completion fish > ~/.config/fish/completions/checklist.fish`.

    Example: checklist completion bash >> ~/.bash_completion
    """
    from typer.completion import completion_init, shell_complete

    if shell not in ("bash", "zsh", "fish", "powershell"):
        raise UsageError(_("completion is for bash, zsh, fish or powershell, not {shell}").format(shell=shell))
    completion_init()
    shell_complete(typer.main.get_command(app), {}, "checklist", COMPLETE_VAR, f"source_{shell}")


def main() -> None:
    if COMPLETE_VAR in os.environ:  # the shell asks for completions: the scripts above ask this way
        from typer.completion import completion_init

        completion_init()
    try:
        app(prog_name="checklist")
    except BrokenPipeError:  # `checklist … | head`
        _quiet_stdout()
        sys.exit(0)
