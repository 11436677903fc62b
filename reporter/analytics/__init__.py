"""Snapshot -> view models: every figure a report shows, defined once, with no I/O.

The snapshot is the typed model of ``reporter.cohort.snapshot``, read once and leniently
(junk values already dropped there), so the analytics read attributes; what the model
cannot promise (blank text is absent, a negative duration is unknown, a speaker the API
does not name) is decided here. Each figure has one function whose docstring is its
definition; the renderers (PDF, workbook, CSV, emails) only format what these return, so
the same number never means two things in two documents.

    figures     single figures (first, best, latest, lift, percentile, slug), caps
    period      the report's period
    verdict     the rep's verdict: direction, headline, target line, next-rank hint
    sessions    a rep's sessions with their attempts, oldest first
    rubric      heatmap rows, strengths and focus areas
    coaching    the coaching plan: next step, patterns, moments, target, decline
    moments     feedback moments, the ones worth quoting, the transcript
    rep         RepContext, build_rep
    cohort      the whole scenario's figures and the selected reps' weeks and rubric
    crosscheck  our figures against the participants endpoint's
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import PurePosixPath, PureWindowsPath

from reporter import __version__
from reporter.analytics.attention import attention_order, reasons_for, shortlist
from reporter.analytics.cohort import build_cohort, distribution
from reporter.analytics.figures import (
    MAX_MOMENTS,
    MAX_PATTERNS,
    exec_link,
    normalise_quote,
    percentile,
    period_title,
    rank_for,
    text,
    utc,
)
from reporter.analytics.moments import moments_worth_quoting
from reporter.analytics.period import report_period
from reporter.analytics.rep import RepContext, build_rep, rep_context
from reporter.analytics.team import group_text, list_names
from reporter.cohort.snapshot import (
    FetchRecord,
    NotFoundRecord,
    PreviousRecord,
    SelectionRecord,
    Snapshot,
)
from reporter.exec_api.models import Workspace
from reporter.i18n import gettext, ngettext
from reporter.names import rep_slug
from reporter.views import FetchInfo, NotFound, PeriodInfo, ReportView, RepView, ScenarioInfo

__all__ = [
    "MAX_MOMENTS", "MAX_PATTERNS", "RepContext", "build_rep", "build_report",
    "distribution", "moments_worth_quoting", "normalise_quote", "percentile", "rank_for",
    "rep_context", "rep_slug", "report_period", "selection_text",
]


def workspace_name(workspace: Workspace | None) -> str:
    return (workspace and (text(workspace.name) or text(workspace.url_slug))
            or gettext("Exec workspace"))


def selection_text(selection: SelectionRecord, rep_count: int) -> str:
    """How the reps were chosen, for a cover line: "every participant", "3 reps by
    email", "roster roster.csv (12 reps)", "group Sales Team".

    Roster: the file's name only, never its directory. Counts are of the addresses
    asked for (emails) or of the reps found (roster: the roster's addresses when
    known). "(system users included)" is appended when they were.
    """
    system = selection.include_system_users
    if selection.mode == "emails":
        n = len(selection.emails)
        if system:
            return ngettext("%(num)s rep by email (system users included)",
                            "%(num)s reps by email (system users included)", n)
        # Translators: how the reps were chosen, for a cover line.
        return ngettext("%(num)s rep by email", "%(num)s reps by email", n)
    if selection.mode == "roster":
        raw = text(selection.roster) or ""
        name = PureWindowsPath(PurePosixPath(raw).name).name or "file"
        n = len(selection.emails) or rep_count
        if system:
            return ngettext("roster %(file)s (%(num)s rep) (system users included)",
                            "roster %(file)s (%(num)s reps) (system users included)",
                            n, file=name)
        # Translators: how the reps were chosen; %(file)s is the roster's file name.
        return ngettext("roster %(file)s (%(num)s rep)", "roster %(file)s (%(num)s reps)",
                        n, file=name)
    if selection.mode == "group":
        group = selection.group
        gname = (text(group.name) or text(group.id)) if group else None
        if not gname:
            if system:
                return gettext("group (unknown) (system users included)")
            return gettext("group (unknown)")
        return group_text(gname, system=system)
    if system:
        return gettext("every participant (system users included)")
    # Translators: how the reps were chosen: all who practised (lower case: a cover line
    # says "Selection: every participant"; a team's name capitalises it).
    return gettext("every participant")


def not_found_views(records: Sequence[NotFoundRecord]) -> tuple[NotFound, ...]:
    """The addresses asked for with no data, and why (an entry without an address dropped)."""
    return tuple(NotFound(email=nf.email, reason=nf.reason, detail=nf.detail)
                 for nf in records if text(nf.email))


def said(warnings: Sequence[str]) -> tuple[str, ...]:
    """The snapshot's own warnings, blank ones left out."""
    return tuple(w for w in (text(x) for x in warnings) if w)


