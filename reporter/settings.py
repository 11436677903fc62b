"""Settings, resolved once: flags > environment > TOML file > defaults, into typed dataclasses.

The CLI packs what the user typed into ``*Flags`` (every field None when not given) and calls
one function here per command; a Python caller may build the settings dataclasses directly.
All local input (config file, period, roster, key format, folders) is checked here, before the
first request, so a typo never costs part of the day's budget.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

from reporter.analytics.team import TeamSpec
from reporter.cohort import RETENTION_DAYS
from reporter.cohort.cache import default_cache_dir
from reporter.cohort.program import ProgramSelection
from reporter.cohort.selection import (
    Period,
    Selection,
    SelectionError,
    normalise_emails,
    parse_period,
    read_roster_languages,
)
from reporter.config import ApiSection, FileConfig, check, load_config
from reporter.console import Console
from reporter.deliver.addresses import EmailSettings, parse_address
from reporter.deliver.smtp import SMTP_DEADLINE, SmtpSettings
from reporter.errors import ConfigError
from reporter.exec_api import DAILY_LIMIT, REQUEST_DEADLINE, ApiKey, base_url_from_env
from reporter.exec_api.client import DEFAULT_RATE
from reporter.exec_api.ratelimit import RETRY_DELAY
from reporter.render.options import PAPER_SIZES, Branding, PdfOptions, check_language
from reporter.views import Manager

DEFAULT_OUT = Path("output")
DEFAULT_SENDER = "Coaching reports <coaching-reports@localhost.localdomain>"
Command = Literal["run", "fetch", "sync"]


# -- what the user typed ----------------------------------------------------------------


@dataclass(frozen=True)
class SelectionFlags:
    scenario: str | None = None
    emails: tuple[str, ...] = ()
    roster: Path | None = None
    group: str | None = None
    month: str | None = None
    since: str | None = None
    until: str | None = None
    include_system_users: bool | None = None


@dataclass(frozen=True)
class ProgramFlags:
    """How the program is chosen on the command line (``--collection``, ``--scenario``
    given more than once, ``--assigned``); none given: one scenario, as before."""

    collection: str | None = None
    scenarios: tuple[str, ...] = ()
    assigned: bool = False


@dataclass(frozen=True)
class FetchFlags:
    cache_dir: Path | None = None
    no_cache: bool = False
    max_requests: int | None = None
    no_compare: bool = False


@dataclass(frozen=True)
class RenderFlags:
    out: Path | None = None
    jobs: int | None = None
    no_pdf: bool = False
    no_xlsx: bool = False
    csv: bool | None = None
    paper: str | None = None
    transcripts: bool | None = None
    skip_empty: bool | None = None
    templates: Path | None = None
    by_team: bool | None = None
    force: bool = False


@dataclass(frozen=True)
class EmailFlags:
    send: bool = False
    smtp_host: str | None = None
    smtp_port: int | None = None
    security: str | None = None
    smtp_user: str | None = None
    sender: str | None = None
    to_override: str | None = None
    pace: float | None = None
    smtp_deadline: float | None = None
    resend_in_doubt: bool = False
    out: Path | None = None  # where RUN_DIR is looked for when it is not a folder as given


# -- what the library runs with ---------------------------------------------------------


@dataclass(frozen=True)
class ApiSettings:
    key: ApiKey
    base_url: str
    rate_limit: int = DEFAULT_RATE
    daily_limit: int = DAILY_LIMIT  # the workspace's sustained ceiling, requests per UTC day
    cache_dir: Path | None = None  # None: --no-cache (details neither read nor written)
    cache_retention_days: int = RETENTION_DAYS  # sync prunes older details at each run
    usage_dir: Path = field(default_factory=default_cache_dir)  # the day's request count
    request_deadline: float = REQUEST_DEADLINE  # seconds one request may take, answer included
    # The first retry's longest wait (5xx, timeouts, dropped connections), doubled for each
    # further retry: a test against a server that never answers need not wait 15 s.
    retry_delay: float = RETRY_DELAY
    now: datetime | None = None  # the run's "now"; None: the clock (the demo and tests fix it)
    # Where ``base_url`` came from, as a message tells the user to change it.
    url_setting: str = "set by EXEC_API_URL"


@dataclass(frozen=True)
class FetchSettings:
    api: ApiSettings
    scenario: str
    selection: Selection
    period: Period
    max_requests: int | None = None
    compare: bool = True  # also read the previous month's figures (a month period only)
    program: ProgramSelection | None = None  # a program run (then ``scenario`` is "")

    @property
    def target(self) -> ProgramSelection:
        """What the run is about: the program, or the one scenario run as itself."""
        return self.program or ProgramSelection("scenario", (self.scenario,))


@dataclass(frozen=True)
class RenderSettings:
    pdf: bool = True
    xlsx: bool = True
    csv: bool = False
    jobs: int | None = None  # None: one process per CPU
    skip_empty: bool = False
    pdf_options: PdfOptions = field(default_factory=PdfOptions)
    out: Path = DEFAULT_OUT
    teams: tuple[TeamSpec, ...] = ()  # [teams]: group -> manager
    by_team: bool = False  # also teams/<group>/team.pdf and team.xlsx, and digests
    # Replace the run in place even when this one drops most of its reps (rundir).
    force: bool = False


@dataclass(frozen=True)
class RunSettings:
    fetch: FetchSettings
    render: RenderSettings


@dataclass(frozen=True)
class EmailRunSettings:
    run_dir: Path
    message: EmailSettings
    smtp: SmtpSettings | None = None  # None: write the outbox only
    resend_in_doubt: bool = False  # send again the messages in doubt (smtp.send_all)


# -- resolution ---------------------------------------------------------------------------


def api_settings(cfg: FileConfig, flags: FetchFlags,
                 env: Mapping[str, str] = os.environ) -> ApiSettings:
    key = ApiKey.from_env(env.get("EXEC_API_KEY") or cfg.api.get("key"))
    base_url = base_url_from_env(env.get("EXEC_API_URL") or cfg.api.get("url"))
    url_setting = ("set by EXEC_API_URL" if env.get("EXEC_API_URL")
                   else f"set by [api] url in {cfg.path}" if cfg.api.get("url")
                   else "the default; EXEC_API_URL sets another")
    rate = _limit(env, "REPORTER_RATE_LIMIT", cfg, "rate_limit") or DEFAULT_RATE
    daily = _limit(env, "REPORTER_DAILY_LIMIT", cfg, "daily_limit") or DAILY_LIMIT
    deadline = (_limit(env, "REPORTER_REQUEST_DEADLINE", cfg, "request_deadline")
                or REQUEST_DEADLINE)
    folder = cache_folder(cfg, flags.cache_dir)
    # --no-cache skips session details; the day's request count is kept all the same.
    return ApiSettings(key=key, base_url=base_url, rate_limit=rate, daily_limit=daily,
                       cache_dir=None if flags.no_cache else folder, usage_dir=folder,
                       cache_retention_days=retention_days(cfg),
                       request_deadline=deadline,
                       retry_delay=cfg.api.get("retry_delay", RETRY_DELAY),
                       url_setting=url_setting)


def cache_folder(cfg: FileConfig, flag: Path | None) -> Path:
    """The cache folder: --cache-dir, else the file's ``cache_dir``, else the user's."""
    return flag or cfg.resolve_path(cfg.get("cache_dir")) or default_cache_dir()


def retention_days(cfg: FileConfig, flag: int | None = None) -> int:
    """How many days a cached detail is kept from its session's date: --max-age, else the
    file's ``cache_retention_days``, else ``RETENTION_DAYS``."""
    days: int = flag or cfg.get("cache_retention_days") or RETENTION_DAYS
    return days


