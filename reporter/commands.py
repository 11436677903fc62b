"""What each command does once click has parsed it: settings resolved, pipeline called.

Settings come from flags, then the environment, then the TOML file, then
defaults. All local input (config file, period, roster, key format) is checked
before the first request, so a typo never costs part of the day's budget.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from reporter.cohort.cache import default_cache_dir
from reporter.cohort.fetch import FetchOptions
from reporter.cohort.selection import (
    Period,
    Selection,
    SelectionError,
    normalise_emails,
    parse_period,
    read_roster,
)
from reporter.config import ConfigError, FileConfig, load_config
from reporter.console import Console
from reporter.pipeline import ApiSettings, RenderSettings, RunOutcome

DEFAULT_OUT = Path("output")


@dataclass
class Resolved:
    console: Console
    config: FileConfig
    api: ApiSettings | None
    scenario: str
    selection: Selection
    period: Period
    fetch: FetchOptions
    render: RenderSettings
    out: Path


def _pick(kw: dict[str, Any], name: str, cfg: FileConfig, key: str | None = None,
          default: Any = None) -> Any:
    value = kw.get(name)
    if value is not None and value != () and value is not False:
        return value
    return cfg.get(key or name, default)


def _console(kw: dict[str, Any]) -> Console:
    return Console(quiet=bool(kw.get("quiet")), verbose=bool(kw.get("verbose")))


def api_settings(cfg: FileConfig, kw: dict[str, Any]) -> ApiSettings:
    from reporter.exec_api import ApiKey, base_url_from_env

    key = ApiKey.from_env(os.environ.get("EXEC_API_KEY") or cfg.api.get("key"))
    base_url = base_url_from_env(os.environ.get("EXEC_API_URL") or cfg.api.get("url"))
    rate = os.environ.get("REPORTER_RATE_LIMIT") or cfg.api.get("rate_limit") or 60
    try:
        rate = int(rate)
        if rate < 1:
            raise ValueError
    except ValueError:
        raise ConfigError("REPORTER_RATE_LIMIT must be a whole number of requests per minute, "
                          "at least 1") from None
    folder = kw.get("cache_dir") or cfg.resolve_path(cfg.get("cache_dir")) or default_cache_dir()
    # --no-cache skips session details; the day's request count is kept all the same.
    return ApiSettings(key=key, base_url=base_url, rate_limit=rate,
                       cache_dir=None if kw.get("no_cache") else folder, usage_dir=folder)


def selection_from(kw: dict[str, Any], cfg: FileConfig) -> Selection:
    include_system = bool(_pick(kw, "include_system_users", cfg, default=False))
    emails_in = list(kw.get("emails") or ()) or list(cfg.get("emails") or [])
    roster = kw.get("roster") or cfg.resolve_path(cfg.get("roster"))
    group = kw.get("group") or cfg.get("group")
    given = sum(bool(x) for x in (emails_in, roster, group))
    if given > 1:
        raise SelectionError("choose reps one way: EMAIL arguments, --roster or --group")
    if roster:
        emails, invalid = read_roster(Path(roster))
        return Selection("roster", tuple(emails), tuple(invalid), roster=str(roster),
                         include_system_users=include_system)
    if emails_in:
        emails, invalid = normalise_emails([str(e) for e in emails_in])
        return Selection("emails", tuple(emails), tuple(invalid),
                         include_system_users=include_system)
    if group:
        return Selection("group", group=str(group), include_system_users=include_system)
    return Selection("all", include_system_users=include_system)


def render_settings(kw: dict[str, Any], cfg: FileConfig) -> RenderSettings:
    from reporter.render.pdf import Branding, PdfOptions

    b = cfg.branding
    try:
        branding = Branding(company=b.get("company"), logo=cfg.resolve_path(b.get("logo")),
                            accent=b.get("accent") or Branding().accent)
    except ValueError as exc:
        raise ConfigError(f"[branding] {exc}") from None
    if branding.logo is not None and not branding.logo.is_file():
        raise ConfigError(f"[branding] logo file not found: {branding.logo}")
    templates = kw.get("templates") or cfg.resolve_path(cfg.get("templates"))
    if templates is not None and not Path(templates).is_dir():
        raise ConfigError(f"templates folder not found: {templates}")
    paper = (kw.get("paper") or cfg.get("paper") or "A4")
    paper = {"a4": "A4", "letter": "letter"}.get(str(paper).lower())
    if paper is None:
        raise ConfigError("paper must be A4 or letter")
    options = PdfOptions(paper=paper, transcripts=bool(_pick(kw, "transcripts", cfg)),
                         branding=branding, templates_dir=templates)
    return RenderSettings(
        pdf=not kw.get("no_pdf") and cfg.get("pdf", True),
        xlsx=not kw.get("no_xlsx") and cfg.get("xlsx", True),
        csv=bool(_pick(kw, "csv_", cfg, key="csv", default=False)),
        jobs=kw.get("jobs") or cfg.get("jobs"),
        skip_empty=bool(_pick(kw, "skip_empty", cfg, default=False)),
        pdf_options=options,
    )


def resolve(kw: dict[str, Any], *, command: str) -> Resolved:
    console = _console(kw)
    cfg = load_config(kw.get("config_path"))
    scenario = kw.get("scenario") or cfg.get("scenario")
    if not scenario:
        raise SelectionError(f"which scenario? give it: reporter {command} SCENARIO [EMAIL]...")
    selection = selection_from(kw, cfg)
    month = kw.get("month") or (None if kw.get("since") or kw.get("until") else cfg.get("month"))
    since = kw.get("since") or (None if kw.get("month") else cfg.get("since"))
    until = kw.get("until") or (None if kw.get("month") else cfg.get("until"))
    if command == "sync" and not (month or since or until):
        since = (datetime.now(UTC) - timedelta(days=31)).date().isoformat()
    period = parse_period(month, since, until)
    render = render_settings(kw, cfg) if command == "run" else RenderSettings()
    out = kw.get("out") or cfg.resolve_path(cfg.get("out")) or DEFAULT_OUT
    api = api_settings(cfg, kw)
    for raw in selection.invalid:
        console.warn(f"{raw!r} is not an email address; it is listed as not found")
    fetch = FetchOptions(dry_run=bool(kw.get("dry_run")),
                         max_requests=kw.get("max_requests") or cfg.get("max_requests"))
    return Resolved(console, cfg, api, str(scenario), selection, period, fetch, render, Path(out))


def resolve_render(kw: dict[str, Any]) -> Resolved:
    console = _console(kw)
    cfg = load_config(kw.get("config_path"))
    out = kw.get("out") or cfg.resolve_path(cfg.get("out")) or DEFAULT_OUT
    now = datetime.now(UTC)
    return Resolved(console, cfg, None, "", Selection("all"), Period("", now, now),
                    FetchOptions(), render_settings(kw, cfg), Path(out))


# -- commands ----------------------------------------------------------------------


def do_run(s: Resolved) -> RunOutcome | None:
    from reporter import pipeline

    assert s.api is not None
    result = pipeline.run(s.api, s.scenario, s.selection, s.period, s.fetch, s.render, s.out,
                          s.console)
    return result if isinstance(result, RunOutcome) else None


def do_fetch(s: Resolved, path: Path) -> int:
    from reporter import pipeline

    assert s.api is not None
    result = pipeline.fetch_snapshot(s.api, s.scenario, s.selection, s.period, s.fetch,
                                     s.console)
    if result.snapshot is None:
        return 0
    pipeline.save_snapshot(result, path)
    snap = result.snapshot
    s.console.info(f"snapshot: {path} ({len(snap['reps'])} reps, "
                   f"{snap['fetch']['requests_made']} requests, "
                   f"{snap['fetch']['cache_hits']} cache hits)")
    return 1 if snap["not_found"] else 0


def do_sync(s: Resolved) -> None:
    from reporter import pipeline

    assert s.api is not None
    r = pipeline.sync_cache(s.api, s.scenario, s.selection, s.period, s.fetch.max_requests)
    s.console.info(
        f"sync {s.period.label}: {r.graded} graded sessions, {r.already_cached} already cached, "
        f"{r.fetched} fetched now, {r.left} left for another day; {r.requests_made} requests"
    )


def do_render(s: Resolved, snapshot_path: Path) -> RunOutcome:
    from reporter import pipeline

    snapshot = pipeline.load_snapshot(snapshot_path)
    return pipeline.render_snapshot(snapshot, s.out, s.render, s.console)


def summarise(outcome: RunOutcome, console: Console) -> None:
    console.info(
        f"done: {outcome.reps} reps, {outcome.reports} reports ({outcome.pages} pages), "
        f"{len(outcome.files)} files in {outcome.run_dir}; {outcome.requests_made} requests, "
        f"{outcome.cache_hits} cache hits, {outcome.seconds:.1f} s"
    )
    for email, reason in outcome.failed:
        console.warn(f"{email}: {reason}")
    if outcome.not_found:
        console.warn(f"{outcome.not_found} address(es) had no data; see manifest.csv")


def do_email(kw: dict[str, Any]) -> int:
    from reporter import analytics
    from reporter.cohort.snapshot import read_snapshot
    from reporter.deliver.manifest import read_manifest
    from reporter.deliver.outbox import EmailSettings, build_messages, write_outbox
    from reporter.deliver.smtp import SmtpSettings, send_all

    console = _console(kw)
    cfg = load_config(kw.get("config_path"))
    run_dir = Path(kw["run_dir"])
    if not (run_dir / "manifest.json").is_file():
        raise SelectionError(f"{run_dir} is not a run folder (no manifest.json)")
    manifest = read_manifest(run_dir)
    report = analytics.build_report(read_snapshot(run_dir / "snapshot.json"))
    e = cfg.email
    sender = kw.get("sender") or e.get("from")
    if kw.get("send") and not sender:
        raise SelectionError("--send needs a sender: --from ADDRESS or [email] from = ...")
    settings = EmailSettings(
        sender=sender or "coaching-reports@localhost",
        cc_manager=kw.get("cc_manager") or e.get("cc_manager"),
        to_override=kw.get("to_override") or e.get("to_override"),
        subject_prefix=e.get("subject_prefix"),
        company=cfg.branding.get("company"),
    )
    messages = build_messages(run_dir, report, manifest, settings)
    paths = write_outbox(run_dir, messages)
    console.info(f"outbox: {len(paths)} messages in {run_dir / 'outbox'}")
    if not kw.get("send"):
        return 0
    host = kw.get("smtp_host") or e.get("smtp_host")
    if not host:
        raise SelectionError("--send needs --smtp-host (or [email] smtp_host)")
    smtp = SmtpSettings(
        host=host,
        port=kw.get("smtp_port") or e.get("smtp_port") or 587,
        security=kw.get("security") or e.get("security") or "starttls",
        username=kw.get("smtp_user") or e.get("user"),
        password=os.environ.get("REPORTER_SMTP_PASSWORD"),
        pace_seconds=float(kw.get("pace") if kw.get("pace") is not None
                           else e.get("pace_seconds", 0)),
    )
    result = send_all(run_dir, messages, smtp)
    console.info(f"sent {result.sent}, already sent before {result.skipped_already_sent}, "
                 f"failed {len(result.failed)}")
    for email, reason in result.failed:
        console.warn(f"{email}: {reason}")
    return 1 if result.failed else 0


def do_demo(kw: dict[str, Any]) -> int:
    from reporter import pipeline
    from reporter.exec_api import ApiKey
    from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key

    console = _console(kw)
    out = Path(kw["out"])
    workspace = generate_workspace(seed=7, reps=30)
    key = make_api_key(7)
    # Fast but still paced: the sandbox enforces a limit and the client keeps under it.
    app = create_app(workspace, api_key=key, rate_limit=1200, daily_limit=100000)
    with SandboxServer(app) as server:
        console.info(f"sandbox: {server.base_url}")
        api = ApiSettings(key=ApiKey(key), base_url=server.base_url, rate_limit=1000,
                          cache_dir=out / ".cache", usage_dir=out / ".cache")
        scenario = _demo_scenario(workspace)
        period = parse_period("last")
        render = RenderSettings(csv=True, jobs=kw.get("jobs"))
        outcome = pipeline.run(api, scenario, Selection("all"), period, FetchOptions(), render,
                               out, console)
    assert isinstance(outcome, RunOutcome)
    summarise(outcome, console)
    do_email({"run_dir": outcome.run_dir, "quiet": kw.get("quiet"),
              "sender": "Coaching reports <coaching@acme.example>"})
    first_pdf = next((f for f in sorted(outcome.files) if f.suffix == ".pdf"), None)
    click.echo(f"\nThe demo wrote {outcome.run_dir}")
    if first_pdf:
        click.echo(f"  open first: {first_pdf}  (one rep's coaching report)")
    click.echo(f"  then:       {outcome.run_dir / 'cohort.xlsx'}  (the cohort workbook)")
    click.echo(f"  emails:     {outcome.run_dir / 'outbox'}  (one .eml per rep, not sent)")
    sys.stdout.flush()
    return 0


def _demo_scenario(workspace: Any) -> str:
    """The sandbox's first active scenario, by slug."""
    for scenario in workspace.scenarios:
        if not scenario.archived:
            return scenario.slug
    raise SelectionError("the sandbox has no active scenario")
