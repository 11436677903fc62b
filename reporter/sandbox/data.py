"""The synthetic Exec workspace behind the sandbox, generated deterministically from a seed.

List-level data (users, scenarios, groups, assignments, sessions) is built eagerly because every
filter needs it; transcripts and evaluations are built lazily per session, seeded by the
workspace seed and the session id, so a 2,000-rep workspace generates in about a second and a
session detail is the same every time it is asked for.

The generator guarantees the awkward cases later stages must survive (see ``SandboxWorkspace``
for where each lives): hostile HTML and formula texts, names in accented, CJK and right-to-left
scripts, a system user, a removed member who still has sessions, a member without sessions, an
archived scenario, abandoned and ungraded sessions, and data in the previous calendar month.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from reporter.sandbox import text
from reporter.sandbox.stats import rank_for

UTC = dt.UTC
ARCHETYPES = ("improving", "plateau", "declining", "one_session", "never_valid")
# Rep i gets _PATTERN[i % len]: the first eight reps (the guaranteed names) cover every archetype.
_PATTERN = ("improving", "plateau", "declining", "improving", "one_session", "plateau",
            "declining", "improving", "never_valid", "plateau")
EMAIL_DOMAIN = "northwind.example"  # .example: nothing generated here can reach a real inbox
SYSTEM_EMAIL = "qa.trainer@exec.com"
REMOVED_EMAIL = "former.rep@northwind.example"
ADMIN_EMAIL = "morgan.reyes@northwind.example"
PLATEAU_CEILING = 88.9  # plateau reps never reach gold: their did_not_pass assignment relies on it


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


@dataclass
class SandboxSkill:
    id: str
    name: str
    slug: str

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "slug": self.slug}


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

    def info_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "url_slug": self.url_slug,
                "created_at": iso(self.created_at)}

    def scenario_json(self, scenario: SandboxScenario, with_skills: bool) -> dict[str, Any]:
        spec = scenario.spec
        owner = self.users_by_id.get(scenario.owner_id)
        avoid = "\n".join(f"- {item}" for item in spec.avoid)
        body: dict[str, Any] = {
            "id": scenario.id,
            "name": spec.name,
            "description": spec.description,
            "slug": spec.slug,
            "url": f"https://{self.url_slug}.app.exec.com/scenarios/{spec.slug}",
            "difficulty": spec.difficulty,
            "context": spec.context,
            "objective": f"{spec.objective}\n##### Outcomes to Avoid:\n{avoid}",
            "language": "English",
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

    def session_detail(self, session_id: str, include: frozenset[str]) -> dict[str, Any] | None:
        """The SessionDetail body, or None for an unknown id. ``transcript`` and ``evaluations``
        appear only when included, as the spec's `include` parameter describes."""
        session = self.sessions_by_id.get(session_id)
        if session is None:
            return None
        heavy = _detail(self, session)
        body = self.session_json(session)
        body.update({k: heavy[k] for k in
                     ("outcome_feedback", "positive_feedback", "constructive_feedback")})
        for part in ("transcript", "evaluations"):
            if part in include:
                body[part] = heavy[part]
        # Keep the documented field order: created_at last.
        body["created_at"] = body.pop("created_at")
        return body


# --- generation ------------------------------------------------------------------------------


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ascii(value: str) -> str:
    folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _moment(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    """A working-hours moment between two days, inclusive."""
    day = first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))
    seconds = rng.randint(8 * 3600, 19 * 3600)
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(seconds=seconds)


@dataclass
class _Months:
    """The six calendar months up to today: index 5 is the current month, 4 the previous."""

    starts: list[dt.date]
    today: dt.date

    def span(self, index: int) -> tuple[dt.date, dt.date]:
        start = self.starts[index]
        if index == 5:
            return start, self.today
        return start, self.starts[index + 1] - dt.timedelta(days=1)

    def moment(self, rng: random.Random, index: int) -> dt.datetime:
        first, last = self.span(index)
        return _moment(rng, first, last)


