"""The snapshot: one JSON file holding everything the later stages need, as one typed model.

Fetching is the only stage that speaks HTTP; it ends in a ``Snapshot``, and analysis and
rendering read nothing else. That makes a report reproducible (render the same snapshot twice,
get the same numbers) and lets a run be re-rendered offline.

The snapshot holds the API's own objects (``reporter.exec_api.models``: every field the spec
makes nullable is optional), so the client's validated objects go in as they are and come out
as attributes: no dict round trip. A single-scenario snapshot (``Snapshot``) is this; version 1
files (before program runs) read the same, since version 2 only added the program kind::

    {"schema_version": 1, "tool_version": str, "workspace": Workspace | null,
     "scenario": Scenario, "period": {"label", "start", "end"},
     "selection": {"mode", "emails", "roster", "group": {"id", "name"} | null,
                   "include_system_users"},
     "summary": ScenarioAnalyticsSummary | null,     # whole scenario, the period
     "participants": [ScenarioParticipantEntry],     # whole scenario, the period
     "previous": {"period", "summary", "participants"} | null,  # the month before
     "groups": [{"id", "name"}],                     # the workspace's groups ([teams])
     "reps": [{"user": User, "is_member": bool, "groups": [str],
               "assignment": Assignment | null,
               "sessions": [SessionDetail]}],        # oldest first
     "not_found": [{"email", "reason", "detail"}], "warnings": [str],
     "failed": [{"user", "reason"}],                 # reps whose sessions could not be read
     "fetch": {"fetched_at", "base_url", "requests_made", "cache_hits", "detail_requests"}}

A program snapshot (``ProgramSnapshot``, version 2, ``"kind": "program"``) holds several
scenarios of one program for the same people and period: the program (a collection, a list
of scenarios, or what the reps are assigned), each scenario's analytics, the program's skills
with each selected person's proficiency (as of the period's end, and of the previous
period's end), and each rep once, with their sessions across the program's scenarios and
their assignments in it::

    {"schema_version": 2, "kind": "program", "tool_version", "workspace", "period",
     "selection", "groups", "not_found", "warnings", "failed", "fetch",   # as above
     "program": {"kind": "collection" | "scenarios" | "assigned", "id", "name", "slug"},
     "scenarios": [{"scenario": Scenario (with skills), "summary", "participants",
                    "previous": {"period", "summary", "participants"} | null}],
     "skills": [{"skill": Skill, "scenario_ids": [str],
                 "proficiency": [SkillProficiencyEntry],          # as of period end
                 "previous": [SkillProficiencyEntry] | null}],    # as of the previous end
     "reps": [{"user", "is_member", "groups", "assignments": [Assignment],
               "sessions": [SessionDetail]}]}                      # oldest first

``ProgramSnapshot.part(scenario_id)`` is one scenario of it as a ``Snapshot``, so every figure
of a scenario is computed by the same code whether it was run alone or in a program.

Version 3 writes one shape for both kinds: a single-scenario run is the program of its one
scenario (``"kind": "scenario"``, its ``program`` naming the scenario, one entry in
``scenarios``, no ``skills``, each rep's assignment in ``assignments``), a program run as in
version 2 (``"kind": "program"``). A file says which it is, so the manifest's ``run.kind`` and
the folder layout stay what they were; version 1 and 2 files of either kind still read. In
memory a scenario run is still a ``Snapshot`` (``ProgramSnapshot.scenario_run`` turns the one
into the other without loss), so only the file has one shape so far.

Reading is lenient, because a snapshot is a file that may be old or hand-edited: a value of
the wrong type is dropped (the field becomes unknown), and an object that then lacks what it
cannot do without (a session without an id or date) is dropped from its list. What is left
is the same typed model; a snapshot with no scenario is refused with a clear message. The API
key is never part of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TextIO, TypeVar

from pydantic import Field, ValidationError

from reporter.cohort.selection import by_person, twins_said
from reporter.errors import UsageError
from reporter.exec_api.models import (
    NAIVE_IS_UTC,
    ApiModel,
    Assignment,
    Scenario,
    ScenarioAnalyticsSummary,
    ScenarioParticipantEntry,
    SessionDetail,
    Skill,
    SkillProficiencyEntry,
    User,
    Workspace,
)
from reporter.files import atomic_path, read_versioned_json

SCHEMA_VERSION = 3
#: The ``kind`` a version 3 file of a single-scenario run says (a program's says ``program``).
SCENARIO_KIND = "scenario"
#: Repair passes before a damaged snapshot is given up on.
_MAX_REPAIRS = 12


class SnapshotError(UsageError):
    """A snapshot that cannot be read: missing, not JSON, of a newer version, or unusable."""


class PeriodRecord(ApiModel):
    label: str
    start: datetime
    end: datetime


class GroupRef(ApiModel):
    id: str
    name: str | None = None


class SelectionRecord(ApiModel):
    mode: Literal["all", "emails", "roster", "group"] = "all"
    emails: list[str] = Field(default_factory=list)
    roster: str | None = None
    group: GroupRef | None = None
    include_system_users: bool = False


class RepRecord(ApiModel):
    """One selected rep: who, and every session of theirs in the period (oldest first).

    Valid attempts carry their transcript and evaluations; the others are list items.
    """

    user: User
    is_member: bool = True  # false: removed from the workspace, sessions still counted
    groups: list[str] = Field(default_factory=list)  # group names
    assignment: Assignment | None = None
    sessions: list[SessionDetail] = Field(default_factory=list)


NotFoundReason = Literal["not_member", "no_sessions", "invalid_address"]


class NotFoundRecord(ApiModel):
    email: str
    reason: NotFoundReason = "not_member"
    detail: str = ""


class FailedRecord(ApiModel):
    """A rep whose sessions could not be read whole (a detail that kept failing, or that is
    not the session asked for): no report for them, listed as failed, the run exits 1."""

    user: User
    reason: str


class FetchRecord(ApiModel):
    fetched_at: datetime | None = None
    base_url: str | None = None
    requests_made: int = 0
    cache_hits: int = 0
    detail_requests: int = 0


class PreviousRecord(ApiModel):
    """The period compared with (the month before), for month-over-month figures."""

    period: PeriodRecord
    summary: ScenarioAnalyticsSummary | None = None
    participants: list[ScenarioParticipantEntry] = Field(default_factory=list)


class Snapshot(ApiModel):
    schema_version: int = SCHEMA_VERSION
    tool_version: str | None = None
    workspace: Workspace | None = None
    scenario: Scenario
    period: PeriodRecord | None = None
    selection: SelectionRecord = Field(default_factory=SelectionRecord)
    summary: ScenarioAnalyticsSummary | None = None
    participants: list[ScenarioParticipantEntry] = Field(default_factory=list)
    previous: PreviousRecord | None = None  # None: no comparison (--no-compare, a range)
    groups: list[GroupRef] = Field(default_factory=list)  # the workspace's groups
    reps: list[RepRecord] = Field(default_factory=list)
    not_found: list[NotFoundRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    failed: list[FailedRecord] = Field(default_factory=list)
    fetch: FetchRecord = Field(default_factory=FetchRecord)

    def header(self) -> Snapshot:
        """The snapshot without its reps: what every rep's report shares."""
        return self.model_copy(update={"reps": []})


