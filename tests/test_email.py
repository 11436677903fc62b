"""Emails to reps: built from templates, written to the outbox, sent to a real SMTP server.

The server is aiosmtpd on loopback: what it stores is what a mail server would have received
(envelope recipients and the raw message), so the assertions are about delivery, not calls.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from reporter.analytics.coaching import step_line
from reporter.analytics.program import of_scenario
from reporter.analytics.verdict import verdict_for
from reporter.deliver.addresses import (
    UNDELIVERABLE_HEADER,
    EmailConfigError,
    EmailSettings,
    held_back,
)
from reporter.deliver.manifest import (
    Manifest,
    ManifestError,
    RepEntry,
    read_manifest,
    write_manifest,
)
from reporter.deliver.outbox import build_messages, write_outbox
from reporter.deliver.smtp import SendError, SmtpSettings, send_all
from reporter.render.templates import TemplateFailure
from reporter.views import NextStep, RankGap, ReportView, Target
from tests.program_factory import program, program_snapshot
from tests.program_run import MANAGERS, write_program_run, write_scenario_run
from tests.sample_views import sample_report
from tests.support import REJECTED, DemoRun, Recorder, free_port, self_signed, tls_login_server

SENDER = "Coaching reports <coaching@acme.example>"
PASSWORD = "s3cret-Pa55"


# -- a real SMTP server on loopback ---------------------------------------------------------


@pytest.fixture
def server(plain_server: tuple[Controller, Recorder]) -> tuple[SmtpSettings, Recorder]:
    controller, recorder = plain_server
    recorder.received.clear()
    recorder.reject_data = set()
    return SmtpSettings(host="127.0.0.1", port=controller.port, security="none",
                        timeout=10), recorder


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Recorder, Path]]:
    """STARTTLS required, AUTH required, with a self-signed certificate for 127.0.0.1."""
    context, cert = self_signed(tmp_path_factory.mktemp("tls"))
    recorder = Recorder()
    with tls_login_server(context, b"coach", PASSWORD, recorder) as port:
        yield port, recorder, cert


# -- a run folder -------------------------------------------------------------------------


@dataclass
class Run:
    path: Path
    report: ReportView
    manifest: Manifest
    pdfs: dict[str, bytes]  # email -> the PDF's bytes


def make_run(tmp_path: Path, report: ReportView | None = None) -> Run:
    report = report or sample_report()
    run_dir = tmp_path / "run"
    (run_dir / "reps").mkdir(parents=True)
    entries, pdfs = [], {}
    for rep in report.reps:
        payload = b"%PDF-1.7\n" + rep.email.encode() + b"\n%%EOF\n"
        (run_dir / "reps" / f"{rep.slug}.pdf").write_bytes(payload)
        pdfs[rep.email] = payload
        entries.append(RepEntry(rep.email, rep.name, rep.slug,
                                "ok" if rep.has_valid_attempt else "empty", None,
                                f"reps/{rep.slug}.pdf", hashlib.sha256(payload).hexdigest(), 3))
    entries.append(RepEntry("ghost@acme.test", "ghost@acme.test", "", "not_found",
                            "not a member of the workspace", None, None, None))
    manifest = Manifest(
        run={"scenario": report.scenario.slug, "period": report.period.label,
             "generated_at": report.generated_at.isoformat(), "tool_version": "0.1.0"},
        reps=entries, files={},
    )
    write_manifest(run_dir, manifest)
    return Run(run_dir, report, read_manifest(run_dir), pdfs)


def build(run: Run, **settings: Any) -> list[tuple[RepEntry, EmailMessage]]:
    """The run's messages; the sample's former member is emailed too unless a test says
    otherwise (the default holds them back: test_a_former_member_gets_no_email...)."""
    settings.setdefault("email_former_members", True)
    return build_messages(run.path, of_scenario(run.report), read_manifest(run.path),
                          EmailSettings(sender=settings.pop("sender", SENDER), **settings))


def by_email(messages: list[tuple[RepEntry, EmailMessage]]) -> dict[str, EmailMessage]:
    return {entry.email: msg for entry, msg in messages}


def parts(msg: EmailMessage) -> tuple[str, str, EmailMessage]:
    """(plain text, html, the PDF attachment part) of one message."""
    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    attachments = list(msg.iter_attachments())
    assert text is not None and html is not None and len(attachments) == 1
    return text.get_content(), html.get_content(), attachments[0]


# -- building messages ----------------------------------------------------------------------


def test_one_message_per_rep_with_a_pdf(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    messages = build(run)
    # Six reps with PDFs; the not-found address gets nothing.
    assert [e.email for e, _ in messages] == [r.email for r in run.report.reps]
    for entry, msg in messages:
        assert msg.get_content_type() == "multipart/mixed"
        assert msg.get_body(preferencelist=("plain",)) is not None
        assert msg["From"].addresses[0].addr_spec == "coaching@acme.example"
        assert msg["To"].addresses[0].addr_spec == entry.email
        assert msg["Subject"] == ("Your Discovery Call with IT Director "
                                  f"{'coaching' if entry.status == 'ok' else 'practice'} "
                                  "report — October 2026")
        _, _, pdf = parts(msg)
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_filename() == f"{entry.slug}.pdf"
        assert pdf.get_content() == run.pdfs[entry.email]


def test_a_former_member_gets_no_email_unless_the_config_asks(tmp_path: Path) -> None:
    report = sample_report()
    former = dataclasses.replace(report.reps[1], is_member=False)
    reps = tuple(dataclasses.replace(r, is_member=True) for r in report.reps)
    report = dataclasses.replace(report, reps=(reps[0], former, *reps[2:]))
    run = make_run(tmp_path, report)
    sent = [e.email for e, _ in build(run, email_former_members=False)]
    assert former.email not in sent and len(sent) == len(report.reps) - 1
    assert held_back(of_scenario(report).reps[1], EmailSettings(sender=SENDER))
    asked = [e.email for e, _ in build(run, email_former_members=True)]
    assert asked == [r.email for r in report.reps]
    assert not held_back(of_scenario(report).reps[1],
                         EmailSettings(sender=SENDER, email_former_members=True))


def test_body_greets_by_first_name_with_numbers_and_one_focus_area(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    text, html, _ = parts(by_email(build(run))["amelie@acme.test"])
    assert text.startswith("Hi Amélie,")
    assert "91.0 (Gold)" in text and "+39.0 points" in text
    assert "5 valid of 6 sessions" in text and "88th percentile" in text
    amelie = sample_report().reps[0]
    step = amelie.coaching.step_text
    assert step is not None and step.startswith("Discovery › Pain quantified (")
    assert ("try “Before I show you anything, what does a missed shipment cost you "
            "today?”") in step
    assert f"Your one thing for next time: {step}" in text  # the words every output prints
    # The quote's words line up with the reason's, the quote mark hanging before them.
    assert '  You said:  "So, uh, would you like to see a demo?"' in text
    assert "  Why:        Jumped to the pitch before the buyer named a cost." in text
    assert text.count("one thing for next time") == 1
    assert "Hi Amélie," in html and "91.0 (Gold)" in html and "Pain quantified" in html


def test_a_step_without_a_suggested_phrasing_has_no_try_line(tmp_path: Path) -> None:
    """A next step that rests on the evaluator's feedback: no "Try instead" is made up."""
    report = sample_report()
    bob = next(r for r in report.reps if r.email == "bob@acme.test")
    step = NextStep("focus", "feedback", "Discovery", "Current process", "mid", None, None,
                    "Work on current process.", None, None)
    line, kind = step_line(step, True, None)
    bob = replace(bob, coaching=replace(bob.coaching, next_step=step, step_text=line,
                                        step_kind=kind))
    run = make_run(tmp_path, replace(report, reps=tuple(
        bob if r.email == bob.email else r for r in report.reps)))
    text, html, _ = parts(by_email(build(run))["bob@acme.test"])
    # An action, not the feedback: the feedback is the Why beside it.
    assert ("Your one thing for next time: Discovery › Current process: replay that call in "
            "Exec and rework this part") in text
    assert "  Why:        Work on current process." in text
    assert "Try" not in text and "Try" not in html


