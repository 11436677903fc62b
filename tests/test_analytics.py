"""The analytics stage: every figure's definition, on small hand-built snapshots."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from reporter import analytics as an
from reporter.analytics import figures
from reporter.cohort.snapshot import parse_snapshot
from tests import snapshot_factory as f


def build(sessions: list[dict], *, who: dict | None = None, population=(), **snap):
    """One rep's view, as the pipeline builds it, with ``population`` for the percentile."""
    who = who or f.user()
    for s in sessions:
        s["user"] = who
    snapshot = parse_snapshot(f.snapshot([f.rep(who, sessions)], **snap))
    context = replace(an.rep_context(snapshot), cohort_best_scores=tuple(population))
    return an.build_rep(snapshot.reps[0], context)


def report_of(snapshot: dict, **kw):
    """The whole report from a snapshot as it is stored (read leniently, once)."""
    return an.build_report(parse_snapshot(snapshot), **kw)


# -- rank, percentile, trend ---------------------------------------------------------


@pytest.mark.parametrize(("score", "rank"), [
    (None, None), (0, "unranked"), (49.99, "unranked"), (50, "bronze"), (74.9, "bronze"),
    (75, "silver"), (89.99, "silver"), (90, "gold"), (100, "gold"),
])
def test_rank_thresholds(score, rank):
    assert an.rank_for(score) == rank


def test_percentile_is_mid_rank():
    population = [50.0, 60.0, 60.0, 80.0]
    assert an.percentile(60.0, population) == pytest.approx(100 * (1 + 0.5 * 2) / 4)
    assert an.percentile(80.0, population) == pytest.approx(87.5)
    assert an.percentile(40.0, population) == 0.0
    assert an.percentile(99.0, population) == 100.0
    assert an.percentile(70.0, [70.0]) == 50.0
    assert an.percentile(70.0, [70.0] * 5) == 50.0


def test_percentile_of_empty_population_is_refused():
    with pytest.raises(ValueError):
        an.percentile(50.0, [])


def test_rep_percentile_and_none_without_best_score():
    view = build([f.session(80, f.at(2))], population=[50.0, 80.0, 90.0, 95.0])
    assert view.percentile == pytest.approx(100 * (1 + 0.5) / 4)
    assert build([f.session(None, f.at(2), valid=False)],
                 population=[50.0]).percentile is None
    assert build([f.session(80, f.at(2))], population=[]).percentile is None


@pytest.mark.parametrize(("scores", "direction"), [
    ([], None),
    ([77], None),  # one score shows no progress
    ([40, 90], "improving"),
    ([50, 55, 60], "improving"),
    ([60, 55, 50], "slipping"),  # latest 10 below the best
    ([70, 71, 70, 72], "holding"),
    ([50, 51, 53], "improving"),  # best - first exactly IMPROVE_POINTS
    ([67.3, 71.7, 63.6], "slipping"),  # the best rose 4.4, the latest fell 8.1: a fall
    ([80, 40, 80, 40, 80], "holding"),
    ([84.2, 79.2], "slipping"),  # exactly DECLINE_POINTS below the best
])
def test_direction_is_one_rule(scores, direction):
    view = build([f.session(s, f.at(i + 1)) for i, s in enumerate(scores)])
    assert view.trend == direction
    assert view.verdict is not None and view.verdict.direction == direction


def test_direction_uses_valid_scores_in_time_order():
    # Given out of order, with an invalid session that would otherwise break the direction.
    view = build([f.session(70, f.at(9)), f.session(50, f.at(1)), f.session(60, f.at(5)),
                  f.session(5, f.at(7), valid=False)])
    assert view.trend == "improving"


# -- first, best, latest, lift, minutes --------------------------------------------


