"""The library under the command line, called from Python with typed settings (no click)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from reporter import pipeline
from reporter.cohort.plan import PlanRefused
from reporter.cohort.selection import Selection, parse_period
from reporter.cohort.snapshot import Snapshot, read_snapshot
from reporter.deliver.manifest import ManifestError
from reporter.exec_api import ApiKey
from reporter.files import FolderBusy
from reporter.rundir import NothingToReport
from reporter.settings import ApiSettings, FetchSettings, RenderSettings, RunSettings
from tests import program_factory as pf
from tests import snapshot_factory as f
from tests.bending import bending_proxy
from tests.support import SANDBOX_KEY, SANDBOX_TODAY
from tests.worker_faults import fault_env

MONTH = parse_period("2026-10", now=dt.datetime.combine(SANDBOX_TODAY, dt.time(12), dt.UTC))


@pytest.fixture
def fetching(sandbox, sandbox_workspace, tmp_path) -> FetchSettings:
    sandbox.state.reset()
    scenario = next(s for s in sandbox_workspace.scenarios if not s.archived)
    someone = sorted(u.email for u in sandbox_workspace.users
                     if u.is_member and not u.is_system)[:4]
    # Retries back off 10 ms at first, not 0.5 s: how many are made is tested, not the wait.
    api = ApiSettings(key=ApiKey(SANDBOX_KEY), base_url=sandbox.base_url, rate_limit=6000,
                      cache_dir=tmp_path / "cache", usage_dir=tmp_path / "cache",
                      retry_delay=0.01)
    return FetchSettings(api=api, scenario=scenario.slug,
                         selection=Selection("emails", tuple(e.lower() for e in someone)),
                         period=MONTH)


def test_plan_then_run_then_render_from_python(fetching, tmp_path, sandbox):
    plan = pipeline.plan(fetching)
    assert sandbox.state.by_path.get("/sessions/{id}", 0) == 0
    out = tmp_path / "out"
    outcome = pipeline.run(RunSettings(fetching, RenderSettings(out=out, jobs=1, csv=True)))
    assert outcome.run_dir == out / fetching.scenario / "2026-10"
    assert outcome.requests_made == plan.total_requests
    assert sandbox.state.by_path.get("/sessions/{id}", 0) == len(plan.details_to_fetch)
    assert outcome.reports == len(list((outcome.run_dir / "reps").glob("*.pdf")))
    snapshot = read_snapshot(outcome.run_dir / "snapshot.json")
    assert {r.user.email.lower() for r in snapshot.reps} <= set(fetching.selection.emails)

    again = pipeline.render(outcome.run_dir / "snapshot.json",
                            RenderSettings(out=tmp_path / "again", jobs=1, xlsx=False))
    assert again.reports == outcome.reports and again.pages == outcome.pages


def test_a_refused_plan_raises_with_its_exit_code(fetching, tmp_path):
    limited = FetchSettings(fetching.api, fetching.scenario, fetching.selection,
                            fetching.period, max_requests=3)
    with pytest.raises(PlanRefused) as info:
        pipeline.run(RunSettings(limited, RenderSettings(out=tmp_path / "out")))
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists()  # refused before anything is written


def _complete_run(fetching: FetchSettings, out: Path) -> pipeline.RunOutcome:
    return pipeline.run(RunSettings(fetching, RenderSettings(out=out, jobs=1, xlsx=False)))


def _quick_run(fetching: FetchSettings, out: Path) -> pipeline.RunOutcome:
    """A run without PDFs or workbook, for tests of the folder, the manifest and the lock."""
    return pipeline.run(RunSettings(fetching, RenderSettings(out=out, pdf=False, xlsx=False)))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_full_disk_stops_the_run_and_keeps_the_previous_one(fetching, tmp_path, monkeypatch):
    """Issue 10, 1: a transient ENOSPC while PDFs are written must not commit a partial run.
    The PDFs are written by the render worker, so the disk fills up there
    (``tests/worker_faults``: its third PDF write fails)."""
    first = _quick_run(fetching, tmp_path / "out")
    before = _files(first.run_dir)
    for name, value in fault_env(disk_full_after="2").items():
        monkeypatch.setenv(name, value)
    with pytest.raises(pipeline.WriteFailed) as info:
        _complete_run(fetching, tmp_path / "out")
    assert "No space left on device" in str(info.value) and info.value.exit_code == 1
    assert _files(first.run_dir) == before
    assert sorted(p.name for p in first.run_dir.parent.iterdir()) == [first.run_dir.name]


def test_a_damaged_manifest_stops_a_rerun_before_any_detail(fetching, tmp_path, sandbox):
    """Issue 10, 2: the manifest records who was emailed; a rerun must not silently forget."""
    first = _quick_run(fetching, tmp_path / "out")
    manifest = first.run_dir / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:40])
    sandbox.state.reset()
    with pytest.raises(ManifestError) as info:
        _quick_run(fetching, tmp_path / "out")
    assert str(manifest) in str(info.value) and "already emailed" in str(info.value)
    assert sandbox.state.by_path.get("/sessions/{id}", 0) == 0
    assert manifest.read_bytes()  # left for the user to restore


def test_a_second_command_on_the_same_folder_stops_at_once(fetching, tmp_path):
    """Issue 10, 3: another process holds the folder; render stops, naming it, writing nothing."""
    first = _quick_run(fetching, tmp_path / "out")
    before = _files(first.run_dir)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from reporter.files import folder_lock\n"
         "with folder_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)",
         str(first.run_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(FolderBusy, match="another reporter command is using"):
            pipeline.render(first.run_dir / "snapshot.json",
                            RenderSettings(out=tmp_path / "out", jobs=1))
    finally:
        holder.kill()
        holder.wait()
    assert _files(first.run_dir) == before


def test_a_killed_runs_staging_folder_is_removed_by_the_next(fetching, tmp_path):
    """Issue 10, 4: SIGKILL leaves .<period>.xxxx behind; the next run, holding the lock,
    knows no live run owns it."""
    first = _quick_run(fetching, tmp_path / "out")
    stale = first.run_dir.parent / f".{first.run_dir.name}.k1ll3d"
    (stale / "reps").mkdir(parents=True)
    (stale / "reps" / "half.pdf").write_bytes(b"%PDF-1.7 half")
    _quick_run(fetching, tmp_path / "out")
    assert sorted(p.name for p in first.run_dir.parent.iterdir()) == [first.run_dir.name]


# -- a server that lies (issue 21), through the loopback proxy of tests/bending.py ----------


@pytest.fixture
def proxy(sandbox):
    with bending_proxy(sandbox) as bent:
        yield bent


def through(fetching: FetchSettings, proxy, **changes) -> FetchSettings:
    """``fetching`` against the proxy instead of the sandbox."""
    api = replace(fetching.api, base_url=proxy.base_url, **changes)
    return replace(fetching, api=api)


def _manifest(run_dir: Path) -> dict[str, dict]:
    return {r["email"]: r for r in json.loads((run_dir / "manifest.json").read_text())["reps"]}


def _probe(fetching: FetchSettings) -> Snapshot:
    """What the sandbox holds for the selection (fetched without the cache)."""
    snapshot_path = Path(fetching.api.usage_dir).parent / "probe.json"
    pipeline.fetch(replace(fetching, api=replace(fetching.api, cache_dir=None)), snapshot_path)
    return read_snapshot(snapshot_path)


def _reps_with_details(fetching: FetchSettings) -> list[str]:
    """The selected reps that have a valid session (a detail to fetch) in the month."""
    return [r.user.email.lower() for r in _probe(fetching).reps
            if any(s.is_valid_attempt for s in r.sessions)]


def test_a_detail_of_another_persons_session_is_that_reps_failure(fetching, proxy, tmp_path):
    """Issue 21, 2: the server answers one rep's session with another person's: that rep
    fails (named, in the manifest, exit 1); nobody's report quotes someone else's call."""
    victim, other = _reps_with_details(fetching)[:2]
    bent: dict[str, str] = {}

    def swap_user(path, query, body):
        if path.startswith("/sessions/") and body["user"]["email"].lower() == victim:
            bent[victim] = body["id"]
            body["user"] = {**body["user"], "id": "u-someone-else", "email": other}
        return body

    proxy.bend.body = swap_user
    outcome = _quick_run(through(fetching, proxy), tmp_path / "out")
    assert outcome.exit_code == 1
    reasons = dict(outcome.failed)
    assert list(reasons) == [victim]
    assert "field 'user.id' is 'u-someone-else', not the" in reasons[victim]
    entries = _manifest(outcome.run_dir)
    assert entries[victim]["status"] == "failed" and entries[victim]["pdf"] is None
    assert entries[other]["status"] in ("ok", "empty")
    snapshot = read_snapshot(outcome.run_dir / "snapshot.json")
    assert victim not in {r.user.email.lower() for r in snapshot.reps}
    assert all(s.id != bent[victim] for r in snapshot.reps for s in r.sessions)
    assert [f.user.email.lower() for f in snapshot.failed] == [victim]


def test_a_detail_that_keeps_failing_fails_only_its_rep(fetching, proxy, tmp_path):
    """Issue 21, 11: one session answers 404 and another 503 every time: their reps fail,
    listed and in the manifest; every other rep still gets a report."""
    from starlette.responses import JSONResponse

    lost, broken, *fine = _reps_with_details(fetching)
    owners: dict[str, str] = {}

    def record(path, query, body):
        if path.startswith("/sessions/") or path == "/sessions":
            for s in body.get("data", [body]):
                owners[s["id"]] = s["user"]["email"].lower()
        return body

    def fail(request):
        sid = request.path_params["path"].removeprefix("sessions/")
        who = owners.get(sid)
        if "/" not in sid and who == lost:
            return JSONResponse({"error": {"type": "not_found", "message": "gone"}}, 404)
        if "/" not in sid and who == broken:
            return JSONResponse({"error": {"type": "api_error", "message": "down"}}, 503)
        return None

    proxy.bend.body, proxy.bend.answer = record, fail
    outcome = _quick_run(through(fetching, proxy, cache_dir=None), tmp_path / "out")
    assert outcome.exit_code == 1
    assert sorted(dict(outcome.failed)) == sorted([lost, broken])
    entries = _manifest(outcome.run_dir)
    assert entries[lost]["status"] == entries[broken]["status"] == "failed"
    assert "gone (HTTP 404)" in entries[lost]["reason"]
    assert all(entries[e]["status"] in ("ok", "empty") for e in fine) and fine


def test_a_server_failing_every_detail_costs_no_more_than_the_plan(fetching, proxy, tmp_path):
    """Issue 21, 11: every detail answers 500: each rep fails, and the retries share one
    give-up, so the run spends at most its plan's requests. With every rep failed the run
    has no rep left: it writes nothing (issue 29, 3), exit 1, one line saying why."""
    from starlette.responses import JSONResponse

    settings = through(fetching, proxy, cache_dir=None)
    the_plan = pipeline.plan(settings)
    assert the_plan.reps == len(_reps_with_details(fetching))  # every rep has a detail to fail
    proxy.bend.seen.clear()
    proxy.bend.answer = lambda request: (
        JSONResponse({"error": {"type": "api_error", "message": "down"}}, 500)
        if request.path_params["path"].startswith("sessions/") else None)
    with pytest.raises(NothingToReport) as info:
        _quick_run(settings, tmp_path / "out")
    assert info.value.exit_code == 1
    assert f"the sessions of all {the_plan.reps} reps could not be read" in str(info.value)
    assert _files(tmp_path / "out") == {}
    # The shared retry allowance (a tenth of the details, at least 2) is the most a failing
    # server can add to the plan: which first attempts run concurrently with the give-up
    # varies from run to run.
    allowance = max(2, len(the_plan.details_to_fetch) // 10)
    assert len(proxy.bend.seen) <= the_plan.total_requests + allowance
    assert len(proxy.bend.seen) < 2 * the_plan.total_requests


# A run whose swap is killed (SIGKILL, a real signal) at swap event KILL_AT: each rename of the
# run folder, the start of removing the set-aside copy, and each file that removal deletes.
KILL_AT_SWAP = """
import os, shutil, signal, sys
from pathlib import Path

