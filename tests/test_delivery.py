"""Issue 30: delivery an operator can trust when things go wrong around it: two commands on
one folder by two paths, an answer lost after DATA, a full disk right after delivery, a
password echoed by the server, a relay that never finishes its greeting.

Each test runs the command line (a real process where the fault needs one) against a real
SMTP server on loopback, and asserts what the operator sees (exit status, the lines on
stderr) and what each rep finds in their inbox.
"""

from __future__ import annotations

import base64
import json
import resource
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reporter.cli import cli
from tests.program_factory import program
from tests.program_run import write_program_run, write_scenario_run
from tests.smtp_support import (
    FIVE,
    Holding,
    Misbehaviour,
    email_args,
    five_rep_run,
    ignore_sigxfsz,
    misbehaving,
    received_by,
    relay,
    reporter_process,
)

USER, PASSWORD = "coach", "s3cret-Pa55"


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def reporter(*args: str) -> Result:
    """The command line, in this process."""
    return CliRunner().invoke(cli, list(args))


def test_two_paths_to_one_run_folder_mail_each_rep_once(tmp_path: Path) -> None:
    """Item 1: `email RUN --send` and, meanwhile, `email latest --send` from OUT/<slug>,
    `latest` a relative symlink to RUN. One folder, so one lock: the second stops at once
    (exit 2, one line naming the real folder), and each rep gets one message. The period's
    send record is written, whichever path the send came through."""
    recorder = Holding()
    run_dir = five_rep_run(tmp_path / "out")
    real = run_dir.resolve()
    (run_dir.parent / "latest").symlink_to(run_dir.name)
    with relay(recorder) as port:
        first = reporter_process(email_args("latest", port), cwd=run_dir.parent)
        try:
            assert recorder.holding.wait(60), "the first send never reached the relay"
            second = reporter_process(email_args(run_dir, port))
            _, second_err = second.communicate(timeout=60)
        finally:
            recorder.release.set()
            _, first_err = first.communicate(timeout=60)
        assert received_by(recorder) == dict.fromkeys(FIVE, 1)
    assert first.returncode == 0, first_err
    assert _lines(first_err)[-1] == "sent 5, already sent before 0, failed 0"
    assert second.returncode == 2
    assert _lines(second_err) == [f"Error: another reporter command is using {real}; try "
                                  "again when it has finished"]
    record = json.loads((tmp_path / "out" / ".sent" / "2026-10.json").read_text())
    assert sorted(d["key"] for d in record["sent"]) == sorted(FIVE)
    assert {d["run"] for d in record["sent"]} == {"procurement-discovery/2026-10"}
    assert not list((tmp_path / "out").rglob(".*.lock"))