def test_first_best_latest_lift():
    view = build([
        f.session(60, f.at(3), id="b"),
        f.session(55, f.at(1), id="a"),
        f.session(None, f.at(2), valid=False, id="x"),
        f.session(85, f.at(5), id="c"),
        f.session(70, f.at(8), id="d"),
        f.session(95, f.at(9), valid=False, id="abandoned"),  # invalid: never best
    ])
    assert [a.session_id for a in view.attempts] == ["a", "x", "b", "c", "d", "abandoned"]
    assert (view.session_count, view.valid_count) == (6, 4)
    assert (view.first_score, view.first_rank) == (55, "bronze")
    assert (view.best_score, view.best_rank) == (85, "silver")
    assert (view.latest_score, view.latest_rank) == (70, "bronze")
    assert view.lift == 30
    assert view.latest is not None and view.latest.session_id == "d"
    assert view.latest.outcome == "Booked the follow-up."


def test_best_on_tie_is_the_earliest():
    view = build([f.session(80, f.at(1), id="one", transcript=[f.line("user", "first")]),
                  f.session(80, f.at(4), id="two", transcript=[f.line("user", "second")])])
    assert view.best_score == 80
    assert view.transcript is not None and view.transcript.session_id == "one"
    assert view.lift == 0


def test_one_session_has_no_lift_and_no_trend():
    view = build([f.session(77, f.at(3))])
    assert view.first_score == view.best_score == view.latest_score == 77
    assert view.lift is None
    assert view.trend is None


def test_valid_flag_without_score_is_not_a_valid_attempt():
    view = build([f.session(None, f.at(3), valid=True), f.session(60, f.at(4), valid=False)])
    assert view.valid_count == 0
    assert not view.has_valid_attempt
    assert view.first_score is view.best_score is view.latest_score is view.lift is None
    assert view.latest is None
    assert view.trend is None


def test_practice_minutes_and_last_practised_count_every_session():
    view = build([f.session(60, f.at(2), duration=600), f.session(None, f.at(6), valid=False,
                                                                   duration=90),
                  f.session(70, f.at(4), duration=None)])
    assert view.practice_minutes == pytest.approx(11.5)
    assert view.last_practised == datetime(2026, 10, 6, 9, tzinfo=UTC)
    assert view.attempts[1].duration_minutes is None


def test_no_sessions_at_all():
    view = build([])
    assert view.session_count == 0 and view.practice_minutes == 0
    assert view.last_practised is None and view.transcript is None
    assert view.rubric == () and view.coaching.moments == () and view.coaching.strengths == ()


def test_rank_missing_from_api_is_derived_from_score():
    view = build([f.session(91, f.at(2), rank=None)])
    assert view.best_rank == "gold"


def test_datetimes_are_aware_utc():
    view = build([f.session(60, "2026-10-02T11:00:00+02:00"), f.session(70, "2026-10-03T08:00")])
    assert [a.created_at for a in view.attempts] == [
        datetime(2026, 10, 2, 9, tzinfo=UTC), datetime(2026, 10, 3, 8, tzinfo=UTC)]
    assert all(a.created_at.utcoffset().total_seconds() == 0 for a in view.attempts)


# -- names and slugs -----------------------------------------------------------------


def test_names_fall_back():
    assert build([], who=f.user(" Jane ", " Smith ")).name == "Jane Smith"
    view = build([], who=f.user(None, None, "x@example.com"))
    assert (view.name, view.first_name) == ("x@example.com", "x@example.com")
    view = build([], who=f.user(None, "Smith", "x@example.com"))
    assert (view.name, view.first_name) == ("Smith", "Smith")
    assert build([], who=f.user("", "", None, id="u9")).name == "u9"


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*-[0-9a-f]{8}$")


@pytest.mark.parametrize("name", [
    "../../etc/passwd", "王小明", "", "José Ñúñez", "محمد علي", ".hidden", "a/b\\c..d",
    "   ", "x" * 200, "CON", "<script>alert(1)</script>",
])
def test_slug_is_safe(name):
    slug = an.rep_slug(name, "someone@example.com")
    assert SLUG_RE.match(slug), slug
    assert "/" not in slug and "\\" not in slug and ".." not in slug
    assert not slug.startswith(".")
    assert len(slug) <= 40 + 9