ProgramKind = Literal["collection", "scenarios", "assigned"]


class ProgramRecord(ApiModel):
    """What the program is: a collection (``id`` its id), an explicit list of scenarios, or
    every scenario the selected reps are assigned in the period (``id`` the assignments'
    program id when they all share one)."""

    kind: ProgramKind
    id: str | None = None
    name: str
    slug: str  # file-safe: the run folder's first part (``OUT/<slug>/<period>``)


class ScenarioPart(ApiModel):
    """One scenario of a program: its own analytics for the period (and the previous one)."""

    scenario: Scenario
    summary: ScenarioAnalyticsSummary | None = None
    participants: list[ScenarioParticipantEntry] = Field(default_factory=list)
    previous: PreviousRecord | None = None


class SkillRecord(ApiModel):
    """A skill the program's scenarios evaluate, with the selected people's proficiency."""

    skill: Skill
    scenario_ids: list[str] = Field(default_factory=list)  # the program's that evaluate it
    proficiency: list[SkillProficiencyEntry] = Field(default_factory=list)  # as of period end
    previous: list[SkillProficiencyEntry] | None = None  # as of the previous period's end


class ProgramRepRecord(ApiModel):
    """One selected rep of a program: their sessions in all its scenarios (oldest first) and
    their assignments in it. A rep with assignments and no session is here too: their report
    says what is assigned and due."""

    user: User
    is_member: bool = True
    groups: list[str] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)
    sessions: list[SessionDetail] = Field(default_factory=list)


