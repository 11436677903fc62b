"""The sandbox is a faithful Exec API: every answer validates against the published spec, every
filter and sort does what the spec says, its analytics agree with its own sessions, its limits
and faults behave like a real gateway's, and its workspace holds the awkward cases on purpose.

Everything goes over real loopback HTTP with plain httpx (not the project's client), so a bug in
the client cannot hide a bug here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reporter.ranks import tier_for
from reporter.sandbox import (
    SandboxServer,
    SandboxWorkspace,
    create_app,
    generate_workspace,
    make_api_key,
)
from reporter.sandbox.details import session_detail
from reporter.sandbox.model import SandboxSession
from reporter.sandbox.text import FORMULA_LAST_NAME, HOSTILE_TEXTS
from tests.openapi_schema import validate_component, validate_response
from tests.support import SANDBOX_KEY, SANDBOX_TODAY, sandbox_http

PRIMARY = "discovery-call-it-director"
SUMMARY = "/scenarios/{scenario_id}/analytics/summary"
PARTICIPANTS = "/scenarios/{scenario_id}/analytics/participants"


def fetch_all(client: httpx.Client, path: str, spec_path: str | None = None,
              **params: Any) -> list[dict[str, Any]]:
    """Every item of a list endpoint, each page validated against the spec."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        response = client.get(path, params={**params, "page": page, "page_size": 100})
        assert response.status_code == 200, response.text
        body = response.json()
        validate_response(body, spec_path or path)
        items += body["data"]
        if page >= body["pagination"]["total_pages"]:
            return items
        page += 1


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


@pytest.fixture(scope="module")
def everything(sandbox: SandboxServer) -> dict[str, Any]:
    """The unfiltered answers that filter tests compare against."""
    with sandbox_http(sandbox) as client:
        scenarios = fetch_all(client, "/scenarios", include_archived="true")
        return {
            "sessions": fetch_all(client, "/sessions"),
            "members": fetch_all(client, "/workspace/members"),
            "groups": fetch_all(client, "/workspace/groups"),
            "scenarios": scenarios,
            "assignments": fetch_all(client, "/scenarios/assignments"),
            "primary": next(s for s in scenarios if s["slug"] == PRIMARY),
        }


# --- the contract: shapes, pagination, errors -------------------------------------------------


def test_workspace_and_list_pages_validate_against_the_spec(sandbox_client: httpx.Client) -> None:
    response = sandbox_client.get("/workspace")
    assert response.status_code == 200
    validate_response(response.json(), "/workspace")
    for path in ("/workspace/members", "/workspace/groups", "/scenarios",
                 "/scenarios/assignments", "/sessions"):
        first = sandbox_client.get(path, params={"page_size": 3})
        assert first.status_code == 200, path
        validate_response(first.json(), path)
        second = sandbox_client.get(path, params={"page_size": 3, "page": 2})
        validate_response(second.json(), path)
        assert not set(ids(first.json()["data"])) & set(ids(second.json()["data"])), path


def test_schema_check_catches_drift_and_honours_nullable(everything: dict[str, Any]) -> None:
    """The validator is only worth having if it fails: wrong types, unknown enum values, missing
    or extra fields fail; nulls pass exactly where the spec says nullable (also beside $ref)."""
    item = dict(everything["sessions"][0])
    validate_component({**item, "score": None, "rank": None, "duration_seconds": None},
                       "SessionListItem")
    for broken in ({**item, "score": "high"}, {**item, "rank": "platinum"},
                   {**item, "is_valid_attempt": None}, {**item, "user": None},
                   {**item, "created_at": "yesterday"}, {**item, "surprise": 1},
                   {k: v for k, v in item.items() if k != "score"}):
        with pytest.raises(AssertionError, match="does not match the spec"):
            validate_component(broken, "SessionListItem")
    scenario = everything["scenarios"][0]
    validate_component({**scenario, "owner": None, "context": None}, "Scenario")
    with pytest.raises(AssertionError):
        validate_component({**scenario, "name": None}, "Scenario")


def test_members_follow_the_flat_schema_not_the_nested_example(
        sandbox_client: httpx.Client) -> None:
    member = sandbox_client.get("/workspace/members").json()["data"][0]
    assert set(member) == {"id", "email", "first_name", "last_name", "role", "created_at"}
    validate_component(member, "WorkspaceMember")