def test_slug_content():
    assert an.rep_slug("José Ñúñez", "j@x.com").startswith("jose-nunez-")
    assert an.rep_slug("王小明", "w@x.com").startswith("w-")
    assert an.rep_slug("王小明", "王@x.com").startswith("rep-")
    assert an.rep_slug("../../etc/passwd", "e@x.com").startswith("etc-passwd-")
    assert an.rep_slug("", "e@x.com").startswith("e-")
    assert an.rep_slug("", "").startswith("rep-")


def test_slug_unique_per_email_and_stable():
    a = an.rep_slug("Jane Smith", "jane@a.com")
    b = an.rep_slug("Jane Smith", "jane@b.com")
    assert a != b
    assert a == an.rep_slug("Jane Smith", "jane@a.com")
    assert a == an.rep_slug("Jane Smith", "JANE@A.com")  # the address, not its spelling
    assert a == "jane-smith-" + __import__("hashlib").sha256(b"jane@a.com").hexdigest()[:8]


# -- rubric, strengths, focus areas ----------------------------------------------------


def test_rubric_columns_rows_and_counts():
    view = build([
        f.session(60, f.at(1), id="s1", evaluations=f.evaluations(
            {"Open questions": "good", "Pain": "bad"}, feedback="early")),
        f.session(None, f.at(2), valid=False, id="inv",
                  evaluations=f.evaluations({"Open questions": "bad"})),
        f.session(70, f.at(3), id="noeval", evaluations=None),
        f.session(75, f.at(4), id="empty", evaluations=[]),
        f.session(80, f.at(5), id="s2", evaluations=[
            f.criterion("Discovery", f.item("Pain", "mid", None), f.item("Open questions", None),
                        f.item("Budget", "not_relevant", "n/a")),
            f.criterion("Closing", f.item("Next step", "good", "booked it")),
        ]),
    ])
    assert [a.session_id for a in view.rubric_sessions] == ["s1", "s2"]
    rows = {(r.criterion, r.item): r for r in view.rubric}
    assert list(rows) == [("Discovery", "Open questions"), ("Discovery", "Pain"),
                          ("Discovery", "Budget"), ("Closing", "Next step")]
    oq = rows[("Discovery", "Open questions")]
    assert oq.grades == ("good", None) and (oq.good, oq.mid, oq.bad) == (1, 0, 0)
    assert oq.good_share == 1.0 and oq.latest_feedback == "early"
    pain = rows[("Discovery", "Pain")]
    assert pain.grades == ("bad", "mid") and pain.good_share == 0.0
    assert pain.latest_feedback == "early"  # the later null feedback does not erase it
    budget = rows[("Discovery", "Budget")]
    assert budget.grades == (None, "not_relevant") and budget.not_relevant == 1
    assert budget.good_share is None


def test_item_listed_twice_in_a_session_counts_once():
    view = build([f.session(70, f.at(1), evaluations=[
        f.criterion("D", f.item("A", None), f.item("A", "bad"), f.item("A", "good"))])])
    assert view.rubric[0].grades == ("bad",) and view.rubric[0].bad == 1
    assert view.rubric[0].good == 0


def _graded(*columns: dict[str, str | None], feedback: str | None = None):
    return [f.session(60 + i, f.at(i + 1), evaluations=f.evaluations(g, feedback=feedback))
            for i, g in enumerate(columns)]


def test_strengths_need_two_good_sessions_and_majority():
    view = build(_graded(
        {"A": "good", "B": "good", "C": "good", "D": "good", "E": "mid"},
        {"A": "good", "B": "good", "C": "mid", "D": "bad", "E": "mid"},
        {"A": "good", "B": "mid", "C": "good", "D": "good", "E": "bad"},
        {"A": "good", "B": "good", "C": "bad", "D": None, "E": "good"},
    ))
    strengths = [(p.item, p.good, p.graded) for p in view.coaching.strengths]
    # A 4/4, B 3/4, D 2/3 (0.67); C 2/4 ties good vs weak: a focus area.
    assert strengths == [("A", 4, 4), ("B", 3, 4), ("D", 2, 3)]
    assert view.coaching.strengths[0].good_share == 1.0
    focus = [p.item for p in view.coaching.focus_areas]
    # C is what the latest session graded bad; E (3 of 4 mid or bad) it graded good.
    assert focus == ["C", "E"]
    assert not {p.item for p in view.coaching.strengths} & set(focus)


