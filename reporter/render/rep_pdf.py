"""A rep's report: one PDF, drawn one way for a single-scenario run and a program run.

A run is a program of one or more scenarios (a single-scenario run is the program of its one
scenario, ``analytics.program.of_scenario``), and its rep's report is drawn from that run's
``ProgramReportView`` and the rep's ``ProgramRepView`` by one context builder
(:func:`rep_context`) and one template (``rep/report.html``), which decides from the data:

- a program run (``overview``): page 1 is the program at a glance (a row per scenario: best
  and rank, change against the previous period, valid attempts, the assignment's target,
  Exec's status and due date; the rep's skills as Exec's proficiency has them; one next step
  for the whole program, the focus scenario's, ``ProgramRepView.focus``), then one section
  per practised scenario, in program order, under a heading naming it. A scenario the rep did
  not practise gets a row, never a section; a rep who practised none gets page 1 alone.
- a single-scenario run: its one scenario's pages are the whole report, as they always read
  (no "Your scenarios" table, no heading above them).

Each scenario's pages are drawn by the same partials (``rep/section.html``, ``rep/body.html``)
from that scenario's ``ReportView`` and the rep's ``RepView`` of it, so a scenario reads the
same in a program's report as in its own. Every choice (which moments, which heatmap columns,
the summary sentence, the charts) is made here in Python where it can be tested; the templates
receive typed contexts (:class:`RepDocument`, :class:`ScenarioPages`), documented field by
field in docs/templates.md, and only format.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from jinja2 import Environment
from markupsafe import Markup

from reporter.analytics.bounds import rubric_shown, sessions_listed
from reporter.format import (
    GRADE_LABELS,
    GRADE_SYMBOLS,
    NEW_REP_LABEL,
    NOT_PRACTISED,
    clip,
    fmt_assignment_status,
    fmt_attempt_days,
    fmt_comparison,
    fmt_decline,
    fmt_direction,
    fmt_points,
    fmt_rank,
    fmt_target,
    fmt_tier,
)
from reporter.i18n import N_, document_tag, gettext, ngettext, pgettext
from reporter.render import charts
from reporter.render.options import PdfOptions
from reporter.render.pdf import (
    BASE_URL,
    FILTERS,
    REPORT_TEMPLATE,
    Assets,
    PdfRenderer,
    assets_of,
    fetcher_of,
    finisher,
    stylesheet_text,
)
from reporter.render.team_pdf import change_heading, vs_previous
from reporter.render.templates import context_names, environment, template_errors
from reporter.views import (
    Attempt,
    CoachingPlan,
    CohortView,
    FollowUp,
    ItemRow,
    Moment,
    NextStep,
    Pattern,
    PeriodInfo,
    ProgramInfo,
    ProgramReportView,
    ProgramRepView,
    ReportView,
    RepView,
    ScenarioInfo,
    ScenarioRow,
    SkillRow,
    TranscriptView,
)

SECTION_TEMPLATE = "rep/section.html"
# A heatmap wider than this stops being readable (older sessions are left out; analytics
# caps the moments and patterns themselves).
MAX_HEATMAP_COLUMNS = 14
# Roughly what fits on one page of moment cards, counted in characters of quoted text plus
# a fixed cost per card; long answers mean fewer cards, never a second page.
MOMENTS_PAGE_BUDGET = 2600
MOMENT_CARD_COST = 220
QUOTE_CHARS = 260
# Low enough that Progress usually fits on page 1 under "Where you stand" (it moves to page 2
# whole when it does not).
PROGRESS_CHART_HEIGHT = 125
FEEDBACK_CHARS = 300
#: How long the list of scenarios under a skill's name may run on page 1 (one line).
SKILL_SCENARIO_CHARS = 64


# -- the parts a context holds, decided here ---------------------------------------------------


@dataclass(frozen=True)
class HeatmapGroup:
    """One criterion's rows of the rubric heatmap."""

    criterion: str
    """The criterion's name, the group's heading row."""
    rows: tuple[ItemRow, ...]
    """Its items, each with its grades in the shown columns (``grades``), ``good`` and
    ``graded``."""