final, at = Path(os.environ["KILL_FINAL"]), int(os.environ["KILL_AT"])
events = [0]

def event():
    if events[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    events[0] += 1

def patched(real, swap):
    def call(*args, **kwargs):
        if swap(*args):
            event()
        return real(*args, **kwargs)
    return call

removing = [False]
def rmtree(path, *args, **kwargs):
    hidden = Path(path).parent == final.parent and Path(path).name.startswith(f".{final.name}.")
    if hidden:
        event()
    removing[0] = hidden
    try:
        return real_rmtree(path, *args, **kwargs)
    finally:
        removing[0] = False

real_rmtree = shutil.rmtree
os.replace = patched(os.replace, lambda src, dst, *_: final in (Path(src), Path(dst)))
os.rename = patched(os.rename, lambda src, dst, *_: final in (Path(src), Path(dst)))
os.unlink = patched(os.unlink, lambda *_: removing[0])
shutil.rmtree = rmtree
from reporter.cli import cli
cli(sys.argv[1:])
"""


@pytest.mark.slow
def test_a_kill_at_any_step_of_the_swap_never_loses_the_send_record(
        fetching, tmp_path, sandbox, plain_server):
    """Issue 21, 3: kill -9 before each rename of the swap, before and while the previous run
    set aside is removed: the next run keeps or restores the record of emails sent, and a
    send after it mails nobody a second time."""
    import os
    import shutil
    import signal

    from reporter.deliver.addresses import EmailSettings
    from reporter.deliver.smtp import SmtpSettings
    from reporter.settings import EmailRunSettings

    controller, recorder = plain_server
    recorder.received.clear()
    smtp = SmtpSettings(host="127.0.0.1", port=controller.port, security="none", timeout=5)
    mail = EmailSettings(sender="coach@acme.example")
    sent_once = pipeline.run(RunSettings(fetching, RenderSettings(out=tmp_path / "sent",
                                                                   jobs=1, xlsx=False)))
    pipeline.email(EmailRunSettings(sent_once.run_dir, mail, smtp))
    mailed = {r["email"]: r["message_id"] for r in _manifest(sent_once.run_dir).values()
              if r["message_id"]}
    assert mailed and len(recorder.received) == len(mailed)
    env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": sandbox.base_url,
           "REPORTER_RATE_LIMIT": "6000", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    relative = sent_once.run_dir.relative_to(tmp_path / "sent")
    for at in (0, 1, 2, 3, 6):
        out = tmp_path / f"killed-{at}"
        shutil.copytree(tmp_path / "sent", out, symlinks=True)
        final = out / relative
        killed = subprocess.run(
            [sys.executable, "-c", KILL_AT_SWAP, "run", fetching.scenario,
             *fetching.selection.emails, "--month", "2026-10", "--out", str(out), "--no-pdf",
             "--no-xlsx", "--cache-dir", str(fetching.api.cache_dir)],
            env={**env, "KILL_FINAL": str(final), "KILL_AT": str(at)},
            capture_output=True, text=True, timeout=120)
        assert killed.returncode == -signal.SIGKILL, (at, killed.stderr)
        recorder.received.clear()
        again = pipeline.run(RunSettings(fetching, RenderSettings(out=out, pdf=False,
                                                                   xlsx=False)))
        kept = {e: r["message_id"] for e, r in _manifest(again.run_dir).items()
                if r["message_id"]}
        assert kept == mailed, at
        sent = pipeline.email(EmailRunSettings(again.run_dir, mail, smtp))
        assert (sent.sent, recorder.received) == (0, []), at
        assert sorted(p.name for p in final.parent.iterdir()) == [final.name], at


def test_a_symlinked_outbox_is_replaced_never_followed(fetching, tmp_path):
    """Issue 21, 4: outbox/ (and outbox/teams/) link to folders elsewhere holding .eml files:
    writing the outbox removes nothing there and writes nothing there."""
    from reporter.deliver.addresses import EmailSettings
    from reporter.settings import EmailRunSettings

    first = _complete_run(fetching, tmp_path / "out")
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "teams").mkdir(parents=True)
    for name in ("precious.eml", "teams/digest.eml", "notes.txt"):
        (elsewhere / name).write_text("not the tool's")
    before = _files(elsewhere)
    (first.run_dir / "outbox").symlink_to(elsewhere, target_is_directory=True)
    written = pipeline.email(EmailRunSettings(first.run_dir, EmailSettings(
        sender="coach@acme.example")))
    assert _files(elsewhere) == before
    outbox = first.run_dir / "outbox"
    assert outbox.is_dir() and not outbox.is_symlink()
    assert written.written and all(p.parent == outbox and p.is_file() for p in written.written)


def test_a_cache_filled_from_another_server_is_not_reused(fetching, proxy, tmp_path, sandbox):
    """Issue 21, 5: a staging server (the proxy, whose transcripts differ) fills the cache for
    the same workspace id; a run against the real server fetches every detail itself."""
    def staging(path, query, body):
        for line in body.get("transcript") or []:
            line["text"] = "STAGING " + line["text"]
        return body

    proxy.bend.body = staging
    _quick_run(through(fetching, proxy), tmp_path / "staging")
    sandbox.state.reset()
    real = _quick_run(fetching, tmp_path / "real")
    the_plan = pipeline.plan(fetching)
    assert real.cache_hits == 0 and sandbox.state.by_path.get("/sessions/{id}", 0) > 0
    assert "STAGING" not in (real.run_dir / "snapshot.json").read_text()
    assert the_plan.details_to_fetch == ()  # now cached, from the real server


def test_a_server_ignoring_filters_mixes_nothing_in_and_says_so_once(fetching, proxy, tmp_path,
                                                                     capsys):
    """Issue 21, 6: the session list ignores scenario, dates and people, and one session is
    dated 2099: only what was asked for is kept, the rest counted in one warning."""
    from reporter.console import Console

    ignored = ("scenario_ids", "start_date", "end_date", "user_emails")
    future: list[str] = []

    def ignore_filters(path, query):
        return {k: v for k, v in query.items() if path != "/sessions" or k not in ignored}

    def one_from_the_future(path, query, body):
        for s in body["data"] if path == "/sessions" and not future else ():
            if s["scenario"]["id"] == query["scenario_ids"] \
                    and s["user"]["email"].lower() in query["user_emails"].split(","):
                future.append(s["id"])
                s["created_at"] = "2099-01-01T00:00:00Z"
                break
        return body

    proxy.bend.query, proxy.bend.body = ignore_filters, one_from_the_future
    outcome = pipeline.run(RunSettings(through(fetching, proxy), RenderSettings(
        out=tmp_path / "out", pdf=False, xlsx=False)), Console())
    assert outcome.exit_code == 0
    snapshot = read_snapshot(outcome.run_dir / "snapshot.json")
    sessions = [s for r in snapshot.reps for s in r.sessions]
    assert sessions and {s.scenario.id for s in sessions} == {snapshot.scenarios[0].scenario.id}
    assert all(MONTH.start <= s.created_at <= MONTH.end for s in sessions)
    assert {r.user.email.lower() for r in snapshot.reps} <= set(fetching.selection.emails)
    assert future[0] not in {s.id for s in sessions}
    warnings = [line for line in capsys.readouterr().err.splitlines() if "not asked for" in line]
    assert len(warnings) == 1, warnings
    assert all(why in warnings[0] for why in ("of another scenario", "outside the period",
                                              "dated in the future", "of someone not asked"))


PYTHON_EXAMPLE = re.compile(r"^# Use it from Python\n.*?```python\n(.*?)```", re.S)


@pytest.mark.slow
def test_the_python_example_runs_as_a_script(sandbox, sandbox_workspace, tmp_path):
    """docs/python.md's example, written to a file and run as a script (no main guard), against
    the sandbox: every rep's report, printed once; each request once (before, each render
    process ran the script again: the plan three times, FolderBusy, 53 extra requests)."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "python.md").read_text(
        encoding="utf-8")
    [example] = PYTHON_EXAMPLE.findall(page)
    script = tmp_path / "monthly.py"
    script.write_text(example)
    sandbox.state.reset()
    env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": sandbox.base_url,
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("FolderBusy") == 0
    run_dir, reports, exit_code = done.stdout.splitlines()[-1].split()
    assert Path(run_dir) == Path("output", "discovery-call-it-director", "2026-10")
    assert int(reports) == len(list((tmp_path / run_dir / "reps").glob("*.pdf"))) >= 20
    assert exit_code == "0"
    assert sum(1 for line in done.stdout.splitlines() if "daily budget" in line) == 1
    # The plan's discovery and the run's, once each; each detail once.
    assert sandbox.state.by_path["/workspace"] == 2
    scenario = sandbox_workspace.scenarios_by_key["discovery-call-it-director"]
    valid = [s for s in sandbox_workspace.sessions
             if s.scenario_id == scenario.id and s.is_valid_attempt
             and s.created_at.strftime("%Y-%m") == "2026-10"
             and sandbox_workspace.users_by_id[s.user_id].archetype != "system"]
    assert sandbox.state.by_path["/sessions/{id}"] == len(valid)


