"""Discovery: the few list requests that say what a run is about, before any detail is fetched.

A run is a program of one or more scenarios; a single-scenario run is the program of its one
scenario (``cohort.program.discover`` makes the requests, for either). What they read, with
the helpers here: the workspace (its id names the cache folder), the scenarios (a slug is
resolved through the scenario list), the members (to tell "not a member" from "no sessions",
and to spot removed members), the groups and their members (the Reps sheet's groups column),
per scenario the analytics summary and participants in the period (the cohort a rep is
compared with), the scenarios' assignments, and one session list. What it learns is a
``Discovery``: the snapshot's header plus who has which sessions; the plan and the detail
fetch start from it.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from reporter.cohort.plan import ListStrategy
from reporter.cohort.selection import (
    Period,
    Selection,
    SelectionError,
    is_system_user,
)
from reporter.cohort.snapshot import (
    GroupRef,
    NotFoundRecord,
    PeriodRecord,
    PreviousRecord,
    RepRecord,
    SelectionRecord,
    Snapshot,
)
from reporter.errors import RunError
from reporter.exec_api import AnalyticsFilter, ExecClient
from reporter.exec_api.models import (
    Assignment,
    Scenario,
    ScenarioAnalyticsSummary,
    ScenarioParticipantEntry,
    SessionDetail,
    SessionListItem,
    User,
    WorkspaceGroup,
    WorkspaceMember,
)
from reporter.names import SCENARIO_RUN

#: How far ahead of our clock a server's may run before a session it lists counts as "dated in
#: the future" (and is left out as not asked for): NTP keeps real clocks within seconds, a VM
#: resumed from sleep can be minutes off; a session stamped hours ahead is a wrong answer.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, kw_only=True)
class Discovery:
    """What a run's list requests found, before any detail: the snapshot's header (a
    program's; a single-scenario run's is the program of its one scenario, of kind scenario)
    and who has which sessions. The plan (``make_plan``) and the detail fetch start from it;
    a rep with assignments and no session (a program's only) has an empty list."""

    header: Snapshot  # no reps yet, no fetch record; its kind says which run it is
    workspace_id: str
    sessions_by_user: dict[str, list[SessionListItem]]  # oldest first, in first-seen order
    users: dict[str, User]
    member_ids: frozenset[str]
    groups_of: dict[str, list[str]]  # user id -> group names
    assignments_of: dict[str, list[Assignment]]  # user id -> their assignments in the run
    list_strategy: ListStrategy
    reports: list[str] = field(default_factory=list)  # what to tell the user
    comparison: tuple[str, int] | None = None  # (previous period label, requests it took)

    @property
    def valid_session_ids(self) -> list[str]:
        return [s.id for sessions in self.sessions_by_user.values() for s in sessions
                if s.is_valid_attempt]

    @property
    def label(self) -> str | None:
        """The program in words, for the plan; None for a single-scenario run."""
        if self.scenario_run:
            return None
        p = self.header.program
        return (f"{p.name} ({p.kind}: {len(self.header.scenarios)} scenarios, "
                f"{len(self.header.skills)} skills)")

    @property
    def scenario_run(self) -> bool:
        """One scenario, run as itself (not a program that holds one)."""
        return self.header.kind == SCENARIO_RUN

    def rep_record(self, user_id: str, sessions: list[SessionDetail]) -> RepRecord:
        return RepRecord(user=self.users[user_id], is_member=user_id in self.member_ids,
                                groups=sorted(self.groups_of.get(user_id, [])),
                                assignments=self.assignments_of.get(user_id, []),
                                sessions=sessions)


@dataclass(frozen=True)
class People:
    """The workspace's members and groups, and who of them the selection wants."""

    members: list[WorkspaceMember]
    groups: list[WorkspaceGroup]
    selected_group: WorkspaceGroup | None
    groups_of: dict[str, list[str]]  # user id -> group names
    wanted: list[str] | None  # addresses, case-folded; None: everyone who practised

    @property
    def member_by_email(self) -> dict[str, WorkspaceMember]:
        return {(m.email or "").casefold(): m for m in self.members if m.email}

    @property
    def member_ids(self) -> frozenset[str]:
        return frozenset(m.id for m in self.members)

    def selection_record(self, selection: Selection) -> SelectionRecord:
        g = self.selected_group
        return SelectionRecord(
            mode=selection.mode, emails=list(selection.emails), roster=selection.roster,
            group=GroupRef(id=g.id, name=g.name) if g else None,
            include_system_users=selection.include_system_users,
            languages=dict(selection.languages))

    def group_refs(self) -> list[GroupRef]:
        return [GroupRef(id=g.id, name=g.name) for g in self.groups]


async def read_people(client: ExecClient, selection: Selection) -> People:
    """The members (to tell "not a member" from "no sessions", and to spot removed members),
    the groups and each group's members (the Reps sheet's groups column, and a --group's
    addresses)."""
    members = await client.list_members()
    groups = await client.list_groups()
    selected_group = find_group(groups, selection.group) if selection.mode == "group" else None
    group_members: dict[str, set[str]] = {}
    groups_of: dict[str, list[str]] = {}
    for g in groups:
        group_members[g.id] = {m.id for m in await client.list_members(group_ids=[g.id])}
        for uid in group_members[g.id]:
            groups_of.setdefault(uid, []).append(g.name or g.id)
    wanted = _wanted_emails(selection, members, group_members, selected_group)
    return People(members, groups, selected_group, groups_of, wanted)


@dataclass(frozen=True)
class Analytics:
    """One scenario's analytics for the period (and the previous month's, when compared)."""

    summary: ScenarioAnalyticsSummary
    participants: list[ScenarioParticipantEntry]
    previous: PreviousRecord | None
    comparison_requests: int  # of the requests, those the previous month took


async def read_analytics(client: ExecClient, scenario: Scenario, selection: Selection,
                         period: Period, previous: Period | None) -> Analytics:
    """The summary and participants for the whole scenario in the period (the cohort a rep
    is compared with), and for ``previous`` too when given."""
    window = period_filter(period, selection)
    summary = await client.get_summary(scenario.id, window)
    participants = await client.list_participants(scenario.id, window)
    before = client.requests_made
    previous_record = None
    if previous is not None:
        earlier = period_filter(previous, selection)
        previous_record = PreviousRecord(
            period=PeriodRecord(label=previous.label, start=previous.start, end=previous.end),
            summary=await client.get_summary(scenario.id, earlier),
            participants=await client.list_participants(scenario.id, earlier))
    return Analytics(summary, participants, previous_record, client.requests_made - before)


async def resolve_scenario(client: ExecClient, wanted: str) -> Scenario:
    """A scenario by id or slug, archived ones included; unknown names the closest slugs."""
    return find_scenario(await client.list_scenarios(include_archived=True), wanted)


def find_scenario(scenarios: Sequence[Scenario], wanted: str) -> Scenario:
    """A scenario by id or slug (any case); an unknown one names the closest slugs."""
    folded = wanted.strip().casefold()
    for s in scenarios:
        if s.id == wanted.strip() or (s.slug or "").casefold() == folded:
            return s
    slugs = [s.slug for s in scenarios if s.slug]
    close = difflib.get_close_matches(folded, slugs, n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else (
        f"; known: {', '.join(sorted(slugs)[:8])}" if slugs else "; the workspace has none")
    raise SelectionError(f"unknown scenario {wanted!r}{hint}")


def find_group(groups: Sequence[WorkspaceGroup], wanted: str | None) -> WorkspaceGroup:
    """A group by id or by name (any case); unknown lists the groups there are."""
    wanted = (wanted or "").strip()
    for g in groups:
        if g.id == wanted or (g.name or "").casefold() == wanted.casefold():
            return g
    names = ", ".join(sorted(g.name or g.id for g in groups)[:8]) or "none"
    raise SelectionError(f"unknown group {wanted!r}; groups: {names}")


def period_filter(period: Period, selection: Selection) -> AnalyticsFilter:
    return AnalyticsFilter(start_date=period.start, end_date=period.end,
                           exclude_system_users=not selection.include_system_users)


def missing_and_removed(not_found: Sequence[NotFoundRecord], users: dict[str, User],
                        member_ids: frozenset[str]) -> list[str]:
    """The lines that tell the user who was not found, and whose sessions are counted though
    they are no longer members. An entry that is not an address is not among them: the run
    said so once already, before its first request."""
    removed = sorted({u.email or uid for uid, u in users.items() if uid not in member_ids})
    return [f"{nf.email}: {nf.detail}" for nf in not_found
            if nf.reason != "invalid_address"] + [
        f"{email}: no longer a workspace member; their sessions are included"
        for email in removed]


class VanishedCohort(RunError):
    """The session list is empty while the analytics count valid attempts for the same
    people and period: a server answering wrongly, not a month without practice. The run
    stops before anything is written, so the previous run stays in place."""


def check_cohort(sessions: Sequence[SessionListItem],
                 participants: Sequence[ScenarioParticipantEntry], wanted: list[str] | None,
                 window: AnalyticsFilter, period: Period) -> list[str]:
    """The session list against the participants table (valid attempts per person, same
    scenario and period): none listed where the table counts some is VanishedCohort; fewer
    than half of what it counts is a warning (returned), so a cohort that vanished is never
    swapped in for a good previous run without a word."""
    wanted_set = set(wanted) if wanted is not None else None
    expected = sum(p.session_count or 0 for p in participants
                   if (wanted_set is None or (p.user.email or "").casefold() in wanted_set)
                   and not (window.exclude_system_users and is_system_user(p.user.email)))
    listed = sum(1 for s in sessions if s.is_valid_attempt)
    if expected and not listed:
        raise VanishedCohort(
            f"the session list is empty but the analytics count {expected} valid attempt(s) "
            f"for the selection in {period.label}; nothing was written and the previous run "
            "(if any) is kept: try again later")
    if listed * 2 < expected:
        return [f"the session list has {listed} valid attempt(s) but the analytics count "
                f"{expected} for the selection in {period.label}: the reports may be missing "
                "sessions"]
    return []


def _wanted_emails(selection: Selection, members: Sequence[WorkspaceMember],
                   group_members: dict[str, set[str]],
                   group: WorkspaceGroup | None) -> list[str] | None:
    """Who is wanted, as addresses; None: everyone who practised."""
    wanted: list[str] | None
    if group is not None:
        ids = group_members[group.id]
        wanted = sorted({(m.email or "").casefold() for m in members if m.id in ids} - {""})
    elif selection.mode in ("emails", "roster"):
        wanted = list(selection.emails)
    else:
        return None
    if not selection.include_system_users:
        wanted = [e for e in wanted if not is_system_user(e)]
    return wanted


async def list_period_sessions(client: ExecClient, scenario_ids: Sequence[str],
                               window: AnalyticsFilter, wanted: list[str] | None,
                               strategy: ListStrategy,
                               reports: list[str]) -> list[SessionListItem]:
    """The period's sessions of the wanted reps in the scenarios, oldest first, system users
    left out: one listing, however many scenarios (a program's are one filter).

    Every session is checked against what was asked (``stray_reason``): a server that ignores
    a filter cannot mix another scenario, another month, a date in the future or someone not
    asked for into a report. What is left out is counted in one line of ``reports``.
    """
    if strategy == "emails" and not wanted:
        return []
    if strategy == "emails" and wanted:
        window = replace(window, user_emails=tuple(wanted))
    sessions = await client.list_sessions(window, scenario_ids=scenario_ids)
    now = client.now()
    asked_emails = set(window.user_emails)
    asked_scenarios = frozenset(scenario_ids)
    strays: Counter[str] = Counter()
    kept = []
    for s in sessions:
        why = stray_reason(s, asked_scenarios, window, asked_emails, now)
        if why is None:
            kept.append(s)
        else:
            strays[why] += 1
    if strays:
        reports.append(
            f"{sum(strays.values())} session(s) the server returned were not asked for and are "
            "left out: " + ", ".join(f"{n} {why}" for why, n in sorted(strays.items())))
    if wanted is not None:
        wanted_set = set(wanted)
        kept = [s for s in kept if (s.user.email or "").casefold() in wanted_set]
    if window.exclude_system_users:
        kept = [s for s in kept if not is_system_user(s.user.email)]
    return sorted(kept, key=lambda s: (s.created_at, s.id))


def stray_reason(session: SessionListItem, scenario_ids: AbstractSet[str],
                 window: AnalyticsFilter, asked_emails: set[str], now: datetime) -> str | None:
    """Why a listed session is not what the request asked for, or None when it is."""
    if session.scenario.id not in scenario_ids:
        return "of another scenario"
    if session.created_at > now + CLOCK_SKEW:
        return "dated in the future"
    if (window.start_date is not None and session.created_at < window.start_date) or (
            window.end_date is not None and session.created_at > window.end_date):
        return "outside the period"
    if asked_emails and (session.user.email or "").casefold() not in asked_emails:
        return "of someone not asked for"
    return None


def classify_missing(selection: Selection, wanted: list[str] | None, users: dict[str, User],
                     member_by_email: dict[str, WorkspaceMember],
                     period: Period, *, nothing: str = "no sessions") -> list[NotFoundRecord]:
    """Every asked-for address without sessions, and why: not an address, not a member, no
    sessions in the period, or a system user left out."""
    out = [NotFoundRecord(email=raw, reason="invalid_address", detail="not an email address")
           for raw in selection.invalid]
    if wanted is None:
        return out
    found = {(u.email or "").casefold() for u in users.values()}
    for email in wanted:
        if email in found:
            continue
        if email in member_by_email:
            out.append(NotFoundRecord(email=email, reason="no_sessions",
                                      detail=f"{nothing} in {period.label}"))
        else:
            out.append(NotFoundRecord(email=email, reason="not_member",
                                      detail="not a member of the workspace"))
    if not selection.include_system_users:
        out += [NotFoundRecord(email=email, reason="no_sessions",
                               detail="system user, excluded (see --include-system-users)")
                for email in selection.emails if is_system_user(email)]
    return out
