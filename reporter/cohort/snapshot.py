"""The snapshot: one JSON file holding everything the later stages need.

Fetching is the only stage that speaks HTTP; it ends by writing a snapshot, and
analysis and rendering read nothing else. That makes a report reproducible
(render the same snapshot twice, get the same numbers) and lets a run be
re-rendered offline.

Format, ``schema_version`` 1 (API objects are stored as the API returned them,
in the shapes of ``shared/exec-api/openapi.yml``)::

    {
      "schema_version": 1,
      "tool_version": "0.1.0",
      "workspace": Workspace | null,
      "scenario": Scenario,
      "period": {"label": "2026-10", "start": ISO datetime, "end": ISO datetime},
      "selection": {"mode": "all" | "emails" | "roster" | "group",
                    "emails": [str], "roster": str | null,
                    "group": {"id": str, "name": str} | null,
                    "include_system_users": bool},
      "summary": ScenarioAnalyticsSummary,         # whole scenario, the period
      "participants": [ScenarioParticipantEntry],  # whole scenario, the period
      "reps": [{
          "user": User,
          "is_member": bool,                       # false: removed from the workspace
          "groups": [str],                         # group names
          "assignment": Assignment | null,
          "sessions": [SessionDetail]              # oldest first; valid ones carry
                                                   # transcript and evaluations
      }],
      "not_found": [{"email": str,
                     "reason": "not_member" | "no_sessions" | "invalid_address",
                     "detail": str}],
      "warnings": [str],
      "fetch": {"fetched_at": ISO datetime, "base_url": str,
                "requests_made": int, "cache_hits": int, "detail_requests": int}
    }

The API key is never part of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reporter.errors import UsageError
from reporter.files import atomic_write_bytes, read_versioned_json

SCHEMA_VERSION = 1


class SnapshotError(UsageError):
    """A snapshot that cannot be read: missing, not JSON, or of a newer version."""


def write_snapshot(data: dict[str, Any], path: Path) -> None:
    """Write atomically: a reader never sees half a snapshot. The version written is always
    this reporter's, whatever ``data`` carried (a re-saved older snapshot is upgraded)."""
    data = {"schema_version": SCHEMA_VERSION,
            **{k: v for k, v in data.items() if k != "schema_version"}}
    atomic_write_bytes(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def read_snapshot(path: Path) -> dict[str, Any]:
    return read_versioned_json(path, "snapshot", SCHEMA_VERSION, SnapshotError)
