"""The synthetic Exec workspace behind the sandbox, generated deterministically from a seed.

List-level data (users, scenarios, groups, assignments, sessions) is built eagerly because every
filter needs it; transcripts and evaluations are built lazily per session, seeded by the
workspace seed and the session id, so a 2,000-rep workspace generates in about a second and a
session detail is the same every time it is asked for.

The generator guarantees the awkward cases later stages must survive (see ``SandboxWorkspace``
for where each lives): hostile HTML and formula texts, names in accented, CJK and right-to-left
scripts, a system user, a removed member who still has sessions, a member without sessions, an
archived scenario, abandoned and ungraded sessions, and data in the previous calendar month; and
a collection of three active scenarios (the primary's) that most reps practise only part of,
whose third scenario (``text.PROGRAM_SCENARIOS``) comes from random streams of its own, so
adding it changed nothing the other scenarios had; and, the same way, a scenario in Spanish and
one in German (``text.LANGUAGE_SCENARIOS``), each in its own collection and practised by its
own third of the reps, whose transcripts and feedback are written in that language
(``text.PHRASEBOOKS``).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from reporter.ranks import rank_for
from reporter.sandbox import text
from reporter.sandbox.model import (
    UTC,
    SandboxAssignment,
    SandboxCollection,
    SandboxGroup,
    SandboxScenario,
    SandboxSession,
    SandboxSkill,
    SandboxUser,
    SandboxWorkspace,
    slugify,
)

ARCHETYPES = ("improving", "plateau", "declining", "one_session", "never_valid")

# Rep i gets _PATTERN[i % len]: the first eight reps (the guaranteed names) cover every archetype.
_PATTERN = ("improving", "plateau", "declining", "improving", "one_session", "plateau",
            "declining", "improving", "never_valid", "plateau")

EMAIL_DOMAIN = "northwind.example"  # .example: nothing generated here can reach a real inbox

SYSTEM_EMAIL = "qa.trainer@exec.com"

REMOVED_EMAIL = "former.rep@northwind.example"

ADMIN_EMAIL = "morgan.reyes@northwind.example"

PLATEAU_CEILING = 88.9  # plateau reps never reach gold: their did_not_pass assignment relies on it

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
    """The six calendar months up to today: index 5 is the current month, 4 the previous.
    ``now`` is the sandbox's moment: no session is created after it."""

    starts: list[dt.date]
    today: dt.date
    now: dt.datetime

    def span(self, index: int) -> tuple[dt.date, dt.date]:
        start = self.starts[index]
        if index == 5:
            return start, self.today
        return start, self.starts[index + 1] - dt.timedelta(days=1)

    def moment(self, rng: random.Random, index: int) -> dt.datetime:
        """A moment in month ``index``, never after ``now``: one drawn later the same day
        moves back a day at a time, so the draws (and all data after them) do not depend on
        the hour, only on the day."""
        first, last = self.span(index)
        moment = _moment(rng, first, last)
        while moment > self.now:
            moment -= dt.timedelta(days=1)
        return moment

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

def parse_today(text: str) -> dt.date | dt.datetime:
    """``--today``: ``YYYY-MM-DD`` (a day) or ``YYYY-MM-DDTHH:MM[:SS]`` (a moment, UTC)."""
    text = text.strip()
    if "T" in text or " " in text:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return dt.date.fromisoformat(text)


def sandbox_now(today: dt.date | dt.datetime | None) -> dt.datetime:
    """The sandbox's "now" from ``--today``: a moment as given (UTC when naive), the end of a
    day given as a date, and the real clock when none is given."""
    if today is None:
        return dt.datetime.now(UTC)
    if isinstance(today, dt.datetime):
        return today if today.tzinfo else today.replace(tzinfo=UTC)
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), UTC) - dt.timedelta(
        microseconds=1)