def today_or_now(today: date | None) -> datetime:
    """The "now" of a command given ``--today`` (that day's start, UTC: a test or a rerun of
    a past day never reads the clock), else the clock's."""
    return datetime.combine(today, time(), UTC) if today is not None else datetime.now(UTC)


def _limit(env: Mapping[str, str], variable: str, cfg: FileConfig, key: str) -> int | None:
    """An [api] limit: the environment variable, else the file's key (checked when the file
    was read), else None; the variable is checked by the same model as the key."""
    raw = env.get(variable)
    if raw is None:
        limit: int | None = cfg.api.get(key)
        return limit
    try:
        value: object = int(raw)
    except ValueError:
        value = raw
    check(ApiSection, {key: value}, label=variable)
    assert isinstance(value, int)
    return value


def selection(cfg: FileConfig, flags: SelectionFlags,
              console: Console | None = None) -> Selection:
    include_system = bool(flags.include_system_users or cfg.get("include_system_users", False))
    emails_in = list(flags.emails) or [str(e) for e in cfg.get("emails") or []]
    roster = flags.roster or cfg.resolve_path(cfg.get("roster"))
    group = flags.group or cfg.get("group")
    if sum(bool(x) for x in (emails_in, roster, group)) > 1:
        raise SelectionError("choose reps one way: EMAIL arguments, --roster or --group")
    if roster:
        emails, invalid, languages = read_roster_languages(
            Path(roster), None if console is None else (
                lambda done, total: console.info(f"roster: {done:,} of {total:,} lines read")))
        return Selection("roster", tuple(emails), tuple(invalid), roster=str(roster),
                         include_system_users=include_system,
                         languages=tuple(languages.items()))
    if emails_in:
        emails, invalid = normalise_emails(emails_in)
        return Selection("emails", tuple(emails), tuple(invalid),
                         include_system_users=include_system)
    if group:
        return Selection("group", group=str(group), include_system_users=include_system)
    return Selection("all", include_system_users=include_system)


