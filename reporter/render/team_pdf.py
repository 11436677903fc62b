"""The team report (``team.pdf``): a manager's month on a few printed pages.

Page 1: the team in numbers, the 1:1 shortlist (at most five reps, each with a talking
point: the reason in plain words and the rep's next step from their own coaching plan), what
to coach the team on (with a moment from a call), and, in smaller type, the reps to keep an
eye on. Then a single scenario's run (``TeamView.single``) has the leaderboard with the
team's best scores against everyone who practised, and the rubric across reps; a program's
has the rep x scenario matrix and the rep x skill heatmap of Exec's tiers (its page 1 across
the program's scenarios: the shortlist's reasons and next steps each name their scenario,
what to coach is skills and rubric items, each item with its scenario). One context
(``TeamContext``), one template (``team/report.html``) that draws what the data holds. Same
layout, stylesheet, fonts and renderer as the rep's report (``reporter.render.pdf``); like it,
every choice is made here and the templates only format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from babel.dates import format_skeleton
from markupsafe import Markup

from reporter.analytics.attention import (
    MAX_SHORTLIST,
    SHORTLIST_SEVERITY,
    Attending,
    left_off,
    talking_point,
    watch_named,
    watch_unnamed,
)
from reporter.analytics.bounds import team_rubric_shown
from reporter.analytics.coaching import STEP_CHARS
from reporter.analytics.team import (
    MIN_CELL_SESSIONS,
    MIN_THEME_REPS,
    MIN_THEME_SESSIONS,
    SCORED_TIERS,
)
from reporter.format import (
    NEW_REP_LABEL,
    SEVERITY_LABELS,
    fmt_assignment_status,
    fmt_counted_status,
    fmt_day,
    fmt_points,
    fmt_score,
    fmt_short_day,
    fmt_tier,
    fmt_weak_item,
)
from reporter.i18n import N_, active, document_tag, full_stop, gettext, ngettext, sentences
from reporter.ranks import MIN_OBSERVATIONS, TIER_THRESHOLDS, TIERS
from reporter.render import charts
from reporter.render.pdf import PdfRenderer
from reporter.render.templates import template_errors
from reporter.views import (
    CohortView,
    Comparison,
    PeriodInfo,
    ProgramCell,
    ProgramReportView,
    ProgramRepView,
    ProgramTheme,
    ReportView,
    ScenarioTeamView,
    SkillRow,
    StatusCount,
    TeamCell,
    TeamView,
    TierCount,
    WeakItem,
)

TEAM_TEMPLATE = "team/report.html"
#: A heatmap cell's colour by the share graded good: at least 2/3 good, at least 1/3 mid.
SHARE_BANDS: tuple[tuple[float, str], ...] = ((2 / 3, "good"), (1 / 3, "mid"), (0.0, "bad"))
#: How long a coaching theme's quote, why and phrasing may run on page 1.
THEME_QUOTE_CHARS = 130
THEME_WHY_CHARS = 130
#: A severity as a word inside a sentence ("each with a medium or high reason").
SEVERITY_WORDS = {
    # Translators: a reason's severity inside a sentence: "each with a high reason".
    3: N_("high"),
    # Translators: a reason's severity inside a sentence: "each with a medium or high reason".
    2: N_("medium"),
    # Translators: a reason's severity inside a sentence: "each with a low reason".
    1: N_("low"),
}


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
        return gettext(NEW_REP_LABEL)
    return fmt_points(comparison.change) if comparison.change is not None else "–"


def change_heading(report: ReportView) -> str:
    """The heading of the change-against-last-period column: "vs Sep 2026", or "Change"
    when nothing was compared."""
    previous = report.previous_period
    if not previous:
        return gettext("Change")
    # Translators: a table column's heading: the change against a past month; %(month)s is
    # a month and year like "Sep 2026".
    return gettext("vs %(month)s", month=_month(previous.start))


def _month(moment: datetime) -> str:
    """A month and year in the active language, abbreviated ("Sep 2026" in English): the
    moment's own calendar day (a date, so no time zone moves it)."""
    return format_skeleton("yMMM", moment.date(), locale=active().locale)


