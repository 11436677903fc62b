"""What a real API gateway does in front of the routes, in this order: count the request,
check the Bearer key (401), apply a scheduled fault, enforce the per-key sliding-minute and
per-UTC-day limits (429; rejected requests do not count toward either), add latency, answer a
share of requests with a 5xx (``error_rate``), and write one JSON line per request to the
request log (never the key). Pure ASGI, so it can also break a connection on purpose.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reporter.sandbox.model import SandboxWorkspace

PREFIX = "/rest/v1"

KEY_PATTERN = re.compile(r"exec_live_[A-Za-z0-9]{40}")

FAULT_KINDS = ("429", "500", "503", "drop", "timeout")

# Path templates, for counters and the request log: ids are never part of a counter's key.
_TEMPLATES = (
    (re.compile(r"^/sessions/[^/]+$"), "/sessions/{id}"),
    (re.compile(r"^/scenarios/(?!assignments$)[^/]+/analytics/summary$"),
     "/scenarios/{id}/analytics/summary"),
    (re.compile(r"^/scenarios/(?!assignments$)[^/]+/analytics/participants$"),
     "/scenarios/{id}/analytics/participants"),
    (re.compile(r"^/skills/[^/]+/proficiency$"), "/skills/{id}/proficiency"),
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
