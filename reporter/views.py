"""View models: what the renderers receive.

``reporter.analytics`` builds these from a snapshot (pure functions, no I/O);
the PDF templates, the workbook, the CSV files and the emails only format them.
Every field that can be unknown is Optional: a rep with one session, no valid
session, no evaluations or no transcript is normal, and each renderer shows
"not enough data" rather than a wrong number.

Conventions:
- scores are floats 0-100 (None when unknown); ranks are "gold", "silver",
  "bronze", "unranked" (None when unknown);
- datetimes are timezone-aware UTC;
- grades are "good", "mid", "bad", "not_relevant" (None: not graded);
- all text from the API is untrusted and is carried here unescaped: escaping
  is the renderer's job (Jinja2 autoescape, string cells in Excel, CSV guards).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from reporter.i18n import N_, gettext
from reporter.names import SCENARIO_RUN as SCENARIO_RUN
from reporter.ranks import GRADES as GRADES  # the views' vocabulary, defined once there
from reporter.ranks import RANKS as RANKS


@dataclass(frozen=True)
class Attempt:
    """One session of the rep's in the period, valid or not."""

    session_id: str
    created_at: datetime
    score: float | None
    rank: str | None
    duration_minutes: float | None
    is_valid: bool
    outcome: str | None = None
    positive: str | None = None
    constructive: str | None = None


@dataclass(frozen=True)
class ItemRow:
    """One rubric item across the rep's graded sessions (a heatmap row)."""

    criterion: str
    item: str
    # Aligned with RepView.rubric_sessions; None where the item was not graded.
    grades: tuple[str | None, ...]
    good: int
    mid: int
    bad: int
    not_relevant: int
    # good / (good + mid + bad); None when never graded good, mid or bad.
    good_share: float | None
    latest_feedback: str | None
    # The item's latest feedback from a session that graded it good / mid or bad: a card
    # about a strength quotes the first, a card about a weak spot the second.
    good_feedback: GradedFeedback | None = None
    weak_feedback: GradedFeedback | None = None

    @property
    def graded(self) -> int:
        return self.good + self.mid + self.bad


@dataclass(frozen=True)
class GradedFeedback:
    """The evaluator's feedback on an item in one session, with the grade it came with."""

    text: str
    grade: str
    at: datetime


@dataclass(frozen=True)
class Pattern:
    """A strength (mostly graded good) or focus area (graded mid or bad) of the rep's.

    Shown the same way everywhere: "graded good {good} of {graded}".
    """

    criterion: str
    item: str
    good: int  # sessions that graded the item good
    graded: int  # sessions that graded the item good, mid or bad
    # Feedback whose grade matches the card: good for a strength, mid or bad for a focus.
    feedback: GradedFeedback | None

    @property
    def good_share(self) -> float:
        return self.good / self.graded if self.graded else 0.0


@dataclass(frozen=True)
class Moment:
    """A feedback example: the rep's own words and what to keep or change."""

    session_id: str
    created_at: datetime
    criterion: str
    item: str
    grade: str | None
    salience: str | None  # "high", "mid", "low"
    quote: str
    feedback: str | None
    suggestion: str | None  # "Try: ..." phrasing, where the evaluator gave one


@dataclass(frozen=True)
class NextStep:
    """The one thing for next time: what the rep said, what to try instead, and why.

    kind: "focus" (the first focus area), "polish" (no focus area: the item graded mid or
    bad most often among the strengths) or "keep" (nothing was ever graded mid or bad: the
    top strength, to keep doing). source: "suggestion" when the evaluator gave a phrasing
    to try, "feedback" when none did and the step rests on the evaluator's feedback.
    """

    kind: str
    source: str
    criterion: str
    item: str
    grade: str | None
    said: str | None  # the rep's own words, when a feedback example quotes them
    try_instead: str | None  # the suggested phrasing (source "suggestion")
    why: str | None  # the evaluator's feedback
    at: datetime | None
    session_id: str | None
    # The session the step comes from, as every output names it: "Nov 9", or "Nov 9, 2nd
    # session" when the rep had several sessions that day (format.fmt_session).
    session: str | None = None


