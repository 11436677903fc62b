"""What the tests share: constants, helpers and small fakes, in one module.

Fixtures live in ``tests/conftest.py`` (pytest finds them there) and build on what is here; a
test file imports its helpers from here, never from ``conftest`` or from another test file.
Larger helpers with one job each are modules of their own beside this one: the snapshot and
program factories (``snapshot_factory``, ``program_factory``), the sample report views
(``sample_views``), written runs (``program_run``), the SMTP servers (``smtp_support``), the
API contract (``openapi_schema``), the bending proxy (``bending``) and the verdict rules
(``verdict_rules``)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import itertools
import json
import math
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner, Result
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from reporter import analytics as an
from reporter.analytics.program import of_scenario
from reporter.analytics.team import build_team
from reporter.cli import cli
from reporter.cohort.cache import DetailCache
from reporter.cohort.fetch import fetch_record, fetch_reps, make_plan
from reporter.cohort.plan import Plan
from reporter.cohort.program import ProgramSelection, discover
from reporter.cohort.selection import Selection, parse_period
from reporter.cohort.snapshot import Snapshot, parse_snapshot
from reporter.demo import NOW as DEMO_NOW
from reporter.exec_api import ApiKey, ExecClient, UsageCounter
from reporter.exec_api.ratelimit import SlidingWindowLimiter
from reporter.sandbox import SandboxServer, create_app, generate_workspace
from reporter.sandbox import make_api_key as _make_api_key
from reporter.views import Manager, ProgramReportView, ReportView, RepView, TeamView
from tests import snapshot_factory as f

ROOT = Path(__file__).resolve().parent.parent


# -- the sandbox and the command line ------------------------------------------------------

#: The session sandbox (conftest's ``sandbox``): seed 7, 30 reps, today 2026-11-15; only
#: SANDBOX_KEY is accepted.
SANDBOX_SEED = 7
SANDBOX_REPS = 30
SANDBOX_TODAY = dt.date(2026, 11, 15)
SANDBOX_KEY = _make_api_key(SANDBOX_SEED)
#: Noon on SANDBOX_TODAY, and the month the fetch tests gather (October 2026).
SANDBOX_NOW = dt.datetime.combine(SANDBOX_TODAY, dt.time(12), tzinfo=dt.UTC)
SANDBOX_PERIOD = parse_period("2026-10", now=SANDBOX_NOW)


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


def invoke(*args: object) -> Result:
    """``reporter ARGS...`` in this process (click's runner), every argument as a string."""
    return CliRunner().invoke(cli, [str(a) for a in args])


# -- fetching through the real client ------------------------------------------------------

#: The API's page size: a list of n items costs pages(n) requests.
PAGE_SIZE = 100


def pages(n: int) -> int:
    """The requests a list of ``n`` items costs (an empty list still costs one)."""
    return max(1, math.ceil(n / PAGE_SIZE))


@dataclass
class Gathered:
    """What ``Env.gather`` found: the plan, the snapshot and the discovery's report lines."""

    plan: Plan
    snapshot: Snapshot | None  # None on a dry run
    reports: list[str]
    # (user id, detail requests made so far) as each rep was handed over
    handed_over: list[tuple[str, int]] = field(default_factory=list)


class Env:
    """A sandbox and what the fetch tests do with it: a client on it, and ``gather`` (discover,
    plan and fetch as ``reporter fetch`` does), recording each request."""

    def __init__(self, ws, server, key: str) -> None:
        self.ws, self.server, self.key = ws, server, key
        self.state = server.state
        self.scenario = next(s for s in ws.scenarios if not s.archived)

    @classmethod
    def start(cls, reps: int, **limits) -> Env:
        """A sandbox of its own, for a test that needs another size or limits."""
        ws = generate_workspace(seed=7, reps=reps, today=SANDBOX_TODAY)
        key = _make_api_key(7)
        return cls(ws, SandboxServer(create_app(ws, api_key=key, **limits)).start(), key)

    def client(self, tmp_path, rate_limit: int = 6000,
               limiter: SlidingWindowLimiter | None = None) -> ExecClient:
        return ExecClient(ApiKey(self.key), self.server.base_url, rate_limit=rate_limit,
                          usage=UsageCounter(tmp_path / "usage.json"), limiter=limiter)

    def gather(self, tmp_path, selection=None, *, dry_run=False, max_requests=None,
               rate_limit=6000, cache=True, limiter=None):
        """Discover, plan and (unless a dry run) fetch, as ``reporter fetch`` does."""
        async def go():
            async with self.client(tmp_path, rate_limit, limiter) as client:
                disc = await discover(client, ProgramSelection("scenario", (self.scenario.slug,)),
                                      selection or Selection("all"), SANDBOX_PERIOD)
                store = DetailCache(tmp_path / "cache" if cache else None, disc.workspace_id,
                                    client.base_url)
                plan = make_plan(disc, client, store, max_requests)
                if dry_run:
                    return Gathered(plan, None, disc.reports), client
                plan.check_budget()
                reps, handed = [], []
                async for rep in fetch_reps(client, store, disc):
                    reps.append(rep)
                    handed.append((rep.user.id, client.requests_by_endpoint["GET /sessions/{id}"]))
                snapshot = disc.header.model_copy(
                    update={"reps": reps, "fetch": fetch_record(client, store)})
                return Gathered(plan, snapshot, disc.reports, handed), client

        return asyncio.run(go())


# -- seeded workspaces, fetched through the real client ------------------------------------

#: The workspaces the manager's lists are checked on: the demo's (seed 7, 30 reps, at the
#: demo's moment, 06:00 on Dec 1, 2026: November) and a 40-rep one (seed 42, today Nov 15,
#: 2026: October).
SEEDED: dict[str, tuple[int, int, dt.date | dt.datetime, str]] = {
          "demo": (7, 30, DEMO_NOW, "2026-11"),
          "seed42": (42, 40, dt.date(2026, 11, 15), "2026-10")}


def fetch_seeded(folder: Any, seed: int, reps: int, today: dt.date | dt.datetime,
                 month: str, *, program: bool = False) -> Any:
    """A snapshot of a sandbox workspace fetched over loopback by ``pipeline.fetch``, as
    ``reporter run`` would fetch it (every participant, the month compared with the last):
    its first active scenario's, or (``program``) its main collection's as the demo runs it."""
    from reporter import pipeline
    from reporter.cohort.program import ProgramSelection
    from reporter.demo import main_collection
    from reporter.settings import ApiSettings, FetchSettings

    folder = Path(folder)
    workspace = generate_workspace(seed=seed, reps=reps, today=today)
    key = _make_api_key(seed)
    scenario = next(s.slug for s in workspace.scenarios if not s.archived)
    collection = main_collection(workspace) if program else None
    app = create_app(workspace, api_key=key, rate_limit=None, daily_limit=None)
    path = folder / f"snapshot-{seed}{'-program' if program else ''}.json"
    with SandboxServer(app) as server:
        api = ApiSettings(key=ApiKey(key), base_url=server.base_url, rate_limit=100_000,
                          cache_dir=folder / "cache", usage_dir=folder / "cache",
                          now=workspace.now)
        pipeline.fetch(FetchSettings(
            api=api, scenario="" if collection else scenario, selection=Selection("all"),
            period=parse_period(month),
            program=ProgramSelection("collection", (collection,)) if collection else None),
            path)
    return path


# -- TLS and a recording SMTP server -------------------------------------------------------


def self_signed(folder: Path, *, days: int = 1, made_at: str | None = None) -> tuple[Any, Path]:
    """A server TLS context with a self-signed certificate for 127.0.0.1, and the
    certificate's path (for a client's trust); ``made_at``: made on that clock (libfaketime),
    so that it is valid around a moment other than today."""
    import ssl

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


REJECTED = "bob@acme.test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = b""  # the DATA as the server received it, before any parsing


@contextmanager
def tls_login_server(context: Any, login: bytes, password: str,
                     recorder: Recorder) -> Iterator[int]:
    """A real SMTP server on loopback (its port) that requires STARTTLS and AUTH, accepting
    ``login`` with ``password``; a refused login is answered 535 by aiosmtpd itself."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == login
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False)

    controller = Controller(recorder, hostname="127.0.0.1", port=free_port(),
                            tls_context=context, require_starttls=True, auth_required=True,
                            authenticator=authenticator)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


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
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the demo ------------------------------------------------------------------------------

EXAMPLE_CONFIG = ROOT / "examples" / "reporter.toml"


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
    # The demo's runs of its scenarios in other languages, by language: "es", "de".
    spoken: dict[str, Path] = field(default_factory=dict)


def run_demo(out: Path) -> dict[str, str]:
    """``reporter demo`` into ``out`` as a manager runs it (no API key, from ``out``), and
    where it wrote: conftest's ``demo_run`` calls it once for the whole test run."""
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
    folders: dict[str, Path] = {}
    for manifest in sorted((out / "demo").rglob("manifest.json")):
        run = json.loads(manifest.read_text())["run"]
        # The English scenario's run, the program's, and each run in another language by
        # its scenario's language ("es", "de").
        spoken = (run.get("languages") or {}).get("scenario")
        kind = run.get("kind", "scenario")
        folders[spoken if kind == "scenario" and spoken not in (None, "en") else kind] = \
            manifest.parent
    assert sorted(folders) == ["de", "es", "program", "scenario"], folders
    return {"folder": str(folders["scenario"]), "out": str(out / "demo"),
            "stdout": result.stdout, "program": str(folders["program"]),
            "stderr": result.stderr,
            "spoken": {tag: str(folders[tag]) for tag in ("es", "de")}}


# -- the workbook beside the CSV files -----------------------------------------------------

#: Each sheet of a run's workbook that mirrors a CSV file, with the columns (sheet's, CSV's)
#: a row is read by: the same rows in the same order, whoever reads which file.
MIRRORED: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "Feedback": ("feedback.csv",
                 ("Email", "Session ID", "Criterion", "Item", "Grade", "Salience", "Quote",
                  "Feedback", "Suggested phrasing"),
                 ("email", "session_id", "criterion", "item", "grade", "salience", "quote",
                  "feedback", "suggested_phrasing")),
    "Sessions": ("sessions.csv", ("Email", "Session ID", "Score", "Valid attempt"),
                 ("email", "session_id", "score", "is_valid")),
    "Reps": ("reps.csv", ("Email", "Sessions", "Valid attempts", "Best score"),
             ("email", "sessions", "valid_attempts", "best_score")),
    "Skills": ("skills.csv", ("Email", "Skill", "Observations"),
               ("email", "skill_name", "observations")),
}


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV file of a run as an HR import reads it: a dict per row, by the header."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _as_csv(value: object) -> str:
    """A workbook cell as its CSV field reads (text neutralised the same way)."""
    from reporter.render.csv_export import field

    if isinstance(value, float) and value == int(value):
        value = int(value)  # Excel stores 80.0 as 80: compare the number, not its spelling
    return field(value)