@dataclass(frozen=True)
class Heatmap:
    """The rubric heatmap: a column per graded session (the newest ones), a row per item."""

    columns: tuple[Attempt, ...]
    """The sessions shown, oldest first."""
    headings: tuple[str, ...]
    """Per column: "Nov 28", or "Nov 28, 2nd" on a day of several."""
    groups: tuple[HeatmapGroup, ...]
    """The items shown, by criterion."""
    hidden_columns: int
    """Older sessions left out to keep the table readable (over ``MAX_HEATMAP_COLUMNS``)."""
    hidden_items: int = 0
    """Items past ``analytics.bounds.RUBRIC_ITEMS_SHOWN``, left out."""


@dataclass(frozen=True)
class MomentCard:
    """One moment of "Moments that mattered"."""

    moment: Moment
    """The moment: ``quote``, ``criterion``, ``item``, ``grade``, ``feedback``,
    ``suggestion``, ``created_at``."""
    label: str
    """"What worked", "What to change" or "Feedback"."""
    tone: str
    """"good", "change" or "neutral": the card's colour (a CSS class)."""


@dataclass(frozen=True)
class ReportHeading:
    """What the layout every PDF shares (``base.html``, ``header.html``) reads from
    ``report``: the scenario of a single-scenario run; for a program, the program's name stands
    where a scenario's would, so the title block and the running footer read "Ada Lovelace ·
    Core Sales Conversations · October 2026"."""

    workspace_name: str
    """The Exec workspace's name."""
    scenario: ScenarioInfo
    """The scenario (``name``, ``url``: its page in Exec, or None), or the program as one (no
    ``url``)."""
    period: PeriodInfo
    """The period: ``prose`` ("October 2026"), ``label`` ("2026-10"), ``start``, ``end``,
    ``finished``."""
    generated_at: datetime
    """When the run made the report (UTC)."""
    tool_version: str
    """The reporter's version."""


@dataclass(frozen=True)
class ProgramLine:
    """One row of page 1's scenario table, decided here."""

    row: ScenarioRow
    """The scenario (``row.scenario``) and the rep's view of it (``row.rep``: a RepView, or
    None when the rep neither practised it nor has it assigned)."""
    practised: bool
    """The rep has a session in the scenario."""
    valid: str
    """Valid attempts of sessions started: "2 of 3"; "–" when not practised."""
    change: str
    """The best's change against the previous period: "+7.0", "New", "–"."""
    target: str
    """The assignment's required rank, or "–"."""
    status: str | None
    """Exec's assignment status in words; None: no assignment."""
    state: str | None
    """The target's state, the status pill's colour (``Target.state``: "met", "open",
    "past_due", "did_not_pass")."""
    due: datetime | None
    """The assignment's due date."""
    due_line: str | None
    """An unpractised scenario's assignment: what is due, as the target line says it."""


@dataclass(frozen=True)
class SkillLine:
    """One row of page 1's skills table."""

    row: SkillRow
    """The rep's proficiency on the skill (``row.skill.name``, ``row.skill.scenarios``,
    ``row.tier``, ``row.score``, ``row.observations``)."""
    label: str
    """The tier in words: "Proficient", "Not enough practice yet", "Not practised"."""
    tiered: bool
    """A tier to show as a chip (not a plain statement)."""
    change: str
    """The score's change against the previous period: "+7.4", "New", "–"."""
    was: str | None
    """"was Developing", when the tier changed."""


@dataclass(frozen=True)
class RepSection:
    """One scenario's pages of the rep's report, drawn from :class:`ScenarioPages`."""

    scenario: ScenarioInfo
    """The scenario the pages are about."""
    html: Markup
    """The pages, drawn by ``rep/section.html``."""