def test_strengths_order_by_consistency_then_count():
    view = build(_graded(
        {"X": "good", "Y": "good", "Z": "good"},
        {"X": "good", "Y": "good", "Z": None},
        {"X": "mid", "Y": "good", "Z": "good"},
        {"X": "good", "Y": None, "Z": None},
    ))
    assert [p.item for p in view.coaching.strengths] == ["Y", "Z", "X"]  # 3/3, 2/2, 3/4


def test_an_item_the_latest_session_graded_weak_is_no_strength():
    """"Keep doing Rapport" beside a bad Rapport in the latest call undercuts the page."""
    view = build(_graded({"R": "good"}, {"R": "good"}, {"R": "good"}, {"R": "bad"}))
    assert view.coaching.strengths == ()
    assert [p.item for p in view.coaching.focus_areas] == ["R"]


def test_single_session_strength_and_focus():
    view = build(_graded({"A": "good", "B": "bad", "C": "mid", "D": "not_relevant"},
                         feedback="say more"))
    assert [p.item for p in view.coaching.strengths] == ["A"]
    assert [p.item for p in view.coaching.focus_areas] == ["B", "C"]  # bad weighs more than mid
    assert view.coaching.focus_areas[0].feedback.text == "say more"


def test_focus_ties_broken_by_recency_and_capped_at_three():
    view = build(_graded(
        {"Old": "mid", "New": None, "P": "bad", "Q": "bad"},
        {"Old": None, "New": "mid", "P": "bad", "Q": "bad"},
    ))
    assert [p.item for p in view.coaching.focus_areas] == ["P", "Q", "New"]


def test_no_strength_from_one_good_among_many_sessions():
    view = build(_graded({"A": "good"}, {"A": None}, {"A": "not_relevant"}))
    assert view.coaching.strengths == () and view.coaching.focus_areas == ()


def test_pattern_feedback_is_the_latest_non_null():
    sessions = [
        f.session(60, f.at(1), evaluations=[f.criterion("D", f.item("A", "good", "first"))]),
        f.session(61, f.at(2), evaluations=[f.criterion("D", f.item("A", "good", "second"))]),
        f.session(62, f.at(3), evaluations=[f.criterion("D", f.item("A", "good", None))]),
    ]
    assert build(sessions).coaching.strengths[0].feedback.text == "second"


def test_pattern_feedback_matches_the_card_grade():
    """A strength never quotes criticism and a focus area never quotes praise, even when the
    item's latest feedback came with the other grade."""
    sessions = [
        f.session(60, f.at(1), evaluations=[f.criterion("D", f.item("S", "good", "praise S"),
                                                        f.item("W", "bad", "fix W"))]),
        f.session(61, f.at(2), evaluations=[f.criterion("D", f.item("S", "good", "praise S2"),
                                                        f.item("W", "mid", "fix W2"))]),
        f.session(62, f.at(3), evaluations=[f.criterion("D", f.item("S", "mid", "fix S"),
                                                        f.item("W", "good", "praise W"))]),
        f.session(63, f.at(4), evaluations=[f.criterion("D", f.item("S", "good", None))]),
    ]
    plan = build(sessions).coaching
    [strength], [focus] = plan.strengths, plan.focus_areas
    assert (strength.item, strength.feedback.text, strength.feedback.grade) == (
        "S", "praise S2", "good")
    assert (focus.item, focus.feedback.text, focus.feedback.grade) == ("W", "fix W2", "mid")


# -- moments -------------------------------------------------------------------------


def _with_examples(*examples_per_session: list[dict]):
    return [f.session(60, f.at(i + 1), id=f"m{i}", evaluations=[
        f.criterion("Discovery", f.item("Questions", "mid", examples=list(examples)))])
        for i, examples in enumerate(examples_per_session)]