@dataclass(frozen=True)
class Target:
    """The rep's assignment for the scenario: Exec's status is the truth, the period's best
    is what the report shows beside it (``reporter.analytics.coaching.target_for``)."""

    status: str | None  # "not_started", "in_progress", "completed", "past_due", "did_not_pass"
    required_rank: str | None
    due: datetime | None
    met: bool  # Exec says "completed"; nothing else is "met"
    # The required rank's threshold minus the period's best, when the best is below it and the
    # target is not met; None otherwise (met, reached, no required rank, or no best).
    points_short: float | None
    past_due: bool  # Exec says "past_due"
    # The period's best reaches the required rank (None: no rank required, or no best).
    reached: bool | None = None
    attempts_left: int | None = None  # attempt_min - attempt_count, when more are required
    # Exec's best on this assignment, when it differs from the period's best (came earlier).
    assignment_best: float | None = None

    @property
    def did_not_pass(self) -> bool:
        return self.status == "did_not_pass"

    @property
    def state(self) -> str:
        """One word for the target's colour, the same in the PDF and the email: "met",
        "open", "past_due" or "did_not_pass"."""
        if self.met:
            return "met"
        if self.did_not_pass:
            return "did_not_pass"
        return "past_due" if self.past_due else "open"


@dataclass(frozen=True)
class Decline:
    """The latest valid score is DECLINE_POINTS or more below the best."""

    best: float
    latest: float
    drop: float  # best - latest, > 0


@dataclass(frozen=True)
class RankGap:
    """The next rank is within NEAR_RANK_POINTS of the best score."""

    rank: str
    points: float  # threshold - best, > 0