def generate_workspace(seed: int = 7, reps: int = 30,
                       today: dt.date | dt.datetime | None = None) -> SandboxWorkspace:
    """A deterministic workspace: same (seed, reps, today), same data, ids included.
    ``today`` is a day (its sessions run to the end of it) or a moment (none after it)."""
    if reps < 1:
        raise ValueError("reps must be at least 1")
    now = sandbox_now(today)
    today = now.astimezone(UTC).date()
    rng = random.Random(f"exec-sandbox:{seed}")
    ids = random.Random(f"exec-sandbox-ids:{seed}")
    months = _Months([_month_start(today, back) for back in range(5, -1, -1)], today, now)
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

    def skill(name: str, uid: Callable[[], str]) -> SandboxSkill:
        if name not in skills:
            skills[name] = SandboxSkill(uid(), name, slugify(name),
                                        created + dt.timedelta(days=20 + len(skills)))
        return skills[name]

    for offset, spec in enumerate(text.SCENARIOS):
        scenario_skills = [skill(name, lambda: _uid(ids)) for name in spec.skills]
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
    workspace_id = _uid(ids)  # the main streams end here: everything below has its own

    extra = random.Random(f"exec-sandbox-program:{seed}")
    extra_ids = random.Random(f"exec-sandbox-program-ids:{seed}")
    for offset, spec in enumerate(text.PROGRAM_SCENARIOS, start=len(text.SCENARIOS)):
        scenario_skills = [skill(name, lambda: _uid(extra_ids)) for name in spec.skills]
        collection = collections.get(spec.collection) or collections.setdefault(
            spec.collection, _uid(extra_ids))
        made = created + dt.timedelta(days=30 + 11 * offset, hours=offset)
        scenario = SandboxScenario(_uid(extra_ids), spec, admin.id, made,
                                   made + dt.timedelta(days=40 + offset), scenario_skills,
                                   collection)
        scenarios.insert(sum(1 for s in scenarios if not s.archived), scenario)
        practised = _program_sessions(extra, extra_ids, users, scenario, months)
        sessions += practised
        assignments += _program_assignments(extra, extra_ids, users, scenario, practised,
                                            months, programs[0], window_start)
    teams = _language_teams(random.Random(f"exec-sandbox-language-teams:{seed}"), users)
    for offset, spec in enumerate(text.LANGUAGE_SCENARIOS,
                                  start=len(text.SCENARIOS) + len(text.PROGRAM_SCENARIOS)):
        # One pair of streams per language: adding a language changes no other one's data.
        own = random.Random(f"exec-sandbox-{spec.language}:{seed}")
        own_ids = random.Random(f"exec-sandbox-{spec.language}-ids:{seed}")
        scenario_skills = [skill(name, functools.partial(_uid, own_ids)) for name in spec.skills]
        collection = collections.get(spec.collection) or collections.setdefault(
            spec.collection, _uid(own_ids))
        made = created + dt.timedelta(days=30 + 11 * offset, hours=offset)
        scenario = SandboxScenario(_uid(own_ids), spec, admin.id, made,
                                   made + dt.timedelta(days=40 + offset), scenario_skills,
                                   collection)
        scenarios.insert(sum(1 for s in scenarios if not s.archived), scenario)
        speakers = teams[spec.language]
        practised = _language_sessions(own, own_ids, speakers, scenario, months)
        sessions += practised
        assignments += _program_assignments(own, own_ids, speakers, scenario, practised, months,
                                            None, window_start, every=True)
    sessions.sort(key=lambda s: (s.created_at, s.id))
    assignments.sort(key=lambda a: (a.created_at, a.id))

    return SandboxWorkspace(
        seed=seed, today=today, now=now, id=workspace_id, name="Northwind Traders",
        url_slug="northwind-traders", created_at=created, users=users, scenarios=scenarios,
        groups=groups, assignments=assignments, sessions=sessions, programs=programs,
        collections=sorted((SandboxCollection(uid, name, created + dt.timedelta(days=25 + i))
                            for i, (name, uid) in enumerate(collections.items())),
                           key=lambda c: (c.name.casefold(), c.id)),
        skills=sorted(skills.values(), key=lambda k: (k.name.casefold(), k.id)),
    )


def _program_sessions(rng: random.Random, ids: random.Random, users: list[SandboxUser],
                      scenario: SandboxScenario, months: _Months) -> list[SandboxSession]:
    """About half the reps practise a program scenario, in the last four months (the first rep
    always, the second never, so every workspace has a rep who practised some of a collection
    but not all of it); reps with one session overall and the system user do not."""
    sessions: list[SandboxSession] = []
    reps = [u for u in users if u.is_member and u.archetype in ARCHETYPES
            and u.archetype != "one_session"]
    for position, user in enumerate(reps):
        if position == 1 or (position > 1 and rng.random() >= 0.55):
            continue
        profile = _rep_profile(rng, user.archetype)
        moments = [months.moment(rng, rng.randint(2, 5)) for _ in range(rng.randint(2, 5))]
        sessions += _sessions_for(rng, ids, user, user.archetype, scenario, moments, profile,
                                  user.archetype == "never_valid")
    return sessions


