"""Send the outbox over SMTP, never twice.

The manifest is the send log of its run folder, and the period's send record
(``deliver.sent``, beside the run folders) the log across them: a rep who already got the
report covering this one from another folder (a program's, when this is one of its
scenarios) is skipped too, and each send is written to both as it happens.

The manifest is the send log. Before each message the rep's entry is checked: a recorded
``message_id`` means "already in their inbox", and the message is skipped. After the server
accepts a message, its Message-ID and time are written to the manifest at once (atomically),
before the next message is even started. So a crash, a lost connection or Ctrl-C after N
messages leaves exactly N recorded, and the rerun sends the rest.

What SMTP cannot say is whether a message whose answer never came arrived: the connection
lost after its final ".", an answer later than the deadline, a disk that refuses the record
of a delivery the server confirmed. So each message is marked in flight in the manifest
(``in_flight``, written durably) before it is handed over, and the mark is cleared with the
server's answer. A mark found set is a message in doubt: it may be in the rep's inbox, so it
is never sent again silently; the send that loses it names the rep, later sends list it
(exit 1), and only ``--resend-in-doubt`` sends it again. A connection lost before the
message was handed over whole clears its mark: it cannot have arrived.

Each step of the conversation (the greeting, a command and its answer, the message and the
answer to its end) has a deadline in all (``Conversation``), besides the timeout per read,
so no server can hold a send, and the run folder's lock, for ever.

Two kinds of failure are kept apart. A problem with one message (a refused recipient, a
rejected body, an address the tool cannot use) is recorded on that rep as ``send_error`` and
the others go on. A problem with the server (cannot connect, TLS, login, connection lost)
stops everything with :class:`SendError`, since every following message would fail the same
way; nothing unsent is recorded as sent, so the rerun picks up where this one stopped.

The password is used for ``login`` and nothing else: it is not in ``repr(SmtpSettings)``, and
every form of it a server might echo (as typed, quoted, or in the base64 of an AUTH line,
with the user's) is scrubbed from any error text (``credential_forms``).
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import json
import smtplib
import ssl
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from reporter.config import EmailSection, check
from reporter.deliver.addresses import UNDELIVERABLE_HEADER
from reporter.deliver.manifest import (
    MANIFEST_JSON,
    Manifest,
    ManifestError,
    Sendable,
    TeamEntry,
    read_manifest,
    send_key,
    write_manifest,
)
from reporter.deliver.sent import Delivery, SendRecord, folder_label, held_record
from reporter.errors import RunError, WriteFailed

REASON_CHARS = 300

# (entry, "sent" | "skipped" | "failed" | "in doubt")
ProgressCallback = Callable[[Sendable, str], None]


class SendError(RunError):
    """The send stopped as a whole: no server, no TLS, login refused, connection lost."""


#: Seconds one step of the SMTP conversation may take in all (``--smtp-deadline``).
SMTP_DEADLINE = 60.0


@dataclass
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none" (plain; loopback tests, relays)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30  # the longest silence while reading or writing (per socket call)
    pace_seconds: float = 0.0  # pause between two sends, to stay under a relay's rate limit
    # The longest one step of the conversation may take in all: the greeting, a command and
    # its answer, the message and the answer to its end (``Conversation``).
    deadline: float = SMTP_DEADLINE


@dataclass
class SendResult:
    sent: int
    skipped_already_sent: int  # from this folder, or covered by another's (below)
    failed: list[tuple[str, str]]  # (rep email, reason)
    # Of the skipped: (address, the run folder that sent the report covering this one).
    covered_elsewhere: list[tuple[str, str]] = field(default_factory=list)
    # Not sent, in doubt: (address, when it was handed to the server with no answer kept).
    in_doubt: list[tuple[str, str]] = field(default_factory=list)


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


CREDENTIALS_REMOVED = "[credentials removed]"


def credential_forms(username: str | None, password: str | None) -> list[str]:
    """Every form in which a server's answer may echo the SMTP credentials, longest first:
    the password as typed and quoted (Python, JSON, URL escapes), and the base64 the AUTH
    commands carry (PLAIN's ``\\0user\\0password`` and ``user\\0user\\0password``,
    LOGIN's user and password each alone), padded or not, standard or URL-safe alphabet.
    A relay that answers 535 with the AUTH line it was sent would otherwise put the password,
    barely encoded, into the one-line error that cron mails to a whole team."""
    user, secret = username or "", password or ""
    if not secret and not user:
        return []
    quoted = ({secret, repr(secret)[1:-1], json.dumps(secret)[1:-1],
               urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
              if secret else set())
    encoded: set[str] = set()
    for raw in (f"\0{user}\0{secret}", f"{user}\0{user}\0{secret}", user, secret):
        if not raw:
            continue
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            padded = encode(raw.encode("utf-8")).decode("ascii")
            encoded.add(padded)
            if len(padded.rstrip("=")) >= 8:  # shorter, it would blot out ordinary words
                encoded.add(padded.rstrip("="))
    return sorted((form for form in quoted | encoded if form), key=len, reverse=True)


def _scrub(text: str, smtp: SmtpSettings) -> str:
    """One line for a person, with no credential in it (``credential_forms``), at most
    REASON_CHARS long: it is printed, mailed by cron and kept in the manifest."""
    forms = credential_forms(smtp.username, smtp.password)
    for form in forms:  # before the spaces are folded (a password may hold some), and after
        text = text.replace(form, CREDENTIALS_REMOVED)
    text = " ".join(text.split())
    for form in forms:
        text = text.replace(form, CREDENTIALS_REMOVED)
    return text[:REASON_CHARS]


def _response(code: int, resp: bytes | str) -> str:
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)
    return f"{code} {text}"


def _validate(smtp: SmtpSettings) -> None:
    """The settings a caller built by hand (the CLI's were checked when read), by the same
    model as the config file's [email] table; then what only a send can tell."""
    check(EmailSection, {"smtp_host": smtp.host, "smtp_port": smtp.port,
                         "security": smtp.security}, section="email")
    if not smtp.host:
        raise SendError("no SMTP host given")
    if smtp.username and smtp.security == "none" and not _is_loopback(smtp.host):
        raise SendError(f"refusing to send an SMTP password unencrypted to {smtp.host}; "
                        "use STARTTLS or SSL")


# -- the conversation, each step within a deadline ------------------------------------------

#: Verbs a step may be named after; anything else sent as a command is a line of AUTH (a
#: base64 password, with AUTH LOGIN), and is never named.
_VERBS = frozenset({"EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET",
                    "NOOP", "QUIT"})
_MAX_LINE = 8192  # as smtplib's: longer, the answer is refused
_MAX_LINES = 1000  # an answer of more lines is no SMTP server's


class StepDeadline(smtplib.SMTPException):
    """A step of the conversation took longer than its deadline in all, however steadily the
    server kept it going (a greeting trickled one line at a time, an answer a byte at a time)."""


class Conversation(smtplib.SMTP):
    """``smtplib.SMTP`` whose every step has a deadline in all, not only per read.

    smtplib's timeout is per socket call: a server that sends ``220-still here`` every few
    seconds never lets it expire, and holds the send (and the run folder's lock) for ever.
    Here each step (the greeting; each command and its answer; the message and the answer
    to its end) must finish within ``deadline`` seconds, or the connection is closed and
    ``StepDeadline`` raised. Each read still stops after ``timeout`` s of silence, except
    the answer to the end of the message, which may take the whole deadline: relays scan a
    message before they answer, and giving up early is what leaves a message in doubt.

    Replies are read here from the socket, not through smtplib's buffered file, so that each
    read's timeout is what is left of the step. ``handed`` says whether the current message
    was handed over whole (its final ".") and so may be in the rep's inbox, whatever
    happens next.
    """

    def __init__(self, host: str, port: int, *, timeout: float, deadline: float,
                 **kwargs: Any) -> None:
        self.deadline = deadline
        self.handed = False
        self._inbox = b""
        self._step = "the greeting"
        self._started = time.monotonic()
        super().__init__(host, port, timeout=timeout, **kwargs)

    def _begin(self, step: str) -> None:
        self._step, self._started = step, time.monotonic()

    def _left(self, *, capped: bool = True) -> float:
        left = self._started + self.deadline - time.monotonic()
        if left <= 0:
            self.close()
            raise StepDeadline(f"no complete answer to {self._step} within "
                               f"{self.deadline:g} s (--smtp-deadline)")
        return min(left, self.timeout) if capped else left

    def _expired(self) -> None:
        """After a read timed out: StepDeadline if it was the step's deadline that stopped
        it (a read waits at most what is left of the step, give or take the clock's
        grain), else the connection is closed for the server's silence."""
        if self._started + self.deadline - time.monotonic() < 0.05:
            self._started -= 0.05
            self._left()
        self.close()

    def connect(self, host: str = "localhost", port: int = 0,
                source_address: Any = None) -> tuple[int, bytes]:
        self._inbox = b""
        self._begin("the greeting")
        return super().connect(host, port, source_address)

    def putcmd(self, cmd: str, args: str = "") -> None:
        verb = cmd.split(" ", 1)[0].upper()
        self._begin(verb if verb in _VERBS else "AUTH")
        super().putcmd(cmd, args)

    def send(self, s: bytes | str) -> None:  # type: ignore[override]
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        data = s.encode(self.command_encoding) if isinstance(s, str) else s
        sys.audit("smtplib.send", self, data)
        self.sock.settimeout(self._left())
        try:
            self.sock.sendall(data)
        except TimeoutError:
            self._expired()
            raise smtplib.SMTPServerDisconnected(
                f"the server took nothing of {self._step} for {self.timeout:g} s") from None
        except OSError as exc:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"Server not connected: {exc}") from None
        if self._step == "the message":
            self.handed = True  # whole, its final "." included: it may be in the inbox now

    def starttls(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        reply = super().starttls(*args, **kwargs)
        self._inbox = b""  # nothing read before TLS is trusted after it
        return reply

    def getreply(self) -> tuple[int, bytes]:
        lines: list[bytes] = []
        code = -1
        while True:
            line = self._line()
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
                break
            if line[3:4] != b"-":
                break
            if len(lines) >= _MAX_LINES:
                self.close()
                raise smtplib.SMTPResponseException(500, b"Answer too long.")
        if self._step == "DATA" and code == 354:
            self._begin("the message")  # what comes next: the message and the end of DATA
        return code, b"\n".join(lines)

    def _line(self) -> bytes:
        while True:
            end = self._inbox.find(b"\n")
            if end >= 0 or len(self._inbox) > _MAX_LINE:
                if end < 0 or end >= _MAX_LINE:
                    self.close()
                    raise smtplib.SMTPResponseException(500, b"Line too long.")
                line, self._inbox = self._inbox[:end + 1], self._inbox[end + 1:]
                return line
            if self.sock is None:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self.sock.settimeout(self._left(capped=self._step != "the message"))
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                self._expired()
                raise smtplib.SMTPServerDisconnected(
                    f"no answer to {self._step} for {self.timeout:g} s") from None
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"Connection unexpectedly closed: {exc}") from None
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self._inbox += chunk


class SecureConversation(Conversation, smtplib.SMTP_SSL):
    """``Conversation`` over TLS from the first byte (``security = "ssl"``)."""


def connect(smtp: SmtpSettings) -> Conversation:
    """An open, secured and (if a user is given) logged-in connection, or SendError."""
    where = f"{smtp.host}:{smtp.port} ({smtp.security})"
    context = ssl.create_default_context()
    conn: Conversation | None = None
    try:
        if smtp.security == "ssl":
            conn = SecureConversation(smtp.host, smtp.port, timeout=smtp.timeout,
                                      deadline=smtp.deadline, context=context)
        else:
            conn = Conversation(smtp.host, smtp.port, timeout=smtp.timeout,
                                deadline=smtp.deadline)
        conn.ehlo()
        if smtp.security == "starttls":
            if not conn.has_extn("starttls"):
                # Falling back to plain text would put every report on the wire unencrypted.
                raise SendError(f"{where}: the server does not offer STARTTLS")
            conn.starttls(context=context)
            conn.ehlo()
        if smtp.username:
            conn.login(smtp.username, smtp.password or "")
        return conn
    except SendError:
        _close(conn)
        raise
    except smtplib.SMTPAuthenticationError as exc:
        _close(conn)
        reason = _scrub(_response(exc.smtp_code, exc.smtp_error), smtp)
        raise SendError(f"{where}: login refused for user {smtp.username!r}: {reason}") from None
    except (OSError, smtplib.SMTPException) as exc:
        _close(conn)
        raise SendError(f"cannot connect to SMTP server {where}: "
                        f"{_scrub(str(exc) or type(exc).__name__, smtp)}") from None


def _close(conn: smtplib.SMTP | None, polite: bool = False) -> None:
    if conn is None:
        return
    with contextlib.suppress(OSError, smtplib.SMTPException):
        if polite:
            conn.quit()
            return
    with contextlib.suppress(OSError):
        conn.close()


def _find(manifest: Manifest, entry: Sendable) -> Sendable:
    candidates: list[Sendable] = [*(manifest.teams if isinstance(entry, TeamEntry)
                                    else manifest.reps)]
    for candidate in candidates:
        if candidate.slug == entry.slug and candidate.email.lower() == entry.email.lower():
            return candidate
    raise ManifestError(f"{entry.email} has a message but no entry in the manifest; "
                        "rebuild the outbox from this run folder")


def _record(run_dir: Path, manifest: Manifest, record: Sendable, entry: Sendable) -> None:
    write_manifest(run_dir, manifest)
    entry.message_id, entry.sent_at, entry.send_error = (
        record.message_id, record.sent_at, record.send_error)


def send_all(run_dir: Path, messages: Sequence[tuple[Sendable, EmailMessage]],
             smtp: SmtpSettings, *, on_progress: ProgressCallback | None = None,
             resend_in_doubt: bool = False) -> SendResult:
    """Send every message whose rep has no Message-ID recorded yet; record each as it goes.

    A --to-override trial (messages with X-Original-To) records nothing in the manifest: the
    reps did not get their reports, and the real send afterwards must not skip them.

    A message is marked in flight in the manifest (durably) before it is handed over, and
    the mark is cleared with the server's answer. A mark found set belongs to a message
    whose answer was never recorded: the connection was lost after its end, the answer came
    too late, or the disk refused the record of a delivery. It may be in the rep's inbox, so
    it is in doubt: not sent again (``SendResult.in_doubt``) unless ``resend_in_doubt``.

    Call it holding the run folder (``files.folder_lock``, as ``pipeline.email`` does): two
    senders at once would both read "not sent yet" and both send. That lock guards the
    folder for every command; the period's send record, shared by the folders of one OUT,
    is held here for the whole send by its own (``sent.held_record``).
    """
    run_dir = Path(run_dir).resolve()  # the real folder: its record is found from there
    _validate(smtp)
    result = SendResult(sent=0, skipped_already_sent=0, failed=[])
    conn: Conversation | None = None
    finished = False
    # Read from disk, not from the caller: a previous, interrupted send updated the file.
    manifest = read_manifest(run_dir)
    with held_record(run_dir, manifest) as sends:
        try:
            for entry, msg in messages:
                record = _find(manifest, entry)
                if record.message_id or _covered(run_dir, manifest, sends, record, result):
                    result.skipped_already_sent += 1
                    if on_progress:
                        on_progress(entry, "skipped")
                    continue
                trial = "X-Original-To" in msg
                doubt = _doubt(run_dir, manifest, sends, record)
                if doubt and not trial and not resend_in_doubt:
                    result.in_doubt.append((entry.email, doubt))
                    if on_progress:
                        on_progress(entry, "in doubt")
                    continue
                problem = msg.get(UNDELIVERABLE_HEADER)
                refused = None
                if problem is None:
                    if conn is None:
                        conn = connect(smtp)
                    elif smtp.pace_seconds > 0:
                        time.sleep(smtp.pace_seconds)
                    if not trial:  # the marks first, so that any end leaves evidence
                        _mark(run_dir, manifest, sends, record, entry, str(msg["Message-ID"]))
                    problem, refused = _handed(conn, msg, smtp, run_dir, manifest, sends,
                                               record, entry, trial)
                if problem is not None:
                    if sends is not None and not trial:
                        sends.clear_doubt(send_key(record), folder_label(run_dir),
                                          manifest.kind)
                    record.send_error, record.in_flight = str(problem), None
                    _record(run_dir, manifest, record, entry)
                    result.failed.append((entry.email, str(problem)))
                    if on_progress:
                        on_progress(entry, "failed")
                    continue
                if not trial:
                    _delivered(run_dir, manifest, sends, record, entry,
                               str(msg["Message-ID"]), refused)
                result.sent += 1
                if on_progress:
                    on_progress(entry, "sent")
            finished = True
        finally:
            _close(conn, polite=finished)
    return result


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _doubt(run_dir: Path, manifest: Manifest, sends: SendRecord | None,
           record: Sendable) -> str | None:
    """Why the person may already have this email, or None: this folder's mark (when it
    was handed over), or another folder's email in doubt that covers this one (when, and
    from which folder). This folder's entry in the period's record does not count: its
    manifest's mark, written after it and before the message, decides."""
    if record.in_flight:
        return record.in_flight
    elsewhere = (sends.covering(send_key(record), manifest.covers, in_doubt=True)
                 if sends is not None else None)
    if elsewhere is None or (elsewhere.run == folder_label(run_dir)
                             and elsewhere.kind == manifest.kind):
        return None
    return f"{elsewhere.sent_at} (from {elsewhere.run})"


def _mark(run_dir: Path, manifest: Manifest, sends: SendRecord | None, record: Sendable,
          entry: Sendable, message_id: str) -> None:
    """The message is about to be handed over: in doubt in the period's record, then in
    flight in the manifest, both durable before DATA."""
    record.in_flight = _now()
    if sends is not None:
        sends.add(Delivery(send_key(record), tuple(sorted(manifest.covers)),
                           folder_label(run_dir), manifest.kind, message_id,
                           record.in_flight, in_doubt=True))
    _record(run_dir, manifest, record, entry)


def _in_doubt(email: str) -> str:
    return (f"{email} is in doubt and is not sent again unless you rerun with "
            "--resend-in-doubt")


def _handed(conn: Conversation, msg: EmailMessage, smtp: SmtpSettings, run_dir: Path,
            manifest: Manifest, sends: SendRecord | None, record: Sendable, entry: Sendable,
            trial: bool) -> tuple[str | None, str | None]:
    """``_send_one``, with what its end means for the mark. The connection lost before the
    message was handed over whole: it cannot have arrived, the mark is cleared and the send
    stops (SendError). Lost after: the mark stays, and the send stops naming the rep in
    doubt. Interrupted (Ctrl-C, SIGTERM): the mark is cleared only if nothing was handed."""
    conn.handed = False
    try:
        return _send_one(conn, msg, smtp)
    except _Lost as lost:
        if lost.handed and not trial:
            raise SendError(
                f"the SMTP server did not answer the end of {entry.email}'s message "
                f"({lost.reason}): it may have kept it, so {_in_doubt(entry.email)}; "
                "messages sent so far are recorded, rerun to send the rest") from None
        if not trial:
            _unmark(run_dir, manifest, sends, record, entry)
        raise SendError(lost.message) from None
    except BaseException:
        if not conn.handed and not trial:
            _unmark(run_dir, manifest, sends, record, entry)
        raise


def _unmark(run_dir: Path, manifest: Manifest, sends: SendRecord | None, record: Sendable,
            entry: Sendable) -> None:
    """Clear the marks of a message that certainly did not arrive; if even that write
    fails, the mark stays and the rep is (needlessly, but safely) in doubt."""
    record.in_flight = None
    with contextlib.suppress(OSError):
        if sends is not None:
            sends.clear_doubt(send_key(record), folder_label(run_dir), manifest.kind)
        _record(run_dir, manifest, record, entry)


def _delivered(run_dir: Path, manifest: Manifest, sends: SendRecord | None, record: Sendable,
               entry: Sendable, message_id: str, refused: str | None) -> None:
    """The server accepted the message: into the period's record, then the manifest (the
    mark cleared). A write refused here (a full disk) leaves the mark set, so the rep is in
    doubt, and says so."""
    record.message_id = message_id
    record.sent_at = _now()
    record.send_error = refused
    record.in_flight = None
    where = run_dir / MANIFEST_JSON
    try:
        if sends is not None:  # first: the record across folders
            where = sends.path
            sends.add(Delivery(send_key(record), tuple(sorted(manifest.covers)),
                               folder_label(run_dir), manifest.kind,
                               record.message_id, record.sent_at))
            where = run_dir / MANIFEST_JSON
        _record(run_dir, manifest, record, entry)
    except OSError as exc:
        raise WriteFailed(f"cannot write {where}: {exc.strerror or exc}; the SMTP server "
                          f"accepted {entry.email}'s message, so {_in_doubt(entry.email)}"
                          ) from None


def _covered(run_dir: Path, manifest: Manifest, sends: SendRecord | None, record: Sendable,
             result: SendResult) -> bool:
    """Whether the person already got, this period, an email covering this one's scenarios
    (``deliver.sent``). Sent from this very folder (a send killed between the two records):
    its manifest entry is repaired from the record."""
    earlier = sends.covering(send_key(record), manifest.covers) if sends else None
    if earlier is None:
        return False
    if earlier.run == folder_label(run_dir) and earlier.kind == manifest.kind:
        record.message_id, record.sent_at = earlier.message_id, earlier.sent_at
        record.in_flight = None  # the record knows it arrived: no doubt left
        write_manifest(run_dir, manifest)
    else:
        result.covered_elsewhere.append((record.email, earlier.run))
    return True


class _Lost(Exception):
    """The connection ended without an answer to the message: ``handed`` says whether the
    message had been handed over whole (and so may have arrived)."""

    def __init__(self, message: str, reason: str, handed: bool) -> None:
        super().__init__(message)
        self.message, self.reason, self.handed = message, reason, handed


def _send_one(conn: Conversation, msg: EmailMessage,
              smtp: SmtpSettings) -> tuple[str | None, str | None]:
    """(problem, partly_refused): problem set means this message was not sent at all.

    Raises _Lost when the connection itself is gone (closed, silent, past its deadline):
    the message may or may not have arrived (``Conversation.handed``), which the caller
    records.
    """
    del msg["Date"]
    msg["Date"] = format_datetime(datetime.now(UTC))
    try:
        refused = conn.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        parts = [f"{addr}: {_response(code, resp)}" for addr, (code, resp)
                 in exc.recipients.items()]
        return _scrub("recipient refused: " + "; ".join(parts), smtp), None
    except smtplib.SMTPServerDisconnected as exc:
        reason = _scrub(str(exc), smtp)
        raise _Lost(f"the SMTP server closed the connection ({reason}); messages sent so "
                    "far are recorded, rerun to send the rest", reason, conn.handed) from None
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, 4xx/5xx
        if exc.smtp_code == 421:  # an answer: the message was not taken
            raise _Lost("the SMTP server is closing the connection (421); messages sent so "
                        "far are recorded, rerun to send the rest", "421", False) from None
        return _scrub(f"rejected by the server: {_response(exc.smtp_code, exc.smtp_error)}",
                      smtp), None
    except smtplib.SMTPNotSupportedError as exc:  # e.g. an address that needs SMTPUTF8
        return _scrub(f"not supported by the server: {exc}", smtp), None
    except OSError as exc:  # StepDeadline too (smtplib's errors are OSErrors)
        reason = _scrub(str(exc), smtp)
        raise _Lost(f"lost the connection to the SMTP server ({reason}); messages sent so "
                    "far are recorded, rerun to send the rest", reason, conn.handed) from None
    if refused:
        parts = [f"{addr}: {_response(code, resp)}" for addr, (code, resp) in refused.items()]
        return None, _scrub("sent, but refused for: " + "; ".join(parts), smtp)
    return None, None