def _number(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    return str(int(number)) if number == int(number) else str(round(number, 2))


def mirrored_rows(folder: Path) -> dict[str, tuple[list[tuple[str, ...]], list[tuple[str, ...]]]]:
    """sheet -> (its rows, the rows of the CSV it mirrors), each row the MIRRORED columns as
    CSV fields, for every mirrored sheet the run folder's cohort.xlsx has."""
    import openpyxl

    from reporter.render.cells import clean_text

    book = openpyxl.load_workbook(folder / "cohort.xlsx", read_only=True)
    out = {}
    for title, (name, heads, fields) in MIRRORED.items():
        if title not in book.sheetnames:
            continue
        rows = list(book[title].iter_rows(values_only=True))
        at = [list(rows[0]).index(h) for h in heads]
        width = len(rows[0])  # a read-only row stops at its last value: pad it
        sheet = [tuple(_number(_as_csv((*r, *(None,) * (width - len(r)))[i])) for i in at)
                 for r in rows[1:]]
        # A cell drops what Excel cannot hold (control characters; past 32,767 characters),
        # as About says: the CSV keeps the text whole.
        from_csv = [tuple(_number(clean_text(r[f])) for f in fields)
                    for r in read_csv(folder / name)]
        out[title] = (sheet, from_csv)
    return out


# -- reading PDFs --------------------------------------------------------------------------


def pdftotext(pdf: Path, *args: str) -> str:
    """The text of ``pdf`` as poppler's pdftotext reads it (``args``: its options)."""
    assert shutil.which("pdftotext"), "poppler-utils is a test dependency (make test installs it)"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


_WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                       r'yMax="([\d.]+)">(.*?)</word>')


