"""Plan, then fetch: the only stage that speaks HTTP, ending in a snapshot.

The order is chosen so that no detail request is made before the plan is known:

1. discovery: the workspace (its id names the cache folder), the scenario (a slug
   is resolved through the scenario list), the analytics summary and participants
   for the whole scenario in the period (the cohort a rep is compared with), the
   members (to tell "not a member" from "no sessions", and to spot removed
   members), groups and their members (the Reps sheet's groups column), the
   scenario's assignments, and the session list;
2. the plan: one ``GET /sessions/{id}`` per valid session not in the cache. It is
   printed by ``--dry-run`` and refused when it would not fit the day's budget
   or ``--max-requests``;
3. details, concurrently within the rate limit; ``on_rep`` is called as soon as
   a rep's sessions are all in, so rendering can start while others download.
"""

from __future__ import annotations

import asyncio
import difflib
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reporter import __version__
from reporter.cohort.cache import DetailCache
from reporter.cohort.selection import Period, Selection, SelectionError, is_system_user
from reporter.errors import UsageError
from reporter.exec_api import PAGE_SIZE, ExecClient
from reporter.exec_api.models import Scenario, SessionListItem, WorkspaceGroup


class PlanRefused(UsageError):
    """The plan does not fit the budget; nothing was fetched beyond discovery."""


@dataclass
class Plan:
    reps: int
    sessions: int
    valid_sessions: int
    details_cached: int
    details_to_fetch: list[str]
    discovery: dict[str, int]  # endpoint -> requests made to discover the work
    list_strategy: str  # "scenario" (whole scenario, filtered here) or "emails"
    rate_limit: int
    used_today: int
    daily_limit: int
    max_requests: int | None = None
    cache_enabled: bool = True

    @property
    def discovery_requests(self) -> int:
        return sum(self.discovery.values())

    @property
    def total_requests(self) -> int:
        return self.discovery_requests + len(self.details_to_fetch)

    @property
    def remaining_today(self) -> int:
        return max(0, self.daily_limit - self.used_today)

    def minutes_at_rate_limit(self) -> int:
        """Least whole minutes the run's requests take at the client's rate limit."""
        n = self.total_requests
        return 0 if n <= self.rate_limit else (n - 1) // self.rate_limit

    def lines(self) -> list[str]:
        disc = ", ".join(f"{n} {ep}" for ep, n in self.discovery.items())
        return [
            f"reps: {self.reps}; sessions: {self.sessions} ({self.valid_sessions} valid)",
            f"session details: {self.details_cached} cached, {len(self.details_to_fetch)} to fetch"
            + ("" if self.cache_enabled else " (cache disabled)"),
            f"requests: {self.total_requests} in all = {self.discovery_requests} to discover "
            f"({disc}) + {len(self.details_to_fetch)} details",
            f"time at {self.rate_limit} requests/minute: at least "
            f"{self.minutes_at_rate_limit()} min",
            f"daily budget: {self.used_today} of {self.daily_limit} used today, "
            f"{self.remaining_today} left",
        ]


@dataclass
class FetchOptions:
    dry_run: bool = False
    max_requests: int | None = None


@dataclass
class FetchResult:
    plan: Plan
    snapshot: dict[str, Any] | None  # None on a dry run
    reports: list[str] = field(default_factory=list)  # what to tell the user


RepCallback = Callable[[dict[str, Any], dict[str, Any]], Awaitable[None] | None]


async def resolve_scenario(client: ExecClient, wanted: str) -> Scenario:
    """A scenario by id or slug, archived ones included; unknown names the closest slugs."""
    scenarios = await client.list_scenarios(include_archived=True)
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