def test_moments_order_salience_suggestion_grade_recency(monkeypatch):
    sessions = _with_examples(
        [f.example("low one", salience="low", grade="bad"),
         f.example("high good old", salience="high", grade="good")],
        [f.example("high good new", salience="high", grade="good"),
         f.example("high bad", salience="high", grade="bad"),
         f.example("high with try", salience="high", grade="good", suggestion="Try: X"),
         f.example("mid bad", salience="mid", grade="bad"),
         f.example("no salience", salience=None, grade=None)],
    )
    order = ["high with try", "high bad", "high good new", "high good old", "mid bad", "low one"]
    examples = [m for m in build(sessions).feedback_examples]
    assert [m.quote for m in an.moments_worth_quoting(examples)] == order[:an.MAX_MOMENTS]
    # Page 1 quotes the next step's words already: the moments are the others, in that order.
    step = build(sessions).coaching.next_step
    assert step is not None and step.said in order
    rest = [q for q in order if q != step.said]
    assert [m.quote for m in build(sessions).coaching.moments] == rest[:an.MAX_MOMENTS]
    monkeypatch.setattr(figures, "MAX_MOMENTS", 6)
    view = build(sessions)
    assert [m.quote for m in view.coaching.moments] == [*rest, "no salience"]  # unrated last
    assert view.coaching.next_step.said == "high bad"


def test_moments_dedupe_on_normalised_quote_and_cap():
    quotes = [f.example(f"Quote number {i}.") for i in range(8)]
    dupes = [f.example("  TELL me,   about it! "), f.example("tell me about it",
                                                            suggestion="Try: ask why")]
    # The duplicates are in the newest session, so without dedupe both would make the cut.
    view = build(_with_examples(quotes[:4], quotes[4:], dupes))
    assert len(view.coaching.moments) == an.MAX_MOMENTS == 4
    normalised = [an.normalise_quote(m.quote) for m in view.coaching.moments]
    assert len(set(normalised)) == an.MAX_MOMENTS
    tell = [m for m in view.coaching.moments if an.normalise_quote(m.quote) == "tell me about it"]
    assert len(tell) == 1 and tell[0].suggestion == "Try: ask why"
    assert len(view.feedback_examples) == 10  # the workbook gets every example


def test_moments_only_from_valid_sessions_examples_from_all():
    sessions = _with_examples([f.example("valid words")], [f.example("invalid words")])
    sessions[1]["is_valid_attempt"] = False
    view = build(sessions)
    assert [m.quote for m in view.coaching.moments] == ["valid words"]
    assert [m.quote for m in view.feedback_examples] == ["valid words", "invalid words"]


def test_examples_with_null_or_blank_quote_are_skipped():
    view = build(_with_examples([f.example(None), f.example("   "), f.example("real")]))
    assert [m.quote for m in view.feedback_examples] == ["real"]


def test_normalise_quote():
    assert an.normalise_quote("  “Tell  me—MORE”, please!\n") == "tell me more please"
    assert an.normalise_quote("王小明：你好。") == "王小明 你好"
    assert an.normalise_quote(None) == ""


# -- transcript ----------------------------------------------------------------------


def test_transcript_of_best_session_with_speakers_and_highlights():
    lines = [f.line("ai", "Hi, thanks for meeting."),
             f.line("user", "Tell me about your current process, please.", 4.2),
             f.line(None, "Yes."), f.line("system", "[muted]", None)]
    best = f.session(90, f.at(2), id="best", transcript=lines, evaluations=[
        f.criterion("D", f.item("Q", "good", examples=[
            f.example("tell me about your current process"),
            f.example("Yes. We buy yearly, and the CFO signs off.")]))])
    other = f.session(60, f.at(5), id="later", transcript=[f.line("user", "later")])
    view = build([best, other])
    t = view.transcript
    assert t is not None and (t.session_id, t.reason, t.score) == ("best", "best", 90)
    assert [ln.speaker for ln in t.lines] == ["buyer", "rep", None, None]
    assert [ln.highlighted for ln in t.lines] == [False, True, False, False]
    assert t.lines[1].seconds == 4.2 and t.lines[3].seconds is None