def attention_sentence(team: Attending) -> str:
    """Who is on the 1:1 shortlist and how many to keep an eye on, in a sentence."""
    watch = len(team.watchlist)
    if team.shortlist:
        if watch:
            # Translators: %(num)s reps are on the 1:1 shortlist; %(watch)s more reps are on
            # the "keep an eye on" list.
            return ngettext("%(num)s rep for a 1:1, %(watch)s more to keep an eye on.",
                            "%(num)s reps for a 1:1, %(watch)s more to keep an eye on.",
                            len(team.shortlist), watch=watch)
        return ngettext("%(num)s rep for a 1:1.", "%(num)s reps for a 1:1.",
                        len(team.shortlist))
    if watch:
        return ngettext("Nobody needs a 1:1; %(num)s rep to keep an eye on.",
                        "Nobody needs a 1:1; %(num)s reps to keep an eye on.", watch)
    return gettext("Nobody needs attention this time.")


def team_summary(team: TeamView, report: ProgramReportView) -> str:
    """The team in one sentence (or three short ones). A single scenario's team: who
    practised, the average best and its change; a program's: how many practised every
    scenario, some, none. Then who is on the 1:1 shortlist and how many to keep an eye on."""
    part, single = team.single, report.single
    if part is None or single is None:
        return _coverage_summary(team, report)
    n, valid = len(part.reps), part.with_valid
    period = report.period.prose
    # Translators: %(num)s of the team's reps (%(reps)s in all) have a valid
    # attempt at the scenario in %(period)s (a month like "November 2026"); %(best)s is
    # their average best score, like "78.4".
    if part.average_best is None:
        text = (ngettext("%(num)s of 1 rep has a valid attempt in %(period)s.",
                         "%(num)s of 1 rep have a valid attempt in %(period)s.",
                         valid, period=period)
                if n == 1 else
                ngettext("%(num)s of %(reps)s reps has a valid attempt in %(period)s.",
                         "%(num)s of %(reps)s reps have a valid attempt in %(period)s.",
                         valid, reps=n, period=period))
    else:
        best = fmt_score(part.average_best)
        text = (ngettext("%(num)s of 1 rep has a valid attempt in %(period)s, with an "
                         "average best of %(best)s.",
                         "%(num)s of 1 rep have a valid attempt in %(period)s, with an "
                         "average best of %(best)s.",
                         valid, period=period, best=best)
                if n == 1 else
                ngettext("%(num)s of %(reps)s reps has a valid attempt in %(period)s, with an "
                         "average best of %(best)s.",
                         "%(num)s of %(reps)s reps have a valid attempt in %(period)s, with an "
                         "average best of %(best)s.",
                         valid, reps=n, period=period, best=best))
    if part.average_change is not None and single.previous_period is not None:
        # Translators: %(previous)s is the month compared with ("October 2026"); %(change)s
        # the average change of best scores in points, like "+3.0"; %(num)s reps practised
        # in both months.
        text = sentences(text, ngettext(
            "Against %(previous)s, best scores moved %(change)s on average for the %(num)s "
            "rep who practised in both.",
            "Against %(previous)s, best scores moved %(change)s on average for the %(num)s "
            "reps who practised in both.",
            part.compared, previous=single.previous_period.prose,
            change=fmt_points(part.average_change)))
    return sentences(text, attention_sentence(team))


