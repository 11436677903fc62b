"""The snapshot: one typed model, read once and leniently, written atomically."""

from __future__ import annotations

import json

import pytest

from reporter.cohort.snapshot import (
    SnapshotError,
    parse_snapshot,
    read_snapshot,
    write_snapshot,
)
from tests import snapshot_factory as f


def test_what_is_written_reads_back_equal(tmp_path):
    who = f.user()
    snapshot = parse_snapshot(f.snapshot([f.rep(who, [f.session(80, f.at(2), who=who)])]))
    write_snapshot(snapshot, tmp_path / "s.json")
    again = read_snapshot(tmp_path / "s.json")
    assert again == snapshot
    assert again.reps[0].sessions[0].score == 80.0 and again.schema_version == 2


def test_last_months_version_1_snapshot_reads_and_is_rewritten_as_version_2(tmp_path):
    who = f.user()
    old = f.snapshot([f.rep(who, [f.session(80, f.at(2), who=who)])]) | {"schema_version": 1}
    (tmp_path / "old.json").write_text(json.dumps(old))
    snapshot = read_snapshot(tmp_path / "old.json")
    assert snapshot.reps[0].sessions[0].score == 80.0
    write_snapshot(snapshot, tmp_path / "new.json")
    assert json.loads((tmp_path / "new.json").read_text())["schema_version"] == 2


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
    assert snapshot.summary is not None and snapshot.summary.average_best_score is None
    assert snapshot.summary.participant_count == 7


def test_a_snapshot_without_a_scenario_is_one_clear_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema_version": 1, "reps": []}))
    with pytest.raises(SnapshotError) as info:
        read_snapshot(path)
    assert str(info.value) == f"{path} is not a usable snapshot: scenario: field required"
    assert info.value.exit_code == 2


def test_a_newer_snapshot_is_refused(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"schema_version": 3, "scenario": {"id": "s"}}))
    with pytest.raises(SnapshotError, match="version 3; this reporter reads up to version 2"):
        read_snapshot(path)
