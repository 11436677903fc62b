"""Typed shapes of the API's answers, as ``shared/exec-api/openapi.yml`` publishes them.

Pydantic at the boundary: a response is checked once on arrival, and the same
objects then travel in the snapshot (``reporter.cohort.snapshot``) to the analytics,
which read their attributes and build dataclasses (the view models). Unknown fields
are ignored so the API may grow; every field the spec marks nullable is Optional.
Fields the spec lists but does not mark nullable are still given defaults where the
reporter can live without them, because "almost every field can be null" in practice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from reporter.ranks import Grade, Rank, Tier

#: Validation context under which a timestamp without a time zone is read as UTC: a snapshot
#: (a file, perhaps hand-edited) is read leniently; an answer from the API never is.
NAIVE_IS_UTC = "naive_is_utc"


def _aware(value: datetime, info: ValidationInfo) -> datetime:
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    if info.context and info.context.get(NAIVE_IS_UTC):
        return value.replace(tzinfo=UTC)
    raise ValueError("has no time zone (the API's timestamps carry one)")


#: A date-time with its offset, as the contract publishes every timestamp.
Timestamp = Annotated[datetime, AfterValidator(_aware)]


class ApiModel(BaseModel):
    """Unknown fields ignored (the API may grow); NaN and infinity are not numbers."""

    model_config = ConfigDict(extra="ignore", frozen=True, allow_inf_nan=False)


class Pagination(ApiModel):
    # Deliberately loose: the paginator must survive nonsense here.
    page: int | None = None
    page_size: int | None = None
    total_count: int | None = None
    total_pages: int | None = None


class User(ApiModel):
    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class Workspace(ApiModel):
    id: str
    name: str | None = None
    url_slug: str | None = None
    created_at: Timestamp | None = None


class WorkspaceMember(ApiModel):
    """Flat in the schema (the spec's example nests a ``user``; both are accepted)."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    created_at: Timestamp | None = None

    @model_validator(mode="before")
    @classmethod
    def _flatten_user(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("user"), dict):
            return {**data["user"], **{k: v for k, v in data.items() if k not in ("user", "id")}}
        return data


class WorkspaceGroup(ApiModel):
    id: str
    name: str | None = None
    created_at: Timestamp | None = None


class ScenarioRef(ApiModel):
    id: str
    name: str | None = None
    slug: str | None = None


class SkillRef(ApiModel):
    id: str
    name: str | None = None
    slug: str | None = None


class Scenario(ApiModel):
    """``skills`` only with ``include=skills``: None means "not asked", [] "evaluates none"."""

    id: str
    name: str | None = None
    description: str | None = None
    slug: str | None = None
    url: str | None = None
    difficulty: str | None = None
    context: str | None = None
    objective: str | None = None
    language: str | None = None
    visibility: str | None = None
    owner: User | None = None
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    skills: list[SkillRef] | None = None


class Collection(ApiModel):
    """A group of scenarios; which scenarios it holds is read through ``collection_ids``."""

    id: str
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    scenario_count: int | None = None
    created_at: Timestamp | None = None


class SkillProficiencySummary(ApiModel):
    participant_count: int | None = None
    scored_participant_count: int | None = None
    pct_proficient_plus: float | None = None  # an integer in the spec; a float is no harm
    avg_score: float | None = None


class Skill(ApiModel):
    """``proficiency_summary`` only with ``include=proficiency``."""

    id: str
    name: str | None = None
    slug: str | None = None
    description: str | None = None
    created_at: Timestamp | None = None
    proficiency_summary: SkillProficiencySummary | None = None


class SkillProficiencyEntry(ApiModel):
    """One person's time-decayed proficiency on one skill; ``score`` is None (and ``tier``
    ``insufficient_data``) under three observations."""

    user: User
    score: float | None = None
    tier: Tier | None = None
    observation_count: int | None = None
    last_practiced_at: Timestamp | None = None


class Program(ApiModel):
    id: str | None = None
    name: str | None = None


class Assignment(ApiModel):
    id: str
    user: User
    scenario: ScenarioRef
    status: str | None = None
    due_date: Timestamp | None = None
    best_score: float | None = None
    best_rank: Rank | None = None
    attempt_count: int | None = None
    attempt_min: int | None = None
    attempt_max: int | None = None
    rank_min: Rank | None = None
    program: Program | None = None
    created_at: Timestamp | None = None


class SessionListItem(ApiModel):
    id: str
    user: User
    scenario: ScenarioRef
    score: float | None = None
    rank: Rank | None = None
    duration_seconds: float | None = None
    is_valid_attempt: bool = False
    created_at: Timestamp

    @property
    def is_graded(self) -> bool:
        """Valid and scored: a graded session never changes again (so it may be cached), and
        only graded sessions count as attempts (first, best, latest). The API promises valid
        implies scored; a valid session without a score is still not graded."""
        return self.is_valid_attempt and self.score is not None


class TranscriptLine(ApiModel):
    speaker: str | None = None
    text: str = ""
    seconds_from_start: float | None = None


class FeedbackExample(ApiModel):
    quote: str = ""
    feedback: str | None = None
    suggestion_quote: str | None = None
    grade: Grade | None = None
    salience: Literal["high", "mid", "low"] | None = None


class EvaluationItem(ApiModel):
    name: str
    grade: Grade | None = None
    feedback: str | None = None
    feedback_examples: list[FeedbackExample] = Field(default_factory=list)


class EvaluationCriterion(ApiModel):
    criterion_name: str
    items: list[EvaluationItem] = Field(default_factory=list)


class SessionDetail(SessionListItem):
    outcome_feedback: str | None = None
    positive_feedback: str | None = None
    constructive_feedback: str | None = None
    transcript: list[TranscriptLine] | None = None
    evaluations: list[EvaluationCriterion] | None = None


class RankCount(ApiModel):
    rank: Rank
    count: int = 0
    percentage: float = 0.0


class ScenarioAnalyticsSummary(ApiModel):
    participant_count: int | None = None
    total_sessions: int | None = None
    average_best_score: float | None = None
    average_best_rank: Rank | None = None
    average_lift_percentage: float | None = None
    total_practice_minutes: float | None = None
    average_session_duration_seconds: float | None = None
    score_distribution: list[RankCount] = Field(default_factory=list)


class ScenarioParticipantEntry(ApiModel):
    user: User
    session_count: int | None = None
    first_score: float | None = None
    first_rank: Rank | None = None
    best_score: float | None = None
    best_rank: Rank | None = None
    lift_percentage: float | None = None
    total_duration_seconds: float | None = None
