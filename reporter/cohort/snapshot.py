"""The snapshot: one JSON file holding everything the later stages need, as one typed model.

Fetching is the only stage that speaks HTTP; it ends in a ``Snapshot``, and analysis and
rendering read nothing else. That makes a report reproducible (render the same snapshot twice,
get the same numbers) and lets a run be re-rendered offline.

The snapshot holds the API's own objects (``reporter.exec_api.models``: every field the spec
makes nullable is optional), so the client's validated objects go in as they are and come out
as attributes: no dict round trip. A run is a program of one or more scenarios, and a
``Snapshot`` is one shape for both kinds: a program run (``"kind": "program"``) holds several
scenarios of one program for the same people and period, a single-scenario run
(``"kind": "scenario"``) is the program of its one scenario (its ``program`` naming the
scenario, ``scenario_program``; one entry in ``scenarios``; no ``skills``). Version 3::

    {"schema_version": 3, "kind": "scenario" | "program", "tool_version": str,
     "workspace": Workspace | null,
     "program": {"kind": "collection" | "scenarios" | "assigned", "id", "name", "slug"},
     "period": {"label", "start", "end"},
     "selection": {"mode", "emails", "roster", "group": {"id", "name"} | null,
                   "include_system_users"},
     "scenarios": [{"scenario": Scenario (with skills),
                    "summary": ScenarioAnalyticsSummary | null,   # whole scenario, the period
                    "participants": [ScenarioParticipantEntry],   # whole scenario, the period
                    "previous": {"period", "summary", "participants"} | null}],  # month before
     "skills": [{"skill": Skill, "scenario_ids": [str],
                 "proficiency": [SkillProficiencyEntry],          # as of period end
                 "previous": [SkillProficiencyEntry] | null}],    # as of the previous end
     "groups": [{"id", "name"}],                                  # the workspace's groups
     "reps": [{"user": User, "is_member": bool, "groups": [str],
               "assignments": [Assignment],
               "sessions": [SessionDetail]}],                     # oldest first
     "not_found": [{"email", "reason", "detail"}], "warnings": [str],
     "failed": [{"user", "reason"}],                 # reps whose sessions could not be read
     "fetch": {"fetched_at", "base_url", "requests_made", "cache_hits", "detail_requests"}}

A version 2 program file is this shape (``"kind": "program"``). A scenario run's file of
version 1 or 2 (no ``kind``) held the scenario's analytics at the top level and one
``assignment`` per rep::

    {"schema_version": 1 | 2, "tool_version", "workspace", "period", "selection", "groups",
     "not_found", "warnings", "failed", "fetch",                 # as above
     "scenario": Scenario, "summary", "participants", "previous",
     "reps": [{"user", "is_member", "groups", "assignment": Assignment | null, "sessions"}]}

and is read in that shape, then upgraded to the one in memory when parsed.

``Snapshot.part(scenario_id)`` is one scenario of a run as a scenario run's snapshot, so
every figure of a scenario is computed by the same code whether it was run alone or in a
program.

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
from reporter.names import PROGRAM_RUN, SCENARIO_RUN

SCHEMA_VERSION = 3
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
    # The roster's language column, address -> BCP 47 tag (reporter.languages).
    languages: dict[str, str] = Field(default_factory=dict)


class RepRecord(ApiModel):
    """One selected rep: who, every session of theirs in the run's scenarios in the period
    (oldest first; valid attempts carry their transcript and evaluations, the others are list
    items), and their assignments in those scenarios. A program's rep with assignments and no
    session is here too: their report says what is assigned and due."""

    user: User
    is_member: bool = True  # false: removed from the workspace, sessions still counted
    groups: list[str] = Field(default_factory=list)  # group names
    assignments: list[Assignment] = Field(default_factory=list)
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


StepKind = Literal["item", "complete"]
StepSource = Literal["report", "cache"]


class StepRecord(ApiModel):
    """The next step a rep's report of an earlier period told them, so this period's report
    can say what became of it (``reporter.analytics.follow_up``).

    ``kind`` "item": a rubric item of ``scenario_id`` to work on (``criterion``, ``item``);
    "complete": one full graded roleplay of it. ``good``/``graded``: how often that period's
    sessions graded the item good, and graded it at all (good, mid or bad); for "complete",
    its valid attempts and sessions. ``source`` "report": what that period's run in the
    output folder recorded in its manifest; "cache": recomputed from the cached session
    details of that period (no request), when no such run was there.
    """

    user_id: str
    email: str | None = None
    period: str  # the period's label, e.g. "2026-10"
    scenario_id: str
    scenario: str
    kind: StepKind
    criterion: str | None = None
    item: str | None = None
    good: int = 0
    graded: int = 0
    source: StepSource = "report"


ProgramKind = Literal["collection", "scenarios", "assigned"]
#: What a run was: one scenario's (``names.SCENARIO_RUN``) or a program's (``PROGRAM_RUN``).
RunKind = Literal["scenario", "program"]


class ProgramRecord(ApiModel):
    """What the program is: a collection (``id`` its id), an explicit list of scenarios, or
    every scenario the selected reps are assigned in the period (``id`` the assignments'
    program id when they all share one). A scenario run's names its scenario
    (``scenario_program``)."""

    kind: ProgramKind
    id: str | None = None
    name: str
    slug: str  # file-safe: the run folder's first part (``OUT/<slug>/<period>``)


class ScenarioPart(ApiModel):
    """One scenario of a run: its own analytics for the period (and the previous one)."""

    scenario: Scenario
    summary: ScenarioAnalyticsSummary | None = None
    participants: list[ScenarioParticipantEntry] = Field(default_factory=list)
    previous: PreviousRecord | None = None  # None: no comparison (--no-compare, a range)


class SkillRecord(ApiModel):
    """A skill the program's scenarios evaluate, with the selected people's proficiency."""

    skill: Skill
    scenario_ids: list[str] = Field(default_factory=list)  # the program's that evaluate it
    proficiency: list[SkillProficiencyEntry] = Field(default_factory=list)  # as of period end
    previous: list[SkillProficiencyEntry] | None = None  # as of the previous period's end


class Snapshot(ApiModel):
    """A run: the program of one scenario (``kind`` ``"scenario"``) or of several (``kind``
    ``"program"``), as version 3 writes it (see the module docstring)."""

    schema_version: int = SCHEMA_VERSION
    kind: RunKind = PROGRAM_RUN
    tool_version: str | None = None
    workspace: Workspace | None = None
    program: ProgramRecord
    period: PeriodRecord | None = None
    selection: SelectionRecord = Field(default_factory=SelectionRecord)
    scenarios: list[ScenarioPart] = Field(default_factory=list)  # program order
    skills: list[SkillRecord] = Field(default_factory=list)
    groups: list[GroupRef] = Field(default_factory=list)  # the workspace's groups
    reps: list[RepRecord] = Field(default_factory=list)
    not_found: list[NotFoundRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    failed: list[FailedRecord] = Field(default_factory=list)
    fetch: FetchRecord = Field(default_factory=FetchRecord)
    previous_steps: list[StepRecord] = Field(default_factory=list)  # last month's, per rep

    def header(self) -> Snapshot:
        """The snapshot without its reps: what every rep's report shares."""
        return self.model_copy(update={"reps": []})

    def part(self, scenario_id: str) -> Snapshot:
        """The scenario as a scenario run's snapshot: its analytics, and the reps with a
        session in it (only those sessions, and their assignments of it). The run's warnings,
        not-found list and failures stay with the run, not with a part."""
        found = next(p for p in self.scenarios if p.scenario.id == scenario_id)
        reps = []
        for rep in self.reps:
            sessions = [s for s in rep.sessions if s.scenario.id == scenario_id]
            if not sessions:
                continue
            reps.append(RepRecord(user=rep.user, is_member=rep.is_member, groups=rep.groups,
                                  assignments=[a for a in rep.assignments
                                               if a.scenario.id == scenario_id],
                                  sessions=sessions))
        return Snapshot(kind=SCENARIO_RUN, tool_version=self.tool_version,
                        workspace=self.workspace, program=scenario_program(found.scenario),
                        period=self.period, selection=self.selection, scenarios=[found],
                        groups=self.groups, reps=reps, fetch=self.fetch)


