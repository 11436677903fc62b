"""A loopback proxy that forwards to the sandbox and bends its answers: a server that lies.

The client under test talks HTTP to this proxy exactly as it would to the real API; the proxy
forwards each request to a real sandbox and then, as a test chooses, rewrites the query it
forwards (a server that ignores filters), the JSON it returns (a server that echoes the key,
answers with someone else's session, lies about pagination), or answers by itself (huge
compressed bodies, trickles, errors). Nothing of the client is mocked.

    with bending_proxy(sandbox) as proxy:
        proxy.bend.body = lambda path, query, body: ...
        ExecClient(key, proxy.base_url)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from reporter.sandbox import SandboxServer

PREFIX = "/rest/v1"
Query = dict[str, str]


@dataclass
class Bend:
    """What the proxy does to each exchange; every hook is optional.

    ``query(path, query) -> query``: the query forwarded upstream (drop a filter to ignore it).
    ``body(path, query, json) -> json``: the JSON answered (the query is what the client sent).
    ``answer(request) -> Response | None``: answer without asking upstream, or None to forward.
    ``seen``: (path, query) of every request the client made, in order.
    """

    query: Callable[[str, Query], Query] | None = None
    body: Callable[[str, Query, Any], Any] | None = None
    answer: Callable[[Request], Any] | None = None
    seen: list[tuple[str, Query]] = field(default_factory=list)

    def count(self, path_start: str) -> int:
        return sum(1 for path, _ in self.seen if path.startswith(path_start))


class Proxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.bend = Bend()
        self.app = Starlette(routes=[Route(PREFIX + "/{path:path}", self._handle)])
        self.server = SandboxServer(self.app)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}{PREFIX}"

    async def _handle(self, request: Request) -> Response:
        path = "/" + request.path_params["path"]
        query = dict(request.query_params)
        self.bend.seen.append((path, query))
        if self.bend.answer is not None:
            answered = self.bend.answer(request)
            if hasattr(answered, "__await__"):
                answered = await answered
            if answered is not None:
                return answered
        forwarded = self.bend.query(path, dict(query)) if self.bend.query else query
        headers = {"Authorization": request.headers.get("authorization", "")}
        async with httpx.AsyncClient(timeout=30) as http:
            upstream = await http.get(self.upstream + path, params=forwarded, headers=headers)
        if self.bend.body is None or upstream.status_code >= 300:
            return Response(upstream.content, upstream.status_code,
                            media_type="application/json")
        return JSONResponse(self.bend.body(path, query, upstream.json()), upstream.status_code)


@contextmanager
def bending_proxy(upstream: SandboxServer | str) -> Iterator[Proxy]:
    """A proxy in front of ``upstream`` (a sandbox or a base URL), on a free loopback port."""
    proxy = Proxy(upstream if isinstance(upstream, str) else upstream.base_url)
    with proxy.server:
        yield proxy


def walk_strings(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` with every string in it (keys too) passed through ``change``."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [walk_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {walk_strings(k, change): walk_strings(v, change) for k, v in value.items()}
    return value
