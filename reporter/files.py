"""File writing shared by every stage: atomic, so nothing is ever half-written."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write_bytes(path: Path, payload: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