def scenario_program(scenario: Scenario) -> ProgramRecord:
    """The program a scenario run is: its one scenario."""
    return ProgramRecord(kind="scenarios", id=scenario.id, name=scenario.name or scenario.id,
                         slug=scenario.slug or scenario.id)


class _ScenarioRepV2(ApiModel):
    """A rep as versions 1 and 2 of a scenario run held them: one assignment."""

    user: User
    is_member: bool = True
    groups: list[str] = Field(default_factory=list)
    assignment: Assignment | None = None
    sessions: list[SessionDetail] = Field(default_factory=list)


class _ScenarioRunV2(ApiModel):
    """A scenario run's file of versions 1 and 2 (the module docstring's first shape), read
    as it is (so a repair names the fields the file has), then ``upgraded``."""

    schema_version: int = SCHEMA_VERSION
    tool_version: str | None = None
    workspace: Workspace | None = None
    scenario: Scenario
    period: PeriodRecord | None = None
    selection: SelectionRecord = Field(default_factory=SelectionRecord)
    summary: ScenarioAnalyticsSummary | None = None
    participants: list[ScenarioParticipantEntry] = Field(default_factory=list)
    previous: PreviousRecord | None = None
    groups: list[GroupRef] = Field(default_factory=list)
    reps: list[_ScenarioRepV2] = Field(default_factory=list)
    not_found: list[NotFoundRecord] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    failed: list[FailedRecord] = Field(default_factory=list)
    fetch: FetchRecord = Field(default_factory=FetchRecord)

    def upgraded(self) -> Snapshot:
        """The run as version 3 holds it: the program of its one scenario, each rep's
        assignment in their list."""
        return Snapshot(
            schema_version=self.schema_version, kind=SCENARIO_RUN,
            tool_version=self.tool_version, workspace=self.workspace,
            program=scenario_program(self.scenario), period=self.period,
            selection=self.selection,
            scenarios=[ScenarioPart(scenario=self.scenario, summary=self.summary,
                                    participants=self.participants, previous=self.previous)],
            groups=self.groups,
            reps=[RepRecord(user=r.user, is_member=r.is_member, groups=r.groups,
                            assignments=[r.assignment] if r.assignment else [],
                            sessions=r.sessions) for r in self.reps],
            not_found=self.not_found, warnings=self.warnings, failed=self.failed,
            fetch=self.fetch)


