"""One verdict per rep: the rules, and three sandbox workspaces of 40 reps read back whole.

The end-to-end check runs ``reporter run --csv`` against three sandboxes (seeds 7, 42, 77,
40 reps each, over loopback) and applies ``tests/verdict_rules.py`` to every rep's CSV row and
to page 1 of a sample of reps that covers every kind of verdict. On the code before the verdict
those rules found 138 contradictions in 63 of the 118 reps; they must find none.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from reporter import analytics
from reporter.analytics.program import of_scenario, scenario_rep
from reporter.analytics.verdict import direction, headline, rank_hint
from reporter.cohort.snapshot import parse_snapshot, read_snapshot
from reporter.render.options import PdfOptions
from reporter.render.pool import PdfRenderPool, RenderedPdf
from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key
from reporter.views import RankGap, ReportView, RepView, Target
from tests import snapshot_factory as f
from tests.sample_views import PERIOD, sample_report
from tests.support import environment, invoke, pdftotext
from tests.verdict_rules import contradictions

SEEDS = (7, 42, 77)
REPS = 40
TODAY = dt.date(2026, 11, 15)
MONTH = "2026-10"
SCENARIO = "discovery-call-it-director"


# -- the rules, one at a time -----------------------------------------------------------------


@pytest.mark.parametrize(("first", "best", "latest", "count", "expected"), [
    (70.0, 70.0, 70.0, 1, None),
    (60.0, 75.0, 75.0, 3, "improving"),
    (60.0, 75.0, 71.0, 3, "improving"),  # 4 below the best: not a fall yet
    (62.9, 68.5, 60.5, 5, "slipping"),  # the best rose 5.6, the latest fell 8.0
    (70.0, 72.0, 71.0, 3, "holding"),
    (84.2, 84.2, 77.6, 2, "slipping"),  # best first, then 6.6 below it
])
def test_direction(first, best, latest, count, expected):
    assert direction(count, first, best, latest) == expected


def _rep(report: ReportView, email: str) -> RepView:
    return next(r for r in report.reps if r.email == email)


def test_a_fall_leads_the_headline_and_still_credits_the_best():
    report = sample_report()
    rep = dataclasses.replace(_rep(report, "amelie@acme.test"), first_score=62.9,
                              best_score=68.5, best_rank="bronze", latest_score=60.5,
                              lift=5.6, valid_count=5, percentile=None)
    text = headline(rep, PERIOD, "slipping", None, rep.coaching, with_percentile=False)
    assert text == ("Amélie, your best rose 5.6 points to 68.5 (Bronze), but your latest, 60.5, "
                    "is 8.0 points below it.")
    assert "improv" not in text


def test_one_attempt_gets_no_direction_and_no_percentile_headline():
    bob = _rep(sample_report(), "bob@acme.test")
    assert bob.verdict is not None
    assert bob.verdict.direction is None and not bob.verdict.percentile_in_headline
    assert "percentile" not in bob.verdict.headline and bob.percentile is not None


def test_the_next_rank_hint_never_sits_beside_a_target_met_at_that_rank():
    met = Target("completed", "silver", None, True, None, False, reached=False,
                 assignment_best=76.0)
    assert rank_hint(RankGap("silver", 4.4), met) is None
    assert rank_hint(RankGap("gold", 2.0), met) == RankGap("gold", 2.0)  # the rank above
    open_ = dataclasses.replace(met, status="in_progress", met=False, points_short=4.4)
    assert rank_hint(RankGap("silver", 4.4), open_) == RankGap("silver", 4.4)


def test_no_phrasing_prefers_a_nearly_as_severe_item_that_has_one():
    """Budget (bad twice) has no phrasing; Timeline (bad then mid) has one: it takes the step."""
    def session(day: int, budget: str, timeline: str) -> dict:
        return f.session(60, f.at(day), evaluations=[f.criterion(
            "Qualification",
            f.item("Budget", budget, "Never asked.", examples=[
                f.example("So, shall I send a quote?", grade=budget)]),
            f.item("Timeline", timeline, "Vague.", examples=[
                f.example("Whenever suits you.", grade=timeline,
                          suggestion="When do you need this live, and what drives that date?")]),
        )])
    report = analytics.build_report(parse_snapshot(f.snapshot(reps=[f.rep(sessions=[
        session(1, "bad", "bad"), session(2, "bad", "mid")])])))
    step = report.reps[0].coaching.next_step
    assert step is not None and (step.item, step.source) == ("Timeline", "suggestion")
    assert report.reps[0].coaching.focus_areas[0].item == "Timeline"  # top focus = the step


def test_markup_never_becomes_the_one_thing_while_speech_exists():
    quotes = ['<img src=x onerror=alert(1)>', '=HYPERLINK("http://x","y")',
              "What does a missed shipment cost you?"]
    examples = [f.example(q, grade="bad", salience="high", suggestion="Ask about cost first.")
                for q in quotes]
    report = analytics.build_report(parse_snapshot(f.snapshot(reps=[f.rep(sessions=[f.session(
        60, f.at(1), evaluations=[f.criterion("Discovery", f.item("Pain", "bad", "Say more.",
                                                                  examples=examples))])])])))
    rep = report.reps[0]
    assert rep.coaching.next_step is not None
    assert rep.coaching.next_step.said == "What does a missed shipment cost you?"
    # Page 1 quotes it as the step: no moment repeats it, and markup is never a moment.
    assert [m.quote for m in rep.coaching.moments] == []
    assert len(rep.feedback_examples) == 3  # the workbook still shows every example


# -- three workspaces of 40 reps, read back as a reader would ---------------------------------


def _kind(rep: RepView) -> tuple[object, ...]:
    """What makes two verdicts different kinds, for the page-1 sample."""
    assert rep.verdict is not None
    target = rep.coaching.target
    return (rep.verdict.direction, rep.valid_count == 0, target.state if target else None,
            bool(target and target.assignment_best is not None), rep.verdict.rank_hint is None)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Path]]:
    """One finished ``run --csv --no-pdf`` per seed: the run folders."""
    runs = []
    for seed in SEEDS:
        workspace = generate_workspace(seed=seed, reps=REPS, today=TODAY)
        key = make_api_key(seed)
        app = create_app(workspace, api_key=key, rate_limit=None, daily_limit=None)
        out = tmp_path_factory.mktemp(f"seed{seed}")
        with SandboxServer(app) as server, environment(
                EXEC_API_KEY=key, EXEC_API_URL=server.base_url, REPORTER_RATE_LIMIT="6000",
                XDG_CACHE_HOME=str(out / "xdg")):
            result = invoke("run", SCENARIO, "--month", MONTH, "--out", out, "--csv",
                            "--no-pdf", "--no-xlsx", "--no-cache", "-q")
        assert result.exit_code == 0, result.output
        runs.append(out / SCENARIO / MONTH)
    yield runs


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.slow
def test_no_rep_in_three_workspaces_carries_two_claims_that_disagree(workspaces, tmp_path):
    """Page 1 of one rep per kind of verdict (33 kinds) is drawn by the run's own render pool,
    two processes, and read by pdftotext (a tenth of pypdf's time on these pages, the same
    text for every phrase the rules look for)."""
    kinds_seen: set[tuple[object, ...]] = set()
    # (rep, their reps.csv row, their sessions.csv rows, the future of their PDF or None)
    checks: list[tuple[RepView, dict[str, str], list[dict[str, str]],
                       Future[RenderedPdf] | None]] = []
    with PdfRenderPool(PdfOptions(), tmp_path, jobs=2) as pool:
        for n, run in enumerate(workspaces):
            report = analytics.build_report(read_snapshot(run / "snapshot.json"))
            program = of_scenario(report)
            rows = {r["email"]: r for r in _rows(run / "reps.csv")}
            sessions: dict[str, list[dict[str, str]]] = defaultdict(list)
            for s in _rows(run / "sessions.csv"):
                sessions[s["user_id"]].append(s)
            assert len(rows) == len(report.reps) >= REPS - 5
            for rep in report.reps:
                kind = _kind(rep)
                future = None
                if kind not in kinds_seen:  # page 1 of one rep per kind of verdict
                    kinds_seen.add(kind)
                    # One folder for three workspaces: the file name says which one.
                    future = pool.submit(program, scenario_rep(
                        report.scenario, dataclasses.replace(rep, slug=f"{n}-{rep.slug}")))
                checks.append((rep, rows[rep.email], sessions[rep.user_id], future))
        problems: list[str] = []
        pages = 0
        for rep, row, rep_sessions, future in checks:
            page1 = None
            if future is not None:
                page1 = pdftotext(future.result().path, "-f", "1", "-l", "1")
                pages += 1
                if rep.has_valid_attempt:
                    assert "Where you stand" in page1, rep.name
            problems += [f"{rep.name}: {c}" for c in contradictions(row, rep_sessions, page1)]
    assert len(checks) >= 3 * (REPS - 5) and pages >= 8
    directions = {k[0] for k in kinds_seen}
    assert directions >= {None, "improving", "holding", "slipping"}
    assert {k[2] for k in kinds_seen} >= {"met", "open", "past_due"}
    assert problems == []
