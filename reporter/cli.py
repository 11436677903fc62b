"""The command line: click only, thin. Each command packs its options into typed flags,
resolves settings (``reporter.settings``), calls one ``reporter.pipeline`` function, and exits
with the outcome's status.

Expected failures are ``ReporterError``s: one handler turns each into one line and its exit
status (2: bad usage, configuration, key or scenario; 1: some reps failed, or the answers could
not be trusted; addresses not found are listed, not fatal). No traceback reaches a user for
them, and no message contains the API key.
"""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reporter import __version__
from reporter.cohort import RETENTION_DAYS
from reporter.errors import ReporterError, Terminated

if TYPE_CHECKING:
    from reporter.console import Console
    from reporter.settings import (
        EmailFlags,
        FetchFlags,
        ProgramFlags,
        RenderFlags,
        SelectionFlags,
    )

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def expected_failures() -> Iterator[None]:
    """The one handler: every expected failure is a ReporterError and becomes one line,
    ``Error: <message>`` on stderr, and its exit status. Ctrl-C and SIGTERM are one line too
    (exit 130 and 143), after the same cleanup."""
    previous = _stop_signals_interrupt()
    try:
        yield
    except ReporterError as exc:
        from reporter.console import printable

        click.echo(f"Error: {printable(str(exc))}", err=True)
        raise click.exceptions.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:
        click.echo("Interrupted: nothing is half-written; run the command again to go on.",
                   err=True)
        raise click.exceptions.Exit(exc.exit_code if isinstance(exc, Terminated)
                                    else 130) from None
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_signals_interrupt() -> dict[int, Any]:
    """SIGINT raises KeyboardInterrupt and SIGTERM Terminated (a KeyboardInterrupt) in the
    main thread, so both unwind through the same cleanup (``outcome.interrupt``: from the
    event loop, not inside one of its download tasks); returns the handlers it replaced
    (none: not the main thread, where no handler can be set).

    SIGINT gets a handler of its own, not Python's: with Python's, ``asyncio.run`` puts its
    own in place, which only cancels the loop's main task, and a run drawing its PDFs inside
    the loop (no await until the swap) went on to swap its folder in before the interrupt
    was seen."""
    from reporter.outcome import interrupt

    def interrupted(signum: int, frame: object) -> None:
        interrupt(KeyboardInterrupt())

    def terminated(signum: int, frame: object) -> None:
        interrupt(Terminated())

    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, Any] = {signal.SIGTERM: signal.signal(signal.SIGTERM, terminated)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        # Left alone when ignored: a command started in the background keeps ignoring it.
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, interrupted)
    return previous


