"""``reporter demo``: ``run`` and ``email`` against the built-in sandbox, no key, no network.

A newcomer's first command: the sandbox serves a generated workspace on a free loopback port,
the pipeline runs against it as against Exec, and the demo points at the report to open first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from reporter.analytics.team import TeamSpec
from reporter.cohort.program import ProgramSelection
from reporter.cohort.selection import Selection, SelectionError, parse_period
from reporter.console import Console
from reporter.deliver.addresses import EmailSettings
from reporter.deliver.manifest import read_manifest
from reporter.exec_api import ApiKey
from reporter.names import REPS_DIR
from reporter.pipeline import EmailOutcome, RunOutcome, email, run
from reporter.sandbox.model import SandboxWorkspace
from reporter.settings import (
    ApiSettings,
    EmailRunSettings,
    FetchSettings,
    RenderSettings,
    RunSettings,
)

SEED = 7
REPS = 30
#: The demo's "now", for its sandbox and its run alike: the morning of the 1st, when a monthly
#: cron job runs, reporting on November 2026. Fixed, so that the demo prints the same figures
#: (and the README's) whatever the day it is run.
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
SENDER = "Coaching reports <coaching@acme.example>"


@dataclass(frozen=True)
class DemoOutcome:
    run: RunOutcome
    email: EmailOutcome
    featured: Path | None = None  # the report a newcomer should open first: an ordinary rep
    program: RunOutcome | None = None  # the main collection as one program
    program_email: EmailOutcome | None = None
    # The month's scenarios in other languages (Spanish, German), each a run of its own: each
    # rep's report and email in the scenario's language, the managers' in the configured.
    languages: tuple[tuple[RunOutcome, EmailOutcome], ...] = ()


def main_collection(workspace: SandboxWorkspace) -> str | None:
    """The slug of the collection with the most active scenarios (the first by name of
    those): the program the demo runs."""
    counts = {c.id: sum(1 for s in workspace.scenarios
                        if s.collection_id == c.id and not s.archived)
              for c in workspace.collections}
    best = max(workspace.collections, key=lambda c: (counts[c.id], [-ord(ch) for ch in c.name]),
               default=None)
    return best.slug if best is not None and counts[best.id] > 1 else None


def demo(out: Path, jobs: int | None = None, console: Console | None = None, *,
         teams: tuple[TeamSpec, ...] = (), now: datetime = NOW, seed: int = SEED,
         reps: int = REPS) -> DemoOutcome:
    """``run`` (last month, every participant, CSV too; by team when ``teams`` are given)
    and ``email`` (outbox only) against the built-in sandbox on a free loopback port: no
    key, no network; then the same for the sandbox's main collection as one program. The
    sandbox and the run share ``now``; ``seed`` and ``reps`` make another workspace (the
    tests read a second one)."""
    from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key

    console = console or Console(quiet=True)
    workspace = generate_workspace(seed=seed, reps=reps, today=now)
    key = make_api_key(seed)
    scenario = next((s.slug for s in workspace.scenarios if not s.archived), None)
    if scenario is None:
        raise SelectionError("the sandbox has no active scenario")
    # Fast but still paced: the sandbox enforces a limit and the client keeps under it.
    app = create_app(workspace, api_key=key, rate_limit=1200, daily_limit=100000)
    with SandboxServer(app) as server:
        console.info(f"sandbox: {server.base_url}")
        api = ApiSettings(key=ApiKey(key), base_url=server.base_url, rate_limit=1000,
                          cache_dir=out / ".cache", usage_dir=out / ".cache", now=now)
        fetching = FetchSettings(api=api, scenario=scenario, selection=Selection("all"),
                                 period=parse_period("last", now=now))
        rendering = RenderSettings(csv=True, jobs=jobs, out=out, teams=teams,
                                   by_team=bool(teams))
        outcome = run(RunSettings(fetching, rendering), console)
        collection = main_collection(workspace)
        program = run(RunSettings(replace(fetching, scenario="", program=ProgramSelection(
            "collection", (collection,))), rendering), console) if collection else None
        spoken = [run(RunSettings(replace(fetching, scenario=slug), rendering), console)
                  for slug in other_languages(workspace)]
    sent = email(EmailRunSettings(outcome.run_dir, EmailSettings(sender=SENDER)), console)
    program_sent = email(EmailRunSettings(program.run_dir, EmailSettings(sender=SENDER)),
                         console) if program else None
    spoken_sent = tuple((o, email(EmailRunSettings(o.run_dir, EmailSettings(sender=SENDER)),
                                  console)) for o in spoken)
    return DemoOutcome(outcome, sent, featured(workspace, outcome), program, program_sent,
                       spoken_sent)


def other_languages(workspace: SandboxWorkspace) -> list[str]:
    """The slugs of the active scenarios Exec says are not in English (by name order)."""
    return sorted(s.slug for s in workspace.scenarios
                  if not s.archived and s.spec.language != "English")


def featured(workspace: SandboxWorkspace, outcome: RunOutcome) -> Path | None:
    """The demo's first impression: the report of the first improving rep (by name) whose
    sessions carry none of the sandbox's hostile texts; those stay, on other reps' reports.
    Which PDF is a rep's is read from the run's manifest, as the run wrote it."""
    hostile = {s.user_id for s in workspace.sessions if s.hostile}
    pdfs = {e.email.casefold(): outcome.run_dir / e.pdf
            for e in read_manifest(outcome.run_dir).reps if e.pdf}
    for user in sorted(workspace.users, key=lambda u: (u.first_name.casefold(), u.email)):
        if user.archetype != "improving" or not user.is_member or user.id in hostile:
            continue
        path = pdfs.get(user.email.casefold())
        if path is not None:
            return path
    # A rep's report of this run: in reps/ (previous-reports/ holds older ones).
    return next((f for f in sorted(outcome.files)
                 if f.suffix == ".pdf" and f.parent.name == REPS_DIR), None)
