"""Serving the sandbox: in a background thread for tests and the demo, in the foreground for
``reporter sandbox``. Both bind the socket first, so port 0 (any free port) works and the
base URL is known before the first request."""

from __future__ import annotations

import datetime as dt
import logging
import random
import socket
import string
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.applications import Starlette

from reporter.sandbox.gateway import DROP_MARKER, SandboxState
from reporter.sandbox.generate import generate_workspace
from reporter.sandbox.routes import create_app


def make_api_key(seed: int) -> str:
    """A well-formed, deterministic key for the sandbox: ``exec_live_`` + 40 alphanumerics."""
    rng = random.Random(f"exec-sandbox-key:{seed}")
    alphabet = string.ascii_letters + string.digits
    return "exec_live_" + "".join(rng.choice(alphabet) for _ in range(40))


class _QuietDrops(logging.Filter):
    """Dropped connections are scheduled on purpose; their tracebacks would only be noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return DROP_MARKER not in str(exc or "")


def _quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on sockets that say they are TCP,
    # and without it every answer waits ~40 ms for a delayed ACK (headers and body are 2 writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listen now, before the URL is printed: a client that acts on it at once is queued
        # until uvicorn starts accepting, instead of being refused.
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                          timeout_graceful_shutdown=1)


class SandboxServer:
    """Runs an app on uvicorn in a daemon thread; ``with SandboxServer(app) as server:``."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    @property
    def base_url(self) -> str:
        if self._sock is None:
            raise RuntimeError("the sandbox server is not started")
        return f"http://{_url_host(self.host)}:{self.port}/rest/v1"

    @property
    def state(self) -> SandboxState:
        return self.app.state.sandbox

    def start(self) -> SandboxServer:
        if self._thread is not None:
            return self
        _quiet_drops()
        self._sock = _bind(self.host, self.port)
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn.Server(_config(self.app))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"exec-sandbox:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve(*, host: str, port: int, seed: int, reps: int, today: dt.date | dt.datetime | None,
          api_key: str | None, rate_limit: int | None, daily_limit: int | None,
          request_log: Path | None, latency_ms: int, error_rate: float,
          echo: Callable[[str], None]) -> None:
    """Serve in the foreground until Ctrl-C, after printing the base URL and a key to use."""
    started = time.perf_counter()
    workspace = generate_workspace(seed=seed, reps=reps, today=today)
    app = create_app(workspace, api_key=api_key, rate_limit=rate_limit, daily_limit=daily_limit,
                     request_log=request_log, latency_ms=latency_ms, error_rate=error_rate)
    sock = _bind(host, port)
    base_url = f"http://{_url_host(host)}:{sock.getsockname()[1]}/rest/v1"
    echo(f"Exec API sandbox: {workspace.name}, {len(workspace.members)} members, "
         f"{len(workspace.sessions)} sessions up to {workspace.now:%Y-%m-%d %H:%M} UTC "
         f"(seed {seed}), "
         f"generated in {time.perf_counter() - started:.2f} s")
    echo(f"  export EXEC_API_URL={base_url}")
    if api_key:
        echo("  the key: the one given with --api-key or EXEC_API_KEY (only that one works)")
    else:
        echo(f"  export EXEC_API_KEY={make_api_key(seed)}   (any well-formed key works)")
    limits = "no rate limit" if rate_limit is None else f"{rate_limit} requests/minute"
    daily = "no daily limit" if daily_limit is None else f"{daily_limit} requests/day"
    echo(f"  limits: {limits}, {daily}; scenario for a first run: "
         f"{workspace.primary_scenario.slug}")
    echo("Ctrl-C to stop.")
    _quiet_drops()
    try:
        uvicorn.Server(_config(app)).run(sockets=[sock])
    finally:
        sock.close()
