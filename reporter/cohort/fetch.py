"""Fetching session details, the only part of a run that costs much of the day's budget.

After discovery (``cohort.program.discover``) and the plan: one ``GET /sessions/{id}`` per
valid session not in the cache, concurrently within the rate limit. ``fetch_reps`` yields
each rep (a program's, or a single-scenario run's: one record for both) as soon as their
sessions are all in (or their failure), so a caller can render (and write) that rep while
others download; ``fetch_record`` then says what the fetch cost, the snapshot's last field.
``warm_cache`` is ``reporter sync``: details only, within a request cap, and with
``dry_run`` what a day needs.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from reporter.cohort.cache import DetailCache
from reporter.cohort.discover import Discovery, find_group, period_filter, stray_reason
from reporter.cohort.plan import Plan
from reporter.cohort.program import ProgramSelection, program_scenarios
from reporter.cohort.selection import Period, Selection, SelectionError
from reporter.cohort.snapshot import FailedRecord, FetchRecord, RepRecord
from reporter.exec_api import (
    ExecClient,
    NotFound,
    ResponseShapeError,
    ServerError,
    TransportError,
)
from reporter.exec_api.models import SessionDetail, SessionListItem

#: Reps fetched at once. Enough to keep the client's 8 connections busy when requests are
#: fast (reps have a few sessions each), few enough that under the rate limit reps finish
#: one after another rather than all at the end.
REP_WINDOW = 3
#: Session details failing one after another (after their retries, with no success between)
#: before the fetch stops asking: a server that fails everything costs a few requests, not
#: the whole plan twice over.
GIVE_UP_AFTER = 5
#: What a rep's failure is made of: their details, not the run (a refused key, the day's
#: limit and a full disk still stop everything).
_REP_FAILURES = (NotFound, ServerError, TransportError, ResponseShapeError)


class DetailMismatch(ResponseShapeError):
    """A detail that is not the session asked for: another id, person or scenario."""

    def __init__(self, endpoint: str, field: str, asked: str, got: str) -> None:
        super().__init__(endpoint, field, f"is {got!r}, not the {asked!r} asked for")


class GaveUp(ServerError):
    """Not asked for: too many details failed in a row before this one."""


def make_plan(discovery: Discovery, client: ExecClient, cache: DetailCache,
              max_requests: int | None) -> Plan:
    """The details still to fetch, and what the run costs in all: ``client`` is the one that
    made the discovery requests, and nothing else."""
    valid = discovery.valid_session_ids
    cached = [sid for sid in valid if cache.usable(sid)]
    cached_set = set(cached)
    return Plan(
        reps=len(discovery.sessions_by_user),
        sessions=sum(len(s) for s in discovery.sessions_by_user.values()),
        valid_sessions=len(valid), details_cached=len(cached),
        details_to_fetch=tuple(sid for sid in valid if sid not in cached_set),
        discovery=dict(client.requests_by_endpoint), list_strategy=discovery.list_strategy,
        rate_limit=client.limiter.rate, used_today=client.usage.used_today,
        daily_limit=client.usage.daily_limit, max_requests=max_requests,
        cache_enabled=cache.enabled, comparison=discovery.comparison,
        program=discovery.label,
    )


async def fetch_reps(client: ExecClient, cache: DetailCache, discovery: Discovery,
                     on_detail: Callable[[], None] | None = None
                     ) -> AsyncIterator[RepRecord | FailedRecord]:
    """Each rep (``Discovery.rep_record``: their sessions across the run's scenarios, valid
    ones in detail, and their assignments) as soon as all of theirs are in;
    or, for a rep a detail of whom kept failing or was not the session asked for
    (``check_detail``), a FailedRecord: that rep's failure, never the run's.

    Details come from the cache when it has them, else from the API (and graded ones are
    cached). At most REP_WINDOW reps are fetched at once, each with all of their details in
    flight together: under the rate limit the requests then go to a few reps at a time, so
    reps finish one after another from the start, and their PDFs are drawn while the rest
    download. (All reps at once would share the limit round-robin and nearly all finish in
    the last seconds, leaving the rendering to start when fetching ends.)

    Reps go in :func:`fetch_order`.
    """
    window = asyncio.Semaphore(REP_WINDOW)
    # 5xx and dropped connections are retried from one allowance for the whole fetch: a tenth
    # of the details to fetch (at least 2).
    client.retry_budget = max(2, _details_to_fetch(discovery, cache) // 10)
    streak = _Streak()

    async def one(user_id: str) -> RepRecord | FailedRecord:
        user = discovery.users[user_id]
        async with window:
            details = [asyncio.ensure_future(_detail(client, cache, s, on_detail, streak))
                       for s in discovery.sessions_by_user[user_id]]
            try:
                sessions = list(await asyncio.gather(*details))
            except _REP_FAILURES as exc:
                for task in details:
                    task.cancel()
                await asyncio.gather(*details, return_exceptions=True)
                return FailedRecord(user=user, reason=str(exc)[:300])
        return discovery.rep_record(user_id, sessions)

    tasks = [asyncio.ensure_future(one(uid)) for uid in fetch_order(discovery, cache)]
    try:
        for done in asyncio.as_completed(tasks):
            yield await done
    finally:
        for task in tasks:
            task.cancel()


class _Streak:
    """Details failed one after another; at GIVE_UP_AFTER, the rest are not asked for."""

    def __init__(self) -> None:
        self.failures = 0

    def check(self) -> None:
        if self.failures >= GIVE_UP_AFTER:
            raise GaveUp(f"GET /sessions/{{id}}: not fetched: the server failed "
                         f"{self.failures} session details in a row", status=0,
                         endpoint="GET /sessions/{id}")


def _details_to_fetch(discovery: Discovery, cache: DetailCache) -> int:
    return sum(1 for sessions in discovery.sessions_by_user.values() for s in sessions
               if s.is_valid_attempt and not cache.has(s.id))


def fetch_order(discovery: Discovery, cache: DetailCache) -> list[str]:
    """The reps' user ids by the details they still need, fewest first (ties as discovered).

    Whatever the last minute's requests bring is drawn after fetching ends. With the largest
    reps last, those requests complete the fewest reps, so the fewest PDFs are left to draw;
    and reps whose details are all cached reach the pool at once.
    """
    def details_to_fetch(user_id: str) -> int:
        return sum(1 for s in discovery.sessions_by_user[user_id]
                   if s.is_valid_attempt and not cache.has(s.id))

    return sorted(discovery.sessions_by_user, key=details_to_fetch)


async def _detail(client: ExecClient, cache: DetailCache, session: SessionListItem,
                  on_detail: Callable[[], None] | None, streak: _Streak) -> SessionDetail:
    if not session.is_valid_attempt:
        return SessionDetail(**dict(session))  # an abandoned session has nothing more to read
    detail = cache.get(session.id)
    if detail is None:
        streak.check()
        try:
            detail = await client.get_session(session.id)
            check_detail(session, detail)
        except _REP_FAILURES:
            streak.failures += 1
            raise
        streak.failures = 0
        cache.put(detail)
        if on_detail is not None:
            on_detail()
    else:
        check_detail(session, detail)
    return detail


def check_detail(asked: SessionListItem, detail: SessionDetail) -> None:
    """The detail is the session of the list entry it was fetched for (same id, person and
    scenario), or DetailMismatch: another person's call never reaches a rep's report."""
    endpoint = "GET /sessions/{id}"
    for field, want, got in (("id", asked.id, detail.id),
                             ("user.id", asked.user.id, detail.user.id),
                             ("scenario.id", asked.scenario.id, detail.scenario.id)):
        if want != got:
            raise DetailMismatch(endpoint, field, want, got)


def fetch_record(client: ExecClient, cache: DetailCache) -> FetchRecord:
    """What the fetch cost, for the snapshot's last field (known only once every rep is in).

    ``fetched_at`` is the moment the data is as of: the run's first request (its discovery
    listed the period's sessions then), not the last detail's arrival; the run's "generated"
    moment is read after its discovery (``pipeline``), so it never precedes the data."""
    return FetchRecord(fetched_at=client.first_request_at or client.now(), base_url=client.base_url,
                       requests_made=client.requests_made, cache_hits=cache.hits,
                       detail_requests=client.requests_by_endpoint["GET /sessions/{id}"])


#: The days ``sync --dry-run`` judges a day's need from.
SYNC_DAYS = 30


@dataclass(frozen=True)
class WarmResult:
    sessions: int
    graded: int
    already_cached: int
    fetched: int
    left: int  # graded sessions still not cached (budget ran out)
    requests_made: int
    discovery_requests: int = 0  # of requests_made, those that found the sessions
    recent_graded: int = 0  # graded sessions of the last SYNC_DAYS days (or fewer)
    recent_days: int = SYNC_DAYS  # the days recent_graded covers

    @property
    def daily_details(self) -> int:
        """A day's new graded sessions, judged from the last month: details a day needs."""
        return math.ceil(self.recent_graded / max(1, self.recent_days))

    @property
    def daily_need(self) -> int:
        """The requests a daily sync needs to keep up: its discovery and a day's details."""
        return self.discovery_requests + self.daily_details

    def need_lines(self, max_requests: int | None, daily_limit: int) -> list[str]:
        """``sync --dry-run``: what a day needs, and whether the cap keeps up."""
        out = [
            f"graded sessions: {self.graded} in the period, {self.already_cached} cached, "
            f"{self.left} to fetch now",
            f"a day needs about {self.daily_need} requests = {self.discovery_requests} to "
            f"discover + {self.daily_details} details ({self.recent_graded} graded sessions in "
            f"the last {self.recent_days} days / {self.recent_days})",
        ]
        if max_requests is None:
            out.append(f"no --max-requests: sync takes what is left of the day's "
                       f"{daily_limit} requests")
        elif max_requests >= self.daily_need:
            out.append(f"--max-requests {max_requests} keeps up")
        else:
            out.append(f"--max-requests {max_requests} does not keep up: the cache falls "
                       f"behind by about {self.daily_need - max_requests} details a day; "
                       f"give at least --max-requests {self.daily_need}")
        if self.daily_need > daily_limit:
            out.append(f"a day needs more than the API's {daily_limit} requests a day: sync "
                       "part of the reps (--group, --roster) on different days")
        return out


