"""A program's discovery and fetch against the sandbox over loopback: the requests at the
bound, the cache, the reps (practised or only assigned), names, slugs, and sync's sizing."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from reporter.cohort.cache import DetailCache
from reporter.cohort.fetch import (
    SYNC_DAYS,
    fetch_record,
    fetch_reps,
    make_plan,
    warm_cache,
)
from reporter.cohort.plan import PlanRefused
from reporter.cohort.program import (
    PROGRAM_SLUG_MAX,
    ProgramSelection,
    assigned_in,
    discover,
    joined_slug,
)
from reporter.cohort.selection import Period, Selection, SelectionError, previous_period
from reporter.exec_api.models import Assignment
from reporter.sandbox import proficiency as sandbox_proficiency
from tests.support import SANDBOX_KEY, SANDBOX_PERIOD, Env, pages

MAIN = "core-sales-conversations"
COLLECTION = ProgramSelection("collection", (MAIN,))


@pytest.fixture
def env(sandbox, sandbox_workspace):
    sandbox.state.reset()
    return Env(sandbox_workspace, sandbox, SANDBOX_KEY)


def program_bound(ws, collection_slug: str, period: Period, *,
                  compare: bool = True) -> dict[str, int]:
    """docs/performance.md's bound for a collection's program run of everyone, from the
    sandbox's own data: the fewest requests that can gather it (pages of 100)."""
    collection = next(c for c in ws.collections if c.slug == collection_slug)
    scenarios = [s for s in ws.scenarios if s.collection_id == collection.id and not s.archived]
    ids = {s.id for s in scenarios}
    before = previous_period(period) if compare else None

    def people(scenario_id: str, when: Period) -> int:
        return len({s.user_id for s in ws.sessions
                    if s.scenario_id == scenario_id and s.is_valid_attempt
                    and when.start <= s.created_at <= when.end
                    and not ws.users_by_id[s.user_id].is_system})

    in_period = [s for s in ws.sessions
                 if s.scenario_id in ids and period.start <= s.created_at <= period.end
                 and not ws.users_by_id[s.user_id].is_system]
    skills = {k.id: k for s in scenarios for k in s.skills}
    members = {u.id for u in ws.users if u.is_member and not u.is_system}

    def proficiency(when: Period) -> int:
        return sum(pages(len(sandbox_proficiency.proficiency(ws, k, when.end, members)))
                   for k in skills.values())

    return {
        "GET /workspace": 1,
        "GET /collections": pages(len(ws.collections)),
        "GET /scenarios": pages(len(scenarios)),
        "GET /scenarios/{id}/analytics/summary": len(scenarios) * (1 + (before is not None)),
        "GET /scenarios/{id}/analytics/participants": sum(
            pages(people(s.id, period)) + (pages(people(s.id, before)) if before else 0)
            for s in scenarios),
        "GET /workspace/members": pages(sum(1 for u in ws.users if u.is_member))
        + sum(pages(len(g.member_ids)) for g in ws.groups),
        "GET /workspace/groups": pages(len(ws.groups)),
        "GET /scenarios/assignments": pages(sum(1 for a in ws.assignments
                                                if a.scenario_id in ids)),
        "GET /sessions": pages(len(in_period)),
        "GET /skills/{id}/proficiency": proficiency(period)
        + (proficiency(before) if before else 0),
        "GET /sessions/{id}": sum(1 for s in in_period if s.is_valid_attempt),
    }


def gather(env: Env, tmp_path, program=COLLECTION, selection=None, *, dry_run=False,
           max_requests=None):
    """Discover, plan and (unless a dry run) fetch a program, as ``reporter fetch`` does."""
    async def go():
        async with env.client(tmp_path) as client:
            disc = await discover(client, program, selection or Selection("all"),
                                  SANDBOX_PERIOD)
            store = DetailCache(tmp_path / "cache", disc.workspace_id, client.base_url)
            plan = make_plan(disc, client, store, max_requests)
            if dry_run:
                return plan, None, client
            plan.check_budget()
            reps = [rep async for rep in fetch_reps(client, store, disc)]
            snapshot = disc.header.model_copy(
                update={"reps": reps, "fetch": fetch_record(client, store)})
            return plan, snapshot, client

    return asyncio.run(go())


