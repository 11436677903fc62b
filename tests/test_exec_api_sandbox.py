"""The client against the real sandbox over a loopback socket."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from contextlib import contextmanager

import pytest

from reporter.exec_api import (
    AnalyticsFilter,
    ApiKey,
    AuthenticationError,
    ExecClient,
    InvalidRequest,
    NotFound,
    ServerError,
)
from reporter.sandbox import SandboxServer, create_app, generate_workspace
from tests.bending import bending_proxy
from tests.support import SANDBOX_KEY

OCT_START = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
OCT_END = dt.datetime(2026, 10, 31, 23, 59, 59, tzinfo=dt.UTC)


def call(server, fn, key=SANDBOX_KEY, rate_limit=10_000, **kw):
    async def go():
        kw.setdefault("backoff", lambda attempt: 0.01)
        async with ExecClient(ApiKey(key), server.base_url, rate_limit=rate_limit,
                              **kw) as client:
            return await fn(client), client

    return asyncio.run(go())


@pytest.fixture
def state(sandbox):
    sandbox.state.reset()
    yield sandbox.state
    sandbox.state.reset()


def test_pagination_reads_every_session_with_fewest_pages(sandbox, sandbox_workspace, state):
    sessions, client = call(sandbox, lambda c: c.list_sessions())
    total = len(sandbox_workspace.sessions)
    assert len(sessions) == total and len({s.id for s in sessions}) == total
    assert client.requests_made == math.ceil(total / 100) == state.total_requests
    created = [s.created_at for s in sessions]
    assert created == sorted(created)  # oldest first: stable under new sessions


@pytest.mark.parametrize("filter_name", ["scenario", "emails", "user_ids", "group", "rank",
                                         "dates", "system"])
def test_every_session_filter_matches_the_workspace(sandbox, sandbox_workspace, filter_name):
    ws = sandbox_workspace
    scenario = next(s for s in ws.scenarios if not s.archived)
    users = [u for u in ws.users if not u.is_system][:3]
    group = ws.groups[0]
    args, keep = {
        "scenario": ({"scenario_ids": [scenario.id]}, lambda s: s.scenario_id == scenario.id),
        "emails": ({"user_emails": [users[0].email.upper(), users[1].email]},
                   lambda s: s.user_id in {users[0].id, users[1].id}),
        "user_ids": ({"user_ids": [users[2].id], "user_emails": [users[0].email]},
                     lambda s: s.user_id in {users[2].id, users[0].id}),
        "group": ({"group_ids": [group.id]}, lambda s: s.user_id in set(group.member_ids)),
        "rank": ({"rank": ["gold", "silver"]}, lambda s: s.rank in ("gold", "silver")),
        "dates": ({"start_date": OCT_START, "end_date": OCT_END},
                  lambda s: OCT_START <= s.created_at <= OCT_END),
        "system": ({"exclude_system_users": True},
                   lambda s: not ws.users_by_id[s.user_id].is_system),
    }[filter_name]
    filter_args = {k: tuple(v) if isinstance(v, list) else v for k, v in args.items()
                   if k in ("user_emails", "group_ids", "start_date", "end_date",
                            "exclude_system_users")}
    other_args = {k: v for k, v in args.items() if k not in filter_args}
    got, _ = call(sandbox, lambda c: c.list_sessions(AnalyticsFilter(**filter_args),
                                                      **other_args))
    expected = {s.id for s in ws.sessions if keep(s)}
    assert expected and {s.id for s in got} == expected


def test_detail_with_transcript_and_evaluations(sandbox, sandbox_workspace):
    valid = next(s for s in sandbox_workspace.sessions if s.is_valid_attempt)
    detail, _ = call(sandbox, lambda c: c.get_session(valid.id))
    assert detail.id == valid.id and detail.transcript and detail.evaluations
    assert 3 <= len(detail.evaluations) <= 5


def test_analytics_by_slug_and_members_groups_assignments(sandbox, sandbox_workspace):
    ws = sandbox_workspace
    scenario = next(s for s in ws.scenarios if not s.archived)

    async def everything(c):
        return (await c.get_summary(scenario.slug), await c.list_participants(scenario.id),
                await c.list_members(), await c.list_groups(),
                await c.list_assignments(scenario_ids=[scenario.id]),
                await c.list_scenarios(include_archived=True), await c.get_workspace())

    summary, participants, members, groups, assignments, scenarios, workspace = call(
        sandbox, everything)[0]
    assert summary.participant_count == len(participants)
    assert {m.id for m in members} == {u.id for u in ws.users if u.is_member}
    assert len(groups) == len(ws.groups)
    assert {a.id for a in assignments} == {a.id for a in ws.assignments
                                           if a.scenario_id == scenario.id}
    assert any(s.slug == scenario.slug for s in scenarios)
    assert workspace.id == ws.id


@pytest.mark.parametrize(("fault", "exc", "message"), [
    ("missing-session", NotFound, "Session not found"),
    ("bad-key", AuthenticationError, "Invalid or inactive API key"),
    ("unknown-scenario", NotFound, "Scenario not found: no-such-scenario"),
])
def test_error_statuses_carry_the_servers_message(sandbox, fault, exc, message):
    other_key = "exec_live_" + "Z" * 40
    fn, key = {
        "missing-session": (lambda c: c.get_session("no-such-session"), SANDBOX_KEY),
        "bad-key": (lambda c: c.get_workspace(), other_key),
        "unknown-scenario": (lambda c: c.get_summary("no-such-scenario"), SANDBOX_KEY),
    }[fault]
    with pytest.raises(exc) as info:
        call(sandbox, fn, key=key)
    assert message in info.value.message
    assert other_key not in str(info.value)


def test_invalid_request_400_is_mapped(sandbox):
    async def bad_page(c):
        return await c._get("GET /sessions", "/sessions", object, page=0)  # type: ignore[arg-type]

    with pytest.raises(InvalidRequest):
        call(sandbox, bad_page)


@pytest.mark.parametrize("kind", ["429", "500", "503", "drop"])
def test_transient_failures_are_absorbed(sandbox, state, kind):
    state.schedule_faults(kind, count=2, path_prefix="/workspace")
    workspace, client = call(sandbox, lambda c: c.get_workspace())
    assert workspace.name
    assert client.requests_made == 3 and client.failed_requests == 2
    assert state.pending_faults == 0


def test_5xx_that_never_stops_is_a_clear_error(sandbox, state):
    state.schedule_faults("503", count=10, path_prefix="/workspace")
    with pytest.raises(ServerError, match=r"HTTP 503\) after 3 attempts"):
        call(sandbox, lambda c: c.get_workspace(), max_retries=2)


def test_timeout_is_retried(sandbox, state):
    state.schedule_faults("timeout", count=1, path_prefix="/workspace", delay=1.5)
    workspace, client = call(sandbox, lambda c: c.get_workspace(), timeout=0.5)
    assert workspace.id and client.requests_made == 2
    # The abandoned answer is still on its way: let it land here, not in the next test's count.
    deadline = time.monotonic() + 5
    while state.total_requests < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state.total_requests == 2


def test_malformed_key_is_never_sent(sandbox, state):
    from reporter.errors import ConfigError

    with pytest.raises(ConfigError):
        ApiKey("exec_live_short")
    assert state.total_requests == 0


def test_200_reps_read_with_fewest_requests_and_no_429_at_default_limits(tmp_path):
    """The default limits on both sides (60/min): listing every session of a 200-rep
    workspace takes exactly ceil(n/100) requests and never meets a 429."""
    ws = generate_workspace(seed=11, reps=200, today=dt.date(2026, 11, 15))
    app = create_app(ws, api_key=SANDBOX_KEY)  # sandbox defaults: 60/min, 1000/day
    with SandboxServer(app) as server:
        started = time.monotonic()
        sessions, client = call(server, lambda c: c.list_sessions(), rate_limit=60)
        elapsed = time.monotonic() - started
        state = app.state.sandbox
        print(f"\n200 reps: {len(sessions)} sessions in {client.requests_made} requests, "
              f"{state.rate_limited} x 429, {elapsed:.1f} s")
        assert len(sessions) == len(ws.sessions)
        assert client.requests_made == math.ceil(len(ws.sessions) / 100)
        assert state.rate_limited == 0


# -- pagination that lies (issue 21, 7), through the loopback proxy of tests/bending.py -----


@contextmanager
def _lying(sandbox, query=None, pagination=None):
    """The proxy, rewriting the forwarded query of /sessions and its pagination object."""
    with bending_proxy(sandbox) as proxy:
        if query is not None:
            proxy.bend.query = lambda path, q: query(q) if path == "/sessions" else q
        if pagination is not None:
            def body(path, q, answer):
                if path == "/sessions":
                    answer["pagination"] = pagination(answer.get("pagination") or {})
                return answer
            proxy.bend.body = body
        yield proxy


def _list_through(proxy):
    return call(proxy, lambda c: c.list_sessions())


def test_a_server_ignoring_page_size_is_read_to_its_totals(sandbox, sandbox_workspace):
    """It answers 20 rows a page while echoing page_size 100 and no total_pages: the
    total_count it gives is followed to the end, not the first short page."""
    with _lying(sandbox, query=lambda q: {**q, "page_size": "20"},
                pagination=lambda p: {"total_count": p.get("total_count"),
                                      "page_size": 100}) as proxy:
        sessions, client = _list_through(proxy)
    total = len(sandbox_workspace.sessions)
    assert len({s.id for s in sessions}) == total
    assert client.requests_made == math.ceil(total / 20)


def test_a_server_ignoring_page_stops_at_the_first_page_adding_nothing(sandbox):
    """Page 1 for every page, no totals: two requests, not MAX_PAGES; with totals that
    promise more than arrives, the listing is an error, not a smaller cohort."""
    from reporter.exec_api import ResponseShapeError

    with _lying(sandbox, query=lambda q: {**q, "page": "1"}, pagination=lambda p: {}) as proxy:
        sessions, client = _list_through(proxy)
    assert len(sessions) == 100 and client.requests_made == 2
    with _lying(sandbox, query=lambda q: {**q, "page": "1"}) as proxy:
        with pytest.raises(ResponseShapeError) as info:
            _list_through(proxy)
        asked = proxy.bend.count("/sessions")
    assert asked == 2
    assert str(info.value).startswith("GET /sessions: unexpected response: field 'pagination' "
                                      "promised ")
    assert "but 100 different ones arrived in 2 pages; the listing is incomplete" in str(
        info.value)


def test_totals_that_promise_more_than_arrives_are_an_error(sandbox):
    from reporter.exec_api import ResponseShapeError

    with _lying(sandbox, pagination=lambda p: {**p, "total_count": 100_000}) as proxy, \
            pytest.raises(ResponseShapeError, match="promised 100000 rows but"):
        _list_through(proxy)


def test_a_listing_never_spends_the_days_budget(sandbox, tmp_path):
    """A server whose every page is full of new rows, forever (no totals): the listing stops
    at half of what is left of the day, an error, not 1,000 requests."""
    import json

    from reporter.exec_api import ResponseShapeError, UsageCounter

    today = dt.datetime.now(dt.UTC).date().isoformat()
    (tmp_path / "usage.json").write_text(json.dumps({today: 960}))
    with bending_proxy(sandbox) as proxy:
        def endless(path, q, answer):
            if path == "/sessions":
                page = int(q["page"])
                answer["data"] = [{**s, "id": f"{s['id']}-{page}"} for s in answer["data"]]
                answer["pagination"] = {}
            return answer

        proxy.bend.query = lambda path, q: {**q, "page": "1"}
        proxy.bend.body = endless
        with pytest.raises(ResponseShapeError, match="goes on beyond 20 pages"):
            call(proxy, lambda c: c.list_sessions(),
                 usage=UsageCounter(tmp_path / "usage.json"))
        assert proxy.bend.count("/sessions") == 20


# -- collections, skills, proficiency ----------------------------------------------------------


def test_collections_and_scenarios_with_their_skills(sandbox, sandbox_workspace, state):
    ws = sandbox_workspace
    main = next(c for c in ws.collections if c.id == ws.primary_scenario.collection_id)

    async def read(c):
        return (await c.list_collections(), await c.list_scenarios(include_skills=True),
                await c.list_scenarios(collection_ids=[main.id]),
                await c.list_scenarios(include_archived=False))

    (collections, with_skills, in_main, plain), client = call(sandbox, read)
    assert [(c.id, c.name, c.slug) for c in collections] == [
        (c.id, c.name, c.slug) for c in ws.collections]
    assert [c.scenario_count for c in collections] == [
        sum(1 for s in ws.scenarios if s.collection_id == c.id) for c in ws.collections]
    assert {s.id: [k.id for k in s.skills or []] for s in with_skills} == {
        s.id: [k.id for k in s.skills] for s in ws.scenarios}
    assert all(s.skills is None for s in plain)  # not asked: None, not "evaluates none"
    assert [s.id for s in in_main] == [s.id for s in ws.scenarios
                                       if s.collection_id == main.id]
    assert client.requests_made == state.total_requests == 4


def test_sessions_by_collection_and_skill(sandbox, sandbox_workspace):
    ws = sandbox_workspace
    main = ws.primary_scenario.collection_id
    skill = ws.skills[-1]

    async def read(c):
        return (await c.list_sessions(collection_ids=[main]),
                await c.list_sessions(skill_ids=[skill.id]))

    (by_collection, by_skill), _ = call(sandbox, read)
    in_main = {s.id for s in ws.scenarios if s.collection_id == main}
    evaluating = {s.id for s in ws.scenarios if skill in s.skills}
    assert {s.id for s in by_collection} == {s.id for s in ws.sessions
                                             if s.scenario_id in in_main}
    assert {s.id for s in by_skill} == {s.id for s in ws.sessions
                                        if s.scenario_id in evaluating}
    assert len(in_main) >= 3 and by_skill


def test_skills_with_their_summary_agree_with_the_proficiency_lists(sandbox, sandbox_workspace,
                                                                    state):
    async def read(c):
        skills = await c.list_skills(include_proficiency=True)
        return skills, [await c.get_skill_proficiency(s.id) for s in skills]

    (skills, lists), client = call(sandbox, read)
    assert [s.id for s in skills] == [k.id for k in sandbox_workspace.skills]
    for skill, entries in zip(skills, lists, strict=True):
        summary = skill.proficiency_summary
        assert summary is not None and summary.participant_count == len(entries)
        assert summary.scored_participant_count == sum(e.score is not None for e in entries)
        assert all((e.score is None) == (e.tier == "insufficient_data") for e in entries)
    assert client.requests_made == 1 + len(skills) == state.total_requests
    plain, _ = call(sandbox, lambda c: c.list_skills())
    assert all(s.proficiency_summary is None for s in plain)


def test_proficiency_for_chosen_people_pages_and_splits_long_email_lists(tmp_path):
    """200 reps: every member's proficiency on a skill takes two pages; the same people asked
    for by email take one request per URL-sized chunk of addresses, and agree; a group and an
    as-of date narrow it."""
    ws = generate_workspace(seed=11, reps=200, today=dt.date(2026, 11, 15))
    skill = next(k for k in ws.skills if k.slug == "discovery")
    group = ws.groups[0]
    app = create_app(ws, api_key=SANDBOX_KEY, rate_limit=None, daily_limit=None)
    with SandboxServer(app) as server:
        state = app.state.sandbox
        every, client = call(server, lambda c: c.get_skill_proficiency(skill.id))
        assert len(every) > 100 and client.requests_made == 2
        emails = [e.user.email or "" for e in every]
        asked, client = call(server, lambda c: c.get_skill_proficiency(
            skill.id, user_emails=[e.upper() for e in emails]))
        chunks = client.email_chunks(f"/skills/{skill.id}/proficiency", {}, emails)
        assert len(chunks) > 1 and client.requests_made == len(chunks)
        assert sorted(e.user.id for e in asked) == sorted(e.user.id for e in every)
        assert {e.user.id: e for e in asked} == {e.user.id: e for e in every}
        in_group, _ = call(server, lambda c: c.get_skill_proficiency(skill.id,
                                                                     group_ids=[group.id]))
        assert [e.user.id for e in in_group] == [e.user.id for e in every
                                                 if e.user.id in set(group.member_ids)]
        before, _ = call(server, lambda c: c.get_skill_proficiency(skill.id, as_of=OCT_END))
        assert all(e.last_practiced_at and e.last_practiced_at <= OCT_END for e in before)
        assert sum(e.observation_count or 0 for e in before) < sum(
            e.observation_count or 0 for e in every)
        assert state.by_path == {"/skills/{id}/proficiency": state.total_requests}


def test_unknown_skill_is_not_found(sandbox):
    with pytest.raises(NotFound, match="Skill not found: no-such-skill"):
        call(sandbox, lambda c: c.get_skill_proficiency("no-such-skill"))
