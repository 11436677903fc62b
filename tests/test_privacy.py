"""Privacy and security at rest (docs/reliability.md, "Privacy and security"): what reporter writes
is its owner's alone, a config file others can change is refused, the cache forgets, the day's
count is exact, and a disk's refusal names its path. Every check runs the command line against
the session's sandbox over loopback, as a user would."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support import SANDBOX_KEY, invoke

MONTH = "2026-10"


@pytest.fixture(scope="module")
def two_reps(sandbox_workspace, scenario) -> list[str]:
    """Two members with a graded session of ``scenario`` in MONTH: a run of two PDFs."""
    active = {s.user_id for s in sandbox_workspace.sessions
              if s.scenario_id == scenario.id and s.is_valid_attempt
              and s.created_at.strftime("%Y-%m") == MONTH}
    return sorted(u.email for u in sandbox_workspace.users
                  if u.id in active and u.is_member and not u.is_system)[:2]


@contextmanager
def umask(value: int) -> Iterator[None]:
    """The process's umask set to ``value`` (render workers inherit it), put back after."""
    before = os.umask(value)
    try:
        yield
    finally:
        os.umask(before)


def loose(root: Path) -> list[str]:
    """Every file or folder under ``root`` (itself included) that its group or others may
    use, with its mode: what personal data at rest must never be."""
    found = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {mode:04o}")
    return found


# -- 8: files at rest ------------------------------------------------------------------------


def test_every_file_a_run_and_a_send_write_is_the_owners_alone_under_umask_022(
        env, scenario, two_reps, tmp_path, plain_server):
    controller, recorder = plain_server
    recorder.received.clear()
    out, cache = tmp_path / "out", tmp_path / "cache"
    with umask(0o022):
        ran = invoke("run", scenario.slug, *two_reps, "--month", MONTH, "--out", out,
                     "--cache-dir", cache, "--csv", "--jobs", "1")
        assert ran.exit_code == 0, ran.output
        sent = invoke("email", out / scenario.slug / MONTH, "--send", "--smtp-host",
                      "127.0.0.1", "--smtp-port", controller.port, "--security", "none",
                      "--from", "coach@acme.example")
        assert sent.exit_code == 0, sent.output
        fetched = invoke("fetch", scenario.slug, *two_reps, "--month", MONTH, "--snapshot",
                         tmp_path / "snaps" / "snap.json", "--cache-dir", cache)
        assert fetched.exit_code == 0, fetched.output
    assert len(recorder.received) == 2
    assert (out / ".sent" / f"{MONTH}.json").is_file()
    assert list((cache / "usage").glob("*.json"))
    assert list(cache.rglob("sessions/*.json"))
    assert loose(out) == [] and loose(cache) == [] and loose(tmp_path / "snaps") == []


def test_a_rewrite_never_loosens_a_file(env, scenario, two_reps, tmp_path):
    snap = tmp_path / "snap.json"
    args = ("fetch", scenario.slug, *two_reps[:1], "--month", MONTH, "--snapshot", snap,
            "--no-compare")
    with umask(0o077):
        assert invoke(*args).exit_code == 0
    assert stat.S_IMODE(snap.stat().st_mode) == 0o600
    snap.chmod(0o400)
    with umask(0o022):
        assert invoke(*args).exit_code == 0
    assert stat.S_IMODE(snap.stat().st_mode) == 0o400


# -- 12: the day's request count -------------------------------------------------------------