@pytest.mark.parametrize(("behind", "future"), [(dt.timedelta(minutes=3), False),
                                                (dt.timedelta(minutes=10), True)])
def test_a_server_clock_a_little_ahead_is_tolerated(fetching, sandbox_workspace, capsys,
                                                     behind, future):
    """The server's newest session stamped 3 minutes after our "now" is a clock running
    ahead (within ``CLOCK_SKEW``, 5 minutes): kept, no warning. Ten minutes ahead is a
    session dated in the future: left out, said once."""
    from reporter.cohort.discover import CLOCK_SKEW
    from reporter.console import Console

    assert dt.timedelta(minutes=3) < CLOCK_SKEW < dt.timedelta(minutes=10)
    scenario = sandbox_workspace.scenarios_by_key[fetching.scenario]
    newest = max(s.created_at for s in sandbox_workspace.sessions
                 if s.scenario_id == scenario.id
                 and sandbox_workspace.users_by_id[s.user_id].archetype != "system")
    period = parse_period(None, (newest - dt.timedelta(days=3)).date().isoformat(),
                          newest.date().isoformat(), now=newest)
    settings = replace(fetching, selection=Selection("all"), period=period,
                       api=replace(fetching.api, now=newest - behind))
    pipeline.plan(settings, Console())
    warned = [line for line in capsys.readouterr().err.splitlines() if "in the future" in line]
    assert len(warned) == (1 if future else 0), warned


