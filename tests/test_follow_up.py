"""Closing the loop: last month's step and what became of it, in every output."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from reporter import pipeline
from reporter.analytics.follow_up import follow_up_sentence, told_step
from reporter.analytics.program import build_program, build_run
from reporter.cohort.selection import Selection, parse_period
from reporter.cohort.snapshot import StepRecord, parse_snapshot, read_snapshot
from reporter.cohort.steps import STEPS_JSON, read_steps
from reporter.console import Console
from reporter.exec_api import ApiKey
from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key
from reporter.settings import ApiSettings, FetchSettings, RenderSettings, RunSettings
from reporter.views import ProgramRepView
from tests import snapshot_factory as f
from tests.support import DEMO_NOW, pdftotext

JANE = f.user("Jane", "Smith", "jane@example.com", id="u-jane")


def _told(kind: str = "item", good: int = 1, graded: int = 4, **over: Any) -> dict[str, Any]:
    record = {"user_id": "u-jane", "email": "jane@example.com", "period": "2026-09",
              "scenario_id": "sc1", "scenario": "Procurement Discovery", "kind": kind,
              "criterion": "Discovery" if kind == "item" else None,
              "item": "Budget" if kind == "item" else None, "good": good, "graded": graded}
    record.update(over)
    return record


def _rep(sessions: list[dict[str, Any]], steps: list[dict[str, Any]]) -> ProgramRepView:
    snapshot = parse_snapshot(f.snapshot([f.rep(JANE, sessions)])).model_copy(
        update={"previous_steps": [StepRecord.model_validate(s) for s in steps]})
    return build_run(snapshot, generated_at=DEMO_NOW).reps[0]


def _graded(*grades: str | None, valid: bool = True) -> list[dict[str, Any]]:
    return [f.session(70.0, f.at(day), who=JANE, valid=valid,
                      evaluations=f.evaluations({"Budget": g, "Timeline": "bad"}))
            for day, g in enumerate(grades, start=2)]


def test_a_step_graded_good_more_often_than_last_month_worked():
    rep = _rep(_graded("bad", "good", "good", "good"), [_told(good=1, graded=4)])
    assert rep.follow_up is not None
    assert rep.follow_up.result == "worked"
    assert rep.follow_up.sentence == (
        "Last month: Discovery › Budget. Graded good 1 of 4 in September 2026, "
        "3 of 4 in October 2026: it worked.")


def test_a_step_graded_good_no_more_often_is_still_the_thing_to_work_on():
    rep = _rep(_graded("bad", "mid", "good", "bad"), [_told(good=1, graded=4)])
    assert rep.follow_up is not None and rep.follow_up.result == "still"
    assert rep.follow_up.sentence.endswith(
        "1 of 4 in October 2026: still the thing to work on.")


def test_a_step_no_session_graded_since_is_not_practised_since():
    rep = _rep(_graded(None, None), [_told(good=0, graded=2)])
    assert rep.follow_up is not None and rep.follow_up.result == "not_practised"
    assert rep.follow_up.sentence == (
        "Last month: Discovery › Budget. Graded good 0 of 2 in September 2026; "
        "not practised since.")


def test_completing_the_roleplay_one_was_told_to_complete_worked():
    told = _told(kind="complete", good=0, graded=2)
    done = _rep(_graded("good"), [told])
    assert done.follow_up is not None and done.follow_up.sentence == (
        "Last month: one full, graded roleplay of Procurement Discovery. "
        "1 valid attempt in October 2026: it worked.")
    started = _rep(_graded("good", "good", valid=False), [told])
    assert started.follow_up is not None and started.follow_up.sentence.endswith(
        "2 sessions in October 2026, none a valid attempt: still the thing to work on.")


def test_a_rep_told_nothing_last_month_has_no_follow_up_and_the_team_counts_who_had_one():
    rep = _rep(_graded("bad", "good", "good", "good"), [_told(user_id="someone-else")])
    assert rep.follow_up is None
    worked = _rep(_graded("good", "good"), [_told(good=0, graded=3)])
    still = _rep(_graded("bad"), [_told(good=0, graded=3)])
    assert follow_up_sentence([worked, still, rep]) == (
        "1 of 2 reps improved on last month's step")
    assert follow_up_sentence([rep]) is None


def test_what_a_report_tells_is_recorded_as_next_months_step():
    rep = _rep(_graded("bad", "bad", "mid"), [])
    told = told_step(rep, "2026-10")
    step = rep.rows[0].rep.coaching.next_step  # type: ignore[union-attr]
    assert told is not None and step is not None and step.kind != "keep"
    assert (told.kind, told.criterion, told.item, told.period) == (
        "item", step.criterion, step.item, "2026-10")
    row = next(r for r in rep.rows[0].rep.rubric  # type: ignore[union-attr]
               if (r.criterion, r.item) == (step.criterion, step.item))
    assert (told.good, told.graded) == (row.good, row.graded)
    nothing_valid = _rep(_graded("bad", valid=False), [])
    told = told_step(nothing_valid, "2026-10")
    assert told is not None and (told.kind, told.good, told.graded) == ("complete", 0, 1)


# -- two months on the sandbox ---------------------------------------------------------------

OCTOBER, NOVEMBER = "2026-10", "2026-11"


@pytest.fixture(scope="module")
def demo_sandbox():
    workspace = generate_workspace(seed=7, reps=30, today=DEMO_NOW)
    app = create_app(workspace, api_key=make_api_key(7), rate_limit=None, daily_limit=None)
    with SandboxServer(app) as server:
        yield workspace, server


def _settings(workspace, server, folder: Path, month: str) -> FetchSettings:
    api = ApiSettings(key=ApiKey(make_api_key(7)), base_url=server.base_url,
                      rate_limit=100_000, cache_dir=folder / "cache",
                      usage_dir=folder / "cache", now=workspace.now)
    scenario = next(s.slug for s in workspace.scenarios if not s.archived)
    # A dozen members: every rep of the run is checked, and the runs stay short.
    someone = sorted(u.email.lower() for u in workspace.users
                     if u.is_member and not u.is_system)[:12]
    return FetchSettings(api=api, scenario=scenario,
                         selection=Selection("emails", tuple(someone)),
                         period=parse_period(month))


class Lines(Console):
    def __init__(self) -> None:
        super().__init__(quiet=True)
        self.lines: list[str] = []

    def detail(self, message: str) -> None:
        self.lines.append(message)


@pytest.fixture(scope="module")
def two_months(demo_sandbox, tmp_path_factory):
    """October, then November, into one OUT (one cache); then November again into an OUT
    with no October run, on the same (warm) cache."""
    workspace, server = demo_sandbox
    folder = tmp_path_factory.mktemp("two-months")
    out = folder / "out"
    runs = {}
    for month in (OCTOBER, NOVEMBER):
        console = Lines()
        runs[month] = (pipeline.run(RunSettings(_settings(workspace, server, folder, month),
                                                RenderSettings(out=out, jobs=2, csv=True)),
                                    console), console.lines)
    settings = _settings(workspace, server, folder, NOVEMBER)
    plan = pipeline.plan(settings)
    console = Lines()
    elsewhere = pipeline.run(RunSettings(settings, RenderSettings(out=folder / "elsewhere",
                                                                  jobs=2, csv=True)), console)
    return runs, (elsewhere, console.lines, plan)


def _expected(october_dir: Path, november_dir: Path) -> dict[str, str]:
    """Each rep's "Last month" line, recomputed from the two runs' snapshots."""
    earlier = read_snapshot(october_dir / "snapshot.json")
    told = {s.user_id: s for s in (
        told_step(rep, OCTOBER) for rep in build_run(earlier).reps) if s}
    later = read_snapshot(november_dir / "snapshot.json")
    steps = [t for uid, t in told.items() if uid in {r.user.id for r in later.reps}]
    report = build_run(later.model_copy(update={"previous_steps": steps}))
    return {r.email: r.follow_up.sentence for r in report.reps if r.follow_up}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
def test_novembers_reports_follow_up_octobers_steps_in_every_output(two_months):
    runs, _ = two_months
    october, november = runs[OCTOBER][0], runs[NOVEMBER][0]
    expected = _expected(october.run_dir, november.run_dir)
    assert len(expected) >= 6  # most reps practised in both months
    assert "steps.json" in json.loads((november.run_dir / "manifest.json").read_text())["files"]
    assert any(line.startswith("last month's steps: ") and "read from" in line
               and f"{OCTOBER}/{STEPS_JSON}" in line for line in runs[NOVEMBER][1])
    rows = {r["email"]: r for r in csv.DictReader(
        (november.run_dir / "reps.csv").open(encoding="utf-8-sig"))}
    manifest = json.loads((november.run_dir / "manifest.json").read_text())
    pdfs = {e["email"]: november.run_dir / e["pdf"] for e in manifest["reps"] if e["pdf"]}
    for email, sentence in expected.items():
        page1 = _flat(pdftotext(pdfs[email], "-l", "1"))
        assert _flat(sentence) in page1, email
        result = sentence.rsplit(": ", 1)[-1].rstrip(".") if ": " in sentence else ""
        assert rows[email]["previous_step_result"] in sentence
        assert rows[email]["previous_step"] and rows[email]["previous_step"] in sentence
        assert result or "not practised since" in sentence
    outbox = november.run_dir / "outbox"
    bodies = " ".join(_flat(p.read_text(errors="replace")) for p in outbox.glob("*.eml")) \
        if outbox.exists() else ""
    if bodies:
        assert all(_flat(s) in bodies for s in expected.values())
    for email, row in rows.items():
        if email not in expected:
            assert row["previous_step"] == "" and row["previous_step_result"] == ""
    worked = sum(1 for s in expected.values() if s.endswith(": it worked."))
    count = f"{worked} of {len(expected)} reps improved on last month's step."
    assert count in _flat(pdftotext(november.run_dir / "team.pdf", "-l", "1"))


@pytest.mark.slow
def test_without_octobers_run_the_steps_are_recomputed_from_the_cache_at_no_request(two_months):
    runs, (elsewhere, lines, plan) = two_months
    assert elsewhere.requests_made == plan.total_requests
    said = [line for line in lines if line.startswith("last month's steps: ")]
    assert len(said) == 1 and "recomputed from" in said[0] and "(no request)" in said[0]
    read = read_steps(runs[OCTOBER][0].run_dir)
    recomputed = read_snapshot(elsewhere.run_dir / "snapshot.json").previous_steps
    assert read is not None and recomputed
    wanted = {s.user_id for s in recomputed}

    def key(s: StepRecord) -> tuple[object, ...]:
        return (s.user_id, s.scenario_id, s.kind, s.criterion, s.item, s.good, s.graded)

    assert sorted(map(key, recomputed)) == sorted(key(s) for s in read if s.user_id in wanted)
    assert all(s.source == "cache" for s in recomputed)
    # The cache holds graded sessions only: a "complete one roleplay" step (no valid attempt
    # last month) cannot be recomputed from it, every item step is.
    assert wanted == {s.user_id for s in read if s.kind == "item"}

    def rows(run: Any) -> dict[str, dict[str, str]]:
        with (run.run_dir / "reps.csv").open(encoding="utf-8-sig") as handle:
            return {r["user_id"]: r for r in csv.DictReader(handle)}

    told_here, recomputed_there = rows(runs[NOVEMBER][0]), rows(elsewhere)
    assert {u for u in told_here if told_here[u] != recomputed_there[u]} == {
        s.user_id for s in read if s.kind == "complete"} & set(told_here)


def test_a_step_record_that_does_not_read_is_left_out(tmp_path):
    good = StepRecord(user_id="u1", period="2026-10", scenario_id="s", scenario="S",
                      kind="item", criterion="C", item="I", good=1, graded=2)
    (tmp_path / STEPS_JSON).write_text(json.dumps({"schema_version": 1, "steps": [
        good.model_dump(mode="json"), {"user_id": 3}, "junk"]}))
    assert read_steps(tmp_path) == [good]
    (tmp_path / STEPS_JSON).write_text("{not json")
    assert read_steps(tmp_path) is None
    assert read_steps(tmp_path / "nowhere") is None


def test_a_program_run_names_the_steps_scenario():
    from tests import program_factory as pf

    program = pf.program()
    report = build_program(program)
    rep = next(r for r in report.reps if told_step(r, "2026-10") is not None)
    told = told_step(rep, "2026-09")
    assert told is not None
    again = build_program(program.model_copy(update={"previous_steps": [told]}))
    follow = next(r for r in again.reps if r.user_id == rep.user_id).follow_up
    assert follow is not None
    if told.kind == "item":
        assert f"({told.scenario})" in follow.sentence


def test_the_team_report_and_the_digest_count_whose_step_worked(tmp_path):
    from reporter.analytics.team import build_team
    from reporter.deliver.digests import DIGEST_HTML_TEMPLATE, DIGEST_TEXT_TEMPLATE, digest_view
    from reporter.deliver.manifest import TeamEntry
    from reporter.render.options import PdfOptions
    from reporter.render.pdf import PdfRenderer
    from reporter.render.team_pdf import render_team
    from reporter.render.templates import environment
    from reporter.settings import EmailSettings

    bob = f.user("Bob", "Ng", "bob@example.com", id="u-bob")
    reps = [f.rep(JANE, _graded("bad", "good", "good", "good"), groups=["East"]),
            f.rep(bob, [f.session(70.0, f.at(day), who=bob, evaluations=f.evaluations(
                {"Budget": "bad", "Timeline": "bad"})) for day in (3, 4)], groups=["East"])]
    steps = [StepRecord.model_validate(_told(good=1, graded=4)),
             StepRecord.model_validate(_told(user_id="u-bob", email="bob@example.com"))]
    snapshot = parse_snapshot(f.snapshot(reps)).model_copy(update={"previous_steps": steps})
    report = build_run(snapshot, generated_at=DEMO_NOW)
    said = "1 of 2 reps improved on last month's step."
    team = build_team(report)
    pdf, _ = render_team(PdfRenderer(PdfOptions()), report, team)
    (tmp_path / "team.pdf").write_bytes(pdf)
    assert said in _flat(pdftotext(tmp_path / "team.pdf", "-l", "1"))
    entry = TeamEntry("East", "east", "Dana Whitfield", "dana@acme.example", 0, 0,
                      "teams/east/team.pdf", None, None, None)
    view = digest_view(report, entry, EmailSettings(sender="Coaching <c@acme.example>"),
                       "team-east", None)
    env = environment(None)
    assert said in _flat(env.get_template(DIGEST_TEXT_TEMPLATE).render(d=view))
    assert said.replace("'", "&#39;") in _flat(env.get_template(DIGEST_HTML_TEMPLATE)
                                               .render(d=view))
