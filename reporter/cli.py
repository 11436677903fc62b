"""The command line: click only, thin. Each command parses, calls one function, reports.

Expected failures become one line and an exit status (2: bad usage, configuration,
key or scenario; 1: done, but some reps failed or were not found); no traceback
reaches a user for them, and no message contains the API key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from reporter import __version__
from reporter.errors import ReporterError, UsageError


class Failure(click.ClickException):
    """An expected failure as click prints it: ``Error: <message>`` and its exit status."""

    def __init__(self, error: ReporterError) -> None:
        super().__init__(str(error))
        self.exit_code = error.exit_code


@contextmanager
def expected_failures() -> Iterator[None]:
    """The one handler: every expected failure is a ReporterError and becomes one line."""
    from jinja2 import TemplateError

    try:
        yield
    except ReporterError as exc:
        raise Failure(exc) from None
    except TemplateError as exc:
        raise Failure(UsageError(f"template error: {exc}")) from None
    except KeyboardInterrupt:
        raise click.exceptions.Exit(130) from None


# -- shared option sets (as sqlite-utils' output_options) --------------------------


def _apply(fn: Callable, options: list[Callable]) -> Callable:
    for option in reversed(options):
        fn = option(fn)
    return fn


config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path),
    help="TOML settings file (default: ./reporter.toml if present).")


def console_options(fn: Callable) -> Callable:
    return _apply(fn, [
        click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr."),
        click.option("-v", "--verbose", is_flag=True, help="More detail on stderr."),
    ])


def selection_options(fn: Callable) -> Callable:
    return _apply(fn, [
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
        config_option,
        click.option("--cache-dir", type=click.Path(path_type=Path),
                     help="Where graded session details are cached (default: user cache dir)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("--max-requests", type=click.IntRange(min=1),
                     help="Refuse (sync: stop at) a plan of more requests than this."),
    ])


def render_options(fn: Callable) -> Callable:
    return _apply(fn, [
        click.option("--out", type=click.Path(path_type=Path),
                     help="Output folder (default: ./output)."),
        click.option("--jobs", type=click.IntRange(min=1),
                     help="PDF render processes (default: number of CPUs)."),
        click.option("--no-pdf", is_flag=True, help="Skip the per-rep PDF reports."),
        click.option("--no-xlsx", is_flag=True, help="Skip the cohort workbook."),
        click.option("--csv", "csv_", is_flag=True, default=None,
                     help="Also write reps.csv, sessions.csv and feedback.csv."),
        click.option("--paper", type=click.Choice(["A4", "letter"], case_sensitive=False),
                     help="PDF paper size (default A4)."),
        click.option("--transcripts", is_flag=True, default=None,
                     help="Append the best session's transcript to each PDF."),
        click.option("--skip-empty", is_flag=True, default=None,
                     help="No PDF for reps without a valid attempt."),
        click.option("--templates", type=click.Path(path_type=Path, file_okay=False),
                     help="Folder of templates that override the bundled ones."),
    ])


def with_failures(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with expected_failures():
            return fn(*args, **kwargs)

    return wrapper


# -- commands -----------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="reporter")
def cli() -> None:
    """Turn Exec roleplay-training results into coaching reports: a PDF per rep, a cohort
    workbook, and the emails that deliver them."""


@cli.command()
@selection_options
@render_options
@click.option("--dry-run", is_flag=True, help="Print the request plan and stop.")
@console_options
@with_failures
def run(**kw: Any) -> None:
    """Fetch SCENARIO's results and write the PDFs, workbook, snapshot and manifest."""
    from reporter import commands

    s = commands.resolve(kw, command="run")
    outcome = commands.do_run(s)
    if outcome is not None:
        commands.summarise(outcome, s.console)
        raise SystemExit(outcome.exit_code)


@cli.command()
@selection_options
@click.option("--snapshot", "snapshot_path", type=click.Path(path_type=Path), required=True,
              help="Where to write the snapshot JSON.")
@click.option("--dry-run", is_flag=True, help="Print the request plan and stop.")
@console_options
@with_failures
def fetch(**kw: Any) -> None:
    """Fetch SCENARIO's results into a snapshot file (no rendering)."""
    from reporter import commands

    s = commands.resolve(kw, command="fetch")
    raise SystemExit(commands.do_fetch(s, kw["snapshot_path"]))


@cli.command()
@selection_options
@console_options
@with_failures
def sync(**kw: Any) -> None:
    """Warm the cache with new graded sessions (for a daily cron job).

    Without --month or --since it looks at the last 31 days, so the monthly run finds
    almost every detail already cached."""
    from reporter import commands

    s = commands.resolve(kw, command="sync")
    commands.do_sync(s)


@cli.command()
@click.argument("snapshot", type=click.Path(path_type=Path))
@render_options
@config_option
@console_options
@with_failures
def render(**kw: Any) -> None:
    """Render a SNAPSHOT into PDFs, workbook and manifest, offline."""
    from reporter import commands

    s = commands.resolve_render(kw)
    outcome = commands.do_render(s, kw["snapshot"])
    commands.summarise(outcome, s.console)
    raise SystemExit(outcome.exit_code)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--send", is_flag=True, help="Send over SMTP (default: only write RUN_DIR/outbox).")
@click.option("--smtp-host", help="SMTP server host.")
@click.option("--smtp-port", type=click.IntRange(1, 65535), help="SMTP port (default 587).")
@click.option("--security", type=click.Choice(["starttls", "ssl", "none"]),
              help="Connection security (default starttls).")
@click.option("--smtp-user", help="SMTP user; the password comes from REPORTER_SMTP_PASSWORD.")
@click.option("--from", "sender", help="From address.")
@click.option("--to-override", help="Send every message to this one address (a trial run).")
@click.option("--cc-manager", help="Copy every message to this address.")
@click.option("--pace", type=click.FloatRange(min=0), help="Seconds between messages.")
@config_option
@console_options
@with_failures
def email(**kw: Any) -> None:
    """Write one email per rep with their PDF attached; --send sends them, never twice."""
    from reporter import commands

    raise SystemExit(commands.do_email(kw))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--seed", default=7, show_default=True, type=int, help="Workspace seed.")
@click.option("--reps", default=30, show_default=True, type=click.IntRange(1, 20000),
              help="How many reps the workspace has.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]),
              help="The sandbox's today (default: the real one, UTC).")
@click.option("--api-key", "api_key", envvar="EXEC_API_KEY", show_envvar=True,
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
def sandbox(**kw: Any) -> None:
    """Serve a local Exec API with a synthetic workspace (no network, no real key)."""
    from reporter.sandbox import serve

    today: date | None = kw["today"].date() if kw["today"] else None
    serve(host=kw["host"], port=kw["port"], seed=kw["seed"], reps=kw["reps"], today=today,
          api_key=kw["api_key"],
          rate_limit=None if kw["no_rate_limit"] else kw["rate_limit"],
          daily_limit=None if kw["no_rate_limit"] else kw["daily_limit"],
          request_log=kw["request_log"], latency_ms=kw["latency_ms"],
          error_rate=kw["error_rate"], echo=click.echo)


@cli.command()
@click.option("--out", type=click.Path(path_type=Path), default=Path("output/demo"),
              show_default=True, help="Output folder.")
@click.option("--jobs", type=click.IntRange(min=1), help="PDF render processes.")
@console_options
@with_failures
def demo(**kw: Any) -> None:
    """Run the whole pipeline against the built-in sandbox: no key, no network."""
    from reporter import commands

    raise SystemExit(commands.do_demo(kw))


if __name__ == "__main__":  # python -m reporter.cli
    cli()
