"""The snapshot: one typed model, read once and leniently, written atomically."""

from __future__ import annotations

import json

import pytest

from reporter.cohort.snapshot import (
    SnapshotError,
    one_scenario,
    parse_snapshot,
    read_snapshot,
    write_snapshot,
)
from tests import program_factory as pf
from tests import snapshot_factory as f


def test_what_is_written_reads_back_equal(tmp_path):
    who = f.user()
    snapshot = parse_snapshot(f.snapshot([f.rep(who, [f.session(80, f.at(2), who=who)])]))
    write_snapshot(snapshot, tmp_path / "s.json")
    again = read_snapshot(tmp_path / "s.json")
    assert again == snapshot.model_copy(update={"schema_version": 3})
    assert again.reps[0].sessions[0].score == 80.0 and again.schema_version == 3


def test_last_months_version_1_snapshot_reads_and_is_rewritten_as_version_3(tmp_path):
    who = f.user()
    old = f.snapshot([f.rep(who, [f.session(80, f.at(2), who=who)])]) | {"schema_version": 1}
    (tmp_path / "old.json").write_text(json.dumps(old))
    snapshot = read_snapshot(tmp_path / "old.json")
    assert snapshot.reps[0].sessions[0].score == 80.0
    write_snapshot(snapshot, tmp_path / "new.json")
    assert json.loads((tmp_path / "new.json").read_text())["schema_version"] == 3