@dataclass(frozen=True)
class CoachingPlan:
    """What to tell the rep, computed once: every output (PDF, workbook, CSV, email) reads it."""

    next_step: NextStep | None
    strengths: tuple[Pattern, ...]  # most consistent first
    focus_areas: tuple[Pattern, ...]  # most severe first; the next step is on the first
    moments: tuple[Moment, ...]  # the few worth quoting; the next step's moment first
    target: Target | None
    decline: Decline | None
    rank_gap: RankGap | None
    # The step in one line, the words every output prints (``coaching.step_line``): "Discovery
    # › Budget (Nov 9, 2nd session): try “…”", "Keep doing: …", "Complete one full, graded
    # roleplay"; None: no step (an assignment completed without a valid attempt here).
    step_text: str | None = None
    # "coach" (a focus area), "polish", "keep", "complete" (no valid attempt yet), or None.
    step_kind: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What the report says about the rep, decided once (``reporter.analytics.verdict``):
    every sentence, tile caption, chart caption, workbook cell, CSV field and email line that
    judges progress or the target reads this, so no two of them can disagree."""

    # "improving", "holding" or "slipping"; None with fewer than two valid attempts (no
    # direction can be read from one score).
    direction: str | None
    headline: str  # page 1's first sentence, and the email's
    target_line: str | None  # the assignment in one line, as Exec has it
    # The next rank within reach of the best, unless the target line already settles it.
    rank_hint: RankGap | None
    # The percentile belongs in the headline only once there is progress to read: on day
    # one a low percentile reads as a verdict on the person.
    percentile_in_headline: bool


@dataclass(frozen=True)
class AttentionReason:
    """Why a manager should look at a rep, with how urgent it is (3 high, 2 medium, 1 low)."""

    code: str  # one of reporter.analytics.attention.REASONS
    severity: int
    text: str  # plain words: "Did not pass Silver by Nov 30, 2026", "Fell 15.3 points from ..."
    points: float = 0.0  # points at stake (short of target, fallen); inf: nothing valid, overdue


@dataclass(frozen=True)
class Comparison:
    """The rep against the previous period (the participants endpoint's best scores)."""

    period_label: str  # "2026-09"
    period_title: str  # "September 2026"
    previous_best: float | None  # None: no best score then
    previous_rank: str | None
    change: float | None  # best - previous best, points; None when either is unknown
    rank_change: int | None  # +1: one rank up; None when either rank is unknown
    # A best score now, none in the previous period: new, not compared with zero; None when
    # neither period has a best (nothing to call new or not).
    is_new: bool | None
    current_title: str = ""  # the period reported on, "October 2026": the line names both


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str | None  # "rep", "buyer", or None when the API gave none
    text: str
    seconds: float | None
    highlighted: bool  # the line holds a quoted moment


@dataclass(frozen=True)
class TranscriptView:
    session_id: str
    created_at: datetime
    score: float | None
    reason: str  # "best" or "latest": why this session was chosen
    lines: tuple[TranscriptLine, ...]  # the first lines, at most analytics.bounds' caps
    left_out: int = 0  # the session's lines after those, not printed (analytics.bounds)


@dataclass(frozen=True)
class RepView:
    user_id: str
    email: str
    name: str  # display name; falls back to the email
    first_name: str  # for greetings; falls back to the name
    slug: str  # file-safe, ASCII, unique, stable: name + short hash of the email
    is_member: bool
    groups: tuple[str, ...]
    assignment_status: str | None

    attempts: tuple[Attempt, ...]  # every session in the period, oldest first
    session_count: int
    valid_count: int
    first_score: float | None
    first_rank: str | None
    best_score: float | None
    best_rank: str | None
    latest_score: float | None
    latest_rank: str | None
    lift: float | None  # best - first in points; None with fewer than two valid attempts
    practice_minutes: float | None  # None: the sessions carry no duration (unknown, not 0)
    last_practised: datetime | None
    percentile: float | None  # of best score within the cohort, 0..100

    rubric_sessions: tuple[Attempt, ...]  # heatmap columns, oldest first
    rubric: tuple[ItemRow, ...]
    coaching: CoachingPlan
    feedback_examples: tuple[Moment, ...]  # every example, for the workbook
    latest: Attempt | None  # latest valid attempt (with its feedback texts)
    transcript: TranscriptView | None
    warnings: tuple[str, ...] = ()
    comparison: Comparison | None = None  # None: no comparison was made (--no-compare)
    attention: tuple[AttentionReason, ...] = ()  # most severe first
    verdict: Verdict | None = None  # set by build_rep; None only while it is being built

    @property
    def trend(self) -> str | None:
        """The verdict's direction (the ``trend`` column of reps.csv and the workbook)."""
        return self.verdict.direction if self.verdict else None

    @property
    def has_valid_attempt(self) -> bool:
        return self.valid_count > 0

    @property
    def severity(self) -> int:
        """The most severe reason's severity; 0 when nothing needs attention."""
        return max((r.severity for r in self.attention), default=0)


@dataclass(frozen=True)
class RankCount:
    rank: str
    count: int
    percentage: float


@dataclass(frozen=True)
class WeekPoint:
    week_start: datetime  # Monday 00:00 UTC
    sessions: int
    average_score: float | None  # of valid attempts that week


@dataclass(frozen=True)
class CohortFigures:
    """The summary figures, either as the API reported them or as computed here."""

    participant_count: int | None
    total_sessions: int | None
    average_best_score: float | None
    average_best_rank: str | None
    average_lift: float | None
    total_practice_minutes: float | None
    average_session_duration_seconds: float | None


@dataclass(frozen=True)
class CohortView:
    """Everyone who practised the scenario in the period, not only the selected reps."""

    api: CohortFigures  # the analytics summary endpoint's figures
    computed: CohortFigures  # the same, computed from the participants and sessions
    distribution: tuple[RankCount, ...]  # of best scores, gold first
    best_scores: tuple[float, ...]  # every participant's best score, ascending
    average_best_score: float | None
    weekly: tuple[WeekPoint, ...]  # the selected reps' sessions per week
    # (criterion, item) -> share of graded sessions graded good, across the selected reps
    rubric_good_share: dict[tuple[str, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class NotFound:
    email: str
    reason: str  # "not_member", "no_sessions", "invalid_address"
    detail: str


@dataclass(frozen=True)
class ScenarioInfo:
    id: str
    name: str
    slug: str
    # The scenario in Exec (GET /scenarios' url), checked by analytics.figures.exec_link:
    # https, on the workspace's own host; None otherwise. Linked, never fetched.
    url: str | None = None


@dataclass(frozen=True)
class PeriodInfo:
    label: str  # "2026-10" or "2026-10-03 to 2026-10-20": for files, folders and sheets
    start: datetime
    end: datetime
    title: str = ""  # "October 2026" or "Oct 3, 2026 to Oct 20, 2026": for prose
    finished: bool = True  # the period ended before the report was generated

    @property
    def prose(self) -> str:
        return self.title or self.label

    @property
    def last_day(self) -> date:
        """The period's last day, inclusive (``last_day``): 2026-11-30 for November 2026."""
        return last_day(self.start, self.end)


def last_day(start: datetime, end: datetime) -> date:
    """A period's last day, inclusive, wherever a period's end is printed: the end's day
    (a run's period ends at 23:59:59.999999 of it), or the day before when the end falls on
    midnight after the start (an exclusive end, as a date range may be given)."""
    if end.time() == time() and end > start:
        end -= timedelta(microseconds=1)
    return end.date()


@dataclass(frozen=True)
class FetchInfo:
    fetched_at: datetime | None
    base_url: str | None
    requests_made: int
    cache_hits: int


@dataclass(frozen=True)
class ReportView:
    workspace_name: str
    scenario: ScenarioInfo
    period: PeriodInfo
    generated_at: datetime
    tool_version: str
    selection_text: str  # "3 reps by email", "group Sales Team", "every participant"
    cohort: CohortView
    reps: tuple[RepView, ...]  # sorted by name
    not_found: tuple[NotFound, ...]
    fetch: FetchInfo
    warnings: tuple[str, ...] = ()
    # The reps who need attention, most severe first (then furthest below target, then name).
    needs_attention: tuple[RepView, ...] = ()
    previous_period: PeriodInfo | None = None  # the period compared with, when one was
    # The 1:1 shortlist: the first few of needs_attention (reporter.analytics.attention).
    shortlist: tuple[RepView, ...] = ()
    # user id -> the rep's name as a list shows it: with the email when another rep has the
    # same name, "(former member)" when no longer in the workspace (analytics.team.list_names).
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, rep: RepView) -> str:
        return self.labels.get(rep.user_id, rep.name)


@dataclass(frozen=True)
class Manager:
    """Who a team's report and digest go to (the configuration's ``[teams]``)."""

    name: str
    email: str
    # The language of the team's outputs and of its reps' reports (``[teams]``'s language);
    # None: the configuration's.
    language: str | None = None


@dataclass(frozen=True)
class StatusCount:
    status: str  # "completed", "in_progress", "past_due", "not_started", "did_not_pass", "none"
    count: int


@dataclass(frozen=True)
class TeamCell:
    """One rep's grades on one rubric item, over their graded sessions."""

    good: int
    graded: int  # sessions that graded the item good, mid or bad
    thin: bool  # fewer than MIN_CELL_SESSIONS: shown greyed, not read as a pattern

    @property
    def good_share(self) -> float:
        return self.good / self.graded if self.graded else 0.0


@dataclass(frozen=True)
class TeamHeatmapRow:
    name: str  # as the team's lists show it (ScenarioTeamView.labels)
    slug: str
    cells: tuple[TeamCell | None, ...]  # aligned with ScenarioTeamView.items; None: never graded


@dataclass(frozen=True)
class WeakItem:
    """A rubric item the team does least well, with one quote that shows it."""

    criterion: str
    item: str
    good: int
    graded: int
    reps_weak: int  # reps with at least one mid or bad grade on it
    reps_graded: int  # reps graded on it at all
    quote: Moment | None  # a mid or bad example that is speech: with a phrasing to try first
    quote_by: str | None  # the rep who said it, as the team's lists name them

    @property
    def good_share(self) -> float:
        return self.good / self.graded if self.graded else 0.0


@dataclass(frozen=True)
class ScenarioTeamView:
    """One team's month in one scenario (a section of ``TeamView``): the numbers, who needs
    a 1:1 there, the leaderboard, the rubric, the weakest items."""

    name: str  # the group's name, or "All selected reps"
    slug: str  # file-safe: the folder under teams/
    group: str | None  # the workspace group's name; None for the whole selection
    manager: Manager | None
    reps: tuple[RepView, ...]  # by name
    needs_attention: tuple[RepView, ...]  # most urgent first (attention_order)
    shortlist: tuple[RepView, ...]  # the 1:1 shortlist: at most MAX_SHORTLIST, most urgent first
    watchlist: tuple[RepView, ...]  # everyone else in needs_attention: "keep an eye on"
    leaderboard: tuple[RepView, ...]  # best score first; reps without one last, by name
    positions: tuple[int | None, ...]  # aligned with leaderboard: equal bests share (1, 2, 2, 4)
    labels: dict[str, str]  # user id -> name as a list shows it (list_names)
    former_members: int  # reps no longer members of the workspace
    with_valid: int  # reps with a valid attempt
    sessions: int
    valid_attempts: int
    best_scores: tuple[float, ...]  # the team's best scores, ascending
    distribution: tuple[RankCount, ...]  # of those best scores, gold first
    average_best: float | None
    # Mean change of best score against the previous period, over the reps who have both.
    average_change: float | None
    compared: int  # how many reps that mean rests on
    new_reps: int  # reps with a best score now and none in the previous period
    statuses: tuple[StatusCount, ...]
    items: tuple[tuple[str, str], ...]  # (criterion, item), rubric order: heatmap columns
    heatmap: tuple[TeamHeatmapRow, ...]  # shortlist first, then the weakest first
    item_good_share: tuple[float | None, ...]  # the team's share per item, aligned with items
    weakest: tuple[WeakItem, ...]  # what to coach the team on: at most MAX_WEAK_ITEMS

    def label(self, rep: RepView) -> str:
        return self.labels.get(rep.user_id, rep.name)


# -- program runs: several scenarios of one program, one report per rep --------------------


#: ``ProgramInfo.kind`` of a single-scenario run (``names.SCENARIO_RUN``): a program of its one
#: scenario, whose outputs read as a scenario's (no skills, no "Your scenarios" table, no matrix).


@dataclass(frozen=True)
class ProgramInfo:
    kind: str  # "collection", "scenarios" (listed by hand), "assigned" (the reps' assignments),
    # or SCENARIO_RUN: a single-scenario run, the program of one (analytics.program.of_scenario)
    name: str
    slug: str  # file-safe: the run folder's first part
    id: str | None = None  # the collection's id (or the assignments' program id)


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario of the program for one rep: a row of page 1 and of the Scenarios sheet.

    ``rep`` is the rep's view in that scenario, built by the same code as a single-scenario
    run's; it exists when the rep has a session in it or an assignment of it (then with no
    session: its target and its reasons say what is due). None: neither.
    """

    scenario: ScenarioInfo
    rep: RepView | None

    @property
    def practised(self) -> bool:
        return self.rep is not None and self.rep.session_count > 0

    @property
    def target(self) -> Target | None:
        return self.rep.coaching.target if self.rep else None

    @property
    def severity(self) -> int:
        return self.rep.severity if self.rep else 0


@dataclass(frozen=True)
class SkillInfo:
    id: str
    name: str
    slug: str
    scenarios: tuple[str, ...]  # the names of the program's scenarios that evaluate it


@dataclass(frozen=True)
class SkillRow:
    """One person's proficiency on one skill, as Exec computes it (time-decayed, 30-day
    half-life, roleplays and calls together), as of the period's end and the previous one's."""

    skill: SkillInfo
    tier: str | None  # "excellent", "proficient", "developing", "needs_work",
    # "insufficient_data" (under 3 observations); None: no observation at all
    score: float | None  # None with insufficient data
    observations: int
    last_practised: datetime | None
    previous_tier: str | None  # None: no observation then, or no comparison made
    previous_score: float | None
    change: float | None  # score - previous_score, when both are known
    compared: bool  # the previous period's proficiency was read


@dataclass(frozen=True)
class ProgramRepView:
    """One rep across the program: a row per scenario, their skills, and the one scenario
    whose next step leads page 1 (``focus``: the most urgent, by the attention rules)."""

    user_id: str
    email: str
    name: str
    first_name: str
    slug: str
    is_member: bool
    groups: tuple[str, ...]
    rows: tuple[ScenarioRow, ...]  # every scenario of the program, program order
    skills: tuple[SkillRow, ...]  # the program's skills, by name
    focus: ScenarioRow | None  # None: nothing practised and nothing assigned
    attention: tuple[AttentionReason, ...]  # across scenarios, each naming its scenario
    follow_up: FollowUp | None = None  # last period's step and what became of it
    # The rep's one step across the run, as every output prints it: the focus scenario's
    # ``CoachingPlan.step_text``, named by the scenario in a program ("Objection Handling:
    # …"); None: no step.
    step_text: str | None = None

    @property
    def practised(self) -> tuple[ScenarioRow, ...]:
        """The scenarios with a session: each gets its own section of the report."""
        return tuple(r for r in self.rows if r.practised)

    @property
    def severity(self) -> int:
        return max((r.severity for r in self.attention), default=0)

    @property
    def has_valid_attempt(self) -> bool:
        """A valid attempt in any of the program's scenarios (a report that is not "empty"):
        the same question as ``RepView.has_valid_attempt``, so every caller asks it one way."""
        return any(r.rep.has_valid_attempt for r in self.rows if r.rep is not None)

    @property
    def coverage(self) -> str:
        """"all" scenarios practised with a valid attempt, "some", or "none" (sessions none of
        them valid count as none): the team's "with a valid attempt in every scenario"."""
        n = sum(1 for r in self.rows if r.rep is not None and r.rep.has_valid_attempt)
        return "none" if n == 0 else "all" if n == len(self.rows) else "some"


