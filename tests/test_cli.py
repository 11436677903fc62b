"""The command line as a user meets it: exit codes and the exact messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reporter import __version__
from reporter.cli import cli
from tests import snapshot_factory as f
from tests.support import SANDBOX_KEY

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "exec_live_" + "Ab3" * 13 + "x"


@pytest.fixture
def runner(monkeypatch, tmp_path):
    monkeypatch.setenv("EXEC_API_KEY", GOOD_KEY)
    monkeypatch.setenv("EXEC_API_URL", "http://127.0.0.1:9/rest/v1")  # nothing listens there
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"reporter, version {__version__}"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["fetch", "disc", "--snapshot", "s.json", "--month", "2026-13"], {},
         "Error: --month '2026-13' is not a month: use YYYY-MM or 'last'"),
        (["fetch", "disc", "--snapshot", "s.json", "--month", "2999-01"], {},
         "Error: --month 2999-01 is in the future"),
        (["fetch", "disc", "--snapshot", "s.json", "--since", "2026-10-10", "--until",
          "2026-10-01"], {}, "Error: --since 2026-10-10 is after --until 2026-10-01"),
        (["fetch", "disc", "--snapshot", "s.json", "--since", "yesterday"], {},
         "Error: --since 'yesterday' is not a date: use YYYY-MM-DD or an ISO datetime"),
        (["fetch", "disc", "--snapshot", "s.json", "--roster", "missing.csv"], {},
         "Error: roster file not found: missing.csv"),
        (["fetch", "disc", "--snapshot", "s.json"], {"EXEC_API_KEY": "exec_live_tooshort"},
         "Error: EXEC_API_KEY is malformed: expected 'exec_live_' followed by 40 letters or "
         "digits"),
        (["fetch", "disc", "--snapshot", "s.json"], {"EXEC_API_KEY": ""},
         "Error: no API key: set EXEC_API_KEY (create one in Exec under Settings > API)"),
        (["fetch", "--snapshot", "s.json"], {},
         "Error: which scenario? give it: reporter fetch SCENARIO [EMAIL]... (or a program: "
         "--collection NAME, --scenario X --scenario Y, --assigned)"),
        (["run", "--collection", "core", "--assigned", "--dry-run"], {},
         "Error: --collection and --assigned choose the scenarios two ways: give one of "
         "SCENARIO, --scenario, --collection or --assigned"),
        (["fetch", "--scenario", "a", "--scenario", "b", "--collection", "c", "--snapshot",
          "s.json"], {},
         "Error: --collection and --scenario choose the scenarios two ways: give one of "
         "SCENARIO, --scenario, --collection or --assigned"),
        (["sync", "disc", "--collection", "core", "--dry-run"], {},
         "Error: SCENARIO 'disc' and --collection: give one of SCENARIO, --scenario, "
         "--collection or --assigned (with --collection the arguments are EMAILs)"),
        (["run", "disc", "--assigned"], {},
         "Error: SCENARIO 'disc' and --assigned: give one of SCENARIO, --scenario, "
         "--collection or --assigned (with --assigned the arguments are EMAILs)"),
        (["fetch", "--collection", "core", "a@x.test", "--group", "Sales", "--snapshot",
          "s.json"], {}, "Error: choose reps one way: EMAIL arguments, --roster or --group"),
        (["fetch", "disc", "a@x.test", "--group", "Sales", "--snapshot", "s.json"], {},
         "Error: choose reps one way: EMAIL arguments, --roster or --group"),
        (["fetch", "disc", "--snapshot", "s.json", "--config", "nope.toml"], {},
         "Error: config file not found: nope.toml"),
        (["render", "missing.json"], {}, "Error: snapshot not found: missing.json"),
        (["email", "nowhere"], {},
         "Error: nowhere is not a run folder (no manifest.json), nor is output/nowhere"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(runner, tmp_path, monkeypatch, args,
                                                        env, message):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [message]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "disc", "--out", "taken"],
         "Error: --out taken cannot be a folder: taken is a file"),
        (["run", "disc", "--out", "taken/below"],
         "Error: --out taken/below cannot be a folder: taken is a file"),
        (["fetch", "disc", "--snapshot", "adir"],
         "Error: --snapshot adir is a folder: name the file to write"),
        (["fetch", "disc", "--snapshot", "s.json", "--cache-dir", "taken/c"],
         "Error: --cache-dir taken/c cannot be a folder: taken is a file"),
    ],
)
def test_unusable_folders_are_refused_before_any_request(runner, tmp_path, args, message):
    """Issue 10, 7: one line and exit 2, before the first request (nothing listens at the API
    URL here: a request would end in exit 1 after the retries)."""
    (tmp_path / "taken").write_text("a file")
    (tmp_path / "adir").mkdir()
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [message]


def test_malformed_key_never_printed(runner, monkeypatch):
    bad = "exec_live_" + "S3cr3t" * 6 + "!!!!"
    monkeypatch.setenv("EXEC_API_KEY", bad)
    result = runner.invoke(cli, ["fetch", "disc", "--snapshot", "s.json"])
    assert result.exit_code == 2 and bad not in result.output and "S3cr3t" not in result.output


def test_unreachable_server_is_a_clean_failure(runner, tmp_path):
    """Every retry spent (the first waits at most 10 ms here, ``[api] retry_delay``, instead
    of 0.5 s), then one line counting the attempts, never the key."""
    (tmp_path / "reporter.toml").write_text("[api]\nretry_delay = 0.01\n")
    result = runner.invoke(cli, ["fetch", "disc", "--snapshot", "s.json", "-q"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: GET /workspace: could not connect to http://127.0.0.1:9/rest/v1 after 6 "
        "attempts (the API's URL, set by EXEC_API_URL)")
    assert GOOD_KEY not in result.output


def test_an_unreachable_url_from_the_config_file_names_the_file(runner, tmp_path, monkeypatch):
    """Issue 29, 7: the line names the URL tried and the setting that set it, here the
    config file's [api] url (a closed loopback port), never the key."""
    monkeypatch.delenv("EXEC_API_URL")
    (tmp_path / "reporter.toml").write_text(
        '[api]\nretry_delay = 0.01\nurl = "http://127.0.0.1:9/"\n')
    result = runner.invoke(cli, ["scenarios", "-q"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: GET /collections: could not connect to http://127.0.0.1:9 after 6 attempts "
        f"(the API's URL, set by [api] url in {tmp_path / 'reporter.toml'})"]
    assert GOOD_KEY not in result.output


@pytest.mark.parametrize("args", [["scenarios"], ["run", "disc", "--month", "2026-10"]])
def test_a_base_url_without_rest_v1_suggests_the_prefix(runner, sandbox, monkeypatch, args):
    """Issue 29, 7: the sandbox's host without /rest/v1 answers the first request 404; the
    line says what to try and which setting to change."""
    host = sandbox.base_url.removesuffix("/rest/v1")
    monkeypatch.setenv("EXEC_API_URL", host)
    monkeypatch.setenv("EXEC_API_KEY", SANDBOX_KEY)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    first = "/collections" if args == ["scenarios"] else "/workspace"
    assert result.output.strip().splitlines() == [
        f"Error: GET {first}: Not found: {first} (HTTP 404); the API's URL {host} lacks the "
        f"/rest/v1 prefix: try {host}/rest/v1 (set by EXEC_API_URL)"]
    assert SANDBOX_KEY not in result.output


def test_every_command_has_help_with_every_option_explained(runner):
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"{name} {param.opts} has no help"


def test_the_cli_reference_documents_every_command_and_is_current():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## reporter {name}\n" in reference, f"docs/cli.md lacks reporter {name}"
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "update_docs.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_sandbox_command_serves_and_prints_url_and_key(tmp_path):
    import httpx

    proc = subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "sandbox", "--port", "0", "--reps", "8",
         "--today", "2026-11-15", "--no-rate-limit"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
    )
    try:
        lines: list[str] = []
        while not any("EXEC_API_KEY=" in line for line in lines):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        url = next(line for line in lines if "EXEC_API_URL=" in line).split("=", 1)[1].strip()
        key = next(line for line in lines if "EXEC_API_KEY=" in line).split("=", 1)[1].split()[0]
        answer = httpx.get(f"{url}/workspace", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200 and answer.json()["name"]
        refused = httpx.get(f"{url}/workspace")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_api_key"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(
    ("args", "readonly", "message"),
    [
        (["run", "disc", "--out", "out"], "out", "Error: --out out is not writable"),
        (["fetch", "disc", "--snapshot", "s.json", "--cache-dir", "cache"], "cache",
         "Error: --cache-dir cache is not writable"),
        (["email", "run"], "run", "Error: the run folder run is not writable"),
    ],
)
def test_read_only_folders_are_refused_before_anything(runner, tmp_path, monkeypatch, args,
                                                       readonly, message):
    """Issue 10, 7: a read-only folder is one line and exit 2 (root ignores file modes, so the
    check is made to see a read-only folder the way any other user's process would)."""
    import reporter.files

    (tmp_path / readonly).mkdir()
    if readonly == "run":
        (tmp_path / "run" / "manifest.json").write_text("{}")
    real = reporter.files._can_write
    monkeypatch.setattr(reporter.files, "_can_write",
                        lambda folder: Path(folder).name != readonly and real(folder))
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [message]


