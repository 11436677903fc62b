"""Shared fixtures. The sandbox fixtures start ONE real sandbox server for the whole test run:
tests talk to it over loopback HTTP like the client does against the real API."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from reporter.demo import NOW as DEMO_NOW
from reporter.sandbox import SandboxServer, SandboxWorkspace, create_app, generate_workspace
from reporter.sandbox import make_api_key as _make_api_key


def pytest_configure(config: pytest.Config) -> None:
    """On CI's run on another day (``make test-another-day``), check that the clock really
    moved: a run that silently kept the real date would prove nothing."""
    moment = os.environ.get("REPORTER_TEST_NOW")
    if moment:
        target = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        now = dt.datetime.now(dt.UTC)
        if not target <= now < target + dt.timedelta(hours=2):
            raise pytest.UsageError(f"REPORTER_TEST_NOW={moment} but the clock reads {now}: "
                                    "put tests/clock on PYTHONPATH")


SANDBOX_SEED = 7
SANDBOX_REPS = 30
SANDBOX_TODAY = dt.date(2026, 11, 15)
SANDBOX_KEY = _make_api_key(SANDBOX_SEED)


@pytest.fixture(scope="session")
def sandbox_workspace() -> SandboxWorkspace:
    """The workspace behind ``sandbox`` (seed 7, 30 reps, today 2026-11-15): read it to know
    what the server will answer, never mutate it."""
    return generate_workspace(seed=SANDBOX_SEED, reps=SANDBOX_REPS, today=SANDBOX_TODAY)


@pytest.fixture(scope="session")
def sandbox(sandbox_workspace: SandboxWorkspace) -> Iterator[SandboxServer]:
    """One sandbox server for the session, without rate limits, accepting only SANDBOX_KEY.
    ``sandbox.base_url`` is its /rest/v1 URL, ``sandbox.state`` its counters and faults: a test
    that schedules faults or changes limits must undo that (``sandbox.state.reset()`` and
    setting the limits back to None)."""
    app = create_app(sandbox_workspace, api_key=SANDBOX_KEY, rate_limit=None, daily_limit=None)
    with SandboxServer(app) as server:
        yield server


@pytest.fixture
def cli_env(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> SandboxServer:
    """The command line pointed at the session sandbox from a fresh working folder: its key
    and URL, a cache of the test's own, and pacing far above the sandbox's (none)."""
    monkeypatch.setenv("EXEC_API_KEY", SANDBOX_KEY)
    monkeypatch.setenv("EXEC_API_URL", sandbox.base_url)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    # The session sandbox has no limit; pacing at the published 60/min would only add minutes.
    monkeypatch.setenv("REPORTER_RATE_LIMIT", "6000")
    monkeypatch.chdir(tmp_path)
    sandbox.state.reset()
    return sandbox


@pytest.fixture(scope="session")
def scenario(sandbox_workspace: SandboxWorkspace) -> Any:
    """The sandbox's first active scenario (its primary: the most data)."""
    return next(s for s in sandbox_workspace.scenarios if not s.archived)


