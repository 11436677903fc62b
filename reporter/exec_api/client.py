"""An async client for the read endpoints a cohort report needs.

Layers, from the wire up:
- ``_send``: one HTTP exchange, paced by the limiter, counted, with retries
  (429 honours ``retry_after``; 5xx, timeouts and dropped connections back off
  with jitter) and the error envelope mapped to ``errors``;
- ``_get``: ``_send`` plus validation of the body against a pydantic model;
- ``_paginate``: every page of a list endpoint, defensive about the server's
  pagination object;
- the public ``fetch_*``/``list_*``/``get_*`` methods, one per endpoint.

The transport is injectable: tests use ``httpx.MockTransport`` for pathological
answers and the sandbox over loopback for everything else.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from reporter import __version__
from reporter.exec_api import errors
from reporter.exec_api.auth import ApiKey, check_base_url
from reporter.exec_api.filters import NO_FILTER, AnalyticsFilter, _bool, _csv, _iso
from reporter.exec_api.models import (
    Assignment,
    Collection,
    Pagination,
    Scenario,
    ScenarioAnalyticsSummary,
    ScenarioParticipantEntry,
    SessionDetail,
    SessionListItem,
    Skill,
    SkillProficiencyEntry,
    Workspace,
    WorkspaceGroup,
    WorkspaceMember,
)
from reporter.exec_api.ratelimit import SlidingWindowLimiter, backoff_delay
from reporter.exec_api.usage import UsageCounter

M = TypeVar("M", bound=BaseModel)

PAGE_SIZE = 100  # the API's maximum: fewest requests per item
MAX_PAGES = 1000  # a hard stop whatever the server's pagination claims
MIN_LISTING_PAGES = 10  # a listing may always read this many pages, whatever the budget says
MAX_URL_LENGTH = 2000
# A 429 asking us to wait longer than this is the daily ceiling, not the burst limit.
MAX_RETRY_AFTER = 120.0
DEFAULT_RATE = 60
#: The longest one request may take, whole answer included: a server trickling a byte every
#: few seconds never trips a per-read timeout, so the exchange itself has a deadline.
REQUEST_DEADLINE = 60.0
#: The largest answer read, once decoded (a session with a long transcript is ~100 kB).
MAX_BODY_BYTES = 32 * 2**20
#: What stands in an answer where the server echoed the API key.
KEY_REMOVED = "[API key removed]"
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class ExecClient:
    def __init__(
        self,
        key: ApiKey,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        rate_limit: int = DEFAULT_RATE,
        concurrency: int = 8,
        max_retries: int = 5,
        max_429_retries: int = 20,
        timeout: float = 30.0,
        usage: UsageCounter | None = None,
        backoff: Callable[[int], float] = backoff_delay,
        deadline: float = REQUEST_DEADLINE,
        retry_budget: int | None = None,
        limiter: SlidingWindowLimiter | None = None,
        now: datetime | None = None,
        url_setting: str = "set by EXEC_API_URL",
    ) -> None:
        self.key = key
        # The run's "now" (what "in the future" is measured from): fixed when injected, as the
        # demo and tests do, so that no answer depends on the day it is asked.
        self._now = now
        self.base_url = check_base_url(base_url)
        # Where the base URL came from, as a user would change it: said in the one line of a
        # connection that fails and of a first answer that is 404.
        self.url_setting = url_setting
        # ``limiter`` replaces the pacing at ``rate_limit`` a minute, as ``transport`` replaces
        # the network: a test paces to a server whose window is seconds, not a minute.
        self.limiter = limiter or SlidingWindowLimiter(rate_limit)
        self.usage = usage or UsageCounter(None)
        self.max_retries = max_retries
        self.max_429_retries = max_429_retries
        self.backoff = backoff
        self.deadline = deadline
        # Retries of 5xx and dropped connections, shared by every request of the run: a
        # server failing everything costs a bounded number of extra requests, not 6 each.
        self.retry_budget = max_retries * 4 if retry_budget is None else retry_budget
        self.requests_made = 0
        # When the run first asked Exec: the moment its data is as of (the sessions it lists
        # are those Exec held then; each detail fetched after is one of them). The run's
        # report is generated after it, so "Data fetched at" never follows "Generated at".
        self.first_request_at: datetime | None = None
        self.requests_by_endpoint: Counter[str] = Counter()
        self.failed_requests = 0  # answers that were retried: 429, 5xx, transport errors
        self.answered = 0  # successful answers: a 404 before the first is the URL's fault
        self._semaphore = asyncio.Semaphore(concurrency)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={
                "Authorization": key.authorization(),
                "Accept": "application/json",
                "User-Agent": f"reporter/{__version__}",
            },
        )

    def now(self) -> datetime:
        """The run's "now": the injected moment, else the clock (UTC)."""
        return self._now or datetime.now(UTC)

    async def __aenter__(self) -> ExecClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
        self.usage.save()

    # -- wire ---------------------------------------------------------------

    async def _send(self, endpoint: str, path: str, params: dict[str, Any]) -> Any:
        attempt = 0
        limited = 0
        while True:
            failure: errors.ExecError  # what to raise once the retries are spent
            async with self._semaphore:
                await self.limiter.acquire()
                if self.first_request_at is None:
                    self.first_request_at = self.now()
                self.requests_made += 1
                self.requests_by_endpoint[endpoint] += 1
                self.usage.add()
                try:
                    async with asyncio.timeout(self.deadline):
                        response: httpx.Response | None = await self._exchange(
                            endpoint, path, params)
                except (*_RETRYABLE_TRANSPORT, TimeoutError) as exc:
                    response = None
                    where = (f" to {shown_url(self.base_url)}"
                             if isinstance(exc, httpx.ConnectError) else "")
                    failure = errors.TransportError(
                        f"{endpoint}: {_describe_transport_error(exc, self.deadline)}{where} "
                        f"after {attempt + 1} attempts"
                        + (f" (the API's URL, {self.url_setting})" if where else ""))
            if response is not None:
                status = response.status_code
                if status < 300:
                    self.answered += 1
                    return self._json(response, endpoint)
                if status == 429:
                    self.failed_requests += 1
                    retry_after = _retry_after(response)
                    if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                        raise errors.DailyLimitReached(
                            "the API's daily request limit is reached; try again in "
                            f"{_human_seconds(retry_after)} (after midnight UTC)",
                            retry_after=retry_after, status=429, endpoint=endpoint,
                        )
                    if limited >= self.max_429_retries:
                        raise self._api_error(response, endpoint)
                    limited += 1
                    self.limiter.pause(retry_after if retry_after is not None else 1.0)
                    continue
                if status < 500:
                    error = self._api_error(response, endpoint)
                    if status == 404 and not self.answered:
                        error.hint = self._first_404_hint()
                    raise error
                failure = errors.ServerError(
                    f"{endpoint}: the server kept failing (HTTP {status}) after {attempt + 1} "
                    "attempts", status=status, endpoint=endpoint)
            # A dropped connection, a timeout or a 5xx: back off with jitter, a few times, as
            # long as the run's shared allowance of retries lasts.
            self.failed_requests += 1
            if attempt >= self.max_retries or self.retry_budget <= 0:
                raise failure
            self.retry_budget -= 1
            await asyncio.sleep(self.backoff(attempt))
            attempt += 1

    async def _exchange(self, endpoint: str, path: str, params: dict[str, Any]) -> httpx.Response:
        """One GET, its body read (decoded) up to MAX_BODY_BYTES: an answer that inflates
        beyond it is refused as it streams in, never held whole."""
        async with self._http.stream("GET", path, params=params) as response:
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise errors.ResponseShapeError(
                        endpoint, "body", f"is larger than {MAX_BODY_BYTES // 2**20} MB once "
                        "decoded; refused")
                chunks.append(chunk)
        # The body is decoded already: the answer kept says so (no Content-Encoding).
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length")]
        return httpx.Response(response.status_code, headers=headers,
                              content=b"".join(chunks), request=response.request,
                              extensions={"reason_phrase": response.reason_phrase.encode()})

    def _json(self, response: httpx.Response, endpoint: str) -> Any:
        """The body as JSON with the API key removed from every string in it: a server that
        echoes the key (in a name, a transcript, anywhere) never gets it into a file or a
        line this tool writes. Nothing above the client ever sees the key in an answer."""
        try:
            body = json.loads(response.content)
        except RecursionError:
            raise errors.ResponseShapeError(endpoint, "body", "is nested too deep") from None
        except ValueError:
            raise errors.ResponseShapeError(endpoint, "body", "is not JSON") from None
        try:
            return _scrub(body, self.key.reveal(), KEY_REMOVED)
        except RecursionError:
            raise errors.ResponseShapeError(endpoint, "body", "is nested too deep") from None

    def _first_404_hint(self) -> str:
        """What a 404 on the very first request most likely means: the base URL is not the
        API's (the usual slip: the host alone, without the ``/rest/v1`` prefix)."""
        url = shown_url(self.base_url)
        if urlsplit(self.base_url).path.rstrip("/").endswith("/rest/v1"):
            return f"is {url} the Exec API? (the API's URL, {self.url_setting})"
        return (f"the API's URL {url} lacks the /rest/v1 prefix: try {url}/rest/v1 "
                f"({self.url_setting})")

    def _api_error(self, response: httpx.Response, endpoint: str) -> errors.APIError:
        """The error envelope as an exception, the key scrubbed from the server's message
        (a server may echo the Authorization header back)."""
        error = _api_error(response, endpoint)
        if self.key.reveal() in error.message:
            error.message = error.message.replace(self.key.reveal(), repr(self.key))
            error.args = (error.message,)
        return error

    async def _get(self, endpoint: str, path: str, model: type[M], **params: Any) -> M:
        body = await self._send(endpoint, path, _clean(params))
        return _validate(model, body, endpoint)

    async def _paginate(
        self,
        endpoint: str,
        path: str,
        model: type[M],
        params: dict[str, Any],
        key: Callable[[M], str] = lambda item: item.id,  # type: ignore[attr-defined]
    ) -> list[M]:
        """Every item of a list endpoint, each once, or ResponseShapeError: a listing that
        cannot be read completely is an error, never a smaller cohort.

        Reads every page the server's totals promise (``total_pages``, else ``total_count``
        rows, else until a short page). A server that ignores ``page`` (the same rows again)
        stops at the first page that adds nothing new; one that ignores ``page_size`` is
        followed by its own totals. Totals that promise more rows than arrive, and a listing
        longer than MAX_PAGES or half of what is left of the day's budget, are errors: a
        pagination object that is nonsense cannot make us loop or over-spend.
        """
        items: list[M] = []
        seen: set[str] = set()
        rows = 0  # as received, repeats included
        promised: int | None = None
        page = 1
        limit = min(MAX_PAGES, max(MIN_LISTING_PAGES, self.usage.remaining_today // 2))
        while True:
            if page > limit:
                raise errors.ResponseShapeError(
                    endpoint, "pagination", f"goes on beyond {limit} pages; the listing was "
                    "stopped rather than spend the day's requests on it")
            body = await self._send(endpoint, path, {**_clean(params), "page": page,
                                                     "page_size": PAGE_SIZE})
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise errors.ResponseShapeError(endpoint, "data", "is missing or not a list")
            data = body["data"]
            new = 0
            for i, raw in enumerate(data):
                item = _validate(model, raw, endpoint, prefix=f"data[{i}]")
                ident = key(item)
                if ident not in seen:
                    seen.add(ident)
                    items.append(item)
                    new += 1
            rows += len(data)
            pagination = _pagination(body.get("pagination"))
            total_pages = pagination.total_pages if (pagination.total_pages or 0) > 0 else None
            total_count = pagination.total_count if (pagination.total_count or 0) > 0 else None
            if total_count is not None:
                promised = max(promised or 0, total_count)
            if not data or new == 0:
                break  # nothing more, or the same rows again (a server ignoring ``page``)
            if total_pages is not None:
                if page >= total_pages:
                    break
            elif total_count is not None:
                if rows >= total_count:
                    break
            else:
                echoed = pagination.page_size
                page_size = echoed if echoed and 0 < echoed <= PAGE_SIZE else PAGE_SIZE
                if len(data) < page_size:
                    break
            page += 1
        if promised is not None and len(items) < promised:
            raise errors.ResponseShapeError(
                endpoint, "pagination", f"promised {promised} rows but {len(items)} different "
                f"ones arrived in {page} pages; the listing is incomplete")
        return items

    # -- endpoints ----------------------------------------------------------

    async def get_workspace(self) -> Workspace:
        return await self._get("GET /workspace", "/workspace", Workspace)

    async def list_members(self, group_ids: Sequence[str] = ()) -> list[WorkspaceMember]:
        return await self._paginate(
            "GET /workspace/members", "/workspace/members", WorkspaceMember,
            {"group_ids": _csv(group_ids)},
        )

    async def list_groups(self) -> list[WorkspaceGroup]:
        return await self._paginate("GET /workspace/groups", "/workspace/groups",
                                    WorkspaceGroup, {})

    async def list_scenarios(self, include_archived: bool = True, *,
                             include_skills: bool = False,
                             collection_ids: Sequence[str] = ()) -> list[Scenario]:
        """With ``include_skills``, each scenario's ``skills`` (else None); ``collection_ids``
        keeps the scenarios of those collections (the only way to learn what a collection
        holds: a scenario does not name its collection)."""
        return await self._paginate(
            "GET /scenarios", "/scenarios", Scenario,
            {"include_archived": _bool(include_archived),
             "include": "skills" if include_skills else None,
             "collection_ids": _csv(collection_ids)},
        )

    async def list_collections(self) -> list[Collection]:
        return await self._paginate("GET /collections", "/collections", Collection, {})

    async def list_skills(self, include_proficiency: bool = False) -> list[Skill]:
        """With ``include_proficiency``, each skill's workspace-wide ``proficiency_summary``."""
        return await self._paginate(
            "GET /skills", "/skills", Skill,
            {"include": "proficiency" if include_proficiency else None},
        )

    async def get_skill_proficiency(
        self,
        skill_id: str,
        *,
        user_emails: Sequence[str] = (),
        user_ids: Sequence[str] = (),
        group_ids: Sequence[str] = (),
        as_of: datetime | None = None,
        exclude_system_users: bool | None = None,
    ) -> list[SkillProficiencyEntry]:
        """Each person's proficiency on one skill as of ``as_of`` (the API's ``end_date``;
        None: now), for the given people (emails and ids unioned, groups narrowing), or every
        member who practised it; everyone in it has at least one observation."""
        return await self._paginate_by_emails(
            "GET /skills/{id}/proficiency", f"/skills/{_segment(skill_id)}/proficiency",
            SkillProficiencyEntry,
            {"user_ids": _csv(user_ids), "group_ids": _csv(group_ids), "end_date": _iso(as_of),
             "exclude_system_users": _bool(exclude_system_users)},
            user_emails,
            key=lambda entry: entry.user.id,
        )

    async def list_assignments(
        self,
        scenario_ids: Sequence[str] = (),
        user_emails: Sequence[str] = (),
        status: Sequence[str] = (),
    ) -> list[Assignment]:
        params = {"scenario_ids": _csv(scenario_ids), "status": _csv(status)}
        return await self._paginate_by_emails(
            "GET /scenarios/assignments", "/scenarios/assignments", Assignment, params, user_emails
        )

    async def list_sessions(
        self,
        filters: AnalyticsFilter = NO_FILTER,
        *,
        scenario_ids: Sequence[str] = (),
        collection_ids: Sequence[str] = (),
        skill_ids: Sequence[str] = (),
        user_ids: Sequence[str] = (),
        rank: Sequence[str] = (),
        sorting: str = "created_at",
    ) -> list[SessionListItem]:
        """Sessions, oldest first by default: new sessions then land on the last page
        instead of shifting every page under a running pagination. ``collection_ids`` and
        ``skill_ids`` keep the sessions of those collections' or skills' scenarios."""
        params = {
            "scenario_ids": _csv(scenario_ids),
            "collection_ids": _csv(collection_ids),
            "skill_ids": _csv(skill_ids),
            "user_ids": _csv(user_ids),
            "rank": _csv(rank),
            **filters.params(),
            "sorting": sorting,
        }
        return await self._paginate_by_emails(
            "GET /sessions", "/sessions", SessionListItem, params, filters.user_emails
        )

    async def get_session(
        self, session_id: str, include: Iterable[str] = ("transcript", "evaluations")
    ) -> SessionDetail:
        return await self._get(
            "GET /sessions/{id}", f"/sessions/{_segment(session_id)}", SessionDetail,
            include=_csv(include),
        )

    async def get_summary(
        self, scenario: str, filters: AnalyticsFilter = NO_FILTER
    ) -> ScenarioAnalyticsSummary:
        return await self._get(
            "GET /scenarios/{id}/analytics/summary",
            f"/scenarios/{_segment(scenario)}/analytics/summary",
            ScenarioAnalyticsSummary,
            user_emails=_csv(filters.user_emails),
            **filters.params(),
        )

    async def list_participants(
        self, scenario: str, filters: AnalyticsFilter = NO_FILTER, *,
        sorting: str = "-best_score",
    ) -> list[ScenarioParticipantEntry]:
        return await self._paginate_by_emails(
            "GET /scenarios/{id}/analytics/participants",
            f"/scenarios/{_segment(scenario)}/analytics/participants",
            ScenarioParticipantEntry,
            {**filters.params(), "sorting": sorting},
            filters.user_emails,
            key=lambda entry: entry.user.id,
        )

    async def _paginate_by_emails(
        self,
        endpoint: str,
        path: str,
        model: type[M],
        params: dict[str, Any],
        emails: Sequence[str],
        key: Callable[[M], str] = lambda item: item.id,  # type: ignore[attr-defined]
    ) -> list[M]:
        """Split a long email filter so that every request URL stays under 2,000 characters."""
        if not emails:
            return await self._paginate(endpoint, path, model, params, key)
        out: list[M] = []
        seen: set[str] = set()
        for chunk in self.email_chunks(path, params, emails):
            for item in await self._paginate(endpoint, path, model,
                                             {**params, "user_emails": ",".join(chunk)}, key):
                if key(item) not in seen:
                    seen.add(key(item))
                    out.append(item)
        return out

    def email_chunks(
        self, path: str, params: dict[str, Any], emails: Sequence[str]
    ) -> list[list[str]]:
        """Greedy chunks of ``emails`` whose request URL, with paging, fits MAX_URL_LENGTH."""
        base = {**_clean(params), "page": MAX_PAGES, "page_size": PAGE_SIZE}
        chunks: list[list[str]] = []
        current: list[str] = []
        for email in emails:
            trial = current + [email]
            url = self._http.build_request(
                "GET", path, params={**base, "user_emails": ",".join(trial)}
            ).url
            if len(str(url)) < MAX_URL_LENGTH or not current:
                current = trial
            else:
                chunks.append(current)
                current = [email]
        if current:
            chunks.append(current)
        return chunks


# -- helpers ------------------------------------------------------------------


def _validate(model: type[M], body: Any, endpoint: str, prefix: str = "") -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        field = f"{prefix}.{loc}" if prefix and loc else (prefix or loc or "body")
        raise errors.ResponseShapeError(endpoint, field, first["msg"].lower()) from None


def _pagination(raw: Any) -> Pagination:
    try:
        return Pagination.model_validate(raw if isinstance(raw, dict) else {})
    except ValidationError:
        return Pagination()


def _api_error(response: httpx.Response, endpoint: str) -> errors.APIError:
    status = response.status_code
    kind, code, message = None, None, None
    try:
        body = response.json()
        env = body.get("error") if isinstance(body, dict) else None
        if isinstance(env, dict):
            kind, code, message = env.get("type"), env.get("code"), env.get("message")
    except ValueError:
        pass
    if not isinstance(message, str) or not message.strip():
        message = response.reason_phrase or f"HTTP {status}"
    cls = errors.STATUS_ERRORS.get(status, errors.APIError)
    kw: dict[str, Any] = {"status": status, "endpoint": endpoint, "type": kind, "code": code}
    if cls is errors.RateLimited:
        kw["retry_after"] = _retry_after(response)
    return cls(message.strip()[:500], **kw)


def _retry_after(response: httpx.Response) -> float | None:
    """``retry_after`` from the body (top level or inside the error), else the header."""
    candidates: list[Any] = []
    try:
        body = response.json()
        if isinstance(body, dict):
            candidates.append(body.get("retry_after"))
            if isinstance(body.get("error"), dict):
                candidates.append(body["error"].get("retry_after"))
    except ValueError:
        pass
    candidates.append(response.headers.get("Retry-After"))
    for value in candidates:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
    return None


def _scrub(value: Any, secret: str, replacement: str) -> Any:
    """``value`` (parsed JSON) with ``secret`` replaced in every string, keys included."""
    if isinstance(value, str):
        return value.replace(secret, replacement) if secret in value else value
    if isinstance(value, list):
        return [_scrub(v, secret, replacement) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, secret, replacement): _scrub(v, secret, replacement)
                for k, v in value.items()}
    return value


def shown_url(url: str) -> str:
    """A base URL as a message may show it: scheme, host, port and path; never a user,
    password or query it might carry."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _describe_transport_error(exc: BaseException, deadline: float) -> str:
    if isinstance(exc, TimeoutError) and not isinstance(exc, httpx.TimeoutException):
        return f"the answer took longer than {deadline:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return "the request timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return "the connection dropped"


def _human_seconds(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60} h {minutes % 60} min" if minutes >= 60 else f"{minutes} min"


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None and v != ""}


def _segment(value: str) -> str:
    """A path segment from untrusted input: no slash, no dot-segments."""
    encoded = quote(value, safe="")
    return encoded.replace(".", "%2E") if set(value) <= {"."} else encoded