def _coverage_summary(team: TeamView, report: ProgramReportView) -> str:
    """A program team in a sentence or two: how many have a valid attempt in every scenario,
    some, none (``ProgramRepView.coverage``); then who is on the 1:1 shortlist and how many
    to keep an eye on."""
    n, k = len(team.reps), len(team.scenarios)
    every, some, none = team.coverage["all"], team.coverage["some"], team.coverage["none"]
    period = report.period.prose
    # Translators: %(num)s of the team's reps (%(reps)s in all) have a valid
    # attempt in every one of the program's scenarios (%(scenarios)s) in %(period)s (a
    # month like "November 2026"). A clause: a sentence around it may add how many
    # practised some of the scenarios or none.
    if n == 1:
        clause = (ngettext("%(num)s of 1 rep has a valid attempt in the scenario in %(period)s",
                           "%(num)s of 1 rep have a valid attempt in the scenario in %(period)s",
                           every, period=period)
                  if k == 1 else
                  ngettext("%(num)s of 1 rep has a valid attempt in all %(scenarios)s "
                           "scenarios in %(period)s",
                           "%(num)s of 1 rep have a valid attempt in all %(scenarios)s "
                           "scenarios in %(period)s",
                           every, scenarios=k, period=period))
    else:
        clause = (ngettext("%(num)s of %(reps)s reps has a valid attempt in the scenario in "
                           "%(period)s",
                           "%(num)s of %(reps)s reps have a valid attempt in the scenario in "
                           "%(period)s",
                           every, reps=n, period=period)
                  if k == 1 else
                  ngettext("%(num)s of %(reps)s reps has a valid attempt in all %(scenarios)s "
                           "scenarios in %(period)s",
                           "%(num)s of %(reps)s reps have a valid attempt in all %(scenarios)s "
                           "scenarios in %(period)s",
                           every, reps=n, scenarios=k, period=period))
    # Translators: ends the sentence above (%(clause)s): %(some)s more reps
    # have a valid attempt in some of the scenarios, %(none)s in none of them.
    if some and none:
        text = gettext("%(clause)s, %(some)s in some of them, %(none)s in none.",
                       clause=clause, some=some, none=none)
    elif some:
        text = gettext("%(clause)s, %(some)s in some of them.", clause=clause, some=some)
    elif none:
        text = gettext("%(clause)s, %(none)s in none.", clause=clause, none=none)
    else:
        text = full_stop(clause)
    return sentences(text, attention_sentence(team))


def criterion_spans(team: ScenarioTeamView) -> tuple[CriterionSpan, ...]:
    spans: list[CriterionSpan] = []
    for criterion, _ in team.items:
        if spans and spans[-1].criterion == criterion:
            spans[-1] = CriterionSpan(criterion, spans[-1].span + 1)
        else:
            spans.append(CriterionSpan(criterion, 1))
    return tuple(spans)