class ProgramSnapshot(ApiModel):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["program"] = "program"
    tool_version: str | None = None
    workspace: Workspace | None = None
    program: ProgramRecord
    period: PeriodRecord | None = None
    selection: SelectionRecord = Field(default_factory=SelectionRecord)
    scenarios: list[ScenarioPart] = Field(default_factory=list)  # program order
    skills: list[SkillRecord] = Field(default_factory=list)
    groups: list[GroupRef] = Field(default_factory=list)
    reps: list[ProgramRepRecord] = Field(default_factory=list)
    not_found: list[NotFoundRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    failed: list[FailedRecord] = Field(default_factory=list)
    fetch: FetchRecord = Field(default_factory=FetchRecord)

    def header(self) -> ProgramSnapshot:
        return self.model_copy(update={"reps": []})

    def part(self, scenario_id: str) -> Snapshot:
        """The scenario as a single-scenario snapshot: its analytics, and the reps with a
        session in it (only those sessions, and their assignment for it). The program's
        warnings, not-found list and failures stay with the program, not with a part."""
        found = next(p for p in self.scenarios if p.scenario.id == scenario_id)
        reps = []
        for rep in self.reps:
            sessions = [s for s in rep.sessions if s.scenario.id == scenario_id]
            if not sessions:
                continue
            reps.append(RepRecord(user=rep.user, is_member=rep.is_member, groups=rep.groups,
                                  assignment=assignment_for(rep.assignments, scenario_id),
                                  sessions=sessions))
        return Snapshot(tool_version=self.tool_version, workspace=self.workspace,
                        scenario=found.scenario, period=self.period, selection=self.selection,
                        summary=found.summary, participants=found.participants,
                        previous=found.previous, groups=self.groups, reps=reps,
                        fetch=self.fetch)

    def scenario_run(self) -> Snapshot:
        """A single-scenario run read from the one shape version 3 writes: everything the run
        held, its warnings, not-found list and failures too, and every rep (``part`` keeps
        only a program's reps with a session in that scenario and leaves the rest with the
        program). SnapshotError unless it holds exactly one scenario."""
        if len(self.scenarios) != 1:
            raise SnapshotError(f"a scenario run's snapshot holds one scenario, not "
                                f"{len(self.scenarios)}")
        found = self.scenarios[0]
        return Snapshot(schema_version=self.schema_version, tool_version=self.tool_version,
                        workspace=self.workspace,
                        scenario=found.scenario, period=self.period, selection=self.selection,
                        summary=found.summary, participants=found.participants,
                        previous=found.previous, groups=self.groups,
                        reps=[RepRecord(user=rep.user, is_member=rep.is_member,
                                        groups=rep.groups, assignment=newest(rep.assignments),
                                        sessions=rep.sessions) for rep in self.reps],
                        not_found=self.not_found, warnings=self.warnings, failed=self.failed,
                        fetch=self.fetch)


def as_program(snapshot: Snapshot) -> ProgramSnapshot:
    """A single-scenario run as the program of its one scenario, as version 3 writes it
    (its reps too: ``as_program_rep``); ``ProgramSnapshot.scenario_run`` reads it back."""
    scenario = snapshot.scenario
    return ProgramSnapshot(
        schema_version=snapshot.schema_version, tool_version=snapshot.tool_version,
        workspace=snapshot.workspace, program=scenario_program(scenario),
        period=snapshot.period, selection=snapshot.selection,
        scenarios=[ScenarioPart(scenario=scenario, summary=snapshot.summary,
                                participants=snapshot.participants,
                                previous=snapshot.previous)],
        groups=snapshot.groups, reps=[as_program_rep(rep) for rep in snapshot.reps],
        not_found=snapshot.not_found, warnings=snapshot.warnings, failed=snapshot.failed,
        fetch=snapshot.fetch)


def scenario_program(scenario: Scenario) -> ProgramRecord:
    """The program record of a single-scenario run: the program of its one scenario."""
    return ProgramRecord(kind="scenarios", id=scenario.id, name=scenario.name or scenario.id,
                         slug=scenario.slug or scenario.id)


def as_program_rep(rep: RepRecord) -> ProgramRepRecord:
    """A single-scenario run's rep as a program's holds them: the assignment in a list."""
    return ProgramRepRecord(user=rep.user, is_member=rep.is_member, groups=rep.groups,
                            assignments=[rep.assignment] if rep.assignment else [],
                            sessions=rep.sessions)


def assignment_for(assignments: list[Assignment], scenario_id: str) -> Assignment | None:
    """The rep's assignment of one scenario: the newest when Exec holds several."""
    return newest([a for a in assignments if a.scenario.id == scenario_id])


def newest(assignments: list[Assignment]) -> Assignment | None:
    """The newest of a rep's assignments (one with a date before one without), or None."""
    return max(assignments, key=lambda a: (a.created_at is not None, a.created_at or 0, a.id),
               default=None)


AnySnapshot = Snapshot | ProgramSnapshot


def one_scenario(snapshot: AnySnapshot, wanted: str) -> Snapshot:
    """One scenario of a snapshot, by id or slug (any case): a program's part, or a scenario's
    snapshot when it is that scenario; else SnapshotError naming the scenarios it holds."""
    scenarios = ([p.scenario for p in snapshot.scenarios]
                 if isinstance(snapshot, ProgramSnapshot) else [snapshot.scenario])
    folded = wanted.strip().casefold()
    for s in scenarios:
        if s.id == wanted.strip() or (s.slug or "").casefold() == folded:
            return snapshot.part(s.id) if isinstance(snapshot, ProgramSnapshot) else snapshot
    held = ", ".join(s.slug or s.id for s in scenarios)
    raise SnapshotError(f"the snapshot holds no scenario {wanted!r}; it holds: {held}")


class SnapshotWriter:
    """Writes a snapshot as its reps arrive, so a large cohort is never all in memory (nor
    one huge JSON string): the header first, each rep as it is added, then the fetch record,
    which is known only at the end. Use ``snapshot_writer``, which makes it atomic."""

    def __init__(self, handle: TextIO, header: AnySnapshot) -> None:
        self._handle = handle
        self.reps = 0
        self.fetch = header.fetch
        self.failed = list(header.failed)
        self._scenario_run = isinstance(header, Snapshot)
        shaped = as_program(header) if isinstance(header, Snapshot) else header
        head = shaped.model_dump(mode="json", exclude={"reps", "failed", "fetch"})
        head["schema_version"] = SCHEMA_VERSION  # a re-saved older snapshot is upgraded
        if self._scenario_run:
            head["kind"] = SCENARIO_KIND
        handle.write("{" + "".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n"
                                   for k, v in head.items()) + '"reps": [\n')

    def add(self, rep: RepRecord | ProgramRepRecord) -> None:
        shaped = as_program_rep(rep) if isinstance(rep, RepRecord) else rep
        self._handle.write((",\n" if self.reps else "") + shaped.model_dump_json())
        self.reps += 1

    def finish(self) -> None:
        failed = ",\n".join(f.model_dump_json() for f in self.failed)
        self._handle.write(f'\n],\n"failed": [{failed}],\n"fetch": '
                           + self.fetch.model_dump_json() + "}\n")


