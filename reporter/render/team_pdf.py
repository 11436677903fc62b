"""The team report (``team.pdf``): a manager's month on a few printed pages.

Page 1: the team in numbers, the 1:1 shortlist (at most five reps, each with a talking
point: the reason in plain words and the rep's next step from their own coaching plan), what
to coach the team on (with a moment from a call), and, in smaller type, the reps to keep an
eye on; then the leaderboard with the team's best scores against everyone who practised;
then the rubric across reps. A program's team report (``render_program_team``) has the same
page 1 across the program's scenarios (the shortlist's reasons and next steps each name their
scenario; what to coach is skills and rubric items, each item with its scenario), then the rep
x scenario matrix and the rep x skill heatmap of Exec's tiers. Same layout, stylesheet, fonts
and renderer as the rep's report (``reporter.render.pdf``); like it, every choice is made
here and the templates only format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reporter.analytics.attention import (
    MAX_SHORTLIST,
    SHORTLIST_SEVERITY,
    Attending,
    talking_point,
)
from reporter.analytics.bounds import team_rubric_shown
from reporter.analytics.coaching import STEP_CHARS
from reporter.analytics.program_team import SCORED_TIERS
from reporter.analytics.team import MIN_CELL_SESSIONS, MIN_THEME_REPS, MIN_THEME_SESSIONS
from reporter.format import (
    NEW_REP_LABEL,
    SEVERITY_LABELS,
    fmt_assignment_status,
    fmt_day,
    fmt_point_count,
    fmt_points,
    fmt_score,
    fmt_short_day,
    fmt_tier,
    fmt_weak_item,
)
from reporter.ranks import MIN_OBSERVATIONS, TIER_THRESHOLDS, TIERS
from reporter.render import charts
from reporter.render.pdf import PdfRenderer
from reporter.render.templates import template_errors
from reporter.views import (
    Comparison,
    ProgramCell,
    ProgramReportView,
    ProgramRepView,
    ProgramTeamView,
    ReportView,
    RepView,
    SkillRow,
    TeamCell,
    TeamView,
    TierCount,
)

TEAM_TEMPLATE = "team/report.html"
#: A heatmap cell's colour by the share graded good: at least 2/3 good, at least 1/3 mid.
SHARE_BANDS: tuple[tuple[float, str], ...] = ((2 / 3, "good"), (1 / 3, "mid"), (0.0, "bad"))
#: How long a coaching theme's quote, why and phrasing may run on page 1.
THEME_QUOTE_CHARS = 130
THEME_WHY_CHARS = 130
QUOTE_MARKS = "\"“”'"


@dataclass(frozen=True)
class CriterionSpan:
    criterion: str
    span: int  # how many item columns it heads


def share_band(cell: TeamCell | None) -> str:
    """The cell's CSS class: "thin" below MIN_CELL_SESSIONS graded sessions, "none" when
    never graded, else good / mid / bad by SHARE_BANDS."""
    if cell is None:
        return "none"
    if cell.thin:
        return "thin"
    return next(band for floor, band in SHARE_BANDS if cell.good_share >= floor - 1e-9)


def vs_previous(comparison: Comparison | None) -> str:
    """The leaderboard's "vs last period" cell: "+3.0", "New", or "–" (no comparison)."""
    if comparison is None:
        return "–"
    if comparison.is_new:
        return NEW_REP_LABEL
    return fmt_points(comparison.change) if comparison.change is not None else "–"


def change_heading(report: ReportView) -> str:
    """The heading of the change-against-last-period column: "vs Sep 2026", or "Change"
    when nothing was compared."""
    previous = report.previous_period
    return f"vs {previous.start:%b %Y}" if previous else "Change"


def step_text(rep: RepView) -> str | None:
    """The rep's next step on one line, as every output prints it (``CoachingPlan.step_text``,
    built once by ``analytics.coaching.step_line``)."""
    return rep.coaching.step_text


def _plural(count: int, word: str = "rep") -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def attention_sentence(team: Attending) -> str:
    """Who is on the 1:1 shortlist and how many to keep an eye on, in a sentence."""
    watch = len(team.watchlist)
    if team.shortlist:
        return (f"{_plural(len(team.shortlist))} for a 1:1"
                + (f", {watch} more to keep an eye on." if watch else "."))
    if watch:
        return f"Nobody needs a 1:1; {_plural(watch)} to keep an eye on."
    return "Nobody needs attention this time."


def team_summary(team: TeamView, report: ReportView) -> str:
    """The team in one sentence (or three short ones): who practised, the average best and
    its change, who is on the 1:1 shortlist and how many to keep an eye on."""
    n = len(team.reps)
    period = report.period.prose
    text = (f"{team.with_valid} of {_plural(n)} "
            f"{'has' if team.with_valid == 1 else 'have'} a valid attempt in {period}")
    if team.average_best is not None:
        text += f", with an average best of {fmt_score(team.average_best)}"
    text += "."
    if team.average_change is not None and report.previous_period is not None:
        text += (f" Against {report.previous_period.prose}, best scores moved "
                 f"{fmt_points(team.average_change)} on average for the {team.compared} "
                 f"rep{'' if team.compared == 1 else 's'} who practised in both.")
    return f"{text} {attention_sentence(team)}"