# -- the contexts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioPages:
    """One scenario's pages of a rep's report: the context of ``rep/section.html``,
    ``rep/body.html`` and every partial they include. A single-scenario run's report is one of
    these after its title block; a program's has one per practised scenario."""

    report: ReportView
    """The scenario's report: ``scenario`` (``name``, ``url``), ``period``, ``cohort``,
    ``workspace_name``, ``generated_at``, ``previous_period``."""
    rep: RepView
    """The rep in this scenario: ``name``, ``first_name``, ``best_score``, ``best_rank``,
    ``latest_score``, ``latest_rank``, ``first_score``, ``lift``, ``valid_count``,
    ``session_count``, ``practice_minutes``, ``last_practised``, ``percentile``,
    ``rubric_sessions``, ``coaching``, ``verdict``, ``comparison``..."""
    cohort: CohortView
    """Everyone who practised the scenario in the period: ``average_best_score``,
    ``distribution`` (a rank and a count each), ``best_scores``."""
    empty: bool
    """No valid attempt: the pages are the one "No valid attempt" page (``rep/empty.html``)."""
    company: str | None
    """``[branding] company``, or None."""
    logo_url: str | None
    """The logo's URL (``[branding] logo``), or None."""
    title: str
    """The document's title: "Coaching report: Ada Lovelace: Discovery (October 2026)"."""
    doc_type: str
    """"Roleplay coaching report"."""
    heading: str
    """The title block's heading: the rep's name."""
    subheading: str | None
    """A line after the title block's meta line; None for a rep."""
    confidential: str
    """The running footer's notice."""
    author: str
    """The document's author: the company, or the workspace's name."""
    description: str
    """The document's description (PDF metadata)."""
    created: str
    """When it was made, ISO 8601: "2026-11-02T08:00:00Z"."""
    summary: str
    """The verdict's headline, page 1's first sentence."""
    direction: str | None
    """The verdict's direction in words ("Improving", "Slipping", ...), or None."""
    plan: CoachingPlan
    """The coaching plan: ``next_step``, ``strengths``, ``focus_areas``, ``moments``,
    ``target``, ``decline``."""
    step: NextStep | None
    """The one next step (``kind``, ``criterion``, ``item``, ``said``, ``try_instead``,
    ``why``, ``grade``, ``at``, ``source``), or None."""
    step_text: str | None
    """The step's one line, as every output prints it (``CoachingPlan.step_text``)."""
    follow_up: FollowUp | None
    """Last month's step and what became of it (``said``, ``result``), opening the coaching
    of a single-scenario run's page 1; None in a program's sections (its page 1 has it)."""
    target_line: str | None
    """The assignment's target in words: "Target Silver by Nov 30: 2.4 points to go"."""
    target_state: str | None
    """The target's state, its colour: "met", "open", "past_due", "did_not_pass"."""
    last_period_line: str | None
    """The comparison with the previous period in words, or None."""
    decline_line: str | None
    """The latest score's drop below the best in words, or None."""
    progress_chart: Markup
    """The score-over-time chart, SVG."""
    progress_alt: str
    """The chart in words (its caption)."""
    cohort_chart: Markup
    """The cohort's best scores with the rep's marked, SVG."""
    cohort_alt: str
    """That chart in words (its caption)."""
    cohort_size: int | None
    """How many took part, or None when unknown."""
    heatmap: Heatmap
    """The rubric heatmap."""
    strengths: tuple[Pattern, ...]
    """Items graded good again and again ("Keep doing")."""
    focus_areas: tuple[Pattern, ...]
    """Items graded mid or bad ("Focus on")."""
    moments: tuple[MomentCard, ...]
    """"Moments that mattered", as many as fit on a page."""
    latest: Attempt | None
    """The latest valid session (``score``, ``rank``, ``outcome``, ``positive``,
    ``constructive``), or None."""
    invalid_attempts: tuple[Attempt, ...]
    """Sessions that do not count (not completed or not graded), as listed."""
    invalid_left_out: int
    """Such sessions left out of the list."""
    transcript: TranscriptView | None
    """The transcript appendix (``--transcripts``), or None."""
    language: str
    """The document's language (``lang``)."""
    grade_symbols: dict[str, str]
    """A grade's symbol: "good" -> "✓"."""
    grade_labels: dict[str, str]
    """A grade's label: "good" -> "Good"."""
    quote_chars: int
    """How long a quoted moment may run."""
    feedback_chars: int
    """How long a piece of feedback may run."""
    program: ProgramInfo
    """The run's program (``name``); a single-scenario run's is its scenario."""
    position: str | None
    """"Scenario 2 of 3" in a program's report, above the scenario's name; None in a
    single-scenario run's, whose pages are the whole report."""