def _b64(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_login_refusal_that_echoes_the_auth_line_prints_no_credential(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mechanism: str) -> None:
    """Item 10: a 535 echoing what the client sent (AUTH PLAIN's base64 of user and password,
    or AUTH LOGIN's base64 user and base64 password) and the password in quotes: the one
    line on stderr (what cron mails) carries none of them."""
    monkeypatch.setenv("REPORTER_SMTP_PASSWORD", PASSWORD)
    run_dir = five_rep_run(tmp_path / "out")
    with misbehaving(Misbehaviour(auth=mechanism)) as server:
        result = reporter(*email_args(run_dir, server.port, "--smtp-user", USER))
        assert server.kept == []
    assert result.exit_code == 1
    (line,) = _lines(result.stderr)[1:]
    assert line.startswith(f"Error: 127.0.0.1:{server.port} (none): login refused for user "
                           f"'{USER}': 535 5.7.8 refused: AUTH {mechanism} ")
    assert "[credentials removed]" in line
    for secret in (PASSWORD, _b64(f"\0{USER}\0{PASSWORD}"), _b64(USER), _b64(PASSWORD)):
        assert secret not in line
        assert secret.rstrip("=") not in line


@pytest.mark.parametrize("where", ["flag", "config"])
def test_a_trickling_greeting_is_bounded_by_the_step_deadline(tmp_path: Path,
                                                              where: str) -> None:
    """Item 11: `220-still here` every 0.2 s never lets a per-read timeout expire; with
    --smtp-deadline 1 (or [email] smtp_deadline = 1) the greeting gets 1 s in all. One
    line, exit 1, nothing sent, and the run folder free again at once."""
    run_dir = five_rep_run(tmp_path / "out")
    config = tmp_path / "reporter.toml"
    config.write_text("[email]\nsmtp_deadline = 1\n")
    setting = ["--smtp-deadline", "1"] if where == "flag" else ["--config", str(config)]
    with misbehaving(Misbehaviour(trickle=0.2)) as server:
        started = time.monotonic()
        result = reporter(*email_args(run_dir, server.port, *setting))
        took = time.monotonic() - started
        assert server.trickled >= 3 and server.kept == []
    assert result.exit_code == 1
    assert _lines(result.stderr)[1:] == [
        f"Error: cannot connect to SMTP server 127.0.0.1:{server.port} (none): no complete "
        "answer to the greeting within 1 s (--smtp-deadline)"]
    assert took < 10
    assert not list((tmp_path / "out").rglob(".*.lock"))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert not any(rep["message_id"] for rep in manifest["reps"])


def _manifest(run_dir: Path) -> dict[str, dict[str, object]]:
    return {r["email"]: r for r in json.loads((run_dir / "manifest.json").read_text())["reps"]}


@pytest.mark.parametrize(("misbehaviour", "doubtful", "lost"), [
    (Misbehaviour(late=1.5), "ana@acme.test",
     "no complete answer to the message within 0.5 s (--smtp-deadline)"),
    (Misbehaviour(drop=frozenset({2})), "ben@acme.test", "Connection unexpectedly closed"),
], ids=["answer-too-late", "dropped-after-data"])
def test_a_message_whose_answer_was_lost_is_in_doubt_and_not_sent_again(
        tmp_path: Path, misbehaviour: Misbehaviour, doubtful: str, lost: str) -> None:
    """Item 2: the relay kept the message but its answer to the end of DATA never came (too
    late, or the connection dropped). That rep is named on stderr as in doubt, and neither
    the rerun nor the one after sends it again; --resend-in-doubt does, once."""
    run_dir = five_rep_run(tmp_path / "out")
    deadline = ("--smtp-deadline", "0.5")
    with misbehaving(misbehaviour) as server:
        first = reporter(*email_args(run_dir, server.port, *deadline))
        assert first.exit_code == 1
        assert _lines(first.stderr)[1:] == [
            f"Error: the SMTP server did not answer the end of {doubtful}'s message ({lost}): "
            f"it may have kept it, so {doubtful} is in doubt and is not sent again unless you "
            "rerun with --resend-in-doubt; messages sent so far are recorded, rerun to send "
            "the rest"]
        assert server.kept_by()[doubtful] == 1
        server.misbehaviour = Misbehaviour()  # the relay behaves from now on

        rerun = reporter(*email_args(run_dir, server.port, *deadline))
        assert rerun.exit_code == 1
        sent_before = 1 if doubtful == "ben@acme.test" else 0
        assert _lines(rerun.stderr)[1:] == [
            f"sent {4 - sent_before}, already sent before {sent_before}, in doubt 1, failed 0",
            f"warning: {doubtful}: in doubt: handed to the SMTP server at "
            f"{_manifest(run_dir)[doubtful]['in_flight']} with no answer recorded; not sent "
            "again (they may have it): check the server's log, then rerun with "
            "--resend-in-doubt to send it"]
        assert server.kept_by() == dict.fromkeys(FIVE, 1)
        assert reporter(*email_args(run_dir, server.port)).exit_code == 1
        assert server.kept_by() == dict.fromkeys(FIVE, 1)

        resend = reporter(*email_args(run_dir, server.port, "--resend-in-doubt"))
        assert resend.exit_code == 0
        assert _lines(resend.stderr)[1:] == ["sent 1, already sent before 4, failed 0"]
        assert server.kept_by() == {**dict.fromkeys(FIVE, 1), doubtful: 2}
        again = reporter(*email_args(run_dir, server.port))
        assert (again.exit_code, _lines(again.stderr)[1:]) == (
            0, ["sent 0, already sent before 5, failed 0"])
    entry = _manifest(run_dir)[doubtful]
    assert entry["message_id"] and entry["in_flight"] is None


def test_a_full_disk_right_after_delivery_leaves_the_message_in_doubt(tmp_path: Path) -> None:
    """Item 3: the relay accepts message 1, and at that moment the sender's files can no
    longer grow (RLIMIT_FSIZE 0, set on the real process as the relay answers: every write
    fails with EFBIG, as on a full disk with ENOSPC). The mark written before DATA survives:
    the rep is named as in doubt, and no rerun sends them a second message unless asked."""
    recorder = Holding()
    recorder.release.set()  # answer at once
    run_dir = five_rep_run(tmp_path / "out")
    processes: list[subprocess.Popen[str]] = []

    def disk_full() -> None:
        if len(recorder.received) == 1:
            resource.prlimit(processes[0].pid, resource.RLIMIT_FSIZE, (0, 0))

    recorder.on_accept = disk_full
    with relay(recorder) as port:
        processes.append(reporter_process(email_args(run_dir, port),
                                          preexec_fn=ignore_sigxfsz))
        _, stderr = processes[0].communicate(timeout=60)
        assert processes[0].returncode == 1, stderr
        assert _lines(stderr)[1:] == [
            f"Error: cannot write {tmp_path.resolve() / 'out' / '.sent' / '2026-10.json'}: "
            "File too large; the SMTP server accepted ana@acme.test's message, so "
            "ana@acme.test is in doubt and is not sent again unless you rerun with "
            "--resend-in-doubt"]
        assert received_by(recorder) == {"ana@acme.test": 1}
        assert _manifest(run_dir)["ana@acme.test"]["in_flight"]
        five_rep_run(tmp_path / "out")  # the month rerun replaces the folder, not the doubt
        assert _manifest(run_dir)["ana@acme.test"]["in_flight"]

        rerun = reporter_process(email_args(run_dir, port))
        _, stderr = rerun.communicate(timeout=60)
        assert rerun.returncode == 1
        assert _lines(stderr)[1] == "sent 4, already sent before 0, in doubt 1, failed 0"
        assert _lines(stderr)[2].startswith("warning: ana@acme.test: in doubt: handed to the "
                                            "SMTP server at ")
        assert received_by(recorder) == dict.fromkeys(FIVE, 1)


def test_a_send_through_dot_inside_the_run_folder_keeps_the_period_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 1, a relative name: `reporter email . --send` from inside the run folder takes
    the folder's own lock (beside it, not inside) and writes the period's send record, so a
    send of the same folder by its full path afterwards mails nobody."""
    run_dir = five_rep_run(tmp_path / "out")
    recorder = Holding()
    recorder.release.set()
    with relay(recorder) as port:
        monkeypatch.chdir(run_dir)
        first = reporter(*email_args(".", port))
        assert (first.exit_code, _lines(first.stderr)[1:]) == (
            0, ["sent 5, already sent before 0, failed 0"])
        monkeypatch.chdir(tmp_path)
        again = reporter(*email_args(run_dir, port))
        assert (again.exit_code, _lines(again.stderr)[1:]) == (
            0, ["sent 0, already sent before 5, failed 0"])
        assert received_by(recorder) == dict.fromkeys(FIVE, 1)
    record = json.loads((tmp_path / "out" / ".sent" / "2026-10.json").read_text())
    assert sorted(d["key"] for d in record["sent"]) == sorted(FIVE)
    assert not list(tmp_path.rglob(".*.lock"))


def test_an_answer_slower_than_a_read_but_within_the_deadline_is_waited_for(
        tmp_path: Path) -> None:
    """Item 2's relay that scans before it answers (35 s against a 30 s read timeout),
    scaled down: the answer to the end of DATA may take the whole step deadline, so the
    message is sent once and recorded, with no doubt at all."""
    from reporter.deliver.addresses import EmailSettings
    from reporter.deliver.manifest import read_manifest
    from reporter.deliver.outbox import build_messages
    from reporter.deliver.rebuild import run_views
    from reporter.deliver.smtp import SmtpSettings, send_all

    run_dir = five_rep_run(tmp_path / "out")
    manifest = read_manifest(run_dir)
    messages = build_messages(run_dir, run_views(run_dir, manifest), manifest,
                              EmailSettings(sender="coach@acme.example"))
    with misbehaving(Misbehaviour(late=0.6)) as server:
        # The default deadline (60 s); a read timeout of 0.2 s standing for smtplib's 30.
        smtp = SmtpSettings("127.0.0.1", server.port, security="none", timeout=0.2)
        result = send_all(run_dir, messages[:1], smtp)
        assert (result.sent, result.failed, result.in_doubt) == (1, [], [])
        assert server.kept_by() == {"ana@acme.test": 1}
    entry = _manifest(run_dir)["ana@acme.test"]
    assert entry["message_id"] and entry["in_flight"] is None


def test_a_connection_lost_before_the_message_was_handed_over_leaves_no_doubt(
        tmp_path: Path) -> None:
    """The relay hangs up at RCPT, before any message: nothing can have arrived, so the
    mark written before is cleared and the rerun sends everyone, once."""
    run_dir = five_rep_run(tmp_path / "out")
    with misbehaving(Misbehaviour(hang_up_at=b"RCPT")) as server:
        first = reporter(*email_args(run_dir, server.port))
        assert (first.exit_code, _lines(first.stderr)[1:]) == (1, [
            "Error: the SMTP server closed the connection (Connection unexpectedly closed); "
            "messages sent so far are recorded, rerun to send the rest"])
        assert not any(rep["in_flight"] for rep in _manifest(run_dir).values())
        server.misbehaviour = Misbehaviour()
        rerun = reporter(*email_args(run_dir, server.port))
        assert (rerun.exit_code, _lines(rerun.stderr)[1:]) == (
            0, ["sent 5, already sent before 0, failed 0"])
        assert server.kept_by() == dict.fromkeys(FIVE, 1)


def test_an_email_in_doubt_keeps_another_folders_email_from_that_rep(tmp_path: Path) -> None:
    """The doubt crosses folders as a delivery does: Ada's program email is in doubt (the
    relay dropped the connection right after it), so the same month's run of one of the
    program's scenarios leaves her out too and names her; Ben, whose program email never
    went, gets the scenario's. Asked to, it sends hers."""
    out = tmp_path / "out"
    snapshot = program()
    program_dir = write_program_run(out, snapshot)
    alone = write_scenario_run(out, snapshot.part("sc1"))
    with misbehaving(Misbehaviour(drop=frozenset({1}))) as server:
        first = reporter(*email_args(program_dir, server.port))
        assert first.exit_code == 1
        assert "so ada@example.com is in doubt" in _lines(first.stderr)[-1]
        since = _manifest(program_dir)["ada@example.com"]["in_flight"]
        server.misbehaviour = Misbehaviour()
        single = reporter(*email_args(alone, server.port))
        assert single.exit_code == 1
        assert _lines(single.stderr)[1:] == [
            "sent 1, already sent before 0, in doubt 1, failed 0",
            f"warning: ada@example.com: in doubt: handed to the SMTP server at {since} (from "
            "core-sales-conversations/2026-10) with no answer recorded; not sent again (they "
            "may have it): check the server's log, then rerun with --resend-in-doubt to send "
            "it"]
        assert server.kept_by() == {"ada@example.com": 1, "ben@example.com": 1}
        asked = reporter(*email_args(alone, server.port, "--resend-in-doubt"))
        assert (asked.exit_code, _lines(asked.stderr)[1:]) == (
            0, ["sent 1, already sent before 1, failed 0"])
        assert server.kept_by() == {"ada@example.com": 2, "ben@example.com": 1}


def test_resend_in_doubt_without_send_is_refused(tmp_path: Path) -> None:
    run_dir = five_rep_run(tmp_path / "out")
    result = reporter("email", str(run_dir), "--resend-in-doubt")
    assert (result.exit_code, _lines(result.stderr)) == (
        2, ["Error: --resend-in-doubt sends: it needs --send"])