@contextmanager
def snapshot_writer(path: Path, header: AnySnapshot) -> Iterator[SnapshotWriter]:
    """A snapshot file written rep by rep; a reader never sees half of it (the file appears
    whole when the block ends, and not at all when it fails)."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        writer = SnapshotWriter(handle, header)
        yield writer
        writer.finish()


def fetch_failures(snapshot: AnySnapshot) -> list[tuple[str, str]]:
    """(address, why) of each rep whose sessions could not be read."""
    return [(f.user.email or f.user.id, f"sessions not read: {f.reason}")
            for f in snapshot.failed]


def write_snapshot(snapshot: AnySnapshot, path: Path) -> None:
    """A snapshot held in memory, written the same way."""
    with snapshot_writer(path, snapshot) as writer:
        for rep in snapshot.reps:
            writer.add(rep)


def read_snapshot(path: Path) -> Snapshot:
    """The single-scenario snapshot at ``path``, read once into the typed model (leniently,
    see above); a program snapshot is refused with a message saying so."""
    found = read_any_snapshot(path)
    if isinstance(found, ProgramSnapshot):
        raise SnapshotError(f"{path} is a program snapshot ({found.program.name}), not one "
                            "scenario's")
    return found


def read_program_snapshot(path: Path) -> ProgramSnapshot:
    """The program snapshot at ``path``; one scenario's is refused with a message saying so."""
    found = read_any_snapshot(path)
    if not isinstance(found, ProgramSnapshot):
        raise SnapshotError(f"{path} is one scenario's snapshot, not a program's")
    return found