def period(cfg: FileConfig, flags: SelectionFlags, command: Command,
           today: date | None = None) -> Period:
    """``--month`` or ``--since/--until``; a flag of either kind hides the file's other kind.
    Sync given neither looks back 31 days from ``today`` (None: the clock's)."""
    month = flags.month or (None if flags.since or flags.until else cfg.get("month"))
    since = flags.since or (None if flags.month else cfg.get("since"))
    until = flags.until or (None if flags.month else cfg.get("until"))
    if command == "sync" and not (month or since or until):
        since = (today_or_now(today) - timedelta(days=31)).date().isoformat()
    return parse_period(month, since, until)


def fetch_settings(config: Path | None, flags: SelectionFlags, fetching: FetchFlags,
                   command: Command, env: Mapping[str, str] = os.environ,
                   console: Console | None = None,
                   program: ProgramFlags = ProgramFlags(),
                   today: date | None = None) -> FetchSettings:
    return _fetch(load_config(config), flags, fetching, command, env, console, program,
                  today)


#: The forms a run's scenarios are chosen in, as the flags and the file's keys say them.
PROGRAM_FLAGS = "SCENARIO, --scenario, --collection or --assigned"
PROGRAM_KEYS = "scenario, scenarios, collection or assigned"


def program_choice(cfg: FileConfig, flags: SelectionFlags, program: ProgramFlags,
                   command: Command) -> tuple[str, ProgramSelection | None, SelectionFlags]:
    """What the run is about: one scenario (its id or slug, no program) or a program; and
    the selection flags as they then read. With a program option every argument is an
    EMAIL (click cannot tell, so the first one arrives as SCENARIO and is moved back).
    Flags choose first; without any, the file's keys do. Exactly one form, or one line."""
    given = [name for name, on in (("--collection", program.collection),
                                   ("--scenario", program.scenarios),
                                   ("--assigned", program.assigned)) if on]
    if len(given) > 1:
        raise SelectionError(f"{' and '.join(given)} choose the scenarios two ways: give one "
                             f"of {PROGRAM_FLAGS}")
    if given and flags.scenario is not None:
        if "@" not in flags.scenario:
            raise SelectionError(f"SCENARIO {flags.scenario!r} and {given[0]}: give one of "
                                 f"{PROGRAM_FLAGS} (with {given[0]} the arguments are EMAILs)")
        flags = replace(flags, scenario=None, emails=(flags.scenario, *flags.emails))
    if program.collection:
        return "", ProgramSelection("collection", (program.collection,)), flags
    if len(program.scenarios) > 1:
        return "", ProgramSelection("scenarios", program.scenarios), flags
    if program.assigned:
        return "", ProgramSelection("assigned"), flags
    if program.scenarios:  # --scenario X once: the single-scenario run
        return program.scenarios[0], None, flags
    if flags.scenario:
        return flags.scenario, None, flags
    keys = [k for k in ("scenario", "scenarios", "collection", "assigned") if cfg.get(k)]
    if len(keys) > 1:
        raise SelectionError(f"{cfg.path}: {' and '.join(keys)} choose the scenarios two "
                             f"ways: keep one of {PROGRAM_KEYS}")
    if cfg.get("collection"):
        return "", ProgramSelection("collection", (str(cfg.get("collection")),)), flags
    listed = tuple(str(s) for s in cfg.get("scenarios") or ())
    if len(listed) > 1:
        return "", ProgramSelection("scenarios", listed), flags
    if listed:
        return listed[0], None, flags
    if cfg.get("assigned"):
        return "", ProgramSelection("assigned"), flags
    if cfg.get("scenario"):
        return str(cfg.get("scenario")), None, flags
    raise SelectionError(f"which scenario? give it: reporter {command} SCENARIO [EMAIL]... "
                         "(or a program: --collection NAME, --scenario X --scenario Y, "
                         "--assigned)")