def overlapping_words(pdf: Path | bytes) -> list[str]:
    """Words drawn over their neighbour on one line (poppler's word boxes): a heading too
    long for its column, a label clipped into the next. Empty when every word has its room."""
    if isinstance(pdf, bytes):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            return overlapping_words(Path(f.name))
    found = []
    for number, page in enumerate(pdftotext(pdf, "-bbox").split("<page ")[1:], 1):
        lines: dict[tuple[float, float], list[tuple[float, float, str]]] = {}
        for x0, y0, x1, y1, word in _WORD_BOX.findall(page):
            lines.setdefault((round(float(y0), 1), round(float(y1), 1)), []).append(
                (float(x0), float(x1), word))
        for words in lines.values():
            words.sort()
            found += [f"page {number}: {a[2]!r} over {b[2]!r}"
                      for a, b in itertools.pairwise(words) if b[0] < a[1] - 0.5]
    return found


#: docs/accessibility.md: the known gaps of the PDFs and what the checker cannot run.
ACCESSIBILITY_PAGE = ROOT / "docs" / "accessibility.md"
GAPS = re.compile(r"<!-- a11y-gaps:start -->(.*?)<!-- a11y-gaps:end -->", re.S)
CHECKER = re.compile(r"<!-- a11y-checker:start -->(.*?)<!-- a11y-checker:end -->", re.S)
RULE = re.compile(r"\bUA-\d\d-\d\d\d\b")
UPSTREAM = re.compile(r"\b[\w.-]+/[\w.-]+#\d+\b")