def test_pagination_is_complete_without_repeats_and_defaults_to_fifty(
        sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    sessions = everything["sessions"]
    assert len(sessions) > 150  # several pages at the default size
    assert len(set(ids(sessions))) == len(sessions)
    default = sandbox_client.get("/sessions").json()
    assert default["pagination"] == {"page": 1, "page_size": 50, "total_count": len(sessions),
                                     "total_pages": math.ceil(len(sessions) / 50)}
    assert len(default["data"]) == 50
    last = default["pagination"]["total_pages"]
    tail = sandbox_client.get("/sessions", params={"page": last}).json()["data"]
    assert len(tail) == len(sessions) - 50 * (last - 1)
    beyond = sandbox_client.get("/sessions", params={"page": last + 1}).json()
    assert beyond["data"] == [] and beyond["pagination"]["total_count"] == len(sessions)


@pytest.mark.parametrize("path", ["/sessions", "/workspace/members", "/scenarios",
                                  "/scenarios/assignments", "/workspace/groups",
                                  f"/scenarios/{PRIMARY}/analytics/participants",
                                  "/collections", "/skills"])
@pytest.mark.parametrize("params", [{"page": 0}, {"page": -1}, {"page_size": 0},
                                    {"page_size": 101}, {"page": "two"}, {"page_size": "1.5"}])
def test_bad_pagination_is_the_documented_400(sandbox_client: httpx.Client, path: str,
                                              params: dict[str, Any]) -> None:
    response = sandbox_client.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request"
    assert response.json()["error"]["code"] == "invalid_pagination"
    validate_response(response.json(), "/sessions", 400)


@pytest.mark.parametrize("path,params", [
    ("/sessions", {"sorting": "name"}),
    ("/sessions", {"rank": "platinum"}),
    ("/sessions", {"start_date": "last tuesday"}),
    ("/sessions", {"exclude_system_users": "maybe"}),
    ("/scenarios/assignments", {"status": "done"}),
    ("/scenarios", {"visibility": "public"}),
    (f"/scenarios/{PRIMARY}/analytics/participants", {"sorting": "-name"}),
])
def test_bad_parameters_are_a_400_envelope(sandbox_client: httpx.Client, path: str,
                                           params: dict[str, Any]) -> None:
    response = sandbox_client.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request"
    validate_component(response.json(), "ValidationErrorDetail")


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": f"Basic {SANDBOX_KEY}"},
    {"Authorization": "Bearer exec_live_short"},
    {"Authorization": f"Bearer {make_api_key(8)}"},  # well-formed, but not this sandbox's key
])
def test_missing_or_wrong_key_is_the_documented_401(sandbox: SandboxServer,
                                                    headers: dict[str, str]) -> None:
    response = httpx.get(f"{sandbox.base_url}/sessions", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == {"type": "authentication_error", "code": "invalid_api_key",
                                         "message": "Invalid or inactive API key"}
    validate_response(response.json(), "/sessions", 401)


def test_without_a_configured_key_any_well_formed_key_works() -> None:
    app = create_app(generate_workspace(reps=3, today=SANDBOX_TODAY), rate_limit=None)
    with SandboxServer(app) as server:
        assert sandbox_http(server, make_api_key(99)).get("/workspace").status_code == 200
        assert sandbox_http(server, "exec_live_" + "a" * 39).get("/workspace").status_code == 401
        assert sandbox_http(server, "exec_test_" + "a" * 40).get("/workspace").status_code == 401


def test_unknown_scenario_and_session_are_the_documented_404(
        sandbox_client: httpx.Client) -> None:
    for path in (f"/scenarios/no-such-scenario/analytics/{kind}"
                 for kind in ("summary", "participants")):
        response = sandbox_client.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": {"type": "not_found",
                                             "message": "Scenario not found: no-such-scenario"}}
        validate_response(response.json(), SUMMARY, 404, strict=False)
    response = sandbox_client.get("/sessions/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"
    validate_response(response.json(), "/sessions/{session_id}", 404, strict=False)


def test_session_detail_includes_heavy_parts_only_on_request(
        sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    valid = next(s for s in everything["sessions"] if s["is_valid_attempt"])
    lean = sandbox_client.get(f"/sessions/{valid['id']}").json()
    validate_response(lean, "/sessions/{session_id}")
    assert "transcript" not in lean and "evaluations" not in lean
    only_transcript = sandbox_client.get(f"/sessions/{valid['id']}",
                                         params={"include": "transcript"}).json()
    assert only_transcript["transcript"] and "evaluations" not in only_transcript
    full = sandbox_client.get(f"/sessions/{valid['id']}",
                              params={"include": "transcript,evaluations"}).json()
    validate_response(full, "/sessions/{session_id}")
    assert {k: full[k] for k in lean} == lean
    listed = {k: valid[k] for k in valid}
    assert {k: full[k] for k in listed} == listed  # the detail agrees with the list


def test_every_session_detail_validates_and_is_realistic(
        sandbox_client: httpx.Client, everything: dict[str, Any],
        sandbox_workspace: SandboxWorkspace) -> None:
    rubric = {s.id: s.rubric for s in sandbox_workspace.scenarios}
    for listed in everything["sessions"]:
        detail = sandbox_client.get(f"/sessions/{listed['id']}",
                                    params={"include": "transcript,evaluations"}).json()
        validate_response(detail, "/sessions/{session_id}")
        transcript = detail["transcript"]
        if not listed["is_valid_attempt"]:
            assert detail["score"] is None and detail["rank"] is None
            assert detail["evaluations"] is None
            continue
        assert 10 <= len([t for t in transcript if t["speaker"]]) <= 20
        times = [t["seconds_from_start"] for t in transcript]
        assert times == sorted(times) and times[-1] < detail["duration_seconds"]
        assert {t["speaker"] for t in transcript} <= {"ai", "user", None}
        names = [(c["criterion_name"], tuple(i["name"] for i in c["items"]))
                 for c in detail["evaluations"]]
        assert tuple(names) == rubric[listed["scenario"]["id"]]
        assert 3 <= len(names) <= 5 and all(2 <= len(items) <= 4 for _, items in names)
        rep_lines = [t["text"] for t in transcript if t["speaker"] == "user"]
        for criterion in detail["evaluations"]:
            for item in criterion["items"]:
                for example in item["feedback_examples"]:
                    assert any(example["quote"] in line for line in rep_lines), example
                    assert example["salience"] in ("high", "mid")


def test_grades_follow_the_score(sandbox_client: httpx.Client,
                                 everything: dict[str, Any]) -> None:
    """Evaluations are not noise: high scorers get mostly good grades, low scorers mostly not."""
    share: dict[str, list[float]] = {"high": [], "low": []}
    scored = [s for s in everything["sessions"] if s["score"] is not None]
    for listed in scored[:160]:
        detail = sandbox_client.get(f"/sessions/{listed['id']}",
                                    params={"include": "evaluations"}).json()
        grades = [i["grade"] for c in detail["evaluations"] for i in c["items"]]
        band = "high" if listed["score"] >= 80 else "low" if listed["score"] < 60 else None
        if band:
            share[band].append(grades.count("good") / len(grades))
    assert share["high"] and share["low"]
    assert sum(share["high"]) / len(share["high"]) > sum(share["low"]) / len(share["low"]) + 0.2


# --- filters and sorting ----------------------------------------------------------------------


def test_sessions_default_to_newest_first(everything: dict[str, Any]) -> None:
    stamps = [s["created_at"] for s in everything["sessions"]]
    assert stamps == sorted(stamps, reverse=True)


def test_sessions_user_ids_and_emails_are_unioned_case_insensitively(
        sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    members = everything["members"]
    by_id, by_email = members[2], members[5]
    got = fetch_all(sandbox_client, "/sessions", user_ids=by_id["id"],
                    user_emails=by_email["email"].upper())
    expected = [s for s in everything["sessions"]
                if s["user"]["id"] in (by_id["id"], by_email["id"])]
    assert ids(got) == ids(expected) and {s["user"]["id"] for s in got} == {by_id["id"],
                                                                            by_email["id"]}
    nobody = fetch_all(sandbox_client, "/sessions", user_emails="nobody@nowhere.example")
    assert nobody == []


def test_sessions_scenario_group_rank_and_system_filters(
        sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    sessions, primary = everything["sessions"], everything["primary"]
    got = fetch_all(sandbox_client, "/sessions", scenario_ids=primary["id"])
    assert ids(got) == ids([s for s in sessions if s["scenario"]["id"] == primary["id"]])
    by_slug = fetch_all(sandbox_client, "/sessions", scenario_ids=PRIMARY)
    assert ids(by_slug) == ids(got)

    group = everything["groups"][0]
    in_group = {m["id"] for m in fetch_all(sandbox_client, "/workspace/members",
                                           group_ids=group["id"])}
    assert in_group and len(in_group) < len(everything["members"])
    got = fetch_all(sandbox_client, "/sessions", group_ids=group["id"])
    assert got and ids(got) == ids([s for s in sessions if s["user"]["id"] in in_group])

    got = fetch_all(sandbox_client, "/sessions", rank="gold,unranked")
    assert ids(got) == ids([s for s in sessions if s["rank"] in ("gold", "unranked")])
    assert {s["rank"] for s in got} == {"gold", "unranked"}

    got = fetch_all(sandbox_client, "/sessions", exclude_system_users="true")
    assert ids(got) == ids([s for s in sessions
                            if not s["user"]["email"].lower().endswith("@exec.com")])
    assert len(got) < len(sessions)


def test_sessions_date_range_is_inclusive_for_dates_and_datetimes(
        sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    sessions = everything["sessions"]
    got = fetch_all(sandbox_client, "/sessions", start_date="2026-10-01",
                    end_date="2026-10-31")
    expected = [s for s in sessions if "2026-10-01" <= s["created_at"][:10] <= "2026-10-31"]
    assert got and ids(got) == ids(expected)
    pivot = expected[len(expected) // 2]["created_at"]
    on_or_after = fetch_all(sandbox_client, "/sessions", start_date=pivot)
    assert ids(on_or_after) == ids([s for s in sessions if s["created_at"] >= pivot])
    on_or_before = fetch_all(sandbox_client, "/sessions",
                             end_date=pivot.replace("Z", "+00:00"))
    assert ids(on_or_before) == ids([s for s in sessions if s["created_at"] <= pivot])


@pytest.mark.parametrize("sorting", ["created_at", "-created_at", "score", "-score",
                                     "duration", "-duration"])
def test_sessions_sorting(sandbox_client: httpx.Client, everything: dict[str, Any],
                          sorting: str) -> None:
    got = fetch_all(sandbox_client, "/sessions", sorting=sorting)
    assert sorted(ids(got)) == sorted(ids(everything["sessions"]))
    field = {"created_at": "created_at", "score": "score", "duration": "duration_seconds"}[
        sorting.lstrip("-")]
    values = [s[field] for s in got]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=sorting.startswith("-"))
    assert values[len(present):] == [None] * (len(values) - len(present))  # nulls last


def test_assignment_filters(sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    assignments = everything["assignments"]
    got = fetch_all(sandbox_client, "/scenarios/assignments", status="completed,past_due")
    assert ids(got) == ids([a for a in assignments if a["status"] in ("completed", "past_due")])
    user = assignments[0]["user"]
    got = fetch_all(sandbox_client, "/scenarios/assignments", user_emails=user["email"].title())
    assert got and ids(got) == ids([a for a in assignments if a["user"]["id"] == user["id"]])
    got = fetch_all(sandbox_client, "/scenarios/assignments",
                    scenario_ids=everything["primary"]["id"])
    assert ids(got) == ids([a for a in assignments
                            if a["scenario"]["id"] == everything["primary"]["id"]])
    program = next(a["program"] for a in assignments if a["program"])
    got = fetch_all(sandbox_client, "/scenarios/assignments", program_ids=program["id"])
    assert got and ids(got) == ids([a for a in assignments
                                    if a["program"] and a["program"]["id"] == program["id"]])


def test_scenario_filters(sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    every = everything["scenarios"]
    active = fetch_all(sandbox_client, "/scenarios")
    archived = [s for s in every if s["id"] not in ids(active)]
    assert len(archived) == 1 and archived[0]["slug"] == "legacy-platform-demo"
    assert "skills" not in active[0]
    with_skills = fetch_all(sandbox_client, "/scenarios", include="skills")
    assert all(s["skills"] for s in with_skills)
    skill = with_skills[0]["skills"][0]
    got = fetch_all(sandbox_client, "/scenarios", skill_ids=skill["id"])
    assert ids(got) == [s["id"] for s in with_skills if skill in s["skills"]]
    owner = every[0]["owner"]["email"]
    assert len(fetch_all(sandbox_client, "/scenarios", owner_email=owner.upper())) == len(active)
    assert fetch_all(sandbox_client, "/scenarios", owner_email="x@y.example") == []
    private = fetch_all(sandbox_client, "/scenarios", visibility="private",
                        include_archived="true")
    assert ids(private) == ids([s for s in every if s["visibility"] == "private"])
    rep = everything["members"][4]["email"]
    visible = fetch_all(sandbox_client, "/scenarios", visible_to_email=rep,
                        include_archived="true")
    assert ids(visible) == ids([s for s in every if s["visibility"] == "workspace"])


def test_members_group_filter(sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    groups = everything["groups"]
    assert 4 <= len(groups) <= 6
    union: set[str] = set()
    for group in groups:
        members = fetch_all(sandbox_client, "/workspace/members", group_ids=group["id"])
        assert members, group["name"]
        union |= set(ids(members))
    both = fetch_all(sandbox_client, "/workspace/members",
                     group_ids=f"{groups[0]['id']},{groups[1]['id']}")
    first = set(ids(fetch_all(sandbox_client, "/workspace/members", group_ids=groups[0]["id"])))
    second = set(ids(fetch_all(sandbox_client, "/workspace/members", group_ids=groups[1]["id"])))
    assert set(ids(both)) == first | second
    assert union < set(ids(everything["members"]))  # the admin and the system user: no group


# --- analytics, recomputed here from the session list -----------------------------------------


def recompute(sessions: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict]]:
    """The documented definitions, written independently of the sandbox's code."""
    def rank(score: float) -> str:
        return ("gold" if score >= 90 else "silver" if score >= 75
                else "bronze" if score >= 50 else "unranked")

    valid = sorted((s for s in sessions if s["is_valid_attempt"]),
                   key=lambda s: (s["created_at"], s["id"]))
    per_user: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for session in valid:
        per_user[session["user"]["id"]].append(session)
    people = {}
    for user_id, own in per_user.items():
        best = max(s["score"] for s in own)
        people[user_id] = {
            "session_count": len(own), "first_score": own[0]["score"],
            "first_rank": rank(own[0]["score"]), "best_score": best, "best_rank": rank(best),
            "lift_percentage": best - own[0]["score"],
            "total_duration_seconds": sum(s["duration_seconds"] for s in own),
        }
    count = len(people)
    seconds = sum(s["duration_seconds"] for s in valid)
    average_best = sum(p["best_score"] for p in people.values()) / count if count else 0
    summary = {
        "participant_count": count,
        "total_sessions": len(valid),
        "average_best_score": average_best,
        "average_best_rank": rank(round(average_best, 1)) if count else "unranked",
        "average_lift_percentage": (
            sum(p["lift_percentage"] for p in people.values()) / count if count else 0),
        "total_practice_minutes": seconds / 60,
        "average_session_duration_seconds": seconds / len(valid) if valid else 0,
        "score_distribution": {
            r: sum(1 for p in people.values() if p["best_rank"] == r)
            for r in ("gold", "silver", "bronze", "unranked")
        },
    }
    return summary, people


def assert_summary(got: dict[str, Any], expected: dict[str, Any]) -> None:
    validate_response(got, SUMMARY)
    for key in ("participant_count", "total_sessions", "average_best_rank"):
        assert got[key] == expected[key], key
    for key in ("average_best_score", "average_lift_percentage",
                "average_session_duration_seconds"):
        assert got[key] == pytest.approx(expected[key], abs=0.051), key
    assert abs(got["total_practice_minutes"] - expected["total_practice_minutes"]) <= 0.5
    assert [d["rank"] for d in got["score_distribution"]] == ["gold", "silver", "bronze",
                                                              "unranked"]
    count = expected["participant_count"]
    for entry in got["score_distribution"]:
        assert entry["count"] == expected["score_distribution"][entry["rank"]]
        share = 100 * entry["count"] / count if count else 0
        assert entry["percentage"] == pytest.approx(share, abs=0.051)


def assert_participants(got: list[dict[str, Any]], expected: dict[str, dict]) -> None:
    assert sorted(p["user"]["id"] for p in got) == sorted(expected)
    for entry in got:
        want = expected[entry["user"]["id"]]
        for key, value in want.items():
            assert entry[key] == pytest.approx(value, abs=0.051), key


@pytest.mark.parametrize("scenario", ["primary", "each"])
def test_analytics_agree_with_the_session_list(sandbox_client: httpx.Client,
                                               everything: dict[str, Any], scenario: str) -> None:
    chosen = [everything["primary"]] if scenario == "primary" else everything["scenarios"]
    for item in chosen:
        sessions = [s for s in everything["sessions"] if s["scenario"]["id"] == item["id"]]
        summary, people = recompute(sessions)
        for key in (item["id"], item["slug"]):
            assert_summary(sandbox_client.get(f"/scenarios/{key}/analytics/summary").json(),
                           summary)
        got = fetch_all(sandbox_client, f"/scenarios/{item['slug']}/analytics/participants",
                        PARTICIPANTS)
        assert_participants(got, people)


@pytest.mark.parametrize("filters", [
    {"start_date": "2026-10-01", "end_date": "2026-10-31"},
    {"exclude_system_users": "true"},
    {"user_emails": "AMELIE.DURAND@northwind.example,qa.trainer@exec.com"},
    {"group": 1},
    {"group": 0, "start_date": "2026-09-15T00:00:00Z"},
])
def test_analytics_filters_agree_with_the_filtered_session_list(
        sandbox_client: httpx.Client, everything: dict[str, Any],
        filters: dict[str, Any]) -> None:
    params = dict(filters)
    if "group" in params:
        params["group_ids"] = everything["groups"][params.pop("group")]["id"]
    sessions = fetch_all(sandbox_client, "/sessions", scenario_ids=everything["primary"]["id"],
                         **params)
    assert sessions
    summary, people = recompute(sessions)
    got = sandbox_client.get(f"/scenarios/{PRIMARY}/analytics/summary", params=params).json()
    assert_summary(got, summary)
    assert summary["participant_count"] < len(everything["members"])
    rows = fetch_all(sandbox_client, f"/scenarios/{PRIMARY}/analytics/participants",
                     PARTICIPANTS, **params)
    assert_participants(rows, people)


def test_summary_of_a_window_without_sessions_is_zero(sandbox_client: httpx.Client) -> None:
    got = sandbox_client.get(f"/scenarios/{PRIMARY}/analytics/summary",
                             params={"start_date": "2030-01-01"}).json()
    validate_response(got, SUMMARY)
    assert got["participant_count"] == 0 and got["average_best_rank"] == "unranked"
    assert [d["count"] for d in got["score_distribution"]] == [0, 0, 0, 0]


@pytest.mark.parametrize("sorting", ["best_score", "-best_score", "first_score", "-first_score",
                                     "lift_percentage", "-lift_percentage",
                                     "total_duration_seconds", "-total_duration_seconds",
                                     "session_count", "-session_count"])
def test_participant_sorting(sandbox_client: httpx.Client, sorting: str) -> None:
    got = fetch_all(sandbox_client, f"/scenarios/{PRIMARY}/analytics/participants",
                    PARTICIPANTS, sorting=sorting)
    values = [p[sorting.lstrip("-")] for p in got]
    assert len(set(values)) > 3
    assert values == sorted(values, reverse=sorting.startswith("-"))


def test_participants_default_to_best_score_descending(sandbox_client: httpx.Client) -> None:
    body = sandbox_client.get(f"/scenarios/{PRIMARY}/analytics/participants").json()
    best = [p["best_score"] for p in body["data"]]
    assert best == sorted(best, reverse=True)


# --- limits, faults, logging ------------------------------------------------------------------


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[SandboxServer]:
    """A separate sandbox with tight limits and a request log, so the shared one stays calm."""
    app = create_app(generate_workspace(reps=4, today=SANDBOX_TODAY), api_key=None,
                     rate_limit=5, daily_limit=1000, request_log=tmp_path / "requests.jsonl")
    with SandboxServer(app) as server:
        yield server


def test_rate_limit_answers_429_with_retry_after_on_the_sixth_request(
        small_server: SandboxServer) -> None:
    client = sandbox_http(small_server, make_api_key(1))
    for _ in range(5):
        assert client.get("/workspace").status_code == 200
    refused = client.get("/workspace")
    assert refused.status_code == 429
    body = refused.json()
    assert body["error"]["type"] == "rate_limited" and body["error"]["code"] == "rate_limited"
    assert 0 < body["retry_after"] <= 60 and body["error"]["retry_after"] == body["retry_after"]
    assert refused.headers["Retry-After"] == str(math.ceil(body["retry_after"]))
    validate_component(body, "ValidationErrorDetail", strict=False)
    # Another key has its own window; rejected requests do not extend this one.
    assert sandbox_http(small_server, make_api_key(2)).get("/workspace").status_code == 200
    state = small_server.state
    assert state.rate_limited == 1 and state.by_status[200] == 6


def test_rejected_requests_do_not_count_and_the_window_slides(
        small_server: SandboxServer) -> None:
    state = small_server.state
    state.window_seconds = 0.5
    client = sandbox_http(small_server, make_api_key(3))
    assert [client.get("/workspace").status_code for _ in range(8)] == [200] * 5 + [429] * 3
    time.sleep(0.55)
    assert [client.get("/workspace").status_code for _ in range(6)] == [200] * 5 + [429]


def test_limits_can_change_at_runtime_and_daily_limit_waits_for_utc_midnight(
        small_server: SandboxServer) -> None:
    state = small_server.state
    client = sandbox_http(small_server, make_api_key(4))
    state.rate_limit = None
    state.daily_limit = 7
    assert [client.get("/workspace").status_code for _ in range(8)] == [200] * 7 + [429]
    refused = client.get("/workspace").json()
    now = dt.datetime.now(dt.UTC)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    assert refused["retry_after"] == pytest.approx((midnight - now).total_seconds(), abs=5)
    state.reset()
    assert client.get("/workspace").status_code == 200
    assert state.total_requests == 1


def test_request_log_has_one_line_per_request_and_never_the_key(
        small_server: SandboxServer, tmp_path: Path) -> None:
    key = make_api_key(5)
    client = sandbox_http(small_server, key)
    client.get("/sessions", params={"page_size": 2, "user_emails": "x@y.example"})
    client.get("/sessions/nope")
    httpx.get(f"{small_server.base_url}/workspace")
    text = (tmp_path / "requests.jsonl").read_text(encoding="utf-8")
    assert key not in text and "Bearer" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(e["method"], e["path"], e["status"]) for e in lines] == [
        ("GET", "/rest/v1/sessions", 200), ("GET", "/rest/v1/sessions/nope", 404),
        ("GET", "/rest/v1/workspace", 401)]
    assert "page_size=2" in lines[0]["query"]
    assert all(set(e) == {"time", "method", "path", "query", "status", "duration_ms"}
               for e in lines)
    assert small_server.state.by_path == {"/sessions": 1, "/sessions/{id}": 1, "/workspace": 1}


def test_scheduled_faults(sandbox: SandboxServer, sandbox_client: httpx.Client) -> None:
    state = sandbox.state
    state.reset()
    try:
        state.schedule_faults("503", 1, path_prefix="/sessions")
        assert sandbox_client.get("/workspace").status_code == 200  # other paths untouched
        failed = sandbox_client.get("/sessions")
        assert failed.status_code == 503
        validate_component(failed.json(), "ValidationErrorDetail")
        state.schedule_faults("500", 2)
        assert [sandbox_client.get("/workspace").status_code for _ in range(3)] == [500, 500, 200]
        state.schedule_faults("429", 1, retry_after=0.3)
        limited = sandbox_client.get("/workspace")
        assert limited.status_code == 429 and limited.json()["retry_after"] == 0.3
        state.schedule_faults("drop", 1)
        with pytest.raises(httpx.RemoteProtocolError):
            sandbox_client.get("/sessions")
        assert sandbox_client.get("/workspace").status_code == 200  # and it recovers
        state.schedule_faults("timeout", 1, delay=0.6)
        with pytest.raises(httpx.ReadTimeout):
            sandbox_client.get("/workspace", timeout=0.2)
        assert state.pending_faults == 0
        assert state.server_errors == 3 and state.rate_limited == 1 and state.dropped == 1
        with pytest.raises(ValueError):
            state.schedule_faults("418")
    finally:
        state.reset()


def test_latency_and_error_rate(tmp_path: Path) -> None:
    workspace = generate_workspace(reps=3, today=SANDBOX_TODAY)
    slow = create_app(workspace, rate_limit=None, latency_ms=150)
    with SandboxServer(slow) as server:
        started = time.perf_counter()
        assert sandbox_http(server).get("/workspace").status_code == 200
        assert time.perf_counter() - started >= 0.15
    flaky = create_app(workspace, rate_limit=None, error_rate=0.3)
    with SandboxServer(flaky) as server, sandbox_http(server) as client:
        statuses = [client.get("/workspace").status_code for _ in range(60)]
    assert set(statuses) <= {200, 500, 503} and 5 <= statuses.count(200) <= 55
    assert 500 in statuses or 503 in statuses


# --- the generated workspace ------------------------------------------------------------------


def test_same_seed_same_workspace_and_other_seed_differs() -> None:
    first = generate_workspace(seed=11, reps=20, today=SANDBOX_TODAY)
    again = generate_workspace(seed=11, reps=20, today=SANDBOX_TODAY)
    other = generate_workspace(seed=12, reps=20, today=SANDBOX_TODAY)
    listing = [first.session_json(s) for s in first.sessions]
    assert listing == [again.session_json(s) for s in again.sessions]
    assert listing != [other.session_json(s) for s in other.sessions]
    detail = session_detail(first, first.sessions[-1].id, frozenset({"transcript",
                                                                    "evaluations"}))
    assert detail == session_detail(again, again.sessions[-1].id,
                                          frozenset({"transcript", "evaluations"}))
    assert make_api_key(11) == make_api_key(11) != make_api_key(12)


def test_previous_month_has_data_for_most_reps_and_current_month_some(
        everything: dict[str, Any]) -> None:
    primary = [s for s in everything["sessions"] if s["scenario"]["slug"] == PRIMARY]
    october = defaultdict(int)
    for session in primary:
        if session["created_at"].startswith("2026-10") and session["is_valid_attempt"]:
            october[session["user"]["id"]] += 1
    reps = [m for m in everything["members"] if m["role"] != "admin"]
    assert len(october) >= 0.7 * len(reps)
    assert sum(1 for n in october.values() if n >= 3) >= 0.5 * len(reps)
    assert any(s["created_at"].startswith("2026-11") for s in primary)
    assert max(s["created_at"] for s in everything["sessions"]) < "2026-11-16"
    assert min(s["created_at"] for s in everything["sessions"]) >= "2026-06-01"


@pytest.mark.parametrize("today", [dt.date(2027, 1, 1), dt.date(2026, 3, 1), dt.date(2028, 2, 29),
                                   dt.date(2026, 12, 31), dt.date(2026, 12, 6)])
def test_the_last_month_is_never_empty_whatever_the_day(today: dt.date) -> None:
    """Whatever the sandbox's today (the real day, when ``reporter sandbox`` runs without
    ``--today``), a ``--month last`` run finds sessions: on the 1st, at a year's turn, on a
    leap day."""
    ws = generate_workspace(reps=10, today=today)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    assert any(s.created_at.strftime("%Y-%m") == last_month for s in ws.sessions)


def test_the_sandbox_serves_nothing_after_its_now() -> None:
    """At 04:58 UTC the sandbox listed sessions created at 13:41 and 16:49 the same day.
    Given a moment (``--today 2026-12-06T04:58``), it serves no session created after it,
    listed or by id; given a day, its sessions run to the end of that day."""
    now = dt.datetime(2026, 12, 6, 4, 58, tzinfo=dt.UTC)
    timed = generate_workspace(seed=7, reps=30, today=now)
    day = generate_workspace(seed=7, reps=30, today=now.date())
    assert timed.now == now and day.now.date() == now.date()
    assert max(s.created_at for s in timed.sessions) <= now
    assert any(s.created_at > now for s in day.sessions)  # the case that was served
    # Only the day matters to what is drawn: the same people, scenarios and sessions.
    assert len(timed.sessions) == len(day.sessions)
    assert [u.email for u in timed.users] == [u.email for u in day.users]
    app = create_app(timed, api_key=None, rate_limit=None, daily_limit=None)
    with SandboxServer(app) as server, sandbox_http(server, make_api_key(7)) as client:
        stamps: list[str] = []
        page, pages = 1, 1
        while page <= pages:
            listed = client.get("/sessions", params={"page": page, "page_size": 100}).json()
            stamps += [s["created_at"] for s in listed["data"]]
            page, pages = page + 1, listed["pagination"]["total_pages"]
    assert len(stamps) == len(timed.sessions)
    assert max(stamps) <= now.isoformat().replace("+00:00", "Z")


def test_guaranteed_people(everything: dict[str, Any]) -> None:
    members = everything["members"]
    names = {f"{m['first_name']} {m['last_name']}" for m in members}
    for expected in ("Amélie Durand", "Jürgen Müller", "Sofía Nuñez", "小明 王", "花子 佐藤",
                     "فاطمة الزهراء", "נועה כהן"):
        assert expected in names
    assert any(m["last_name"] == FORMULA_LAST_NAME for m in members)
    assert len([m for m in members if m["role"] != "admin"]) >= 30
    session_users = {s["user"]["id"] for s in everything["sessions"]}
    system = [m for m in members if m["email"].endswith("@exec.com")]
    assert system and system[0]["id"] in session_users
    removed = session_users - set(ids(members))
    assert len(removed) == 1  # has sessions, not a member any more
    assert any(m["id"] not in session_users for m in members)  # a member who never practised


def test_guaranteed_sessions_and_assignments(everything: dict[str, Any]) -> None:
    sessions = everything["sessions"]
    invalid = [s for s in sessions if not s["is_valid_attempt"]]
    assert invalid and all(s["score"] is None and s["rank"] is None for s in invalid)
    assert any(s["duration_seconds"] is None for s in invalid)
    users_never_valid = {s["user"]["id"] for s in invalid} - {
        s["user"]["id"] for s in sessions if s["is_valid_attempt"]}
    assert users_never_valid
    one_session = defaultdict(int)
    for session in sessions:
        one_session[session["user"]["id"]] += 1
    assert 1 in one_session.values()
    assert {a["status"] for a in everything["assignments"]} == {
        "not_started", "in_progress", "completed", "past_due", "did_not_pass"}
    assert any(s["scenario"]["slug"] == "legacy-platform-demo" for s in sessions)


def test_hostile_texts_are_in_last_months_details(sandbox_client: httpx.Client,
                                                  everything: dict[str, Any]) -> None:
    found: dict[str, str] = {}
    october = [s for s in everything["sessions"] if s["created_at"].startswith("2026-10")
               and s["scenario"]["slug"] == PRIMARY and s["is_valid_attempt"]]
    for listed in october:
        detail = sandbox_client.get(f"/sessions/{listed['id']}",
                                    params={"include": "transcript,evaluations"}).json()
        transcript = " ".join(t["text"] for t in detail["transcript"])
        feedback = json.dumps([detail[k] for k in ("outcome_feedback", "positive_feedback",
                                                   "constructive_feedback", "evaluations")],
                              ensure_ascii=False)
        for hostile in HOSTILE_TEXTS:
            if hostile in transcript and json.dumps(hostile, ensure_ascii=False)[1:-1] in feedback:
                found[hostile] = listed["id"]
    assert set(found) == set(HOSTILE_TEXTS)
    assert len(set(found.values())) == 3  # rare: three sessions carry them all
    assert any("\x07" in h for h in found) and any(len(h) > 2000 for h in found)


def test_detail_feedback_is_sometimes_null_on_valid_sessions(
        sandbox_client: httpx.Client, everything: dict[str, Any]) -> None:
    nulls = 0
    suggestions = [0, 0]
    for listed in [s for s in everything["sessions"] if s["is_valid_attempt"]][:150]:
        detail = sandbox_client.get(f"/sessions/{listed['id']}",
                                    params={"include": "evaluations"}).json()
        nulls += any(detail[k] is None for k in ("outcome_feedback", "positive_feedback",
                                                 "constructive_feedback"))
        for criterion in detail["evaluations"]:
            for item in criterion["items"]:
                for example in item["feedback_examples"]:
                    if example["grade"] == "good" and "<" not in example["quote"]:
                        assert example["suggestion_quote"] is None  # nothing to improve
                    elif example["grade"] != "good":
                        suggestions[example["suggestion_quote"] is None] += 1
    assert nulls > 0
    with_suggestion = suggestions[0] / sum(suggestions)
    assert 0.3 <= with_suggestion <= 0.7


# --- collections, skills and proficiency --------------------------------------------------------

PROFICIENCY = "/skills/{skill_id}/proficiency"
MAIN_COLLECTION = "core-sales-conversations"


def recompute_proficiency(sessions: list[dict[str, Any]], scenario_ids: set[str],
                          as_of: dt.datetime) -> dict[str, dict[str, Any]]:
    """The documented definition, written independently of the sandbox's code: valid sessions
    on the skill's scenarios up to ``as_of``, each weighing half as much per 30 days of age."""
    def parse(stamp: str) -> dt.datetime:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    per_user: dict[str, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for session in sessions:
        moment = parse(session["created_at"])
        if (session["scenario"]["id"] in scenario_ids and session["is_valid_attempt"]
                and moment <= as_of):
            per_user[session["user"]["id"]].append((moment, session["score"]))
    out = {}
    for user_id, seen in per_user.items():
        weights = [0.5 ** ((as_of - moment).total_seconds() / 86400 / 30) for moment, _ in seen]
        score = (sum(w * s for w, (_, s) in zip(weights, seen, strict=True)) / sum(weights)
                 if len(seen) >= 3 else None)
        tier = ("insufficient_data" if score is None else "excellent" if round(score, 1) >= 90
                else "proficient" if round(score, 1) >= 75
                else "developing" if round(score, 1) >= 50 else "needs_work")
        out[user_id] = {"score": score, "tier": tier, "observation_count": len(seen),
                        "last_practiced_at": max(m for m, _ in seen)}
    return out


def assert_proficiency(got: list[dict[str, Any]], expected: dict[str, dict[str, Any]]) -> None:
    assert sorted(e["user"]["id"] for e in got) == sorted(expected)
    for entry in got:
        want = expected[entry["user"]["id"]]
        assert entry["tier"] == want["tier"] and entry["observation_count"] == want[
            "observation_count"]
        if want["score"] is None:
            assert entry["score"] is None
        else:
            assert entry["score"] == pytest.approx(want["score"], abs=0.051)
        assert entry["last_practiced_at"] == want["last_practiced_at"].strftime(
            "%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def catalog(sandbox: SandboxServer) -> dict[str, Any]:
    with sandbox_http(sandbox) as client:
        return {
            "collections": fetch_all(client, "/collections"),
            "skills": fetch_all(client, "/skills"),
            "scenarios": fetch_all(client, "/scenarios", include="skills",
                                   include_archived="true"),
        }


def test_collections_skills_and_proficiency_pages_validate_against_the_spec(
        sandbox_client: httpx.Client, catalog: dict[str, Any]) -> None:
    skill = catalog["skills"][0]["id"]
    for path, spec_path, params in (
            ("/collections", "/collections", {}),
            ("/skills", "/skills", {}),
            ("/skills", "/skills", {"include": "proficiency"}),
            (f"/skills/{skill}/proficiency", PROFICIENCY, {}),
            (f"/skills/{skill}/proficiency", PROFICIENCY, {"end_date": "2026-09-30"})):
        first = sandbox_client.get(path, params={**params, "page_size": 2})
        second = sandbox_client.get(path, params={**params, "page_size": 2, "page": 2})
        assert first.status_code == second.status_code == 200, path
        validate_response(first.json(), spec_path)
        validate_response(second.json(), spec_path)
        key = (lambda e: e["user"]["id"]) if "proficiency" in path else (lambda e: e["id"])
        assert first.json()["data"] and second.json()["data"], path
        assert not {key(e) for e in first.json()["data"]} & {key(e) for e in
                                                            second.json()["data"]}
    assert all("proficiency_summary" not in s for s in catalog["skills"])


def test_schema_check_catches_drift_in_the_new_shapes(sandbox_client: httpx.Client,
                                                      catalog: dict[str, Any]) -> None:
    """Every answer's variants the spec allows pass; the ones it does not fail."""
    collection, skill = catalog["collections"][0], catalog["skills"][0]
    validate_component({**collection, "description": None}, "Collection")
    for broken in ({**collection, "scenario_count": "3"}, {**collection, "name": None},
                   {**collection, "scenarios": []},
                   {k: v for k, v in collection.items() if k != "scenario_count"}):
        with pytest.raises(AssertionError, match="does not match the spec"):
            validate_component(broken, "Collection")
    validate_component({**skill, "proficiency_summary": None}, "Skill")
    with pytest.raises(AssertionError):
        validate_component({**skill, "description": None}, "Skill")
    body = sandbox_client.get(f"/skills/{skill['id']}/proficiency").json()
    entry = body["data"][0]
    validate_component({**entry, "score": None, "tier": "insufficient_data",
                        "last_practiced_at": None}, "SkillProficiencyEntry")
    for broken in ({**entry, "tier": "expert"}, {**entry, "observation_count": None},
                   {**entry, "score": "82"}, {**entry, "user": None}):
        with pytest.raises(AssertionError, match="does not match the spec"):
            validate_component(broken, "SkillProficiencyEntry")
    summary = sandbox_client.get("/skills", params={"include": "proficiency"}).json()["data"][
        0]["proficiency_summary"]
    validate_component({**summary, "avg_score": None}, "SkillProficiencySummary")
    with pytest.raises(AssertionError):
        validate_component({**summary, "pct_proficient_plus": 40.5}, "SkillProficiencySummary")


def test_collections_group_scenarios_and_reps_practise_some_of_the_main_one(
        sandbox_client: httpx.Client, catalog: dict[str, Any],
        everything: dict[str, Any]) -> None:
    collections = catalog["collections"]
    assert len(collections) >= 2
    assert [c["name"] for c in collections] == sorted((c["name"] for c in collections),
                                                      key=str.casefold)
    members: dict[str, set[str]] = {}
    for collection in collections:
        inside = fetch_all(sandbox_client, "/scenarios", collection_ids=collection["id"],
                           include_archived="true")
        assert len(inside) == collection["scenario_count"], collection["name"]
        members[collection["slug"]] = {s["id"] for s in inside}
    assert sum(len(ids_) for ids_ in members.values()) == len(everything["scenarios"])
    main = members[MAIN_COLLECTION]
    active = {s["id"] for s in everything["scenarios"] if s["id"] in main} & {
        s["id"] for s in fetch_all(sandbox_client, "/scenarios")}
    assert len(active) >= 3 and everything["primary"]["id"] in active
    practised: dict[str, set[str]] = defaultdict(set)
    for session in everything["sessions"]:
        if session["scenario"]["id"] in active and session["is_valid_attempt"]:
            practised[session["user"]["id"]].add(session["scenario"]["id"])
    counts = [len(v) for v in practised.values()]
    assert 1 in counts and len(active) in counts and any(1 < n < len(active) for n in counts)
    both = fetch_all(sandbox_client, "/scenarios",
                     collection_ids=",".join(c["id"] for c in collections[:2]))
    assert {s["id"] for s in both} == {s["id"] for s in fetch_all(sandbox_client, "/scenarios")
                                       if s["id"] in set().union(*(
                                           members[c["slug"]] for c in collections[:2]))}


def test_sessions_filter_by_collection_and_skill(sandbox_client: httpx.Client,
                                                 catalog: dict[str, Any],
                                                 everything: dict[str, Any]) -> None:
    main = next(c for c in catalog["collections"] if c["slug"] == MAIN_COLLECTION)
    inside = {s["id"] for s in fetch_all(sandbox_client, "/scenarios", collection_ids=main["id"],
                                         include_archived="true")}
    got = fetch_all(sandbox_client, "/sessions", collection_ids=main["id"])
    assert got and ids(got) == ids([s for s in everything["sessions"]
                                    if s["scenario"]["id"] in inside])
    for skill in catalog["skills"]:
        evaluating = {s["id"] for s in catalog["scenarios"]
                      if skill["id"] in ids(s["skills"])}
        assert evaluating, skill["name"]
        got = fetch_all(sandbox_client, "/sessions", skill_ids=skill["id"])
        assert ids(got) == ids([s for s in everything["sessions"]
                                if s["scenario"]["id"] in evaluating]), skill["name"]
        assert ids(fetch_all(sandbox_client, "/scenarios", skill_ids=skill["id"],
                             include_archived="true")) == [
            s["id"] for s in catalog["scenarios"] if s["id"] in evaluating]
    narrowed = fetch_all(sandbox_client, "/sessions", collection_ids=main["id"],
                         scenario_ids=PRIMARY)
    assert ids(narrowed) == ids([s for s in everything["sessions"]
                                 if s["scenario"]["slug"] == PRIMARY])


@pytest.mark.parametrize("end_date", [None, "2026-10-31", "2026-09-15T12:00:00Z"])
def test_proficiency_follows_the_documented_definition(
        sandbox_client: httpx.Client, catalog: dict[str, Any], everything: dict[str, Any],
        end_date: str | None) -> None:
    as_of = (dt.datetime(2026, 11, 15, 23, 59, 59, 999999, dt.UTC) if end_date is None
             else dt.datetime(2026, 10, 31, 23, 59, 59, 999999, dt.UTC) if len(end_date) == 10
             else dt.datetime(2026, 9, 15, 12, tzinfo=dt.UTC))
    member_ids = set(ids(everything["members"]))
    tiers: set[str] = set()
    for skill in catalog["skills"]:
        evaluating = {s["id"] for s in catalog["scenarios"] if skill["id"] in ids(s["skills"])}
        expected = {user: entry for user, entry in recompute_proficiency(
            everything["sessions"], evaluating, as_of).items() if user in member_ids}
        got = fetch_all(sandbox_client, f"/skills/{skill['id']}/proficiency", PROFICIENCY,
                        **({"end_date": end_date} if end_date else {}))
        assert_proficiency(got, expected)
        tiers |= {e["tier"] for e in got}
        assert [e["user"]["email"].casefold() for e in got] == sorted(
            e["user"]["email"].casefold() for e in got)
    if end_date is None:
        assert {"proficient", "developing", "insufficient_data"} <= tiers


def test_proficiency_summary_aggregates_the_members_entries(
        sandbox_client: httpx.Client, catalog: dict[str, Any]) -> None:
    listed = fetch_all(sandbox_client, "/skills", include="proficiency")
    assert ids(listed) == ids(catalog["skills"])
    for skill in listed:
        entries = fetch_all(sandbox_client, f"/skills/{skill['id']}/proficiency", PROFICIENCY)
        scored = [e for e in entries if e["score"] is not None]
        strong = [e for e in scored if e["tier"] in ("excellent", "proficient")]
        assert skill["proficiency_summary"] == {
            "participant_count": len(entries),
            "scored_participant_count": len(scored),
            "pct_proficient_plus": math.floor(100 * len(strong) / len(scored) + 0.5)
            if scored else 0,
            "avg_score": round(sum(e["score"] for e in scored) / len(scored), 1)
            if scored else None,
        }, skill["name"]


def test_proficiency_filters(sandbox_client: httpx.Client, catalog: dict[str, Any],
                             everything: dict[str, Any]) -> None:
    skill = next(s for s in catalog["skills"] if s["slug"] == "discovery")
    path = f"/skills/{skill['id']}/proficiency"
    every = fetch_all(sandbox_client, path, PROFICIENCY)
    by_user = {e["user"]["id"]: e for e in every}
    chosen = every[:3]
    got = fetch_all(sandbox_client, path, PROFICIENCY, user_ids=chosen[0]["user"]["id"],
                    user_emails=",".join(e["user"]["email"].upper() for e in chosen[1:]))
    assert got == chosen
    group = everything["groups"][0]
    in_group = set(ids(fetch_all(sandbox_client, "/workspace/members", group_ids=group["id"])))
    got = fetch_all(sandbox_client, path, PROFICIENCY, group_ids=group["id"])
    assert got and got == [e for e in every if e["user"]["id"] in in_group]
    got = fetch_all(sandbox_client, path, PROFICIENCY, group_ids=group["id"],
                    user_emails=chosen[0]["user"]["email"])
    assert got == [e for e in [chosen[0]] if e["user"]["id"] in in_group]
    system = [e for e in every if e["user"]["email"].endswith("@exec.com")]
    assert system
    assert fetch_all(sandbox_client, path, PROFICIENCY, exclude_system_users="true") == [
        e for e in every if e not in system]
    removed = next(s["user"] for s in everything["sessions"]
                   if s["user"]["id"] not in set(ids(everything["members"])))
    assert removed["id"] not in by_user  # members only, unless asked for by name
    asked = fetch_all(sandbox_client, path, PROFICIENCY, user_emails=removed["email"])
    assert [e["user"]["id"] for e in asked] == [removed["id"]]
    assert fetch_all(sandbox_client, path, PROFICIENCY, user_emails="nobody@x.example") == []


def test_proficiency_errors(sandbox_client: httpx.Client, catalog: dict[str, Any]) -> None:
    missing = sandbox_client.get("/skills/no-such-skill/proficiency")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"type": "not_found",
                                        "message": "Skill not found: no-such-skill"}}
    validate_response(missing.json(), PROFICIENCY, 404, strict=False)
    by_slug = sandbox_client.get(f"/skills/{catalog['skills'][0]['slug']}/proficiency")
    assert by_slug.status_code == 404  # the spec takes the id only
    path = f"/skills/{catalog['skills'][0]['id']}/proficiency"
    for params, code in (({"page_size": 101}, "invalid_pagination"),
                         ({"end_date": "soon"}, "invalid_parameter"),
                         ({"exclude_system_users": "perhaps"}, "invalid_parameter")):
        response = sandbox_client.get(path, params=params)
        assert response.status_code == 400 and response.json()["error"]["code"] == code
        validate_component(response.json(), "ValidationErrorDetail")


def test_proficiency_by_hand_three_observations_two_decayed() -> None:
    """80 today (weight 1), 60 thirty days before (0.5), 90 sixty days before (0.25):
    (80 + 30 + 22.5) / 1.75 = 75.71 -> 75.7, proficient. The day before the latest, only two
    observations remain: insufficient_data, no score."""
    workspace = generate_workspace(seed=3, reps=3, today=SANDBOX_TODAY)
    rep = next(u for u in workspace.members if u.archetype == "improving")
    scenario = workspace.primary_scenario
    skill = scenario.skills[0]
    as_of = dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    crafted = [SandboxSession(f"hand-{i}", rep.id, scenario.id, as_of - dt.timedelta(days=days),
                              score, 300, True, "graded")
               for i, (days, score) in enumerate(((60, 90.0), (30, 60.0), (0, 80.0)))]
    others = [s for s in workspace.sessions if s.user_id != rep.id]
    workspace = dataclasses.replace(workspace, sessions=sorted(
        others + crafted, key=lambda s: (s.created_at, s.id)), detail_cache={})
    app = create_app(workspace, rate_limit=None)
    with SandboxServer(app) as server, sandbox_http(server, make_api_key(3)) as client:
        def entry(end_date: str) -> dict[str, Any]:
            body = client.get(f"/skills/{skill.id}/proficiency",
                              params={"user_emails": rep.email, "end_date": end_date}).json()
            validate_response(body, PROFICIENCY)
            assert len(body["data"]) == 1
            return dict(body["data"][0])

        assert entry("2026-11-10T12:00:00Z") == {
            "user": rep.ref(), "score": 75.7, "tier": "proficient", "observation_count": 3,
            "last_practiced_at": "2026-11-10T12:00:00Z"}
        assert entry("2026-11-09") == {
            "user": rep.ref(), "score": None, "tier": "insufficient_data",
            "observation_count": 2, "last_practiced_at": "2026-10-11T12:00:00Z"}
        # A bare date is the whole day: the latest (at noon) counts, decayed by half a day.
        later = entry("2026-11-10")
        weights = [0.5 ** ((60 + 0.5) / 30), 0.5 ** (30.5 / 30), 0.5 ** (0.5 / 30)]
        expected = (90 * weights[0] + 60 * weights[1] + 80 * weights[2]) / sum(weights)
        assert later["score"] == round(expected, 1) and later["observation_count"] == 3


@pytest.mark.parametrize("score,observations,tier", [
    (90.0, 3, "excellent"), (89.9, 3, "proficient"), (75.0, 5, "proficient"),
    (74.9, 3, "developing"), (50.0, 3, "developing"), (49.9, 3, "needs_work"),
    (99.0, 2, "insufficient_data"), (None, 7, "insufficient_data")])
def test_tiers_follow_the_published_thresholds(score: float | None, observations: int,
                                               tier: str) -> None:
    assert tier_for(score, observations) == tier


def test_program_assignments_span_several_scenarios(everything: dict[str, Any]) -> None:
    by_program: dict[str, set[str]] = defaultdict(set)
    for assignment in everything["assignments"]:
        if assignment["program"]:
            by_program[assignment["program"]["name"]].add(assignment["scenario"]["slug"])
    assert {PRIMARY, "competitive-displacement"} <= by_program["Q4 Enablement Program"]
    assert any(a["program"] is None for a in everything["assignments"])


# --- the scenarios in Spanish and German ------------------------------------------------------

# Words that only English sentences are made of: none may appear in a Spanish or German text.
ENGLISH_WORDS = frozenset({"the", "and", "you", "your", "with", "what", "is", "this", "that",
                           "for", "of", "to", "we", "our", "have", "avoid"})
# Function words a sentence of five words or more in that language has at least one of, and
# letters each language's texts show somewhere.
NATIVE = {
    "Spanish": (frozenset({"de", "que", "el", "la", "y", "en", "los", "las", "con", "por", "su",
                           "un", "una", "es", "lo", "se", "no", "le", "me", "si", "sin", "del",
                           "al", "más", "para", "ha", "mis", "sus", "a", "esto", "eso", "qué",
                           "como", "muy"}),
                "áéíóúñ¿¡"),
    "German": (frozenset({"der", "die", "das", "und", "ich", "sie", "wir", "mit", "ist", "nicht",
                          "zu", "den", "dem", "des", "ein", "eine", "einen", "es", "für", "im",
                          "auf", "wie", "was", "um", "hat", "war", "uns", "du", "bei", "von",
                          "aus", "mir", "mal", "noch", "kam", "vom"}),
               "äöüßÄÖÜ„“"),
}


def _words(text: str) -> list[str]:
    cleaned = "".join(ch.lower() if ch.isalpha() else " " for ch in text)
    return cleaned.split()


def _texts_of(detail: dict[str, Any]) -> list[str]:
    """Every text of a session's detail a report can show: both speakers' lines, the three
    feedback texts, the rubric's names and every item's and example's words."""
    texts = [line["text"] for line in detail.get("transcript") or [] if line["speaker"]]
    texts += [detail[k] for k in ("outcome_feedback", "positive_feedback",
                                  "constructive_feedback") if detail[k]]
    for criterion in detail.get("evaluations") or []:
        texts.append(criterion["criterion_name"])
        for item in criterion["items"]:
            texts += [item["name"]] + ([item["feedback"]] if item["feedback"] else [])
            for example in item["feedback_examples"]:
                texts += [example[k] for k in ("quote", "feedback", "suggestion_quote")
                          if example[k]]
    return texts


@pytest.mark.parametrize("language", ["Spanish", "German"])
def test_a_scenario_in_spanish_and_one_in_german_speak_their_language(
        sandbox_client: httpx.Client, everything: dict[str, Any], language: str) -> None:
    """Exec's `language` names the scenario's language, and every text a report quotes from
    its sessions is written in it: no English sentence, the language's own words and letters."""
    scenarios = [s for s in everything["scenarios"] if s["language"] == language]
    assert len(scenarios) == 1
    scenario = scenarios[0]
    assert {s["language"] for s in everything["scenarios"] if s["id"] != scenario["id"]} <= {
        "English", "Spanish", "German"}
    function_words, letters = NATIVE[language]
    for field in ("name", "description", "context", "objective"):
        assert set(_words(scenario[field])) & function_words or any(
            ch in scenario[field] for ch in letters), (field, scenario[field])
        assert not set(_words(scenario[field])) & ENGLISH_WORDS, scenario[field]
    sessions = [s for s in everything["sessions"] if s["scenario"]["id"] == scenario["id"]]
    valid = [s for s in sessions if s["is_valid_attempt"]]
    assert len(valid) >= 10
    seen = ""
    suggestions = 0
    grades: set[str] = set()
    for listed in valid:
        detail = sandbox_client.get(f"/sessions/{listed['id']}",
                                    params={"include": "transcript,evaluations"}).json()
        assert {line["speaker"] for line in detail["transcript"]} >= {"ai", "user"}
        for text in _texts_of(detail):
            words = _words(text)
            assert "{" not in text, text  # every placeholder filled
            assert not set(words) & ENGLISH_WORDS, text
            if len(words) >= 5:
                assert set(words) & function_words, text
            seen += text
        for criterion in detail["evaluations"]:
            for item in criterion["items"]:
                for example in item["feedback_examples"]:
                    grades.add(example["grade"])
                    suggestions += example["suggestion_quote"] is not None
    assert all(ch in seen for ch in letters if ch not in "ÄÖÜ")
    assert grades == {"good", "mid", "bad"} and suggestions >= 5


def test_the_language_scenarios_are_their_own_collections_and_teams(
        sandbox_workspace: SandboxWorkspace) -> None:
    """Each is the one scenario of its own collection (not the primary's program), practised
    by about a third of the reps, a different third for each language, one of them in last
    month holding that language's odd texts (markup, a formula-like start, a control byte)."""
    ws = sandbox_workspace
    by_language = {s.spec.language: s for s in ws.scenarios if s.spec.language != "English"}
    assert set(by_language) == {"Spanish", "German"}
    assert len({s.collection_id for s in by_language.values()}) == 2
    assert ws.primary_scenario.collection_id not in {s.collection_id
                                                     for s in by_language.values()}
    assert [c.name for c in ws.collections if c.id in {
        s.collection_id for s in by_language.values()}] == ["Ventas España", "Vertrieb DACH"]
    assert {c.slug for c in ws.collections} >= {"ventas-espana", "vertrieb-dach"}
    reps = {u.id for u in ws.members if not u.is_system and u.archetype != "no_sessions"}
    practising = {language: {x.user_id for x in ws.sessions if x.scenario_id == s.id}
                  for language, s in by_language.items()}
    assert not practising["Spanish"] & practising["German"]
    for language, users in practising.items():
        assert users <= reps and len(reps) / 6 <= len(users) <= len(reps) / 2, language
        assigned = {a.user_id for a in ws.assignments
                    if a.scenario_id == by_language[language].id}
        assert assigned == users
    assert ws.users_by_email["sofia.nunez@northwind.example"].id in practising["Spanish"]
    assert ws.users_by_email["juergen.mueller@northwind.example"].id in practising["German"]
    for scenario in by_language.values():
        odd = [x for x in ws.sessions if x.scenario_id == scenario.id and x.hostile]
        assert len(odd) == 1 and odd[0].created_at.month == 10
        detail = session_detail(ws, odd[0].id, frozenset({"transcript", "evaluations"}))
        assert detail is not None
        said = " ".join(line["text"] for line in detail["transcript"])
        assert all(text in said for text in odd[0].hostile)
        assert any(text.startswith(("+", "-")) for text in odd[0].hostile)


def _everything_but_the_language_scenarios(ws: SandboxWorkspace) -> str:
    """The workspace as the API serves it, without the language scenarios' own objects:
    members, groups, scenarios, collections, skills and their proficiency, sessions with their
    details, and assignments."""
    from reporter.sandbox import proficiency

    own = {s.id for s in ws.scenarios if s.spec.language != "English"}
    own_collections = {s.collection_id for s in ws.scenarios if s.id in own}
    own_skills = {k.id for s in ws.scenarios if s.id in own for k in s.skills}
    skills = [k for k in ws.skills if k.id not in own_skills]
    sessions = [x for x in ws.sessions if x.scenario_id not in own]
    as_of = proficiency.default_as_of(ws)
    return json.dumps({
        "workspace": ws.info_json(),
        "members": [u.member_json() for u in ws.users] + [u.group_ids for u in ws.users],
        "groups": [(g.to_json(), g.member_ids) for g in ws.groups],
        "scenarios": [ws.scenario_json(s, True) for s in ws.scenarios if s.id not in own],
        "collections": [ws.collection_json(c) for c in ws.collections
                        if c.id not in own_collections],
        "skills": [k.to_json() for k in skills],
        "proficiency": [[p.to_json(ws.users_by_id[p.user_id].ref())
                         for p in proficiency.proficiency(ws, k, as_of)] for k in skills],
        "sessions": [session_detail(ws, x.id, frozenset({"transcript", "evaluations"}))
                     for x in sessions],
        "assignments": [ws.assignment_json(a) for a in ws.assignments
                        if a.scenario_id not in own],
    }, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("seed", [7, 11])
def test_the_language_scenarios_change_nothing_the_workspace_had(
        monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Drawn from their own random streams after everything else: the same workspace without
    them has the same members, groups, scenarios, sessions (details included) and assignments,
    ids and all."""
    from reporter.sandbox import text

    with_them = generate_workspace(seed=seed, reps=30, today=SANDBOX_TODAY)
    monkeypatch.setattr(text, "LANGUAGE_SCENARIOS", ())
    without = generate_workspace(seed=seed, reps=30, today=SANDBOX_TODAY)
    assert len(with_them.scenarios) == len(without.scenarios) + 2
    assert len(with_them.sessions) > len(without.sessions)
    assert _everything_but_the_language_scenarios(
        with_them) == _everything_but_the_language_scenarios(without)