@dataclass(frozen=True)
class TeamContext:
    """Everything the team report's templates print, already chosen and ordered: the fields
    are the template's names (``team/report.html`` and its partials in ``team/``).

    ``part`` decides what is drawn: the team in the run's one scenario (a single-scenario run:
    its numbers, leaderboard, distribution and rubric, with the fields under "a single
    scenario's team"), or None (a program: its matrix and skills, with the fields under "a
    program's team"). The other kind's fields keep their empty defaults."""

    # the document, as base.html and header.html print it
    report: ProgramReportView  # the run's header: program, period, scenarios, skills, dates
    team: TeamView
    """the team: its reps, its attention lists, each scenario's section or the program's"""
    title: str
    """the document's title (PDF metadata and the browser tab)"""
    heading: str
    """the page header's big line: the team's name"""
    subheading: str | None
    """the manager's name or address, when the team has one"""
    doc_type: str
    """"Team report", the header's kicker"""
    confidential: str
    """the footer's confidentiality line"""
    author: str
    """the PDF's author: the company, else the workspace"""
    description: str
    """the PDF's subject line"""
    created: str  # ISO 8601, UTC
    language: str
    """the PDF's /Lang and the HTML's lang"""
    company: str | None
    """the company name from [branding], when set"""
    logo_url: str | None
    """the logo's URL from [branding], when set"""
    scope_name: str  # the scenario's name, or the program's
    # page 1: the numbers, the 1:1 shortlist, what to coach, who to keep an eye on
    summary: str
    """the team in a sentence or two, page 1's lead"""
    previous: PeriodInfo | None
    """the period compared with, when one was"""
    severity_labels: Mapping[int, str]
    """severity (1-3) -> its label ("High")"""
    talking: dict[str, str | None]  # slug -> the talking point
    steps: dict[str, str | None]  # slug -> the next step
    left_off: int
    """reps with a shortlist-severe reason left off the shortlist (its cap), said under it"""
    watch_named: tuple[ProgramRepView, ...]
    """the reps to keep an eye on named in the PDF (the most urgent, MAX_WATCHLIST at most)"""
    watch_unnamed: int
    """the reps to keep an eye on counted, not named ("and 12 more")"""
    workbook: bool
    """the run writes workbooks: the count says the rest are listed there"""
    max_shortlist: int
    """the 1:1 shortlist's cap"""
    shortlist_severity: str
    """the severity a rep needs for the shortlist, in words"""
    theme_min_sessions: int
    """sessions a rubric item needs before it can be a theme"""
    theme_min_reps: int
    """reps a rubric item needs before it can be a theme"""
    theme_quote_chars: int
    """a theme's quote is cut to this many characters"""
    theme_why_chars: int
    """a theme's why is cut to this many characters"""
    step_chars: int
    """a rep's next step is cut to this many characters in the lists"""
    label: Callable[[ProgramRepView], str]
    """a rep -> the name the lists show (disambiguated when two share one)"""
    status_label: Callable[[str], str | None]
    """an assignment status code -> its label ("In progress")"""
    counted_status: Callable[[str], str]
    """an assignment status code -> its words after a count ("5 in progress")"""
    weak_line: Callable[[WeakItem], str]
    """a weak item -> its one line ("graded mid or bad in 7 of 12 sessions")"""
    # what page 1 says of the team's assignments and of each shortlisted rep: a single
    # scenario's team's (best, latest, change), or a program's (scenarios practised)
    scope_url: str | None = None  # the scenario in Exec (a single scenario's run)
    statuses: tuple[StatusCount, ...] = ()
    """the team's assignments by status (a program: every rep x scenario)"""
    attention_scope: str = ""
    """" across the program's scenarios" in a program, else empty"""
    attention_columns: tuple[tuple[str, str], ...] = ()  # (css class, heading)
    attention_cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """slug -> a shortlisted rep's figures, under attention_columns"""
    # a single scenario's team: its sections
    part: ScenarioTeamView | None = None
    """the team in the run's one scenario; None in a program"""
    cohort: CohortView | None = None  # everyone who practised the scenario
    change_heading: str = "Change"
    """the change column's heading ("vs October 2026")"""
    vs_previous: dict[str, str] = field(default_factory=dict)  # slug -> "+3.0", "New", "–"
    spans: tuple[CriterionSpan, ...] = ()
    """the rubric heatmap's criterion headings, each with the items it spans"""
    bands: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """slug -> each heatmap cell's band class (good share), in item order"""
    min_cell_sessions: int = MIN_CELL_SESSIONS
    """a heatmap cell with fewer sessions is shown faint"""
    hidden_items: int = 0
    """rubric items left out of the heatmap (the workbook has them all)"""
    distribution_chart: Markup = Markup("")
    """the team's best scores beside everyone's, as inline SVG"""
    distribution_alt: str = ""
    """that chart in words, for screen readers"""
    # a program's team: the matrix, the skills, its themes
    skill_themes: tuple[ProgramTheme, ...] = ()
    """the program's skills to coach the team on"""
    item_themes: tuple[ProgramTheme, ...] = ()
    """the program's rubric items to coach the team on, each with its moment"""
    cell_said: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """slug -> each matrix cell's words ("Met", "Not started"), scenario order"""
    cell_status: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """slug -> each matrix cell's status class, scenario order"""
    tier_bands: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """slug -> each skill cell's tier class, skill order"""
    tier_label: Callable[[str | None], str] = fmt_tier
    """a tier code -> its label"""
    tier_legend: tuple[tuple[str, str, str], ...] = ()
    """(tier, label, css class) for the skills table's legend"""
    tier_totals: tuple[TierCount, ...] = ()
    """how many reps sit in each tier, across the team's skills"""
    as_of: str = ""
    """the day the skills' proficiency is as of (the period's last day)"""

    def names(self) -> dict[str, Any]:
        """The fields as the template's names (shallow: the views are passed as they are)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def build_team_context(report: ProgramReportView, team: TeamView,
                       renderer: PdfRenderer) -> TeamContext:
    """Everything the team templates print, already chosen and ordered. Reads the report's
    header only (program, period, scenarios, skills, each scenario's cohort, dates): the reps
    are the team's, so a caller may send the report without its reps or its parts' reps."""
    options = renderer.options
    brand = options.branding
    manager = team.manager
    single = report.single
    part = team.single
    name = report.program.name  # a single scenario's run: the scenario's name
    period = report.period.prose
    # Translators: the PDF's subject line: %(team)s is the team's name, %(name)s the
    # scenario's (or the program's), %(period)s a month like "November 2026".
    description = (gettext("Roleplay training team report for %(team)s, scenario %(name)s, "
                           "period %(period)s", team=team.name, name=name, period=period)
                   if single is not None else
                   gettext("Roleplay training team report for %(team)s, program %(name)s, "
                           "period %(period)s", team=team.name, name=name, period=period))
    base = TeamContext(
        report=report, team=team,
        # Translators: the document's title: %(team)s is the team's name, %(name)s the
        # scenario's or program's, %(period)s a month like "November 2026".
        title=gettext("Team report: %(team)s: %(name)s (%(period)s)", team=team.name,
                      name=name, period=period),
        heading=team.name,
        subheading=(gettext("Manager: %(manager)s", manager=manager.name or manager.email)
                    if manager else None),
        doc_type=gettext("Team report"),
        confidential=gettext("Confidential: for the team's manager"),
        author=brand.company or report.workspace_name,
        description=description,
        created=report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        language=document_tag(options.language),
        company=brand.company,
        logo_url=renderer.assets.logo_url,
        scope_name=name,
        summary=team_summary(team, report),
        previous=report.previous_period,
        severity_labels={k: gettext(v) for k, v in SEVERITY_LABELS.items()},
        talking={rep.slug: talking_point(rep) for rep in team.needs_attention},
        steps={rep.slug: rep.step_text for rep in team.reps},
        left_off=left_off(team),
        watch_named=watch_named(team.watchlist),
        watch_unnamed=watch_unnamed(team.watchlist),
        workbook=options.workbook,
        max_shortlist=MAX_SHORTLIST,
        shortlist_severity=gettext(SEVERITY_WORDS[SHORTLIST_SEVERITY]),
        theme_min_sessions=MIN_THEME_SESSIONS,
        theme_min_reps=MIN_THEME_REPS,
        theme_quote_chars=THEME_QUOTE_CHARS,
        theme_why_chars=THEME_WHY_CHARS,
        step_chars=STEP_CHARS,
        label=team.label,
        status_label=fmt_assignment_status,
        counted_status=fmt_counted_status,
        weak_line=fmt_weak_item,
    )
    if part is not None and single is not None:
        return _scenario_sections(base, single, part, renderer)
    return _matrix_sections(base, report, team)


def _scenario_sections(base: TeamContext, report: ReportView, part: ScenarioTeamView,
                       renderer: PdfRenderer) -> TeamContext:
    """A single scenario's team: its figures on page 1, the leaderboard, the distribution
    against everyone who practised, the rubric across reps."""
    part, hidden_items = team_rubric_shown(part)
    heading = change_heading(report)
    changes = {rep.slug: vs_previous(rep.comparison) for rep in part.reps}
    return replace(
        base,
        scope_url=report.scenario.url,
        statuses=part.statuses,
        attention_scope="",
        attention_columns=(("num", gettext("Best")), ("num", gettext("Latest")),
                           ("num vs", heading)),
        attention_cells={rep.slug: (fmt_score(rep.best_score), fmt_score(rep.latest_score),
                                    changes[rep.slug])
                         for rep in part.shortlist},
        part=part,
        cohort=report.cohort,
        change_heading=heading,
        vs_previous=changes,
        spans=criterion_spans(part),
        bands={row.slug: tuple(share_band(c) for c in row.cells) for row in part.heatmap},
        hidden_items=hidden_items,
        distribution_chart=Markup(charts.comparison_histogram(
            part.best_scores, report.cohort.best_scores, renderer.options.branding.accent)),
        distribution_alt=charts.comparison_description(part.best_scores,
                                                       report.cohort.best_scores),
    )


def _matrix_sections(base: TeamContext, report: ProgramReportView,
                     team: TeamView) -> TeamContext:
    """A program's team: coverage on page 1, its themes, the matrix and the skills."""
    return replace(
        base,
        scope_url=None,
        statuses=team.statuses,
        attention_scope=" across the program's scenarios",
        attention_columns=(("num vs", gettext("Practised")),),
        # Translators: how many of the program's scenarios a rep practised: "2 of 3".
        attention_cells={rep.slug: (gettext("%(practised)s of %(scenarios)s",
                                            practised=len(rep.practised),
                                            scenarios=len(rep.rows)),)
                         for rep in team.shortlist},
        skill_themes=tuple(t for t in team.themes if t.kind == "skill"),
        item_themes=tuple(t for t in team.themes if t.kind == "item" and t.weak),
        cell_said={row.slug: tuple(gettext(CELL_LABELS[c.state]) if c.state in CELL_LABELS
                                   else "" for c in row.cells)
                   for row in team.matrix},
        cell_status={row.slug: tuple(cell_status(c) for c in row.cells)
                     for row in team.matrix},
        tier_bands={row.slug: tuple(tier_band(c) for c in row.cells)
                    for row in team.skill_heatmap},
        tier_legend=tier_legend(),
        tier_totals=tier_totals(team),
        as_of=fmt_day(report.period.last_day),
    )


def team_html(renderer: PdfRenderer, report: ProgramReportView, team: TeamView) -> str:
    with template_errors():
        return renderer.env.get_template(TEAM_TEMPLATE).render(
            **build_team_context(report, team, renderer).names())


def render_team(renderer: PdfRenderer, report: ProgramReportView,
                team: TeamView) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the team report."""
    return renderer.pdf(team_html(renderer, report, team))


# -- a program's matrix and skills --------------------------------------------------------

#: A matrix cell's first line where it shows no best score (analytics.team.CELL_STATES).
CELL_LABELS = {"no_valid": N_("No valid attempt"), "not_practised": N_("Not practised"),
               "not_assigned": N_("Not assigned")}
#: Assignment statuses still open: the matrix gives their due date.
OPEN_STATUSES = ("not_started", "in_progress")


def cell_status(cell: ProgramCell) -> str:
    """A matrix cell's status line: Exec's status, with the due date while it is open
    ("In progress, due Oct 30"); "No assignment" without one; "" for a scenario neither
    practised nor assigned (its first line says so)."""
    if cell.state == "not_assigned":
        return ""
    label = fmt_assignment_status(cell.status or "none") or ""
    if cell.due is not None and cell.status in OPEN_STATUSES:
        # Translators: an assignment's status ("In progress") and its due date ("Oct 30").
        return gettext("%(status)s, due %(day)s", status=label, day=fmt_short_day(cell.due))
    return label


def tier_band(row: SkillRow) -> str:
    """The heatmap cell's CSS class: Exec's tier, "none" with no observation (or a tier this
    version does not know)."""
    return row.tier if row.tier in TIERS else "none"


def tier_legend() -> tuple[tuple[str, str, str], ...]:
    """(band, label, what it means) for each tier the heatmap can show, best first."""
    # Translators: a skill tier's legend: a proficiency score of %(score)s or more.
    scored = [(tier, fmt_tier(tier), gettext("%(score)s or more", score=format(threshold, ".0f")))
              for tier, threshold in TIER_THRESHOLDS]
    lowest = TIER_THRESHOLDS[-1][1]
    return (*scored,
            # Translators: a skill tier's legend: a proficiency score below %(score)s.
            ("needs_work", fmt_tier("needs_work"), gettext("below %(score)s",
                                                           score=format(lowest, ".0f"))),
            ("insufficient_data", fmt_tier("insufficient_data"),
             ngettext("fewer than %(num)s observation, no score",
                      "fewer than %(num)s observations, no score", MIN_OBSERVATIONS)),
            # Translators: a skill tier's legend: no proficiency observation at all.
            ("none", fmt_tier(None), gettext("none at all")))


def tier_totals(team: TeamView) -> tuple[TierCount, ...]:
    """Every rep x skill proficiency of the team at each tier that carries a score."""
    totals: dict[str | None, int] = {}
    for counts in team.tiers:
        for c in counts:
            totals[c.tier] = totals.get(c.tier, 0) + c.count
    return tuple(TierCount(t, totals.get(t, 0)) for t in SCORED_TIERS)