@dataclass(frozen=True)
class RepDocument:
    """A rep's whole report: the context of ``rep/report.html``, the layout it extends
    (``base.html``, ``header.html``) and page 1's program partials (``rep/scenarios.html``,
    ``rep/focus.html``, ``rep/skills.html``). The scenario's pages follow in ``sections``."""

    report: ReportHeading
    """What the layout prints about the run: the scenario (or the program), the period, the
    workspace."""
    program: ProgramInfo
    """The run's program: ``name``, ``kind``; a single-scenario run's is its scenario."""
    rep: ProgramRepView
    """The rep across the run: ``name``, ``first_name``, ``rows`` (a ScenarioRow per
    scenario), ``skills``, ``focus``, ``practised``."""
    company: str | None
    """``[branding] company``, or None."""
    logo_url: str | None
    """The logo's URL (``[branding] logo``), or None."""
    title: str
    """The document's title: "Program report: Ada Lovelace: Core Sales Conversations (October
    2026)", or a scenario's "Coaching report: ..."."""
    doc_type: str
    """"Program coaching report", or "Roleplay coaching report"."""
    heading: str
    """The title block's heading: the rep's name."""
    subheading: str | None
    """A line after the title block's meta line; None for a rep."""
    confidential: str
    """The running footer's notice."""
    author: str
    """The document's author: the company, or the workspace's name."""
    description: str
    """The document's description (PDF metadata)."""
    created: str
    """When it was made, ISO 8601: "2026-11-02T08:00:00Z"."""
    language: str
    """The document's language (``lang``)."""
    overview: bool
    """Page 1 is the program at a glance (a program run); False for a single-scenario run,
    whose report is its scenario's pages alone."""
    summary: str
    """Page 1's first sentence: how much of the program the rep practised, and the
    assignments by state."""
    lines: tuple[ProgramLine, ...]
    """Page 1's table, a row per scenario, program order."""
    change_heading: str
    """The change column's heading: "vs Sep 2026", or "Change"."""
    skills: tuple[SkillLine, ...]
    """Page 1's skills, by name."""
    not_practised: str
    """What an unpractised scenario's row says."""
    skill_scenario_chars: int
    """How long the list of scenarios under a skill's name may run."""
    focus: ScenarioRow | None
    """The scenario whose next step leads page 1 (the most urgent); None: nothing practised
    and nothing assigned."""
    focus_headline: str | None
    """The focus scenario's verdict headline."""
    target_line: str | None
    """The focus scenario's target in words."""
    target_state: str | None
    """The focus scenario's target state, its colour."""
    step: NextStep | None
    """The focus scenario's next step."""
    step_text: str | None
    """The focus scenario's step line (a program's "complete one" names its scenario)."""
    follow_up: FollowUp | None
    """Last month's step and what became of it (``said``, ``result``), opening page 1's
    coaching; None when the rep had no step last month."""
    first_attempt: bool
    """The focus scenario has no valid attempt: the next step is the first one."""
    sections: tuple[RepSection, ...]
    """Each scenario's pages, in program order: a program's practised scenarios, or a
    single-scenario run's one scenario."""


# -- deciding ----------------------------------------------------------------------------------


def build_heatmap(rep: RepView) -> Heatmap:
    columns = rep.rubric_sessions
    start = max(0, len(columns) - MAX_HEATMAP_COLUMNS)
    shown, hidden = rubric_shown(rep.rubric, (*rep.coaching.focus_areas,
                                              *rep.coaching.strengths))
    groups: dict[str, list[ItemRow]] = {}
    for row in shown:
        groups.setdefault(row.criterion, []).append(replace(row, grades=row.grades[start:]))
    headings = fmt_attempt_days([a.created_at for a in columns])
    return Heatmap(
        columns=columns[start:],
        headings=tuple(headings[start:]),
        groups=tuple(HeatmapGroup(c, tuple(rows)) for c, rows in groups.items()),
        hidden_columns=start,
        hidden_items=hidden,
    )


def moment_cards(rep: RepView) -> tuple[MomentCard, ...]:
    cards: list[MomentCard] = []
    seen: set[str] = set()
    budget = MOMENTS_PAGE_BUDGET
    for moment in rep.coaching.moments:
        key = " ".join(moment.quote.lower().split())
        if key in seen:
            continue
        cost = MOMENT_CARD_COST + len(clip(moment.quote, QUOTE_CHARS)) + sum(
            len(clip(text, FEEDBACK_CHARS)) for text in (moment.feedback, moment.suggestion))
        if cards and cost > budget:
            break
        budget -= cost
        seen.add(key)
        if moment.grade == "good":
            cards.append(MomentCard(moment, gettext("What worked"), "good"))
        elif moment.grade in ("mid", "bad"):
            cards.append(MomentCard(moment, gettext("What to change"), "change"))
        else:
            cards.append(MomentCard(moment, gettext("Feedback"), "neutral"))
    return tuple(cards)