def test_two_addresses_differing_only_by_case_are_one_person(fetching, proxy, tmp_path, capsys):
    """Issue 21, 14: the server files rep B's sessions under another user id whose address is
    rep A's in capitals (and A's name): one rep, one report, one manifest entry, said once;
    never two entries pointing at one PDF that the second overwrote."""
    from reporter.console import Console

    people = {r.user.email.lower(): r.user for r in _probe(fetching).reps}
    a, b = list(people)[:2]

    def lookalike(path, query, body):
        for s in body.get("data", [body]) if path.startswith("/sessions") else ():
            if s["user"]["email"].lower() == b:
                s["user"] = {"id": people[b].id, "email": a.upper(),
                             "first_name": people[a].first_name,
                             "last_name": people[a].last_name}
        return body

    proxy.bend.body = lookalike
    outcome = pipeline.run(RunSettings(through(fetching, proxy), RenderSettings(
        out=tmp_path / "out", jobs=1, xlsx=False)), Console())
    entries = json.loads((outcome.run_dir / "manifest.json").read_text())["reps"]
    pdfs = [e["pdf"] for e in entries if e["pdf"]]
    assert len(pdfs) == len(set(pdfs)) == outcome.reports
    assert [e["email"].casefold() for e in entries].count(a) == 1
    snapshot = read_snapshot(outcome.run_dir / "snapshot.json")
    (rep,) = [r for r in snapshot.reps if (r.user.email or "").casefold() == a]
    assert {s.user.id for s in rep.sessions} == {people[a].id, people[b].id}
    said = [line for line in capsys.readouterr().err.splitlines() if "differ only by case" in line]
    assert len(said) == 1 and said[0].endswith("differ only by case: taken as one person, in "
                                               "one report")
    assert f" {a} " in said[0] + " " and a.upper() in said[0]


