"""The library under the command line, called from Python with typed settings (no click)."""

from __future__ import annotations

import datetime as dt

import pytest

from reporter import pipeline
from reporter.cohort.plan import PlanRefused
from reporter.cohort.selection import Selection, parse_period
from reporter.cohort.snapshot import read_snapshot
from reporter.exec_api import ApiKey
from reporter.settings import ApiSettings, FetchSettings, RenderSettings, RunSettings
from tests.conftest import SANDBOX_KEY, SANDBOX_TODAY

MONTH = parse_period("2026-10", now=dt.datetime.combine(SANDBOX_TODAY, dt.time(12), dt.UTC))


@pytest.fixture
def fetching(sandbox, sandbox_workspace, tmp_path) -> FetchSettings:
    sandbox.state.reset()
    scenario = next(s for s in sandbox_workspace.scenarios if not s.archived)
    someone = sorted(u.email for u in sandbox_workspace.users
                     if u.is_member and not u.is_system)[:4]
    api = ApiSettings(key=ApiKey(SANDBOX_KEY), base_url=sandbox.base_url, rate_limit=6000,
                      cache_dir=tmp_path / "cache", usage_dir=tmp_path / "cache")
    return FetchSettings(api=api, scenario=scenario.slug,
                         selection=Selection("emails", tuple(e.lower() for e in someone)),
                         period=MONTH)


def test_plan_then_run_then_render_from_python(fetching, tmp_path, sandbox):
    plan = pipeline.plan(fetching)
    assert sandbox.state.by_path.get("/sessions/{id}", 0) == 0
    out = tmp_path / "out"
    outcome = pipeline.run(RunSettings(fetching, RenderSettings(out=out, jobs=1, csv=True)))
    assert outcome.run_dir == out / fetching.scenario / "2026-10"
    assert outcome.requests_made == plan.total_requests
    assert sandbox.state.by_path.get("/sessions/{id}", 0) == len(plan.details_to_fetch)
    assert outcome.reports == len(list((outcome.run_dir / "reps").glob("*.pdf")))
    snapshot = read_snapshot(outcome.run_dir / "snapshot.json")
    assert {r.user.email.lower() for r in snapshot.reps} <= set(fetching.selection.emails)

    again = pipeline.render(outcome.run_dir / "snapshot.json",
                            RenderSettings(out=tmp_path / "again", jobs=1, xlsx=False))
    assert again.reports == outcome.reports and again.pages == outcome.pages


def test_a_refused_plan_raises_with_its_exit_code(fetching, tmp_path):
    limited = FetchSettings(fetching.api, fetching.scenario, fetching.selection,
                            fetching.period, max_requests=3)
    with pytest.raises(PlanRefused) as info:
        pipeline.run(RunSettings(limited, RenderSettings(out=tmp_path / "out")))
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists()  # refused before anything is written