def read_any_snapshot(path: Path) -> AnySnapshot:
    """The snapshot at ``path``, of either kind and any version (a program's says ``"kind":
    "program"``; a version 3 scenario run's says ``"kind": "scenario"`` and is read in the
    program shape, then as the ``Snapshot`` it was)."""
    data = read_versioned_json(path, "snapshot", SCHEMA_VERSION, SnapshotError)
    if data.get("kind") == "program":
        return parse_program_snapshot(data, source=str(path))
    return parse_snapshot(data, source=str(path))


def parse_snapshot(data: dict[str, Any], *, source: str = "snapshot") -> Snapshot:
    """A single-scenario snapshot from its JSON object (see ``_parse``), of any version."""
    if data.get("kind") == SCENARIO_KIND:  # version 3: in the program shape
        shape = {k: v for k, v in data.items() if k != "kind"}
        return _parse(ProgramSnapshot, shape, source).scenario_run()
    return _parse(Snapshot, data, source)


def parse_program_snapshot(data: dict[str, Any], *,
                           source: str = "snapshot") -> ProgramSnapshot:
    """A program snapshot from its JSON object (see ``_parse``)."""
    return _parse(ProgramSnapshot, data, source)


M = TypeVar("M", Snapshot, ProgramSnapshot)
R = TypeVar("R", RepRecord, ProgramRepRecord)