def _rep_profile(rng: random.Random, archetype: str) -> dict[str, float]:
    if archetype == "improving":
        return {"start": rng.uniform(42, 58), "delta": rng.uniform(24, 38)}
    if archetype == "declining":
        return {"start": rng.uniform(78, 90), "delta": -rng.uniform(14, 26)}
    if archetype == "plateau":
        return {"start": rng.uniform(64, 82), "delta": 0.0}
    return {"start": rng.uniform(52, 84), "delta": 0.0}


def _score(rng: random.Random, profile: dict[str, float], archetype: str, progress: float,
           shift: float) -> float:
    value = profile["start"] + profile["delta"] * progress ** 0.8 + shift + rng.gauss(0, 3.0)
    if archetype == "plateau":
        value = min(value, PLATEAU_CEILING)
    return round(min(max(value, 12.0), 99.5), 1)


def _sessions_for(rng: random.Random, ids: random.Random, user: SandboxUser, archetype: str,
                  scenario: SandboxScenario, moments: list[dt.datetime],
                  profile: dict[str, float], all_invalid: bool = False) -> list[SandboxSession]:
    """Sessions of one rep on one scenario: scores follow the archetype over time, and about one
    in ten is abandoned or ungraded."""
    moments = sorted(moments)
    kinds: list[str] = []
    for _ in moments:
        if all_invalid:
            kinds.append(rng.choice(("abandoned", "abandoned", "ungraded")))
        elif rng.random() < 0.1:
            kinds.append("abandoned" if rng.random() < 0.7 else "ungraded")
        else:
            kinds.append("graded")
    valid_total = kinds.count("graded")
    sessions: list[SandboxSession] = []
    valid_index = 0
    for moment, kind in zip(moments, kinds, strict=True):
        score: float | None = None
        duration: int | None
        if kind == "graded":
            progress = valid_index / max(valid_total - 1, 1)
            score = _score(rng, profile, archetype, progress, scenario.spec.score_shift)
            duration = rng.randint(190, 760)
            valid_index += 1
        elif kind == "ungraded":
            duration = rng.randint(150, 600)
        else:
            duration = None if rng.random() < 0.5 else rng.randint(12, 95)
        sessions.append(SandboxSession(
            id=_uid(ids), user_id=user.id, scenario_id=scenario.id, created_at=moment,
            score=score, duration_seconds=duration, is_valid_attempt=kind == "graded", kind=kind,
        ))
    return sessions


def _primary_moments(rng: random.Random, months: _Months, archetype: str) -> list[dt.datetime]:
    if archetype == "one_session":
        return [months.moment(rng, 4)]
    if archetype == "never_valid":
        return [months.moment(rng, rng.choice((4, 4, 5))) for _ in range(rng.randint(1, 3))]
    began = rng.randint(0, 3)
    moments = [months.moment(rng, m) for m in range(began, 4) for _ in range(rng.randint(0, 3))]
    moments += [months.moment(rng, 4) for _ in range(rng.randint(3, 6))]
    moments += [months.moment(rng, 5) for _ in range(rng.randint(0, 3))]
    return moments


