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
from datetime import datetime

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


@dataclass(frozen=True)
class Pattern:
    """A strength (graded good) or focus area (graded mid or bad) that repeats."""

    criterion: str
    item: str
    count: int  # sessions with the pattern's grades
    out_of: int  # sessions where the item was graded good, mid or bad
    consistency: float  # count / out_of, 0..1
    feedback: str | None  # the evaluator's latest feedback on the item


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
    lines: tuple[TranscriptLine, ...]


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
    practice_minutes: float
    last_practised: datetime | None
    trend: str  # "improving", "steady", "declining", "not enough data"
    percentile: float | None  # of best score within the cohort, 0..100

    rubric_sessions: tuple[Attempt, ...]  # heatmap columns, oldest first
    rubric: tuple[ItemRow, ...]
    strengths: tuple[Pattern, ...]  # most consistent first
    focus_areas: tuple[Pattern, ...]  # most consistent first
    moments: tuple[Moment, ...]  # the few worth quoting, deduplicated, most salient first
    feedback_examples: tuple[Moment, ...]  # every example, for the workbook
    latest: Attempt | None  # latest valid attempt (with its feedback texts)
    transcript: TranscriptView | None
    warnings: tuple[str, ...] = ()

    @property
    def has_valid_attempt(self) -> bool:
        return self.valid_count > 0


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


@dataclass(frozen=True)
class PeriodInfo:
    label: str  # "2026-10" or "2026-10-03 to 2026-10-20"
    start: datetime
    end: datetime


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