def left_off(team: Attending) -> int:
    """High-severity reps not on the shortlist: left off by its cap alone, said under it."""
    return sum(1 for r in team.watchlist if r.severity >= 3)


def criterion_spans(team: TeamView) -> tuple[CriterionSpan, ...]:
    spans: list[CriterionSpan] = []
    for criterion, _ in team.items:
        if spans and spans[-1].criterion == criterion:
            spans[-1] = CriterionSpan(criterion, spans[-1].span + 1)
        else:
            spans.append(CriterionSpan(criterion, 1))
    return tuple(spans)


def _team_document(report: ReportView | ProgramReportView, team: Attending,
                   renderer: PdfRenderer, scope: str) -> dict[str, Any]:
    """What a team report shares with every team report, of a scenario or a program
    (``scope`` names it: "scenario Procurement Discovery")."""
    options = renderer.options
    brand = options.branding
    manager = team.manager
    return {
        "report": report,
        "team": team,
        "company": brand.company,
        "logo_url": renderer.assets.logo_url,
        "doc_type": "Team report",
        "heading": team.name,
        "subheading": f"Manager: {manager.name or manager.email}" if manager else None,
        "confidential": "Confidential: for the team's manager",
        "author": brand.company or report.workspace_name,
        "description": f"Roleplay training team report for {team.name}, {scope}, "
                       f"period {report.period.prose}",
        "created": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "language": options.language,
        "previous": report.previous_period,
        "severity_labels": SEVERITY_LABELS,
        "talking": {rep.slug: talking_point(rep) for rep in team.needs_attention},
        "left_off": left_off(team),
        "max_shortlist": MAX_SHORTLIST,
        "shortlist_severity": SEVERITY_LABELS[SHORTLIST_SEVERITY].lower(),
        "theme_min_sessions": MIN_THEME_SESSIONS,
        "theme_min_reps": MIN_THEME_REPS,
        "theme_quote_chars": THEME_QUOTE_CHARS,
        "theme_why_chars": THEME_WHY_CHARS,
        "weak_line": fmt_weak_item,
        "label": team.label,
        "status_label": fmt_assignment_status,
        "step_chars": STEP_CHARS,
    }


def build_team_context(report: ReportView, team: TeamView,
                       renderer: PdfRenderer) -> dict[str, Any]:
    """Everything the team templates print, already chosen and ordered."""
    team, hidden_items = team_rubric_shown(team)
    brand = renderer.options.branding
    period = report.period
    heading = change_heading(report)
    changes = {rep.slug: vs_previous(rep.comparison) for rep in team.reps}
    return {
        **_team_document(report, team, renderer, f"scenario {report.scenario.name}"),
        "title": f"Team report: {team.name}: {report.scenario.name} ({period.prose})",
        "summary": team_summary(team, report),
        "change_heading": heading,
        "steps": {rep.slug: step_text(rep) for rep in team.reps},
        "attention_scope": "",
        "attention_columns": (("num", "Best"), ("num", "Latest"), ("num vs", heading)),
        "attention_cells": {rep.slug: (fmt_score(rep.best_score), fmt_score(rep.latest_score),
                                       changes[rep.slug]) for rep in team.shortlist},
        "exec_url": report.scenario.url,
        "vs_previous": changes,
        "spans": criterion_spans(team),
        "bands": {row.slug: tuple(share_band(c) for c in row.cells) for row in team.heatmap},
        "min_cell_sessions": MIN_CELL_SESSIONS,
        "hidden_items": hidden_items,
        "distribution_chart": Markup(charts.comparison_histogram(
            team.best_scores, report.cohort.best_scores, brand.accent)),
        "distribution_alt": charts.comparison_description(team.best_scores,
                                                          report.cohort.best_scores),
        "point_count": fmt_point_count,
    }


def team_html(renderer: PdfRenderer, report: ReportView, team: TeamView) -> str:
    with template_errors():
        return renderer.env.get_template(TEAM_TEMPLATE).render(
            **build_team_context(report, team, renderer))