def _fetch(cfg: FileConfig, flags: SelectionFlags, fetching: FetchFlags, command: Command,
           env: Mapping[str, str] = os.environ, console: Console | None = None,
           program: ProgramFlags = ProgramFlags(), today: date | None = None) -> FetchSettings:
    scenario, chosen_program, flags = program_choice(cfg, flags, program, command)
    chosen = selection(cfg, flags, console)
    when = period(cfg, flags, command, today)
    max_requests = fetching.max_requests or cfg.get("max_requests")
    api = api_settings(cfg, fetching, env)
    if today is not None:  # --today: the command's now is that day's start, for every use
        api = replace(api, now=today_or_now(today))
    return FetchSettings(api=api, scenario=scenario,
                         selection=chosen, period=when, max_requests=max_requests,
                         compare=not fetching.no_compare and bool(cfg.get("compare", True))
                         and command != "sync", program=chosen_program)


def render_settings(config: Path | None, flags: RenderFlags) -> RenderSettings:
    return _render(load_config(config), flags)


def _render(cfg: FileConfig, flags: RenderFlags) -> RenderSettings:
    b = cfg.branding
    try:
        branding = Branding(company=b.get("company"), logo=cfg.resolve_path(b.get("logo")),
                            accent=b.get("accent") or Branding().accent)
    except ValueError as exc:
        raise ConfigError(f"[branding] {exc}") from None
    templates = flags.templates or cfg.resolve_path(cfg.get("templates"))
    if templates is not None and not Path(templates).is_dir():
        raise ConfigError(f"templates folder not found: {templates}")
    paper = PAPER_SIZES.get(str(flags.paper or cfg.get("paper") or "A4").lower())
    if paper is None:
        raise ConfigError("paper must be A4 or letter")
    xlsx = not flags.no_xlsx and bool(cfg.get("xlsx", True))
    try:
        options = PdfOptions(paper=paper,
                             transcripts=bool(flags.transcripts or cfg.get("transcripts", False)),
                             branding=branding, templates_dir=templates,
                             language=_language(cfg),
                             tagged=bool(cfg.get("tagged_pdf", True)), workbook=xlsx)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    teams = team_specs(cfg)
    by_team = bool(flags.by_team or cfg.get("by_team", False))
    if by_team and not teams:
        raise ConfigError("--by-team needs a [teams] table in the config file, mapping each "
                          "workspace group to its manager")
    return RenderSettings(
        teams=teams, by_team=by_team,
        pdf=not flags.no_pdf and bool(cfg.get("pdf", True)),
        xlsx=xlsx,
        csv=bool(flags.csv or cfg.get("csv", False)),
        jobs=flags.jobs or cfg.get("jobs"),
        skip_empty=bool(flags.skip_empty or cfg.get("skip_empty", False)),
        force=flags.force,
        pdf_options=options,
        out=flags.out or cfg.resolve_path(cfg.get("out")) or DEFAULT_OUT,
    )


def _language(cfg: FileConfig) -> str:
    """The configured ``language`` (the PDFs' and the emails'), checked, or the default."""
    try:
        return check_language(cfg.get("language") or PdfOptions.language)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def team_specs(cfg: FileConfig) -> tuple[TeamSpec, ...]:
    """[teams], each manager's address checked now, before any request."""
    specs = []
    for group, manager in cfg.teams.items():
        address = parse_address(manager["email"], f"[teams] {group!r} email")
        language = manager.get("language")
        if language is not None:
            try:
                language = check_language(language)
            except ValueError as exc:
                raise ConfigError(f"[teams] {group!r} {exc}") from None
        specs.append(TeamSpec(group, Manager(manager["name"] or address.display_name,
                                             address.addr_spec, language)))
    return tuple(specs)


def demo_teams(config: Path | None) -> tuple[TeamSpec, ...]:
    """The demo's teams: the [teams] of ``config`` when given, none otherwise (the demo does
    not pick up a ./reporter.toml meant for real runs)."""
    return team_specs(load_config(config)) if config is not None else ()