def _score_points(rep: RepView) -> list[charts.ScorePoint]:
    return [charts.ScorePoint(a.created_at, a.score) for a in rep.attempts
            if a.is_valid and a.score is not None]


def scenario_title(rep_name: str, scenario: ScenarioInfo, period: PeriodInfo) -> str:
    # Translators: the PDF's title: the rep's name, the scenario's name, the period
    # ("October 2026").
    return gettext("Coaching report: %(rep)s: %(scenario)s (%(period)s)",
                   rep=rep_name, scenario=scenario.name, period=period.prose)


def scenario_description(rep_name: str, scenario: ScenarioInfo, period: PeriodInfo) -> str:
    # Translators: the PDF's description (metadata): the rep's name, the scenario's name, the
    # period ("October 2026").
    return gettext("Roleplay coaching report for %(rep)s, scenario %(scenario)s, "
                   "period %(period)s", rep=rep_name, scenario=scenario.name,
                   period=period.prose)


#: The document's kind, in the title block (translated where shown).
SCENARIO_DOC_TYPE = N_("Roleplay coaching report")
PROGRAM_DOC_TYPE = N_("Program coaching report")
#: The running footer's notice (translated where shown).
CONFIDENTIAL = N_("Confidential coaching material")


def no_attempt_text(period: PeriodInfo) -> str:
    """ "No valid attempt in October 2026", "... yet" while the period runs."""
    if period.finished:
        # Translators: %(period)s is the period, "October 2026".
        return gettext("No valid attempt in %(period)s", period=period.prose)
    # Translators: %(period)s is the period, "October 2026", still running.
    return gettext("No valid attempt in %(period)s yet", period=period.prose)


def scenario_pages(report: ReportView, rep: RepView, options: PdfOptions, assets: Assets,
                   program: ProgramInfo, position: str | None,
                   follow_up: FollowUp | None = None) -> ScenarioPages:
    """One scenario's pages: everything they print, already chosen, ordered and capped."""
    brand = options.branding
    accent = brand.accent
    period = report.period
    cohort = report.cohort
    points = _score_points(rep)
    verdict = rep.verdict
    assert verdict is not None, "build_rep sets the verdict"
    no_attempt = no_attempt_text(period)
    invalid, invalid_left_out = sessions_listed([a for a in rep.attempts if not a.is_valid])
    return ScenarioPages(
        report=report,
        rep=rep,
        cohort=cohort,
        empty=not rep.has_valid_attempt,
        company=brand.company,
        logo_url=assets.logo_url,
        title=scenario_title(rep.name, report.scenario, period),
        doc_type=gettext(SCENARIO_DOC_TYPE),
        heading=rep.name,
        subheading=None,
        confidential=gettext(CONFIDENTIAL),
        author=brand.company or report.workspace_name,
        description=scenario_description(rep.name, report.scenario, period),
        created=report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        summary=verdict.headline,
        direction=fmt_direction(verdict.direction),
        plan=rep.coaching,
        step=rep.coaching.next_step,
        step_text=rep.coaching.step_text,
        follow_up=follow_up,
        target_line=verdict.target_line,
        target_state=rep.coaching.target.state if rep.coaching.target else None,
        last_period_line=fmt_comparison(rep.comparison),
        decline_line=fmt_decline(rep.coaching.decline),
        progress_chart=Markup(charts.score_over_time(
            points, period.start, period.end, accent, height=PROGRESS_CHART_HEIGHT,
            empty_text=no_attempt)),
        progress_alt=charts.score_chart_description(points, empty_text=no_attempt),
        cohort_chart=Markup(charts.cohort_histogram(
            cohort.best_scores, rep.best_score, accent)),
        cohort_alt=charts.histogram_description(cohort.best_scores, rep.best_score),
        cohort_size=cohort.api.participant_count or len(cohort.best_scores) or None,
        heatmap=build_heatmap(rep),
        strengths=rep.coaching.strengths,
        focus_areas=rep.coaching.focus_areas,
        moments=moment_cards(rep),
        latest=rep.latest,
        invalid_attempts=tuple(invalid),
        invalid_left_out=invalid_left_out,
        transcript=rep.transcript if options.transcripts else None,
        language=document_tag(options.language),
        grade_symbols=GRADE_SYMBOLS,
        grade_labels={grade: gettext(label) for grade, label in GRADE_LABELS.items()},
        quote_chars=QUOTE_CHARS,
        feedback_chars=FEEDBACK_CHARS,
        program=program,
        position=position,
    )


