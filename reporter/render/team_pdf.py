"""The team report (``team.pdf``): a manager's month on a few printed pages.

Page 1: the team in numbers, the 1:1 shortlist (at most five reps, each with a talking
point: the reason in plain words and the rep's next step from their own coaching plan), what
to coach the team on (with a moment from a call), and, in smaller type, the reps to keep an
eye on; then the leaderboard with the team's best scores against everyone who practised;
then the rubric across reps. Same layout, stylesheet, fonts and renderer as the rep's report
(``reporter.render.pdf``); like it, every choice is made here and the templates only format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reporter.analytics.attention import MAX_SHORTLIST, SHORTLIST_SEVERITY, talking_point
from reporter.analytics.team import MIN_CELL_SESSIONS, MIN_THEME_REPS, MIN_THEME_SESSIONS
from reporter.format import (
    NEW_REP_LABEL,
    SEVERITY_LABELS,
    fmt_assignment_status,
    fmt_item,
    fmt_point_count,
    fmt_points,
    fmt_score,
)
from reporter.render import charts
from reporter.render.pdf import PdfRenderer
from reporter.render.templates import template_errors
from reporter.views import Comparison, ReportView, RepView, TeamCell, TeamView

TEAM_TEMPLATE = "report/team.html"
#: A heatmap cell's colour by the share graded good: at least 2/3 good, at least 1/3 mid.
SHARE_BANDS: tuple[tuple[float, str], ...] = ((2 / 3, "good"), (1 / 3, "mid"), (0.0, "bad"))
STEP_CHARS = 110
#: How long a coaching theme's quote, why and phrasing may run on page 1.
THEME_QUOTE_CHARS = 130
THEME_WHY_CHARS = 130
QUOTE_MARKS = "\"“”'"
#: The next step of a rep with no valid attempt, as their own report says it.
FIRST_ATTEMPT_STEP = "Complete one full, graded roleplay"


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
    """The rep's next step on one line: "Discovery › Budget: try “…”"; without a phrasing
    to try, the evaluator's feedback it rests on; "Keep doing: …" for a rep never graded
    below good; FIRST_ATTEMPT_STEP for a rep without a valid attempt."""
    step = rep.coaching.next_step
    if step is None:
        # The rep's own report gives one next step without a graded attempt: the first one.
        return FIRST_ATTEMPT_STEP if not rep.has_valid_attempt else None
    label = fmt_item(step.criterion, step.item)
    if step.kind == "keep":
        return f"Keep doing: {label}"
    if step.try_instead:
        phrase = step.try_instead.strip().strip(QUOTE_MARKS)
        return f"{label}: try “{phrase}”"
    return f"{label}: {' '.join(step.why.split())}" if step.why else label


def team_summary(team: TeamView, report: ReportView) -> str:
    """The team in one sentence (or three short ones): who practised, the average best and
    its change, who is on the 1:1 shortlist and how many to keep an eye on."""
    n = len(team.reps)
    period = report.period.prose
    text = (f"{team.with_valid} of {n} rep{'' if n == 1 else 's'} "
            f"{'has' if team.with_valid == 1 else 'have'} a valid attempt in {period}")
    if team.average_best is not None:
        text += f", with an average best of {fmt_score(team.average_best)}"
    text += "."
    if team.average_change is not None and report.previous_period is not None:
        text += (f" Against {report.previous_period.prose}, best scores moved "
                 f"{fmt_points(team.average_change)} on average for the {team.compared} "
                 f"rep{'' if team.compared == 1 else 's'} who practised in both.")
    if team.shortlist:
        count = len(team.shortlist)
        text += f" {count} rep{'' if count == 1 else 's'} for a 1:1"
        watch = len(team.watchlist)
        text += (f", {watch} more to keep an eye on." if watch else ".")
    elif team.watchlist:
        watch = len(team.watchlist)
        text += (f" Nobody needs a 1:1; {watch} rep{'' if watch == 1 else 's'} to keep an "
                 "eye on.")
    else:
        text += " Nobody needs attention this time."
    return text


def left_off(team: TeamView) -> int:
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


def build_team_context(report: ReportView, team: TeamView,
                       renderer: PdfRenderer) -> dict[str, Any]:
    """Everything the team templates print, already chosen and ordered."""
    options = renderer.options
    brand = options.branding
    period = report.period
    title = f"Team report: {team.name}: {report.scenario.name} ({period.prose})"
    manager = team.manager
    return {
        "report": report,
        "team": team,
        "company": brand.company,
        "logo_url": renderer.assets.logo_url,
        "title": title,
        "doc_type": "Team report",
        "heading": team.name,
        "subheading": f"Manager: {manager.name or manager.email}" if manager else None,
        "confidential": "Confidential: for the team's manager",
        "author": brand.company or report.workspace_name,
        "description": f"Roleplay training team report for {team.name}, scenario "
                       f"{report.scenario.name}, period {period.prose}",
        "created": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "language": options.language,
        "summary": team_summary(team, report),
        "previous": report.previous_period,
        "change_heading": change_heading(report),
        "severity_labels": SEVERITY_LABELS,
        "steps": {rep.slug: step_text(rep) for rep in team.reps},
        "talking": {rep.slug: talking_point(rep) for rep in team.needs_attention},
        "left_off": left_off(team),
        "max_shortlist": MAX_SHORTLIST,
        "shortlist_severity": SEVERITY_LABELS[SHORTLIST_SEVERITY].lower(),
        "theme_min_sessions": MIN_THEME_SESSIONS,
        "theme_min_reps": MIN_THEME_REPS,
        "theme_quote_chars": THEME_QUOTE_CHARS,
        "theme_why_chars": THEME_WHY_CHARS,
        "label": team.label,
        "exec_url": report.scenario.url,
        "vs_previous": {rep.slug: vs_previous(rep.comparison) for rep in team.reps},
        "status_label": fmt_assignment_status,
        "spans": criterion_spans(team),
        "bands": {row.slug: tuple(share_band(c) for c in row.cells) for row in team.heatmap},
        "min_cell_sessions": MIN_CELL_SESSIONS,
        "step_chars": STEP_CHARS,
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