def test_a_cohort_that_vanished_never_replaces_a_good_run(fetching, proxy, tmp_path, capsys):
    """Issue 21, 8: the session list comes back empty while the analytics count attempts:
    exit 1, one line, the previous run byte for byte; far fewer sessions than the analytics
    count: the run goes on, with one warning."""
    from reporter.cohort.discover import VanishedCohort
    from reporter.console import Console

    settings = through(fetching, proxy)
    first = _quick_run(settings, tmp_path / "out")
    before = _files(first.run_dir)

    def empty(path, query, body):
        if path == "/sessions":
            body["data"], body["pagination"] = [], {"total_count": 0, "total_pages": 0}
        return body

    proxy.bend.body = empty
    with pytest.raises(VanishedCohort) as info:
        _quick_run(settings, tmp_path / "out")
    assert info.value.exit_code == 1
    assert str(info.value).startswith("the session list is empty but the analytics count ")
    assert _files(first.run_dir) == before

    def one_each(path, query, body):
        if path == "/sessions":
            firsts: dict[str, dict] = {}
            for s in body["data"]:
                if s["is_valid_attempt"]:
                    firsts.setdefault(s["user"]["id"], s)
            body["data"], body["pagination"] = list(firsts.values()), {}
        return body

    proxy.bend.body = one_each
    pipeline.run(RunSettings(settings, RenderSettings(out=tmp_path / "out", pdf=False,
                                                      xlsx=False)), Console())
    said = [line for line in capsys.readouterr().err.splitlines() if "may be missing" in line]
    assert len(said) == 1 and said[0].startswith("warning: the session list has ")