def test_cold_program_fetch_is_its_plan_and_the_bound_and_a_warm_one_fetches_no_detail(
        env, tmp_path):
    plan, snap, client = gather(env, tmp_path)
    bound = program_bound(env.ws, MAIN, SANDBOX_PERIOD)
    assert client.requests_made == plan.total_requests == sum(bound.values())
    assert env.state.total_requests == plan.total_requests  # the sandbox's own count
    assert dict(client.requests_by_endpoint) == {k: v for k, v in bound.items() if v}
    assert snap.fetch.detail_requests == len(plan.details_to_fetch) > 0
    assert [p.scenario.slug for p in snap.scenarios] == [
        s.slug for s in env.ws.scenarios
        if s.collection_id == next(c.id for c in env.ws.collections if c.slug == MAIN)
        and not s.archived]
    assert snap.program.kind == "collection" and snap.program.slug == MAIN
    env.state.reset()
    warm_plan, warm, client = gather(env, tmp_path)
    assert client.requests_by_endpoint["GET /sessions/{id}"] == 0
    assert env.state.by_path.get("/sessions/{id}", 0) == 0
    assert warm_plan.details_to_fetch == ()
    assert warm.fetch.cache_hits == warm_plan.valid_sessions == plan.valid_sessions
    assert warm_plan.total_requests == sum(bound.values()) - bound["GET /sessions/{id}"]


def test_program_snapshot_holds_each_rep_once_across_scenarios_and_the_skills(env, tmp_path):
    _, snap, _ = gather(env, tmp_path)
    ids = {p.scenario.id for p in snap.scenarios}
    emails = [r.user.email.casefold() for r in snap.reps]
    assert len(emails) == len(set(emails))
    for rep in snap.reps:
        assert all(s.scenario.id in ids
                   and SANDBOX_PERIOD.start <= s.created_at <= SANDBOX_PERIOD.end
                   for s in rep.sessions)
        assert all(a.scenario.id in ids for a in rep.assignments)
        assert rep.sessions or any(assigned_in(a, SANDBOX_PERIOD) for a in rep.assignments)
    evaluated = {k.id for s in env.ws.scenarios if s.id in ids for k in s.skills}
    assert {k.skill.id for k in snap.skills} == evaluated
    for record in snap.skills:
        assert set(record.scenario_ids) == {s.id for s in env.ws.scenarios if s.id in ids
                                            and any(k.id == record.skill.id for k in s.skills)}
        assert record.previous is not None
        reps = {r.user.id for r in snap.reps}
        assert {e.user.id for e in record.proficiency} <= reps
    # Each part is the single-scenario snapshot of that scenario's sessions.
    part = snap.part(snap.scenarios[0].scenario.id)
    assert sum(len(r.sessions) for r in part.reps) == sum(
        1 for r in snap.reps for s in r.sessions if s.scenario.id == part.scenarios[0].scenario.id)