def generate_workspace(seed: int = 7, reps: int = 30,
                       today: dt.date | None = None) -> SandboxWorkspace:
    """A deterministic workspace: same (seed, reps, today), same data, ids included."""
    if reps < 1:
        raise ValueError("reps must be at least 1")
    today = today or dt.datetime.now(UTC).date()
    rng = random.Random(f"exec-sandbox:{seed}")
    ids = random.Random(f"exec-sandbox-ids:{seed}")
    months = _Months([_month_start(today, back) for back in range(5, -1, -1)], today)
    window_start = dt.datetime.combine(months.starts[0], dt.time(), UTC)

    def joined() -> dt.datetime:
        return window_start - dt.timedelta(days=rng.randint(20, 400), seconds=rng.randint(0, 86399))

    created = window_start - dt.timedelta(days=620)
    users: list[SandboxUser] = [
        SandboxUser(_uid(ids), ADMIN_EMAIL, "Morgan", "Reyes", "admin", created + dt.timedelta(1),
                    "no_sessions"),
        SandboxUser(_uid(ids), SYSTEM_EMAIL, "Exec", "QA Trainer", "staff",
                    created + dt.timedelta(2), "system"),
    ]
    used_emails = {ADMIN_EMAIL, SYSTEM_EMAIL, REMOVED_EMAIL}
    for index in range(reps):
        if index < len(text.GUARANTEED_REPS):
            first, last, local = text.GUARANTEED_REPS[index]
        else:
            first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
            local = f"{_ascii(first)}.{_ascii(last)}"
        email, n = f"{local}@{EMAIL_DOMAIN}", 1
        while email in used_emails:
            n += 1
            email = f"{local}{n}@{EMAIL_DOMAIN}"
        used_emails.add(email)
        archetype = _PATTERN[index % len(_PATTERN)]
        if index == reps - 1 and reps >= 3:
            archetype = "idle"  # a rep who was enrolled but never practised
        role = "staff" if index % 11 == 10 else "member"
        users.append(SandboxUser(_uid(ids), email, first, last, role, joined(), archetype))
    removed = SandboxUser(_uid(ids), REMOVED_EMAIL, "Jordan", "Blake", "member", joined(),
                          "improving", is_member=False)
    users.append(removed)
    admin = users[0]

    skills: dict[str, SandboxSkill] = {}
    collections: dict[str, str] = {}
    scenarios: list[SandboxScenario] = []
    for offset, spec in enumerate(text.SCENARIOS):
        scenario_skills = []
        for name in spec.skills:
            if name not in skills:
                skills[name] = SandboxSkill(_uid(ids), name, name.lower().replace(" ", "-"))
            scenario_skills.append(skills[name])
        collection = collections.setdefault(spec.collection, _uid(ids))
        made = created + dt.timedelta(days=30 + 11 * offset, hours=offset)
        scenarios.append(SandboxScenario(
            _uid(ids), spec, admin.id, made, made + dt.timedelta(days=40 + offset),
            scenario_skills, collection))
    primary = scenarios[0]
    active_others = [s for s in scenarios[1:] if not s.archived]
    archived = [s for s in scenarios if s.archived]

    group_count = rng.randint(4, 6)
    groups = [SandboxGroup(_uid(ids), name, created + dt.timedelta(days=5 + i))
              for i, name in enumerate(text.GROUP_NAMES[:group_count])]
    reps_only = [u for u in users if u.archetype not in ("no_sessions", "system") and u.is_member]
    for position, user in enumerate(reps_only):
        team = groups[position % text.TEAM_GROUPS]
        chosen = [team]
        for cohort in groups[text.TEAM_GROUPS:]:
            if rng.random() < 0.45:
                chosen.append(cohort)
        for group in chosen:
            group.member_ids.append(user.id)
            user.group_ids.append(group.id)
    for group in groups[text.TEAM_GROUPS:]:
        if not group.member_ids and reps_only:
            group.member_ids.append(reps_only[0].id)
            reps_only[0].group_ids.append(group.id)

    sessions: list[SandboxSession] = []
    by_user_scenario: dict[tuple[str, str], list[SandboxSession]] = {}

    def add(batch: list[SandboxSession]) -> None:
        for session in batch:
            sessions.append(session)
            by_user_scenario.setdefault((session.user_id, session.scenario_id), []).append(session)

    for user in users:
        archetype = user.archetype
        if archetype in ("idle", "no_sessions"):
            continue
        profile = _rep_profile(rng, "plateau" if archetype == "system" else archetype)
        if archetype == "system":
            moments = [months.moment(rng, rng.randint(2, 5)) for _ in range(rng.randint(4, 6))]
            add(_sessions_for(rng, ids, user, "plateau", primary, moments, profile))
            continue
        if not user.is_member:  # the removed rep practised up to the previous month, then left
            moments = [months.moment(rng, m) for m in (1, 2, 2, 3, 4, 4)]
            add(_sessions_for(rng, ids, user, archetype, primary, moments, profile))
            continue
        never_valid = archetype == "never_valid"
        add(_sessions_for(rng, ids, user, archetype, primary,
                          _primary_moments(rng, months, archetype), profile, never_valid))
        if archetype == "one_session":
            continue
        for scenario in active_others:
            if rng.random() < 0.6:
                moments = [months.moment(rng, rng.randint(0, 5)) for _ in range(rng.randint(1, 4))]
                add(_sessions_for(rng, ids, user, archetype, scenario, moments, profile,
                                  never_valid))
        for scenario in archived:
            if rng.random() < 0.3:
                moments = [months.moment(rng, rng.randint(0, 1)) for _ in range(rng.randint(1, 3))]
                add(_sessions_for(rng, ids, user, archetype, scenario, moments, profile,
                                  never_valid))

    _place_hostile_texts(users, primary, by_user_scenario, months)
    sessions.sort(key=lambda s: (s.created_at, s.id))

    programs = [{"id": _uid(ids), "name": "Q4 Enablement Program"},
                {"id": _uid(ids), "name": "New Hire Bootcamp"}]
    assignments = _assignments(rng, ids, users, primary, active_others, by_user_scenario,
                               months, programs, window_start)

    return SandboxWorkspace(
        seed=seed, today=today, id=_uid(ids), name="Northwind Traders",
        url_slug="northwind-traders", created_at=created, users=users, scenarios=scenarios,
        groups=groups, assignments=assignments, sessions=sessions, programs=programs,
    )