def test_render_hands_the_pool_its_longest_jobs_first(tmp_path, monkeypatch):
    """Issue 23, 8: the team report is the longest job of a render; submitted last it was a
    tail one process drew while the other waited. ``render`` has the whole report before any
    PDF, so the team reports go to the pool first, then the reps, the longest first (three
    pages with a valid attempt, one without; then by sessions), while every output keeps the
    report's order (by name)."""
    from reporter.render import pool

    def rep(first: str, scores: list[float | None]) -> dict:
        who = f.user(first, "Rep", f"{first.lower()}@example.com")
        return f.rep(who, [f.session(score, f.at(3 + i), valid=score is not None, who=who)
                           for i, score in enumerate(scores)])

    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(f.snapshot([
        rep("Ada", [None]), rep("Ben", [70]), rep("Cy", [60, 75, 80]), rep("Di", [None, None]),
        rep("Ed", [50, 90])])))
    order: list[str] = []
    real_submit, real_document = pool.PdfRenderPool.submit, pool.PdfRenderPool.submit_document

    def submit(self, report, rep):
        order.append(rep.name)
        return real_submit(self, report, rep)

    def submit_document(self, draw, path, header, subject, **names):
        order.append("team")
        return real_document(self, draw, path, header, subject, **names)

    monkeypatch.setattr(pool.PdfRenderPool, "submit", submit)
    monkeypatch.setattr(pool.PdfRenderPool, "submit_document", submit_document)
    outcome = pipeline.render(snapshot, RenderSettings(out=tmp_path / "out", jobs=1,
                                                       xlsx=False))
    assert order == ["team", "Cy Rep", "Ed Rep", "Ben Rep", "Di Rep", "Ada Rep"]
    assert outcome.reports == 5 and (outcome.run_dir / "team.pdf").is_file()
    manifest = json.loads((outcome.run_dir / "manifest.json").read_text())
    assert [(r["name"], r["pages"]) for r in manifest["reps"]] == [
        ("Ada Rep", 1), ("Ben Rep", 3), ("Cy Rep", 3), ("Di Rep", 1), ("Ed Rep", 3)]