def test_a_rep_only_assigned_gets_in_and_one_with_neither_is_not_found(env, tmp_path):
    ws = env.ws
    collection = next(c for c in ws.collections if c.slug == MAIN)
    ids = {s.id for s in ws.scenarios if s.collection_id == collection.id and not s.archived}
    practised = {s.user_id for s in ws.sessions if s.scenario_id in ids
                 and SANDBOX_PERIOD.start <= s.created_at <= SANDBOX_PERIOD.end}
    only_assigned = sorted(
        ws.users_by_id[a.user_id].email.casefold() for a in ws.assignments
        if a.scenario_id in ids and a.user_id not in practised
        and ws.users_by_id[a.user_id].is_member and not ws.users_by_id[a.user_id].is_system
        and assigned_in(Assignment.model_validate(ws.assignment_json(a)), SANDBOX_PERIOD))
    assert only_assigned, "the sandbox has a rep assigned in the collection who practised none"
    assigned = {a.user_id for a in ws.assignments if a.scenario_id in ids}
    idle = next(u.email.casefold() for u in ws.users if u.is_member and not u.is_system
                and u.id not in practised and u.id not in assigned)
    somebody = next(ws.users_by_id[uid].email.casefold() for uid in sorted(practised)
                    if not ws.users_by_id[uid].is_system)
    wanted = (somebody, only_assigned[0], idle)
    _, snap, _ = gather(env, tmp_path, selection=Selection("emails", wanted))
    by_email = {r.user.email.casefold(): r for r in snap.reps}
    assert set(by_email) == {somebody, only_assigned[0]}
    assert by_email[only_assigned[0]].sessions == []
    assert by_email[only_assigned[0]].assignments
    assert [(nf.email, nf.reason) for nf in snap.not_found] == [(idle, "no_sessions")]
    assert "no sessions or assignments of the program" in snap.not_found[0].detail


@pytest.mark.parametrize(("program", "message"), [
    (ProgramSelection("collection", ("core-sales-conversatons",)),
     "unknown collection 'core-sales-conversatons'; did you mean core-sales-conversations?"),
    (ProgramSelection("scenarios", ("discovery-call-it-director", "handling-pricing-objectons")),
     "unknown scenario 'handling-pricing-objectons'; did you mean handling-pricing-objections"),
])
def test_an_unknown_name_names_the_closest_and_spends_no_session_request(
        env, tmp_path, program, message):
    with pytest.raises(SelectionError) as caught:
        gather(env, tmp_path, program, dry_run=True)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert env.state.by_path.get("/sessions", 0) == 0
    assert env.state.by_path.get("/sessions/{id}", 0) == 0
    assert env.state.total_requests <= 3  # the workspace and the name lists, nothing more


def test_an_explicit_list_and_the_assigned_programs(env, tmp_path):
    slugs = ("handling-pricing-objections", "discovery-call-it-director")
    plan, _, client = gather(env, tmp_path, ProgramSelection("scenarios", slugs), dry_run=True)
    ids = {s.id for s in env.ws.scenarios if s.slug in slugs}
    listed = sum(1 for s in env.ws.sessions if s.scenario_id in ids
                 and SANDBOX_PERIOD.start <= s.created_at <= SANDBOX_PERIOD.end
                 and not env.ws.users_by_id[s.user_id].is_system)
    assert client.requests_by_endpoint["GET /sessions"] == pages(listed)  # one listing for both
    assert client.requests_by_endpoint["GET /scenarios/{id}/analytics/summary"] == 4
    assert plan.lines()[0].startswith("program: Handling Pricing Objections + Discovery Call")
    env.state.reset()
    _, snap, _ = gather(env, tmp_path, ProgramSelection("assigned"))
    current = {a.scenario_id for a in env.ws.assignments
               if not env.ws.users_by_id[a.user_id].is_system
               and assigned_in(Assignment.model_validate(env.ws.assignment_json(a)),
                               SANDBOX_PERIOD)}
    assert {p.scenario.id for p in snap.scenarios} == current
    assert snap.program.kind == "assigned" and snap.program.slug
    # everyone's assignments, in one listing (its pages)
    assert env.state.by_path["/scenarios/assignments"] == pages(len(env.ws.assignments))


def test_joined_slug_is_file_safe_and_a_long_one_keeps_a_hash():
    assert joined_slug(["a-b", "c d/e"]) == "a-b+c-d-e"
    long = [f"scenario-number-{i}" for i in range(8)]
    slug = joined_slug(long)
    assert len(slug) <= PROGRAM_SLUG_MAX and slug != joined_slug(long[:7])
    assert slug.startswith("scenario-number-0+") and "/" not in slug


