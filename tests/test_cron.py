"""The shipped crontab, as cron runs it: its two lines, word for word, against the sandbox and a
real SMTP server (STARTTLS and a login, as examples/reporter.toml asks for), with the example
config whose SMTP host and port alone are changed (issue 29, 6).

What stands in for the machine: /srv/reporter is a temporary folder holding copies of
examples/reporter.toml and examples/roster.csv, /etc/reporter/env a file exporting what the
job's environment would hold (the key, EXEC_API_URL pointing at the sandbox, the SMTP
password, the venv's bin on PATH, a certificate the SMTP server's is trusted by), and the clock
is the cron moment of each line (libfaketime: the 1st of November 2026, 05:30 and 06:00 UTC),
so that `month = "last"` is October whatever day the tests run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import SANDBOX_KEY, Recorder, self_signed, tls_login_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PASSWORD = "cron-s3cret"
#: When cron starts each line on the 1st of November 2026 (UTC): the sync, then the month.
CRON_MOMENTS = ("2026-11-01 05:30:00", "2026-11-01 06:00:00")


@pytest.fixture(scope="module")
def smtp_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Recorder,
                                                                           Path]]:
    """STARTTLS and AUTH required, as the example config's [email] uses them, with a
    self-signed certificate for 127.0.0.1 valid around the cron moments (made on the clock
    of the day before them); accepts the example's user with PASSWORD."""
    context, cert = self_signed(tmp_path_factory.mktemp("smtp-tls"), days=3,
                                made_at="2026-10-31 00:00:00")
    recorder = Recorder(reject=set())
    with tls_login_server(context, b"enablement@acme.example", PASSWORD, recorder) as port:
        yield port, recorder, cert


def _faketime() -> str:
    found = shutil.which("faketime")
    assert found, "libfaketime's faketime is missing: make setup-test installs it"
    return found


def cron_lines() -> list[str]:
    """The commands of examples/crontab, as cron hands them to the shell: the five time
    fields cut off, and ``\\%`` read as ``%``."""
    lines = [line for line in (EXAMPLES / "crontab").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return [re.split(r"\s+", line.strip(), maxsplit=5)[5].replace("\\%", "%")
            for line in lines]


@pytest.mark.slow
def test_the_shipped_crontab_mails_every_rep_whose_report_was_made(
        sandbox, sandbox_workspace, smtp_server, tmp_path):
    port, recorder, cert = smtp_server
    sandbox.state.reset()

    job = tmp_path / "srv" / "reporter"
    job.mkdir(parents=True)
    config = (EXAMPLES / "reporter.toml").read_text(encoding="utf-8")
    changed = config.replace('smtp_host = "smtp.acme.example"', 'smtp_host = "127.0.0.1"')
    changed = changed.replace("smtp_port = 587", f"smtp_port = {port}")
    assert changed.count("127.0.0.1") == 1 and changed.count(str(port)) == 1
    (job / "reporter.toml").write_text(changed, encoding="utf-8")
    # The example roster, and two entries a real one soon has: a rep without a session in
    # October, and someone who left the workspace. Listed, not fatal.
    roster = (EXAMPLES / "roster.csv").read_text(encoding="utf-8")
    (job / "roster.csv").write_text(
        roster + "Morgan Reyes,morgan.reyes@northwind.example,East\n"
        "Gone,gone@northwind.example,East\n", encoding="utf-8")
    env_file = tmp_path / "etc" / "reporter" / "env"
    env_file.parent.mkdir(parents=True)
    env_file.write_text(
        f"export EXEC_API_KEY={SANDBOX_KEY}\n"
        f"export EXEC_API_URL={sandbox.base_url}\n"
        f"export REPORTER_SMTP_PASSWORD={PASSWORD}\n"
        f"export XDG_CACHE_HOME={tmp_path / 'cache'}\n"
        f"export SSL_CERT_FILE={cert}\n"
        f"export PATH={Path(sys.executable).parent}:$PATH\n", encoding="utf-8")

    lines = cron_lines()
    assert len(lines) == 2
    done = []
    for moment, line in zip(CRON_MOMENTS, lines, strict=True):
        command = (line.replace("/srv/reporter", str(job))
                   .replace("/etc/reporter/env", str(env_file)))
        done.append(subprocess.run(
            [_faketime(), moment, "bash", "-c", command], capture_output=True, text=True,
            timeout=600, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                              "LANG": "C.UTF-8", "SHELL": "/bin/sh"}))
    sync, monthly = done
    assert sync.returncode == 0, sync.stderr
    assert monthly.returncode == 0, monthly.stderr
    warnings = monthly.stderr.splitlines()
    assert "warning: morgan.reyes@northwind.example: no sessions in 2026-10" in warnings
    assert "warning: gone@northwind.example: not a member of the workspace" in warnings

    # `out = "../output"` is relative to the config file, for run and email alike.
    run_dir = tmp_path / "srv" / "output" / "discovery-call-it-director" / "2026-10"
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    reported = {r["email"] for r in manifest["reps"] if r["pdf"]}
    assert reported == {"amelie.durand@northwind.example", "juergen.mueller@northwind.example",
                        "xiaoming.wang@northwind.example", "sofia.nunez@northwind.example",
                        "hanako.sato@northwind.example"}
    mailed = [to for m in recorder.received for to in m.rcpt_tos]
    managers = {"dana.whitfield@acme.example", "marcus.osei@acme.example",
                "priya.raman@acme.example"}
    assert sorted(to for to in mailed if to not in managers) == sorted(reported)
    assert sorted(to for to in mailed if to in managers) == sorted(managers)
    assert all(r["message_id"] for r in manifest["reps"] if r["pdf"])