@dataclass(frozen=True)
class FollowUp:
    """Last period's next step and what became of it (``analytics.follow_up``): the opening of
    the rep's coaching, a column of the workbook and ``reps.csv``, a count on the team report.

    result: "worked" (the item's good share rose; for "complete", a valid attempt now),
    "still" (practised, not better), "not_practised" (no session graded it since).
    """

    kind: str  # "item" | "complete", as StepRecord
    step: str  # "Qualification › Budget" or "one full, graded roleplay of Discovery Call"
    scenario: str
    previous_title: str  # "October 2026"
    title: str  # "November 2026"
    before_good: int
    before_graded: int
    now_good: int
    now_graded: int
    result: str
    said: str  # the line after "Last month: ", said the same in every output
    source: str  # "report" | "cache"

    @property
    def sentence(self) -> str:
        """The whole line: "Last month: Qualification › Budget. Graded good 1 of 4 in
        October 2026, 3 of 4 in November 2026: it worked."."""
        # Translators: the opening of a rep's coaching: %(said)s is what became of last
        # month's next step ("Qualification › Budget. Graded good 1 of 4 in ...: it worked.").
        return gettext("Last month: %(said)s", said=self.said)

    @property
    def result_text(self) -> str:
        """The result in words, for a table cell (in the active language)."""
        return gettext(FOLLOW_UP_RESULTS[self.result])