async def warm_cache(client: ExecClient, cache_for: Callable[[str], DetailCache],
                     target: ProgramSelection, selection: Selection, period: Period,
                     max_requests: int | None, *, dry_run: bool = False) -> WarmResult:
    """``reporter sync``: fetch new graded details into the cache, within a request cap.

    Discovery is the least that finds the sessions (workspace, the scenarios, one session
    list for all of them); the details then fill whatever the cap and the day's budget
    leave. ``target``: one scenario or a program, resolved as a run resolves it. With
    ``dry_run`` no detail is fetched: the result says what a day needs (``need_lines``).
    """
    resolve = program_scenarios(target, selection, period)
    before = client.requests_made
    workspace = await client.get_workspace()
    cache = cache_for(workspace.id)
    if not cache.enabled:
        raise SelectionError("sync warms the cache: it cannot run with --no-cache")
    ids = list(await resolve(client))
    window = period_filter(period, selection)
    if selection.mode == "group":
        group = find_group(await client.list_groups(), selection.group)
        window = replace(window, group_ids=(group.id,))
    elif selection.mode in ("emails", "roster"):
        window = replace(window, user_emails=selection.emails)
    sessions = await client.list_sessions(window, scenario_ids=ids)
    now, asked = client.now(), set(window.user_emails)
    sessions = [s for s in sessions
                if stray_reason(s, frozenset(ids), window, asked, now) is None]
    graded = [s.id for s in sessions if s.is_graded]
    missing = [sid for sid in graded if not cache.usable(sid)]
    discovery = client.requests_made - before
    until = min(period.end, now)
    since = max(period.start, until - timedelta(days=SYNC_DAYS))
    recent = sum(1 for s in sessions if s.is_graded and since <= s.created_at <= until)
    days = max(1, min(SYNC_DAYS, math.ceil((until - since).total_seconds() / 86400)))
    room = client.usage.remaining_today
    if max_requests is not None:
        room = min(room, max_requests - (client.requests_made - before))
    todo = [] if dry_run else missing[: max(0, room)]

    async def one(sid: str) -> None:
        cache.put(await client.get_session(sid))

    await asyncio.gather(*(one(sid) for sid in todo))
    return WarmResult(len(sessions), len(graded), len(graded) - len(missing), len(todo),
                      len(missing) - len(todo), client.requests_made - before,
                      discovery, recent, days)