def test_version_3_writes_a_scenario_run_as_the_program_of_its_one_scenario(tmp_path):
    """One shape on disk and in memory for both kinds; the file says it was a scenario run,
    and reads back as the snapshot it was: every rep (one without a session too), their
    assignment, and the run's not-found list, warnings and failures."""
    who, idle, lost = f.user(), f.user("Ida", "Idle"), f.user("Lou", "Lost")
    assigned = {"id": "a1", "user": who, "scenario": {"id": "sc1", "name": "x"},
                "status": "in_progress", "due_date": f.at(15), "rank_min": "silver"}
    data = f.snapshot([f.rep(who, [f.session(80, f.at(2), who=who)], assignment=assigned),
                       f.rep(idle, [])])
    data |= {"not_found": [{"email": "gone@example.com", "reason": "not_member"}],
             "warnings": ["said once"], "failed": [{"user": lost, "reason": "kept failing"}]}
    snapshot = parse_snapshot(data)
    assert snapshot.kind == "scenario" and snapshot.program.slug == "procurement-discovery"
    assert [a.id for a in snapshot.reps[0].assignments] == ["a1"]
    assert snapshot.failed and snapshot.not_found
    write_snapshot(snapshot, tmp_path / "s.json")
    written = json.loads((tmp_path / "s.json").read_text())
    assert written["schema_version"] == 3 and written["kind"] == "scenario"
    assert [p["scenario"]["id"] for p in written["scenarios"]] == ["sc1"]
    assert "scenario" not in written and written["skills"] == []
    assert all("assignment" not in r and "assignments" in r for r in written["reps"])
    upgraded = snapshot.model_copy(update={"schema_version": 3})
    assert read_snapshot(tmp_path / "s.json") == upgraded
    write_snapshot(upgraded, tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == (tmp_path / "s.json").read_bytes()


def test_version_2_files_of_both_kinds_still_read(tmp_path):
    who = f.user()
    single = f.snapshot([f.rep(who, [f.session(80, f.at(2), who=who)])])
    assert single["schema_version"] == 2 and "kind" not in single
    (tmp_path / "one.json").write_text(json.dumps(single))
    one = read_snapshot(tmp_path / "one.json")
    assert one == parse_snapshot(single) and one.kind == "scenario"
    program = pf.program_snapshot()
    assert program["schema_version"] == 2 and program["kind"] == "program"
    (tmp_path / "program.json").write_text(json.dumps(program))
    read = read_snapshot(tmp_path / "program.json")
    assert read.kind == "program" and read == parse_snapshot(program)
    assert [p.scenario.id for p in read.scenarios] == ["sc1", "sc2", "sc3"]
    write_snapshot(read, tmp_path / "again.json")
    assert json.loads((tmp_path / "again.json").read_text())["kind"] == "program"
    assert read_snapshot(tmp_path / "again.json") == read.model_copy(
        update={"schema_version": 3})


def test_a_wrong_value_becomes_unknown_and_a_hopeless_object_leaves_its_list():
    who = f.user()
    data = f.snapshot([f.rep(who, [
        f.session(80, f.at(2), who=who, duration="long"),
        f.session(70, f.at(3), who=who) | {"id": None},
        "not a session",
    ])], participants=[], summary={"average_best_score": "NaN", "participant_count": 7})
    snapshot = parse_snapshot(data)
    sessions = snapshot.reps[0].sessions
    assert [s.score for s in sessions] == [80.0]  # the session without an id is gone
    assert sessions[0].duration_seconds is None
    summary = snapshot.scenarios[0].summary
    assert summary is not None and summary.average_best_score is None
    assert summary.participant_count == 7


def test_a_snapshot_without_a_scenario_is_one_clear_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema_version": 1, "reps": []}))
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(info.value) == f"{path} is not a usable snapshot: scenario: field required"
    assert info.value.exit_code == 2


def test_a_newer_snapshot_is_refused(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema_version": 4, "scenario": {"id": "s"}}))
    with pytest.raises(SnapshotError, match="version 4; this reporter reads up to version 3"):
        read_snapshot(path)


def test_a_program_part_is_a_scenario_run_of_its_reps_with_a_session_in_it():
    """``part`` is the same type, of kind scenario: the scenario's reps (only their sessions
    and assignments of it), the program's warnings and failures left with the program."""
    program = pf.program(warnings=["the program's"])
    part = program.part("sc2")
    assert part.kind == "scenario" and [p.scenario.id for p in part.scenarios] == ["sc2"]
    assert part.program.slug == "objection-handling" and not part.skills and not part.warnings
    assert [r.user.email for r in part.reps] == ["ada@example.com"]
    assert {s.scenario.id for s in part.reps[0].sessions} == {"sc2"}
    assert [a.scenario.id for a in part.reps[0].assignments] == ["sc2"]
    assert one_scenario(program, "OBJECTION-handling") == part
    with pytest.raises(SnapshotError, match="it holds: procurement-discovery, objection"):
        one_scenario(program, "nope")


def test_a_scenario_run_holding_two_scenarios_is_refused():
    data = pf.program_snapshot() | {"schema_version": 3, "kind": "scenario"}
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(data)
    assert str(info.value) == ("snapshot is not a usable snapshot: a scenario run's holds one "
                               "scenario, not 3")


def test_twins_in_an_old_file_keep_both_assignments_and_the_newest_is_the_reps(tmp_path):
    """A version 2 file holding one person under two addresses' cases: one rep, their
    sessions joined, and the newer of their two assignments read as theirs."""
    from reporter.analytics import build_report

    who, twin = f.user(id="u1"), f.user(email="JANE@example.com", id="u2")
    older = {"id": "a-old", "user": who, "scenario": {"id": "sc1", "name": "x"},
             "status": "not_started", "created_at": "2026-09-01T00:00:00Z"}
    newer = older | {"id": "a-new", "status": "past_due", "created_at": "2026-09-20T00:00:00Z"}
    snapshot = parse_snapshot(f.snapshot([
        f.rep(who, [f.session(80, f.at(2), who=who)], assignment=newer),
        f.rep(twin, [f.session(70, f.at(3), who=twin)], assignment=older)]))
    assert len(snapshot.reps) == 1 and len(snapshot.reps[0].sessions) == 2
    assert {a.id for a in snapshot.reps[0].assignments} == {"a-old", "a-new"}
    rep = build_report(snapshot).reps[0]
    assert rep.assignment_status == "past_due"
