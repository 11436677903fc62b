"""On-disk cache of graded session details.

A graded session (a valid attempt with a score) does not change any more, and a
detail request is the most expensive thing a run does against a 1,000-a-day
budget, so each one is fetched once per workspace, ever. The folder is named by the API's
base URL and the workspace id together: a sandbox's or a staging server's details never
feed a report of the real API (workspace ids alone may collide). Files are 0600 (they
hold transcripts); their names are hashes, never the untrusted session id; a
truncated or garbled file is treated as missing and replaced.

Nothing is kept for ever (``prune``): an entry goes when its session is older than the
retention (``reporter.cohort.RETENTION_DAYS`` unless ``cache_retention_days`` or ``--max-age`` says
otherwise), at every ``reporter sync`` and at ``reporter cache prune``, which also removes
every entry of a person who asks (``--person``). Age is the session's own date, not the
file's: what is kept is that day's personal data, however recently it was fetched, and a
copied or restored folder does not make old transcripts young again.

The cache only saves requests: a folder that refuses a write (full, read-only) is said once
(``CacheTrouble``) and the command goes on without writing there, never stops for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import platformdirs
from pydantic import ValidationError

from reporter.exec_api.models import SessionDetail
from reporter.exec_api.usage import OnWriteError
from reporter.files import atomic_write_bytes


def default_cache_dir() -> Path:
    """The user cache directory (XDG_CACHE_HOME is honoured on Linux)."""
    return Path(platformdirs.user_cache_dir("reporter", appauthor=False))


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


class CacheTrouble:
    """The cache folder's first refused write, said in one warning for the whole command
    (the details and the day's count alike); later refusals are not said again."""

    def __init__(self, folder: Path, warn: Callable[[str], None]) -> None:
        self.folder = Path(folder)
        self.warn = warn
        self.said = False

    def __call__(self, exc: OSError) -> None:
        if self.said:
            return
        self.said = True
        where = f"{exc.filename}: " if exc.filename else ""
        self.warn(f"cannot write the cache folder {self.folder} ({where}"
                  f"{exc.strerror or exc}): going on without it; details fetched now are not "
                  "kept, and the day's request count is kept in memory until it can be written")


class DetailCache:
    def __init__(self, root: Path | None, workspace_id: str, base_url: str,
                 on_write_error: OnWriteError | None = None) -> None:
        """``root`` None disables the cache (``--no-cache``). ``on_write_error``: a write
        the folder refuses is told to it and no more writes are tried (reads go on, so the
        plan's cached details are still read); None: the OSError stops the command."""
        self.enabled = root is not None
        self.on_write_error = on_write_error
        self.writable = True
        server = base_url.strip().rstrip("/").casefold()
        self.folder = (Path(root) / "workspaces" / _hashed(f"{server}\n{workspace_id}")
                       if root else None)
        self.hits = 0
        self.repaired = 0

    def _path(self, session_id: str) -> Path:
        assert self.folder is not None
        return self.folder / "sessions" / f"{_hashed(session_id)}.json"

    def has(self, session_id: str) -> bool:
        return self.enabled and self._path(session_id).is_file()

    def get(self, session_id: str) -> SessionDetail | None:
        detail = self._read(session_id)
        if detail is not None:
            self.hits += 1
        return detail

    def usable(self, session_id: str) -> bool:
        """The entry is there and reads whole (a damaged one is removed): what the plan
        counts as cached, so a damaged entry is a request in the plan, not one beyond it."""
        return self._read(session_id) is not None

    def _read(self, session_id: str) -> SessionDetail | None:
        if not self.enabled:
            return None
        path = self._path(session_id)
        try:
            detail = SessionDetail.model_validate_json(path.read_bytes())
            if detail.id != session_id:
                raise ValueError("id mismatch")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, ValidationError):
            path.unlink(missing_ok=True)
            self.repaired += 1
            return None
        return detail

    def details(self) -> Iterator[SessionDetail]:
        """Every detail this workspace's folder holds (none when the cache is off), in file
        order: a past period's sessions read back without a request. An entry that does not
        read is skipped here, not removed: ``get`` repairs what a run asks for."""
        if not self.enabled or self.folder is None:
            return
        for path in sorted((self.folder / "sessions").glob("*.json")):
            try:
                yield SessionDetail.model_validate_json(path.read_bytes())
            except (OSError, ValueError, ValidationError):
                continue

    def put(self, detail: SessionDetail) -> None:
        """Keep a detail if it is graded; an ungraded one may still change."""
        if not self.enabled or not self.writable or not detail.is_graded:
            return
        try:
            atomic_write_bytes(self._path(detail.id),
                               detail.model_dump_json().encode("utf-8"))
        except OSError as exc:
            if self.on_write_error is None:
                raise
            self.writable = False
            self.on_write_error(exc)


def usage_path(root: Path | None, fingerprint: str) -> Path | None:
    return Path(root) / "usage" / f"{fingerprint}.json" if root else None


@dataclass(frozen=True)
class Pruned:
    """What ``prune`` removed (by reason) and kept."""

    folder: Path
    max_age_days: int
    asked: tuple[str, ...]  # the people whose entries were asked to go
    old: int
    people: int
    damaged: int
    kept: int

    def line(self) -> str:
        who = f", {self.people} of {', '.join(self.asked)}" if self.asked else ""
        damaged = f", {self.damaged} unreadable" if self.damaged else ""
        removed = self.old + self.people + self.damaged
        return (f"cache {self.folder}: removed {removed} entries ({self.old} of sessions "
                f"older than {self.max_age_days} days{who}{damaged}), kept {self.kept}")


def prune(root: Path, now: datetime, max_age_days: int,
          people: Collection[str] = ()) -> Pruned:
    """Remove, across every workspace's folder under ``root``, each cached detail whose
    session is more than ``max_age_days`` before ``now`` (the caller's clock: a parameter,
    never read here), each one of ``people`` (addresses, any case), and each that cannot be
    read (its date unknown, it cannot be shown to be young)."""
    folded = {p.strip().casefold() for p in people}
    cutoff = now - timedelta(days=max_age_days)
    old = theirs = damaged = kept = 0
    for path in sorted(Path(root).glob("workspaces/*/sessions/*.json")):
        try:
            data = json.loads(path.read_bytes())
            when = datetime.fromisoformat(data["created_at"])
            email = str((data.get("user") or {}).get("email") or "").casefold()
            if when.tzinfo is None:
                raise ValueError("no time zone")
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            path.unlink(missing_ok=True)
            damaged += 1
            continue
        if email and email in folded:
            path.unlink(missing_ok=True)
            theirs += 1
        elif when < cutoff:
            path.unlink(missing_ok=True)
            old += 1
        else:
            kept += 1
    return Pruned(Path(root), max_age_days, tuple(sorted(folded)), old, theirs, damaged, kept)
