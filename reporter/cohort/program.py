"""A run's discovery: the scenarios of one program, for the same people and period. A run is
a program of one or more scenarios; a single-scenario run is the program of its one scenario.

What a run is about is a ``ProgramSelection``: one scenario (by id or slug: the
single-scenario run), a collection (by name, slug or id), an explicit list of scenarios, or
every scenario the selected reps are assigned in the period (``assigned_in``). Its names are
resolved first, from the scenario list (and the collection list), so a typo costs one or two
requests and never a session listing.

Then (``discover``): the workspace; the names (the scenario list; a program's, the collection
list and the collection's scenarios, or the scenario list, each with its skills: once); the
members, groups and their members (``read_people``; for ``--assigned`` first, since its
assignments are read for the selected people); per scenario its analytics summary and
participants (and the previous month's when comparing); the assignments of all the
scenarios, once; ONE session listing for all of them (by ``scenario_ids``, so an archived
scenario of a collection never slips in), every session checked against the scenario set
(``stray_reason``); and per skill the scenarios evaluate (a program's: a single scenario is
listed without its skills), the selected people's proficiency as of the period's end (and as
of the previous month's end when comparing). The details are then fetched by
``fetch.fetch_reps`` (the cache), one per valid session not cached.

The reps of a program are everyone selected with a session in any of its scenarios or an
assignment of one current in the period: a rep who practised nothing but is assigned gets a
report that says what is due. A single-scenario run's reps are those with a session in it.
Selected addresses with neither are not found.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reporter import __version__
from reporter.cohort.catalog import find_collection
from reporter.cohort.discover import (
    Discovery,
    People,
    check_cohort,
    classify_missing,
    find_group,
    find_scenario,
    list_period_sessions,
    missing_and_removed,
    period_filter,
    read_analytics,
    read_people,
    resolve_scenario,
)
from reporter.cohort.plan import choose_list_strategy
from reporter.cohort.selection import (
    Period,
    Selection,
    SelectionError,
    by_person,
    is_system_user,
    previous_period,
    twins_said,
)
from reporter.cohort.snapshot import (
    PeriodRecord,
    ProgramKind,
    ProgramRecord,
    ScenarioPart,
    SkillRecord,
    Snapshot,
    scenario_program,
)
from reporter.exec_api import ExecClient
from reporter.exec_api.models import (
    Assignment,
    Scenario,
    SessionListItem,
    Skill,
    SkillProficiencyEntry,
    User,
)
from reporter.names import PROGRAM_RUN, SCENARIO_RUN, safe_component

#: The longest run-folder slug of an explicit list; a longer one keeps its start and a hash.
PROGRAM_SLUG_MAX = 60
#: The slug of an --assigned program whose assignments do not share one program.
ASSIGNED_SLUG = "assigned"
#: How a run's scenarios are chosen: one scenario (the single-scenario run), or a program's.
RunKind = Literal["scenario"] | ProgramKind


@dataclass(frozen=True)
class ProgramSelection:
    """Which scenarios a run is about: one scenario, run as itself (``refs`` its id or
    slug), a collection (``refs`` its one name, slug or id), an explicit list of scenarios
    (``refs``: ids or slugs, two or more), or every scenario the selected reps are assigned
    in the period (``refs`` empty)."""

    kind: RunKind
    refs: tuple[str, ...] = ()

    @property
    def scenario_run(self) -> bool:
        return self.kind == "scenario"

    def describe(self) -> str:
        if self.kind == "scenario":
            return f"scenario {self.refs[0]}"
        if self.kind == "collection":
            return f"collection {self.refs[0]}"
        if self.kind == "scenarios":
            return "scenarios " + ", ".join(self.refs)
        return "the scenarios the selected reps are assigned"


@dataclass(frozen=True)
class ResolvedProgram:
    """The program's record and its scenarios (with skills, in program order); for the
    assigned kind, also the assignments it was read from (the program's assignments)."""

    record: ProgramRecord
    scenarios: list[Scenario]
    assignments: list[Assignment] | None = None

    @property
    def scenario_ids(self) -> list[str]:
        return [s.id for s in self.scenarios]


def assigned_in(assignment: Assignment, period: Period) -> bool:
    """Whether an assignment is part of the period's work: created by the period's end (or
    of unknown date), and either not completed (not started, in progress, past due: still
    owed), or completed but due in or after the period (or, with no due date, created in
    it). An assignment completed and due before the period is last quarter's, not this
    month's. (The API does not say when an assignment was completed.)"""
    if assignment.created_at is not None and assignment.created_at > period.end:
        return False
    if (assignment.status or "") != "completed":
        return True
    if assignment.due_date is not None:
        return assignment.due_date >= period.start
    return assignment.created_at is not None and assignment.created_at >= period.start


def joined_slug(slugs: Sequence[str]) -> str:
    """An explicit list's folder name: its scenarios' slugs, each made file-safe, joined by
    "+"; longer than PROGRAM_SLUG_MAX, its start and 8 hex of the whole (so two long lists
    never share a folder)."""
    whole = "+".join(safe_component(s, "scenario") for s in slugs)
    if len(whole) <= PROGRAM_SLUG_MAX:
        return whole
    digest = hashlib.sha256(whole.encode("utf-8")).hexdigest()[:8]
    return whole[: PROGRAM_SLUG_MAX - 9].rstrip("+-.") + "-" + digest


async def resolve_program(client: ExecClient, program: ProgramSelection, period: Period,
                          selection: Selection, wanted: list[str] | None) -> ResolvedProgram:
    """The program's scenarios (with their skills) and record; unknown names are one line
    naming the closest, before any session request. ``wanted`` (the selected addresses, or
    None for everyone) is read only by the assigned kind, whose assignments it filters. One
    scenario is read from the scenario list without skills, as a single-scenario run reads
    it (no skill is then listed)."""
    if program.kind == "scenario":
        scenario = await resolve_scenario(client, program.refs[0])
        return ResolvedProgram(scenario_program(scenario), [scenario])
    if program.kind == "collection":
        collection = find_collection(await client.list_collections(), program.refs[0])
        scenarios = await client.list_scenarios(False, include_skills=True,
                                                collection_ids=[collection.id])
        if not scenarios:
            raise SelectionError(f"collection {collection.name or collection.id!r} holds no "
                                 "active scenario")
        return ResolvedProgram(
            ProgramRecord(kind="collection", id=collection.id,
                          name=collection.name or collection.slug or collection.id,
                          slug=safe_component(collection.slug or collection.name or "",
                                              "collection-" + collection.id[:8])),
            scenarios)
    every = await client.list_scenarios(True, include_skills=True)
    if program.kind == "scenarios":
        chosen: list[Scenario] = []
        for ref in program.refs:
            found = find_scenario(every, ref)
            if found not in chosen:
                chosen.append(found)
        names = [s.name or s.slug or s.id for s in chosen]
        return ResolvedProgram(
            ProgramRecord(kind="scenarios", name=" + ".join(names),
                          slug=joined_slug([s.slug or s.id for s in chosen])),
            chosen)
    assignments = await client.list_assignments(
        user_emails=wanted if selection.mode in ("emails", "roster") and wanted else ())
    wanted_set = set(wanted) if wanted is not None else None
    mine = [a for a in assignments
            if (wanted_set is None or (a.user.email or "").casefold() in wanted_set)
            and (selection.include_system_users or not is_system_user(a.user.email))]
    current = {a.scenario.id for a in mine if assigned_in(a, period)}
    scenarios = [s for s in every if s.id in current]
    if not scenarios:
        raise SelectionError(f"the selected reps have no assignment in {period.label}: "
                             "choose the scenarios with --collection or --scenario")
    programs = {(a.program.id, a.program.name) for a in mine
                if a.scenario.id in current and assigned_in(a, period) and a.program}
    unprogrammed = any(a.program is None for a in mine
                       if a.scenario.id in current and assigned_in(a, period))
    if len(programs) == 1 and not unprogrammed:
        ((pid, pname),) = programs
        record = ProgramRecord(kind="assigned", id=pid, name=pname or "Assigned scenarios",
                               slug=safe_component(pname or "", ASSIGNED_SLUG).lower())
    else:
        record = ProgramRecord(kind="assigned", name="Assigned scenarios", slug=ASSIGNED_SLUG)
    return ResolvedProgram(record, scenarios,
                           [a for a in mine if a.scenario.id in current])


async def discover(client: ExecClient, program: ProgramSelection, selection: Selection,
                   period: Period, *, compare: bool = True) -> Discovery:
    """Every list request a run needs, and what they say; no session detail.

    ``compare`` (a month period only): the previous month's analytics per scenario and the
    skills' proficiency as of its end; their requests are counted apart for the plan.
    """
    workspace = await client.get_workspace()
    if program.kind == "assigned":  # its scenarios are those of the selected people
        people = await read_people(client, selection)
        resolved = await resolve_program(client, program, period, selection, people.wanted)
    else:  # names first: a typo costs the scenario (and collection) list, nothing more
        resolved = await resolve_program(client, program, period, selection, None)
        people = await read_people(client, selection)
    wanted = people.wanted
    previous = previous_period(period) if compare else None
    parts: list[ScenarioPart] = []
    comparison_requests = 0
    participants = []
    for scenario in resolved.scenarios:
        found = await read_analytics(client, scenario, selection, period, previous)
        comparison_requests += found.comparison_requests
        participants += found.participants
        parts.append(ScenarioPart(scenario=scenario, summary=found.summary,
                                  participants=found.participants, previous=found.previous))
    ids = resolved.scenario_ids
    assignments = (resolved.assignments if resolved.assignments is not None
                   else await client.list_assignments(scenario_ids=ids))
    window = period_filter(period, selection)
    strategy = choose_list_strategy(client, participants, wanted, scenario_ids=ids)
    notes: list[str] = []
    sessions = await list_period_sessions(client, ids, window, wanted, strategy, notes)
    notes += check_cohort(sessions, participants, wanted, window, period)
    by_user, users, merged = by_person(sessions, lambda s: s.user)
    notes += twins_said(merged)
    single = program.scenario_run
    assignments_of = _assigned_reps(assignments, period, selection, wanted, by_user, users,
                                    join=not single)

    not_found = classify_missing(selection, wanted, users, people.member_by_email, period,
                                 nothing="no sessions" if single
                                 else "no sessions or assignments of the program")
    skills, earlier = await _skills(client, resolved.scenarios, people, selection, period,
                                    previous, users) if users else ([], 0)
    comparison_requests += earlier
    header = Snapshot(
        kind=SCENARIO_RUN if single else PROGRAM_RUN, tool_version=__version__,
        workspace=workspace, program=resolved.record,
        period=PeriodRecord(label=period.label, start=period.start, end=period.end),
        selection=people.selection_record(selection), scenarios=parts, skills=skills,
        groups=people.group_refs(), not_found=not_found)
    return Discovery(
        header=header, workspace_id=workspace.id,
        sessions_by_user=by_user, users=users,
        member_ids=people.member_ids, groups_of=people.groups_of,
        assignments_of=assignments_of, list_strategy=strategy,
        reports=notes + missing_and_removed(not_found, users, people.member_ids),
        comparison=(previous.label, comparison_requests) if previous else None)


def _assigned_reps(assignments: Sequence[Assignment], period: Period, selection: Selection,
                   wanted: list[str] | None, by_user: dict[str, list[SessionListItem]],
                   users: dict[str, User], *, join: bool) -> dict[str, list[Assignment]]:
    """Each rep's assignments in the run; with ``join`` (a program), a selected person with
    an assignment current in the period and no session joins the reps (``by_user`` and
    ``users``, with no sessions). A person is an address, whatever its case, as for
    sessions."""
    owner = {(u.email or "").casefold(): uid for uid, u in users.items() if u.email}
    wanted_set = set(wanted) if wanted is not None else None
    out: dict[str, list[Assignment]] = {}
    for a in assignments:
        folded = (a.user.email or "").casefold()
        uid = owner.get(folded, a.user.id) if folded else a.user.id
        if uid not in users:
            if not join or not assigned_in(a, period) or (
                    wanted_set is not None and folded not in wanted_set) or (
                    not selection.include_system_users and is_system_user(a.user.email)):
                continue
            users[uid] = a.user
            by_user[uid] = []
            if folded:
                owner[folded] = uid
        out.setdefault(uid, []).append(a)
    return out


async def _skills(client: ExecClient, scenarios: Sequence[Scenario], people: People,
                  selection: Selection, period: Period, previous: Period | None,
                  users: dict[str, User]) -> tuple[list[SkillRecord], int]:
    """Each skill the program's scenarios evaluate (first seen first), with the reps'
    proficiency as of the period's end (never later than now), and as of the previous
    period's end when comparing: one listing per skill (and moment), for the selected
    people (their addresses, their group, or everyone), kept to the program's reps. Returns
    the records and the requests the previous period's proficiency took."""
    evaluated: dict[str, tuple[Skill, list[str]]] = {}
    for s in scenarios:
        for ref in s.skills or []:
            skill, ids = evaluated.setdefault(
                ref.id, (Skill(id=ref.id, name=ref.name, slug=ref.slug), []))
            ids.append(s.id)
    emails = people.wanted if selection.mode in ("emails", "roster") and people.wanted else ()
    groups = [people.selected_group.id] if people.selected_group else []
    reps = {uid for uid in users} | {(u.email or "").casefold() for u in users.values()}

    async def read(skill_id: str, as_of: datetime) -> list[SkillProficiencyEntry]:
        entries = await client.get_skill_proficiency(
            skill_id, user_emails=emails, group_ids=groups,
            as_of=min(as_of, client.now()),
            exclude_system_users=not selection.include_system_users)
        return [e for e in entries
                if e.user.id in reps or (e.user.email or "").casefold() in reps]

    out = []
    earlier = 0
    for skill, ids in evaluated.values():
        now = await read(skill.id, period.end)
        before = client.requests_made
        then = await read(skill.id, previous.end) if previous else None
        earlier += client.requests_made - before
        out.append(SkillRecord(skill=skill, scenario_ids=ids, proficiency=now, previous=then))
    return out, earlier


def program_scenarios(program: ProgramSelection, selection: Selection,
                      period: Period) -> Callable[[ExecClient], Awaitable[Sequence[str]]]:
    """The program's scenarios as what ``warm_cache`` (``reporter sync``) syncs: the same
    resolution as a run's, so sync warms exactly the sessions the monthly run will read."""
    async def ids(client: ExecClient) -> Sequence[str]:
        wanted = await _wanted_for_sync(client, selection) if program.kind == "assigned" \
            else None
        return (await resolve_program(client, program, period, selection, wanted)).scenario_ids

    return ids


async def _wanted_for_sync(client: ExecClient, selection: Selection) -> list[str] | None:
    """The selected addresses, for the assigned kind's assignments (a group's: one listing
    of its members); None: everyone."""
    if selection.mode in ("emails", "roster"):
        return list(selection.emails)
    if selection.mode == "group":
        group = find_group(await client.list_groups(), selection.group)
        return sorted({(m.email or "").casefold()
                       for m in await client.list_members(group_ids=[group.id])} - {""})
    return None