def assignment_for(assignments: list[Assignment], scenario_id: str) -> Assignment | None:
    """The rep's assignment of one scenario: the newest when Exec holds several (one with a
    date before one without)."""
    return max((a for a in assignments if a.scenario.id == scenario_id),
               key=lambda a: (a.created_at is not None, a.created_at or 0, a.id), default=None)


def one_scenario(snapshot: Snapshot, wanted: str) -> Snapshot:
    """One scenario of a snapshot, by id or slug (any case): a program's part, or a scenario
    run's snapshot when it is that scenario; else SnapshotError naming the scenarios it holds."""
    folded = wanted.strip().casefold()
    for p in snapshot.scenarios:
        s = p.scenario
        if s.id == wanted.strip() or (s.slug or "").casefold() == folded:
            return snapshot if snapshot.kind == SCENARIO_RUN else snapshot.part(s.id)
    held = ", ".join(p.scenario.slug or p.scenario.id for p in snapshot.scenarios)
    raise SnapshotError(f"the snapshot holds no scenario {wanted!r}; it holds: {held}")


class SnapshotWriter:
    """Writes a snapshot as its reps arrive, so a large cohort is never all in memory (nor
    one huge JSON string): the header first, each rep as it is added, then the fetch record,
    which is known only at the end. Use ``snapshot_writer``, which makes it atomic."""

    def __init__(self, handle: TextIO, header: Snapshot) -> None:
        self._handle = handle
        self.reps = 0
        self.fetch = header.fetch
        self.failed = list(header.failed)
        head = header.model_dump(mode="json", exclude={"reps", "failed", "fetch"})
        head["schema_version"] = SCHEMA_VERSION  # a re-saved older snapshot is upgraded
        handle.write("{" + "".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},\n"
                                   for k, v in head.items()) + '"reps": [\n')

    def add(self, rep: RepRecord) -> None:
        self._handle.write((",\n" if self.reps else "") + rep.model_dump_json())
        self.reps += 1

    def finish(self) -> None:
        failed = ",\n".join(f.model_dump_json() for f in self.failed)
        self._handle.write(f'\n],\n"failed": [{failed}],\n"fetch": '
                           + self.fetch.model_dump_json() + "}\n")


