"""The run's manifest: what a run produced, and, once emails go out, what was sent.

``manifest.json`` is the record scripts and the ``email`` command read back; ``manifest.csv``
is the same rep list for people and HR systems. The manifest is also the send log: a rep's
``message_id`` is written the moment their email is accepted, so a rerun after a crash knows
exactly who already has theirs. That is why every write is atomic (both files), and why a
manifest that cannot be read is an error rather than an empty list: an empty list would
mean "nobody was sent anything" and invite a second send.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from reporter.errors import UsageError
from reporter.files import atomic_write_bytes, read_versioned_json
from reporter.render.cells import csv_text

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
SCHEMA_VERSION = 1
STATUSES: tuple[str, ...] = ("ok", "empty", "not_found", "failed")


class ManifestError(UsageError):
    """A manifest that is missing, not JSON, or not shaped like one."""


@dataclass
class RepEntry:
    """One rep of the run: what was produced for them and whether their email went out."""

    email: str
    name: str
    slug: str
    status: str  # "ok" | "empty" | "not_found" | "failed"
    reason: str | None
    pdf: str | None  # relative to the run folder, e.g. "reps/<slug>.pdf"
    sha256: str | None
    pages: int | None
    message_id: str | None = None
    sent_at: str | None = None  # ISO 8601 UTC
    send_error: str | None = None


@dataclass
class TeamEntry:
    """One team of a ``--by-team`` run: its report and workbook, and whether its manager's
    digest went out. ``name``/``email`` are the manager's, so a digest is sent and recorded
    exactly as a rep's email is."""

    group: str
    slug: str  # the folder under teams/
    name: str  # the manager's name
    email: str  # the manager's address
    reps: int
    needs_attention: int
    pdf: str | None  # relative to the run folder: "teams/<slug>/team.pdf"
    sha256: str | None
    xlsx: str | None
    xlsx_sha256: str | None
    message_id: str | None = None
    sent_at: str | None = None
    send_error: str | None = None


@dataclass
class Manifest:
    run: dict[str, Any]  # scenario, period, generated_at, tool_version, requests_made, ...
    reps: list[RepEntry]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {path, sha256}
    teams: list[TeamEntry] = field(default_factory=list)

    def sent_record(self) -> dict[str, tuple[str | None, str | None]]:
        """Who was already sent what: ``send_key`` -> (Message-ID, sent at)."""
        entries: list[Sendable] = [*self.reps, *self.teams]
        return {send_key(e): (e.message_id, e.sent_at) for e in entries if e.message_id}


Sendable = RepEntry | TeamEntry  # what one email is recorded against


def send_key(entry: Sendable) -> str:
    """What a send is recorded against: a rep's address, or a team and its manager's."""
    if isinstance(entry, TeamEntry):
        return f"team:{entry.slug}:{entry.email.casefold()}"
    return entry.email.casefold()


CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RepEntry))
_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "email": (str,), "name": (str,), "slug": (str,), "status": (str,),
    "reason": (str, type(None)), "pdf": (str, type(None)), "sha256": (str, type(None)),
    "pages": (int, type(None)), "message_id": (str, type(None)),
    "sent_at": (str, type(None)), "send_error": (str, type(None)),
}
_REQUIRED = ("email", "name", "slug", "status")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks so a large workbook does not sit in memory."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_to_dict(manifest: Manifest) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run": manifest.run,
        "reps": [asdict(entry) for entry in manifest.reps],
        "files": manifest.files,
        "teams": [asdict(entry) for entry in manifest.teams],
    }


def _csv_bytes(manifest: Manifest) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in manifest.reps:
        row = []
        for name in CSV_COLUMNS:
            value = getattr(entry, name)
            # Names and reasons come from the API: a name like "=HYPERLINK(...)" must stay text.
            row.append("" if value is None else str(value) if isinstance(value, int)
                       else csv_text(str(value)))
        writer.writerow(row)
    # BOM: Excel otherwise reads UTF-8 names (CJK, Arabic, accents) as mojibake.
    return buffer.getvalue().encode("utf-8-sig")


def write_manifest(run_dir: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` and ``manifest.csv`` atomically (each one whole or not at all).

    The JSON is written last: it is the file the send log is read back from, so if the CSV
    write fails the authoritative record is still the previous, consistent one.
    """
    run_dir = Path(run_dir)
    for entry in manifest.reps:
        if entry.status not in STATUSES:
            raise ValueError(f"unknown rep status {entry.status!r} for {entry.email!r}")
    payload = json.dumps(manifest_to_dict(manifest), ensure_ascii=False, indent=1)
    atomic_write_bytes(run_dir / MANIFEST_CSV, _csv_bytes(manifest))
    atomic_write_bytes(run_dir / MANIFEST_JSON, payload.encode("utf-8"))


def _typed(raw: object, where: str, types: dict[str, tuple[type, ...]],
           required: tuple[str, ...], path: Path) -> dict[str, Any]:
    """An entry's fields, each of its type, or ManifestError naming ``where``."""
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: {where} is not an object")
    missing = [name for name in required if name not in raw]
    if missing:
        raise ManifestError(f"{path}: {where} lacks {', '.join(missing)}")
    values: dict[str, Any] = {}
    for name, kinds in types.items():
        value = raw.get(name)
        # bool is an int to isinstance; a page count of true is garbage, not 1.
        if not isinstance(value, kinds) or isinstance(value, bool):
            raise ManifestError(f"{path}: {where}.{name} has the wrong type")
        values[name] = value
    return values


def _entry(raw: object, index: int, path: Path) -> RepEntry:
    values = _typed(raw, f"reps[{index}]", _ENTRY_TYPES, _REQUIRED, path)
    if values["status"] not in STATUSES:
        raise ManifestError(f"{path}: reps[{index}] has unknown status {values['status']!r}")
    return RepEntry(**values)


_TEAM_TYPES: dict[str, tuple[type, ...]] = {
    "group": (str,), "slug": (str,), "name": (str,), "email": (str,), "reps": (int,),
    "needs_attention": (int,), "pdf": (str, type(None)), "sha256": (str, type(None)),
    "xlsx": (str, type(None)), "xlsx_sha256": (str, type(None)),
    "message_id": (str, type(None)), "sent_at": (str, type(None)),
    "send_error": (str, type(None)),
}


def _team_entry(raw: object, index: int, path: Path) -> TeamEntry:
    return TeamEntry(**_typed(raw, f"teams[{index}]", _TEAM_TYPES,
                              ("group", "slug", "email"), path))


def read_manifest(run_dir: Path) -> Manifest:
    """Read ``RUN_DIR/manifest.json`` back, refusing anything that is not a whole manifest."""
    path = Path(run_dir) / MANIFEST_JSON
    if not path.is_file():
        raise ManifestError(f"no manifest in {run_dir} ({MANIFEST_JSON} not found)")
    data = read_versioned_json(path, "manifest", SCHEMA_VERSION, ManifestError,
                               default_version=SCHEMA_VERSION)
    run, reps, files = data.get("run"), data.get("reps"), data.get("files", {})
    teams = data.get("teams", [])
    if not isinstance(run, dict) or not isinstance(reps, list) or not isinstance(files, dict) \
            or not isinstance(teams, list):
        raise ManifestError(f"{path} is not a manifest (needs run, reps and files)")
    return Manifest(run=run, reps=[_entry(r, i, path) for i, r in enumerate(reps)], files=files,
                    teams=[_team_entry(t, i, path) for i, t in enumerate(teams)])