def report_heading(report: ProgramReportView) -> ReportHeading:
    """The run as the layout names it: a single-scenario run's scenario, or the program."""
    program = report.program
    scenario = (report.single.scenario if report.single is not None
                else ScenarioInfo(id=program.id or program.slug, name=program.name,
                                  slug=program.slug))
    return ReportHeading(workspace_name=report.workspace_name, scenario=scenario,
                         period=report.period, generated_at=report.generated_at,
                         tool_version=report.tool_version)


def program_line(row: ScenarioRow) -> ProgramLine:
    rep, target = row.rep, row.target
    assigned = target is not None and (target.status is not None or target.due is not None
                                       or target.required_rank is not None)
    return ProgramLine(
        row=row,
        practised=row.practised,
        # Translators: valid attempts of sessions started, in a table cell: "2 of 3".
        valid=(gettext("%(valid)s of %(sessions)s", valid=rep.valid_count,
                       sessions=rep.session_count) if rep and row.practised else "–"),
        change=vs_previous(rep.comparison) if rep and row.practised else "–",
        target=fmt_rank(target.required_rank) if target and target.required_rank else "–",
        status=((fmt_assignment_status(target.status) or gettext("Assigned"))
                if target and assigned else None),
        state=target.state if target and assigned else None,
        due=target.due if target else None,
        due_line=(fmt_target(target, None) if target and assigned and not row.practised
                  else None),
    )


def skill_change(row: SkillRow) -> str:
    """The change against the previous period's proficiency: "+7.4"; "New" for a skill
    observed now and not then; "–" when nothing can be compared."""
    if not row.compared:
        return "–"
    if row.change is not None:
        return fmt_points(row.change)
    if row.previous_tier is None and row.tier is not None:
        return gettext(NEW_REP_LABEL)
    return "–"


#: A skill's earlier tier, under its change: each tier's own words (a tier's name is not
#: lowercased into a sentence: German keeps its nouns' capitals).
WAS_TIER_LABELS = {"excellent": N_("was excellent"), "proficient": N_("was proficient"),
                   "developing": N_("was developing"), "needs_work": N_("was needs work")}


def was_tier(tier: str) -> str:
    """ "was developing": the tier a skill had in the previous period."""
    if tier in WAS_TIER_LABELS:
        return gettext(WAS_TIER_LABELS[tier])
    before = fmt_tier(tier)
    # Translators: a skill's tier in the previous period, as Exec named it (a tier this
    # report has no words for), under the skill's change: "was advanced".
    return gettext("was %(tier)s", tier=before[:1].lower() + before[1:])


def skill_line(row: SkillRow) -> SkillLine:
    tiered = row.tier is not None and row.tier != "insufficient_data"
    # An earlier tier is said only when it was one (under three observations there was none
    # to move from: the change reads "–" or "New").
    was = (was_tier(row.previous_tier) if row.compared and row.previous_tier
           and row.previous_tier not in (row.tier, "insufficient_data") else None)
    return SkillLine(row=row, label=fmt_tier(row.tier), tiered=tiered,
                     change=skill_change(row), was=was)


