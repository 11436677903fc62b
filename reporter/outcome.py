"""What each command ends with, and the one refusal every command shares: the disk's.

The outcomes are what the library hands back to its caller (the CLI prints them, a Python
caller reads them); ``io_errors`` turns a file system's refusal into one line; ``run_loop``
and ``interrupt`` end a command's event loop in order when Ctrl-C or SIGTERM comes.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

from reporter.console import Console
from reporter.errors import WriteFailed
from reporter.names import KEPT_DIR

if TYPE_CHECKING:
    from reporter.deliver.smtp import SendResult

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class RunOutcome:
    run_dir: Path
    reps: int
    reports: int
    pages: int
    files: list[Path]
    failed: list[tuple[str, str]]  # (rep email, why)
    not_found: int
    requests_made: int
    cache_hits: int
    seconds: float
    kept: tuple[str, ...] = ()  # failed reps whose previous report is in previous-reports/

    @property
    def exit_code(self) -> int:
        """1 when a rep failed; addresses not found (not members, no sessions, not an
        address) are listed, not fatal: a cron job mails everyone whose report was made."""
        return 1 if self.failed else 0


@dataclass(frozen=True)
class FetchOutcome:
    snapshot_path: Path
    reps: int
    not_found: int
    requests_made: int
    cache_hits: int
    failed: int = 0  # reps whose sessions could not be read

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class EmailOutcome:
    written: list[Path]
    sent: int = 0
    already_sent: int = 0
    failed: tuple[tuple[str, str], ...] = ()
    # (address, handed over at): not sent, as they may already have it (exit 1 until the
    # operator decides: --resend-in-doubt)
    in_doubt: tuple[tuple[str, str], ...] = ()

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.in_doubt else 0


def io_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """An OSError (a file system's refusal) becomes one line naming the path, never a
    traceback: it is about the machine, not one rep's data, so the whole command stops."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            raise WriteFailed(f"cannot write{where}: {exc.strerror or exc}") from None

    return wrapper


def summarise_outbox(run_dir: Path, reps: int, digests: int, former: int,
                     console: Console) -> None:
    console.info(f"outbox: {reps} rep emails"
                 + (f" and {digests} manager digests" if digests else "")
                 + f" in {run_dir / 'outbox'}"
                 + (f"; {former} former member{'' if former == 1 else 's'} of the "
                    "workspace held back (email_former_members = true sends them)"
                    if former else ""))


def summarise_sends(paths: list[Path], result: SendResult, console: Console) -> EmailOutcome:
    """What ``email --send`` did, said once: the counts, then one line per rep that failed or
    is in doubt."""
    doubt = f"in doubt {len(result.in_doubt)}, " if result.in_doubt else ""
    console.info(f"sent {result.sent}, already sent before {result.skipped_already_sent}, "
                 f"{doubt}failed {len(result.failed)}")
    for address, reason in result.failed:
        console.warn(f"{address}: {reason}")
    for address, since in result.in_doubt:
        console.warn(f"{address}: in doubt: handed to the SMTP server at {since} with no "
                     "answer recorded; not sent again (they may have it): check the "
                     "server's log, then rerun with --resend-in-doubt to send it")
    return EmailOutcome(paths, result.sent, result.skipped_already_sent, tuple(result.failed),
                        tuple(result.in_doubt))


def summarise(outcome: RunOutcome, console: Console) -> None:
    console.info(
        f"done: {outcome.reps} reps, {outcome.reports} reports ({outcome.pages} pages), "
        f"{len(outcome.files)} files in {outcome.run_dir}; {outcome.requests_made} requests, "
        f"{outcome.cache_hits} cache hits, {outcome.seconds:.1f} s"
    )
    for address, reason in outcome.failed:
        console.warn(f"{address}: {reason}")
    if outcome.kept:
        one = len(outcome.kept) == 1
        console.warn(f"the previous report{'' if one else 's'} of {', '.join(outcome.kept)}, "
                     f"whose report{'' if one else 's'} failed in this run, "
                     f"{'is' if one else 'are'} kept in {outcome.run_dir / KEPT_DIR}")
    if outcome.not_found:
        console.warn(f"{outcome.not_found} address(es) had no data; see manifest.csv")


#: The root task of each event loop a command runs (``run_loop``), the one a signal may unwind.
_ROOTS: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()

#: An interrupt handed to an event loop (``interrupt``) that the loop has not raised yet.
_PENDING: list[BaseException] = []


def run_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``, with ``main``'s task known as the loop's root (``interrupt``).

    An interrupt handed to the loop as it ended (its root task done, so the callback raising
    it never ran) is raised here: a Ctrl-C is never lost, and it wins over any other way the
    loop ended."""
    async def rooted() -> T:
        task = asyncio.current_task()
        if task is not None:
            _ROOTS.add(task)
        return await main

    _PENDING.clear()
    try:
        result = asyncio.run(rooted())
    except BaseException:
        if _PENDING:
            raise _PENDING.pop() from None
        raise
    if _PENDING:
        raise _PENDING.pop()
    return result


def interrupt(error: BaseException) -> None:
    """Raise ``error`` (SIGINT's or SIGTERM's) from a signal handler where it unwinds the
    command: at once, unless another task of an event loop (a session's download) is
    running. Raised there it would fail that task, asyncio would raise it again in the task
    that awaits it while it cancels the rest, and the tasks left pending would be reported on
    stderr after the command's last line. So it is raised by the loop itself as soon as that
    task yields; the loop then cancels its root task, which unwinds through every cleanup in
    order (``run_loop`` raises it if the loop ended first)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no event loop runs: plain code
        task = None
    if task is None or task in _ROOTS:
        raise error

    def stop() -> NoReturn:
        _PENDING.clear()
        raise error

    _PENDING.append(error)
    asyncio.get_running_loop().call_soon(stop)