def test_line_inside_a_longer_quote_is_highlighted():
    s = f.session(80, f.at(2), transcript=[f.line("user", "We should book a demo.")],
                  evaluations=[f.criterion("D", f.item("Q", "good", examples=[
                      f.example("Great. We should book a demo next week")]))])
    assert build([s]).transcript.lines[0].highlighted


def test_transcript_falls_back_to_latest_session_with_one():
    view = build([
        f.session(90, f.at(1), transcript=None),
        f.session(60, f.at(2), id="t", transcript=[f.line("user", "hello")]),
        f.session(None, f.at(3), valid=False, transcript=[]),
    ])
    assert view.transcript is not None
    assert (view.transcript.session_id, view.transcript.reason) == ("t", "latest")


def test_transcript_of_invalid_session_when_nothing_else():
    view = build([f.session(None, f.at(1), valid=False, id="i",
                            transcript=[f.line("user", "hi")])])
    assert view.transcript.session_id == "i" and view.transcript.reason == "latest"


# -- cross-check ---------------------------------------------------------------------


def test_cross_check_agrees_with_matching_participants():
    r = f.rep(f.user(), [f.session(60, f.at(1)), f.session(80, f.at(2))])
    snap = f.snapshot([r])
    report = report_of(snap)
    assert report.warnings == ()
    assert report.reps[0].warnings == ()


def test_cross_check_names_the_rep_and_the_figure():
    who = f.user("Ana", "Lima", "ana@example.com")
    r = f.rep(who, [f.session(60, f.at(1), who=who), f.session(80, f.at(2), who=who)])
    snap = f.snapshot([r], participants=[
        f.participant(who, first=60.005, best=85, lift=25)])
    report = report_of(snap)
    warnings = list(report.reps[0].warnings)
    assert len(warnings) == 2
    assert all("Ana Lima" in w and "ana@example.com" in w for w in warnings)
    assert any("best score" in w and "80" in w and "85" in w for w in warnings)
    assert any("lift" in w for w in warnings)
    assert not any("first score" in w for w in warnings)  # within 0.01
    assert report.warnings == tuple(warnings)  # the report carries each rep's cross-check


def test_cross_check_nulls():
    who = f.user()
    one = f.rep(who, [f.session(70, f.at(1), who=who)])
    # The API's lift of 0 for one attempt is not a disagreement with our "no lift yet".
    assert report_of(f.snapshot([one], participants=[
        f.participant(who, first=70, best=70, lift=0)])).warnings == ()
    report = report_of(f.snapshot([one], participants=[
        f.participant(who, first=None, best=70, lift=None)]))
    assert len(report.warnings) == 1 and "first score" in report.warnings[0]
    stranger = f.participant(f.user("Other", "One", "o@example.com"), best=50, first=50)
    report = report_of(f.snapshot([one], participants=[stranger]))
    assert len(report.warnings) == 1 and "missing" in report.warnings[0]


# -- cohort --------------------------------------------------------------------------


def test_cohort_figures_distribution_and_averages():
    people = [f.user(str(i), "P", f"p{i}@x.com") for i in range(7)]
    bests = [95, 91, 80, 60, 40, None, 75]
    participants = [f.participant(u, first=b, best=b, lift=i * 1.0 if b else None,
                                  sessions=2, seconds=600)
                    for i, (u, b) in enumerate(zip(people, bests, strict=True))]
    report = report_of(f.snapshot([], participants=participants))
    c = report.cohort
    assert c.best_scores == (40, 60, 75, 80, 91, 95)
    assert [(d.rank, d.count) for d in c.distribution] == [
        ("gold", 2), ("silver", 2), ("bronze", 1), ("unranked", 1)]
    assert sum(d.percentage for d in c.distribution) == pytest.approx(100.0)
    assert [d.percentage for d in c.distribution] == [33.3, 33.3, 16.7, 16.7]
    assert c.average_best_score == pytest.approx(441 / 6)
    assert c.computed.participant_count == 7
    assert c.computed.total_sessions == 14
    assert c.computed.total_practice_minutes == 70
    assert c.computed.average_session_duration_seconds == 300
    assert c.computed.average_lift == pytest.approx((0 + 1 + 2 + 3 + 4 + 6) / 6)
    assert c.computed.average_best_rank == "bronze"
    assert c.api.average_best_score == 74.2 and c.api.participant_count == 3