def fetch_info(fetch: FetchRecord) -> FetchInfo:
    """What the fetch cost, as the reports' footers say it."""
    return FetchInfo(fetched_at=utc(fetch.fetched_at) if fetch.fetched_at else None,
                     base_url=text(fetch.base_url), requests_made=fetch.requests_made,
                     cache_hits=fetch.cache_hits)


def previous_info(previous: PreviousRecord | None) -> PeriodInfo | None:
    """The period compared with, when one was."""
    if previous is None:
        return None
    start, end = utc(previous.period.start), utc(previous.period.end)
    return PeriodInfo(label=previous.period.label, start=start, end=end,
                      title=period_title(previous.period.label, start, end))


def build_report(snapshot: Snapshot, reps: Sequence[RepView] | None = None, *,
                 generated_at: datetime | None = None) -> ReportView:
    """The report of one scenario (a scenario run's snapshot, or a program's ``part``):
    every rep (sorted by name, casefolded, then email), the cohort, and the warnings (the
    snapshot's, then each rep's cross-check, in rep order).

    ``reps`` given: used as they are (the pipeline built each once, as it arrived), else
    built from the snapshot. ``generated_at`` defaults to now (UTC); pass it for
    byte-identical reruns.
    """
    if len(snapshot.scenarios) != 1:
        raise ValueError(f"a scenario's report is of one scenario, not {len(snapshot.scenarios)}")
    part = snapshot.scenarios[0]
    generated = utc(generated_at) if generated_at else datetime.now(UTC)
    if reps is None:
        context = rep_context(snapshot, report_period(snapshot, (), generated))
        reps = [build_rep(r, context) for r in snapshot.reps]
    ordered = sorted(reps, key=lambda r: (r.name.casefold(), r.email.casefold(), r.user_id))
    period = report_period(snapshot, ordered, generated)
    ordered = [replace(r, attention=reasons_for(r, period, generated)) for r in ordered]
    urgent = attention_order(ordered)
    workspace = snapshot.workspace
    scenario = part.scenario
    slug = text(scenario.slug) or scenario.id
    return ReportView(
        workspace_name=workspace_name(workspace),
        scenario=ScenarioInfo(id=scenario.id, name=text(scenario.name) or slug or "Scenario",
                              slug=slug, url=exec_link(scenario.url,
                                                       workspace.url_slug if workspace else None)),
        period=period,
        generated_at=generated,
        tool_version=__version__,
        selection_text=selection_text(snapshot.selection, len(ordered)),
        cohort=build_cohort(part.summary, part.participants, ordered),
        reps=tuple(ordered),
        not_found=not_found_views(snapshot.not_found),
        fetch=fetch_info(snapshot.fetch),
        # Each rep's view already holds its cross-check with the participants endpoint.
        warnings=said(snapshot.warnings) + tuple(w for rep in ordered for w in rep.warnings),
        needs_attention=urgent,
        shortlist=shortlist(urgent),
        labels=list_names(ordered),
        previous_period=previous_info(part.previous),
    )