def test_a_decline_a_rank_gap_and_a_target_are_said(tmp_path: Path) -> None:
    report = sample_report()
    fatima = next(r for r in report.reps if r.email == "fatima@acme.test")
    plan = replace(fatima.coaching,
                   target=Target("past_due", "silver", datetime(2026, 10, 31, tzinfo=UTC),
                                 False, 5.0, True),
                   rank_gap=RankGap("silver", 4.5))
    fatima = replace(fatima, coaching=plan)
    fatima = replace(fatima, verdict=verdict_for(fatima, report.period))
    run = make_run(tmp_path, replace(report, reps=tuple(
        fatima if r.email == fatima.email else r for r in report.reps)))
    text, html, _ = parts(by_email(build(run))["fatima@acme.test"])
    assert "Latest score:    60.5, 9.5 below your best" in text  # 70.0 -> 60.5
    assert "Next rank:       4.5 points from Silver" in text
    assert "Past due since Oct 31, 2026 (target Silver) — 5.0 points short" in text
    assert "9.5 below your best" in html and "Past due since Oct 31, 2026" in html


def test_rep_without_a_valid_attempt_gets_the_kind_variant(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    msg = by_email(build(run))["carla@acme.test"]
    text, html, pdf = parts(msg)
    assert text.startswith("Hi Carla,")
    # October 2026 is over: "no valid attempt", never "yet".
    assert "none of your sessions counted as a valid attempt, so" in text
    assert "Best score" not in text and "next time" not in text
    assert "valid attempt, so" in html and " yet" not in text
    assert pdf.get_content() == run.pdfs["carla@acme.test"]


def test_hostile_text_is_escaped_in_html_and_literal_in_text(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    messages = by_email(build(run))
    text, html, _ = parts(messages["formula@acme.test"])
    assert text.startswith('Hi =HYPERLINK("http://x","y"),')
    assert "Hi =HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)," in html
    text, html, _ = parts(messages["fatima@acme.test"])
    assert "Hi فاطمة," in text
    report = sample_report()
    fatima = next(r for r in report.reps if r.email == "fatima@acme.test")
    fatima = replace(fatima, coaching=replace(fatima.coaching, next_step=replace(
        fatima.coaching.next_step, why='See <img src="file:///etc/passwd"> here.')))
    run = make_run(tmp_path / "hostile", replace(report, reps=tuple(
        fatima if r.email == fatima.email else r for r in report.reps)))
    text, html, _ = parts(by_email(build(run))["fatima@acme.test"])
    assert '<img src="file:///etc/passwd">' in text  # text is shown as text, never rendered
    assert "<img" not in html and "<link" not in html and "<style>body" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html


def test_header_injection_through_a_name_is_impossible(tmp_path: Path) -> None:
    report = sample_report()
    evil = replace(report.reps[1], name='Bob "the, Closer"\r\nBcc: evil@attacker.test',
                   first_name="Bob\r\nBcc: evil@attacker.test")
    run = make_run(tmp_path, replace(report, reps=(report.reps[0], evil, *report.reps[2:])))
    msg = by_email(build(run))["bob@acme.test"]
    raw = msg.as_bytes()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert parsed["Bcc"] is None
    assert b"\nBcc:" not in raw
    (to,) = parsed["To"].addresses
    assert to.addr_spec == "bob@acme.test"
    assert to.display_name == 'Bob "the, Closer" Bcc: evil@attacker.test'
    assert "attacker" not in str(parsed["Subject"])


@pytest.mark.parametrize("bad", ["a@acme.test\r\nBcc: evil@attacker.test", "a@b.test, c@d.test",
                                 "not an address", ""])
def test_bad_settings_addresses_are_refused(tmp_path: Path, bad: str) -> None:
    run = make_run(tmp_path)
    with pytest.raises(EmailConfigError):
        build(run, sender=bad)
    with pytest.raises(EmailConfigError, match="--to-override"):
        build(run, to_override=bad or "x")


def test_message_id_is_stable_per_run_and_rep(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    first = {e.email: m["Message-ID"] for e, m in build(run)}
    again = {e.email: m["Message-ID"] for e, m in build(run)}
    trial = {e.email: m["Message-ID"] for e, m in build(run, to_override="me@acme.example")}
    assert first == again
    assert len(set(first.values())) == len(first)
    assert all(v.endswith("@acme.example>") for v in first.values())
    assert not set(trial.values()) & set(first.values())


def test_subject_prefix_company_and_user_templates(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    custom = tmp_path / "templates" / "email"
    custom.mkdir(parents=True)
    (custom / "subject.txt").write_text("{{ v.first_name }}: {{ v.period }}\n\n  report\n")
    msg = by_email(build(run, subject_prefix="[Acme]", company="Acme Enablement",
                         templates_dir=tmp_path / "templates"))["amelie@acme.test"]
    assert msg["Subject"] == "[Acme] Amélie: October 2026 report"
    text, _, _ = parts(msg)  # body.txt still comes from the bundled templates
    assert text.rstrip().endswith("Acme Enablement")


def test_a_typo_in_a_template_fails_instead_of_sending_blanks(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    custom = tmp_path / "templates" / "email"
    custom.mkdir(parents=True)
    (custom / "body.txt").write_text("Hi {{ v.frist_name }},\n")
    with pytest.raises(TemplateFailure, match="has no attribute 'frist_name'"):
        build(run, templates_dir=tmp_path / "templates")


def test_a_stale_or_escaping_pdf_path_stops_the_build(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    (run.path / run.manifest.reps[0].pdf).write_bytes(b"%PDF-1.7 a different report")
    with pytest.raises(ManifestError, match="checksum"):
        build(run)
    manifest = read_manifest(run.path)
    manifest.reps[0].pdf, manifest.reps[0].sha256 = "../../etc/passwd", None
    write_manifest(run.path, manifest)
    with pytest.raises(ManifestError, match="leaves the run folder"):
        build(run)


def test_outbox_files_parse_back(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    (run.path / "outbox").mkdir()
    (run.path / "outbox" / "someone-removed.eml").write_text("old")
    messages = build(run)
    paths = write_outbox(run.path, messages)
    assert sorted(p.name for p in (run.path / "outbox").iterdir()) == sorted(
        f"{e.slug}.eml" for e, _ in messages)
    for (entry, msg), path in zip(messages, paths, strict=True):
        parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert parsed["Message-ID"] == msg["Message-ID"]
        assert parsed["Subject"] == msg["Subject"]
        assert parsed["Cc"] is None and parsed["Reply-To"] is None  # no [teams]: no manager
        assert parsed["To"].addresses[0].addr_spec == entry.email
        _, _, pdf = parts(parsed)
        assert pdf.get_content() == run.pdfs[entry.email]


# -- sending ------------------------------------------------------------------------------


def test_send_delivers_every_message_and_records_it(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    recorder.reject = set()
    run = make_run(tmp_path)
    messages = build(run)
    result = send_all(run.path, messages, smtp)
    assert (result.sent, result.skipped_already_sent, result.failed) == (6, 0, [])
    assert len(recorder.received) == 6
    manifest = {e.email: e for e in read_manifest(run.path).reps}
    for got in recorder.received:
        rep_address = got.message["To"].addresses[0].addr_spec
        assert got.rcpt_tos == [rep_address]
        assert got.mail_from == "coaching@acme.example"
        assert got.message["Subject"].startswith("Your Discovery Call with IT Director")
        _, _, pdf = parts(got.message)
        assert pdf.get_content() == run.pdfs[rep_address]
        assert manifest[rep_address].message_id == got.message["Message-ID"]
        assert manifest[rep_address].sent_at is not None
    assert manifest["ghost@acme.test"].message_id is None


def test_rejected_recipient_is_recorded_and_the_others_are_sent(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    recorder.reject = {REJECTED}
    run = make_run(tmp_path)
    result = send_all(run.path, build(run), smtp)
    assert result.sent == 5
    assert [email for email, _ in result.failed] == [REJECTED]
    assert "550" in result.failed[0][1]
    assert {r.rcpt_tos[0] for r in recorder.received} == (
        {r.email for r in run.report.reps} - {REJECTED})
    bob = next(e for e in read_manifest(run.path).reps if e.email == REJECTED)
    assert bob.message_id is None and bob.send_error and "No such user" in bob.send_error
    # A rerun retries only the failed rep; once the address works it gets through, once.
    recorder.reject = set()
    again = send_all(run.path, build(run), smtp)
    assert (again.sent, again.skipped_already_sent, again.failed) == (1, 5, [])
    assert [r.rcpt_tos for r in recorder.received].count([REJECTED]) == 1
    bob = next(e for e in read_manifest(run.path).reps if e.email == REJECTED)
    assert bob.message_id and bob.send_error is None


def test_refused_content_is_recorded_per_rep(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    recorder.reject = set()
    recorder.reject_data = {"carla@acme.test"}
    run = make_run(tmp_path)
    result = send_all(run.path, build(run), smtp)
    assert result.sent == 5 and [e for e, _ in result.failed] == ["carla@acme.test"]
    assert "554" in result.failed[0][1]
    entries = {e.email: e for e in read_manifest(run.path).reps}
    assert entries["amelie@acme.test"].message_id and not entries["amelie@acme.test"].send_error
    assert entries["carla@acme.test"].message_id is None
    assert "554" in (entries["carla@acme.test"].send_error or "")


def test_interrupted_send_resumes_without_duplicates(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    recorder.reject = set()
    run = make_run(tmp_path)
    done: list[str] = []

    def ctrl_c_after_two(entry: RepEntry, outcome: str) -> None:
        done.append(entry.email)
        if len(done) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        send_all(run.path, build(run), smtp, on_progress=ctrl_c_after_two)
    assert len(recorder.received) == 2
    assert sum(1 for e in read_manifest(run.path).reps if e.message_id) == 2

    result = send_all(run.path, build(run), smtp)
    assert (result.sent, result.skipped_already_sent) == (4, 2)
    delivered = [r.rcpt_tos[0] for r in recorder.received]
    assert sorted(delivered) == sorted(r.email for r in run.report.reps)  # each exactly once

    third = send_all(run.path, build(run), smtp)
    assert (third.sent, third.skipped_already_sent) == (0, 6)
    assert len(recorder.received) == 6


def test_to_override_sends_everything_to_one_address(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    recorder.reject = set()
    run = make_run(tmp_path)
    messages = build(run, to_override="Trial <me@acme.example>")
    result = send_all(run.path, messages, smtp)
    assert result.sent == 6
    assert all(r.rcpt_tos == ["me@acme.example"]
               for r in recorder.received)
    originals = sorted(str(r.message["X-Original-To"]) for r in recorder.received)
    assert originals == sorted(r.email for r in run.report.reps)
    text, _, _ = parts(by_email(messages)["amelie@acme.test"])
    assert "written for Amélie Dubois-Laurent <amelie@acme.test>" in text
    # A trial is not a delivery: the real send afterwards still goes to every rep.
    assert all(e.message_id is None for e in read_manifest(run.path).reps)


def test_unusable_rep_address_is_recorded_without_stopping_the_others(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    recorder.reject = set()
    report = sample_report()
    broken = replace(report.reps[1], email="bob at acme")
    run = make_run(tmp_path, replace(report, reps=(report.reps[0], broken, *report.reps[2:])))
    messages = build(run)
    assert by_email(messages)["bob at acme"]["To"] is None
    result = send_all(run.path, messages, smtp)
    assert result.sent == 5 and [e for e, _ in result.failed] == ["bob at acme"]
    assert len(recorder.received) == 5
    entry = next(e for e in read_manifest(run.path).reps if e.email == "bob at acme")
    assert entry.message_id is None and "invalid recipient address" in (entry.send_error or "")


def test_no_server_stops_with_a_clear_error_and_records_nothing(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    before = (run.path / "manifest.json").read_bytes()
    smtp = SmtpSettings(host="127.0.0.1", port=free_port(), security="none", timeout=5)
    with pytest.raises(SendError, match=r"cannot connect to SMTP server 127\.0\.0\.1"):
        send_all(run.path, build(run), smtp)
    assert (run.path / "manifest.json").read_bytes() == before


def test_starttls_is_never_silently_dropped(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    smtp, recorder = server
    run = make_run(tmp_path)
    with pytest.raises(SendError, match="does not offer STARTTLS"):
        send_all(run.path, build(run), replace(smtp, security="starttls"))
    assert recorder.received == []
    assert all(e.message_id is None for e in read_manifest(run.path).reps)


def test_password_is_not_sent_in_clear_to_a_remote_host(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    smtp = SmtpSettings(host="mail.example.com", security="none", username="coach",
                        password=PASSWORD)
    with pytest.raises(SendError, match="unencrypted") as caught:
        send_all(run.path, build(run), smtp)
    assert PASSWORD not in str(caught.value)
    assert PASSWORD not in repr(smtp)


def test_starttls_with_login(
    tmp_path: Path, tls_server: tuple[int, Recorder, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    port, recorder, cert = tls_server
    recorder.reject = set()
    trusting = ssl.create_default_context

    # Trust the test certificate; verification itself stays on.
    monkeypatch.setattr(ssl, "create_default_context", lambda: trusting(cafile=str(cert)))
    run = make_run(tmp_path)
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="starttls", username="coach",
                        password="wrong-password", timeout=10)
    with pytest.raises(SendError, match="login refused for user 'coach'") as caught:
        send_all(run.path, build(run), smtp)
    assert "wrong-password" not in str(caught.value)
    assert recorder.received == []

    result = send_all(run.path, build(run), replace(smtp, password=PASSWORD, pace_seconds=0.01))
    assert result.sent == 6 and len(recorder.received) == 6
    assert PASSWORD not in (run.path / "manifest.json").read_text(encoding="utf-8")


def test_the_configured_templates_reach_the_emails_and_errors_are_one_line(tmp_path):
    """One loader for PDF and email: the example override changes the subject; a broken
    template is a TemplateFailure (one line, exit 2), never a traceback."""
    examples = Path(__file__).resolve().parent.parent / "examples" / "templates"
    run = make_run(tmp_path)
    first = next(r for r in run.report.reps if r.has_valid_attempt)
    subject = by_email(build(run, templates_dir=examples))[first.email]["Subject"]
    assert subject.startswith(f"{first.first_name}, your ") and "coaching for" in subject
    broken = tmp_path / "broken" / "email"
    broken.mkdir(parents=True)
    (broken / "body.txt").write_text("Hi {{ v.first_name }\n")
    with pytest.raises(TemplateFailure) as info:
        build(run, templates_dir=broken.parent)
    assert str(info.value).startswith("template error (email/body.txt, line 1): ")
    assert info.value.exit_code == 2 and "\n" not in str(info.value)


@pytest.mark.parametrize(("status", "state"), [
    ("completed", "met"), ("in_progress", "open"), ("past_due", "past_due"),
    ("did_not_pass", "did_not_pass")])
def test_the_target_has_the_pdfs_colours(tmp_path: Path, status: str, state: str) -> None:
    from reporter.format import TARGET_TONES, TONES

    report = sample_report()
    amelie = next(r for r in report.reps if r.email == "amelie@acme.test")
    target = Target(status, "silver", datetime(2026, 10, 31, tzinfo=UTC), status == "completed",
                    None, status == "past_due", reached=True)
    amelie = replace(amelie, coaching=replace(amelie.coaching, target=target))
    amelie = replace(amelie, verdict=verdict_for(amelie, report.period))
    run = make_run(tmp_path, replace(report, reps=tuple(
        amelie if r.email == amelie.email else r for r in report.reps)))
    text, html, _ = parts(by_email(build(run))["amelie@acme.test"])
    ink, bg = TONES[TARGET_TONES[state]]
    assert amelie.verdict is not None and amelie.verdict.headline in text  # the PDF's sentence
    assert f"background:{bg};color:{ink}" in html
    assert amelie.verdict is not None and amelie.verdict.target_line in html.replace("&#39;", "'")


# -- the managers' digest, on a seeded workspace ---------------------------------------------


def test_the_digest_reads_its_team_from_the_manifest(seeded_reports):
    """Issue 23, 1: the team a manager is mailed about is the one the run drew (recorded in
    the manifest), not a second reckoning: with the members recorded, only they are in it."""
    from reporter.analytics.team import team_members
    from reporter.deliver.digests import digest_view
    from reporter.deliver.manifest import TeamEntry

    report = seeded_reports["seed42"]
    group = max({g for r in report.reps for g in r.groups},
                key=lambda g: len(team_members(report.reps, g)))
    everyone = team_members(report.reps, group)
    kept = [r for r in everyone if r.attention][:1]
    assert kept and len(everyone) > 1
    entry = TeamEntry(group, "team", "Dana Whitfield", "dana@acme.example", 0, 0,
                      "teams/team/team.pdf", None, None, None, members=[kept[0].user_id])
    view = digest_view(of_scenario(report), entry, EmailSettings(sender=SENDER), "team-x",
                       None)
    named = {row.name for row in view.rows} | {w.split(":")[0] for w in view.watch}
    assert named == {kept[0].name}
    # A manifest from before the members were recorded: the group's reps, as before.
    entry.members = []
    view = digest_view(of_scenario(report), entry, EmailSettings(sender=SENDER), "team-x",
                       None)
    assert len(view.rows) + len(view.watch) + view.left_off >= 2


@pytest.mark.parametrize("name", ["demo", "seed42"])
def test_the_digest_is_the_summary_in_plain_text_and_html_alike(seeded_reports, name):
    import html as html_lib
    import re

    from reporter.analytics.team import scenario_team, team_members
    from reporter.deliver.digests import DIGEST_HTML_TEMPLATE, DIGEST_TEXT_TEMPLATE, digest_view
    from reporter.deliver.manifest import TeamEntry
    from reporter.render.templates import environment

    report = seeded_reports[name]
    groups = sorted({g for r in report.reps for g in r.groups},
                    key=lambda g: -len(team_members(report.reps, g)))
    group = groups[0]
    entry = TeamEntry(group, "team", "Dana Whitfield", "dana@acme.example", 0, 0,
                      "teams/team/team.pdf", None, "teams/team/team.xlsx", None)
    view = digest_view(of_scenario(report), entry, EmailSettings(sender=SENDER), "team-x",
                       None)
    env = environment(None)
    text = env.get_template(DIGEST_TEXT_TEMPLATE).render(d=view)
    page = env.get_template(DIGEST_HTML_TEMPLATE).render(d=view)
    shown = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    team = scenario_team(team_members(report.reps, group))
    assert team.shortlist and team.weakest
    said = [view.summary]
    for row, rep in zip(view.rows, team.shortlist, strict=True):
        assert row.reason == rep.attention[0].text and row.step
        said += [row.name, row.reason, row.step]
    for theme in view.theme:
        assert theme.quote
        said += [theme.label, theme.quote]
        said += [words for words in (theme.why, theme.try_instead) if words]
    said += list(view.watch) + ["team-x.pdf", "team-x.xlsx"]
    assert all(words.strip() for words in said)  # an empty text would be found anywhere
    for words in said:  # plain text and HTML say the same
        assert " ".join(words.split()) in " ".join(text.split()), words
        assert " ".join(words.split()) in shown, words
    assert "BOOK A 1:1 WITH" in text and "WHAT TO COACH THE TEAM ON" in text
    assert len(view.rows) <= 5


# -- program runs: one email per rep per period, across run folders ------------------------


def deliver(run_dir: Path, smtp: SmtpSettings, **settings: Any) -> tuple[
        list[tuple[Any, EmailMessage]], Any]:
    """What ``reporter email RUN_DIR --send`` does: the folder held, its report as the run
    drew it, its messages built and sent."""
    from reporter.deliver.rebuild import run_views
    from reporter.files import folder_lock

    manifest = read_manifest(run_dir)
    messages = build_messages(run_dir, run_views(run_dir, manifest), manifest,
                              EmailSettings(sender=SENDER, **settings))
    with folder_lock(run_dir):
        return messages, send_all(run_dir, messages, smtp)


def received_by(recorder: Recorder) -> dict[str, int]:
    counts: dict[str, int] = {}
    for got in recorder.received:
        counts[got.rcpt_tos[0]] = counts.get(got.rcpt_tos[0], 0) + 1
    return counts


PROGRAM_REPS = ("ada@example.com", "ben@example.com", "cy@example.com")


def test_a_program_run_mails_each_rep_once_whatever_is_rerun(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    """Issue 24, 6: one email per rep for the program; a second send, a rerun of the program
    and a later run of one of its scenarios (same period, same OUT) mail nobody again."""
    from reporter.deliver.sent import read_record

    smtp, recorder = server
    recorder.reject = set()
    out = tmp_path / "out"
    snapshot = program()
    run_dir = write_program_run(out, snapshot)
    assert run_dir == out / "core-sales-conversations" / "2026-10"
    messages, result = deliver(run_dir, smtp)
    assert (result.sent, result.skipped_already_sent, result.failed) == (3, 0, [])
    assert received_by(recorder) == dict.fromkeys(PROGRAM_REPS, 1)
    manifest = read_manifest(run_dir)
    for got in recorder.received:
        (pdf,) = list(got.message.iter_attachments())  # the one PDF across the program
        entry = next(e for e in manifest.reps if e.email == got.rcpt_tos[0])
        assert pdf.get_filename() == f"{entry.slug}.pdf"
        assert pdf.get_content() == (run_dir / str(entry.pdf)).read_bytes()
        assert entry.message_id == got.message["Message-ID"]
    record = read_record(out / ".sent" / "2026-10.json")
    assert sorted(d.key for d in record.deliveries) == sorted(PROGRAM_REPS)
    assert {d.covers for d in record.deliveries} == {(
        "competitive-displacement", "objection-handling", "procurement-discovery")}

    _, again = deliver(run_dir, smtp)
    assert (again.sent, again.skipped_already_sent) == (0, 3)
    write_program_run(out, snapshot)  # the month rerun: the folder replaced, the record kept
    _, rerun = deliver(run_dir, smtp)
    assert (rerun.sent, rerun.skipped_already_sent, rerun.covered_elsewhere) == (0, 3, [])

    # One scenario of it, run later the same month: Ada and Ben practised it, and already
    # have the month's report that covers it.
    alone = write_scenario_run(out, snapshot.part("sc1"))
    assert alone == out / "procurement-discovery" / "2026-10"
    built, single = deliver(alone, smtp)
    assert sorted(e.email for e, _ in built) == ["ada@example.com", "ben@example.com"]
    assert (single.sent, single.skipped_already_sent) == (0, 2)
    assert sorted(single.covered_elsewhere) == [
        ("ada@example.com", "core-sales-conversations/2026-10"),
        ("ben@example.com", "core-sales-conversations/2026-10")]
    assert received_by(recorder) == dict.fromkeys(PROGRAM_REPS, 1)
    # Skipped for the report they have, not recorded as sent from this folder.
    assert not any(e.message_id for e in read_manifest(alone).reps)
    assert not list(out.rglob(".*.lock"))


def test_the_program_report_still_goes_to_a_rep_mailed_one_of_its_scenarios(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    """The converse: a scenario's email first, then the program's. The program report is the
    month's fuller one (every scenario, the skills), so it is sent, once; the scenario's is
    never sent again."""
    smtp, recorder = server
    recorder.reject = set()
    out = tmp_path / "out"
    snapshot = program()
    alone = write_scenario_run(out, snapshot.part("sc1"))
    assert deliver(alone, smtp)[1].sent == 2
    run_dir = write_program_run(out, snapshot)
    assert deliver(run_dir, smtp)[1].sent == 3
    assert deliver(alone, smtp)[1].sent == 0
    assert deliver(run_dir, smtp)[1].sent == 0
    assert received_by(recorder) == {"ada@example.com": 2, "ben@example.com": 2,
                                     "cy@example.com": 1}
    subjects = sorted(str(m.message["Subject"]) for m in recorder.received
                      if m.rcpt_tos == ["ada@example.com"])
    assert subjects == ["Your Core Sales Conversations coaching report — October 2026",
                        "Your Procurement Discovery coaching report — October 2026"]


def test_a_send_killed_between_its_two_records_is_not_repeated(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    """Each send is recorded as it happens: in the period's record first, then in the
    folder's manifest. Interrupted after one message, the rest go out on the rerun; a send
    whose manifest write was lost (killed between the two) is found in the record and its
    manifest entry repaired, not sent again."""
    smtp, recorder = server
    recorder.reject = set()
    run_dir = write_program_run(tmp_path / "out", program())
    done: list[str] = []

    def ctrl_c_after_one(entry: RepEntry, outcome: str) -> None:
        done.append(entry.email)
        raise KeyboardInterrupt

    from reporter.deliver.rebuild import run_views

    manifest = read_manifest(run_dir)
    messages = build_messages(run_dir, run_views(run_dir, manifest), manifest,
                              EmailSettings(sender=SENDER))
    with pytest.raises(KeyboardInterrupt):
        send_all(run_dir, messages, smtp, on_progress=ctrl_c_after_one)
    assert len(recorder.received) == 1
    first = done[0]
    # The manifest write of that send lost, as a kill between the two writes would lose it.
    manifest = read_manifest(run_dir)
    entry = next(e for e in manifest.reps if e.email == first)
    message_id, entry.message_id, entry.sent_at = entry.message_id, None, None
    write_manifest(run_dir, manifest)
    _, result = deliver(run_dir, smtp)
    assert (result.sent, result.skipped_already_sent, result.covered_elsewhere) == (2, 1, [])
    assert received_by(recorder) == dict.fromkeys(PROGRAM_REPS, 1)
    repaired = next(e for e in read_manifest(run_dir).reps if e.email == first)
    assert repaired.message_id == message_id and repaired.sent_at


def test_a_damaged_send_record_stops_the_send_before_any_message(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    from reporter.deliver.sent import SendRecordError

    smtp, recorder = server
    recorder.reject = set()
    out = tmp_path / "out"
    run_dir = write_program_run(out, program())
    (out / ".sent").mkdir()
    (out / ".sent" / "2026-10.json").write_text('{"schema_version": 1, "sent": [{"key": 1}]}')
    with pytest.raises(SendRecordError, match=r"sent\[0\] is not a delivery.*restore it"):
        deliver(run_dir, smtp)
    assert recorder.received == []
    assert not any(e.message_id for e in read_manifest(run_dir).reps)


def test_the_program_email_leads_with_the_focus_and_a_line_per_scenario(tmp_path: Path) -> None:
    """Page 1's next step, named by its scenario, then one line per scenario; a rep who
    practised nothing hears what is assigned and due, in a practice report."""
    from reporter.deliver.rebuild import run_views

    run_dir = write_program_run(tmp_path / "out", program())
    manifest = read_manifest(run_dir)
    views = run_views(run_dir, manifest)
    report = views.default
    messages = by_email(build_messages(run_dir, views, manifest, EmailSettings(sender=SENDER)))
    assert sorted(messages) == sorted(PROGRAM_REPS)
    ada = next(r for r in report.reps if r.email == "ada@example.com")
    assert ada.focus is not None and ada.focus.rep is not None and ada.focus.rep.verdict
    text, html, _ = parts(messages["ada@example.com"])
    assert text.startswith("Hi Ada,\n\nYour coaching report for \"Core Sales Conversations\" "
                           "(October 2026) is attached: 3 of 3 scenarios practised.")
    assert f"Where to focus: Competitive Displacement\n{ada.focus.rep.verdict.headline}" in text
    assert ("  Procurement Discovery: best 82.0 (Silver), 2 valid of 2 sessions, +7.0 vs "
            "September 2026") in text
    assert "  Objection Handling: best 71.0 (Bronze), 2 valid of 2 sessions" in text
    assert text.count("Your one thing for next time: ") == 1
    assert text.index("Where to focus") < text.index("Scenario by scenario") < text.index(
        "Your one thing for next time")
    assert "Where to focus: Competitive Displacement" in html and "Procurement Discovery" in html
    text, _, _ = parts(messages["ben@example.com"])
    assert "1 of 3 scenarios practised" in text
    assert "  Objection Handling: Not practised\n" in text
    assert "  Competitive Displacement: Not practised\n      Past due" in text
    cy = messages["cy@example.com"]
    assert cy["Subject"] == "Your Core Sales Conversations practice report — October 2026"
    text, _, _ = parts(cy)
    assert "0 of 3 scenarios practised" in text and "Where to focus: Objection Handling" in text
    assert "  Objection Handling: Not practised\n      " in text


def test_a_former_member_of_a_program_run_is_held_back(tmp_path: Path) -> None:
    from reporter.cohort.snapshot import parse_snapshot
    from reporter.deliver.rebuild import run_views

    data = program_snapshot()
    data["reps"][1]["is_member"] = False  # Ben left the workspace
    run_dir = write_program_run(tmp_path / "out", parse_snapshot(data))
    manifest = read_manifest(run_dir)
    sent = [e.email for e, _ in build_messages(run_dir, run_views(run_dir, manifest), manifest,
                                               EmailSettings(sender=SENDER))]
    assert sent == ["ada@example.com", "cy@example.com"]


def test_one_digest_per_manager_for_a_program_and_never_twice(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    """--by-team: each manager gets one digest for the program's month, its shortlist across
    the scenarios (each talking point naming its scenario), the team's PDF attached; not
    again on a second send, nor for a scenario of the program run after."""
    smtp, recorder = server
    recorder.reject = set()
    out = tmp_path / "out"
    snapshot = program()
    run_dir = write_program_run(out, snapshot, by_team=True)
    messages, result = deliver(run_dir, smtp)
    assert result.sent == 5 and result.failed == []
    managers = {m.email for m in MANAGERS.values()}
    assert received_by(recorder) == dict.fromkeys([*PROGRAM_REPS, *managers], 1)
    digests = {got.rcpt_tos[0]: got.message for got in recorder.received
               if got.rcpt_tos[0] in managers}
    east = digests["dana@acme.example"]
    assert east["Subject"] == ("East: 2 reps for a 1:1 — Core Sales Conversations, "
                               "October 2026")
    text = east.get_body(("plain",)).get_content().replace("\r\n", "\n")
    # The team report's first sentence, as the attached team.pdf says it.
    assert ("1 of 2 reps has a valid attempt in all 3 scenarios in October 2026, 1 in some "
            "of them." in text)
    assert ("1. Ben Okafor (High)\n   Say:        Competitive Displacement: Past due since "
            "Oct 30, 2026, no valid attempt") in text
    assert "2. Ada Lovelace (" in text and "Say:        Competitive Displacement: Fell" in text
    assert "Cy Young" not in text  # West's
    assert [p.get_filename() for p in east.iter_attachments()] == ["team-east.pdf"]
    assert "every rep by scenario and by skill" in text
    west = digests["marcus@acme.example"].get_body(("plain",)).get_content()
    assert "Cy Young" in west and "Objection Handling: No session in October 2026" in west
    # Ada's email has her manager as Reply-To; the manifest records each digest.
    ada = next(m.message for m in recorder.received if m.rcpt_tos == ["ada@example.com"])
    assert "dana@acme.example" in str(ada["Reply-To"])
    assert all(t.message_id for t in read_manifest(run_dir).teams)

    assert deliver(run_dir, smtp)[1].sent == 0
    alone = write_scenario_run(out, snapshot.part("sc1"), by_team=True)
    _, single = deliver(alone, smtp)
    assert single.sent == 0
    assert ("dana@acme.example", "core-sales-conversations/2026-10") in single.covered_elsewhere
    assert len(recorder.received) == 5


def test_two_sends_of_one_period_never_run_at_once(
    tmp_path: Path, server: tuple[SmtpSettings, Recorder]
) -> None:
    """The period's record has its own lock, held for a whole send: a second send of the
    same period, from another run folder, stops at once instead of reading "not sent"."""
    from reporter.files import FolderBusy, folder_lock

    smtp, recorder = server
    recorder.reject = set()
    out = tmp_path / "out"
    run_dir = write_program_run(out, program())
    alone = write_scenario_run(out, program().part("sc1"))
    # A send of the other folder, under way.
    with folder_lock(out / ".sent" / "2026-10.json"), \
            pytest.raises(FolderBusy, match=r"2026-10\.json"):
        deliver(alone, smtp)
    assert recorder.received == []
    assert deliver(run_dir, smtp)[1].sent == 3


def test_a_program_digest_lists_the_teams_themes_with_their_scenario(tmp_path: Path) -> None:
    """What to coach the team on, across the program: a skill, or an item with its scenario,
    in plain text and HTML alike."""
    from reporter.analytics.team import build_team
    from reporter.deliver.digests import (
        DIGEST_HTML_TEMPLATE,
        DIGEST_TEXT_TEMPLATE,
        digest_view,
    )
    from reporter.deliver.rebuild import run_views
    from reporter.render.templates import environment
    from reporter.views import ProgramReportView

    run_dir = write_program_run(tmp_path / "out", program(), by_team=True)
    manifest = read_manifest(run_dir)
    report = run_views(run_dir, manifest).default
    assert isinstance(report, ProgramReportView)
    east = next(t for t in manifest.teams if t.group == "East")
    view = digest_view(report, east, EmailSettings(sender=SENDER), "team-east", None)
    # The team's themes, by the rule its team report reads: Ada and Ben were both graded mid
    # on Procurement Discovery's Budget item.
    team = build_team(report, [r for r in report.reps if "East" in r.groups])
    assert [t.name for t in team.themes] == ["Discovery › Budget"]
    assert [t.label for t in view.theme] == ["Procurement Discovery: Discovery › Budget"]
    env = environment(None)
    text = env.get_template(DIGEST_TEXT_TEMPLATE).render(d=view)
    html = env.get_template(DIGEST_HTML_TEMPLATE).render(d=view)
    assert f"1. Procurement Discovery: Discovery › Budget: {view.theme[0].graded}" in text
    assert "<strong>Procurement Discovery: Discovery › Budget</strong>:" in html


# -- raw headers: what a mail client reads ------------------------------------------------

# An encoded word as RFC 2047 defines it: the encoded text has at least one character, so
# "=?utf-8?q??=" is not one (a client shows it as it is, or drops it and keeps both spaces).
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?\s]+)\?=")
EMPTY_WORD = re.compile(r"=\?[^?\s]*\?[qQbB]\?\?=")
PEOPLES_WORDS = ("Subject", "From", "To", "Reply-To", "X-Original-To", UNDELIVERABLE_HEADER)


def rfc2047(value: str) -> str:
    """An unfolded header value decoded as RFC 2047 tells a mail client to: each encoded word
    on its own (it must hold whole characters), the white space between two adjacent encoded
    words dropped, every other character as it is."""
    out: list[str] = []
    last_encoded = False
    for token in re.split(r"(\s+)", value):
        word = ENCODED_WORD.fullmatch(token)
        if token.isspace() or not token:
            out.append(token)
            continue
        if word and last_encoded and out and out[-1].isspace():
            out.pop()
        if word:
            charset, kind, text = word.groups()
            data = (base64.b64decode(text, validate=True) if kind in "bB"
                    else re.sub(rb"=([0-9A-F]{2})", lambda m: bytes([int(m[1], 16)]),
                                text.replace("_", " ").encode("ascii")))
            out.append(data.decode(charset))
        else:
            out.append(token)
        last_encoded = bool(word)
    return "".join(out)


def raw_headers(raw: bytes) -> dict[str, list[str]]:
    """name -> the raw lines of each of the message's Subject, From, To and Reply-To, checked
    as bytes on the wire: ASCII, lines of at most 78 characters, no empty encoded word, every
    encoded word at most 75 characters; a folded line starts with one space and the line
    before it ends without one (unfolding gives one space, never two)."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii")
    fields: dict[str, list[str]] = {}
    for line in head.split("\n"):
        if line[:1] in (" ", "\t"):
            fields[list(fields)[-1]].append(line)
        else:
            fields[line.split(":", 1)[0]] = [line]
    for name in PEOPLES_WORDS:
        for line in fields.get(name, []):
            assert len(line) <= 78, (name, line)
            assert not EMPTY_WORD.search(line), (name, line)
            assert not line.endswith((" ", "\t")), (name, line)
            assert not re.match(r"\s\s", line), (name, line)
            for word in re.findall(r"=\?[^?\s]*\?[^?\s]*\?[^?\s]*\?=", line):
                assert ENCODED_WORD.fullmatch(word) and len(word) <= 75, (name, word)
    return {name: lines for name, lines in fields.items() if name in PEOPLES_WORDS}


def shown(lines: list[str]) -> str:
    """A header's value as a mail client shows it: unfolded (RFC 5322: the line breaks go,
    the space after each stays), then decoded (``rfc2047``)."""
    value = "".join(lines).split(":", 1)[1]
    assert value.startswith(" ")
    decoded = rfc2047(value[1:])
    assert "=?" not in decoded and "  " not in decoded and decoded == decoded.strip(), decoded
    return decoded


def shown_names(lines: list[str]) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox of an address header, as a client shows it."""
    value = "".join(lines).split(":", 1)[1]
    out = []
    for name, address in re.findall(r'\s*((?:"(?:[^"\\]|\\.)*"|[^<>,"])*?)\s*<([^>]+)>,?',
                                    value):
        decoded = rfc2047(name)
        if decoded.startswith('"'):
            decoded = re.sub(r"\\(.)", r"\1", decoded[1:-1])
        assert "=?" not in decoded and "  " not in decoded, decoded
        out.append((decoded, address))
    return out


@pytest.mark.parametrize("name", ["Amélie Durand", "Sofía Nuñez", "Ō" * 40 + " Nakamura",
                                  "Александра Константиновна Преображенская-Шереметьева",
                                  'Bob "the, Closer" O\'Neil Jr.'])
def test_a_subject_and_a_name_fold_into_valid_words_whatever_the_line_length(
        tmp_path: Path, name: str) -> None:
    """Issue 29, 8: at every length of the subject prefix the line fills up at a different
    place, so somewhere the em dash of "report — October 2026" (and the letters of a name)
    meets the end of a line: no empty encoded word, no double space, in the outbox's bytes."""
    report = sample_report()
    rep = replace(report.reps[0], name=name, first_name=name.split()[0])
    run = make_run(tmp_path, replace(report, reps=(rep,)))
    sender = str(Address(name, addr_spec="coach@acme.example"))
    for width in range(0, 58):
        prefix = "[" + ("Acme Enablement Coaching " * 3)[:width] + "]"
        messages = build(run, subject_prefix=prefix, sender=sender)
        write_outbox(run.path, messages)
        raw = (run.path / "outbox" / f"{rep.slug}.eml").read_bytes()
        headers = raw_headers(raw)
        assert shown(headers["Subject"]) == (
            f"{prefix} Your Discovery Call with IT Director coaching report — October 2026")
        assert shown_names(headers["To"]) == [(name, rep.email)]
        assert shown_names(headers["From"]) == [(name, "coach@acme.example")]


def test_a_display_name_one_encoded_word_holds_is_never_split() -> None:
    """Wherever a Reply-To's line ends, "Sofía Nuñez" goes whole into one encoded word (on the
    next line if need be): a mail client and Python's own parser both read it back as it is
    (Python's reads the space between two words of a display name as part of the name)."""
    from reporter.deliver.headers import MESSAGE_POLICY, set_addresses

    for k in range(1, 60):
        first = Address("A" * k, "a", "acme.example")  # pushes the name along the line
        msg = EmailMessage(policy=MESSAGE_POLICY)
        set_addresses(msg, "Reply-To", [first, Address("Sofía Nuñez", "sofia", "acme.example")])
        msg.set_content("Hi")
        raw = msg.as_bytes()
        want = [(first.display_name, "a@acme.example"), ("Sofía Nuñez", "sofia@acme.example")]
        assert shown_names(raw_headers(raw)["Reply-To"]) == want, k
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        assert [(a.display_name, a.addr_spec) for a in parsed["Reply-To"].addresses] == want, k


def test_an_unusable_address_is_named_in_valid_words_too(tmp_path: Path) -> None:
    """The API's text for an address this tool cannot send to goes into a header as well (the
    undeliverable mark, or X-Original-To on a trial): encoded and folded the same way, a
    space kept between its words wherever the line ends."""
    report = sample_report()
    for k in range(0, 30):
        address = f"{'x' * k}-Sofía Nuñez — at acme"
        rep = replace(report.reps[0], email=address)
        run = make_run(tmp_path / str(k), replace(report, reps=(rep,)))
        for name, override, said in (
                (UNDELIVERABLE_HEADER, None,
                 f"invalid recipient address: {address!r} is not an email address"),
                ("X-Original-To", "me@acme.example", address)):
            write_outbox(run.path, build(run, to_override=override))
            raw = (run.path / "outbox" / f"{rep.slug}.eml").read_bytes()
            assert shown(raw_headers(raw)[name]) == said, (k, name)


@pytest.mark.slow
def test_every_demo_message_has_valid_headers_in_the_outbox_and_on_the_wire(
        demo_run: DemoRun, tmp_path: Path, server: tuple[SmtpSettings, Recorder]) -> None:
    """Issue 29, 8: the demo's 63 messages, reps' and managers' digests, of its scenario run
    and its program run, read as bytes: the .eml in the outbox and what a real SMTP server
    on loopback received, in every subject and display name no empty encoded word and no
    double space, and the subject reads as the template says it."""
    smtp, recorder = server
    recorder.reject = set()
    for folder in (demo_run.folder, demo_run.program):
        manifest = json.loads((folder / "manifest.json").read_text())
        run = manifest["run"]
        title = run.get("scenario_name") or run["program_name"]
        period = datetime.strptime(run["period"], "%Y-%m").strftime("%B %Y")
        names = {e["email"]: e["name"] for e in manifest["reps"] + manifest["teams"]}
        teams = {e["email"]: e["group"] for e in manifest["teams"]}
        copy = tmp_path / folder.relative_to(demo_run.out)
        shutil.copytree(folder, copy)
        recorder.received.clear()
        _, result = deliver(copy, smtp)
        assert result.failed == []
        outbox = sorted(folder.glob("outbox/**/*.eml"))
        assert len(recorder.received) == len(outbox) == result.sent
        mailed = []
        for raw in [p.read_bytes() for p in outbox] + [got.raw for got in recorder.received]:
            headers = raw_headers(raw)
            (to,) = shown_names(headers["To"])
            assert to == (names[to[1]], to[1])
            assert shown_names(headers["From"]) == [("Coaching reports", "coaching@acme.example")]
            for manager, address in shown_names(headers.get("Reply-To", ["Reply-To: "])):
                assert (manager, address) == (names[address], address)
            subject = shown(headers["Subject"])
            if to[1] in teams:
                assert re.fullmatch(rf"{re.escape(teams[to[1]])}: (\d+ reps? for a 1:1|nobody "
                                    rf"needs a 1:1) — {re.escape(title)}, {period}", subject)
            else:
                assert subject in (f"Your {title} coaching report — {period}",
                                   f"Your {title} practice report — {period}")
            mailed.append(to[1])
        # Every manager's digest and every rep's email, each read twice (file and wire).
        assert sorted(set(mailed) & set(teams)) == sorted(teams) and len(teams) == 3
        assert len(mailed) == 2 * len(outbox) and len(outbox) - len(teams) >= 25
