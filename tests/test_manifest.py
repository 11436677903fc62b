"""The manifest: written whole, read back exactly, and refused loudly when it is not one."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from reporter.deliver.manifest import (
    SCHEMA_VERSION,
    Manifest,
    ManifestError,
    RepEntry,
    read_manifest,
    sha256_file,
    write_manifest,
)
from tests.program_factory import program
from tests.program_run import write_program_run


def _manifest() -> Manifest:
    return Manifest(
        run={"scenario": "discovery-call", "period": "2026-10",
             "generated_at": "2026-11-01T07:00:00+00:00", "tool_version": "0.1.0",
             "requests_made": 41, "cache_hits": 12, "seconds": 3.5},
        reps=[
            RepEntry("amelie@acme.test", "Amélie Dubois-Laurent", "amelie-1", "ok", None,
                     "reps/amelie-1.pdf", "ab" * 32, 4),
            RepEntry("wang@acme.test", "王小明", "wang-2", "empty", None, "reps/wang-2.pdf",
                     "cd" * 32, 2, message_id="<x@acme.test>",
                     sent_at="2026-11-01T08:00:00+00:00"),
            RepEntry("formula@acme.test", '=HYPERLINK("http://x","y")', "f-3", "failed",
                     "@SUM(A1) render crashed", None, None, None),
            RepEntry("ghost@acme.test", "ghost@acme.test", "", "not_found",
                     "not a member of the workspace", None, None, None),
        ],
        files={"cohort.xlsx": {"path": "cohort.xlsx", "sha256": "ef" * 32}},
    )


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    original = _manifest()
    write_manifest(tmp_path, original)
    assert read_manifest(tmp_path) == original


def test_csv_lists_every_rep_and_keeps_formulas_as_text(tmp_path: Path) -> None:
    write_manifest(tmp_path, _manifest())
    raw = (tmp_path / "manifest.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8 names
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["email", "name", "slug", "status", "reason", "pdf", "sha256", "pages",
                             "message_id", "sent_at", "send_error"]
    assert [r["email"] for r in rows] == ["amelie@acme.test", "wang@acme.test",
                                          "formula@acme.test", "ghost@acme.test"]
    assert rows[1]["name"] == "王小明" and rows[1]["pages"] == "2"
    assert rows[2]["name"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert rows[2]["reason"].startswith("'@SUM")
    assert rows[3]["status"] == "not_found" and rows[3]["pdf"] == ""


def test_rewrite_replaces_atomically_without_leftovers(tmp_path: Path) -> None:
    manifest = _manifest()
    write_manifest(tmp_path, manifest)
    manifest.reps[0].message_id = "<new@acme.test>"
    write_manifest(tmp_path, manifest)
    assert read_manifest(tmp_path).reps[0].message_id == "<new@acme.test>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.csv", "manifest.json"]


def test_unknown_status_is_not_written(tmp_path: Path) -> None:
    manifest = _manifest()
    manifest.reps[0].status = "sent"
    with pytest.raises(ValueError, match="unknown rep status"):
        write_manifest(tmp_path, manifest)
    assert not (tmp_path / "manifest.json").exists()


def test_missing_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no manifest"):
        read_manifest(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe garbage", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"run": {}, "files": {}}', "needs run, reps and files"),
        (b'{"run": {}, "reps": [1], "files": {}}', r"reps\[0\] is not an object"),
        (b'{"run": {}, "reps": [{"email": "a@b.c"}], "files": {}}', "lacks name, slug, status"),
        (b'{"run": {}, "reps": [{"email": "a@b.c", "name": "A", "slug": "a", "status": "ok",'
         b' "pages": "3"}], "files": {}}', r"reps\[0\]\.pages has the wrong type"),
        (b'{"run": {}, "reps": [{"email": "a@b.c", "name": "A", "slug": "a", "status": "ok",'
         b' "pages": true}], "files": {}}', r"reps\[0\]\.pages has the wrong type"),
        (b'{"run": {}, "reps": [{"email": "a@b.c", "name": "A", "slug": "a",'
         b' "status": "done"}], "files": {}}', "unknown status 'done'"),
        (b'{"schema_version": 99, "run": {}, "reps": [], "files": {}}',
         "this reporter reads up to version 2"),
    ],
)
def test_garbled_manifest_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "manifest.json").write_bytes(content)
    with pytest.raises(ManifestError, match=message):
        read_manifest(tmp_path)


def test_written_json_is_versioned_and_readable_by_other_tools(tmp_path: Path) -> None:
    write_manifest(tmp_path, _manifest())
    data = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == SCHEMA_VERSION == 2
    assert data["run"]["period"] == "2026-10"
    assert data["reps"][1]["name"] == "王小明"  # not \u-escaped: people read this file
    assert "王小明" in (tmp_path / "manifest.json").read_text(encoding="utf-8")


def test_sha256_file_matches_hashlib(tmp_path: Path) -> None:
    payload = b"%PDF-1.7\n" + bytes(range(256)) * 5000
    path = tmp_path / "x.pdf"
    path.write_bytes(payload)
    assert sha256_file(path) == hashlib.sha256(payload).hexdigest()


def test_a_version_1_manifest_reads_as_a_scenario_run(tmp_path: Path) -> None:
    """Manifests written before program runs (version 1, no ``run.kind``) still read, as a
    scenario's run covering that scenario."""
    (tmp_path / "manifest.json").write_text(json.dumps({
        "schema_version": 1, "run": {"scenario": "discovery-call", "period": "2026-10"},
        "reps": [{"email": "a@b.test", "name": "A", "slug": "a", "status": "ok",
                  "reason": None, "pdf": "reps/a.pdf", "sha256": None, "pages": 2,
                  "message_id": "<m@x>", "sent_at": "2026-11-01T08:00:00+00:00",
                  "send_error": None}], "files": {}}))
    old = read_manifest(tmp_path)
    assert (old.kind, old.subject, old.covers) == ("scenario", "discovery-call",
                                                   frozenset({"discovery-call"}))
    assert old.send_state() == {"a@b.test": ("<m@x>", "2026-11-01T08:00:00+00:00", None)}


