"""The next step on three sandbox workspaces, both kinds of run (issue 32, items 1 and 3): the
demo's (seed 7, 30 reps) and two nobody tuned to (seed 11, 45 reps, and seed 42, 40 reps, run
on 2026-12-01 like the demo), each as a single-scenario run and as a program run.

On every rep: no step on an item the latest session graded good while it graded another mid
or bad; no "complete one" for a scenario whose assignment is completed; and the same step, in
the same words, in the rep's PDF, their email, the manager's digest, team.pdf, the workbook's
Reps sheet and reps.csv. On the code before this rule: 15 reps of the two workspaces had a
step on an item their latest session graded good, 3 a "complete one" for a completed
assignment, and the workbook and reps.csv gave an item's name where the PDF gave a phrasing.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from reporter.analytics.rubric import WEAK_GRADES, latest_column
from reporter.console import Console
from reporter.deliver.manifest import read_manifest
from reporter.deliver.rebuild import run_views
from reporter.demo import demo
from reporter.settings import demo_teams
from reporter.views import ProgramReportView, ProgramRepView
from tests.support import EXAMPLE_CONFIG, pdftotext

#: The workspaces besides the demo's: (seed, reps), run on the demo's morning.
OTHERS = {"seed11": (11, 45), "seed42": (42, 40)}
OTHERS_NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
COMPLETE = "Complete one"

#: Three whole demo pipelines: end-to-end, so the floors' fast pass leaves them to make test.
pytestmark = pytest.mark.slow


def _other(tmp_path_factory: pytest.TempPathFactory, name: str) -> dict[str, str]:
    """The demo's pipeline on another workspace: its two run folders."""
    seed, reps = OTHERS[name]
    out = tmp_path_factory.mktemp(name)
    done = demo(out, jobs=2, console=Console(quiet=True), teams=demo_teams(EXAMPLE_CONFIG),
                now=OTHERS_NOW, seed=seed, reps=reps)
    assert done.program is not None
    return {"folder": str(done.run.run_dir), "program": str(done.program.run_dir)}


@pytest.fixture(scope="module", params=["demo", *OTHERS])
def runs(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    if request.param == "demo":
        run = request.getfixturevalue("demo_run")
        return {"folder": str(run.folder), "program": str(run.program)}
    return _other(tmp_path_factory, request.param)


def _report(folder: Path) -> ProgramReportView:
    return run_views(folder, read_manifest(folder)).default


def _flat(text: str) -> str:
    """Whitespace as one space, and a word a line break hyphenated joined again."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def _letters(text: str) -> str:
    """The text without spaces or hyphens: pdftotext joins a word hyphenated at a line's end
    without its hyphen ("Current-state" reads "Currentstate")."""
    return re.sub(r"[\s\-]", "", text)


def _unguard(value: object) -> str:
    """A cell or field as written, less the leading quote a formula-like text gets."""
    text = "" if value is None else str(value)
    return text[1:] if text.startswith("'") and text[1:2] in "=+-@" else text


def _kind(rep: ProgramRepView) -> str:
    focus = rep.focus.rep if rep.focus else None
    kind = focus.coaching.step_kind if focus else None
    return {"complete": "complete one", None: "none"}.get(kind, kind or "none")


@pytest.mark.parametrize("which", ["folder", "program"])
def test_the_step_is_about_now_and_never_complete_one_for_a_completed_assignment(runs, which):
    report = _report(Path(runs[which]))
    kinds = Counter(_kind(r) for r in report.reps)
    assert kinds["coach"] > kinds["complete one"] > 0, kinds
    for rep in report.reps:
        for row in rep.rows:
            view = row.rep
            if view is None:
                continue
            step = view.coaching.next_step
            latest = latest_column(view.rubric)
            if step is not None and latest is not None:
                graded = {(r.criterion, r.item): r.grades[latest] for r in view.rubric}
                if graded[(step.criterion, step.item)] == "good":
                    assert not any(g in WEAK_GRADES for g in graded.values()), (
                        rep.name, row.scenario.name)
            if row.target is not None and row.target.met:
                assert view.coaching.step_kind != "complete", (rep.name, row.scenario.name)
        if rep.focus is not None and rep.focus.target is not None and rep.focus.target.met:
            assert not (rep.step_text or "").startswith(COMPLETE), rep.name
        # The team's top scorers get coaching too: a rep with a valid attempt and a step in
        # some scenario is told "complete one" only of an assignment never attempted.
        if _kind(rep) == "complete one" and any(
                r.rep is not None and r.rep.coaching.step_kind in ("coach", "polish", "keep")
                for r in rep.rows):
            focus = rep.focus
            assert focus is not None and focus.target is not None
            assert focus.target.status in ("past_due", "not_started"), rep.name
            assert focus.target.assignment_best is None, rep.name


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _sheet(path: Path, title: str) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book[title].iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(row)]


def _text_part(path: Path) -> str:
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return _flat(part.get_content())


@pytest.mark.parametrize("which", ["folder", "program"])
def test_every_output_prints_the_same_step_in_the_same_words(runs, which):
    folder = Path(runs[which])
    report = _report(folder)
    single = report.single is not None
    # Per scenario: reps.csv and the workbook's Reps sheet, the scenario's own step line.
    by_slug = {s.slug: s for s in report.scenarios}
    views = {(row.scenario.id, rep.email): row.rep for rep in report.reps for row in rep.rows
             if row.rep is not None}
    csv_rows = _rows(folder / "reps.csv")
    assert csv_rows
    for line in csv_rows:
        view = views[(by_slug[line["scenario"]].id, line["email"])]
        assert _unguard(line["next_step"]) == (view.coaching.step_text or ""), line["email"]
        if not view.has_valid_attempt and view.coaching.step_kind == "complete":
            assert line["next_step"].startswith(COMPLETE)
    by_name = {s.name: s for s in report.scenarios}
    cells = _sheet(folder / "cohort.xlsx", "Reps")
    for cell in cells:
        scenario = (report.scenarios[0] if single or "Scenario" not in cell
                    else by_name[cell["Scenario"]])
        view = views[(scenario.id, cell["Email"])]
        assert _unguard(cell["Next step"]) == (view.coaching.step_text or ""), cell["Email"]
    # Per rep: their PDF's page 1 and their email say the run's one step.
    manifest = {e.email: e for e in read_manifest(folder).reps}
    outbox = folder / "outbox"
    told = 0
    for rep in report.reps:
        entry = manifest[rep.email]
        if rep.step_text is None or entry.pdf is None:
            continue
        told += 1
        page1 = _letters(pdftotext(folder / entry.pdf, "-f", "1", "-l", "2"))
        focus = rep.focus.rep if rep.focus else None
        assert focus is not None and focus.coaching.step_text is not None
        if single or focus.coaching.step_kind == "complete":
            assert _letters(rep.step_text) in page1, rep.name
        else:  # "From <scenario>, the scenario that needs you most", then its step line
            assert rep.focus is not None
            assert rep.step_text == f"{rep.focus.scenario.name}: {focus.coaching.step_text}"
            assert _letters(f"From {rep.focus.scenario.name}, the scenario that needs you "
                            "most") in page1, rep.name
            assert _letters(focus.coaching.step_text) in page1, rep.name
        mail = outbox / f"{entry.slug}.eml"
        if mail.exists():
            assert _flat(rep.step_text) in _text_part(mail), rep.name
    assert told >= len(report.reps) - 3
    # The manager's digests and team.pdf: each shortlisted rep's step, the same words.
    steps = {_flat(r.step_text) for r in report.reps if r.step_text}
    message_steps = [s for digest in sorted((outbox / "teams").glob("*.eml"))
                     for s in _digest_steps(digest)]
    assert message_steps, "the digests name a next step"
    assert all(s in steps for s in message_steps), set(message_steps) - steps
    team = _letters(pdftotext(folder / "team.pdf"))
    for rep in report.shortlist:
        if rep.step_text:
            assert _letters(f"Next step: {rep.step_text}") in team, rep.name


def _digest_steps(path: Path) -> list[str]:
    """Every "Next step:" line of a digest's plain-text part, as written."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return [_flat(m) for m in re.findall(r"^\s*Next step:\s+(.*)$", part.get_content(),
                                         flags=re.MULTILINE)]