def program_summary(report: ProgramReportView, rep: ProgramRepView) -> str:
    """Page 1's first sentence: how much of the program the rep practised, and the
    assignments by state: "Ben, you practised 1 of 3 scenarios of Core Sales Conversations in
    October 2026, with 3 valid attempts. Assignments: 1 open, 1 past due."."""
    period = report.period
    total, practised = len(rep.rows), len(rep.practised)
    names = {"name": rep.first_name, "program": report.program.name, "period": period.prose}
    if practised == 0 and period.finished:
        # Translators: %(name)s is the rep's first name, %(program)s the program's name,
        # %(period)s the period ("October 2026").
        text = gettext("%(name)s, you did not practise any scenario of %(program)s in "
                       "%(period)s.", **names)
    elif practised == 0:
        # Translators: as above, the period still running.
        text = gettext("%(name)s, you did not practise any scenario of %(program)s in "
                       "%(period)s so far.", **names)
    else:
        valid = sum(r.rep.valid_count for r in rep.practised if r.rep)
        if practised == total and total > 1:
            # Translators: how much of a program the rep practised: every one of its
            # scenarios (always more than one).
            share = ngettext("all %(num)s scenarios", "all %(num)s scenarios", total)
        else:
            # Translators: how much of a program the rep practised: "1 of 3 scenarios".
            share = ngettext("%(practised)s of %(num)s scenario",
                             "%(practised)s of %(num)s scenarios", total, practised=practised)
        # Translators: valid attempts across the program, "3 valid attempts".
        attempts = ngettext("%(num)s valid attempt", "%(num)s valid attempts", valid)
        if period.finished:
            # Translators: %(name)s is the rep's first name, %(share)s how much of the program
            # ("1 of 3 scenarios", "all 3 scenarios"), %(program)s the program's name,
            # %(period)s the period ("October 2026"), %(attempts)s "3 valid attempts".
            text = gettext("%(name)s, you practised %(share)s of %(program)s in %(period)s, "
                           "with %(attempts)s.", share=share, attempts=attempts, **names)
        else:
            # Translators: as above, the period still running.
            text = gettext("%(name)s, you practised %(share)s of %(program)s in %(period)s "
                           "so far, with %(attempts)s.", share=share, attempts=attempts,
                           **names)
    states = [line.state for line in map(program_line, rep.rows) if line.state is not None]
    if not states:
        return text
    counts = []
    for state, n in ((s, sum(1 for x in states if x == s))
                     for s in ("met", "open", "past_due", "did_not_pass")):
        if n:
            counts.append(assignment_count(state, n))
    # Translators: between the counts of assignments: "1 open, 1 past due".
    listed = pgettext("list separator", ", ").join(counts)
    # Translators: %(sentence)s is the sentence before (what the rep practised), %(counts)s the
    # rep's assignments counted by state: "1 open, 1 past due".
    return gettext("%(sentence)s Assignments: %(counts)s.", sentence=text, counts=listed)


def assignment_count(state: str, n: int) -> str:
    """ "2 open": how many of the rep's assignments are in ``state`` (Target.state)."""
    if state == "met":
        # Translators: a number of assignments completed, "1 completed".
        return ngettext("%(num)s completed", "%(num)s completed", n)
    if state == "open":
        # Translators: a number of assignments still open, "1 open".
        return ngettext("%(num)s open", "%(num)s open", n)
    if state == "past_due":
        # Translators: a number of assignments past their due date, "1 past due".
        return ngettext("%(num)s past due", "%(num)s past due", n)
    # Translators: a number of assignments not passed by their due date, "1 not passed".
    return ngettext("%(num)s not passed", "%(num)s not passed", n)


def rep_sections(report: ProgramReportView, rep: ProgramRepView, env: Environment,
                 options: PdfOptions, assets: Assets) -> tuple[RepSection, ...]:
    """Each scenario's pages, drawn by the single-scenario partials with that scenario's
    report and the rep's view of it: a program's practised scenarios, each under a heading
    naming it; a single-scenario run's one scenario, practised or not, as its whole report."""
    overview = report.single is None
    total = len(report.scenarios)
    order = [s.id for s in report.scenarios]
    sections = []
    for row in rep.practised if overview else rep.rows:
        if row.rep is None:
            continue
        # Translators: a scenario's place in the program, above its pages: "Scenario 2 of 3".
        position = (gettext("Scenario %(number)s of %(total)s",
                            number=order.index(row.scenario.id) + 1, total=total)
                    if overview else None)
        pages = scenario_pages(report.part(row.scenario.id), row.rep, options, assets,
                               report.program, position,
                               None if overview else rep.follow_up)
        with template_errors():
            html = env.get_template(SECTION_TEMPLATE).render(**context_names(pages))
        sections.append(RepSection(row.scenario, Markup(html)))
    return tuple(sections)


