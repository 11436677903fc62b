"""Shared fixtures. The sandbox fixtures start ONE real sandbox server for the whole test run:
tests talk to it over loopback HTTP like the client does against the real API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from reporter.sandbox import SandboxServer, SandboxWorkspace, create_app, generate_workspace
from reporter.sandbox import make_api_key as _make_api_key

SANDBOX_SEED = 7
SANDBOX_REPS = 30
SANDBOX_TODAY = dt.date(2026, 11, 15)
SANDBOX_KEY = _make_api_key(SANDBOX_SEED)


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


def sandbox_http(server: SandboxServer, key: str | None = SANDBOX_KEY,
                 timeout: float = 10.0) -> httpx.Client:
    """A plain httpx client for ``server`` with the Bearer key (none if ``key`` is None)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=timeout)


@pytest.fixture
def sandbox_client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """A plain httpx client for the session sandbox, closed after the test."""
    with sandbox_http(sandbox) as client:
        yield client