#: The sentence's lead in English (``FollowUp.sentence`` is the one message that says it).
FOLLOW_UP_LEAD = "Last month:"
#: The follow-up results in words, one definition for the PDF's line, the workbook and CSV
#: (English here, ``N_``: translated where shown, ``FollowUp.result_text``).
FOLLOW_UP_RESULTS = {"worked": N_("it worked"), "still": N_("still the thing to work on"),
                     "not_practised": N_("not practised since")}


@dataclass(frozen=True)
class ProgramTheme:
    """What to coach the team on across the program: a skill, or a rubric item of a scenario."""

    kind: str  # "skill" or "item"
    name: str  # the skill's name, or the item's
    scenario: str | None  # the scenario the item comes from (None for a skill)
    reps_weak: int
    reps_seen: int
    detail: str  # one line of plain words
    skill: SkillInfo | None = None  # a skill theme's skill (with the scenarios evaluating it)
    weak: WeakItem | None = None  # an item theme's figures and quote, as the team report's


@dataclass(frozen=True)
class ProgramCell:
    """One rep in one scenario of the team's matrix, read off the rep's ScenarioRow."""

    state: str  # "practised" (a valid attempt), "no_valid" (sessions, none valid),
    # "not_practised" (assigned, no session), "not_assigned" (neither)
    best: float | None
    rank: str | None  # the best score's rank
    status: str | None  # Exec's assignment status; None: no assignment of the scenario
    due: datetime | None
    valid: int
    sessions: int
    severity: int  # the rep's most severe reason in this scenario (0: none)