def _place_hostile_texts(users: list[SandboxUser], primary: SandboxScenario,
                         by_user_scenario: dict[tuple[str, str], list[SandboxSession]],
                         months: _Months) -> None:
    """Put the hostile texts in the latest valid previous-month session of the first three
    reps, so `--month last` reports meet every one of them."""
    batches = (text.HOSTILE_HTML, text.HOSTILE_FORMULAS, (text.CONTROL_TEXT, text.LONG_LINE))
    first, last = months.span(4)
    candidates = [u for u in users if u.is_member and u.archetype in ARCHETYPES
                  and u.archetype not in ("never_valid", "one_session")]
    for user, batch in zip(candidates, batches, strict=False):
        valid = [s for s in by_user_scenario.get((user.id, primary.id), []) if s.is_valid_attempt]
        in_month = [s for s in valid if first <= s.created_at.date() <= last]
        chosen = in_month or valid
        if chosen:
            chosen[-1].hostile = batch


def _assignments(rng: random.Random, ids: random.Random, users: list[SandboxUser],
                 primary: SandboxScenario, others: list[SandboxScenario],
                 by_user_scenario: dict[tuple[str, str], list[SandboxSession]], months: _Months,
                 programs: list[dict[str, str]], window_start: dt.datetime
                 ) -> list[SandboxAssignment]:
    """Assignments whose status follows from the rep's sessions; the parameters of a few are
    chosen so that every status occurs (see the comments)."""
    today = months.today
    due_past = dt.datetime.combine(months.starts[4] + dt.timedelta(days=14), dt.time(), UTC)
    due_future = dt.datetime.combine(today + dt.timedelta(days=21), dt.time(), UTC)
    end_prev = dt.datetime.combine(months.starts[5], dt.time(), UTC) - dt.timedelta(seconds=1)
    result: list[SandboxAssignment] = []
    firsts: set[str] = set()
    reps = [u for u in users if u.is_member and u.archetype not in ("no_sessions", "system")]
    for user in reps:
        scenarios = [primary] + [s for s in others if (user.id, s.id) in by_user_scenario
                                 or rng.random() < 0.15]
        for scenario in scenarios:
            valid = [s for s in by_user_scenario.get((user.id, scenario.id), [])
                     if s.is_valid_attempt]
            best = max((s.score for s in valid if s.score is not None), default=None)
            rank_min, attempt_min, attempt_max = "silver", 2, None
            due = rng.choice((end_prev, due_future))
            if scenario is primary:
                if user.archetype == "never_valid":
                    due = due_past  # no valid attempt and the date has gone: past_due
                elif user.archetype == "idle":
                    due = due_future  # nothing yet, still time: not_started
                elif user.archetype not in firsts:
                    firsts.add(user.archetype)
                    if user.archetype == "improving":
                        rank_min, attempt_min = "bronze", 1  # completed
                    elif user.archetype == "plateau":
                        # Plateau scores stay under gold: out of attempts, did_not_pass.
                        rank_min, attempt_max = "gold", max(len(valid), 1)
                    elif user.archetype == "one_session":
                        attempt_min, due = 3, due_future  # in_progress
            status = _status(best, len(valid), rank_min, attempt_min, attempt_max, due, today)
            program = programs[0] if scenario is primary else (
                programs[1] if rng.random() < 0.2 else None)
            result.append(SandboxAssignment(
                id=_uid(ids), user_id=user.id, scenario_id=scenario.id, status=status,
                due_date=due, best_score=best, attempt_count=len(valid), attempt_min=attempt_min,
                attempt_max=attempt_max, rank_min=rank_min, program=program,
                created_at=window_start + dt.timedelta(days=rng.randint(0, 20)),
            ))
    result.sort(key=lambda a: (a.created_at, a.id))
    return result