def with_failures(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with expected_failures():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


# -- shared option sets (as sqlite-utils' output_options), each packed into typed flags ------


def _options(options: list[Callable[[F], F]], pack: Callable[[dict[str, Any]], Any] | None = None,
             names: tuple[str, ...] = (), into: str = "") -> Callable[[F], F]:
    """Add ``options`` to a command; with ``pack``, replace their values by one typed object
    passed as ``into``."""
    def decorate(fn: F) -> F:
        target = fn
        if pack is not None:
            @functools.wraps(fn)
            def packed(*args: Any, **kwargs: Any) -> Any:
                values = {name: kwargs.pop(name) for name in names}
                return fn(*args, **kwargs, **{into: pack(values)})

            target = packed  # type: ignore[assignment]
        for option in reversed(options):
            target = option(target)
        return target

    return decorate


def _flags(name: str) -> Callable[[dict[str, Any]], Any]:
    """Pack option values into ``reporter.settings``' typed flags called ``name``, imported
    when a command runs, not when this module loads: ``--help`` stays light, and so does a
    render worker, which imports the command line's module again as it starts (spawn)."""
    def pack(values: dict[str, Any]) -> Any:
        from reporter import settings

        return getattr(settings, name)(**values)

    return pack


config_option = click.option(
    "--config", type=click.Path(path_type=Path),
    help="TOML settings file (default: ./reporter.toml if present).")


def console_options(fn: F) -> F:
    from reporter.console import Console

    return _options([
        click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr."),
        click.option("-v", "--verbose", is_flag=True, help="More detail on stderr."),
    ], lambda v: Console(quiet=v["quiet"], verbose=v["verbose"]), ("quiet", "verbose"),
        "console")(fn)


def program_options(fn: F) -> F:
    """The program a run is about, beside the SCENARIO argument (one scenario, as before):
    exactly one of the forms, checked by ``settings.program_choice``."""
    return _options([
        click.option("--collection", metavar="NAME",
                     help="A program run: every active scenario of this collection (name, "
                          "slug or id), one report per rep across them."),
        click.option("--scenario", "scenarios", multiple=True, metavar="SCENARIO",
                     help="Once: that scenario, like the SCENARIO argument. More than once: "
                          "a program run of exactly those scenarios."),
        click.option("--assigned", is_flag=True,
                     help="A program run: every scenario the selected reps are assigned in "
                          "the period (not completed, or due in or after it)."),
    ], _flags("ProgramFlags"),
        ("collection", "scenarios", "assigned"), "program")(fn)


def selection_options(fn: F) -> F:
    fn = program_options(fn)
    fn = _options([
        config_option,
        click.option("--cache-dir", type=click.Path(path_type=Path),
                     help="Where graded session details are cached (default: user cache dir)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("--max-requests", type=click.IntRange(min=1),
                     help="Refuse (sync: stop at) a plan of more requests than this."),
        click.option("--no-compare", is_flag=True,
                     help="Skip the previous month's figures (a few requests) that the "
                          "month-over-month columns need."),
    ], _flags("FetchFlags"), ("cache_dir", "no_cache", "max_requests", "no_compare"),
        "fetching")(fn)
    return _options([
        click.argument("scenario", required=False),
        click.argument("emails", nargs=-1, metavar="[EMAIL]..."),
        click.option("--roster", type=click.Path(path_type=Path),
                     help="CSV with an 'email' column, or one address per line."),
        click.option("--group", help="A workspace group, by name or id."),
        click.option("--month", help="YYYY-MM, or 'last' (the previous month, UTC; default)."),
        click.option("--since", help="Start date (YYYY-MM-DD or ISO datetime), inclusive."),
        click.option("--until", help="End date (YYYY-MM-DD or ISO datetime), inclusive."),
        click.option("--include-system-users", is_flag=True, default=None,
                     help="Keep @exec.com system users (left out by default)."),
    ], _flags("SelectionFlags"), ("scenario", "emails", "roster", "group", "month",
                                       "since", "until", "include_system_users"),
        "selection")(fn)


def render_options(fn: F) -> F:
    return _options([
        click.option("--out", type=click.Path(path_type=Path),
                     help="Output folder (default: ./output)."),
        click.option("--jobs", type=click.IntRange(min=1),
                     help="PDF render processes (default: number of CPUs)."),
        click.option("--no-pdf", is_flag=True, help="Skip the per-rep PDF reports."),
        click.option("--no-xlsx", is_flag=True, help="Skip the cohort workbook."),
        click.option("--csv", is_flag=True, default=None,
                     help="Also write reps.csv, sessions.csv and feedback.csv."),
        click.option("--paper", type=click.Choice(["A4", "letter"], case_sensitive=False),
                     help="PDF paper size (default A4)."),
        click.option("--transcripts", is_flag=True, default=None,
                     help="Append the best session's transcript to each PDF."),
        click.option("--skip-empty", is_flag=True, default=None,
                     help="No PDF for reps without a valid attempt."),
        click.option("--templates", type=click.Path(path_type=Path, file_okay=False),
                     help="Folder of templates that override the bundled ones."),
        click.option("--by-team", is_flag=True, default=None,
                     help="Also write teams/<group>/team.pdf and team.xlsx for each group "
                          "the config's [teams] maps to a manager."),
        click.option("--force", is_flag=True,
                     help="Replace the run already in the folder even when this one drops "
                          "most of its reps (refused otherwise, exit 1)."),
    ], _flags("RenderFlags"), ("out", "jobs", "no_pdf", "no_xlsx", "csv", "paper",
                                    "transcripts", "skip_empty", "templates", "by_team",
                                    "force"),
        "rendering")(fn)


def email_options(fn: F) -> F:
    return _options([
        click.option("--send", is_flag=True,
                     help="Send over SMTP (default: only write RUN_DIR/outbox)."),
        click.option("--smtp-host", help="SMTP server host."),
        click.option("--smtp-port", type=click.IntRange(1, 65535),
                     help="SMTP port (default 587)."),
        click.option("--security", type=click.Choice(["starttls", "ssl", "none"]),
                     help="Connection security (default starttls)."),
        click.option("--smtp-user",
                     help="SMTP user; the password comes from REPORTER_SMTP_PASSWORD."),
        click.option("--from", "sender", help="From address."),
        click.option("--to-override", help="Send every message to this one address (a trial run)."),
        click.option("--pace", type=click.FloatRange(min=0), help="Seconds between messages."),
        click.option("--smtp-deadline", type=click.FloatRange(min=0, min_open=True),
                     metavar="SECONDS",
                     help="Longest one step of the SMTP conversation may take in all: the "
                          "greeting, a command, the message (default 60)."),
        click.option("--resend-in-doubt", is_flag=True,
                     help="Also send the messages in doubt: handed to the server by an "
                          "earlier send that never got its answer (they may have arrived)."),
        click.option("--out", type=click.Path(path_type=Path),
                     help="Where runs are, as for run (default: the config's out, else "
                          "./output): RUN_DIR is looked for under it."),
    ], _flags("EmailFlags"), ("send", "smtp_host", "smtp_port", "security", "smtp_user",
                                   "sender", "to_override", "pace", "smtp_deadline",
                                   "resend_in_doubt", "out"),
        "flags")(fn)


dry_run_option = click.option("--dry-run", is_flag=True, help="Print the request plan and stop.")
today_option = click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]),
    help="The day taken as today, UTC (default: the real one): the cache's retention (and "
         "sync's default 31 days) count back from it.")


