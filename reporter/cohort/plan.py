"""The plan: exactly which requests a run needs, given what the cache already holds.

It is printed by ``--dry-run`` and checked against the day's budget and ``--max-requests``
before any session detail is fetched, so a run never spends half the budget and then stops.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from reporter.errors import UsageError
from reporter.exec_api import PAGE_SIZE, ExecClient
from reporter.exec_api.models import ScenarioParticipantEntry

ListStrategy = Literal["scenario", "emails"]


class PlanRefused(UsageError):
    """The plan does not fit the budget; nothing was fetched beyond discovery."""


@dataclass(frozen=True)
class Plan:
    reps: int
    sessions: int
    valid_sessions: int
    details_cached: int
    details_to_fetch: tuple[str, ...]
    discovery: Mapping[str, int]  # endpoint -> requests made to discover the work
    list_strategy: ListStrategy  # the scenario's whole list, or filtered by email
    rate_limit: int
    used_today: int
    daily_limit: int
    max_requests: int | None = None
    cache_enabled: bool = True
    comparison: tuple[str, int] | None = None  # (previous period, its requests), in discovery
    program: str | None = None  # a program run: what it is, in words

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
            *([f"program: {self.program}"] if self.program else []),
            f"reps: {self.reps}; sessions: {self.sessions} ({self.valid_sessions} valid)",
            f"session details: {self.details_cached} cached, {len(self.details_to_fetch)} to fetch"
            + ("" if self.cache_enabled else " (cache disabled)"),
            f"requests: {self.total_requests} in all = {self.discovery_requests} to discover "
            f"({disc}) + {len(self.details_to_fetch)} details",
            *([f"comparison with {self.comparison[0]}: {self.comparison[1]} of the discovery "
               "requests (" + ("each scenario's analytics summary and participants, and each "
                               "skill's proficiency as of its end" if self.program else
                               "its analytics summary and participants")
               + "; --no-compare skips them)"]
              if self.comparison else []),
            f"time at {self.rate_limit} requests/minute: at least "
            f"{self.minutes_at_rate_limit()} min",
            f"daily budget: {self.used_today} of {self.daily_limit} used today, "
            f"{self.remaining_today} left",
        ]

    def check_budget(self) -> None:
        """Refuse a plan that does not fit the day's budget or --max-requests."""
        if self.max_requests is not None and self.total_requests > self.max_requests:
            raise PlanRefused(
                f"the plan needs {self.total_requests} requests but --max-requests is "
                f"{self.max_requests}; raise it, or warm the cache over several days with "
                "'reporter sync' and run again"
            )
        need = len(self.details_to_fetch)
        if need > self.remaining_today:
            raise PlanRefused(
                f"the plan needs {need} more requests but only {self.remaining_today} of "
                f"today's {self.daily_limit} are left; run 'reporter sync' with --max-requests "
                "today and tomorrow to warm the cache, then run again"
            )


def choose_list_strategy(
    client: ExecClient, participants: Sequence[ScenarioParticipantEntry],
    wanted: Sequence[str] | None, *, scenario_ids: Sequence[str] = (),
) -> ListStrategy:
    """List the scenario's sessions once, or filter by email: whichever needs fewer pages.

    The participants table says how many sessions each person has, so both costs can be
    estimated before any session is listed. ``scenario_ids``: the listing's scenarios (a
    program's several; else one id's length is assumed), whose filter lengthens each URL.
    """
    if wanted is None:
        return "scenario"
    if not wanted:
        return "emails"
    counts = {(p.user.email or "").casefold(): max(1, p.session_count or 0) for p in participants}
    scenario_pages = max(1, math.ceil(sum(counts.values()) / PAGE_SIZE))
    # The longest values each filter can take, so the estimate never undercounts chunks.
    widest = {"scenario_ids": ",".join(scenario_ids) or "x" * 36, "start_date": "x" * 32,
              "end_date": "x" * 32, "exclude_system_users": "false", "sorting": "created_at"}
    chunks = client.email_chunks("/sessions", widest, list(wanted))
    email_pages = sum(max(1, math.ceil(sum(counts.get(e, 0) for e in chunk) / PAGE_SIZE))
                      for chunk in chunks)
    return "emails" if email_pages <= scenario_pages else "scenario"