def test_distribution_of_nobody():
    d = an.distribution([])
    assert [r.rank for r in d] == ["gold", "silver", "bronze", "unranked"]
    assert all(r.count == 0 and r.percentage == 0 for r in d)


def test_distribution_thirds_sum_to_100():
    d = an.distribution([95, 80, 60])
    assert sum(r.percentage for r in d) == pytest.approx(100.0)


def test_weekly_groups_by_iso_week_and_fills_gaps():
    a = f.rep(f.user("A", "A", "a@x.com"), [
        f.session(60, "2026-10-05T00:30:00Z"),  # Monday
        f.session(None, "2026-10-11T23:00:00Z", valid=False),  # Sunday, same week
        f.session(80, "2026-10-26T10:00:00Z"),
    ])
    b = f.rep(f.user("B", "B", "b@x.com"), [f.session(70, "2026-10-07T10:00:00Z")])
    weeks = report_of(f.snapshot([a, b])).cohort.weekly
    assert [w.week_start for w in weeks] == [
        datetime(2026, 10, d, tzinfo=UTC) for d in (5, 12, 19, 26)]
    assert [w.sessions for w in weeks] == [3, 0, 0, 1]
    assert [w.average_score for w in weeks] == [65, None, None, 80]


def test_rubric_good_share_across_reps():
    a = f.rep(f.user("A", "A", "a@x.com"), _graded({"Q": "good"}, {"Q": "bad"}))
    b = f.rep(f.user("B", "B", "b@x.com"), _graded({"Q": "good", "R": "not_relevant"}))
    share = report_of(f.snapshot([a, b])).cohort.rubric_good_share
    assert share == {("Discovery", "Q"): pytest.approx(2 / 3)}


# -- the report ----------------------------------------------------------------------


def test_report_sorts_reps_by_name_and_carries_header():
    reps = [f.rep(f.user("zoë", "Z", "z@x.com")), f.rep(f.user("Ana", "B", "a@x.com")),
            f.rep(f.user("bob", "C", "b@x.com"))]
    snap = f.snapshot(reps, warnings=["3 sessions of removed members"],
                      not_found=[{"email": "gone@x.com", "reason": "not_member",
                                  "detail": "not a member"}])
    when = datetime(2026, 11, 2, 8, tzinfo=UTC)
    report = report_of(snap, generated_at=when)
    assert [r.name for r in report.reps] == ["Ana B", "bob C", "zoë Z"]
    assert report.generated_at == when
    assert report.workspace_name == "Globex"
    assert (report.scenario.slug, report.period.label) == ("procurement-discovery", "2026-10")
    assert report.period.start == datetime(2026, 10, 1, tzinfo=UTC)
    assert report.selection_text == "every participant"
    assert report.warnings == ("3 sessions of removed members",)
    assert report.not_found[0].email == "gone@x.com"
    assert report.fetch.requests_made == 12 and report.fetch.cache_hits == 3
    assert report.fetch.fetched_at == datetime(2026, 11, 1, 6, tzinfo=UTC)


@pytest.mark.parametrize(("selection", "text"), [
    ({"mode": "all"}, "every participant"),
    ({"mode": "emails", "emails": ["a@x", "b@x", "c@x"]}, "3 reps by email"),
    ({"mode": "emails", "emails": ["a@x"]}, "1 rep by email"),
    ({"mode": "roster", "roster": "/home/me/lists/roster.csv", "emails": ["a@x"] * 12},
     "roster roster.csv (12 reps)"),
    ({"mode": "group", "group": {"id": "g1", "name": "Sales Team"}}, "group Sales Team"),
    ({"mode": "all", "include_system_users": True}, "every participant (system users included)"),
])
def test_selection_text(selection, text):
    assert an.selection_text(parse_snapshot({"scenario": {"id": "s"}, "selection": selection})
                             .selection, 0) == text