# -- commands -----------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reporter")
def cli() -> None:
    """Turn Exec roleplay-training results into coaching reports: a PDF per rep, a cohort
    workbook, and the emails that deliver them."""


@cli.command()
@selection_options
@render_options
@dry_run_option
@console_options
@with_failures
def run(selection: SelectionFlags, fetching: FetchFlags, program: ProgramFlags,
        rendering: RenderFlags, config: Path | None, dry_run: bool, console: Console) -> None:
    """Fetch SCENARIO's results (or a program's: --collection, --scenario twice or more,
    --assigned) and write the PDFs, workbook, snapshot and manifest."""
    from reporter import pipeline, settings

    resolved = settings.run_settings(config, selection, fetching, rendering, console,
                                     program)
    if dry_run:
        click.echo("\n".join(pipeline.plan(resolved.fetch, console).lines()))
        return
    raise SystemExit(pipeline.run(resolved, console).exit_code)


@cli.command()
@selection_options
@click.option("--snapshot", "snapshot_path", type=click.Path(path_type=Path), required=True,
              help="Where to write the snapshot JSON.")
@dry_run_option
@console_options
@with_failures
def fetch(selection: SelectionFlags, fetching: FetchFlags, program: ProgramFlags,
          config: Path | None, snapshot_path: Path, dry_run: bool, console: Console) -> None:
    """Fetch SCENARIO's results (or a program's) into a snapshot file (no rendering)."""
    from reporter import pipeline, settings

    resolved = settings.fetch_settings(config, selection, fetching, "fetch", console=console,
                                       program=program)
    if dry_run:
        click.echo("\n".join(pipeline.plan(resolved, console).lines()))
        return
    raise SystemExit(pipeline.fetch(resolved, snapshot_path, console).exit_code)


@cli.command()
@selection_options
@click.option("--dry-run", is_flag=True,
              help="Fetch no detail: say what a day needs, judged from the last 30 days, "
                   "and whether --max-requests keeps up.")
@today_option
@console_options
@with_failures
def sync(selection: SelectionFlags, fetching: FetchFlags, program: ProgramFlags,
         config: Path | None, dry_run: bool, today: datetime | None,
         console: Console) -> None:
    """Warm the cache with new graded sessions (for a daily cron job), of SCENARIO or of a
    program.

    Without --month or --since it looks at the last 31 days, so the monthly run finds
    almost every detail already cached. It keeps up when --max-requests covers a day's new
    graded sessions and its few discovery requests: --dry-run says how many that is. Each
    sync also removes cached details older than the retention (see `reporter cache prune`)."""
    from reporter import pipeline, settings

    day = today.date() if today else None
    resolved = settings.fetch_settings(config, selection, fetching, "sync", console=console,
                                       program=program, today=day)
    result = pipeline.sync(resolved, console, dry_run=dry_run)
    if dry_run:
        click.echo("\n".join(result.need_lines(resolved.max_requests,
                                                resolved.api.daily_limit)))


