"""The sandbox's ASGI app: the Exec API's read endpoints over a generated workspace.

A guard (pure ASGI, so it can also break a connection on purpose) sits in front of the routes
and does what a real API gateway does, in this order: count the request, check the Bearer key
(401), apply a scheduled fault, enforce the per-key sliding-minute and per-UTC-day limits (429;
rejected requests do not count toward either), add latency, answer a share of requests with a
5xx (``error_rate``), and write one JSON line per request to the request log (never the key).

Tests in the same process reach all of this through ``app.state.sandbox`` (a ``SandboxState``).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import hmac
import json
import math
import random
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reporter.sandbox import stats
from reporter.sandbox.data import SandboxScenario, SandboxSession, SandboxWorkspace

PREFIX = "/rest/v1"
KEY_PATTERN = re.compile(r"exec_live_[A-Za-z0-9]{40}")
FAULT_KINDS = ("429", "500", "503", "drop", "timeout")
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
RANKS = ("gold", "silver", "bronze", "unranked")
ASSIGNMENT_STATUSES = ("not_started", "in_progress", "completed", "past_due", "did_not_pass")
SESSION_SORTS = ("created_at", "score", "duration")
PARTICIPANT_SORTS = ("best_score", "first_score", "lift_percentage", "total_duration_seconds",
                     "session_count")
# Path templates, for counters and the request log: ids are never part of a counter's key.
_TEMPLATES = (
    (re.compile(r"^/sessions/[^/]+$"), "/sessions/{id}"),
    (re.compile(r"^/scenarios/(?!assignments$)[^/]+/analytics/summary$"),
     "/scenarios/{id}/analytics/summary"),
    (re.compile(r"^/scenarios/(?!assignments$)[^/]+/analytics/participants$"),
     "/scenarios/{id}/analytics/participants"),
)
DROP_MARKER = "sandbox fault: connection dropped on purpose"


class ApiError(Exception):
    """Becomes the documented envelope ``{"error": {"type", "code", "message"}}``."""

    def __init__(self, status: int, type_: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.code, self.message = status, type_, code, message

    def response(self) -> JSONResponse:
        error: dict[str, Any] = {"type": self.type}
        if self.code:
            error["code"] = self.code
        error["message"] = self.message
        return JSONResponse({"error": error}, status_code=self.status)


class DroppedConnection(Exception):
    """Raised after a partial body so the server closes the connection mid-response."""


@dataclass
class Fault:
    kind: str
    remaining: int
    path_prefix: str | None
    retry_after: float
    delay: float


class SandboxState:
    """Counters, limits and fault injection of one sandbox app (``app.state.sandbox``).

    The server runs in another thread, so every mutation takes a lock. Limits can be changed
    at any time by assigning ``rate_limit`` (requests per sliding 60 s, None for no limit) and
    ``daily_limit`` (requests per UTC day, None for no limit).
    """

    def __init__(self, workspace: SandboxWorkspace, *, api_key: str | None,
                 rate_limit: int | None, daily_limit: int | None, request_log: Path | None,
                 latency_ms: int, error_rate: float) -> None:
        self.workspace = workspace
        self.api_key = api_key
        self.rate_limit = rate_limit
        self.daily_limit = daily_limit
        self.request_log = request_log
        self.latency_ms = latency_ms
        self.error_rate = error_rate
        self.workspace_active = True  # False: every request gets the documented 403
        self.window_seconds = 60.0
        self._lock = threading.Lock()
        self._rng = random.Random(f"exec-sandbox-errors:{workspace.seed}")
        self._faults: list[Fault] = []
        self.reset()

    def reset(self) -> None:
        """Zero the counters, forget the rate windows and daily counts, drop pending faults."""
        with self._lock:
            self.total_requests = 0
            self.by_path: collections.Counter[str] = collections.Counter()
            self.by_status: collections.Counter[int] = collections.Counter()
            self.rate_limited = 0  # 429s sent (limits and scheduled faults)
            self.server_errors = 0  # 5xx sent
            self.dropped = 0  # connections broken on purpose
            self._windows: dict[str, collections.deque[float]] = {}
            self._daily: dict[str, tuple[dt.date, int]] = {}
            self._faults = []

    # -- fault injection ----------------------------------------------------------------------

    def schedule_faults(self, kind: str, count: int = 1, path_prefix: str | None = None, *,
                        retry_after: float = 0.2, delay: float = 2.0) -> None:
        """The next ``count`` authenticated requests whose path (below /rest/v1, e.g.
        "/sessions/") starts with ``path_prefix`` get this fault instead of an answer:
        "429" (with ``retry_after`` seconds), "500", "503", "drop" (headers and half a body,
        then the connection closes) or "timeout" (the answer comes after ``delay`` seconds)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(Fault(kind, count, path_prefix, retry_after, delay))

    @property
    def pending_faults(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path_prefix is None or path.startswith(fault.path_prefix):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- limits -------------------------------------------------------------------------------

    def _admit(self, key: str) -> ApiError | None:
        """Count the request against the key's limits, or say why it is refused (not counted)."""
        now = time.monotonic()
        today = dt.datetime.now(dt.UTC).date()
        with self._lock:
            window = self._windows.setdefault(key, collections.deque())
            while window and window[0] <= now - self.window_seconds:
                window.popleft()
            day, used = self._daily.get(key, (today, 0))
            if day != today:
                used = 0
            if self.daily_limit is not None and used >= self.daily_limit:
                tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), dt.UTC)
                wait = (tomorrow - dt.datetime.now(dt.UTC)).total_seconds()
                return RateLimited(max(round(wait, 3), 0.001), "daily_limit_exceeded",
                                   f"Daily limit of {self.daily_limit} requests reached; "
                                   "it resets at 00:00 UTC")
            if self.rate_limit is not None and len(window) >= self.rate_limit:
                wait = window[0] + self.window_seconds - now
                return RateLimited(max(round(wait, 3), 0.001), "rate_limited",
                                   f"Rate limit of {self.rate_limit} requests per minute "
                                   "exceeded")
            window.append(now)
            self._daily[key] = (today, used + 1)
        return None

    def _error_roll(self) -> int | None:
        with self._lock:
            if self.error_rate <= 0 or self._rng.random() >= self.error_rate:
                return None
            return self._rng.choice((500, 503))

    def _record(self, template: str, status: int, entry: dict[str, Any]) -> None:
        with self._lock:
            self.total_requests += 1
            self.by_path[template] += 1
            self.by_status[status] += 1
            if status == 429:
                self.rate_limited += 1
            elif status >= 500:
                self.server_errors += 1
            if self.request_log is not None:
                with self.request_log.open("a", encoding="utf-8") as log:
                    log.write(json.dumps(entry, ensure_ascii=False) + "\n")