def test_two_commands_at_once_count_every_request_of_the_day(sandbox, scenario, tmp_path):
    """Two real processes with the same key and cache folder, each fetching the whole cohort
    without the cache: the day's count on disk is the sum of what each says it made."""
    cache = tmp_path / "cache"
    env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": sandbox.base_url,
           "REPORTER_RATE_LIMIT": "100000", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    procs = [subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "fetch", scenario.slug, "--month", MONTH,
         "--no-cache", "--cache-dir", str(cache), "--snapshot", str(tmp_path / f"{n}.json")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in (1, 2)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    made = sum(json.loads((tmp_path / f"{n}.json").read_text())["fetch"]["requests_made"]
               for n in (1, 2))
    (usage,) = (cache / "usage").glob("*.json")
    (counted,) = json.loads(usage.read_text()).values()  # today's, whichever day that is
    assert made > 100 and counted == made


# -- 7: a config file others can write --------------------------------------------------------


def test_a_config_file_others_can_write_is_refused_before_any_request(env, scenario, tmp_path,
                                                                       monkeypatch):
    monkeypatch.delenv("EXEC_API_KEY")
    config = tmp_path / "reporter.toml"
    config.write_text(f'scenario = "{scenario.slug}"\nmonth = "{MONTH}"\n'
                      f'[api]\nkey = "{SANDBOX_KEY}"\n')
    config.chmod(0o666)
    refused = invoke("run", "--dry-run")
    assert refused.exit_code == 2
    assert refused.output == (
        "Error: config file reporter.toml can be changed by other users (mode 0666) and sets "
        "[api] key; fix: chmod go-w reporter.toml\n")
    assert env.state.total_requests == 0
    config.chmod(0o620)  # group-writable is as bad
    assert invoke("run", "--dry-run").exit_code == 2
    config.chmod(0o644)  # the fix the message gives
    assert invoke("run", "--dry-run").exit_code == 0
    # A file that says nothing about the key or where anything goes is read whatever its mode.
    config.write_text(f'month = "{MONTH}"\n')
    config.chmod(0o666)
    monkeypatch.setenv("EXEC_API_KEY", SANDBOX_KEY)
    assert invoke("run", scenario.slug, "--dry-run").exit_code == 0


@pytest.mark.parametrize("line", ['[api]\nurl = "https://elsewhere.example/rest/v1"',
                                  'templates = "."', '[email]\nsmtp_host = "mail.example"'])
def test_a_writable_config_setting_where_things_go_is_refused(env, scenario, tmp_path, line):
    config = tmp_path / "other.toml"
    config.write_text(line + "\n")
    config.chmod(0o646)
    refused = invoke("run", scenario.slug, "--month", MONTH, "--config", config, "--dry-run")
    assert refused.exit_code == 2
    assert refused.output.startswith(f"Error: config file {config} can be changed by other "
                                     "users (mode 0646) and sets ")
    assert refused.output.endswith(f"; fix: chmod go-w {config}\n")
    assert env.state.total_requests == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_config_file_another_user_owns_is_refused(env, scenario, tmp_path):
    config = tmp_path / "reporter.toml"
    config.write_text(f'[api]\nkey = "{SANDBOX_KEY}"\n')
    os.chown(config, 4242, 4242)
    refused = invoke("run", scenario.slug, "--month", MONTH, "--dry-run")
    assert refused.exit_code == 2
    assert refused.output == (
        "Error: config file reporter.toml belongs to another user (uid 4242) and sets "
        "[api] key, so that user decides where the key goes; use a copy of your own: "
        "cp reporter.toml mine.toml\n")
    assert env.state.total_requests == 0


# -- 14: twins by case in a snapshot -----------------------------------------------------------


def test_render_takes_case_twins_in_a_snapshot_as_one_person(env, scenario, two_reps,
                                                              tmp_path):
    snap = tmp_path / "snap.json"
    assert invoke("fetch", scenario.slug, *two_reps, "--month", MONTH, "--snapshot", snap,
                  "--no-compare").exit_code == 0
    data = json.loads(snap.read_text())
    rep = data["reps"][0]
    sessions = rep["sessions"]
    assert len(sessions) >= 2
    twin = {**rep, "user": {**rep["user"], "id": rep["user"]["id"] + "-twin",
                            "email": rep["user"]["email"].upper()},
            "sessions": sessions[1::2]}
    rep["sessions"] = sessions[0::2]
    data["reps"].append(twin)
    snap.write_text(json.dumps(data))
    rendered = invoke("render", snap, "--out", tmp_path / "out", "--no-xlsx", "--jobs", "1")
    assert rendered.exit_code == 0, rendered.output
    assert (f"warning: {rep['user']['email']} and {twin['user']['email']} differ only by "
            "case: taken as one person, in one report\n") in rendered.output
    run_dir = tmp_path / "out" / scenario.slug / MONTH
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert sorted(r["email"] for r in manifest["reps"]) == sorted(two_reps)
    assert len(list((run_dir / "reps").glob("*.pdf"))) == 2
    kept = json.loads((run_dir / "snapshot.json").read_text())["reps"]
    joined = next(r for r in kept if r["user"]["id"] == rep["user"]["id"])
    assert [s["id"] for s in joined["sessions"]] == [s["id"] for s in sessions]


# -- 13: a disk's refusal ----------------------------------------------------------------------


def _command(*args: object) -> list[str]:
    """``reporter ARGS...`` as a process of its own runs it."""
    return [sys.executable, "-m", "reporter.cli", *(str(a) for a in args)]


def _env(server, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": server.base_url,
            "REPORTER_RATE_LIMIT": "100000", "XDG_CACHE_HOME": str(tmp_path / "xdg")}


def _files_at_most(size: int):
    """A child's preexec_fn: no file it writes may grow past ``size`` bytes (a full disk, as
    far as each write can tell), and the write fails with EFBIG instead of killing it."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def test_a_full_disk_is_one_line_naming_the_file(sandbox, scenario, two_reps, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        _command("run", scenario.slug, *two_reps, "--month", MONTH,
                 "--out", out, "--cache-dir", tmp_path / "cache", "--no-xlsx", "--jobs", "1"),
        env=_env(sandbox, tmp_path), capture_output=True, text=True, timeout=300,
        preexec_fn=_files_at_most(40_000))
    assert done.returncode == 1, done.stderr
    last = done.stderr.splitlines()[-1]
    run_dir = out / scenario.slug / MONTH
    assert re.fullmatch(rf"Error: cannot write {re.escape(str(run_dir))}/\S+: File too large",
                        last), last
    assert not run_dir.exists()


def _can_mount_a_tmpfs() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=8k tmpfs /mnt"],
        capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount_a_tmpfs(),
                    reason="a full cache folder is a small tmpfs, mounted in a user namespace")
def test_a_full_cache_folder_is_one_warning_and_the_run_goes_on(sandbox, scenario, two_reps,
                                                                 tmp_path):
    """The cache folder is a tmpfs of 8 KB, mounted for the command alone (a user and mount
    namespace: nothing outside sees it); OUT is on the real disk."""
    cache, out = tmp_path / "cache", tmp_path / "out"
    cache.mkdir()
    mounted = ["unshare", "-rm", "sh", "-c", 'mount -t tmpfs -o size=8k tmpfs "$0" && '
               'exec "$@"', str(cache)]
    done = subprocess.run(
        mounted + _command("run", scenario.slug, *two_reps, "--month",
                           MONTH, "--out", out, "--cache-dir", cache, "--no-xlsx", "--jobs",
                           "1"),
        env=_env(sandbox, tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "cache folder" in line]
    assert len(warnings) == 1 and re.fullmatch(
        rf"warning: cannot write the cache folder {re.escape(str(cache))} \({re.escape(str(cache))}"
        r"/\S+: No space left on device\): going on without it; details fetched now are not "
        r"kept, and the day's request count is kept in memory until it can be written",
        warnings[0]), warnings
    assert len(list((out / scenario.slug / MONTH / "reps").glob("*.pdf"))) == 2


# -- 9: retention --------------------------------------------------------------------------


def _detail(sid: str, email: str, day: str):
    from reporter.exec_api.models import SessionDetail

    return SessionDetail.model_validate({
        "id": sid, "user": {"id": f"u-{email}", "email": email}, "scenario": {"id": "sc1"},
        "score": 80.0, "rank": "silver", "is_valid_attempt": True,
        "created_at": f"{day}T10:00:00Z", "transcript": [{"speaker": "user", "text": "Hi"}],
        "evaluations": []})


def _plant(root: Path, base_url: str, *details, workspace: str = "ws-1") -> dict[str, Path]:
    """Each detail into the cache at ``root`` as a run would have kept it; id -> its file."""
    from reporter.cohort.cache import DetailCache

    cache = DetailCache(root, workspace, base_url)
    for detail in details:
        cache.put(detail)
    return {d.id: cache._path(d.id) for d in details}


def test_cache_prune_removes_what_is_past_retention_and_what_a_person_asks(tmp_path):
    cache = tmp_path / "cache"
    files = _plant(cache, "https://api.exec.com/rest/v1",
                   _detail("old", "bob@acme.test", "2025-10-10"),  # 401 days before
                   _detail("young", "bob@acme.test", "2025-10-12"),  # 399 days before
                   _detail("jane", "jane@acme.test", "2026-11-01"))
    pruned = invoke("cache", "prune", "--cache-dir", cache, "--today", "2026-11-15")
    assert pruned.exit_code == 0, pruned.output
    assert pruned.output == (f"cache {cache}: removed 1 entries (1 of sessions older than 400 "
                             "days), kept 2\n")
    assert not files["old"].exists() and files["young"].exists()
    gone = invoke("cache", "prune", "--cache-dir", cache, "--today", "2026-11-15",
                  "--person", "JANE@acme.test")
    assert gone.output == (f"cache {cache}: removed 1 entries (0 of sessions older than 400 "
                           "days, 1 of jane@acme.test), kept 1\n")
    assert not files["jane"].exists() and files["young"].exists()
    shorter = invoke("cache", "prune", "--cache-dir", cache, "--today", "2026-11-15",
                     "--max-age", "30")
    assert shorter.exit_code == 0 and not files["young"].exists()


def test_the_retention_comes_from_the_config_and_a_bad_one_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cache = tmp_path / "cache"
    files = _plant(cache, "https://api.exec.com/rest/v1",
                   _detail("a", "bob@acme.test", "2026-10-01"),
                   _detail("b", "bob@acme.test", "2026-11-10"))
    (tmp_path / "reporter.toml").write_text('cache_dir = "cache"\ncache_retention_days = 30\n')
    pruned = invoke("cache", "prune", "--today", "2026-11-15")
    assert pruned.output.endswith("removed 1 entries (1 of sessions older than 30 days), "
                                  "kept 1\n")
    assert not files["a"].exists() and files["b"].exists()
    (tmp_path / "reporter.toml").write_text("cache_retention_days = 0\n")
    refused = invoke("cache", "prune", "--today", "2026-11-15")
    assert refused.exit_code == 2
    assert refused.output == ("Error: reporter.toml: cache_retention_days must be a whole "
                              "number of at least 1, got 0\n")
    (tmp_path / "reporter.toml").unlink()
    bad = invoke("cache", "prune", "--person", "not-an-address", "--cache-dir", cache)
    assert bad.exit_code == 2
    assert bad.output == "Error: --person 'not-an-address' is not an email address\n"


def test_each_sync_applies_the_retention(env, scenario, sandbox_workspace, tmp_path):
    cache = tmp_path / "cache"
    args = ("sync", scenario.slug, "--month", MONTH, "--cache-dir", cache, "--today",
            "2026-11-15")
    assert invoke(*args).exit_code == 0
    warmed = set(cache.rglob("sessions/*.json"))
    assert warmed
    files = _plant(cache, env.base_url, _detail("from-2024", "bob@acme.test", "2024-06-01"),
                   workspace=sandbox_workspace.id)
    assert files["from-2024"].parent == next(iter(warmed)).parent  # the sandbox's folder
    again = invoke(*args)
    assert again.exit_code == 0, again.output
    assert (f"cache {cache}: removed 1 entries (1 of sessions older than 400 days), kept "
            f"{len(warmed)}\n") in again.output
    assert set(cache.rglob("sessions/*.json")) == warmed