@cli.command()
@click.option("--collection", help="Only this collection's scenarios (name, slug or id): two "
                                   "requests.")
@click.option("--archived", is_flag=True, help="Also list archived scenarios.")
@config_option
@console_options
@with_failures
def scenarios(collection: str | None, archived: bool, config: Path | None,
              console: Console) -> None:
    """List the workspace's collections and scenarios (slug, name, collection, skills): the
    names to give run, fetch and sync. Costs a request per collection and two more."""
    from reporter import pipeline, settings
    from reporter.config import load_config

    api = settings.api_settings(load_config(config), settings.FetchFlags())
    found = pipeline.scenarios(api, console, archived=archived, collection=collection)
    click.echo("\n".join(found.lines()))


@cli.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@click.option("--scenario", "scenario", metavar="SLUG",
              help="Of a program's SNAPSHOT, render this one scenario alone (slug or id), "
                   "into its own run folder, as a run of that scenario would.")
@render_options
@config_option
@console_options
@with_failures
def render(snapshot: Path, scenario: str | None, rendering: RenderFlags, config: Path | None,
           console: Console) -> None:
    """Render a SNAPSHOT (a scenario's or a program's) into PDFs, workbook and manifest,
    offline."""
    from reporter import pipeline, settings

    resolved = settings.render_settings(config, rendering)
    raise SystemExit(pipeline.render(snapshot, resolved, console,
                                     scenario=scenario).exit_code)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@email_options
@config_option
@console_options
@with_failures
def email(run_dir: Path, flags: EmailFlags, config: Path | None, console: Console) -> None:
    """Write one email per rep with their PDF attached; --send sends them, never twice.

    RUN_DIR is a run folder, one under --out as run wrote it (SCENARIO-SLUG/PERIOD), or
    'latest': the run under --out generated last."""
    from reporter import pipeline, settings

    resolved = settings.email_settings(config, run_dir, flags)
    raise SystemExit(pipeline.email(resolved, console).exit_code)


def _sandbox_today(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    from reporter.sandbox.generate import parse_today

    try:
        return parse_today(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or a moment "
                                 "(YYYY-MM-DDTHH:MM)", param_hint="'--today'") from None


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--seed", default=7, show_default=True, type=int, help="Workspace seed.")
@click.option("--reps", default=30, show_default=True, type=click.IntRange(1, 20000),
              help="How many reps the workspace has.")
@click.option("--today", metavar="DATE[THH:MM]", callback=lambda _c, _p, v: _sandbox_today(v),
              help="The sandbox's today, or its moment with a time (UTC; default: the real "
                   "clock). No session is created after it.")
@click.option("--api-key", envvar="EXEC_API_KEY", show_envvar=True,
              help="Accept only this key (default: any well-formed key).")
@click.option("--rate-limit", default=60, show_default=True, type=click.IntRange(min=1),
              help="Requests per minute before 429.")
@click.option("--daily-limit", default=1000, show_default=True, type=click.IntRange(min=1),
              help="Requests per UTC day before 429.")
@click.option("--no-rate-limit", is_flag=True, help="Answer every request.")
@click.option("--request-log", type=click.Path(path_type=Path),
              help="Append one JSON line per request to this file.")
@click.option("--latency-ms", default=0, type=click.IntRange(min=0), help="Added latency.")
@click.option("--error-rate", default=0.0, type=click.FloatRange(0, 1),
              help="Share of requests answered with a 5xx.")
def sandbox(host: str, port: int, seed: int, reps: int, today: date | datetime | None,
            api_key: str | None, rate_limit: int, daily_limit: int, no_rate_limit: bool,
            request_log: Path | None, latency_ms: int, error_rate: float) -> None:
    """Serve a local Exec API with a synthetic workspace (no network, no real key)."""
    from reporter.sandbox import serve

    serve(host=host, port=port, seed=seed, reps=reps, today=today,
          api_key=api_key, rate_limit=None if no_rate_limit else rate_limit,
          daily_limit=None if no_rate_limit else daily_limit, request_log=request_log,
          latency_ms=latency_ms, error_rate=error_rate, echo=click.echo)


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("output/demo"),
              show_default=True, help="Output folder.")
@click.option("--jobs", type=click.IntRange(min=1), help="PDF render processes.")
@click.option("--config", type=click.Path(path_type=Path),
              help="Take the [teams] of this config file (e.g. examples/reporter.toml): one "
                   "team report and manager digest per team. Its other keys are not used.")