@dataclass(frozen=True)
class ProgramMatrixRow:
    name: str  # as the team's lists show it (TeamView.labels)
    slug: str
    cells: tuple[ProgramCell, ...]  # aligned with TeamView.scenarios


@dataclass(frozen=True)
class ProgramScenarioColumn:
    """One scenario across the team: the matrix's foot."""

    scenario: ScenarioInfo
    practised: int  # reps with a session in it
    assigned: int  # reps with an assignment of it
    with_valid: int
    average_best: float | None  # of the team's best scores in it


@dataclass(frozen=True)
class ProgramSkillRow:
    name: str  # as the team's lists show it
    slug: str
    cells: tuple[SkillRow, ...]  # aligned with TeamView.skills


@dataclass(frozen=True)
class TierCount:
    tier: str | None  # one of reporter.ranks.TIERS; None: no observation
    count: int


@dataclass(frozen=True)
class TeamView:
    """One team's month across the run's scenarios (``analytics.team.build_team``): the
    numbers, who needs a 1:1 (across scenarios), the rep x scenario matrix, the rep x skill
    tiers, what to coach the team on, and each scenario's own team sections (``parts``:
    leaderboard, distribution, rubric). A single-scenario run's team (``single``) is drawn
    from its one part; a program's from the matrix. The whole selection is a team too
    (``group`` None), for ``team.pdf``."""

    name: str  # the group's name, or the whole selection's
    slug: str  # file-safe: the folder under teams/
    group: str | None  # the workspace group's name; None for the whole selection
    manager: Manager | None
    kind: str  # the run's ProgramInfo.kind (SCENARIO_RUN: a single scenario's)
    reps: tuple[ProgramRepView, ...]  # by name
    needs_attention: tuple[ProgramRepView, ...]  # attention_order
    shortlist: tuple[ProgramRepView, ...]
    watchlist: tuple[ProgramRepView, ...]
    labels: dict[str, str]
    former_members: int
    coverage: dict[str, int]  # "all", "some", "none" -> how many reps practised so much
    sessions: int  # across the program's scenarios
    valid_attempts: int
    statuses: tuple[StatusCount, ...]  # every rep x scenario assignment's status
    scenarios: tuple[ScenarioInfo, ...]  # matrix columns, program order
    columns: tuple[ProgramScenarioColumn, ...]  # aligned with scenarios
    matrix: tuple[ProgramMatrixRow, ...]  # the shortlist first, then by name
    skills: tuple[SkillInfo, ...]  # heatmap columns, by name
    tiers: tuple[tuple[TierCount, ...], ...]  # per skill (aligned with skills), best tier first
    skill_heatmap: tuple[ProgramSkillRow, ...]  # same order as matrix
    themes: tuple[ProgramTheme, ...]
    parts: tuple[ScenarioTeamView, ...]  # the team in each scenario, aligned with scenarios
    # "7 of 12 reps improved on last month's step" (``analytics.follow_up``); None: nobody in
    # the team had a step last month
    follow_up: str | None = None

    def label(self, rep: ProgramRepView) -> str:
        return self.labels.get(rep.user_id, rep.name)

    @property
    def single(self) -> ScenarioTeamView | None:
        """The team in the run's one scenario when this is a single-scenario run's team (as
        ``ProgramReportView.single``); None for a program's."""
        return self.parts[0] if self.kind == SCENARIO_RUN else None


