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
import base64
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from reporter.cohort.snapshot import parse_snapshot
from tests import snapshot_factory as f
from tests.program_run import write_scenario_run
from tests.support import Recorder, free_port

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


# -- a relay that misbehaves on purpose ------------------------------------------------------


@dataclass
class Kept:
    """A message the misbehaving relay kept: what would be in the rep's inbox."""

    rcpt_tos: list[str]
    raw: bytes


@dataclass
class Misbehaviour:
    """What the relay does wrong; the defaults are a relay that does nothing wrong.

    ``trickle``: before its greeting, one ``220-still here`` line every so many seconds, for
    ever. ``auth``: offer this mechanism (PLAIN or LOGIN) and refuse every login with a 535
    that echoes what the client sent, decoded password included. ``late``: seconds to wait
    before answering the end of DATA (the message is kept first). ``drop``: the numbers
    (1-based) of the messages after which the connection is closed without an answer (the
    message kept). ``hang_up_at``: a command (b"RCPT") at which it closes the connection
    without answering, before any message."""

    trickle: float | None = None
    auth: str | None = None
    late: float = 0.0
    drop: frozenset[int] = frozenset()
    hang_up_at: bytes | None = None


class MisbehavingRelay:
    """A loopback SMTP server, a thread per connection, speaking just enough SMTP to break
    the way ``misbehaviour`` says. ``kept``: the messages it kept; ``trickled``: how many
    greeting lines it trickled before the client went away."""

    def __init__(self, misbehaviour: Misbehaviour) -> None:
        self.misbehaviour = misbehaviour
        self.kept: list[Kept] = []
        self.trickled = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    def close(self) -> None:
        self._stop.set()
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for conn in self._conns:
            with suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in [self._accepting, *self._threads]:
            thread.join(5)

    def kept_by(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for message in self.kept:
            for address in message.rcpt_tos:
                counts[address] = counts.get(address, 0) + 1
        return counts

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            self._conversation(conn, conn.makefile("rb"))

    def _conversation(self, conn: socket.socket, lines: Any) -> None:
        bad = self.misbehaviour
        while bad.trickle is not None and not self._stop.is_set():
            conn.sendall(b"220-still here\r\n")
            self.trickled += 1
            time.sleep(bad.trickle)
        conn.sendall(b"220 relay.test ESMTP\r\n")
        rcpt: list[str] = []
        while not self._stop.is_set():
            line = lines.readline()
            if not line:
                return
            verb = line[:4].upper()
            if verb == bad.hang_up_at:
                return
            if verb in (b"EHLO", b"HELO"):
                offer = f"250-AUTH {bad.auth}\r\n".encode() if bad.auth else b""
                conn.sendall(b"250-relay.test\r\n" + offer + b"250 8BITMIME\r\n")
            elif verb == b"AUTH":
                said = line.decode().split()
                if said[1].upper() == "LOGIN":
                    conn.sendall(b"334 UGFzc3dvcmQ6\r\n")
                    said.append(lines.readline().decode().strip())
                    password = base64.b64decode(said[-1]).decode()
                else:
                    password = base64.b64decode(said[2]).split(b"\0")[-1].decode()
                echoed = " ".join(said)
                conn.sendall(f"535 5.7.8 refused: {echoed} (password \"{password}\")\r\n"
                             .encode())
            elif verb == b"MAIL":
                rcpt = []
                conn.sendall(b"250 OK\r\n")
            elif verb == b"RCPT":
                rcpt.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                conn.sendall(b"250 OK\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go ahead\r\n")
                raw = b""
                while (chunk := lines.readline()) not in (b".\r\n", b""):
                    raw += chunk
                self.kept.append(Kept(rcpt, raw))
                if len(self.kept) in bad.drop:
                    return
                time.sleep(bad.late)
                conn.sendall(b"250 kept\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 OK\r\n" if verb in (b"RSET", b"NOOP") else b"500 what\r\n")


@contextmanager
def misbehaving(misbehaviour: Misbehaviour) -> Iterator[MisbehavingRelay]:
    relay = MisbehavingRelay(misbehaviour)
    try:
        yield relay
    finally:
        relay.close()
