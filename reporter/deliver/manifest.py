"""The run's manifest: what a run produced, and, once emails go out, what was sent.

``manifest.json`` is the record scripts and the ``email`` command read back; ``manifest.csv``
is the same rep list for people and HR systems. The manifest is also the send log: a rep's
``message_id`` is written the moment their email is accepted, so a rerun after a crash knows
exactly who already has theirs. That is why every write is atomic (both files), and why a
manifest that cannot be read is an error rather than an empty list: an empty list would
mean "nobody was sent anything" and invite a second send.

Version 2 (program runs) says what the run covers: ``run.kind`` is "scenario" (one scenario,
``run.scenario`` its slug) or "program" (``run.program`` its slug, ``run.scenarios`` the
scenarios its reports cover, one PDF per rep across them). A version 1 manifest reads as a
scenario's. What a message covers is what the per-person send record (``deliver.sent``)
compares, so that a rep is never mailed a report they already have from another folder.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from reporter.errors import UsageError
from reporter.files import atomic_write_bytes, read_versioned_json, sha256_file
from reporter.names import PROGRAM_RUN, SCENARIO_RUN
from reporter.views import Manager, ProgramReportView

if TYPE_CHECKING:
    from reporter.cohort.snapshot import Snapshot
    from reporter.render.pool import RenderedPdf
    from reporter.render.tables import Tables

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
SCHEMA_VERSION = 2
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
    # When the email was handed to the SMTP server with its answer not yet recorded (ISO
    # 8601 UTC): written before DATA, cleared with the answer. Still set when read back, the
    # email is in doubt: it may be in the inbox, and is not sent again unless asked.
    in_flight: str | None = None


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
    in_flight: str | None = None  # as a rep's (``RepEntry.in_flight``)
    # The [teams] entry's language: the team's report, workbook and digest (None: the
    # configured language, as the manifest's run.languages records it).
    language: str | None = None
    # The user ids of the team's reps, as the run drew the team report: the digest reads the
    # team from here, not from a second reckoning. Empty in a manifest from before it.
    members: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    run: dict[str, Any]  # scenario, period, generated_at, tool_version, requests_made, ...
    reps: list[RepEntry]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {path, sha256}
    teams: list[TeamEntry] = field(default_factory=list)

    @property
    def generated_at(self) -> datetime | None:
        """When the run was generated (UTC), as it wrote it; None for a manifest without it."""
        raw = self.run.get("generated_at")
        try:
            return datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            return None

    @property
    def kind(self) -> str:
        """"scenario" or "program"; a manifest from before program runs is a scenario's."""
        return PROGRAM_RUN if self.run.get("kind") == PROGRAM_RUN else SCENARIO_RUN

    @property
    def subject(self) -> str:
        """The slug of what the run reports on: its scenario's, or its program's."""
        key = "program" if self.kind == PROGRAM_RUN else "scenario"
        return str(self.run.get(key) or "")

    @property
    def covers(self) -> frozenset[str]:
        """The slugs of the scenarios every report of the run covers: the scenario's own, or
        every scenario of the program (its reports have a row for each)."""
        if self.kind == SCENARIO_RUN:
            return frozenset({self.subject}) if self.subject else frozenset()
        listed = self.run.get("scenarios")
        if not isinstance(listed, list):
            return frozenset()
        return frozenset(str(s["slug"]) for s in listed if isinstance(s, dict) and s.get("slug"))

    def send_state(self) -> Sent:
        """What a rerun of the folder must not forget: ``send_key`` -> (Message-ID, sent at,
        in flight since), for each email sent or in doubt."""
        entries: list[Sendable] = [*self.reps, *self.teams]
        return {send_key(e): (e.message_id, e.sent_at, e.in_flight) for e in entries
                if e.message_id or e.in_flight}


Sendable = RepEntry | TeamEntry  # what one email is recorded against


def send_key(entry: Sendable) -> str:
    """What a send is recorded against: a rep's address, or a team and its manager's."""
    if isinstance(entry, TeamEntry):
        return f"team:{entry.slug}:{entry.email.casefold()}"
    return entry.email.casefold()