async def gather(
    client: ExecClient,
    cache_root_factory: Callable[[str], DetailCache],
    scenario_ref: str,
    selection: Selection,
    period: Period,
    options: FetchOptions,
    *,
    on_rep: RepCallback | None = None,
    on_plan: Callable[[Plan], None] | None = None,
    on_detail: Callable[[], None] | None = None,
) -> FetchResult:
    """Discover, plan, and (unless a dry run) fetch; return the snapshot."""
    start_counts = dict(client.requests_by_endpoint)
    workspace = await client.get_workspace()
    cache = cache_root_factory(workspace.id)
    scenario = await resolve_scenario(client, scenario_ref)
    excl = not selection.include_system_users
    window = {"start_date": period.start, "end_date": period.end, "exclude_system_users": excl}
    reports: list[str] = []

    summary = await client.get_summary(scenario.id, **window)
    participants = await client.list_participants(scenario.id, **window)
    members = await client.list_members()
    member_by_email = {(m.email or "").casefold(): m for m in members if m.email}
    member_ids = {m.id for m in members}

    groups = await client.list_groups()
    selected_group = find_group(groups, selection.group) if selection.mode == "group" else None
    group_members: dict[str, set[str]] = {}
    group_names: dict[str, list[str]] = {}
    for g in groups:
        group_members[g.id] = {m.id for m in await client.list_members(group_ids=[g.id])}
        for uid in group_members[g.id]:
            group_names.setdefault(uid, []).append(g.name or g.id)

    assignments = await client.list_assignments(scenario_ids=[scenario.id])
    assignment_by_user = {a.user.id: a for a in assignments}

    # Who is wanted, as emails (None: everyone who practised).
    wanted_emails: list[str] | None
    if selected_group is not None:
        ids = group_members[selected_group.id]
        wanted_emails = sorted({(m.email or "").casefold() for m in members if m.id in ids} - {""})
    elif selection.mode in ("emails", "roster"):
        wanted_emails = list(selection.emails)
    else:
        wanted_emails = None
    if wanted_emails is not None and excl:
        wanted_emails = [e for e in wanted_emails if not is_system_user(e)]

    strategy = choose_list_strategy(client, participants, wanted_emails)
    list_kw = {"scenario_ids": [scenario.id], **window}
    if strategy == "emails" and wanted_emails:
        sessions = await client.list_sessions(user_emails=wanted_emails, **list_kw)
    elif strategy == "emails":
        sessions = []
    else:
        sessions = await client.list_sessions(**list_kw)
    if wanted_emails is not None:
        wanted_set = set(wanted_emails)
        sessions = [s for s in sessions if (s.user.email or "").casefold() in wanted_set]
    if excl:
        sessions = [s for s in sessions if not is_system_user(s.user.email)]
    sessions.sort(key=lambda s: (s.created_at, s.id))

    by_user: dict[str, list[SessionListItem]] = {}
    users: dict[str, Any] = {}
    for s in sessions:
        by_user.setdefault(s.user.id, []).append(s)
        users[s.user.id] = s.user

    not_found = classify_missing(selection, wanted_emails, users, member_by_email, period)
    for entry in not_found:
        reports.append(f"{entry['email']}: {entry['detail']}")
    removed = sorted({u.email or uid for uid, u in users.items() if uid not in member_ids})
    for email in removed:
        reports.append(f"{email}: no longer a workspace member; their sessions are included")

    valid_ids = [s.id for s in sessions if s.is_valid_attempt]
    cached = [sid for sid in valid_ids if cache.has(sid)]
    cached_set = set(cached)
    to_fetch = [sid for sid in valid_ids if sid not in cached_set]
    discovery = {ep: n - start_counts.get(ep, 0)
                 for ep, n in client.requests_by_endpoint.items()
                 if n - start_counts.get(ep, 0) > 0}
    plan = Plan(
        reps=len(by_user), sessions=len(sessions), valid_sessions=len(valid_ids),
        details_cached=len(cached), details_to_fetch=to_fetch, discovery=discovery,
        list_strategy=strategy, rate_limit=client.limiter.rate,
        used_today=client.usage.used_today, daily_limit=client.usage.daily_limit,
        max_requests=options.max_requests, cache_enabled=cache.enabled,
    )
    if on_plan:
        on_plan(plan)
    if options.dry_run:
        return FetchResult(plan, None, reports)
    check_budget(plan)

    details: dict[str, dict[str, Any]] = {}
    fetched = 0

    async def fetch_rep(user_id: str) -> None:
        nonlocal fetched
        rep_sessions = by_user[user_id]
        out = []
        for s in rep_sessions:
            if not s.is_valid_attempt:
                out.append(s.model_dump(mode="json"))
                continue
            data = cache.get(s.id)
            if data is None:
                detail = await client.get_session(s.id)
                data = detail.model_dump(mode="json")
                cache.put(data)
                fetched += 1
                if on_detail:
                    on_detail()
            out.append(data)
            details[s.id] = data
        entry = rep_entry(users[user_id], out, member_ids, group_names, assignment_by_user)
        reps_out[user_id] = entry
        if on_rep:
            result = on_rep(entry, header)
            if asyncio.iscoroutine(result):
                await result

    reps_out: dict[str, dict[str, Any]] = {}
    header = {
        "tool_version": __version__,
        "workspace": workspace.model_dump(mode="json"),
        "scenario": scenario.model_dump(mode="json"),
        "period": period.to_dict(),
        "selection": selection.to_dict(
            {"id": selected_group.id, "name": selected_group.name} if selected_group else None),
        "summary": summary.model_dump(mode="json"),
        "participants": [p.model_dump(mode="json") for p in participants],
        "not_found": not_found,
        "warnings": [],
    }
    await asyncio.gather(*(fetch_rep(uid) for uid in by_user))
    snapshot = {
        **header,
        "reps": [reps_out[uid] for uid in by_user],
        "fetch": {
            "fetched_at": datetime.now(UTC).isoformat(),
            "base_url": client.base_url,
            "requests_made": sum(client.requests_by_endpoint.values())
            - sum(start_counts.values()),
            "cache_hits": cache.hits,
            "detail_requests": fetched,
        },
    }
    if cache.repaired:
        reports.append(f"{cache.repaired} damaged cache file(s) were fetched again")
    return FetchResult(plan, snapshot, reports)