def test_every_nullable_field_null():
    report = report_of(f.null_snapshot())
    rep = report.reps[0]
    assert rep.name == "nobody@example.com" and rep.first_name == "nobody@example.com"
    assert rep.session_count == 2 and rep.valid_count == 0
    assert rep.best_score is None and rep.percentile is None and rep.lift is None
    assert rep.practice_minutes is None and rep.rubric_sessions == () and rep.coaching.moments == ()
    assert rep.transcript is not None and rep.transcript.lines[0].speaker is None
    assert rep.assignment_status is None
    assert report.workspace_name == "Exec workspace"
    assert report.selection_text == "every participant"
    assert report.cohort.best_scores == () and report.cohort.average_best_score is None
    assert report.cohort.api.participant_count is None
    assert report.cohort.computed.total_sessions is None
    assert report.fetch.fetched_at is None and report.fetch.requests_made == 0
    assert report.warnings == () and report.not_found == ()
    assert report.period.start.tzinfo is not None
    assert report.period.start <= report.period.end


def test_null_score_valid_session_with_graded_nulls_in_rubric():
    who = f.user()
    s = f.null_session(who=who, score=70)
    view = build([s], who=who)
    assert view.valid_count == 1
    assert view.rubric[0].grades == (None,) and view.rubric[0].good_share is None
    # A quote always comes with the evaluator's why: a feedback example with none is not a
    # moment (the workbook still lists it).
    assert view.coaching.moments == () and view.feedback_examples
    assert view.transcript.lines[0].highlighted  # "Hello?" is quoted verbatim


def test_hostile_and_junk_values_do_not_crash():
    """Junk is dropped by the snapshot reader, by its documented rule: a value of the wrong
    type becomes unknown (a name of 5, the groups None and 3, a duration of -5 is read but
    means unknown here), and an object that then lacks what it needs goes from its list (the
    session dated "not a date", the "garbage" session, the null criterion and item, the
    assignment without id or user, the participant without a user)."""
    who = {"id": "u1", "email": "e@x.com", "first_name": 5, "last_name": ["x"]}
    r = {"user": who, "is_member": False, "groups": ["Sales", None, 3],
         "assignment": {"status": "in_progress"}, "sessions": [
             f.session("88", "not a date", who=who, rank=None),
             f.session("88", f.at(2), who=who, duration=-5, transcript="nope", rank=None,
                       evaluations=[None, {"criterion_name": None, "items": [None, {
                           "name": None, "grade": "excellent", "feedback_examples": None}]}]),
             "garbage",
         ]}
    report = report_of(f.snapshot([r], participants=[None, {"user": None}],
                                  summary={"average_best_score": "nan"}))
    rep = report.reps[0]
    assert rep.name == "e@x.com" and rep.session_count == 1
    assert rep.best_score == 88 and rep.attempts[0].duration_minutes is None
    assert rep.is_member is False and rep.groups == ("Sales",)
    assert rep.assignment_status is None
    assert rep.rubric_sessions == () and rep.transcript is None
    assert report.cohort.api.average_best_score is None and report.cohort.best_scores == ()


def test_header_only_report_and_build_rep_alone():
    """What the pipeline does: a report with no reps, then each rep on its own."""
    r = f.rep(f.user(), [f.session(80, f.at(1))])
    snap = f.snapshot([r])
    snapshot = parse_snapshot(snap)
    header = an.build_report(snapshot.header())
    assert header.reps == () and header.cohort.best_scores == (80,)
    view = an.build_rep(snapshot.reps[0], an.rep_context(snapshot.header()))
    # Needs attention is judged against the whole period when the report is assembled.
    whole = an.build_report(snapshot).reps[0]
    assert replace(whole, attention=()) == view and whole.attention
    assert an.build_report(snapshot, [view]).reps == (whole,)


def test_a_suggestion_that_repeats_the_quote_is_dropped():
    view = build(_with_examples([f.example("Appreciate it.", suggestion="appreciate it"),
                                 f.example("Send me a deck", suggestion="What would help?")]))
    by_quote = {m.quote: m.suggestion for m in view.coaching.moments}
    assert by_quote == {"Appreciate it.": None, "Send me a deck": "What would help?"}
