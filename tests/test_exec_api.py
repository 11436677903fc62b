"""The client against pathological answers (httpx.MockTransport).

The client against the real sandbox over loopback is in test_exec_api_sandbox.py.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from reporter.errors import ConfigError
from reporter.exec_api import (
    AnalyticsFilter,
    ApiKey,
    AuthenticationError,
    DailyLimitReached,
    ExecClient,
    InvalidRequest,
    NotFound,
    ResponseShapeError,
    ServerError,
    TransportError,
    UsageCounter,
    WorkspaceInactive,
)
from reporter.exec_api.ratelimit import SlidingWindowLimiter, backoff_delay
from tests.openapi_schema import validate_response

KEY = "exec_live_" + "a1B2c3D4e5" * 4
BASE = "https://api.example.test/rest/v1"


def session(i: int, email: str = "rep@acme.test") -> dict:
    return {
        "id": f"s{i}",
        "user": {"id": "u1", "email": email, "first_name": "R", "last_name": "P"},
        "scenario": {"id": "sc1", "name": "Discovery", "slug": "discovery"},
        "score": 80.0,
        "rank": "silver",
        "duration_seconds": 300,
        "is_valid_attempt": True,
        "created_at": "2026-10-02T10:00:00Z",
    }


def make_client(handler, **kw) -> ExecClient:
    kw.setdefault("backoff", lambda attempt: 0.0)
    return ExecClient(ApiKey(KEY), BASE, transport=httpx.MockTransport(handler), **kw)


def run(coro):
    return asyncio.run(coro)


async def _call(handler, fn, **kw):
    async with make_client(handler, **kw) as client:
        result = await fn(client)
        return result, client


def page_handler(pages: dict[int, dict]):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", 1))
        calls.append(page)
        return httpx.Response(200, json=pages.get(page, {"data": [], "pagination": {}}))

    return handler, calls


# -- pagination ---------------------------------------------------------------


def test_pagination_reads_every_page_and_stops_at_total_pages():
    pages = {
        p: {"data": [session(p * 1000 + i) for i in range(100)],
            "pagination": {"page": p, "page_size": 100, "total_count": 300, "total_pages": 3}}
        for p in (1, 2, 3)
    }
    handler, calls = page_handler(pages)
    items, client = run(_call(handler, lambda c: c.list_sessions()))
    assert len(items) == 300
    assert calls == [1, 2, 3]
    assert client.requests_made == 3


def test_pagination_follows_total_pages_past_a_short_page_until_an_empty_one():
    """A short page may be a server ignoring page_size (issue 21, 7): while total_pages
    promises more, the next page is read; an empty one ends the listing."""
    pages = {
        1: {"data": [session(i) for i in range(100)], "pagination": {"total_pages": 50}},
        2: {"data": [session(100 + i) for i in range(7)], "pagination": {"total_pages": 50}},
    }
    handler, calls = page_handler(pages)
    items, _ = run(_call(handler, lambda c: c.list_sessions()))
    assert len(items) == 107 and calls == [1, 2, 3]


def test_pagination_stops_on_empty_page_with_negative_total_pages():
    full = [session(i) for i in range(100)]
    pages = {1: {"data": full, "pagination": {"page": -4, "total_pages": -1, "page_size": -9}},
             2: {"data": [], "pagination": {"total_pages": -1}}}
    handler, calls = page_handler(pages)
    items, _ = run(_call(handler, lambda c: c.list_sessions()))
    assert len(items) == 100 and calls == [1, 2]


def test_pagination_drops_items_repeated_across_pages():
    pages = {
        1: {"data": [session(i) for i in range(100)], "pagination": {"total_pages": 2}},
        2: {"data": [session(i) for i in range(50, 150)], "pagination": {"total_pages": 2}},
    }
    handler, _ = page_handler(pages)
    items, _ = run(_call(handler, lambda c: c.list_sessions()))
    assert [s.id for s in items] == [f"s{i}" for i in range(150)]


def test_pagination_has_a_hard_cap_when_the_server_never_ends(monkeypatch):
    monkeypatch.setattr("reporter.exec_api.client.MAX_PAGES", 5)
    calls = []

    def handler(request):
        page = int(request.url.params["page"])
        calls.append(page)
        return httpx.Response(200, json={"data": [session(page * 1000 + i) for i in range(100)],
                                         "pagination": {"total_pages": None}})

    with pytest.raises(ResponseShapeError, match="goes on beyond 5 pages"):
        run(_call(handler, lambda c: c.list_sessions()))
    assert calls == [1, 2, 3, 4, 5]


def test_pagination_asks_for_the_largest_page_size():
    seen = []

    def handler(request):
        seen.append(dict(request.url.params))
        return httpx.Response(200, json={"data": [], "pagination": {}})

    run(_call(handler, lambda c: c.list_members()))
    assert seen == [{"page": "1", "page_size": "100"}]


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "exc"),
    [
        (400, {"type": "invalid_request", "code": "invalid_pagination", "message": "Bad page"},
         InvalidRequest),
        (401, {"type": "authentication_error", "code": "invalid_api_key",
               "message": "Invalid or inactive API key"}, AuthenticationError),
        (403, {"type": "authorization_error", "code": "workspace_inactive",
               "message": "Workspace is inactive"}, WorkspaceInactive),
        (404, {"type": "not_found", "message": "Session not found: s9"}, NotFound),
    ],
)
def test_error_envelope_maps_to_exception_with_server_message(status, error, exc):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(status, json={"error": error})

    with pytest.raises(exc) as info:
        run(_call(handler, lambda c: c.get_session("s9")))
    assert info.value.message == error["message"]
    assert info.value.status == status
    assert info.value.endpoint == "GET /sessions/{id}"
    assert KEY not in str(info.value)
    assert len(calls) == 1  # client errors are not retried


def test_429_waits_retry_after_from_body_then_succeeds():
    answers = [
        httpx.Response(429, json={"error": {"type": "rate_limited", "message": "slow"},
                                  "retry_after": 0.3}),
        httpx.Response(200, json=session(1)),
    ]
    times = []

    def handler(request):
        times.append(asyncio.get_event_loop().time())
        return answers.pop(0)

    result, client = run(_call(handler, lambda c: c.get_session("s1")))
    assert result.id == "s1"
    assert times[1] - times[0] >= 0.3
    assert client.requests_made == 2


def test_429_honours_retry_after_header_when_body_has_none():
    answers = [httpx.Response(429, headers={"Retry-After": "1"}, text="slow down"),
               httpx.Response(200, json=session(1))]
    times = []

    def handler(request):
        times.append(asyncio.get_event_loop().time())
        return answers.pop(0)

    run(_call(handler, lambda c: c.get_session("s1")))
    assert times[1] - times[0] >= 1.0


def test_429_with_a_retry_after_of_hours_is_the_daily_limit():
    def handler(request):
        return httpx.Response(429, json={"error": {"type": "rate_limited", "message": "daily"},
                                         "retry_after": 7200})

    with pytest.raises(DailyLimitReached, match="daily request limit"):
        run(_call(handler, lambda c: c.get_workspace()))


def test_5xx_is_retried_with_backoff_then_succeeds():
    answers = [httpx.Response(503), httpx.Response(500, text="oops"),
               httpx.Response(200, json={"id": "w1", "name": "Acme"})]
    delays = []

    def backoff(attempt):
        delays.append(attempt)
        return 0.0

    result, client = run(_call(lambda r: answers.pop(0), lambda c: c.get_workspace(),
                               backoff=backoff))
    assert result.name == "Acme"
    assert delays == [0, 1]
    assert client.requests_made == 3


def test_5xx_gives_up_after_bounded_retries_with_a_clear_error():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(502)

    with pytest.raises(ServerError, match=r"GET /workspace: the server kept failing \(HTTP 502\)"):
        run(_call(handler, lambda c: c.get_workspace(), max_retries=3))
    assert len(calls) == 4


def test_dropped_connection_and_timeout_are_retried():
    state = {"n": 0}

    def handler(request):
        state["n"] += 1
        if state["n"] == 1:
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        if state["n"] == 2:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json={"id": "w1"})

    result, _ = run(_call(handler, lambda c: c.get_workspace()))
    assert result.id == "w1" and state["n"] == 3


def test_transport_errors_give_up_with_a_clear_error():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TransportError) as info:
        run(_call(handler, lambda c: c.get_workspace(), max_retries=2))
    assert str(info.value) == (f"GET /workspace: could not connect to {BASE} after 3 attempts "
                               "(the API's URL, set by EXEC_API_URL)")


def test_response_that_does_not_fit_names_endpoint_and_field():
    bad = session(1) | {"score": "eighty"}

    def handler(request):
        return httpx.Response(200, json={"data": [session(0), bad], "pagination": {}})

    with pytest.raises(ResponseShapeError) as info:
        run(_call(handler, lambda c: c.list_sessions()))
    assert str(info.value).startswith("GET /sessions: unexpected response: field 'data[1].score'")


def test_non_json_body_is_a_shape_error():
    with pytest.raises(ResponseShapeError, match="'body' is not JSON"):
        run(_call(lambda r: httpx.Response(200, text="<html>"), lambda c: c.get_workspace()))


def test_unknown_fields_are_ignored_and_nulls_accepted():
    body = session(1) | {"score": None, "rank": None, "duration_seconds": None,
                         "new_field": {"x": 1}, "transcript": None, "evaluations": None}
    result, _ = run(_call(lambda r: httpx.Response(200, json=body), lambda c: c.get_session("s1")))
    assert result.score is None and result.transcript is None


def test_member_shape_nested_as_in_the_spec_example_is_accepted():
    body = {"data": [{"id": "m1", "user": {"id": "u7", "email": "jane@acme.com",
                                           "first_name": "Jane", "last_name": "Smith"},
                      "role": "admin"}], "pagination": {"total_pages": 1}}
    members, _ = run(_call(lambda r: httpx.Response(200, json=body), lambda c: c.list_members()))
    assert members[0].id == "u7" and members[0].email == "jane@acme.com"


# -- key, URLs, pacing, usage -------------------------------------------------


@pytest.mark.parametrize("bad", ["", "exec_live_short", "exec_test_" + "a" * 40,
                                 "exec_live_" + "a" * 39 + "!", "Bearer " + KEY])
def test_malformed_key_is_refused_before_any_request(bad, monkeypatch):
    monkeypatch.setenv("EXEC_API_KEY", bad)
    with pytest.raises(ConfigError) as info:
        ApiKey.from_env()
    if bad:
        assert bad not in str(info.value)


def test_key_never_shows_in_repr():
    key = ApiKey(KEY)
    assert KEY not in repr(key) and KEY not in str(key) and KEY not in f"{key}"


def test_session_id_cannot_escape_the_path():
    seen = []

    def handler(request):
        seen.append(request.url.raw_path.decode())
        return httpx.Response(404, json={"error": {"type": "not_found", "message": "nope"}})

    for hostile in ("../workspace", ".."):
        with pytest.raises(NotFound):
            run(_call(handler, lambda c, h=hostile: c.get_session(h)))
    assert seen[0].startswith("/rest/v1/sessions/..%2Fworkspace")
    assert seen[1].startswith("/rest/v1/sessions/%2E%2E")


def test_long_email_lists_are_split_so_urls_stay_short():
    urls = []
    domain = "a-rather-long-company-domain.example"
    emails = [f"representative.number{i:04d}@{domain}" for i in range(300)]

    def handler(request):
        urls.append(str(request.url))
        asked = parse_qs(urlsplit(str(request.url)).query)["user_emails"][0].split(",")
        data = [session(int(e[21:25]), e) for e in asked]
        return httpx.Response(200, json={"data": data[:100], "pagination": {"total_pages": 1}})

    items, _ = run(_call(handler, lambda c: c.list_sessions(
        AnalyticsFilter(user_emails=tuple(emails)))))
    assert len(urls) > 1
    assert all(len(u) < 2000 for u in urls)
    asked = [e for u in urls for e in parse_qs(urlsplit(u).query)["user_emails"][0].split(",")]
    assert asked == emails


def test_limiter_never_exceeds_rate_in_any_window():
    clock = {"t": 0.0}
    limiter = SlidingWindowLimiter(5, period=10.0, margin=0.0, clock=lambda: clock["t"])
    sent = []
    for _ in range(12):
        wait = limiter.delay_needed()
        clock["t"] += wait
        limiter._sent.append(clock["t"])
        sent.append(clock["t"])
    for i, t in enumerate(sent):
        assert sum(1 for u in sent if t <= u < t + 10.0) <= 5, (i, sent)
    assert sent[:5] == [0.0] * 5 and sent[5] == 10.0
    assert limiter.seconds_for(12) == 20.0


def test_backoff_grows_and_is_capped():
    for attempt in range(10):
        d = backoff_delay(attempt, base=0.5, cap=4.0)
        assert 0 <= d <= min(4.0, 0.5 * 2**attempt)


def test_usage_is_counted_per_key_per_day_on_disk(tmp_path):
    path = tmp_path / "usage" / "abc.json"
    body = {"id": "w1"}
    usage = UsageCounter(path)
    run(_call(lambda r: httpx.Response(200, json=body), lambda c: c.get_workspace(), usage=usage))
    assert json.loads(path.read_text()) == {usage._day: 1}
    other_run = UsageCounter(path)
    assert other_run.used_today == 1 and other_run.remaining_today == 999
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert KEY not in path.read_text()


def test_a_server_echoing_the_key_never_gets_it_printed():
    """Issue 10, 5: a 401 whose message holds the Authorization header."""
    def handler(request):
        return httpx.Response(401, json={"error": {
            "type": "authentication_error",
            "message": f"bad header: {request.headers['Authorization']}"}})

    with pytest.raises(AuthenticationError) as info:
        run(_call(handler, lambda c: c.get_workspace()))
    assert KEY not in str(info.value) and KEY not in info.value.message
    assert str(info.value).startswith("the API key was refused: bad header: Bearer ApiKey(")


# -- the spec's examples for collections, skills and proficiency, served as Prism would --------

# Copied from the published openapi.yml's examples (the tests never read it).
SPEC_EXAMPLES = {
    "/collections": {"data": [{
        "id": "r1a2b3c4d5e6", "name": "Procurement Scenarios", "slug": "procurement-scenarios",
        "description": "Practice scenarios for procurement conversations.", "scenario_count": 4,
        "created_at": "2026-01-10T09:00:00Z"}],
        "pagination": {"page": 1, "page_size": 50, "total_count": 1, "total_pages": 1}},
    "/skills": {"data": [
        {"id": "sk1a2b3c4d5e", "name": "Procurement Selling", "slug": "procurement-selling",
         "description": "Ability to identify and sell procurement solutions effectively.",
         "created_at": "2026-01-10T09:00:00Z",
         "proficiency_summary": {"participant_count": 25, "scored_participant_count": 20,
                                 "pct_proficient_plus": 60, "avg_score": 72.5}},
        {"id": "sk6f7g8h9i0j", "name": "Objection Handling", "slug": "objection-handling",
         "description": "Skill in addressing and overcoming prospect objections.",
         "created_at": "2026-01-15T14:30:00Z",
         "proficiency_summary": {"participant_count": 18, "scored_participant_count": 15,
                                 "pct_proficient_plus": 40, "avg_score": 65.3}}],
        "pagination": {"page": 1, "page_size": 50, "total_count": 2, "total_pages": 1}},
    "/skills/{skill_id}/proficiency": {"data": [
        {"user": {"id": "u1a2b3c4d5e6", "email": "jane@acme.com", "first_name": "Jane",
                  "last_name": "Smith"},
         "score": 82, "tier": "proficient", "observation_count": 14,
         "last_practiced_at": "2026-03-12T10:00:00Z"},
        {"user": {"id": "u7v8w9x0y1z2", "email": "bob@acme.com", "first_name": "Bob",
                  "last_name": "Jones"},
         "score": None, "tier": "insufficient_data", "observation_count": 2,
         "last_practiced_at": "2026-03-10T15:30:00Z"}],
        "pagination": {"page": 1, "page_size": 50, "total_count": 2, "total_pages": 1}},
}
EXAMPLE_CALLS = {
    "/collections": lambda c: c.list_collections(),
    "/skills": lambda c: c.list_skills(include_proficiency=True),
    "/skills/{skill_id}/proficiency": lambda c: c.get_skill_proficiency("sk1a2b3c4d5e"),
}
# The fields without which an item means nothing: the client refuses it, naming the field.
REQUIRED = {"/collections": {"id"}, "/skills": {"id"}, "/skills/{skill_id}/proficiency":
            {"user"}}


def _serve(body):
    return lambda request: httpx.Response(200, json=body)


@pytest.mark.parametrize("path", sorted(SPEC_EXAMPLES))
def test_the_spec_examples_validate_and_parse(path):
    validate_response(SPEC_EXAMPLES[path], path)
    items, _ = run(_call(_serve(SPEC_EXAMPLES[path]), EXAMPLE_CALLS[path]))
    assert [i.model_dump(mode="json", exclude_none=True) for i in items] == [
        {k: v for k, v in raw.items() if v is not None} | (
            {"score": float(raw["score"])} if raw.get("score") is not None else {})
        for raw in SPEC_EXAMPLES[path]["data"]]


@pytest.mark.parametrize("path", sorted(SPEC_EXAMPLES))
def test_every_field_of_the_examples_may_be_null_or_missing_but_the_identity(path):
    """Fuzzing the examples: each field in turn null, then absent. The client takes every
    variant ("almost every field can be null") except those without an identity, which fail
    as a shape error naming the field."""
    first = SPEC_EXAMPLES[path]["data"][0]
    for field in first:
        for variant in ({**first, field: None}, {k: v for k, v in first.items() if k != field}):
            body = {"data": [variant], "pagination": {"total_pages": 1}}
            if field in REQUIRED[path]:
                with pytest.raises(ResponseShapeError, match=f"field 'data\\[0\\].{field}"):
                    run(_call(_serve(body), EXAMPLE_CALLS[path]))
            else:
                items, _ = run(_call(_serve(body), EXAMPLE_CALLS[path]))
                assert len(items) == 1 and getattr(items[0], field) is None


@pytest.mark.parametrize(("path", "field", "value"), [
    ("/skills/{skill_id}/proficiency", "tier", "expert"),
    ("/skills/{skill_id}/proficiency", "score", "high"),
    ("/skills/{skill_id}/proficiency", "observation_count", 2.5),
    ("/collections", "scenario_count", "four"),
    ("/skills", "proficiency_summary", {"avg_score": "n/a"}),
])
def test_new_shapes_that_do_not_fit_name_their_field(path, field, value):
    body = {"data": [{**SPEC_EXAMPLES[path]["data"][0], field: value}], "pagination": {}}
    with pytest.raises(ResponseShapeError, match=f"field 'data\\[0\\].{field}"):
        run(_call(_serve(body), EXAMPLE_CALLS[path]))


def test_new_filters_reach_the_query_string():
    seen: list[tuple[str, dict[str, str]]] = []

    def handler(request):
        path = request.url.raw_path.decode().split("?")[0]
        seen.append((path.removeprefix("/rest/v1"), dict(request.url.params)))
        return httpx.Response(200, json={"data": [], "pagination": {}})

    async def every(c):
        from datetime import UTC, datetime

        await c.list_scenarios(include_skills=True, collection_ids=["r1", "r2"])
        await c.list_sessions(collection_ids=["r1"], skill_ids=["k1", "k2"])
        await c.list_skills()
        await c.get_skill_proficiency("k/1", user_emails=["a@x.test"], group_ids=["g1"],
                                      as_of=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC),
                                      exclude_system_users=True)

    run(_call(handler, every))
    paging = {"page": "1", "page_size": "100"}
    assert seen == [
        ("/scenarios", {"include_archived": "true", "include": "skills",
                        "collection_ids": "r1,r2", **paging}),
        ("/sessions", {"collection_ids": "r1", "skill_ids": "k1,k2", "sorting": "created_at",
                       **paging}),
        ("/skills", paging),
        ("/skills/k%2F1/proficiency", {"group_ids": "g1", "end_date": "2026-10-31T23:59:59Z",
                                       "exclude_system_users": "true",
                                       "user_emails": "a@x.test", **paging}),
    ]