def rep_context(report: ProgramReportView, rep: ProgramRepView, env: Environment,
                options: PdfOptions, assets: Assets) -> RepDocument:
    """Everything the rep's report prints, already chosen and ordered: page 1 of a program
    and each scenario's pages (``env`` draws those, with the templates the report is drawn
    with)."""
    brand = options.branding
    period = report.period
    program = report.program
    single = report.single
    focus = rep.focus
    focus_rep = focus.rep if focus else None
    verdict = focus_rep.verdict if focus_rep else None
    previous = next((p for p in report.parts if p.previous_period), None)
    if single is not None:
        title = scenario_title(rep.name, single.scenario, period)
        description = scenario_description(rep.name, single.scenario, period)
    else:
        # Translators: the PDF's title: the rep's name, the program's name, the period
        # ("October 2026").
        title = gettext("Program report: %(rep)s: %(program)s (%(period)s)",
                        rep=rep.name, program=program.name, period=period.prose)
        # Translators: the PDF's description (metadata): the rep's name, the program's name,
        # its number of scenarios, the period ("October 2026").
        description = ngettext(
            "Roleplay coaching report for %(rep)s, program %(program)s (%(num)s scenario), "
            "period %(period)s",
            "Roleplay coaching report for %(rep)s, program %(program)s (%(num)s scenarios), "
            "period %(period)s",
            len(report.scenarios), rep=rep.name, program=program.name, period=period.prose)
    return RepDocument(
        report=report_heading(report),
        program=program,
        rep=rep,
        company=brand.company,
        logo_url=assets.logo_url,
        title=title,
        doc_type=gettext(SCENARIO_DOC_TYPE if single is not None else PROGRAM_DOC_TYPE),
        heading=rep.name,
        subheading=None,
        confidential=gettext(CONFIDENTIAL),
        author=brand.company or report.workspace_name,
        description=description,
        created=report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        language=document_tag(options.language),
        overview=single is None,
        summary=program_summary(report, rep),
        lines=tuple(program_line(row) for row in rep.rows),
        # Translators: the heading of the column of changes against the previous period.
        change_heading=change_heading(previous) if previous else gettext("Change"),
        skills=tuple(skill_line(row) for row in rep.skills),
        not_practised=gettext(NOT_PRACTISED),
        skill_scenario_chars=SKILL_SCENARIO_CHARS,
        focus=focus,
        focus_headline=verdict.headline if verdict else None,
        target_line=verdict.target_line if verdict else None,
        target_state=(focus_rep.coaching.target.state
                      if focus_rep and focus_rep.coaching.target else None),
        step=focus_rep.coaching.next_step if focus_rep else None,
        follow_up=rep.follow_up,
        # The focus scenario's step line: the line above names the scenario, so the call-out
        # says the rest of the program's step (ProgramRepView.step_text) in its words;
        # "complete one" names the scenario itself.
        step_text=(rep.step_text if focus_rep is None
                   or focus_rep.coaching.step_kind == "complete"
                   else focus_rep.coaching.step_text),
        first_attempt=(focus_rep is not None
                       and focus_rep.coaching.step_kind == "complete"),
        sections=rep_sections(report, rep, env, options, assets),
    )


def rep_html(renderer: PdfRenderer, report: ProgramReportView, rep: ProgramRepView) -> str:
    """The rep's report as HTML, drawn with the renderer's templates."""
    context = rep_context(report, rep, renderer.env, renderer.options, renderer.assets)
    with template_errors():
        return renderer.template.render(**context_names(context))


def render_rep(renderer: PdfRenderer, report: ProgramReportView,
               rep: ProgramRepView) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the rep's report."""
    return renderer.pdf(rep_html(renderer, report, rep))


def render_straightforward(report: ProgramReportView, rep: ProgramRepView,
                           options: PdfOptions) -> bytes:
    """One report the plain way: a new Jinja environment, stylesheet and font configuration,
    nothing kept. Not used by runs; it is the baseline ``bench/bench_pdf.py`` measures the
    renderer against, and the reference ``tests/test_pdf.py`` checks its output against (the
    optimisations must make reports faster, never different)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetch = fetcher_of(options)
    env = environment(options.templates_dir, FILTERS)
    with template_errors():
        html = env.get_template(REPORT_TEMPLATE).render(**context_names(
            rep_context(report, rep, env, options, assets_of(options))))
        css_text = stylesheet_text(env, options)
    font_config = FontConfiguration()
    stylesheet = CSS(string=css_text, base_url=BASE_URL, url_fetcher=fetch,
                     font_config=font_config)
    pdf: bytes = HTML(string=html, base_url=BASE_URL, url_fetcher=fetch).write_pdf(
        stylesheets=[stylesheet], font_config=font_config,
        pdf_variant=options.pdf_variant, finisher=finisher(options))
    return pdf