# The CSV's columns are a contract with HR systems: the send's own bookkeeping (in flight)
# stays in the JSON.
CSV_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(RepEntry) if f.name != "in_flight")
_ENTRY_TYPES: dict[str, tuple[type, ...]] = {
    "email": (str,), "name": (str,), "slug": (str,), "status": (str,),
    "reason": (str, type(None)), "pdf": (str, type(None)), "sha256": (str, type(None)),
    "pages": (int, type(None)), "message_id": (str, type(None)),
    "sent_at": (str, type(None)), "send_error": (str, type(None)),
    "in_flight": (str, type(None)),
}
_REQUIRED = ("email", "name", "slug", "status")


def manifest_to_dict(manifest: Manifest) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "run": manifest.run,
        "reps": [asdict(entry) for entry in manifest.reps],
        "files": manifest.files,
        "teams": [asdict(entry) for entry in manifest.teams],
    }


def _csv_bytes(manifest: Manifest) -> bytes:
    # Here, not at the top: the spreadsheet helpers load openpyxl, which reading a manifest
    # (``reporter email``'s first step, a light command's) does not need.
    from reporter.render.cells import csv_text

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
    "send_error": (str, type(None)), "in_flight": (str, type(None)),
    "language": (str, type(None)),
}


def _team_entry(raw: object, index: int, path: Path) -> TeamEntry:
    entry = TeamEntry(**_typed(raw, f"teams[{index}]", _TEAM_TYPES,
                               ("group", "slug", "email"), path))
    members = raw.get("members", []) if isinstance(raw, dict) else []
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise ManifestError(f"{path}: teams[{index}].members has the wrong type")
    entry.members = members
    return entry


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


# -- a run's manifest, from what the run made ---------------------------------------------


class _Rep(Protocol):
    @property
    def user_id(self) -> str: ...


