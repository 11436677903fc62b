"""How many requests this key has made today (UTC), kept on disk.

The API allows 1,000 requests a day per workspace and does not say how many are
left, so the client counts its own: a run can then refuse a plan that would not
fit instead of dying halfway. The count is per key fingerprint (never the key)
and per UTC day; other tools using the same key are invisible to it, which is
why it is a floor on what was spent, not a promise of what remains. Each request is on disk
as it is made (before it is sent), so a run that is killed still counts what it spent.

Two commands with the same key (a cron sync and a manual run) add to the same file: each
read-add-write holds an exclusive lock on ``<file>.lock`` beside it, so neither overwrites
the other's requests and the daily-budget guard never undercounts.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from reporter.files import atomic_write_bytes, private_folder, private_open

DAILY_LIMIT = 1000


def utc_today() -> str:
    return datetime.now(UTC).date().isoformat()


#: What a command does when a folder it only keeps things in (the cache) refuses a write:
#: say so once and go on without writing there (``reporter.cohort.cache.CacheTrouble``).
OnWriteError = Callable[[OSError], None]


class UsageCounter:
    """Requests per UTC day for one key; ``path`` None keeps the count in memory only.
    ``on_write_error``: when the file cannot be written (its folder full), count on in
    memory and tell it; None: the OSError stops the command."""

    def __init__(self, path: Path | None, daily_limit: int = DAILY_LIMIT,
                 on_write_error: OnWriteError | None = None) -> None:
        self.path = path
        self.daily_limit = daily_limit
        self.on_write_error = on_write_error
        self._day = utc_today()
        self._saved = self._load()  # the count on disk when last read
        self._unsaved = 0  # requests made since

    def _load(self) -> int:
        if self.path is None:
            return 0
        try:
            data = json.loads(self.path.read_text())
            return int(data.get(self._day, 0)) if isinstance(data, dict) else 0
        except (OSError, ValueError, TypeError):
            return 0  # no file yet, or a garbled one: start the day's count afresh

    def _roll(self) -> None:
        today = utc_today()
        if today != self._day:
            self._day, self._saved, self._unsaved = today, 0, 0

    def add(self, n: int = 1) -> None:
        self._roll()
        self._unsaved += n
        self.save()

    @property
    def used_today(self) -> int:
        self._roll()
        return self._saved + self._unsaved

    @property
    def remaining_today(self) -> int:
        return max(0, self.daily_limit - self.used_today)

    def save(self) -> None:
        """Add this process's requests to what is on disk (another run may have added too)."""
        self._roll()
        if self.path is None or not self._unsaved:
            return
        try:
            with self._held(self.path):
                total = self._load() + self._unsaved
                atomic_write_bytes(self.path, json.dumps({self._day: total}).encode(),
                                   durable=False)
        except OSError as exc:
            if self.on_write_error is None:
                raise
            self.on_write_error(exc)  # still counted: kept unsaved, tried again next time
            return
        self._saved, self._unsaved = total, 0

    @staticmethod
    @contextmanager
    def _held(path: Path) -> Iterator[None]:
        """The count's file held for one read-add-write: another process waits (a few
        microseconds) instead of writing over this one's requests. The lock file stays: a
        removed one could be locked by one process and recreated for another."""
        private_folder(path.parent)
        with private_open(path.with_name(f"{path.name}.lock")) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield
