"""Where a run's folder is: one scenario's, or a program's."""

from __future__ import annotations

from pathlib import Path

from reporter.rundir import run_dir_for
from tests.program_factory import program


def test_a_program_run_folder_is_named_by_its_program(tmp_path: Path) -> None:
    snapshot = program()
    assert run_dir_for(tmp_path, snapshot) == tmp_path / "core-sales-conversations" / "2026-10"
    # Each of its scenarios run alone has its own folder beside it.
    assert run_dir_for(tmp_path, snapshot.part("sc1")) == (
        tmp_path / "procurement-discovery" / "2026-10")


def test_a_program_named_like_one_of_its_scenarios_keeps_a_folder_of_its_own(
    tmp_path: Path,
) -> None:
    """A collection named after its main scenario would otherwise replace that scenario's
    run of the month: it gets "-program"."""
    snapshot = program()
    named = snapshot.model_copy(update={"program": snapshot.program.model_copy(
        update={"slug": "objection-handling"})})
    assert run_dir_for(tmp_path, named) == tmp_path / "objection-handling-program" / "2026-10"
    assert run_dir_for(tmp_path, named.part("sc2")) == tmp_path / "objection-handling" / "2026-10"
    long = "x" * 80
    both = named.model_copy(update={"program": snapshot.program.model_copy(
        update={"slug": long, "name": long})})
    scenario = both.scenarios[0].model_copy(update={"scenario": both.scenarios[0].scenario
                                                    .model_copy(update={"slug": long})})
    both = both.model_copy(update={"scenarios": [scenario, *both.scenarios[1:]]})
    folder = run_dir_for(tmp_path, both).parent.name
    assert folder.endswith("-program") and len(folder) <= 60
    assert folder != run_dir_for(tmp_path, both.part(scenario.scenario.id)).parent.name
