"""The workspace's catalogue (reporter.cohort.catalog) against the sandbox over loopback: a
scenario in no collection is still listed, an empty collection costs no request."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from reporter.cohort.catalog import find_collection, read_catalog
from reporter.cohort.selection import SelectionError
from reporter.exec_api import ApiKey, ExecClient
from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key
from reporter.sandbox.model import SandboxCollection


def test_a_scenario_without_collection_is_listed_and_an_empty_collection_costs_nothing():
    ws = generate_workspace(seed=5, reps=3, today=dt.date(2026, 11, 15))
    loner = next(s for s in ws.scenarios if s.slug == "cold-call-first-meeting")
    loner.collection_id = "no-collection"
    empty = SandboxCollection("c-empty", "Alpha Empty", ws.created_at)
    ws = dataclasses.replace(ws, collections=[empty, *ws.collections])
    app = create_app(ws, rate_limit=None)

    async def read(base_url: str):
        async with ExecClient(ApiKey(make_api_key(5)), base_url, rate_limit=10_000) as client:
            return await read_catalog(client)

    with SandboxServer(app) as server:
        catalog = asyncio.run(read(server.base_url))
    listed = {s.scenario.slug: [c.slug for c in s.collections] for s in catalog.scenarios}
    assert listed["cold-call-first-meeting"] == []
    assert [s.scenario.slug for s in catalog.scenarios][-1] == "cold-call-first-meeting"
    assert len(listed) == len([s for s in ws.scenarios if not s.archived])
    assert catalog.requests == app.state.sandbox.total_requests == 2 + 5
    assert catalog.listed_collections == 5  # five with scenarios; the empty one not asked
    row = next(line for line in catalog.lines() if "cold-call-first-meeting" in line)
    assert row.split("  ")[-1].strip() == "Prospecting" and " – " in row
    assert "  alpha-empty" in "\n".join(catalog.lines())


def test_find_collection_by_id_slug_or_name_and_the_closest_when_unknown():
    from reporter.exec_api.models import Collection

    known = [Collection(id="c1", name="Core Sales Conversations",
                        slug="core-sales-conversations"),
             Collection(id="c2", name="Prospecting", slug="prospecting")]
    assert find_collection(known, "c2").id == "c2"
    assert find_collection(known, " Core-Sales-Conversations").id == "c1"
    assert find_collection(known, "prospecting").id == "c2"
    with pytest.raises(SelectionError, match="did you mean prospecting"):
        find_collection(known, "prospectin")
    with pytest.raises(SelectionError, match="the workspace has none"):
        find_collection([], "anything")