@contextmanager
def snapshot_writer(path: Path, header: Snapshot) -> Iterator[SnapshotWriter]:
    """A snapshot file written rep by rep; a reader never sees half of it (the file appears
    whole when the block ends, and not at all when it fails)."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        writer = SnapshotWriter(handle, header)
        yield writer
        writer.finish()


def fetch_failures(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(address, why) of each rep whose sessions could not be read."""
    return [(f.user.email or f.user.id, f"sessions not read: {f.reason}")
            for f in snapshot.failed]


def write_snapshot(snapshot: Snapshot, path: Path) -> None:
    """A snapshot held in memory, written the same way."""
    with snapshot_writer(path, snapshot) as writer:
        for rep in snapshot.reps:
            writer.add(rep)


def read_snapshot(path: Path) -> Snapshot:
    """The snapshot at ``path``, of either kind and any version, read once into the typed
    model (leniently, see above)."""
    data = read_versioned_json(path, "snapshot", SCHEMA_VERSION, SnapshotError)
    return parse_snapshot(data, source=str(path))


def parse_snapshot(data: dict[str, Any], *, source: str = "snapshot") -> Snapshot:
    """A snapshot from its JSON object (see ``_parse``), of either kind and any version: one
    that says its ``kind`` is in the one shape (version 3, or a version 2 program's); one
    that does not is a scenario run's of version 1 or 2, read in its own shape and
    ``upgraded``. A scenario run holds exactly one scenario (else SnapshotError)."""
    if data.get("kind") not in (SCENARIO_RUN, PROGRAM_RUN):
        return _one_per_person(_parse(_ScenarioRunV2, data, source).upgraded())
    snapshot = _parse(Snapshot, data, source)
    if snapshot.kind == SCENARIO_RUN and len(snapshot.scenarios) != 1:
        raise SnapshotError(f"{source} is not a usable snapshot: a scenario run's holds one "
                            f"scenario, not {len(snapshot.scenarios)}")
    return _one_per_person(snapshot)


M = TypeVar("M", Snapshot, _ScenarioRunV2)


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
        return snapshot
    raise SnapshotError(f"{source} is not a usable snapshot: too damaged to repair")


def _one_per_person(snapshot: Snapshot) -> Snapshot:
    """One rep per address, as the fetch files them (``selection.by_person``): a snapshot
    holding ``a@x`` and ``A@x`` (a hand-edited one, or one written before the fetch merged
    them) would otherwise give two manifest entries and two reports written to one file.
    The twins' sessions are joined (oldest first, each once) under the first one seen, and
    the merge is said once in the snapshot's warnings."""
    grouped, _, merged = by_person(snapshot.reps, lambda rep: rep.user)
    if not merged:
        return snapshot
    reps: list[RepRecord] = []
    for records in grouped.values():
        first = records[0]
        if len(records) > 1:
            first = _joined(first, records)
        reps.append(first)
    snapshot.warnings.extend(twins_said(merged))
    return snapshot.model_copy(update={"reps": reps})


def _joined(first: RepRecord, records: list[RepRecord]) -> RepRecord:
    """``first`` with its twins' sessions, groups, membership and assignments added."""
    sessions = {s.id: s for r in records for s in r.sessions}
    return first.model_copy(update={
        "sessions": sorted(sessions.values(), key=lambda s: (s.created_at, s.id)),
        "groups": list(dict.fromkeys(g for r in records for g in r.groups)),
        "is_member": any(r.is_member for r in records),
        "assignments": list({a.id: a for r in records for a in r.assignments}.values())})


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
