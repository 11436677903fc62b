"""What the delivery tests run ``reporter email`` against: a run folder of five reps written
the way a run writes it, and SMTP servers on loopback that misbehave on purpose.

aiosmtpd (``conftest.plain_server``) is a well-behaved relay. The servers here are small
sockets speaking just enough SMTP to fail the way real relays do: a greeting that trickles
forever, an answer to the end of DATA that comes too late (the message kept all the same), a
connection dropped right after the message with no answer, a 535 that echoes the AUTH line.
What each one kept is in ``received``, so a test counts what a rep would find in their inbox.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from reporter.cohort.snapshot import parse_snapshot
from tests import snapshot_factory as f
from tests.conftest import Recorder, free_port
from tests.program_run import write_scenario_run

FIVE = ("ana@acme.test", "ben@acme.test", "cleo@acme.test", "dev@acme.test", "eve@acme.test")
SENDER = "coach@acme.example"


def five_rep_run(out: Path) -> Path:
    """``OUT/procurement-discovery/2026-10``: five reps, each with a PDF and one message to
    get; the manifest and snapshot as ``reporter run`` writes them."""
    reps = []
    for index, address in enumerate(FIVE):
        who = f.user(address.split("@")[0].title(), "Rep", address, id=f"u-{index}")
        reps.append(f.rep(who, [f.session(70.0 + index, f.at(3 + index), who=who)]))
    return write_scenario_run(out, parse_snapshot(f.snapshot(reps)))


def email_args(run_dir: Path | str, port: int, *extra: str) -> list[str]:
    """``reporter email RUN_DIR --send`` to a plain loopback server."""
    return ["email", str(run_dir), "--send", "--smtp-host", "127.0.0.1", "--smtp-port",
            str(port), "--security", "none", "--from", SENDER, *extra]


def reporter_process(args: Sequence[str], *, cwd: Path | None = None,
                     preexec_fn: Callable[[], None] | None = None,
                     env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``reporter ARGS`` as its own process, as cron starts it (stderr captured)."""
    return subprocess.Popen([sys.executable, "-m", "reporter.cli", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=preexec_fn, env={**os.environ, **(env or {})})


def ignore_sigxfsz() -> None:
    """For ``preexec_fn``: a write past RLIMIT_FSIZE fails with EFBIG instead of killing
    the process, as a write to a full disk fails with ENOSPC."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


# -- aiosmtpd, holding its answer to the first message ---------------------------------------


@dataclass
class Holding(Recorder):
    """A well-behaved relay that keeps its "250" to the first message until ``release`` is
    set (at most ``HOLD_MAX`` s): the sender is then mid-send, holding its locks, for as long
    as a test needs to start a second command beside it. The event loop is not blocked, so
    other connections are served meanwhile."""

    release: threading.Event = field(default_factory=threading.Event)
    holding: threading.Event = field(default_factory=threading.Event)
    on_accept: Callable[[], None] | None = None  # called as each message is kept, before 250

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        first = not self.received and not self.holding.is_set()
        if first:
            self.holding.set()
        answer = await super().handle_DATA(server, session, envelope)
        if self.on_accept is not None:
            self.on_accept()
        if first:
            started = time.monotonic()
            while not self.release.is_set() and time.monotonic() - started < HOLD_MAX:
                await asyncio.sleep(0.02)
        return answer


HOLD_MAX = 30.0


@contextmanager
def relay(recorder: Recorder) -> Iterator[int]:
    """``recorder`` served by aiosmtpd on a free loopback port; yields the port."""
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def received_by(recorder: Recorder) -> dict[str, int]:
    """How many messages each address got."""
    counts: dict[str, int] = {}
    for got in recorder.received:
        for address in got.rcpt_tos:
            counts[address] = counts.get(address, 0) + 1
    return counts
