"""How a command's event loop ends when SIGTERM comes (``outcome.run_loop``, ``interrupt``)."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from reporter import outcome
from reporter.errors import Terminated


def _downloads(where_the_signal_lands: str, cleaned: list[str]):
    """A root task awaiting three download tasks, as ``fetch_reps`` does; the signal's
    handler (``interrupt``) runs while the root, or one of the downloads, is running."""
    async def download(n: int) -> None:
        try:
            if where_the_signal_lands == "download" and n == 1:
                outcome.interrupt(Terminated())
            await asyncio.sleep(30)
        finally:
            cleaned.append(f"download {n}")

    async def root() -> None:
        tasks = [asyncio.ensure_future(download(n)) for n in range(3)]
        try:
            await asyncio.sleep(0)  # the downloads start
            if where_the_signal_lands == "root":
                outcome.interrupt(Terminated())
            await asyncio.gather(*tasks)
        finally:
            cleaned.append("root")  # the run folder's and the pool's cleanup, in a real run

    return root()


@pytest.mark.parametrize("where", ["download", "root"])
def test_sigterm_ends_the_loop_after_every_cleanup_and_leaves_no_task_pending(where, caplog):
    """Issue 21, 13 (found again under load): SIGTERM raised inside a download task failed
    that task with a KeyboardInterrupt, which asyncio raised again in the task awaiting it
    while it cancelled the rest; the loop closed with tasks still pending, and "Task was
    destroyed but it is pending!" came on stderr after the command's "Interrupted" line."""
    cleaned: list[str] = []
    with caplog.at_level(logging.ERROR, logger="asyncio"), pytest.raises(Terminated):
        outcome.run_loop(_downloads(where, cleaned))
    gc.collect()
    assert sorted(cleaned) == ["download 0", "download 1", "download 2", "root"]
    assert [r.getMessage() for r in caplog.records] == []


def test_outside_an_event_loop_sigterm_is_raised_at_once():
    with pytest.raises(Terminated):
        outcome.interrupt(Terminated())