_RANK_ORDER = {"unranked": 0, "bronze": 1, "silver": 2, "gold": 3}


def _status(best: float | None, attempts: int, rank_min: str, attempt_min: int,
            attempt_max: int | None, due: dt.datetime, today: dt.date) -> str:
    passed = best is not None and _RANK_ORDER[rank_for(best) or "unranked"] >= _RANK_ORDER[
        rank_min]
    if passed and attempts >= attempt_min:
        return "completed"
    if attempt_max is not None and attempts >= attempt_max:
        return "did_not_pass"
    if due.date() < today:
        return "past_due"
    return "in_progress" if attempts else "not_started"


# --- session detail (lazy) -------------------------------------------------------------------


def _detail(workspace: SandboxWorkspace, session: SandboxSession) -> dict[str, Any]:
    """Built on first use and kept (bounded): a report run asks for each detail once, a test
    may ask twice, and rebuilding is cheap but not free."""
    cache = workspace.detail_cache
    if session.id not in cache:
        if len(cache) >= 4096:
            cache.clear()
        cache[session.id] = _build_detail(workspace, session)
    return cache[session.id]


def _fill(line: str, spec: text.ScenarioSpec) -> str:
    return line.format(buyer_first=spec.buyer_first, company=spec.company, product=spec.product,
                       pain=spec.pain, competitor=spec.competitor, price=spec.price)


@dataclass
class _RepLine:
    index: int  # position in the transcript
    text: str
    strong: bool
    better: str  # a strong phrasing for the same moment


def _build_detail(workspace: SandboxWorkspace, session: SandboxSession) -> dict[str, Any]:
    """Transcript, evaluations and feedback for one session, from an RNG seeded by the session."""
    rng = random.Random(f"exec-sandbox-detail:{workspace.seed}:{session.id}")
    spec = workspace.scenarios_by_key[session.scenario_id].spec
    quality = 0.55 if session.score is None else min(max(session.score / 100, 0.12), 0.95)

    stages = [text.OPENING]
    middle = sorted(rng.sample(range(len(text.MIDDLE)), rng.randint(3, len(text.MIDDLE))))
    stages += [text.MIDDLE[i] for i in middle] + [text.CLOSING]
    lines: list[dict[str, Any]] = []
    rep_lines: list[_RepLine] = []
    for position, (buyer, strong_lines, weak_lines) in enumerate(stages):
        buyer_text = _fill(rng.choice(buyer), spec) if buyer else spec.opener
        lines.append({"speaker": "ai", "text": buyer_text})
        strong = rng.random() < quality
        said = _fill(rng.choice(strong_lines if strong else weak_lines), spec)
        better = _fill(rng.choice(strong_lines), spec)
        rep_lines.append(_RepLine(len(lines), said, strong, better))
        lines.append({"speaker": "user", "text": said})
        if position == 0 and rng.random() < 0.12:
            lines.append({"speaker": None, "text": rng.choice(text.ASIDES)})

    for number, hostile in enumerate(session.hostile):
        target = rep_lines[number % len(rep_lines)]
        target.text = f"{target.text} {hostile}" if len(hostile) < 200 else hostile
        lines[target.index]["text"] = target.text

    clock = 0.0
    for line in lines:
        line["seconds_from_start"] = round(clock, 1)
        clock += 2.0 + min(len(line["text"]), 400) / 14 + rng.uniform(0.5, 6.0)
    if session.duration_seconds and clock > session.duration_seconds:
        factor = session.duration_seconds * 0.97 / clock
        for line in lines:
            line["seconds_from_start"] = round(line["seconds_from_start"] * factor, 1)

    empty = {"outcome_feedback": None, "positive_feedback": None, "constructive_feedback": None,
             "evaluations": None}
    if session.kind == "abandoned":
        partial = lines[: rng.randint(2, 5)] if rng.random() < 0.6 else None
        return {**empty, "transcript": partial}
    if session.kind == "ungraded":
        return {**empty, "transcript": lines}

    rank = session.rank or "unranked"
    detail: dict[str, Any] = {
        "transcript": lines,
        "outcome_feedback": _fill(rng.choice(text.OUTCOME_FEEDBACK[rank]), spec),
        "positive_feedback": rng.choice(text.POSITIVE_FEEDBACK),
        "constructive_feedback": rng.choice(text.CONSTRUCTIVE_FEEDBACK),
    }
    if rng.random() < 0.1:  # valid sessions sometimes lack a feedback text too
        missing = rng.choice(("outcome_feedback", "positive_feedback", "constructive_feedback"))
        detail[missing] = None
    detail["evaluations"] = _evaluations(rng, spec, quality, rep_lines, session.hostile)
    if session.hostile:
        detail["outcome_feedback"] = f"{detail['outcome_feedback'] or ''} {session.hostile[0]}"
        detail["constructive_feedback"] = session.hostile[-1]
    return detail