def self_signed(folder: Path, *, days: int = 1, made_at: str | None = None) -> tuple[Any, Path]:
    """A server TLS context with a self-signed certificate for 127.0.0.1, and the
    certificate's path (for a client's trust); ``made_at``: made on that clock (libfaketime),
    so that it is valid around a moment other than today."""
    import shutil
    import ssl
    import subprocess

    cert, key = folder / "cert.pem", folder / "key.pem"
    clock: list[str] = []
    if made_at is not None:
        faketime = shutil.which("faketime")
        assert faketime, "libfaketime's faketime is missing: make setup-test installs it"
        clock = [faketime, made_at]
    subprocess.run(
        [*clock, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days),
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` set for a module-scoped fixture (which cannot use
    monkeypatch), put back as it was afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def sandbox_http(server: SandboxServer, key: str | None = SANDBOX_KEY,
                 timeout: float = 10.0) -> httpx.Client:
    """A plain httpx client for ``server`` with the Bearer key (none if ``key`` is None)."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=timeout)


@pytest.fixture
def sandbox_client(sandbox: SandboxServer) -> Iterator[httpx.Client]:
    """A plain httpx client for the session sandbox, closed after the test."""
    with sandbox_http(sandbox) as client:
        yield client


# -- a real SMTP server on loopback ----------------------------------------------------------

REJECTED = "bob@acme.test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = b""  # the DATA as the server received it, before any parsing


@dataclass
class Recorder:
    """aiosmtpd handler: refuses REJECTED with 550, stores every accepted envelope."""

    received: list[Received] = field(default_factory=list)
    reject: set[str] = field(default_factory=lambda: {REJECTED})
    reject_data: set[str] = field(default_factory=set)  # refused at DATA (e.g. content filter)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if set(envelope.rcpt_tos) & self.reject_data:
            return "554 5.7.1 Message content rejected"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                      bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def plain_server() -> Iterator[tuple[Controller, Recorder]]:
    """aiosmtpd on a free loopback port, plain SMTP (no TLS, no login); clear
    ``recorder.received`` before use."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


# -- seeded workspaces, fetched through the real client ---------------------------------------

#: The workspaces the manager's lists are checked on: the demo's (seed 7, 30 reps, at the
#: demo's moment, 06:00 on Dec 1, 2026: November) and a 40-rep one (seed 42, today Nov 15,
#: 2026: October).
SEEDED: dict[str, tuple[int, int, dt.date | dt.datetime, str]] = {
          "demo": (7, 30, DEMO_NOW, "2026-11"),
          "seed42": (42, 40, dt.date(2026, 11, 15), "2026-10")}


def fetch_seeded(folder: Any, seed: int, reps: int, today: dt.date | dt.datetime,
                 month: str) -> Any:
    """A snapshot of a sandbox workspace fetched over loopback by ``pipeline.fetch``, as
    ``reporter run`` would fetch it (every participant, the month compared with the last)."""
    from reporter import pipeline
    from reporter.cohort.selection import Selection, parse_period
    from reporter.exec_api import ApiKey
    from reporter.settings import ApiSettings, FetchSettings

    folder = Path(folder)
    workspace = generate_workspace(seed=seed, reps=reps, today=today)
    key = _make_api_key(seed)
    scenario = next(s.slug for s in workspace.scenarios if not s.archived)
    app = create_app(workspace, api_key=key, rate_limit=None, daily_limit=None)
    path = folder / f"snapshot-{seed}.json"
    with SandboxServer(app) as server:
        api = ApiSettings(key=ApiKey(key), base_url=server.base_url, rate_limit=100_000,
                          cache_dir=folder / "cache", usage_dir=folder / "cache",
                          now=workspace.now)
        pipeline.fetch(FetchSettings(api=api, scenario=scenario, selection=Selection("all"),
                                     period=parse_period(month)), path)
    return path


@pytest.fixture(scope="session")
def seeded_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """name -> the ReportView of each SEEDED workspace, generated on the 1st after its month."""
    from reporter import analytics
    from reporter.cohort.snapshot import read_snapshot

    folder = tmp_path_factory.mktemp("seeded")
    out = {}
    for name, (seed, reps, today, month) in SEEDED.items():
        snapshot = read_snapshot(fetch_seeded(folder, seed, reps, today, month))
        out[name] = analytics.build_report(
            snapshot, generated_at=dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC))
    return out


# -- the demo, run once ----------------------------------------------------------------------

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / "reporter.toml"


@dataclass(frozen=True)
class DemoRun:
    """What ``reporter demo --config examples/reporter.toml --jobs 2`` left: its scenario's run
    folder (``folder``), its program's (``program``: the main collection), everything under
    ``--out`` (``out``) and what it printed (``stdout``, and on ``stderr`` its summary lines).
    """

    folder: Path
    out: Path
    stdout: str
    program: Path
    stderr: str


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """ONE ``reporter demo`` for the whole run (the README's command, with the example
    config's teams): every test that reads the demo's PDFs, workbooks, CSV and outbox reads
    this folder, and none may change it. Run as a manager runs it: no API key in the
    environment, from a folder of its own.

    Under pytest-xdist each worker has a session of its own: the first worker to get here
    runs the demo in the run's shared temporary folder, under a lock; the others wait for it
    and read what it left."""
    workers = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    root = tmp_path_factory.getbasetemp().parent if workers else tmp_path_factory.mktemp("demo")
    with (root / "demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = root / "demo-run.json"
        if not record.exists():
            record.write_text(json.dumps(_run_demo(root / "demo-run")))
        done = json.loads(record.read_text())
    return DemoRun(Path(done["folder"]), Path(done["out"]), done["stdout"],
                   Path(done["program"]), done["stderr"])


def _run_demo(out: Path) -> dict[str, str]:
    from click.testing import CliRunner

    from reporter.cli import cli

    out.mkdir()
    saved_key, saved_cwd = os.environ.pop("EXEC_API_KEY", None), os.getcwd()
    os.chdir(out)
    try:
        result = CliRunner().invoke(cli, ["demo", "--out", str(out / "demo"), "--jobs", "2",
                                          "--config", str(EXAMPLE_CONFIG)])
    finally:
        os.chdir(saved_cwd)
        if saved_key is not None:
            os.environ["EXEC_API_KEY"] = saved_key
    assert result.exit_code == 0, result.output
    folders = {json.loads(m.read_text())["run"].get("kind", "scenario"): m.parent
               for m in (out / "demo").rglob("manifest.json")}
    assert sorted(folders) == ["program", "scenario"], folders
    return {"folder": str(folders["scenario"]), "out": str(out / "demo"),
            "stdout": result.stdout, "program": str(folders["program"]),
            "stderr": result.stderr}