def _program_assignments(rng: random.Random, ids: random.Random, users: list[SandboxUser],
                         scenario: SandboxScenario, sessions: list[SandboxSession],
                         months: _Months, program: dict[str, str] | None,
                         window_start: dt.datetime, every: bool = False
                         ) -> list[SandboxAssignment]:
    """The program scenario is assigned, in the primary scenario's program, to everyone who
    practised it and to a few who have not yet (``every``: to all of ``users``)."""
    due_future = dt.datetime.combine(months.today + dt.timedelta(days=21), dt.time(), UTC)
    end_prev = dt.datetime.combine(months.starts[5], dt.time(), UTC) - dt.timedelta(seconds=1)
    valid_of: dict[str, list[SandboxSession]] = {}
    for session in sessions:
        valid_of.setdefault(session.user_id, [])
        if session.is_valid_attempt:
            valid_of[session.user_id].append(session)
    result = []
    for user in users:
        if not user.is_member or user.archetype in ("no_sessions", "system"):
            continue
        if not every and user.id not in valid_of and rng.random() >= 0.3:
            continue
        valid = valid_of.get(user.id, [])
        best = max((s.score for s in valid if s.score is not None), default=None)
        due = rng.choice((end_prev, due_future))
        result.append(SandboxAssignment(
            id=_uid(ids), user_id=user.id, scenario_id=scenario.id,
            status=_status(best, len(valid), "silver", 2, None, due, months.today),
            due_date=due, best_score=best, attempt_count=len(valid), attempt_min=2,
            attempt_max=None, rank_min="silver", program=program,
            created_at=window_start + dt.timedelta(days=rng.randint(0, 20)),
        ))
    return result

def _language_teams(rng: random.Random, users: list[SandboxUser]
                    ) -> dict[str, list[SandboxUser]]:
    """Disjoint teams, one per language of ``text.LANGUAGE_SCENARIOS``, of about a third of the
    reps each (its guaranteed lead, e.g. Sofía for Spanish, always); reps with one session
    overall, the system user and idle reps are in none."""
    languages = [spec.language for spec in text.LANGUAGE_SCENARIOS]
    leads = {f"{local}@{EMAIL_DOMAIN}": language
             for language, local in text.LANGUAGE_LEADS.items()}
    teams: dict[str, list[SandboxUser]] = {language: [] for language in languages}
    for user in users:
        if not user.is_member or user.archetype not in ARCHETYPES \
                or user.archetype == "one_session":
            continue
        draw = rng.random()
        language = leads.get(user.email) or (
            languages[int(draw * 3)] if draw < len(languages) / 3 else None)
        if language in teams:
            teams[language].append(user)
    return teams


def _language_sessions(rng: random.Random, ids: random.Random, team: list[SandboxUser],
                       scenario: SandboxScenario, months: _Months) -> list[SandboxSession]:
    """Each rep of a language's team practises its scenario two to six times over the last
    five months, once at least in the previous one; the first rep's latest valid attempt of
    that month holds the language's odd texts, as the primary scenario's hostile ones."""
    sessions: list[SandboxSession] = []
    first, last = months.span(4)
    odd_placed = False
    for user in team:
        profile = _rep_profile(rng, user.archetype)
        moments = [months.moment(rng, rng.randint(1, 5)) for _ in range(rng.randint(1, 5))]
        moments.append(months.moment(rng, 4))
        practised = _sessions_for(rng, ids, user, user.archetype, scenario, moments, profile,
                                  user.archetype == "never_valid")
        in_month = [s for s in practised
                    if s.is_valid_attempt and first <= s.created_at.date() <= last]
        if in_month and not odd_placed:
            in_month[-1].hostile = text.LANGUAGE_ODD_TEXTS[scenario.spec.language]
            odd_placed = True
        sessions += practised
    return sessions


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