def _evaluations(rng: random.Random, spec: text.ScenarioSpec, quality: float,
                 rep_lines: list[_RepLine], hostile: tuple[str, ...]) -> list[dict[str, Any]]:
    criteria: list[dict[str, Any]] = []
    hostile_quotes = list(hostile)
    for criterion, item_names in spec.rubric:
        items = []
        for name in item_names:
            roll = rng.random()
            if roll < 0.04:
                grade: str | None = "not_relevant"
            elif roll < 0.06:
                grade = None
            else:
                draw = rng.random()
                grade = "good" if draw < quality - 0.1 else ("mid" if draw < quality + 0.2
                                                             else "bad")
            feedback = None if rng.random() < 0.05 else rng.choice(
                text.ITEM_FEEDBACK[grade or "mid"]).format(item=name)
            examples = []
            if grade in ("good", "mid", "bad"):
                for _ in range(rng.randint(0, 2)):
                    examples.append(_example(rng, grade, rep_lines))
            if hostile_quotes:
                examples.append(_hostile_example(hostile_quotes.pop(0), rep_lines))
            items.append({"name": name, "grade": grade, "feedback": feedback,
                          "feedback_examples": examples})
        criteria.append({"criterion_name": criterion, "items": items})
    if hostile and criteria[0]["items"]:
        criteria[0]["items"][0]["feedback"] = hostile[min(1, len(hostile) - 1)]
    return criteria


def _quote_of(line: str, rng: random.Random) -> str:
    """An exact substring of the line: the whole line, or one of its sentences."""
    sentences = [s.strip() for s in line.replace("? ", "?|").replace(". ", ".|").split("|")]
    sentences = [s for s in sentences if len(s) > 12 and s in line]
    return rng.choice(sentences) if sentences and rng.random() < 0.5 else line


def _example(rng: random.Random, grade: str, rep_lines: list[_RepLine]) -> dict[str, Any]:
    wanted = [r for r in rep_lines if r.strong == (grade == "good")] or rep_lines
    line = rng.choice(wanted)
    # Only what went less well gets a better phrasing, and only about half the time.
    suggestion = line.better if grade != "good" and rng.random() < 0.5 else None
    return {
        "quote": _quote_of(line.text, rng),
        "feedback": None if rng.random() < 0.08 else rng.choice(text.EXAMPLE_FEEDBACK[grade]),
        "suggestion_quote": suggestion,
        "grade": grade,
        "salience": "high" if rng.random() < 0.5 else "mid",
    }


def _hostile_example(hostile: str, rep_lines: list[_RepLine]) -> dict[str, Any]:
    """Quotes the hostile text verbatim (it is in a rep's line) and repeats it in the advice."""
    line = next((r for r in rep_lines if hostile in r.text), rep_lines[0])
    return {
        "quote": hostile if hostile in line.text else line.text,
        "feedback": f"Avoid pasting this into a call: {hostile}",
        "suggestion_quote": line.better,
        "grade": "bad",
        "salience": "high",
    }