def test_a_program_snapshot_renders_one_report_per_rep_and_the_programs_tables(tmp_path):
    from reporter.deliver.addresses import EmailSettings
    from reporter.deliver.manifest import read_manifest
    from reporter.settings import EmailRunSettings

    path = tmp_path / "program.json"
    path.write_text(json.dumps(pf.program_snapshot()))
    outcome = pipeline.render(path, RenderSettings(out=tmp_path / "out", csv=True, jobs=1))
    run_dir = tmp_path / "out" / "core-sales-conversations" / "2026-10"
    assert outcome.run_dir == run_dir and outcome.exit_code == 0
    pdfs = sorted(p.name for p in (run_dir / "reps").iterdir())
    assert len(pdfs) == outcome.reports == 3  # one PDF per rep, whatever they practised
    assert {"team.pdf", "cohort.xlsx", "reps.csv", "skills.csv", "manifest.json",
            "snapshot.json"} <= {p.name for p in run_dir.iterdir()}
    manifest = read_manifest(run_dir)
    assert manifest.kind == "program" and manifest.subject == "core-sales-conversations"
    assert sorted(e.email for e in manifest.reps) == [
        "ada@example.com", "ben@example.com", "cy@example.com"]
    sent = pipeline.email(EmailRunSettings(run_dir, EmailSettings(sender="c@acme.example")))
    assert len(sent.written) == 3  # one message per rep for the whole program


def test_a_program_run_mails_each_rep_once_rerun_or_one_scenario_run_after(
        fetching, tmp_path, plain_server, sandbox_workspace):
    """Issue 24: a program run of the sandbox's main collection, sent; then the program rerun
    and one of its scenarios run alone the same month, both sent: one message per rep."""
    from collections import Counter

    from reporter.cohort.program import ProgramSelection
    from reporter.deliver.addresses import EmailSettings
    from reporter.deliver.manifest import read_manifest
    from reporter.deliver.smtp import SmtpSettings
    from reporter.demo import main_collection
    from reporter.settings import EmailRunSettings

    controller, recorder = plain_server
    recorder.received.clear()
    recorder.reject_data = set()
    smtp = SmtpSettings(host="127.0.0.1", port=controller.port, security="none", timeout=10)
    slug = main_collection(sandbox_workspace)
    collection = next(c for c in sandbox_workspace.collections if c.slug == slug)
    program = replace(fetching, scenario="", program=ProgramSelection("collection", (slug,)))
    rendering = RenderSettings(out=tmp_path / "out", jobs=1)

    def send(run_dir: Path) -> None:
        pipeline.email(EmailRunSettings(run_dir, EmailSettings(sender="c@acme.example"), smtp))

    first = pipeline.run(RunSettings(program, rendering))
    assert first.run_dir == tmp_path / "out" / slug / MONTH.label
    reps = read_manifest(first.run_dir).reps
    assert len(reps) == first.reports >= 2 and all(e.pdf for e in reps)
    send(first.run_dir)
    once = Counter(addr for got in recorder.received for addr in got.rcpt_tos)
    assert once == dict.fromkeys((e.email for e in reps), 1)

    # The PDFs are not what the rest is about: the reruns draw none.
    rendering = replace(rendering, pdf=False)
    again = pipeline.run(RunSettings(program, rendering))
    assert again.run_dir == first.run_dir
    send(again.run_dir)
    practised = {s.user_id for s in sandbox_workspace.sessions}
    scenario = next(s for s in sandbox_workspace.scenarios
                    if s.collection_id == collection.id and not s.archived
                    and any(x.scenario_id == s.id and x.user_id in practised
                            for x in sandbox_workspace.sessions))
    alone = pipeline.run(RunSettings(replace(fetching, scenario=scenario.slug), rendering))
    assert alone.run_dir == tmp_path / "out" / scenario.slug / MONTH.label
    send(alone.run_dir)
    total = Counter(addr for got in recorder.received for addr in got.rcpt_tos)
    assert total == once  # nobody mailed twice in the month