def run_settings(config: Path | None, flags: SelectionFlags, fetching: FetchFlags,
                 rendering: RenderFlags, console: Console | None = None,
                 program: ProgramFlags = ProgramFlags()) -> RunSettings:
    cfg = load_config(config)
    return RunSettings(fetch=_fetch(cfg, flags, fetching, "run", console=console,
                                    program=program),
                       render=_render(cfg, rendering))


def email_settings(config: Path | None, run_dir: Path, flags: EmailFlags,
                   env: Mapping[str, str] = os.environ) -> EmailRunSettings:
    """Every email and SMTP setting, checked before anything is written; RUN_DIR found as
    ``run_folder`` says, under the same ``out`` as ``run`` writes to."""
    cfg = load_config(config)
    run_dir = run_folder(Path(run_dir), flags.out or cfg.resolve_path(cfg.get("out"))
                         or DEFAULT_OUT)
    e = cfg.email
    sender = flags.sender or e.get("from")
    if flags.send and not sender:
        raise SelectionError("--send needs a sender: --from ADDRESS or [email] from = ...")
    message = EmailSettings(
        sender=sender or DEFAULT_SENDER,
        to_override=flags.to_override or e.get("to_override"),
        subject_prefix=e.get("subject_prefix"),
        templates_dir=cfg.resolve_path(cfg.get("templates")),
        company=cfg.branding.get("company"),
        language=_language(cfg),
        email_former_members=bool(e.get("email_former_members", False)),
    )
    smtp = None
    if flags.resend_in_doubt and not flags.send:
        raise SelectionError("--resend-in-doubt sends: it needs --send")
    if flags.send:
        host = flags.smtp_host or e.get("smtp_host")
        if not host:
            raise SelectionError("--send needs --smtp-host (or [email] smtp_host)")
        # Each value checked already: the flags by click's ranges and choices, the file's
        # by its model (reporter.config) when it was read.
        pace = flags.pace if flags.pace is not None else e.get("pace_seconds", 0)
        port = flags.smtp_port or e.get("smtp_port") or 587
        smtp = SmtpSettings(
            host=host,
            port=port,
            security=flags.security or e.get("security") or "starttls",
            username=flags.smtp_user or e.get("user"),
            password=env.get("REPORTER_SMTP_PASSWORD"),
            pace_seconds=float(pace),
            deadline=float(flags.smtp_deadline or e.get("smtp_deadline") or SMTP_DEADLINE),
        )
    return EmailRunSettings(run_dir=run_dir, message=message, smtp=smtp,
                            resend_in_doubt=flags.resend_in_doubt)


#: The RUN_DIR that names the newest run under OUT.
LATEST = "latest"
MANIFEST_JSON = "manifest.json"  # deliver.manifest's: what makes a folder a run folder


def run_folder(given: Path, out: Path) -> Path:
    """The run folder ``email`` works on: ``given`` when it is one (it holds a manifest.json);
    else, for a relative path, the one under ``out`` (the ``out`` of ``run``: the flag, else
    the config file's, relative to that file, else ./output), so ``<scenario>/<period>``
    names the folder ``run`` wrote; ``latest`` is the run under ``out`` generated last."""
    if (given / MANIFEST_JSON).is_file():
        return given
    if str(given) == LATEST:
        return latest_run(out)
    below = Path(out) / given
    if not given.is_absolute() and (below / MANIFEST_JSON).is_file():
        return below
    nor = "" if given.is_absolute() else f", nor is {below}"
    raise SelectionError(f"{given} is not a run folder (no {MANIFEST_JSON}){nor}")


def latest_run(out: Path) -> Path:
    """The run folder under ``out`` (``OUT/<scenario or program>/<period>``) whose run was
    generated last, as its manifest says (a manifest without the moment: its file's time)."""
    found: list[tuple[str, str, Path]] = []
    for manifest in Path(out).glob(f"*/*/{MANIFEST_JSON}"):
        folder = manifest.parent
        if any(part.startswith(".") for part in (folder.name, folder.parent.name)):
            continue  # a staging folder, a set-aside one, the send records
        try:
            run = json.loads(manifest.read_text(encoding="utf-8")).get("run", {})
            moment = datetime.fromisoformat(run["generated_at"]).astimezone(UTC).isoformat()
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            moment = datetime.fromtimestamp(manifest.stat().st_mtime, UTC).isoformat()
        found.append((moment, str(folder), folder))
    if not found:
        raise SelectionError(f"{LATEST}: no run folder under {out} (a run writes "
                             f"{Path(out) / '<scenario>' / '<period>'})")
    return max(found)[2]
