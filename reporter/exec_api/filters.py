"""The filters the analytics and session endpoints share, as one typed value.

``GET /sessions``, ``/scenarios/{id}/analytics/summary`` and ``.../participants`` take the
same period, group, system-user and email filters; a run asks all three for the same cohort,
so the filter is built once and handed to each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AnalyticsFilter:
    start_date: datetime | None = None
    end_date: datetime | None = None
    exclude_system_users: bool | None = None
    group_ids: tuple[str, ...] = ()
    user_emails: tuple[str, ...] = ()  # long lists are split so each URL stays short

    def params(self) -> dict[str, str | None]:
        """The query parameters, as the API writes them (user_emails apart: see above)."""
        return {
            "group_ids": _csv(self.group_ids),
            "start_date": _iso(self.start_date),
            "end_date": _iso(self.end_date),
            "exclude_system_users": _bool(self.exclude_system_users),
        }


NO_FILTER = AnalyticsFilter()


def _csv(values: Iterable[str] | None) -> str | None:
    joined = ",".join(v for v in (values or ()) if v)
    return joined or None


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")