def test_a_program_manifest_covers_its_scenarios(tmp_path: Path) -> None:
    manifest = _manifest()
    manifest.run = {"kind": "program", "program": "core-sales", "period": "2026-10",
                    "scenarios": [{"id": "sc1", "slug": "discovery", "name": "Discovery"},
                                  {"id": "sc2", "slug": "objections", "name": "Objections"}]}
    write_manifest(tmp_path, manifest)
    back = read_manifest(tmp_path)
    assert (back.kind, back.subject, back.covers) == (
        "program", "core-sales", frozenset({"discovery", "objections"}))


def test_a_program_runs_manifest_has_one_entry_per_rep_and_its_scenarios(
    tmp_path: Path,
) -> None:
    """write_program_manifest: one entry per rep with their one PDF across the program, the
    program and the scenarios it covers, a team per manager with its members; a rerun keeps
    who was mailed."""
    run_dir = write_program_run(tmp_path / "out", program(), by_team=True)
    data = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    run = data["run"]
    assert (run["kind"], run["program"], run["program_name"], run["program_kind"]) == (
        "program", "core-sales-conversations", "Core Sales Conversations", "collection")
    assert [s["slug"] for s in run["scenarios"]] == [
        "procurement-discovery", "objection-handling", "competitive-displacement"]
    manifest = read_manifest(run_dir)
    assert [(e.email, e.status) for e in manifest.reps] == [
        ("ada@example.com", "ok"), ("ben@example.com", "ok"), ("cy@example.com", "empty")]
    for entry in manifest.reps:
        assert entry.pdf == f"reps/{entry.slug}.pdf"
        assert entry.sha256 == sha256_file(run_dir / entry.pdf)
    assert {t.group: sorted(t.members) for t in manifest.teams} == {
        "East": ["u-ada", "u-ben"], "West": ["u-cy"]}
    assert {t.group: t.needs_attention for t in manifest.teams} == {"East": 2, "West": 1}
    manifest.reps[0].message_id, manifest.reps[0].sent_at = "<m@x>", "2026-11-02T08:00:00+00:00"
    write_manifest(run_dir, manifest)
    write_program_run(tmp_path / "out", program())
    assert read_manifest(run_dir).reps[0].message_id == "<m@x>"