#: A heading's structure tag (/H1 ... /H6) in a PDF's structure tree.
STRUCT_HEADING = re.compile(r"/H([1-6])$")


def known_gaps() -> dict[str, str]:
    """{rule id: docs/accessibility.md's line for it}: each line of the known-gaps list that names a
    pdfua rule must also name the upstream issue (``owner/repo#n``) behind it."""
    [block] = GAPS.findall(ACCESSIBILITY_PAGE.read_text(encoding="utf-8"))
    gaps: dict[str, str] = {}
    for line in (ln for ln in block.split("\n- ") if RULE.search(ln)):
        assert UPSTREAM.search(line), f"a known gap without its upstream issue: {line!r}"
        gaps.update(dict.fromkeys(RULE.findall(line), line))
    return gaps


def checker_cannot_run() -> set[str]:
    """The pdfua rules docs/accessibility.md says stop without a verdict on these files, and why."""
    [block] = CHECKER.findall(ACCESSIBILITY_PAGE.read_text(encoding="utf-8"))
    return set(RULE.findall(block))


def unexplained(pdf: Path) -> list[str]:
    """Errors and warnings docs/accessibility.md does not list as a known gap, and rules that
    did not run that it does not list as the checker's."""
    from pdfua import Severity, validate

    report = validate(str(pdf))
    gaps, stopped = known_gaps(), checker_cannot_run()
    out = [f"{pdf.name}: {f.rule_id} {f.severity.name}: {f.message} ({f.location.describe()})"
           for f in report.findings if f.severity >= Severity.WARNING and f.rule_id not in gaps]
    out += [f"{pdf.name}: {o.rule_id} did not run: {o.skipped_reason}"
            for o in report.outcomes if o.skipped_reason and o.rule_id not in stopped]
    return out


def structure_elements(reader: PdfReader) -> list[DictionaryObject]:
    """Every structure element of ``reader``, in the order of the tree (the reading order)."""
    out: list[DictionaryObject] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject) and "/S" in node:
            out.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return out


# -- a small team, built through the analytics ---------------------------------------------