@dataclass(frozen=True)
class ProgramReportView:
    workspace_name: str
    program: ProgramInfo
    period: PeriodInfo
    generated_at: datetime
    tool_version: str
    selection_text: str
    scenarios: tuple[ScenarioInfo, ...]  # program order
    parts: tuple[ReportView, ...]  # each scenario's report, aligned with scenarios
    skills: tuple[SkillInfo, ...]  # by name
    reps: tuple[ProgramRepView, ...]  # by name
    not_found: tuple[NotFound, ...]
    fetch: FetchInfo
    warnings: tuple[str, ...] = ()
    needs_attention: tuple[ProgramRepView, ...] = ()  # most urgent first
    shortlist: tuple[ProgramRepView, ...] = ()
    themes: tuple[ProgramTheme, ...] = ()
    previous_period: PeriodInfo | None = None
    labels: dict[str, str] = field(default_factory=dict)
    # The language its words are in (BCP 47, reporter.i18n): every output drawn from this
    # view is written in it (the PDF's /Lang, the email's lang).
    language: str = "en"

    def label(self, rep: ProgramRepView) -> str:
        return self.labels.get(rep.user_id, rep.name)

    @property
    def single(self) -> ReportView | None:
        """The scenario's report when this is a single-scenario run (a program of one, made by
        ``analytics.program.of_scenario``); None for a program run. Each writer asks this,
        the data, which layout to write, never the type of the view."""
        return self.parts[0] if self.program.kind == SCENARIO_RUN else None

    def part(self, scenario_id: str) -> ReportView:
        return self.parts[[s.id for s in self.scenarios].index(scenario_id)]