@dataclass
class WarmResult:
    sessions: int
    graded: int
    already_cached: int
    fetched: int
    left: int  # graded sessions still not cached (budget ran out)
    requests_made: int


async def warm_cache(
    client: ExecClient,
    cache_factory: Callable[[str], DetailCache],
    scenario_ref: str,
    selection: Selection,
    period: Period,
    max_requests: int | None,
) -> WarmResult:
    """``reporter sync``: fetch new graded details into the cache, within a request cap.

    Discovery is the least that finds the sessions (workspace, scenario, session
    list); the details then fill whatever the cap and the day's budget leave.
    """
    before = client.requests_made
    workspace = await client.get_workspace()
    cache = cache_factory(workspace.id)
    if not cache.enabled:
        raise SelectionError("sync warms the cache: it cannot run with --no-cache")
    scenario = await resolve_scenario(client, scenario_ref)
    excl = not selection.include_system_users
    kw: dict[str, Any] = {"scenario_ids": [scenario.id], "start_date": period.start,
                          "end_date": period.end, "exclude_system_users": excl}
    if selection.mode == "group":
        kw["group_ids"] = [find_group(await client.list_groups(), selection.group).id]
    elif selection.mode in ("emails", "roster"):
        kw["user_emails"] = list(selection.emails)
    sessions = await client.list_sessions(**kw)
    graded = [s.id for s in sessions if s.is_valid_attempt and s.score is not None]
    missing = [sid for sid in graded if not cache.has(sid)]
    spent = client.requests_made - before
    room = client.usage.remaining_today
    if max_requests is not None:
        room = min(room, max_requests - spent)
    todo = missing[: max(0, room)]

    async def one(sid: str) -> None:
        detail = await client.get_session(sid)
        cache.put(detail.model_dump(mode="json"))

    await asyncio.gather(*(one(sid) for sid in todo))
    return WarmResult(len(sessions), len(graded), len(graded) - len(missing), len(todo),
                      len(missing) - len(todo), client.requests_made - before)


def check_budget(plan: Plan) -> None:
    """Refuse a plan that does not fit the day's budget or --max-requests."""
    need = len(plan.details_to_fetch)
    if plan.max_requests is not None and plan.total_requests > plan.max_requests:
        raise PlanRefused(
            f"the plan needs {plan.total_requests} requests but --max-requests is "
            f"{plan.max_requests}; raise it, or warm the cache over several days with "
            "'reporter sync' and run again"
        )
    if need > plan.remaining_today:
        raise PlanRefused(
            f"the plan needs {need} more requests but only {plan.remaining_today} of today's "
            f"{plan.daily_limit} are left; run 'reporter sync' with --max-requests today and "
            "tomorrow to warm the cache, then run again"
        )


def choose_list_strategy(
    client: ExecClient, participants: Sequence[Any], wanted: list[str] | None
) -> str:
    """List the scenario's sessions once, or filter by email: whichever needs fewer pages.

    The participants table says how many sessions each person has, so both costs
    can be estimated before any session is listed.
    """
    if wanted is None:
        return "scenario"
    if not wanted:
        return "emails"
    counts = {(p.user.email or "").casefold(): max(1, p.session_count or 0) for p in participants}
    total = sum(counts.values())
    scenario_pages = max(1, math.ceil(total / PAGE_SIZE))
    chunks = client.email_chunks("/sessions", {"scenario_ids": "x" * 36, "start_date": "x" * 32,
                                               "end_date": "x" * 32,
                                               "exclude_system_users": "false",
                                               "sorting": "created_at"}, wanted)
    email_pages = sum(max(1, math.ceil(sum(counts.get(e, 0) for e in chunk) / PAGE_SIZE))
                      for chunk in chunks)
    return "emails" if email_pages <= scenario_pages else "scenario"


def classify_missing(
    selection: Selection,
    wanted: list[str] | None,
    users: dict[str, Any],
    member_by_email: dict[str, Any],
    period: Period,
) -> list[dict[str, str]]:
    out = [{"email": raw, "reason": "invalid_address", "detail": "not an email address"}
           for raw in selection.invalid]
    if wanted is None:
        return out
    found = {(u.email or "").casefold() for u in users.values()}
    for email in wanted:
        if email in found:
            continue
        if email in member_by_email:
            out.append({"email": email, "reason": "no_sessions",
                        "detail": f"no sessions in {period.label}"})
        else:
            out.append({"email": email, "reason": "not_member",
                        "detail": "not a member of the workspace"})
    if not selection.include_system_users:
        for email in selection.emails:
            if is_system_user(email):
                out.append({"email": email, "reason": "no_sessions",
                            "detail": "system user, excluded (see --include-system-users)"})
    return out


def rep_entry(user, sessions, member_ids, group_names, assignment_by_user) -> dict[str, Any]:
    assignment = assignment_by_user.get(user.id)
    return {
        "user": user.model_dump(mode="json"),
        "is_member": user.id in member_ids,
        "groups": sorted(group_names.get(user.id, [])),
        "assignment": assignment.model_dump(mode="json") if assignment else None,
        "sessions": sessions,
    }

