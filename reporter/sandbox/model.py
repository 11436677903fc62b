"""The sandbox's workspace as data: users, scenarios, collections, skills, groups, assignments,
sessions.

Plain dataclasses and their JSON forms (the spec's shapes); how they are generated is
``generate``, how a session's transcript and evaluations are built is ``details``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from reporter.ranks import rank_for
from reporter.sandbox import text

UTC = dt.UTC

def iso(moment: dt.datetime) -> str:
    """The API's timestamp form: UTC, whole seconds, a Z suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

@dataclass
class SandboxUser:
    id: str
    email: str
    first_name: str
    last_name: str
    role: str
    created_at: dt.datetime
    archetype: str
    is_member: bool = True
    group_ids: list[str] = field(default_factory=list)

    @property
    def is_system(self) -> bool:
        return self.email.lower().endswith("@exec.com")

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "email": self.email, "first_name": self.first_name,
                "last_name": self.last_name}

    def member_json(self) -> dict[str, Any]:
        """The spec's WorkspaceMember schema is flat (its example nests `user`; the schema wins)."""
        return {**self.ref(), "role": self.role, "created_at": iso(self.created_at)}

def slugify(name: str) -> str:
    """A URL slug: lower case, accents dropped ("Ventas España" -> "ventas-espana")."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(folded.lower().split())

@dataclass
class SandboxSkill:
    id: str
    name: str
    slug: str
    created_at: dt.datetime

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "slug": self.slug}

    def to_json(self) -> dict[str, Any]:
        return {**self.ref(), "description": text.SKILL_DESCRIPTIONS[self.name],
                "created_at": iso(self.created_at)}

@dataclass
class SandboxCollection:
    id: str
    name: str
    created_at: dt.datetime

    @property
    def slug(self) -> str:
        return slugify(self.name)

    def to_json(self, scenario_count: int) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "slug": self.slug,
                "description": text.COLLECTION_DESCRIPTIONS.get(self.name),
                "scenario_count": scenario_count, "created_at": iso(self.created_at)}

@dataclass
class SandboxScenario:
    id: str
    spec: text.ScenarioSpec
    owner_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    skills: list[SandboxSkill]
    collection_id: str

    # Plain fields copied from the spec, so callers can read a scenario like a record
    # (``vars(scenario)["slug"]``), as the demo command does.
    name: str = field(init=False)
    slug: str = field(init=False)
    archived: bool = field(init=False)
    visibility: str = field(init=False)

    def __post_init__(self) -> None:
        self.name = self.spec.name
        self.slug = self.spec.slug
        self.archived = self.spec.archived
        self.visibility = self.spec.visibility

    @property
    def rubric(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return self.spec.rubric

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.spec.name, "slug": self.spec.slug}

@dataclass
class SandboxGroup:
    id: str
    name: str
    created_at: dt.datetime
    member_ids: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "created_at": iso(self.created_at)}

@dataclass
class SandboxAssignment:
    id: str
    user_id: str
    scenario_id: str
    status: str
    due_date: dt.datetime | None
    best_score: float | None
    attempt_count: int
    attempt_min: int | None
    attempt_max: int | None
    rank_min: str | None
    program: dict[str, str] | None
    created_at: dt.datetime

@dataclass(slots=True)
class SandboxSession:
    id: str
    user_id: str
    scenario_id: str
    created_at: dt.datetime
    score: float | None
    duration_seconds: int | None
    is_valid_attempt: bool
    kind: str  # "graded", "abandoned" or "ungraded"
    hostile: tuple[str, ...] = ()

    @property
    def rank(self) -> str | None:
        return rank_for(self.score)

@dataclass
class SandboxWorkspace:
    """One generated workspace. ``users`` holds everyone who has ever been a member (the removed
    one has ``is_member`` False); ``sessions`` is sorted oldest first."""

    seed: int
    today: dt.date
    now: dt.datetime  # no session is created after it (the end of ``today`` unless timed)
    id: str
    name: str
    url_slug: str
    created_at: dt.datetime
    users: list[SandboxUser]
    scenarios: list[SandboxScenario]
    groups: list[SandboxGroup]
    assignments: list[SandboxAssignment]
    sessions: list[SandboxSession]
    programs: list[dict[str, str]]
    collections: list[SandboxCollection]
    skills: list[SandboxSkill]
    users_by_id: dict[str, SandboxUser] = field(init=False, repr=False)
    users_by_email: dict[str, SandboxUser] = field(init=False, repr=False)
    scenarios_by_key: dict[str, SandboxScenario] = field(init=False, repr=False)
    sessions_by_id: dict[str, SandboxSession] = field(init=False, repr=False)
    detail_cache: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.users_by_id = {u.id: u for u in self.users}
        self.users_by_email = {u.email.lower(): u for u in self.users}
        self.scenarios_by_key = {s.id: s for s in self.scenarios}
        self.scenarios_by_key.update({s.slug: s for s in self.scenarios})
        self.sessions_by_id = {s.id: s for s in self.sessions}

    @property
    def members(self) -> list[SandboxUser]:
        return [u for u in self.users if u.is_member]

    @property
    def primary_scenario(self) -> SandboxScenario:
        """The scenario with most data, first in every listing."""
        return self.scenarios[0]

    def collection_json(self, collection: SandboxCollection) -> dict[str, Any]:
        """``scenario_count`` counts every scenario in the collection, archived ones too."""
        count = sum(1 for s in self.scenarios if s.collection_id == collection.id)
        return collection.to_json(count)

    def info_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "url_slug": self.url_slug,
                "created_at": iso(self.created_at)}

    def scenario_json(self, scenario: SandboxScenario, with_skills: bool) -> dict[str, Any]:
        spec = scenario.spec
        owner = self.users_by_id.get(scenario.owner_id)
        avoid = "\n".join(f"- {item}" for item in spec.avoid)
        heading = text.PHRASEBOOKS[spec.language].avoid_heading
        body: dict[str, Any] = {
            "id": scenario.id,
            "name": spec.name,
            "description": spec.description,
            "slug": spec.slug,
            "url": f"https://{self.url_slug}.app.exec.com/scenarios/{spec.slug}",
            "difficulty": spec.difficulty,
            "context": spec.context,
            "objective": f"{spec.objective}\n##### {heading}\n{avoid}",
            "language": spec.language,
            "visibility": spec.visibility,
            "owner": owner.ref() if owner else None,
            "created_at": iso(scenario.created_at),
            "updated_at": iso(scenario.updated_at),
        }
        if with_skills:
            body["skills"] = [skill.ref() for skill in scenario.skills]
        return body

    def session_json(self, session: SandboxSession) -> dict[str, Any]:
        return {
            "id": session.id,
            "user": self.users_by_id[session.user_id].ref(),
            "scenario": self.scenarios_by_key[session.scenario_id].ref(),
            "score": session.score,
            "rank": session.rank,
            "duration_seconds": session.duration_seconds,
            "is_valid_attempt": session.is_valid_attempt,
            "created_at": iso(session.created_at),
        }

    def assignment_json(self, assignment: SandboxAssignment) -> dict[str, Any]:
        return {
            "id": assignment.id,
            "user": self.users_by_id[assignment.user_id].ref(),
            "scenario": self.scenarios_by_key[assignment.scenario_id].ref(),
            "status": assignment.status,
            "due_date": iso(assignment.due_date) if assignment.due_date else None,
            "best_score": assignment.best_score,
            "best_rank": rank_for(assignment.best_score),
            "attempt_count": assignment.attempt_count,
            "attempt_min": assignment.attempt_min,
            "attempt_max": assignment.attempt_max,
            "rank_min": assignment.rank_min,
            "program": dict(assignment.program) if assignment.program else None,
            "created_at": iso(assignment.created_at),
        }