def render_team(renderer: PdfRenderer, report: ReportView, team: TeamView) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the team report."""
    return renderer.pdf(team_html(renderer, report, team))


# -- a program's team report ---------------------------------------------------------------

PROGRAM_TEAM_TEMPLATE = "team/program.html"
#: A matrix cell's first line where it shows no best score (analytics.program_team.CELL_STATES).
CELL_LABELS = {"no_valid": "No valid attempt", "not_practised": "Not practised",
               "not_assigned": "Not assigned"}
#: Assignment statuses still open: the matrix gives their due date.
OPEN_STATUSES = ("not_started", "in_progress")


def program_step_text(rep: ProgramRepView) -> str | None:
    """The rep's one next step for the program, the one their own report leads with
    (``ProgramRepView.step_text``, built once by ``analytics.program``)."""
    return rep.step_text


def cell_status(cell: ProgramCell) -> str:
    """A matrix cell's status line: Exec's status, with the due date while it is open
    ("In progress, due Oct 30"); "No assignment" without one; "" for a scenario neither
    practised nor assigned (its first line says so)."""
    if cell.state == "not_assigned":
        return ""
    label = fmt_assignment_status(cell.status or "none") or ""
    if cell.due is not None and cell.status in OPEN_STATUSES:
        label += f", due {fmt_short_day(cell.due)}"
    return label


def tier_band(row: SkillRow) -> str:
    """The heatmap cell's CSS class: Exec's tier, "none" with no observation (or a tier this
    version does not know)."""
    return row.tier if row.tier in TIERS else "none"


def tier_legend() -> tuple[tuple[str, str, str], ...]:
    """(band, label, what it means) for each tier the heatmap can show, best first."""
    scored = [(tier, fmt_tier(tier), f"{threshold:.0f} or more")
              for tier, threshold in TIER_THRESHOLDS]
    lowest = TIER_THRESHOLDS[-1][1]
    return (*scored, ("needs_work", fmt_tier("needs_work"), f"below {lowest:.0f}"),
            ("insufficient_data", fmt_tier("insufficient_data"),
             f"fewer than {MIN_OBSERVATIONS} observations, no score"),
            ("none", fmt_tier(None), "none at all"))


def tier_totals(team: ProgramTeamView) -> tuple[TierCount, ...]:
    """Every rep x skill proficiency of the team at each tier that carries a score."""
    totals: dict[str | None, int] = {}
    for counts in team.tiers:
        for c in counts:
            totals[c.tier] = totals.get(c.tier, 0) + c.count
    return tuple(TierCount(t, totals.get(t, 0)) for t in SCORED_TIERS)


def program_team_summary(team: ProgramTeamView, report: ProgramReportView) -> str:
    """The team in a sentence or two: how many practised every scenario, some, none; then who
    is on the 1:1 shortlist and how many to keep an eye on."""
    n, k = len(team.reps), len(team.scenarios)
    every = "the scenario" if k == 1 else f"all {k} scenarios"
    text = f"{team.coverage['all']} of {_plural(n)} practised {every} in {report.period.prose}"
    if team.coverage["some"]:
        text += f", {team.coverage['some']} some of them"
    if team.coverage["none"]:
        text += f", {team.coverage['none']} none"
    return f"{text}. {attention_sentence(team)}"


def build_program_team_context(report: ProgramReportView, team: ProgramTeamView,
                               renderer: PdfRenderer) -> dict[str, Any]:
    """Everything the program team templates print, already chosen and ordered. Reads the
    report's header only (program, period, scenarios, skills, dates): the reps are the
    team's, so a caller may send the report without its reps or its parts' reps."""
    name = report.program.name
    return {
        **_team_document(report, team, renderer, f"program {name}"),
        "scope_name": name,
        "scope_url": None,
        "title": f"Team report: {team.name}: {name} ({report.period.prose})",
        "summary": program_team_summary(team, report),
        "steps": {rep.slug: program_step_text(rep) for rep in team.reps},
        "attention_scope": " across the program's scenarios",
        "attention_columns": (("num vs", "Practised"),),
        "attention_cells": {rep.slug: (f"{len(rep.practised)} of {len(rep.rows)}",)
                            for rep in team.shortlist},
        "skill_themes": tuple(t for t in team.themes if t.kind == "skill"),
        "item_themes": tuple(t for t in team.themes if t.kind == "item" and t.weak),
        "cell_said": {row.slug: tuple(CELL_LABELS.get(c.state, "") for c in row.cells)
                      for row in team.matrix},
        "cell_status": {row.slug: tuple(cell_status(c) for c in row.cells)
                        for row in team.matrix},
        "tier_bands": {row.slug: tuple(tier_band(c) for c in row.cells)
                       for row in team.skill_heatmap},
        "tier_label": fmt_tier,
        "tier_legend": tier_legend(),
        "tier_totals": tier_totals(team),
        "as_of": fmt_day(report.period.end),
    }


def program_team_html(renderer: PdfRenderer, report: ProgramReportView,
                      team: ProgramTeamView) -> str:
    with template_errors():
        return renderer.env.get_template(PROGRAM_TEAM_TEMPLATE).render(
            **build_program_team_context(report, team, renderer))


def render_program_team(renderer: PdfRenderer, report: ProgramReportView,
                        team: ProgramTeamView) -> tuple[bytes, int]:
    """(PDF bytes, page count) of a program's team report."""
    return renderer.pdf(program_team_html(renderer, report, team))
