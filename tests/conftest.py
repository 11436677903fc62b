"""Shared fixtures. The sandbox fixtures start ONE real sandbox server for the whole test run:
tests talk to it over loopback HTTP like the client does against the real API. Only fixtures
(and pytest's hooks) live here; the constants and helpers they use, and that tests import, are
in ``tests/support.py``."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from reporter.sandbox import SandboxServer, SandboxWorkspace, create_app, generate_workspace
from tests.support import (
    SANDBOX_KEY,
    SANDBOX_REPS,
    SANDBOX_SEED,
    SANDBOX_TODAY,
    SEEDED,
    DemoRun,
    Recorder,
    fetch_seeded,
    free_port,
    run_demo,
    sandbox_http,
)


def pytest_configure(config: pytest.Config) -> None:
    """On CI's run on another day (``make test-another-day``), check that the clock really
    moved: a run that silently kept the real date would prove nothing."""
    moment = os.environ.get("REPORTER_TEST_NOW")
    if moment:
        target = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        now = dt.datetime.now(dt.UTC)
        if not target <= now < target + dt.timedelta(hours=2):
            raise pytest.UsageError(f"REPORTER_TEST_NOW={moment} but the clock reads {now}: "
                                    "put tests/clock on PYTHONPATH")


@pytest.fixture(scope="session")
def sandbox_workspace() -> SandboxWorkspace:
    """The workspace behind ``sandbox`` (seed 7, 30 reps, today 2026-11-15): read it to know
    what the server will answer, never mutate it."""
    return generate_workspace(seed=SANDBOX_SEED, reps=SANDBOX_REPS, today=SANDBOX_TODAY)


@pytest.fixture(scope="session")
def sandbox(sandbox_workspace: SandboxWorkspace) -> Iterator[SandboxServer]:
    """One sandbox server for the session, without rate limits, accepting only SANDBOX_KEY.
    ``sandbox.base_url`` is its /rest/v1 URL, ``sandbox.state`` its counters and faults: a test
    that schedules faults or changes limits must undo that (``sandbox.state.reset()`` and
    setting the limits back to None)."""
    app = create_app(sandbox_workspace, api_key=SANDBOX_KEY, rate_limit=None, daily_limit=None)
    with SandboxServer(app) as server:
        yield server


@pytest.fixture
def env(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> SandboxServer:
    """The command line pointed at the session sandbox from a fresh working folder: its key
    and URL, a cache of the test's own, and pacing far above the sandbox's (none)."""
    monkeypatch.setenv("EXEC_API_KEY", SANDBOX_KEY)
    monkeypatch.setenv("EXEC_API_URL", sandbox.base_url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # The session sandbox has no limit; pacing at the published 60/min would only add minutes.
    monkeypatch.setenv("REPORTER_RATE_LIMIT", "6000")
    monkeypatch.chdir(tmp_path)
    sandbox.state.reset()
    return sandbox


@pytest.fixture(scope="session")
def scenario(sandbox_workspace: SandboxWorkspace) -> Any:
    """The sandbox's first active scenario (its primary: the most data)."""
    return next(s for s in sandbox_workspace.scenarios if not s.archived)


@pytest.fixture
def sandbox_client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """A plain httpx client for the session sandbox, closed after the test."""
    with sandbox_http(sandbox) as client:
        yield client


# -- a real SMTP server on loopback ----------------------------------------------------------

@pytest.fixture(scope="module")
def plain_server() -> Iterator[tuple[Controller, Recorder]]:
    """aiosmtpd on a free loopback port, plain SMTP (no TLS, no login); clear
    ``recorder.received`` before use."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


# -- seeded workspaces, fetched through the real client ---------------------------------------

@pytest.fixture(scope="session")
def seeded_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """name -> the ReportView of each SEEDED workspace, generated on the 1st after its month."""
    from reporter import analytics
    from reporter.cohort.snapshot import read_snapshot

    folder = tmp_path_factory.mktemp("seeded")
    out = {}
    for name, (seed, reps, today, month) in SEEDED.items():
        snapshot = read_snapshot(fetch_seeded(folder, seed, reps, today, month))
        out[name] = analytics.build_report(
            snapshot, generated_at=dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC))
    return out


# -- the demo, run once ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """ONE ``reporter demo`` for the whole run (the README's command, with the example
    config's teams): every test that reads the demo's PDFs, workbooks, CSV and outbox reads
    this folder, and none may change it. Run as a manager runs it: no API key in the
    environment, from a folder of its own.

    Under pytest-xdist each worker has a session of its own: the first worker to get here
    runs the demo in the run's shared temporary folder, under a lock; the others wait for it
    and read what it left."""
    workers = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    root = tmp_path_factory.getbasetemp().parent if workers else tmp_path_factory.mktemp("demo")
    with (root / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = root / "demo-run.json"
        if not record.exists():
            record.write_text(json.dumps(run_demo(root / "demo-run")))
        done = json.loads(record.read_text())
    return DemoRun(Path(done["folder"]), Path(done["out"]), done["stdout"],
                   Path(done["program"]), done["stderr"],
                   {tag: Path(p) for tag, p in done["spoken"].items()})