class TeamLike(Protocol):
    """What the manifest reads of a team's view (``TeamView``)."""

    @property
    def name(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def manager(self) -> Manager | None: ...
    @property
    def reps(self) -> Sequence[_Rep]: ...
    @property
    def needs_attention(self) -> Sequence[object]: ...


#: send_key -> (Message-ID, sent at, in flight since): what a rerun carries over.
Sent = dict[str, tuple[str | None, str | None, str | None]]
Teams = Sequence[tuple[TeamLike, Path, "RenderedPdf | None"]]


def write_run_manifest(stage: Path, sent: Sent, snapshot: Snapshot,
                       report: ProgramReportView, pdfs: list[RenderedPdf],
                       failed: list[tuple[str, str]], unread: Sequence[tuple[str, str]],
                       seconds: float, tables: Tables, teams: Teams,
                       kept: Sequence[Path] = (),
                       languages: dict[str, object] | None = None) -> list[Path]:
    """The manifest of everything in the staging folder ``stage``; returns the files it lists
    besides the rep PDFs (``kept``: the previous reports of reps whose report failed, listed
    with their checksums). One entry per rep (their one PDF, across a program's scenarios),
    what the run covers (:func:`run_subject`), a team per ``--by-team`` manager.

    A rerun replaces the run folder but keeps its record of emails already sent (``sent``,
    read by ``previous_manifest`` before the run began), so that rerunning a month after
    ``reporter email --send`` never mails a rep (or a manager) twice.
    """
    subject = run_subject(report)
    files = [*tables.files, *kept]
    sums = dict(tables.sums)
    team_entries: list[TeamEntry] = []
    for team, pdf_path, rendered in teams:
        if rendered is not None:
            files.append(pdf_path)
            sums[pdf_path] = rendered.sha256
        if team.manager is None:
            continue  # the whole selection's team.pdf: no manager, no digest
        xlsx = tables.team_xlsx.get(pdf_path)
        team_entries.append(TeamEntry(
            group=team.name, slug=team.slug, name=team.manager.name, email=team.manager.email,
            reps=len(team.reps), needs_attention=len(team.needs_attention),
            pdf=_relative(pdf_path, stage) if rendered else None,
            sha256=sums.get(pdf_path), xlsx=_relative(xlsx, stage) if xlsx else None,
            xlsx_sha256=sums.get(xlsx) if xlsx else None,
            members=[rep.user_id for rep in team.reps], language=team.manager.language))
    entries = manifest_entries(report, pdfs, failed, unread)
    sendables: list[Sendable] = [*entries, *team_entries]
    for sendable in sendables:
        if send_key(sendable) in sent:
            sendable.message_id, sendable.sent_at, sendable.in_flight = sent[send_key(sendable)]
    write_manifest(stage, Manifest(
        run={
            **subject,
            "period": report.period.label,
            "generated_at": report.generated_at.isoformat(),
            "tool_version": report.tool_version,
            "requests_made": snapshot.fetch.requests_made,
            "cache_hits": snapshot.fetch.cache_hits,
            "seconds": round(seconds, 2),
            # Which language each output is in (reporter.languages): the emails follow it.
            **({"languages": languages} if languages is not None else {}),
        },
        reps=entries,
        files={_relative(p, stage): {"path": _relative(p, stage),
                                     "sha256": sums.get(p) or sha256_file(p)}
               for p in files},
        teams=team_entries,
    ))
    return files


def run_subject(report: ProgramReportView) -> dict[str, Any]:
    """What the run covers, as the manifest's ``run`` says it: a single-scenario run's
    scenario (``report.single``), or the program and the scenarios it covers."""
    if report.single:
        scenario = report.single.scenario
        return {"kind": SCENARIO_RUN, "scenario": scenario.slug,
                "scenario_name": scenario.name, "scenario_id": scenario.id}
    return {"kind": PROGRAM_RUN, "program": report.program.slug,
            "program_name": report.program.name, "program_kind": report.program.kind,
            "program_id": report.program.id,
            "scenarios": [{"id": s.id, "slug": s.slug, "name": s.name}
                          for s in report.scenarios]}


def _relative(path: Path, stage: Path) -> str:
    """A path inside the run folder as the manifest writes it: relative, with "/"."""
    return path.relative_to(stage).as_posix()


def manifest_entries(report: ProgramReportView, pdfs: list[RenderedPdf],
                     failed: list[tuple[str, str]],
                     unread: Sequence[tuple[str, str]] = ()) -> list[RepEntry]:
    """One entry per rep (ok, empty or failed, with its PDF: a program's rep has one, across
    its scenarios), per rep whose sessions could not be read (``unread``: failed, no PDF)
    and per address not found."""
    by_slug = {p.slug: p for p in pdfs}
    failed_by_email = dict(failed)
    entries: list[RepEntry] = []
    for rep in report.reps:
        pdf = by_slug.get(rep.slug)
        if rep.email in failed_by_email:
            entries.append(RepEntry(rep.email, rep.name, rep.slug, "failed",
                                    failed_by_email[rep.email], None, None, None))
        elif pdf is not None:
            entries.append(RepEntry(rep.email, rep.name, rep.slug,
                                    "empty" if pdf.empty else "ok", None,
                                    f"reps/{pdf.path.name}", pdf.sha256, pdf.pages))
        else:
            valid = rep.has_valid_attempt
            reason = ("no valid attempt (--skip-empty)" if not valid
                      else "PDF not requested (--no-pdf)")
            entries.append(RepEntry(rep.email, rep.name, rep.slug,
                                    "empty" if not valid else "ok", reason,
                                    None, None, None))
    for email, why in unread:
        entries.append(RepEntry(email, email, "", "failed", why, None, None, None))
    for nf in report.not_found:
        entries.append(RepEntry(nf.email, nf.email, "", "not_found", nf.detail, None, None, None))
    return entries


def previous_manifest(run_dir: Path) -> Manifest | None:
    """The manifest a rerun is about to replace (None: no run there yet); one that cannot be
    read stops the rerun, which would otherwise forget who was mailed."""
    if not (Path(run_dir) / MANIFEST_JSON).exists():
        return None
    try:
        return read_manifest(run_dir)
    except ManifestError as exc:
        raise ManifestError(
            f"{exc}; it records which reps were already emailed, so the run stops rather than "
            "forget them: restore it, or delete it if no email was sent from this folder"
        ) from None