GENERATED = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def person(name: str) -> dict[str, Any]:
    return f.user(name, "Rep", f"{name.lower()}@acme.example", id=f"u-{name.lower()}")


def graded(who: dict[str, Any], day: int, score: float, budget: str, *,
           valid: bool = True, quote: str = "What is your budget?",
           suggestion: str | None = None) -> dict[str, Any]:
    example = f.example(quote, feedback="Ask about impact first.", suggestion=suggestion,
                        grade=budget)
    return f.session(score, f.at(day), who=who, valid=valid, evaluations=[
        f.criterion("Qualification", f.item("Budget", budget, "Budget feedback.", [example]),
                    f.item("Timeline", "good", "Clear."))])


def assignment(who: dict[str, Any], status: str) -> dict[str, Any]:
    return {"id": f"a-{who['id']}", "user": who, "scenario": {"id": "sc1", "name": "x"},
            "status": status, "due_date": f.at(15), "rank_min": "silver"}


def team_report_view(previous_best: dict[str, float] | None = None) -> ReportView:
    """Four reps in three groups (Ana, Ben and Dee in North, Ben in EMEA too, Cy in South),
    October 2026; ``previous_best``: {first name: best score} in September."""
    ana, ben, cy, dee = (person(n) for n in ("Ana", "Ben", "Cy", "Dee"))
    reps = [
        f.rep(ana, [graded(ana, 2, 70.0, "bad", quote="Skip the budget.",
                           suggestion="What would fixing this be worth to you?"),
                    graded(ana, 20, 92.0, "good")],
              groups=["North"], assignment=assignment(ana, "completed")),
        f.rep(ben, [graded(ben, 5, 81.0, "mid"), graded(ben, 9, 60.0, "bad"),
                    graded(ben, 11, 50.0, "bad", valid=False, quote="INVALID QUOTE",
                           suggestion="A phrasing from an invalid session")],
              groups=["North", "EMEA"], assignment=assignment(ben, "in_progress")),
        f.rep(cy, [graded(cy, 25, 77.0, "good")], groups=["South"],
              assignment=assignment(cy, "past_due")),
        f.rep(dee, [f.session(None, f.at(3), who=dee, valid=False)], groups=["North"]),
    ]
    data = f.snapshot(reps)
    data["groups"] = [{"id": "g-north", "name": "North"}, {"id": "g-south", "name": "South"},
                      {"id": "g-emea", "name": "EMEA"}, {"id": "g-west", "name": "West"}]
    if previous_best is not None:
        f.with_previous(data, reps, previous_best)
    return an.build_report(parse_snapshot(data), generated_at=GENERATED)


def scenario_rep_html(renderer: Any, report: ReportView, rep: RepView) -> str:
    """A single-scenario run's report of ``rep`` as HTML: drawn, as a run draws it, from the
    program of the report's one scenario (``rep`` may be a changed copy of one of its reps)."""
    from reporter.analytics.program import of_scenario, scenario_rep
    from reporter.render.rep_pdf import rep_html

    return rep_html(renderer, of_scenario(report), scenario_rep(report.scenario, rep))


def scenario_rep_pdf(renderer: Any, report: ReportView, rep: RepView) -> tuple[bytes, int]:
    """(PDF bytes, pages) of a single-scenario run's report of ``rep``, as a run draws it."""
    from reporter.analytics.program import of_scenario, scenario_rep
    from reporter.render.rep_pdf import render_rep

    return render_rep(renderer, of_scenario(report), scenario_rep(report.scenario, rep))


def scenario_run_team(report: ReportView, reps: Sequence[RepView] | None = None, *,
                      name: str | None = None, slug: str = "team",
                      manager: Manager | None = None) -> tuple[ProgramReportView, TeamView]:
    """A single-scenario run's report (the program of its one scenario, as the run makes it)
    and the team of ``reps`` in it (None: every rep of ``report``), as the run builds its
    team report (``build_team``)."""
    run = of_scenario(report if reps is None else replace(report, reps=tuple(reps)))
    return run, build_team(run, name=name, slug=slug, manager=manager)
