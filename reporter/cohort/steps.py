"""What each rep was told: ``steps.json`` in a run folder, and how the next period finds it.

Every run writes the next step its reports gave each rep (``StepRecord``, one per rep with a
step to follow up) into ``OUT/<slug>/<period>/steps.json``. The next period's run of the
same scenario or program looks for the previous month's folder in the same OUT and reads it
back: that is what the rep was actually told, even if a later version of the tool would
advise otherwise. With no such run (a first run, another OUT), the step is recomputed from
the cached details of the previous month (``cached_sessions``): no request is spent on it,
and a detail that was never fetched is simply not part of it.

The file is personal data (names of what a rep does badly): written 0600 like every output.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from reporter.cohort.cache import DetailCache
from reporter.cohort.snapshot import StepRecord
from reporter.exec_api.models import SessionDetail
from reporter.files import atomic_write_bytes

STEPS_JSON = "steps.json"
SCHEMA_VERSION = 1


def write_steps(run_dir: Path, records: Sequence[StepRecord]) -> Path:
    """``run_dir/steps.json``, whole or not at all; returns its path."""
    path = Path(run_dir) / STEPS_JSON
    payload = {"schema_version": SCHEMA_VERSION,
               "steps": [r.model_dump(mode="json", exclude={"source"}) for r in records]}
    atomic_write_bytes(path, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def read_steps(run_dir: Path) -> list[StepRecord] | None:
    """The steps a run folder's reports gave (source "report"); None when the folder has no
    readable ``steps.json`` (no run there, or one from before this file existed): the caller
    recomputes them instead. An entry that does not read is left out."""
    try:
        data = json.loads((Path(run_dir) / STEPS_JSON).read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION \
            or not isinstance(data.get("steps"), list):
        return None
    out: list[StepRecord] = []
    for raw in data["steps"]:
        try:
            out.append(StepRecord.model_validate({**raw, "source": "report"}))
        except (ValidationError, TypeError):
            continue
    return out


def cached_sessions(cache: DetailCache, start: datetime, end: datetime,
                    scenario_ids: Collection[str], user_ids: Collection[str]
                    ) -> dict[str, list[SessionDetail]]:
    """The cached details of ``user_ids`` in ``scenario_ids`` created in [start, end], by
    user id, oldest first: what a past period's report was built from, as far as the cache
    holds it (only graded details are cached). Reads files only: never a request."""
    wanted_scenarios, wanted_users = set(scenario_ids), set(user_ids)
    found: dict[str, list[SessionDetail]] = {}
    for detail in cache.details():
        if detail.scenario.id not in wanted_scenarios or detail.user.id not in wanted_users:
            continue
        if not start <= detail.created_at <= end:
            continue
        found.setdefault(detail.user.id, []).append(detail)
    for sessions in found.values():
        sessions.sort(key=lambda d: (d.created_at, d.id))
    return found