def test_assigned_in_the_period():
    def assignment(status, due=None, created=None):
        return Assignment.model_validate({
            "id": "a", "user": {"id": "u"}, "scenario": {"id": "s"}, "status": status,
            "due_date": due, "created_at": created})

    assert assigned_in(assignment("past_due", "2026-01-01T00:00:00Z"), SANDBOX_PERIOD)
    assert assigned_in(assignment("completed", "2026-10-20T00:00:00Z"), SANDBOX_PERIOD)
    assert not assigned_in(assignment("completed", "2026-09-20T00:00:00Z"), SANDBOX_PERIOD)
    assert not assigned_in(assignment("not_started", None, "2026-11-02T00:00:00Z"), SANDBOX_PERIOD)
    assert assigned_in(assignment("completed", None, "2026-10-02T00:00:00Z"), SANDBOX_PERIOD)
    assert not assigned_in(assignment("completed", None, "2026-08-02T00:00:00Z"), SANDBOX_PERIOD)


def warm(env, tmp_path, period, max_requests=None, *, dry_run=False):
    async def go():
        async with env.client(tmp_path) as client:
            return await warm_cache(
                client, lambda ws: DetailCache(tmp_path / "cache", ws, client.base_url),
                COLLECTION, Selection("all"),
                period, max_requests, dry_run=dry_run)

    return asyncio.run(go())


def test_sync_of_a_program_warms_its_scenarios_and_the_dry_run_sizes_a_day(env, tmp_path):
    ws = env.ws
    until = dt.datetime.combine(ws.today, dt.time(23, 59), tzinfo=dt.UTC)
    period = Period("last-31", until - dt.timedelta(days=31), until)
    collection = next(c for c in ws.collections if c.slug == MAIN)
    ids = {s.id for s in ws.scenarios if s.collection_id == collection.id and not s.archived}
    listed = [s for s in ws.sessions if s.scenario_id in ids
              and period.start <= s.created_at <= period.end
              and not ws.users_by_id[s.user_id].is_system]
    graded = [s for s in listed if s.kind == "graded"]
    recent = [s for s in graded if s.created_at >= until - dt.timedelta(days=SYNC_DAYS)]
    plan = warm(env, tmp_path, period, 50, dry_run=True)
    assert env.state.by_path.get("/sessions/{id}", 0) == 0
    assert plan.graded == len(graded) and plan.left == len(graded) and plan.fetched == 0
    assert plan.recent_graded == len(recent) and plan.recent_days == SYNC_DAYS
    # workspace, collections, the collection's scenarios, one session listing
    assert plan.discovery_requests == plan.requests_made == 3 + pages(len(listed))
    need = plan.discovery_requests + -(-len(recent) // SYNC_DAYS)
    assert plan.daily_need == need
    lines = plan.need_lines(need, 1000)
    assert lines[1] == (f"a day needs about {need} requests = {plan.discovery_requests} to "
                        f"discover + {need - plan.discovery_requests} details "
                        f"({len(recent)} graded sessions in the last 30 days / 30)")
    assert lines[2] == f"--max-requests {need} keeps up"
    assert plan.need_lines(need - 1, 1000)[2] == (
        f"--max-requests {need - 1} does not keep up: the cache falls behind by about 1 "
        f"details a day; give at least --max-requests {need}")
    env.state.reset()
    done = warm(env, tmp_path, period, 10)
    assert done.requests_made == 10 and done.fetched == 10 - done.discovery_requests
    again = warm(env, tmp_path, period)
    assert again.already_cached == done.fetched and again.left == 0
    assert again.fetched == len(graded) - done.fetched


def test_program_plan_is_refused_over_max_requests_before_any_detail(env, tmp_path):
    with pytest.raises(PlanRefused, match=r"the plan needs \d+ requests but --max-requests is 9"):
        gather(env, tmp_path, max_requests=9)
    assert env.state.by_path.get("/sessions/{id}", 0) == 0
