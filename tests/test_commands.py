"""The commands end to end against the session sandbox: what a manager runs and sees."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.sandbox import SandboxServer, create_app
from tests import snapshot_factory as f
from tests.bending import bending_proxy
from tests.support import SANDBOX_KEY, environment, invoke
from tests.worker_faults import fault_env

MONTH = "2026-10"


@pytest.fixture(scope="module")
def finished_run(sandbox, sandbox_workspace, scenario, tmp_path_factory):
    """One full run of a small cohort (small_cohort: 8 reps), everything written, shared by
    the read-only checks below. Every rep's PDF of a whole cohort is read back in
    test_demo.py, on the session's one demo run."""
    tmp = tmp_path_factory.mktemp("run")
    with environment(EXEC_API_KEY=SANDBOX_KEY, EXEC_API_URL=sandbox.base_url,
                     REPORTER_RATE_LIMIT="6000"):
        result = invoke("run", scenario.slug, *small_cohort(sandbox_workspace, scenario),
                        "--month", MONTH, "--out", tmp / "out", "--cache-dir", tmp / "cache",
                        "--csv", "--jobs", "2")
    return result, tmp / "out" / scenario.slug / MONTH


def manifest_files(run_dir: Path) -> set[str]:
    return set(json.loads((run_dir / "manifest.json").read_text())["files"])


@pytest.mark.slow
def test_run_writes_the_whole_folder_and_a_summary(finished_run):
    result, run_dir = finished_run
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in run_dir.iterdir())
    assert names == ["cohort.xlsx", "feedback.csv", "manifest.csv", "manifest.json", "reps",
                     "reps.csv", "sessions.csv", "snapshot.json", "steps.json", "team.pdf"]
    assert manifest_files(run_dir) >= {"team.pdf", "cohort.xlsx", "snapshot.json"}
    manifest = json.loads((run_dir / "manifest.json").read_text())
    pdfs = sorted(p.name for p in (run_dir / "reps").iterdir())
    listed = sorted(Path(r["pdf"]).name for r in manifest["reps"] if r["pdf"])
    assert pdfs == listed and len(pdfs) == 8
    summary = [line for line in result.stderr.splitlines() if line.startswith("done:")]
    assert summary and f"{len(pdfs)} reports" in summary[0] and "requests" in summary[0]
    assert SANDBOX_KEY not in result.output
    for name in ("snapshot.json", "manifest.json", "manifest.csv"):
        assert SANDBOX_KEY not in (run_dir / name).read_text(encoding="utf-8-sig")


