"""The send record across run folders: where it is, what it covers, and refusing a damaged
one. Sending through it, with a real SMTP server, is in test_email.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.deliver.manifest import Manifest
from reporter.deliver.sent import (
    Delivery,
    SendRecordError,
    read_record,
    record_path,
)


def _manifest(period: str = "2026-10") -> Manifest:
    return Manifest(run={"kind": "scenario", "scenario": "discovery", "period": period}, reps=[])


def test_the_record_sits_beside_the_run_folders_of_one_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert record_path(out / "discovery" / "2026-10", _manifest()) == (
        out / ".sent" / "2026-10.json")
    # A folder not where run_dir_for puts runs (moved, renamed) keeps only its own record.
    assert record_path(tmp_path / "moved-here", _manifest()) is None


def test_a_delivery_covers_what_its_report_covered(tmp_path: Path) -> None:
    record = read_record(tmp_path / ".sent" / "2026-10.json")
    assert record.deliveries == []
    program = Delivery("ada@example.com", ("a", "b", "c"), "core/2026-10", "program",
                       "<1@x>", "2026-11-02T07:00:00+00:00")
    record.add(program)
    back = read_record(record.path)
    assert back.deliveries == [program]
    assert back.covering("ada@example.com", {"a"}) == program  # one scenario of it
    assert back.covering("ada@example.com", {"a", "b", "c"}) == program  # a rerun
    assert back.covering("ada@example.com", {"a", "d"}) is None  # a fuller report: sent
    assert back.covering("ben@example.com", {"a"}) is None
    assert back.covering("ada@example.com", set()) is None  # nothing known: not covered


@pytest.mark.parametrize(("content", "message"), [
    ("{", "not a send record"),
    ('{"schema_version": 9, "sent": []}', "reads up to version 1"),
    ('{"schema_version": 1}', "needs sent"),
    ('{"schema_version": 1, "sent": [{"key": "a", "covers": "x", "run": "r", "kind": "k", '
     '"message_id": "m", "sent_at": "t"}]}', r"sent\[0\] is not a delivery"),
    ('{"schema_version": 1, "sent": [{"key": "a", "covers": [], "run": "r", "kind": "k", '
     '"message_id": "m", "sent_at": "t", "in_doubt": "yes"}]}', r"sent\[0\] is not a delivery"),
])
def test_a_damaged_record_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "2026-10.json"
    path.write_text(content)
    with pytest.raises(SendRecordError, match=message):
        read_record(path)