def _parse(model: type[M], data: dict[str, Any], source: str) -> M:
    """A snapshot from its JSON object: junk values dropped, hopeless objects removed, and
    each thing dropped said in one warning naming the field (a timestamp without a time zone
    is read as UTC, as the snapshot's own dates are written)."""
    try:
        data = json.loads(json.dumps(data))  # a private copy to repair
    except RecursionError:
        raise SnapshotError(f"{source} is not a usable snapshot: nested too deep") from None
    dropped: list[str] = []
    for _ in range(_MAX_REPAIRS):
        try:
            snapshot = model.model_validate(data, context={NAIVE_IS_UTC: True})
        except RecursionError:
            raise SnapshotError(f"{source} is not a usable snapshot: nested too deep") from None
        except ValidationError as exc:
            errors = exc.errors()
            if not _repair(data, errors):
                first = errors[0]
                raise SnapshotError(
                    f"{source} is not a usable snapshot: {_where(first)}: "
                    f"{first['msg'].lower()}") from None
            # A null is an unknown, as everywhere in a snapshot; anything else is said.
            dropped += [f"{source}: {_where(e)}: {e['msg'].lower()}; left out" for e in errors
                        if e.get("input") is not None]
            continue
        if dropped:
            more = f" (and {len(dropped) - 3} more)" if len(dropped) > 3 else ""
            snapshot.warnings.append("; ".join(dropped[:3]) + more)
        return _one_per_person(snapshot)
    raise SnapshotError(f"{source} is not a usable snapshot: too damaged to repair")


def _one_per_person(snapshot: M) -> M:
    """One rep per address, as the fetch files them (``selection.by_person``): a snapshot
    holding ``a@x`` and ``A@x`` (a hand-edited one, or one written before the fetch merged
    them) would otherwise give two manifest entries and two reports written to one file.
    The twins' sessions are joined (oldest first, each once) under the first one seen, and
    the merge is said once in the snapshot's warnings."""
    grouped, _, merged = by_person(snapshot.reps, lambda rep: rep.user)
    if not merged:
        return snapshot
    reps: list[Any] = []
    for records in grouped.values():
        first = records[0]
        if len(records) > 1:
            first = _joined(first, records)
        reps.append(first)
    snapshot.warnings.extend(twins_said(merged))
    return snapshot.model_copy(update={"reps": reps})


def _joined(first: R, records: list[R]) -> R:
    """``first`` with its twins' sessions, groups, membership and assignments added."""
    sessions = {s.id: s for r in records for s in r.sessions}
    update: dict[str, Any] = {
        "sessions": sorted(sessions.values(), key=lambda s: (s.created_at, s.id)),
        "groups": list(dict.fromkeys(g for r in records for g in r.groups)),
        "is_member": any(r.is_member for r in records)}
    if isinstance(first, ProgramRepRecord):
        update["assignments"] = list({a.id: a for r in records
                                      for a in r.assignments}.values())  # type: ignore[attr-defined]
    else:
        update["assignment"] = newest([r.assignment for r in records
                                       if r.assignment is not None])
    return first.model_copy(update=update)


def _where(error: Any) -> str:
    return ".".join(str(p) for p in error["loc"]) or "(top)"


def _repair(data: Any, errors: list[Any]) -> bool:
    """Drop what each validation error points at; False when nothing could be dropped.

    A wrong value is removed from its object (the field's default, usually None, applies);
    an object missing a field it needs is removed from its list or its parent, one level a
    pass, until an optional field or a list absorbs the loss. The top level is never removed.
    """
    deletions: dict[tuple[int, Any], tuple[Any, Any]] = {}
    for error in errors:
        path = list(error["loc"])
        if error["type"] == "missing" and path:
            path.pop()  # the object that lacks the field goes, from its list or its parent
        container, key = _resolve(data, path)
        if container is None:
            continue
        deletions[(id(container), key)] = (container, key)
    done = False
    # Delete list elements from the highest index down, so earlier deletions keep their place.
    order = sorted(deletions.values(), key=lambda d: -d[1] if isinstance(d[1], int) else 0)
    for container, key in order:
        try:
            del container[key]
            done = True
        except (KeyError, IndexError, TypeError):
            continue
    return done


def _resolve(data: Any, path: list[Any]) -> tuple[Any, Any]:
    """(container, key) of the element at ``path`` (or the deepest that exists), or
    (None, None) for the top level."""
    node, container, key = data, None, None
    for step in path:
        in_dict = isinstance(node, dict) and isinstance(step, str) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if not (in_dict or in_list):
            break
        container, key, node = node, step, node[step]
    return container, key