@pytest.mark.slow
def test_run_workbook_links_each_rep_to_their_pdf(finished_run):
    _, run_dir = finished_run
    wb = load_workbook(run_dir / "cohort.xlsx")
    ws = wb["Reps"]
    links = [c.hyperlink.target for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert links and all((run_dir / link).is_file() for link in links)


def test_rerun_replaces_the_folder_and_leaves_no_temporary_files(env, scenario, tmp_path):
    args = ("run", scenario.slug, "--month", MONTH, "--out", tmp_path / "out", "--no-pdf",
            "--cache-dir", tmp_path / "cache")
    first = invoke(*args)
    run_dir = tmp_path / "out" / scenario.slug / MONTH
    (run_dir / "stray.txt").write_text("from an older run")
    second = invoke(*args)
    assert first.exit_code == second.exit_code == 0
    assert not (run_dir / "stray.txt").exists()
    assert sorted(p.name for p in (tmp_path / "out" / scenario.slug).iterdir()) == [MONTH]


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_run_of_nobody_writes_nothing_and_the_previous_run_stays(env, scenario,
                                                                    sandbox_workspace, tmp_path):
    """Issue 29, 3: a run that ends with no rep exits 1 with one line saying why, writes
    nothing, and a finished run of the same folder stays byte for byte."""
    out = tmp_path / "out"
    run_dir = out / scenario.slug / MONTH
    good = invoke("run", scenario.slug, *practised(sandbox_workspace, scenario, 3), "--month",
                  MONTH, "--out", out, "--no-pdf")
    assert good.exit_code == 0, good.output
    before = files_under(run_dir)
    nobody = invoke("run", scenario.slug, "a@x.example, b@y.example", "--month", MONTH,
                    "--out", out, "--no-pdf")
    assert nobody.exit_code == 1, nobody.output
    assert nobody.stderr.splitlines()[-1] == (
        f"Error: no rep to report on in {run_dir}: none of the 2 addresses asked for has "
        "sessions in the period (2 not in the workspace; listed above); nothing was written; "
        f"the run in {run_dir} stays")
    assert not [line for line in nobody.stderr.splitlines() if line.startswith("done:")]
    assert files_under(run_dir) == before
    fresh = invoke("run", scenario.slug, "a@x.example", "--month", MONTH, "--out",
                   tmp_path / "fresh", "--no-pdf")
    assert fresh.exit_code == 1, fresh.output
    assert fresh.stderr.splitlines()[-1] == (
        f"Error: no rep to report on in {tmp_path / 'fresh' / scenario.slug / MONTH}: none of "
        "the 1 address asked for has sessions in the period (1 not in the workspace; listed "
        "above); nothing was written")
    assert files_under(tmp_path / "fresh") == {}
    # Not even the scenario's folder, which the run's lock would have made.
    assert not (tmp_path / "fresh" / scenario.slug).exists()


def test_a_rerun_that_drops_most_reps_needs_force(env, scenario, sandbox_workspace, tmp_path):
    """Issue 29, 3: a rerun that would drop more than half of the reps of the run in place
    is refused in one line (exit 1, that run stays) unless --force; dropping half is not
    most, and goes through."""
    out = tmp_path / "out"
    run_dir = out / scenario.slug / MONTH
    reps = practised(sandbox_workspace, scenario, 4)

    def run(*args: str):
        return invoke("run", scenario.slug, *args, "--month", MONTH, "--out", out, "--no-pdf",
                      "--no-xlsx")

    assert run(*reps).exit_code == 0
    before = files_under(run_dir)
    refused = run(reps[0])
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip().splitlines() == [
        f"Error: this run has 1 rep and would drop 3 of the 4 reps of the run in {run_dir} "
        f"(e.g. {min(reps[1:])}): nothing was written and that run stays; --force replaces it"]
    assert files_under(run_dir) == before
    forced = run(reps[0], "--force")
    assert forced.exit_code == 0, forced.output
    assert manifest_statuses(run_dir) == {reps[0]: "ok"}
    assert run(*reps).exit_code == 0
    half = run(*reps[:2])
    assert half.exit_code == 0, half.output
    assert sorted(manifest_statuses(run_dir)) == sorted(reps[:2])


def test_dry_run_prints_the_plan_and_writes_nothing(env, scenario, tmp_path):
    result = invoke("run", scenario.slug, "--month", MONTH, "--dry-run", "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "to fetch" in result.stdout and "daily budget" in result.stdout
    assert not (tmp_path / "o").exists()
    assert env.state.by_path.get("/sessions/{id}", 0) == 0


def _discovery_total(printed: str) -> int:
    found = re.search(r"requests: (\d+) in all = (\d+) to discover", printed)
    assert found, printed
    return int(found[2])


def test_dry_run_counts_the_month_over_month_requests_and_no_compare_drops_them(
        env, scenario, tmp_path):
    compared = invoke("run", scenario.slug, "--month", MONTH, "--dry-run", "--out", tmp_path)
    assert compared.exit_code == 0, compared.output
    assert "comparison with 2026-09: 2 of the discovery requests" in compared.stdout
    alone = invoke("run", scenario.slug, "--month", MONTH, "--dry-run", "--no-compare",
                   "--out", tmp_path)
    assert alone.exit_code == 0 and "comparison with" not in alone.stdout
    assert _discovery_total(compared.stdout) == _discovery_total(alone.stdout) + 2


def test_missing_reps_are_listed_and_not_fatal(env, scenario, sandbox_workspace, tmp_path):
    """Issue 29, 6: an address not found is listed (stderr, manifest), and the run exits 0,
    so a cron job's `&&` still mails every rep whose report was made."""
    someone = practised(sandbox_workspace, scenario, 1)[0]
    result = invoke("run", scenario.slug, someone, "ghost@nowhere.example", "--month", MONTH,
                    "--out", tmp_path / "out", "--no-pdf")
    assert result.exit_code == 0, result.output
    assert "warning: ghost@nowhere.example: not a member of the workspace" in result.stderr
    rows = list(csv.DictReader((tmp_path / "out" / scenario.slug / MONTH / "manifest.csv")
                               .read_text(encoding="utf-8-sig").splitlines()))
    assert {r["email"]: r["status"] for r in rows}["ghost@nowhere.example"] == "not_found"
    assert "warning: ghost@nowhere.example: not a member of the workspace" in result.stderr


def test_email_finds_the_run_under_the_configs_out_as_run_wrote_it(env, scenario,
                                                                    sandbox_workspace, tmp_path):
    """Issue 29, 6: `out` in a config file (relative to the file) is the same folder to run
    and to email: email takes RUN_DIR as run wrote it under OUT (SCENARIO/PERIOD), or
    `latest`, the run generated last there, from any working folder."""
    jobs = tmp_path / "job"
    jobs.mkdir()
    (jobs / "reporter.toml").write_text(f'scenario = "{scenario.slug}"\nout = "../output"\n')
    reps = practised(sandbox_workspace, scenario, 2)
    made = invoke("run", scenario.slug, *reps, "--config", jobs / "reporter.toml", "--month",
                  MONTH, "--no-xlsx", "--jobs", "1")
    assert made.exit_code == 0, made.output
    run_dir = jobs / ".." / "output" / scenario.slug / MONTH
    assert (tmp_path / "output" / scenario.slug / MONTH / "manifest.json").is_file()
    # email works on the real folder (its lock and send record are that folder's), and names it
    outbox = f"outbox: 2 rep emails in {run_dir.resolve() / 'outbox'}"
    for given in (f"{scenario.slug}/{MONTH}", "latest"):
        result = invoke("email", given, "--config", jobs / "reporter.toml")
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == [outbox]
    missing = invoke("email", f"{scenario.slug}/2026-09", "--config", jobs / "reporter.toml")
    assert missing.exit_code == 2
    assert missing.output.splitlines() == [
        f"Error: {scenario.slug}/2026-09 is not a run folder (no manifest.json), nor is "
        f"{jobs / '..' / 'output' / scenario.slug / '2026-09'}"]
    none = invoke("email", "latest", "--out", tmp_path / "empty")
    assert none.exit_code == 2
    assert none.output.splitlines() == [
        f"Error: latest: no run folder under {tmp_path / 'empty'} (a run writes "
        f"{tmp_path / 'empty' / '<scenario>' / '<period>'})"]


def test_unknown_scenario_and_refused_key_are_exit_2(env, scenario, tmp_path, monkeypatch):
    typo = scenario.slug[:-3]
    result = invoke("run", typo, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: unknown scenario '{typo}'; did you mean ")
    monkeypatch.setenv("EXEC_API_KEY", "exec_live_" + "Q" * 40)
    result = invoke("run", scenario.slug, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == "Error: the API key was refused: Invalid or inactive API key"
    assert not (tmp_path / "out").exists()


def small_cohort(workspace, scenario, per_team: int = 3) -> list[str]:
    """The addresses of a small cohort of MONTH that still holds every case the sending tests
    read: the first ``per_team`` reps of each of the first two groups (the teams of
    ``teams_config``), the rep who left the workspace, and one rep of neither team. A run of
    these renders 8 PDFs, not 30: what is tested is who gets which message, once."""
    active = {s.user_id for s in workspace.sessions
              if s.scenario_id == scenario.id and s.is_valid_attempt
              and s.created_at.strftime("%Y-%m") == MONTH}
    users = {u.id: u for u in workspace.users if u.id in active and not u.is_system}
    first, second = workspace.groups[:2]
    teams = [sorted(users[i].email for i in g.member_ids if i in users)[:per_team]
             for g in (first, second)]
    former = sorted(u.email for u in users.values() if not u.is_member)[:1]
    neither = sorted(u.email for u in users.values() if u.is_member
                     and u.id not in {*first.member_ids, *second.member_ids})[:1]
    assert all(len(t) == per_team for t in teams) and former and neither
    return [*teams[0], *teams[1], *former, *neither]


def practised(workspace, scenario, n: int) -> list[str]:
    """The first ``n`` addresses (by address) of members with a valid attempt in MONTH."""
    active = {s.user_id for s in workspace.sessions
              if s.scenario_id == scenario.id and s.is_valid_attempt
              and s.created_at.strftime("%Y-%m") == MONTH}
    return sorted(u.email for u in workspace.users
                  if u.id in active and u.is_member and not u.is_system)[:n]


def manifest_statuses(run_dir: Path) -> dict[str, str]:
    return {r["email"]: r["status"]
            for r in json.loads((run_dir / "manifest.json").read_text())["reps"]}


def _pasted_roster(path: Path, reps: list[str], bad: str) -> list[str]:
    a, b, c, d, e = reps
    path.write_text(f"{a}, {b}\n{c.upper()}; {d}\n\"Rep Five\" <{e}>\n{bad}\n{bad}\n",
                    encoding="utf-8")
    return ["--roster", str(path)]


def _csv_roster(path: Path, reps: list[str], bad: str) -> list[str]:
    a, b, c, d, e = reps
    path.write_text(f'name,email,team\nTwo of them,"{a}, {b}",East\n'
                    f'Two more,{c.upper()}; {d} ,East\n'
                    f'Rep Five,"""Rep Five"" <{e}>",West\n'
                    f"Not an address,{bad},East\n", encoding="utf-8")
    return ["--roster", str(path)]


def _arguments(path: Path, reps: list[str], bad: str) -> list[str]:
    a, b, c, d, e = reps
    return [f"{a}, {b}", f"{c.upper()}; {d}", f'"Rep Five" <{e}>', bad, bad]


@pytest.mark.parametrize("given", [_arguments, _pasted_roster, _csv_roster])
def test_addresses_as_people_paste_them_and_one_warning_per_bad_entry(
        env, scenario, sandbox_workspace, tmp_path, given):
    """Issue 29, 4: ``a@x, b@y``, ``a@x; b@y`` and ``"Name" <a@x>``, as EMAIL arguments, as
    lines of a roster and in a roster's email column, are each rep's address; a bad entry
    (given twice) is one warning, once, and one not-found row."""
    reps = practised(sandbox_workspace, scenario, 5)
    bad = "see-me-in-person"
    result = invoke("run", scenario.slug, *given(tmp_path / "roster.csv", reps, bad),
                    "--month", MONTH, "--out", tmp_path / "out", "--no-pdf", "--no-xlsx")
    assert result.exit_code == 0, result.output  # a bad entry is listed, not fatal
    assert [line for line in result.stderr.splitlines() if bad in line] == [
        f"warning: '{bad}' is not an email address; it is listed as not found"]
    statuses = manifest_statuses(tmp_path / "out" / scenario.slug / MONTH)
    assert statuses == {**{rep: "ok" for rep in reps}, bad: "not_found"}


@pytest.mark.slow
def test_fetch_then_render_offline_gives_the_same_reports(env, scenario, sandbox_workspace,
                                                          tmp_path):
    snap = tmp_path / "snap.json"
    cohort = small_cohort(sandbox_workspace, scenario, per_team=1)
    fetched = invoke("fetch", scenario.slug, *cohort, "--month", MONTH, "--snapshot", snap)
    assert fetched.exit_code == 0, fetched.output
    env.state.reset()
    rendered = invoke("render", snap, "--out", tmp_path / "out", "--no-xlsx", "--jobs", "1")
    assert rendered.exit_code == 0, rendered.output
    assert env.state.total_requests == 0  # rendering is offline
    run_dir = tmp_path / "out" / scenario.slug / MONTH
    reps = json.loads(snap.read_text())["reps"]
    assert sorted(r["user"]["email"] for r in reps) == sorted(cohort)
    assert len(list((run_dir / "reps").glob("*.pdf"))) == len(reps)


def test_newer_snapshot_is_refused(tmp_path):
    snap = tmp_path / "s.json"
    snap.write_text(json.dumps({"schema_version": 99}))
    result = invoke("render", snap)
    assert result.exit_code == 2
    assert "snapshot version 99; this reporter reads up to version 3" in result.output


def test_config_file_and_flags_precedence(env, scenario, tmp_path):
    (tmp_path / "reporter.toml").write_text(
        f'scenario = "{scenario.slug}"\nmonth = "2026-09"\nout = "from-config"\n')
    result = invoke("run", "--month", MONTH, "--no-pdf", "--no-xlsx")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-config" / scenario.slug / MONTH / "manifest.json").is_file()
    (tmp_path / "reporter.toml").write_text('scenario = "x"\nmonthh = "2026-09"\n')
    bad = invoke("run")
    assert bad.exit_code == 2 and "unknown key 'monthh'" in bad.output


@pytest.mark.slow
def test_email_send_over_smtp_never_sends_twice(env, scenario, sandbox_workspace, tmp_path,
                                                plain_server):
    controller, recorder = plain_server
    recorder.received.clear()
    cohort = small_cohort(sandbox_workspace, scenario, per_team=1)  # 4 reps, one who left
    assert invoke("run", scenario.slug, *cohort, "--month", MONTH, "--out", tmp_path / "out",
                  "--no-xlsx", "--jobs", "1").exit_code == 0
    run_dir = tmp_path / "out" / scenario.slug / MONTH
    args = ("email", run_dir, "--send", "--smtp-host", "127.0.0.1", "--smtp-port",
            controller.port, "--security", "none", "--from", "coach@acme.example")
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    manifest = json.loads((run_dir / "manifest.json").read_text())
    snapshot = json.loads((run_dir / "snapshot.json").read_text())
    former = {r["user"]["email"] for r in snapshot["reps"] if not r["is_member"]}
    assert former  # the sandbox keeps one rep who left: held back, not mailed
    reports = [r for r in manifest["reps"] if r["pdf"]]
    with_pdf = [r for r in reports if r["email"] not in former]
    assert len(recorder.received) == len(with_pdf) == len(list((run_dir / "outbox").iterdir()))
    assert all(r["message_id"] for r in with_pdf)
    assert not any(r["message_id"] for r in reports if r["email"] in former)
    assert not {to for m in recorder.received for to in m.rcpt_tos} & former
    again = invoke(*args)
    assert again.exit_code == 0 and len(recorder.received) == len(with_pdf)
    assert f"already sent before {len(with_pdf)}" in again.stderr
    # Rerunning the month replaces the reports but remembers who was mailed.
    assert invoke("run", scenario.slug, *cohort, "--month", MONTH, "--out", tmp_path / "out",
                  "--no-xlsx", "--jobs", "1").exit_code == 0
    after_rerun = invoke(*args)
    assert after_rerun.exit_code == 0 and len(recorder.received) == len(with_pdf)


def teams_config(path: Path, workspace, scenario) -> dict[str, str]:
    """A config mapping two of the sandbox's teams to managers (one by name, one by id);
    returns group name -> manager address."""
    first, second = workspace.groups[:2]
    path.write_text(
        f'scenario = "{scenario.slug}"\n\n[teams]\n'
        f'"{first.name}" = {{ name = "Dana Whitfield", email = "dana@acme.example" }}\n'
        f'"{second.id}" = {{ name = "Marcus Osei", email = "marcus@acme.example" }}\n',
        encoding="utf-8")
    return {first.name: "dana@acme.example", second.name: "marcus@acme.example"}


def _message(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


@pytest.mark.slow
def test_by_team_writes_each_team_and_emails_each_manager_one_digest_never_twice(
        env, scenario, sandbox_workspace, tmp_path, plain_server):
    controller, recorder = plain_server
    recorder.received.clear()
    managers = teams_config(tmp_path / "reporter.toml", sandbox_workspace, scenario)
    run = ("run", scenario.slug, *small_cohort(sandbox_workspace, scenario), "--month", MONTH,
           "--out", tmp_path / "out", "--by-team", "--jobs", "1")
    result = invoke(*run)
    assert result.exit_code == 0, result.output
    run_dir = tmp_path / "out" / scenario.slug / MONTH
    manifest = json.loads((run_dir / "manifest.json").read_text())
    teams = {t["group"]: t for t in manifest["teams"]}
    assert sorted(teams) == sorted(managers)
    users = {u.id: u.email for u in sandbox_workspace.users}
    for group in sandbox_workspace.groups[:2]:
        team = teams[group.name]
        folder = run_dir / "teams" / team["slug"]
        assert sorted(p.name for p in folder.iterdir()) == ["team.pdf", "team.xlsx"]
        assert team["pdf"] == f"teams/{team['slug']}/team.pdf"
        assert manifest["files"][team["pdf"]]["sha256"] == team["sha256"]
        # The team's workbook holds only the group's reps, most urgent first on sheet one.
        book = load_workbook(folder / "team.xlsx")
        emails = {r[1].value for r in book["Reps"].iter_rows(min_row=2)}
        members = {users[uid] for uid in group.member_ids}
        assert emails and emails <= members and len(emails) == team["reps"]
        attention = [r[0].value for r in book["Needs attention"].iter_rows(min_row=2)]
        assert len(attention) == team["needs_attention"]
        team["attention_order"] = attention

    email = ("email", run_dir, "--send", "--smtp-host", "127.0.0.1", "--smtp-port",
             controller.port, "--security", "none", "--from", "coach@acme.example")
    first = invoke(*email)
    assert first.exit_code == 0, first.output
    assert "and 2 manager digests" in first.stderr
    # A former member of the workspace is held back (email_former_members is off), and said.
    former = {u.email for u in sandbox_workspace.users if not u.is_member}
    held = [r for r in manifest["reps"] if r["pdf"] and r["email"] in former]
    assert held and f"{len(held)} former member" in first.stderr
    with_pdf = [r for r in manifest["reps"] if r["pdf"] and r["email"] not in former]
    assert len(recorder.received) == len(with_pdf) + 2
    digests = {m.rcpt_tos[0]: m.message for m in recorder.received
               if m.rcpt_tos[0] in managers.values()}
    assert sorted(digests) == sorted(managers.values())
    for group, address in managers.items():
        digest = digests[address]
        team = teams[group]
        assert group in digest["Subject"]
        files = sorted(p.get_filename() for p in digest.iter_attachments())
        assert files == [f"team-{team['slug']}.pdf", f"team-{team['slug']}.xlsx"]
        text = digest.get_body(("plain",)).get_content().replace("\r\n", "\n")
        html = digest.get_body(("html",)).get_content()
        listed = re.findall(r"^\d+\. (.+) \((?:High|Medium|Low)\)$", text, re.M)
        # The 1:1 shortlist: the workbook's first reps, in its order, word for word.
        assert listed and listed == team["attention_order"][:len(listed)] and len(listed) <= 5
        assert text.startswith({"dana@acme.example": "Hi Dana,",
                                "marcus@acme.example": "Hi Marcus,"}[address])
        # Links to nothing: no anchor, no image, no remote source (a hostile rep name that
        # spells a URL stays escaped text).
        assert not re.search(r"<a\b|<img\b|\bhref=|\bsrc=", html)
    saved = json.loads((run_dir / "manifest.json").read_text())
    assert all(t["message_id"] and t["sent_at"] for t in saved["teams"])
    # A rep of a mapped team gets a Reply-To of their manager; the others none.
    member_of = {users[uid]: g.name for g in sandbox_workspace.groups[:2]
                 for uid in g.member_ids}
    for got in recorder.received:
        to = got.rcpt_tos[0]
        if to in managers.values():
            continue
        reply = got.message["Reply-To"]
        if to in member_of:
            assert managers[member_of[to]] in str(reply), to
        else:
            assert reply is None, to
    assert set(member_of) & {got.rcpt_tos[0] for got in recorder.received} and (
        {got.rcpt_tos[0] for got in recorder.received} - set(member_of) - set(managers.values()))
    # The same teams from the snapshot alone, offline (their workbooks: who is in each team
    # is what is checked here, the team PDFs were read above).
    offline = invoke("render", run_dir / "snapshot.json", "--by-team", "--no-pdf",
                     "--out", tmp_path / "offline", "--jobs", "1")
    assert offline.exit_code == 0, offline.output
    again_dir = tmp_path / "offline" / scenario.slug / MONTH
    assert sorted(p.name for p in (again_dir / "teams").iterdir()) == sorted(
        t["slug"] for t in manifest["teams"])
    for team in manifest["teams"]:
        book = load_workbook(again_dir / "teams" / team["slug"] / "team.xlsx")
        assert len(list(book["Reps"].iter_rows(min_row=2))) == team["reps"]
    # Never twice: not on a second send, not after the month is rerun.
    again = invoke(*email)
    assert again.exit_code == 0 and len(recorder.received) == len(with_pdf) + 2
    assert invoke(*run).exit_code == 0
    after = invoke(*email)
    assert after.exit_code == 0 and len(recorder.received) == len(with_pdf) + 2
    assert f"already sent before {len(with_pdf) + 2}" in after.stderr


def test_a_team_the_workspace_lacks_stops_before_fetching_any_session(
        env, scenario, sandbox_workspace, tmp_path):
    (tmp_path / "reporter.toml").write_text(
        f'scenario = "{scenario.slug}"\n[teams]\n'
        '"Nope Team" = { email = "nope@acme.example" }\n', encoding="utf-8")
    result = invoke("run", "--month", MONTH, "--out", tmp_path / "out", "--by-team")
    assert result.exit_code == 2
    names = ", ".join(sorted(g.name for g in sandbox_workspace.groups))
    assert result.output.strip().splitlines()[-1] == (
        f"Error: [teams] names group 'Nope Team', which the workspace does not have; "
        f"groups: {names}")
    assert not any(p.startswith("/sessions/") for p in env.state.by_path)
    assert not (tmp_path / "out" / scenario.slug / MONTH).exists()


def test_by_team_without_teams_and_the_old_cc_manager_key_are_exit_2(env, scenario, tmp_path):
    no_teams = invoke("run", scenario.slug, "--month", MONTH, "--by-team")
    assert no_teams.exit_code == 2
    assert no_teams.output.strip() == ("Error: --by-team needs a [teams] table in the config "
                                       "file, mapping each workspace group to its manager")
    (tmp_path / "reporter.toml").write_text('[email]\ncc_manager = "m@acme.example"\n')
    old = invoke("email", tmp_path)
    assert old.exit_code == 2
    assert old.output.strip() == (
        "Error: reporter.toml: 'email.cc_manager' is no longer used: managers "
        "now get one digest each: map groups to managers in [teams] and run with --by-team")
    (tmp_path / "reporter.toml").write_text('[teams]\n"Sales" = { email = "not an address" }\n')
    bad = invoke("run", scenario.slug, "--month", MONTH, "--by-team")
    assert bad.exit_code == 2 and "[teams] 'Sales' email" in bad.output


@pytest.mark.slow
def test_ctrl_c_is_one_line_exit_130_and_leaves_nothing(sandbox_workspace, scenario, tmp_path):
    """Issue 10, 10: SIGINT mid-run (render workers alive): exit 130, one line, no traceback
    from the parent or a worker, no staging folder left."""
    app = create_app(sandbox_workspace, api_key=SANDBOX_KEY, rate_limit=None,
                     daily_limit=None, latency_ms=150)
    with SandboxServer(app) as server:
        proc = _slow_run(server, scenario, tmp_path, "--jobs", "2")
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("session details:"):
                break
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        code = proc.wait(timeout=60)
    err = "".join(lines) + rest
    assert code == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip().splitlines()[-1] == ("Interrupted: nothing is half-written; run the "
                                            "command again to go on.")
    leftovers = [p.name for p in (tmp_path / "out").rglob("*")] if (tmp_path / "out").exists() \
        else []
    assert not [name for name in leftovers if name.startswith(".")], leftovers


# -- a server that lies (issue 21): the proxy in tests/bending.py bends the sandbox's answers --

ECHOED_FIELDS = {"first_name", "last_name", "name", "text", "quote", "feedback",
                 "suggestion_quote", "description"}


def echo_key(value, key: str):
    """Every human-readable string of an answer with the caller's key appended: a server that
    echoes the Authorization header into a 200 body."""
    if isinstance(value, list):
        return [echo_key(v, key) for v in value]
    if isinstance(value, dict):
        return {k: (f"{v} {key}" if k in ECHOED_FIELDS and isinstance(v, str)
                    else echo_key(v, key)) for k, v in value.items()}
    return value


def _every_text(root: Path) -> Iterator[tuple[Path, str]]:
    """Each file under ``root`` as text as a reader would see it: raw bytes, an email's decoded
    parts, a workbook's XML parts."""
    import zipfile

    for path in root.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        yield path, raw.decode("utf-8", "replace")
        if path.suffix == ".eml":
            message = BytesParser(policy=policy.default).parsebytes(raw)
            for part in message.walk():
                payload = part.get_payload(decode=True)
                if payload:
                    yield path, payload.decode("utf-8", "replace")
            yield path, str(message["Subject"]) + str(message["To"])
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for name in book.namelist():
                    yield path, book.read(name).decode("utf-8", "replace")


def test_a_key_echoed_in_200_answers_is_in_no_file_and_no_line(env, scenario, sandbox_workspace,
                                                                tmp_path, monkeypatch):
    """Issue 21, 1: the server echoes the key into names, transcripts and feedback; neither
    the run's files (snapshot, cache, CSV, workbook, emails) nor its output contain it."""
    reps = sorted(u.email.lower() for u in sandbox_workspace.users
                  if u.is_member and not u.is_system)[:4]
    with bending_proxy(env) as proxy:
        proxy.bend.body = lambda path, query, body: echo_key(body, SANDBOX_KEY)
        monkeypatch.setenv("EXEC_API_URL", proxy.base_url)
        result = invoke("run", scenario.slug, *reps, "--month", MONTH, "--out", tmp_path / "out",
                        "--cache-dir", tmp_path / "cache", "--csv", "--jobs", "1", "-v")
        assert result.exit_code in (0, 1), result.output
        run_dir = tmp_path / "out" / scenario.slug / MONTH
        mailed = invoke("email", run_dir)
    assert mailed.exit_code == 0, mailed.output
    assert SANDBOX_KEY not in result.output + mailed.output
    texts = [*_every_text(tmp_path / "out"), *_every_text(tmp_path / "cache")]
    assert len({p.suffix for p, _ in texts} & {".json", ".csv", ".xlsx", ".eml", ".pdf"}) == 5
    assert [p.relative_to(tmp_path).as_posix() for p, text in texts if SANDBOX_KEY in text] == []
    assert "[API key removed]" in (run_dir / "snapshot.json").read_text()


def _slow_run(server: SandboxServer, scenario, tmp_path: Path, *extra: str) -> subprocess.Popen:
    """``reporter run`` in a process of its own against ``server``, stderr piped."""
    env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": server.base_url,
           "REPORTER_RATE_LIMIT": "6000", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    return subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "run", scenario.slug, "--month", MONTH,
         "--out", str(tmp_path / "out"), *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_sigint_as_a_terminal_sends_it)


def _sigint_as_a_terminal_sends_it() -> None:
    """A suite started in the background (``pytest &`` from a script) hands its children
    SIGINT ignored, and Python then never raises KeyboardInterrupt: the command under test
    gets Ctrl-C's default, as in a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read_until(proc: subprocess.Popen, start: str) -> list[str]:
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith(start):
            break
    return lines


def _children(pid: int) -> set[int]:
    """The live (not zombie) processes whose parent is ``pid``, from /proc."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_sigterm_is_ctrl_c_exit_143(sandbox_workspace, scenario, tmp_path):
    """Issue 21, 13: SIGTERM mid-run gets Ctrl-C's one line and cleanup, and exit 143."""
    app = create_app(sandbox_workspace, api_key=SANDBOX_KEY, rate_limit=None,
                     daily_limit=None, latency_ms=150)
    with SandboxServer(app) as server:
        proc = _slow_run(server, scenario, tmp_path, "--jobs", "2")
        lines = _read_until(proc, "session details:")
        proc.send_signal(signal.SIGTERM)
        # Times out when a worker outlives the parent holding stderr open (an orphan), or
        # when the parent never ends (its loop spun in a download's cancel scope, once).
        try:
            _, rest = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("reporter run was still running 60 s after SIGTERM")
        code = proc.returncode
    err = "".join(lines) + rest
    assert code == 143, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == ("Interrupted: nothing is half-written; run the "
                                            "command again to go on.")
    assert not [p.name for p in (tmp_path / "out").rglob(".*")]


@pytest.mark.slow
def test_kill_9_leaves_no_render_worker_and_its_requests_counted(sandbox_workspace, scenario,
                                                                 tmp_path):
    """Issue 21, 13: the parent is killed (SIGKILL, no cleanup) while its render workers are
    up: they end within seconds; the day's request count on disk holds what was spent."""
    import time

    app = create_app(sandbox_workspace, api_key=SANDBOX_KEY, rate_limit=None,
                     daily_limit=None, latency_ms=150)
    with SandboxServer(app) as server:
        proc = _slow_run(server, scenario, tmp_path, "--jobs", "2")
        _read_until(proc, "session details:")
        deadline = time.monotonic() + 60
        while len(workers := _children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) >= 2
        proc.kill()
        proc.wait(timeout=10)
        seen = server.state.total_requests
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if _alive(pid)]
    counted = sum(sum(json.loads(f.read_text()).values())
                  for f in (tmp_path / "xdg").rglob("usage/*.json"))
    assert counted >= seen > 0


# -- Ctrl-C and SIGTERM while the PDFs are drawn (issue 29, 2) --------------------------------

INTERRUPTED = "Interrupted: nothing is half-written; run the command again to go on."
#: How long a user waits, from the signal, for the command to be gone.
GONE_WITHIN = 2.0


def _drawing_snapshot(path: Path, reps: int = 5, lines: int = 2500) -> Path:
    """A snapshot whose reports take long to draw with --transcripts: Ada Quick's first and
    in a second (two sessions, so the pool's longest-first order hands her out first, and a
    short transcript), then reps whose transcripts run to ``lines`` lines (10 s or more each):
    whenever the signal comes after her report, a long one is being drawn."""
    def one(first: str, sessions: int, length: int) -> dict:
        who = f.user(first, "Rep", f"{first.lower()}@example.com")
        said = [f.line("Buyer" if i % 2 else first, f"Line {i}: the budget, the timeline, the "
                       "people who sign, and what happens next.", i * 4.0)
                for i in range(length)]
        return f.rep(who, [f.session(70 + n, f.at(3 + n), who=who, transcript=said,
                                     evaluations=f.evaluations({"Open questions": "good"}))
                           for n in range(sessions)])

    everyone = [one("Ada", 2, 6)] + [one(f"Long{n}", 1, lines) for n in range(reps - 1)]
    path.write_text(json.dumps(f.snapshot(everyone)))
    return path


def _as_a_user_starts_it(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    """The command in a process group of its own, as a shell starts a job: Ctrl-C at the
    terminal is SIGINT to the whole group, render workers included."""
    return subprocess.Popen([sys.executable, "-m", "reporter.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_sigint_as_a_terminal_sends_it)


def _folder(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _interrupt_while_drawing(proc: subprocess.Popen, how: signal.Signals
                             ) -> tuple[int, float, str, set[int]]:
    """Once the first PDF is drawn (its progress line), ``how``: SIGINT to the process group
    (Ctrl-C), SIGTERM to the command (``kill``). The exit status, the seconds from the signal
    to the command's end, what it printed after the signal, and the processes it had."""
    import time

    _read_until(proc, "PDF reports:")
    workers = _children(proc.pid)
    started = time.monotonic()
    if how == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(how)
    try:
        code = proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"still running 120 s after {how.name}")
    seconds = time.monotonic() - started
    assert proc.stderr is not None
    return code, seconds, proc.stderr.read(), workers


def _none_left(pids: set[int]) -> list[int]:
    """Of ``pids``, those still alive 2 s on (none, once every worker is gone)."""
    import time

    deadline = time.monotonic() + 2
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_while_drawing_is_obeyed_at_once(jobs, how, tmp_path):
    """Issue 29, 2: Ctrl-C while the PDFs were drawn waited for the reports being drawn (with
    --jobs 1, 7 to 73 s on long transcripts). Now, with one process or several, the command
    is gone within 2 s, the report being drawn abandoned: exit 130 (143 for SIGTERM), one
    line and nothing after it, the previous run as it was, no staging folder, no worker."""
    snapshot = _drawing_snapshot(tmp_path / "snapshot.json")
    out = tmp_path / "out"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    previous = subprocess.run([sys.executable, "-m", "reporter.cli", "render", str(snapshot),
                               "--out", str(out), "--no-pdf"], env=env, capture_output=True,
                              text=True, timeout=120)
    assert previous.returncode == 0, previous.stderr
    run_dir = out / "procurement-discovery" / "2026-10"
    before = _folder(run_dir)
    proc = _as_a_user_starts_it(["render", str(snapshot), "--out", str(out), "--transcripts",
                                 "--no-xlsx", "--jobs", jobs], env)
    code, seconds, after, workers = _interrupt_while_drawing(proc, how)
    assert code == (130 if how == signal.SIGINT else 143), after
    assert after.splitlines() == [INTERRUPTED]
    assert seconds < GONE_WITHIN, f"{seconds:.1f} s from {how.name} to the command's end"
    assert _folder(run_dir) == before
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["2026-10"]
    assert len(workers) >= int(jobs) and _none_left(workers) == []


@pytest.mark.slow
@pytest.mark.parametrize(("jobs", "how"), [("2", signal.SIGINT), ("1", signal.SIGTERM)],
                         ids=["ctrl-c-2-jobs", "sigterm-1-job"])
def test_an_interrupted_run_swaps_nothing_in(jobs, how, sandbox_workspace, scenario, tmp_path):
    """Issue 29, 2: Ctrl-C after the fetch, while ``run`` drew its PDFs, only cancelled the
    event loop's task, which the drawing never awaited: the run went on to `PDF reports:
    30/30`, swapped its folder in over the previous run, and said "Interrupted" 24 s later.
    Now it stops there: exit 130 (143), the previous run as it was, within 2 s."""
    app = create_app(sandbox_workspace, api_key=SANDBOX_KEY, rate_limit=None,
                     daily_limit=None)
    with SandboxServer(app) as server:
        env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": server.base_url,
               "REPORTER_RATE_LIMIT": "6000", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
        args = ["run", scenario.slug, "--month", MONTH, "--out", str(tmp_path / "out")]
        previous = subprocess.run([sys.executable, "-m", "reporter.cli", *args, "--no-pdf"],
                                  env=env, capture_output=True, text=True, timeout=120)
        assert previous.returncode == 0, previous.stderr
        run_dir = tmp_path / "out" / scenario.slug / MONTH
        before = _folder(run_dir)
        proc = _as_a_user_starts_it([*args, "--transcripts", "--jobs", jobs], env)
        code, seconds, after, workers = _interrupt_while_drawing(proc, how)
    assert code == (130 if how == signal.SIGINT else 143), after
    assert after.splitlines() == [INTERRUPTED]
    assert seconds < GONE_WITHIN, f"{seconds:.1f} s from {how.name} to the command's end"
    assert _folder(run_dir) == before
    assert sorted(p.name for p in run_dir.parent.iterdir()) == [MONTH]
    assert len(workers) >= int(jobs) and _none_left(workers) == []


# -- a render worker killed (issue 30, 4) ----------------------------------------------------

def _render_workers(pid: int) -> set[int]:
    """The render workers among the command's processes (not multiprocessing's tracker)."""
    found = set()
    for child in _children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.add(child)
        except OSError:
            continue
    return found


def _manifest_reps(run_dir: Path) -> dict[str, tuple[str, str | None]]:
    reps = json.loads((run_dir / "manifest.json").read_text())["reps"]
    return {r["email"]: (r["status"], r["pdf"]) for r in reps}


@pytest.mark.slow
def test_a_render_worker_killed_costs_no_report(tmp_path):
    """Issue 30, 4: ``kill -9`` of a render worker drawing a report broke the whole pool:
    every report not yet drawn failed. Now a new worker takes its place and draws that report
    again: every report is drawn, exit 0, not a warning."""
    snapshot = _drawing_snapshot(tmp_path / "snapshot.json", reps=5, lines=600)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    proc = _as_a_user_starts_it(["render", str(snapshot), "--out", str(tmp_path / "out"),
                                 "--transcripts", "--no-xlsx", "--jobs", "2"], env)
    before = _read_until(proc, "PDF reports:")  # Ada's is drawn: both draw long ones now
    workers = _render_workers(proc.pid)
    assert len(workers) == 2
    os.kill(min(workers), signal.SIGKILL)
    _, rest = proc.communicate(timeout=300)
    err = "".join(before) + rest
    assert proc.returncode == 0, err
    assert "warning" not in err and "Traceback" not in err
    run_dir = tmp_path / "out" / "procurement-discovery" / "2026-10"
    reps = _manifest_reps(run_dir)
    assert len(reps) == 5 and {status for status, _ in reps.values()} == {"ok"}
    assert sorted(p.name for p in (run_dir / "reps").iterdir()) == sorted(
        Path(pdf).name for _, pdf in reps.values() if pdf)


@pytest.mark.slow
def test_a_report_that_kills_its_worker_twice_fails_alone_and_keeps_its_previous_one(tmp_path):
    """Issue 30, 4: a rerun over a complete 12-rep run, and the OOM killer (SIGKILL) takes the
    worker drawing one rep's report, every time (``tests/worker_faults``). Before, 6 of 12
    reports failed, each said twice, and that run replaced the complete one. Now the report
    is tried in a second worker, then fails alone, in one line naming the rep and the cause;
    the 11 others are drawn and the run is swapped in, and the failed rep's report of the run
    it replaced is kept in previous-reports/ (said in one line, exit 1), not lost."""
    reps = [f.rep(who, [f.session(60 + n, f.at(3 + n), who=who)])
            for n, who in enumerate(f.user(f"Rep{n:02d}", "Twelve", f"rep{n:02d}@example.com")
                                    for n in range(12))]
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text(json.dumps(f.snapshot(reps)))
    args = [sys.executable, "-m", "reporter.cli", "render", str(snapshot), "--out",
            str(tmp_path / "out"), "--no-xlsx", "--jobs", "2"]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    first = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    run_dir = tmp_path / "out" / "procurement-discovery" / "2026-10"
    victim = "rep07@example.com"
    _, previous_pdf = _manifest_reps(run_dir)[victim]
    assert previous_pdf
    previous_report = (run_dir / previous_pdf).read_bytes()

    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300,
                           env={**env, **fault_env(kill_drawing=victim)})
    warnings = [line for line in rerun.stderr.splitlines() if line.startswith("warning")]
    kept = run_dir / "previous-reports" / Path(previous_pdf).name
    assert rerun.returncode == 1, rerun.stderr
    assert warnings == [
        f"warning: {victim}: PDF failed: the render process drawing it was killed "
        "(SIGKILL), twice",
        f"warning: the previous report of {victim}, whose report failed in this run, is kept "
        f"in {kept.parent}"], rerun.stderr
    now = _manifest_reps(run_dir)
    assert now.pop(victim) == ("failed", None)
    assert len(now) == 11 and {status for status, _ in now.values()} == {"ok"}
    assert sorted(p.name for p in (run_dir / "reps").iterdir()) == sorted(
        Path(pdf).name for _, pdf in now.values() if pdf)
    assert kept.read_bytes() == previous_report
    listed = json.loads((run_dir / "manifest.json").read_text())["files"]
    assert f"previous-reports/{kept.name}" in listed
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["2026-10"]
    # Failing again the month after, or the day after: the last report they had is kept.
    again = subprocess.run(args, capture_output=True, text=True, timeout=300,
                           env={**env, **fault_env(kill_drawing=victim)})
    assert again.returncode == 1 and warnings[-1] in again.stderr.splitlines(), again.stderr
    assert kept.read_bytes() == previous_report


def _bent_run(proxy, scenario, tmp_path: Path, monkeypatch, *emails: str):
    monkeypatch.setenv("EXEC_API_URL", proxy.base_url)
    return invoke("run", scenario.slug, *emails, "--month", MONTH, "--out", tmp_path / "out",
                  "--no-pdf", "--no-xlsx", "-q")


def test_a_timestamp_without_a_time_zone_in_an_answer_is_one_line(env, scenario, tmp_path,
                                                                  monkeypatch):
    """Issue 21, 10: a listed session dated "2026-10-05T10:00:00" (no offset): exit 1, one
    line naming the field, nothing written."""
    def naive(path, query, body):
        if path == "/sessions" and body["data"]:
            body["data"][1]["created_at"] = "2026-10-05T10:00:00"
        return body

    with bending_proxy(env) as proxy:
        proxy.bend.body = naive
        result = _bent_run(proxy, scenario, tmp_path, monkeypatch)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: GET /sessions: unexpected response: field 'data[1].created_at' value error, "
        "has no time zone (the api's timestamps carry one)"]
    assert not (tmp_path / "out" / scenario.slug / MONTH).exists()


def test_answers_too_big_or_too_deep_are_one_line(env, scenario, tmp_path, monkeypatch):
    """Issue 21, 9: a gzip body that inflates to 200 MB, and JSON nested 200,000 deep: each
    is one line, exit 1, and the client never holds the inflated body."""
    import gzip

    from starlette.responses import Response


    bomb = gzip.compress(b'{"id": "' + b"0" * (200 * 2**20) + b'"}', compresslevel=9)
    deep = b"[" * 200_000 + b"]" * 200_000
    with bending_proxy(env) as proxy:
        proxy.bend.answer = lambda request: Response(
            bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        big = _bent_run(proxy, scenario, tmp_path, monkeypatch)
        proxy.bend.answer = lambda request: Response(deep, media_type="application/json")
        nested = _bent_run(proxy, scenario, tmp_path, monkeypatch)
    assert (big.exit_code, big.output.strip().splitlines()) == (1, [
        "Error: GET /workspace: unexpected response: field 'body' is larger than 32 MB once "
        "decoded; refused"])
    assert (nested.exit_code, nested.output.strip().splitlines()) == (1, [
        "Error: GET /workspace: unexpected response: field 'body' is nested too deep"])


def test_a_server_trickling_its_answer_meets_the_per_request_deadline(sandbox, scenario,
                                                                      tmp_path):
    """Issue 21, 9: a byte every 0.3 s never trips a read timeout; the request's deadline
    (REPORTER_REQUEST_DEADLINE here 1 s) ends it, one line after the retries, exit 1. The
    retries back off 10 ms at first (``[api] retry_delay``), not 0.5 s: the deadline is what
    is tested, not the wait."""
    import asyncio

    from starlette.responses import StreamingResponse


    async def trickle():
        for byte in b'{"id": "ws", "name": "slow"}':
            await asyncio.sleep(0.3)
            yield bytes([byte])

    with bending_proxy(sandbox) as proxy:
        proxy.bend.answer = lambda request: StreamingResponse(trickle(),
                                                              media_type="application/json")
        env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": proxy.base_url,
               "XDG_CACHE_HOME": str(tmp_path / "xdg"), "REPORTER_REQUEST_DEADLINE": "1"}
        config = tmp_path / "reporter.toml"
        config.write_text("[api]\nretry_delay = 0.01\n")
        done = subprocess.run(
            [sys.executable, "-m", "reporter.cli", "run", scenario.slug, "--month", MONTH,
             "--out", str(tmp_path / "out"), "-q", "--config", str(config)],
            env=env, capture_output=True, text=True, timeout=120)
        asked = proxy.bend.count("/workspace")
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"Error: GET /workspace: the answer took longer than 1 s after {asked} attempts"]
    assert 1 < asked <= 6


def test_a_snapshot_value_the_contract_does_not_allow_is_one_line(tmp_path):
    """Issue 21, 10: a session scored "high" and a rank "diamond" in a snapshot: left out,
    one warning naming the fields; a snapshot nested too deep to read: exit 2, one line."""
    rep = f.rep(sessions=[f.session(70, f.at(3)), f.session(80, f.at(4))])
    data = f.snapshot([rep])
    data["reps"][0]["sessions"][0]["score"] = "high"
    data["reps"][0]["sessions"][1]["rank"] = "diamond"
    snap = tmp_path / "s.json"
    snap.write_text(json.dumps(data))
    result = invoke("render", snap, "--out", tmp_path / "out", "--no-pdf", "--no-xlsx", "-q")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if "left out" in line]
    assert len(lines) == 1
    assert "reps.0.sessions.0.score" in lines[0] and "reps.0.sessions.1.rank" in lines[0]
    deep = tmp_path / "deep.json"
    deep.write_text('{"schema_version": 1, "scenario": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = invoke("render", deep, "--out", tmp_path / "out")
    assert (result.exit_code, result.output.strip().splitlines()) == (2, [
        f"Error: {deep} is not a snapshot (nested too deep to read)"])


# -- reporter scenarios --------------------------------------------------------------------

CATALOGUE = """\
Collections (5)
  slug                      name                      scenarios
  account-management        Account Management        1
  core-sales-conversations  Core Sales Conversations  3
  prospecting               Prospecting               1
  ventas-espana             Ventas España             1
  vertrieb-dach             Vertrieb DACH             1

Scenarios (7)
  slug                              name                                                    collection                skills
  renewal-negotiation-procurement   Renewal Negotiation with Procurement                    account-management        Negotiation
  competitive-displacement          Competitive Displacement: Replacing the Incumbent       core-sales-conversations  Discovery, Value Selling
  discovery-call-it-director        Discovery Call with an IT Director                      core-sales-conversations  Discovery, Qualification
  handling-pricing-objections       Handling Pricing Objections                             core-sales-conversations  Objection Handling, Negotiation
  cold-call-first-meeting           Cold Call: Booking the First Meeting                    prospecting               Prospecting
  descubrimiento-directora-compras  Llamada de descubrimiento con una directora de compras  ventas-espana             Descubrimiento, Cualificación
  erstgespraech-it-leiter           Erstgespräch mit einem IT-Leiter                        vertrieb-dach             Bedarfsanalyse, Qualifizierung
"""  # noqa: E501


def test_scenarios_lists_collections_and_scenarios_and_says_what_it_cost(env):
    result = invoke("scenarios")
    assert result.exit_code == 0, result.output
    assert result.stdout == CATALOGUE
    assert result.stderr.splitlines() == [
        "7 requests: 1 for the collections, 5 for what each collection holds (a scenario does "
        "not name its collection), 1 for every scenario with its skills"]
    assert env.state.total_requests == 7
    assert env.state.by_path == {"/collections": 1, "/scenarios": 6}


def test_scenarios_of_one_collection_cost_two_requests(env):
    result = invoke("scenarios", "--collection", "CORE SALES CONVERSATIONS", "--archived")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Collections (1)",
        "  slug                      name                      scenarios",
        "  core-sales-conversations  Core Sales Conversations  3",
        "",
        "Scenarios (3)",
        "  slug                         name                                               "
        "collection                skills",
        "  competitive-displacement     Competitive Displacement: Replacing the Incumbent  "
        "core-sales-conversations  Discovery, Value Selling",
        "  discovery-call-it-director   Discovery Call with an IT Director                 "
        "core-sales-conversations  Discovery, Qualification",
        "  handling-pricing-objections  Handling Pricing Objections                        "
        "core-sales-conversations  Objection Handling, Negotiation",
    ]
    assert result.stderr.splitlines() == [
        "2 requests: 1 for the collections, 1 for what Core Sales Conversations holds"]
    assert env.state.total_requests == 2


def test_scenarios_with_archived_ones_and_an_unknown_collection(env):
    result = invoke("scenarios", "--archived", "-q")
    assert result.exit_code == 0 and result.stderr == ""
    assert "  prospecting               Prospecting               2" in result.stdout
    archived = next(line for line in result.stdout.splitlines()
                    if line.startswith("  legacy-platform-demo "))
    assert archived.split() == [
        "legacy-platform-demo", "Product", "Demo:", "Legacy", "Platform", "(2024)",
        "prospecting", "Discovery"]
    env.state.reset()
    wrong = invoke("scenarios", "--collection", "core-sales")
    assert wrong.exit_code == 2 and wrong.stdout == ""
    assert wrong.stderr == ("Error: unknown collection 'core-sales'; did you mean "
                            "core-sales-conversations?\n")
    assert env.state.by_path == {"/collections": 1}  # nothing more spent on a typo


def test_fetch_of_a_collection_writes_a_program_snapshot(env, tmp_path):
    result = invoke("fetch", "--collection", "core-sales-conversations", "--month", MONTH,
                    "--snapshot", tmp_path / "p.json", "--cache-dir", tmp_path / "cache", "-q")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["kind"] == "program" and data["schema_version"] == 3
    assert data["program"]["slug"] == "core-sales-conversations"
    assert [s["scenario"]["slug"] for s in data["scenarios"]] == [
        "discovery-call-it-director", "handling-pricing-objections",
        "competitive-displacement"]
    assert data["fetch"]["requests_made"] == env.state.total_requests
    assert env.state.by_path["/sessions"] == 2  # one listing (two pages) for all three


def test_program_dry_run_names_the_program_and_an_unknown_one_is_one_line(env, tmp_path):
    result = invoke("run", "--scenario", "discovery-call-it-director", "--scenario",
                    "handling-pricing-objections", "--month", MONTH, "--dry-run",
                    "--cache-dir", tmp_path / "cache")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "program: Discovery Call with an IT Director + Handling Pricing Objections "
        "(scenarios: 2 scenarios, 4 skills)")
    assert env.state.by_path.get("/sessions/{id}", 0) == 0
    env.state.reset()
    wrong = invoke("run", "--collection", "core-sales-conversatons", "--dry-run")
    assert wrong.exit_code == 2 and wrong.stdout == ""
    assert wrong.stderr == ("Error: unknown collection 'core-sales-conversatons'; did you mean "
                            "core-sales-conversations?\n")
    assert env.state.by_path == {"/workspace": 1, "/collections": 1}  # no session request


def test_sync_dry_run_says_what_a_day_needs_and_fetches_no_detail(env, tmp_path):
    result = invoke("sync", "--collection", "core-sales-conversations", "--max-requests", "3",
                    "--since", "2026-10-01", "--until", "2026-10-31", "--dry-run",
                    "--cache-dir", tmp_path / "cache")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("graded sessions: ") and lines[0].endswith(" to fetch now")
    assert re.fullmatch(r"a day needs about \d+ requests = 5 to discover \+ \d+ details "
                        r"\(\d+ graded sessions in the last 30 days / 30\)", lines[1])
    assert lines[2].startswith("--max-requests 3 does not keep up: ")
    assert env.state.by_path.get("/sessions/{id}", 0) == 0