class RateLimited(ApiError):
    def __init__(self, retry_after: float, code: str, message: str) -> None:
        super().__init__(429, "rate_limited", message, code)
        self.retry_after = retry_after

    def response(self) -> JSONResponse:
        body = {"error": {"type": self.type, "code": self.code, "message": self.message,
                          "retry_after": self.retry_after},
                "retry_after": self.retry_after}
        return JSONResponse(body, status_code=429,
                            headers={"Retry-After": str(max(1, math.ceil(self.retry_after)))})


def path_template(path: str) -> str:
    """"/sessions/abc" -> "/sessions/{id}"; paths below /rest/v1 without ids stay as they are."""
    for pattern, template in _TEMPLATES:
        if pattern.match(path):
            return template
    return path


class Guard:
    """Pure ASGI middleware: auth, faults, limits, latency, injected errors and the request log."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        sub = path[len(PREFIX):] if path.startswith(PREFIX + "/") else path
        recorded = False

        def record(status: int) -> None:
            nonlocal recorded
            recorded = True
            entry = {
                "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
                "method": scope["method"],
                "path": path,
                "query": scope.get("query_string", b"").decode("latin-1"),
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
            self.state._record(path_template(sub), status, entry)

        async def tracking_send(message: Message) -> None:
            # Recorded before the client can see the answer, so a test that reads the counters
            # or the log right after a response never races the server.
            if message["type"] == "http.response.start" and not recorded:
                record(message["status"])
            await send(message)

        try:
            await self._handle(scope, receive, tracking_send, sub)
        finally:
            if not recorded:
                record(500)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, sub: str) -> None:
        state = self.state
        key = _bearer(scope)
        if not _key_accepted(key, state.api_key):
            await _send(ApiError(401, "authentication_error", "Invalid or inactive API key",
                                 "invalid_api_key").response(), scope, receive, send)
            return
        assert key is not None
        if not state.workspace_active:
            await _send(ApiError(403, "authorization_error", "Workspace is inactive",
                                 "workspace_inactive").response(), scope, receive, send)
            return
        fault = state._take_fault(sub)
        if fault is not None:
            await self._fault(fault, scope, receive, send)
            return
        refusal = state._admit(key)
        if refusal is not None:
            await _send(refusal.response(), scope, receive, send)
            return
        if state.latency_ms:
            await asyncio.sleep(state.latency_ms / 1000)
        injected = state._error_roll()
        if injected is not None:
            await _send(_server_error(injected).response(), scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _fault(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind == "429":
            await _send(RateLimited(fault.retry_after, "rate_limited",
                                    "Rate limit exceeded (scheduled fault)").response(),
                        scope, receive, send)
        elif fault.kind in ("500", "503"):
            await _send(_server_error(int(fault.kind)).response(), scope, receive, send)
        elif fault.kind == "timeout":
            await asyncio.sleep(fault.delay)
            await self.app(scope, receive, send)
        else:
            with self.state._lock:
                self.state.dropped += 1
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
            raise DroppedConnection(DROP_MARKER)


def _server_error(status: int) -> ApiError:
    if status == 503:
        return ApiError(503, "service_unavailable", "Service temporarily unavailable",
                        "service_unavailable")
    return ApiError(500, "internal_error", "Internal server error", "internal_error")


async def _send(response: JSONResponse, scope: Scope, receive: Receive, send: Send) -> None:
    await response(scope, receive, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _key_accepted(key: str | None, expected: str | None) -> bool:
    if key is None or not KEY_PATTERN.fullmatch(key):
        return False
    return expected is None or hmac.compare_digest(key.encode(), expected.encode())


# --- query parameters ------------------------------------------------------------------------


class Params:
    """Typed reading of query parameters; anything malformed is a documented 400."""

    def __init__(self, request: Request) -> None:
        self.query = request.query_params

    def text(self, name: str) -> str | None:
        value = self.query.get(name)
        return value.strip() if value is not None and value.strip() else None

    def csv(self, name: str) -> list[str] | None:
        """Comma lists; repeated parameters (explode=true) are accepted too."""
        values = [part.strip() for raw in self.query.getlist(name) for part in raw.split(",")]
        values = [v for v in values if v]
        return values or None  # an empty value means "no filter", as if it were absent

    def choices(self, name: str, allowed: Iterable[str]) -> list[str] | None:
        values = self.csv(name)
        allowed = tuple(allowed)
        for value in values or ():
            if value not in allowed:
                raise _bad(f"Invalid value for {name}: {value!r}; expected one of "
                           f"{', '.join(allowed)}")
        return values

    def boolean(self, name: str) -> bool:
        value = self.text(name)
        if value is None:
            return False
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise _bad(f"Invalid boolean for {name}: {value!r}")

    def moment(self, name: str, *, end: bool = False) -> dt.datetime | None:
        """A date or an ISO 8601 datetime (naive means UTC). A bare end date means the whole
        day, so end_date=2026-10-31 includes sessions on the 31st."""
        value = self.text(name)
        if value is None:
            return None
        try:
            if len(value) == 10:
                day = dt.date.fromisoformat(value)
                moment = dt.datetime.combine(day, dt.time(), dt.UTC)
                return moment + dt.timedelta(days=1, microseconds=-1) if end else moment
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
        except ValueError:
            raise _bad(f"Invalid date for {name}: {value!r}; use ISO 8601") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def sorting(self, allowed: Iterable[str], default: str) -> tuple[str, bool]:
        value = self.text("sorting") or default
        field = value.removeprefix("-")
        if field not in tuple(allowed):
            options = ", ".join(f"{f}, -{f}" for f in allowed)
            raise _bad(f"Invalid sorting {value!r}; expected one of {options}")
        return field, value.startswith("-")

    def page(self) -> tuple[int, int]:
        page = self._integer("page", 1)
        size = self._integer("page_size", DEFAULT_PAGE_SIZE)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ApiError(400, "invalid_request", "Invalid pagination parameters: page must be "
                           f">= 1 and page_size between 1 and {MAX_PAGE_SIZE}",
                           "invalid_pagination")
        return page, size

    def _integer(self, name: str, default: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        if not re.fullmatch(r"[+-]?\d{1,9}", value):
            raise ApiError(400, "invalid_request", f"Invalid pagination parameters: {name} "
                           f"must be an integer, got {value!r}", "invalid_pagination")
        return int(value)


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message, "invalid_parameter")


def paginate(items: list[Any], page: int, size: int,
             serialize: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    start = (page - 1) * size
    return {
        "data": [serialize(item) for item in items[start:start + size]],
        "pagination": {"page": page, "page_size": size, "total_count": len(items),
                       "total_pages": math.ceil(len(items) / size)},
    }


# --- filters shared by sessions and analytics -------------------------------------------------


def _user_filter(ws: SandboxWorkspace, params: Params) -> set[str] | None:
    """user_ids and user_emails unioned (emails case-insensitive); unknown ones match nobody."""
    ids, emails = params.csv("user_ids"), params.csv("user_emails")
    if ids is None and emails is None:
        return None
    wanted = set(ids or ())
    for email in emails or ():
        user = ws.users_by_email.get(email.lower())
        if user is not None:
            wanted.add(user.id)
    return wanted


def _group_filter(ws: SandboxWorkspace, params: Params) -> set[str] | None:
    group_ids = params.csv("group_ids")
    if group_ids is None:
        return None
    wanted = set(group_ids)
    return {uid for group in ws.groups if group.id in wanted for uid in group.member_ids}


def _session_filter(ws: SandboxWorkspace, params: Params,
                    scenario_ids: set[str] | None) -> Callable[[SandboxSession], bool]:
    users = _user_filter(ws, params)
    groups = _group_filter(ws, params)
    start = params.moment("start_date")
    end = params.moment("end_date", end=True)
    no_system = params.boolean("exclude_system_users")

    def keep(session: SandboxSession) -> bool:
        if scenario_ids is not None and session.scenario_id not in scenario_ids:
            return False
        if users is not None and session.user_id not in users:
            return False
        if groups is not None and session.user_id not in groups:
            return False
        if start is not None and session.created_at < start:
            return False
        if end is not None and session.created_at > end:
            return False
        return not (no_system and ws.users_by_id[session.user_id].is_system)

    return keep


def _scenario(ws: SandboxWorkspace, key: str) -> SandboxScenario:
    scenario = ws.scenarios_by_key.get(key)
    if scenario is None:
        raise ApiError(404, "not_found", f"Scenario not found: {key}")
    return scenario


def _scenario_ids(ws: SandboxWorkspace, keys: list[str] | None) -> set[str] | None:
    if keys is None:
        return None
    return {ws.scenarios_by_key[k].id for k in keys if k in ws.scenarios_by_key}


# --- endpoints -------------------------------------------------------------------------------


def _ws(request: Request) -> SandboxWorkspace:
    workspace: SandboxWorkspace = request.app.state.sandbox.workspace
    return workspace


async def get_workspace(request: Request) -> JSONResponse:
    return JSONResponse(_ws(request).info_json())


async def list_members(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    groups = _group_filter(ws, params)
    members = [u for u in ws.members if groups is None or u.id in groups]
    members.sort(key=lambda u: (u.created_at, u.id))
    return JSONResponse(paginate(members, page, size, lambda u: u.member_json()))


async def list_groups(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    return JSONResponse(paginate(ws.groups, page, size, lambda g: g.to_json()))


async def list_scenarios(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    owner = params.text("owner_email")
    viewer_email = params.text("visible_to_email")
    visibility = params.choices("visibility", ("private", "workspace"))
    archived = params.boolean("include_archived")
    skill_ids = params.csv("skill_ids")
    collection_ids = params.csv("collection_ids")
    include = set(params.csv("include") or ())
    viewer = ws.users_by_email.get(viewer_email.lower()) if viewer_email else None

    def keep(scenario: SandboxScenario) -> bool:
        owner_user = ws.users_by_id[scenario.owner_id]
        checks = (
            archived or not scenario.archived,
            owner is None or owner_user.email.lower() == owner.lower(),
            visibility is None or scenario.visibility in visibility,
            skill_ids is None or any(s.id in skill_ids for s in scenario.skills),
            collection_ids is None or scenario.collection_id in collection_ids,
            viewer_email is None or (viewer is not None and (
                scenario.owner_id == viewer.id
                or (scenario.visibility == "workspace" and viewer.is_member))),
        )
        return all(checks)

    chosen = [s for s in ws.scenarios if keep(s)]
    return JSONResponse(paginate(chosen, page, size,
                                 lambda s: ws.scenario_json(s, "skills" in include)))


async def list_assignments(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    users = _user_filter(ws, params)
    scenarios = _scenario_ids(ws, params.csv("scenario_ids"))
    programs = params.csv("program_ids")
    statuses = params.choices("status", ASSIGNMENT_STATUSES)
    chosen = [
        a for a in ws.assignments
        if (users is None or a.user_id in users)
        and (scenarios is None or a.scenario_id in scenarios)
        and (programs is None or (a.program is not None and a.program["id"] in programs))
        and (statuses is None or a.status in statuses)
    ]
    return JSONResponse(paginate(chosen, page, size, ws.assignment_json))


async def list_sessions(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    field, descending = params.sorting(SESSION_SORTS, "-created_at")
    ranks = params.choices("rank", RANKS)
    scenario_ids = _scenario_ids(ws, params.csv("scenario_ids"))
    for name, matching in (
        ("collection_ids", lambda s, wanted: s.collection_id in wanted),
        ("skill_ids", lambda s, wanted: any(k.id in wanted for k in s.skills)),
    ):
        wanted = params.csv(name)
        if wanted is not None:
            found = {s.id for s in ws.scenarios if matching(s, set(wanted))}
            scenario_ids = found if scenario_ids is None else scenario_ids & found
    programs = params.csv("program_ids")
    enrolled = None
    if programs is not None:
        enrolled = {(a.user_id, a.scenario_id) for a in ws.assignments
                    if a.program is not None and a.program["id"] in programs}
    keep = _session_filter(ws, params, scenario_ids)
    chosen = [
        s for s in ws.sessions
        if keep(s)
        and (ranks is None or s.rank in ranks)
        and (enrolled is None or (s.user_id, s.scenario_id) in enrolled)
    ]
    return JSONResponse(paginate(_sort_sessions(chosen, field, descending), page, size,
                                 ws.session_json))


def _sort_sessions(sessions: list[SandboxSession], field: str,
                   descending: bool) -> list[SandboxSession]:
    """Sorted by the field with ties by creation time then id; nulls always last."""
    if field == "created_at":
        return sorted(sessions, key=lambda s: (s.created_at, s.id), reverse=descending)
    value = (lambda s: s.score) if field == "score" else (lambda s: s.duration_seconds)
    present = [s for s in sessions if value(s) is not None]
    missing = [s for s in sessions if value(s) is None]
    present.sort(key=lambda s: (value(s), s.created_at, s.id), reverse=descending)
    missing.sort(key=lambda s: (s.created_at, s.id), reverse=descending)
    return present + missing


async def get_session(request: Request) -> JSONResponse:
    ws = _ws(request)
    session_id = request.path_params["session_id"]
    include = frozenset(Params(request).csv("include") or ())
    body = ws.session_detail(session_id, include)
    if body is None:
        raise ApiError(404, "not_found", f"Session not found: {session_id}")
    return JSONResponse(body)


def _analytics_sessions(request: Request) -> tuple[SandboxWorkspace, Params, list[SandboxSession]]:
    ws, params = _ws(request), Params(request)
    scenario = _scenario(ws, request.path_params["scenario_id"])
    keep = _session_filter(ws, params, {scenario.id})
    return ws, params, [s for s in ws.sessions if keep(s)]


async def analytics_summary(request: Request) -> JSONResponse:
    _, _, sessions = _analytics_sessions(request)
    return JSONResponse(stats.summary(sessions))


async def analytics_participants(request: Request) -> JSONResponse:
    ws, params, sessions = _analytics_sessions(request)
    page, size = params.page()
    field, descending = params.sorting(PARTICIPANT_SORTS, "-best_score")
    people = stats.participants(sessions)
    attribute = "lift" if field == "lift_percentage" else field
    people.sort(key=lambda p: ws.users_by_id[p.user_id].email.lower())
    people.sort(key=lambda p: getattr(p, attribute), reverse=descending)
    return JSONResponse(paginate(people, page, size,
                                 lambda p: p.to_json(ws.users_by_id[p.user_id].ref())))


# --- the app ---------------------------------------------------------------------------------


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return ApiError(404, "not_found", f"Not found: {request.url.path}").response()
    return ApiError(exc.status_code, "invalid_request", str(exc.detail)).response()


def create_app(workspace: SandboxWorkspace, *, api_key: str | None = None,
               rate_limit: int | None = 60, daily_limit: int | None = 1000,
               request_log: Path | None = None, latency_ms: int = 0,
               error_rate: float = 0.0) -> Starlette:
    """The sandbox app. ``api_key`` None accepts any well-formed key; ``rate_limit`` and
    ``daily_limit`` None switch that limit off. ``app.state.sandbox`` is its SandboxState."""
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must be between 0 and 1")
    state = SandboxState(workspace, api_key=api_key, rate_limit=rate_limit,
                         daily_limit=daily_limit, request_log=request_log,
                         latency_ms=latency_ms, error_rate=error_rate)
    routes = [
        Route("/workspace", get_workspace),
        Route("/workspace/members", list_members),
        Route("/workspace/groups", list_groups),
        Route("/scenarios", list_scenarios),
        Route("/scenarios/assignments", list_assignments),
        Route("/sessions", list_sessions),
        Route("/sessions/{session_id}", get_session),
        Route("/scenarios/{scenario_id}/analytics/summary", analytics_summary),
        Route("/scenarios/{scenario_id}/analytics/participants", analytics_participants),
    ]
    app = Starlette(
        routes=[Mount(PREFIX, routes=routes)],
        middleware=[Middleware(Guard, state=state)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.sandbox = state
    return app