@console_options
@with_failures
def demo(out: Path, jobs: int | None, config: Path | None, console: Console) -> None:
    """Run the whole pipeline against the built-in sandbox: no key, no network."""
    from reporter import settings
    from reporter.demo import demo as run_demo

    teams = settings.demo_teams(config)
    done = run_demo(out, jobs, console, teams=teams)
    outcome = done.run
    click.echo(f"\nThe demo wrote {outcome.run_dir}")
    if done.featured:
        click.echo(f"  open first: {done.featured}  (one rep's coaching report)")
    click.echo(f"  then:       {outcome.run_dir / 'team.pdf'}  (the team report, for a manager)")
    click.echo(f"              {outcome.run_dir / 'cohort.xlsx'}  (the cohort workbook)")
    if teams:
        click.echo(f"  per team:   {outcome.run_dir / 'teams'}  (a team report and workbook "
                   f"for each of {len(teams)} managers)")
    click.echo(f"  emails:     {outcome.run_dir / 'outbox'}  (one .eml per rep"
               f"{' and per manager' if teams else ''}, not sent)")
    if done.program:
        click.echo(f"\nA program run (every scenario of a collection) wrote "
                   f"{done.program.run_dir}\n  one report, one email per rep across its "
                   "scenarios, and a team.pdf with the rep x scenario and rep x skill tables")
    for spoken, _ in done.languages:
        click.echo(f"\nA scenario in another language wrote {spoken.run_dir}\n  each rep's "
                   "report and email in the scenario's language, the team's in the configured")


@cli.group()
def cache() -> None:
    """The cache of graded session details: what it keeps, and for how long.

    `reporter cache prune [--max-age DAYS] [--person EMAIL]... [--cache-dir DIR] [--today
    DATE]` removes the details of sessions older than the retention (the config's
    cache_retention_days, else {days} days; each sync applies it too) and every detail of a
    person who asks."""


cache.help = (cache.help or "").format(days=RETENTION_DAYS)


@cache.command("prune")
@click.option("--max-age", type=click.IntRange(min=1), metavar="DAYS",
              help="Remove the details of sessions older than DAYS (default: the config's "
                   f"cache_retention_days, else {RETENTION_DAYS}).")
@click.option("--person", "people", multiple=True, metavar="EMAIL",
              help="Also remove every detail of this person, whatever its age (any case; "
                   "give it more than once for several).")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The cache folder (default: the config's cache_dir, else the user cache "
                   "dir).")
@today_option
@config_option
@with_failures
def cache_prune(max_age: int | None, people: tuple[str, ...], cache_dir: Path | None,
                today: datetime | None, config: Path | None) -> None:
    """Remove cached session details older than the retention, and every one of a person
    who asks (--person). Age is the session's date, not when it was cached. No request."""
    from reporter import settings
    from reporter.cohort.cache import prune
    from reporter.cohort.selection import SelectionError, normalise_emails
    from reporter.config import load_config
    from reporter.outcome import io_errors

    cfg = load_config(config)
    emails, invalid = normalise_emails(list(people))
    if invalid:
        raise SelectionError(f"--person {invalid[0]!r} is not an email address")
    days = settings.retention_days(cfg, max_age)
    pruned = io_errors(prune)(settings.cache_folder(cfg, cache_dir),
                              settings.today_or_now(today.date() if today else None),
                              days, emails)
    click.echo(pruned.line())


@cli.group()
def templates() -> None:
    """The report and email templates: copy them out to change them.

    Templates from a --templates folder are data, not code: they render in Jinja's sandbox
    (no file outside the template folders, no environment, no key), each document within a
    CPU time and an output size; a template that crosses either stops the command with one
    line, exit 2. The bounds are in docs/reliability.md."""


@templates.command("export")
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@with_failures
def templates_export(dest: Path) -> None:
    """Copy the bundled templates into DEST; then point --templates (or templates = in the
    config file) at DEST. An existing file is never overwritten."""
    from reporter.files import check_writable
    from reporter.render.templates import export_templates

    check_writable(dest, "DEST")  # a path under a file: one line, not a traceback
    written = export_templates(dest)
    click.echo(f"{len(written)} templates in {dest}; change what you need, then render with "
               f"--templates {dest}")


if __name__ == "__main__":  # python -m reporter.cli
    cli()