def _lan_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # UDP: nothing is sent
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_plain_http_to_another_machine_is_refused_before_any_request(
        runner, monkeypatch, sandbox_workspace):
    """Issue 21, 15: EXEC_API_URL with http:// to a non-loopback host is refused (exit 2, one
    line) and the server there never sees the key; http:// to loopback stays allowed."""
    from reporter.sandbox import SandboxServer, create_app

    host = _lan_address()
    if host is None:  # no network interface besides loopback: a host that would be contacted
        monkeypatch.setenv("EXEC_API_URL", "http://api.exec.com/rest/v1")
        result = runner.invoke(cli, ["run", "disc", "--dry-run"])
        assert result.exit_code == 2 and "clear text" in result.output
        return
    app = create_app(sandbox_workspace, rate_limit=None, daily_limit=None)
    with SandboxServer(app, host=host) as server:
        url = server.base_url
        monkeypatch.setenv("EXEC_API_URL", url)
        result = runner.invoke(cli, ["run", "disc", "--dry-run"])
        assert server.state.total_requests == 0
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: EXEC_API_URL '{url}' is plain http:// to another machine, which "
        "would send the API key in clear text; use https:// (http:// is only for this "
        "machine's loopback)"]


def test_templates_export_under_a_file_is_one_line(runner, tmp_path):
    """Issue 21, 16: DEST below a file cannot be made: exit 2, one line naming the file."""
    (tmp_path / "notes.txt").write_text("a file")
    result = runner.invoke(cli, ["templates", "export", str(tmp_path / "notes.txt" / "mine")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"Error: DEST {tmp_path / 'notes.txt' / 'mine'} cannot be a folder: "
        f"{tmp_path / 'notes.txt'} is a file"]


def test_a_config_file_with_a_byte_order_mark_is_read(runner, tmp_path):
    """Issue 21, 16: a reporter.toml saved as 'UTF-8 with BOM' is read like any other: its
    values apply (here an out-of-range jobs is refused by name, proving it was parsed)."""
    (tmp_path / "reporter.toml").write_bytes(b"\xef\xbb\xbfjobs = 0\n")
    result = runner.invoke(cli, ["run", "disc", "--dry-run"])
    assert result.exit_code == 2
    assert "jobs" in result.output and "TOML" not in result.output, result.output


#: What only drawing a PDF, a workbook or an email needs.
HEAVY = ("weasyprint", "openpyxl", "jinja2")

_LOADED_AFTER = """
import sys
from reporter.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="reporter", standalone_mode=False)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("MODULES", " ".join(sorted(sys.modules)))
print("EXIT", code)
"""


def _modules_after(args: list[str], env: dict[str, str]) -> tuple[set[str], str, str]:
    """The modules loaded by the end of ``reporter ARGS``, run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", _LOADED_AFTER, *args], capture_output=True,
                          text=True, env=env, timeout=120)
    [modules] = [line for line in done.stdout.splitlines() if line.startswith("MODULES ")]
    [code] = [line for line in done.stdout.splitlines() if line.startswith("EXIT ")]
    return set(modules.split()[1:]), code.split()[1], done.stderr


def test_help_and_a_render_worker_start_without_the_api_stack(tmp_path):
    """Issue 23, 8: ``reporter --help`` and each command's help load the command line only
    (click), not the settings, HTTP client or pydantic models a command imports when it runs
    (0.2 s to start instead of 0.95 s). The same module is what a render worker imports again
    as it starts (spawn), before its renderer: each worker of every render pays it."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    stack = ("reporter.settings", "reporter.pipeline", "httpx", "pydantic")
    for args in (["--help"], ["sync", "--help"], ["render", "--help"], ["--version"]):
        modules, code, stderr = _modules_after(args, env)
        assert code in ("0", "None"), (args, stderr)
        assert [m for m in stack if m in modules] == [], args
    # What a worker imports by name to start: the jobs' module, without the API's client.
    done = subprocess.run([sys.executable, "-c", "import sys, reporter.render.worker; "
                           "print(' '.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert [m for m in ("httpx", "reporter.exec_api", "reporter.settings")
            if m in done.stdout.split()] == []


def test_the_cron_commands_and_help_never_load_what_draws(sandbox, sandbox_workspace, tmp_path):
    """Issue 23, 2: ``fetch``, ``sync``, ``--dry-run`` and ``--help`` start without WeasyPrint,
    openpyxl or Jinja (no Pango needed, no second and a half paid on every cron start); the
    commands really run (against the sandbox), so a late import on their path is caught too."""
    scenario = next(s.slug for s in sandbox_workspace.scenarios if not s.archived)
    env = {**os.environ, "EXEC_API_KEY": SANDBOX_KEY, "EXEC_API_URL": sandbox.base_url,
           "REPORTER_RATE_LIMIT": "6000", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    commands = [
        ["--help"], ["sync", "--help"], ["fetch", "--help"],
        ["run", scenario, "--month", "2026-10", "--dry-run", "--out", str(tmp_path / "out")],
        ["fetch", scenario, "--month", "2026-10", "--dry-run", "--snapshot",
         str(tmp_path / "plan.json")],
        ["fetch", scenario, "--month", "2026-10", "--snapshot", str(tmp_path / "snap.json")],
        ["sync", scenario, "--month", "2026-10"],
    ]
    for args in commands:
        modules, code, stderr = _modules_after(args, env)
        assert code in ("0", "None"), (args, stderr)
        assert [m for m in HEAVY if m in modules] == [], args
    assert (tmp_path / "snap.json").is_file()
    # And the check sees them when they are there: a render loads all three (of a one-rep
    # snapshot: what is loaded is asked, not how long drawing 30 reports takes).
    one = tmp_path / "one.json"
    one.write_text(json.dumps(f.snapshot([f.rep(sessions=[f.session(70, f.at(3))])])))
    modules, code, stderr = _modules_after(
        ["render", str(one), "--out", str(tmp_path / "out"), "--jobs", "1"], env)
    assert code in ("0", "1", "None"), stderr
    assert [m for m in HEAVY if m in modules] == list(HEAVY)