def test_render_draws_one_scenario_of_a_program_snapshot_as_its_own_run(tmp_path):
    from click.testing import CliRunner

    from reporter.cli import cli

    path = tmp_path / "program.json"
    path.write_text(json.dumps(pf.program_snapshot()))
    out = tmp_path / "out"
    done = CliRunner().invoke(cli, ["render", str(path), "--scenario", "Objection-Handling",
                                    "--out", str(out), "--no-xlsx", "-q"])
    assert done.exit_code == 0, done.output
    run_dir = out / "objection-handling" / "2026-10"
    # Only Ada practised it: the scenario's own run holds her report alone.
    assert [p.name.split("-")[0] for p in (run_dir / "reps").iterdir()] == ["ada"]
    assert json.loads((run_dir / "manifest.json").read_text())["run"]["scenario"] == (
        "objection-handling")
    wrong = CliRunner().invoke(cli, ["render", str(path), "--scenario", "nope", "--out",
                                     str(out)])
    assert wrong.exit_code == 2
    assert wrong.stderr == ("Error: the snapshot holds no scenario 'nope'; it holds: "
                            "procurement-discovery, objection-handling, "
                            "competitive-displacement\n")


def test_a_program_run_draws_a_reps_report_before_the_last_detail_is_fetched(
        fetching, proxy, tmp_path, sandbox_workspace, monkeypatch):
    """Issue 31, 2: a program run hands each rep to the render pool as soon as their sessions
    are in, as a single-scenario run does. The proxy holds every detail of the rep with the
    most sessions in the program until the pool has a rep to draw: a run that drew only
    after its last detail would wait for ever (here: until the hold gives up, within the
    client's timeout, and the test fails). The rep drawn meanwhile gets their PDF."""
    import asyncio
    import time

    from reporter.cohort.program import ProgramSelection
    from reporter.demo import main_collection
    from reporter.render import pool

    slug = main_collection(sandbox_workspace)
    collection = next(c for c in sandbox_workspace.collections if c.slug == slug)
    scenarios = {s.id for s in sandbox_workspace.scenarios
                 if s.collection_id == collection.id and not s.archived}
    users = {u.id: u.email.lower() for u in sandbox_workspace.users if u.email}
    selected = set(fetching.selection.emails)
    valid = [s for s in sandbox_workspace.sessions
             if s.scenario_id in scenarios and users.get(s.user_id) in selected
             and s.is_valid_attempt and MONTH.start <= s.created_at <= MONTH.end]
    counts = {uid: sum(1 for s in valid if s.user_id == uid) for uid in {s.user_id for s in valid}}
    assert len(counts) >= 2  # one rep held, another to draw meanwhile
    last = max(counts, key=lambda uid: (counts[uid], uid))
    held = {s.id for s in valid if s.user_id == last}
    drawing: list[str] = []  # the reps handed to the pool, in order
    real_submit = pool.PdfRenderPool.submit

    def submit(self, report, rep):
        drawing.append(rep.email)
        return real_submit(self, report, rep)

    monkeypatch.setattr(pool.PdfRenderPool, "submit", submit)
    during: list[list[str]] = []  # per held detail: the reps the pool had when it was let go

    async def hold(request):
        if not any(request.url.path.endswith("/sessions/" + sid) for sid in held):
            return None
        deadline = time.monotonic() + 20  # the client gives up on an answer after 30 s
        while not drawing and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        during.append(list(drawing))
        return None  # forwarded: the held rep's detail arrives after another rep was handed on

    proxy.bend.answer = hold
    program = replace(through(fetching, proxy), scenario="",
                      program=ProgramSelection("collection", (slug,)))
    outcome = pipeline.run(RunSettings(program, RenderSettings(out=tmp_path / "out", jobs=1)))
    assert len(during) == len(held) > 0
    assert all(during), "no rep reached the render pool while the last rep's details were held"
    assert users[last] not in during[0]
    assert outcome.reports == outcome.reps >= len(counts)  # every rep's report, the held one's too
    pdfs = {e["email"]: e["pdf"] for e in _manifest(outcome.run_dir).values()}
    assert all((outcome.run_dir / pdfs[email]).is_file() for email in during[0])
