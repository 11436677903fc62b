"""File writing shared by every stage: atomic, so nothing is ever half-written; one command
at a time per run folder; folders checked before any request is spent."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from reporter.errors import UsageError

#: What reporter writes holds personal data (names, scores, transcripts, who was mailed), so
#: every file it creates is its owner's alone, and so is every folder it creates for them.
#: A stricter umask makes either stricter still; an existing file or folder is never opened up.
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """``path`` as a folder, each missing folder on the way created ``FOLDER_MODE`` (less
    the umask), not 0755 as ``mkdir -p`` would: personal data is never put in a folder
    others may list. Existing folders keep their mode: they are the user's choice."""
    path = Path(path)
    missing = []
    probe = path
    while not os.path.lexists(probe) and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        # Made meanwhile by another process: theirs is as good.
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=FOLDER_MODE)
    return path


def named(exc: OSError, path: Path) -> OSError:
    """``exc`` naming ``path`` when it names no file, or only the hidden temporary file
    beside ``path`` (a full disk's ``write`` names none): every refusal of the disk reaches
    the user with the file it was about."""
    if exc.filename and not Path(str(exc.filename)).name.startswith(f".{path.name}."):
        return exc
    # OSError(errno, ...) comes back as the errno's own subclass (FileNotFoundError, ...).
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


@contextmanager
def atomic_path(path: Path, *, durable: bool = True) -> Iterator[Path]:
    """A temporary path beside ``path`` to write whole; renamed over ``path`` when the block
    ends without error, removed otherwise. A reader sees the old file or the new one, never
    half of either. For writers that take a path (openpyxl's ``save``) or stream rows.
    ``durable`` False skips the fsync: still whole after a killed process, not after a power
    cut (for a file rewritten at every request).

    The file is ``FILE_MODE`` less the umask, in folders made by ``private_folder``, and no
    looser than the file it replaces (a user's ``chmod 400`` survives a rewrite). An OSError
    names ``path``, never the temporary file, nor nothing."""
    path = Path(path)
    try:
        private_folder(path.parent)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)  # mkstemp makes it 0600 less the umask
    except OSError as exc:
        raise named(exc, path) from None
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            with tmp.open("rb") as written:
                os.fsync(written.fileno())
        _no_looser(tmp, path)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise named(exc, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _no_looser(tmp: Path, path: Path) -> None:
    """``tmp``'s mode narrowed to what ``path`` (the file it replaces) allows, if it exists."""
    try:
        before = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, stat.S_IMODE(os.stat(tmp).st_mode) & before)


def atomic_write_bytes(path: Path, payload: bytes, *, durable: bool = True) -> None:
    """``payload`` into ``path`` whole or not at all (see ``atomic_path``)."""
    with atomic_path(path, durable=durable) as tmp:
        tmp.write_bytes(payload)


def read_versioned_json(
    path: Path,
    what: str,
    newest: int,
    error: type[Exception],
    *,
    default_version: int | None = None,
) -> dict[str, Any]:
    """A JSON object with a ``schema_version`` this program can read, or ``error`` with a
    one-line message: missing, unreadable, not JSON, not an object, or written by a newer
    version (refused rather than misread)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise error(f"{path} is not a {what} (not valid JSON)") from None
    except RecursionError:
        raise error(f"{path} is not a {what} (nested too deep to read)") from None
    if not isinstance(data, dict):
        raise error(f"{path} is not a {what} (not a JSON object)")
    version = data.get("schema_version", default_version)
    if version is None:
        raise error(f"{path} is not a {what} (no schema_version)")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise error(f"{path} has an invalid schema_version: {version!r}")
    if version > newest:
        raise error(f"{path} is {what} version {version}; this reporter reads up to version "
                    f"{newest}. Upgrade reporter to read it.")
    return data


class FolderBusy(UsageError):
    """Another reporter process holds the run folder (a run, a render or an email send)."""


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the run folder ``folder`` for one command: run, render and email each take it, so
    a rerun can never swap a folder in under a send, nor a send write over a new run's
    manifest. A second command stops at once with a message naming the folder, rather than
    wait. The lock file sits beside the folder (a run replaces the folder itself) and is
    removed on release, so a finished run leaves nothing hidden behind; a lock won on a file
    that was removed meanwhile is dropped and taken again on the new one.

    The lock is named from the real folder (symlinks followed, a relative path made
    absolute), not from the path as given: ``OUT/x/latest`` pointing at ``OUT/x/2026-10``,
    ``.`` inside it, or ``../2026-10`` are one folder, so one lock, or two sends through two
    names would each hold their own and both mail everyone.
    """
    folder = Path(folder).resolve()
    private_folder(folder.parent)
    lock = folder.parent / f".{folder.name}.lock"
    while True:
        handle = private_open(lock)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise FolderBusy(f"another reporter command is using {folder}; try again when "
                             "it has finished") from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        handle.close()
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        handle.close()


def own_folder(path: Path) -> Path:
    """``path`` as a real folder of its own: a symlink (or a file) in its place is removed,
    never followed, so nothing written or removed under it lands outside the run folder."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    return private_folder(path)


def private_open(path: Path) -> TextIO:
    """``path`` opened for appending, created ``FILE_MODE`` (a lock file: nobody else's to
    hold or to fill)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE), "a")


def check_writable(path: Path, what: str) -> None:
    """Refuse, before any request, a folder that cannot be written: one that is a file, sits
    under a file, or is read-only. It need not exist yet; its nearest existing ancestor is
    checked."""
    path = Path(path)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        raise UsageError(f"{what} {path} cannot be a folder: {probe} is a file")
    if not _can_write(probe):
        raise UsageError(f"{what} {path} is not writable")


def _can_write(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so a large workbook does not sit in memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
