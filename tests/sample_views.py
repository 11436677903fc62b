"""A hand-built ReportView with the awkward cases every renderer must survive.

Reps: an improving rep with full data; a rep with one valid session; a rep with
no valid session; a rep with a CJK name; a rep with an Arabic name and hostile
text (HTML, spreadsheet formulas, file URLs) in every free-text field.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from reporter.analytics import rep_slug
from reporter.analytics.coaching import coaching_plan
from reporter.analytics.verdict import verdict_for
from reporter.views import (
    Attempt,
    CohortFigures,
    CohortView,
    FetchInfo,
    GradedFeedback,
    ItemRow,
    Moment,
    NotFound,
    PeriodInfo,
    RankCount,
    ReportView,
    RepView,
    ScenarioInfo,
    TranscriptLine,
    TranscriptView,
    WeekPoint,
)

HOSTILE = (
    '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/hostname">'
    ' <link rel="stylesheet" href="http://example.com/x.css">'
    " <style>body{background:url(http://example.com/bg.png)}</style>"
)
FORMULAS = ('=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)")

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
RUBRIC = (
    ("Discovery", ("Open questions", "Pain quantified", "Current process")),
    ("Objection handling", ("Budget concerns", "Competitor mention")),
    ("Closing", ("Next step booked", "Economic buyer")),
)


def _rank(score: float | None) -> str | None:
    if score is None:
        return None
    return (
        "gold"
        if score >= 90
        else "silver"
        if score >= 75
        else "bronze"
        if score >= 50
        else "unranked"
    )


def _attempts(scores: list[float | None], start: datetime) -> tuple[Attempt, ...]:
    out = []
    for i, s in enumerate(scores):
        out.append(
            Attempt(
                session_id=f"s{start.day:02d}{i:02d}",
                created_at=start + timedelta(days=3 * i, hours=i),
                score=s,
                rank=_rank(s),
                duration_minutes=None if s is None else 6.5 + i,
                is_valid=s is not None,
                outcome=None
                if s is None
                else "Booked a follow-up with the CFO."
                if i
                else "No next step agreed.",
                positive=None if s is None else "Strong open questions about the current process.",
                constructive=None
                if s is None
                else "Quantify the cost of the problem before pitching.",
            )
        )
    return tuple(out)


def _rubric(attempts: tuple[Attempt, ...], text: str = "") -> tuple[ItemRow, ...]:
    rows = []
    cycle = ("good", "mid", "bad", "good", "not_relevant", None, "good")
    for ci, (criterion, items) in enumerate(RUBRIC):
        for ii, item in enumerate(items):
            grades = tuple(cycle[(ci + ii + k) % len(cycle)] for k in range(len(attempts)))
            counts = {g: grades.count(g) for g in ("good", "mid", "bad", "not_relevant")}
            graded = counts["good"] + counts["mid"] + counts["bad"]
            rows.append(
                ItemRow(
                    criterion=criterion,
                    item=item,
                    grades=grades,
                    good=counts["good"],
                    mid=counts["mid"],
                    bad=counts["bad"],
                    not_relevant=counts["not_relevant"],
                    good_share=counts["good"] / graded if graded else None,
                    latest_feedback=f"Feedback on {item.lower()}.{text}",
                    good_feedback=GradedFeedback(
                        f"Well done on {item.lower()}.{text}", "good", attempts[-1].created_at)
                    if counts["good"] else None,
                    weak_feedback=GradedFeedback(
                        f"Work on {item.lower()}.{text}", "mid", attempts[-1].created_at)
                    if counts["mid"] + counts["bad"] else None,
                )
            )
    return tuple(rows)


def _moments(attempts: tuple[Attempt, ...], text: str = "") -> tuple[Moment, ...]:
    valid = [a for a in attempts if a.is_valid]
    if not valid:
        return ()
    a = valid[-1]
    return (
        Moment(
            a.session_id,
            a.created_at,
            "Discovery",
            "Pain quantified",
            "bad",
            "high",
            f"So, uh, would you like to see a demo?{text}",
            "Jumped to the pitch before the buyer named a cost.",
            "Before I show you anything, what does a missed shipment cost you today?",
        ),
        Moment(
            a.session_id,
            a.created_at,
            "Discovery",
            "Open questions",
            "good",
            "high",
            "Walk me through how a purchase order moves through your team today.",
            "Great open question: the buyer explained the whole process.",
            None,
        ),
        Moment(
            a.session_id,
            a.created_at,
            "Closing",
            "Next step booked",
            "mid",
            "mid",
            "Maybe we can talk again sometime next month?",
            "The next step was vague.",
            "Shall we put 30 minutes in with your CFO on Thursday at 10?",
        ),
    )


PERIOD = PeriodInfo(
    "2026-10",
    datetime(2026, 10, 1, tzinfo=UTC),
    datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC),
    title="October 2026",
)


def _rep(
    name: str,
    email: str,
    scores: list[float | None],
    *,
    percentile: float | None,
    text: str = "",
    member: bool = True,
    transcript: bool = True,
) -> RepView:
    attempts = _attempts(scores, T0)
    valid = [a for a in attempts if a.is_valid]
    best = max(valid, key=lambda a: a.score) if valid else None
    rubric = _rubric(tuple(valid), text) if valid else ()
    moments = _moments(attempts, text)
    lines: tuple[TranscriptLine, ...] = ()
    if valid and transcript:
        lines = (
            TranscriptLine(
                "buyer", "Thanks for making time. We're evaluating a few vendors.", 0.0, False
            ),
            TranscriptLine(
                "rep",
                "Walk me through how a purchase order moves through your team today.",
                4.2,
                True,
            ),
            TranscriptLine(
                "buyer", f"It's mostly spreadsheets and email, honestly.{text}", 11.0, False
            ),
            TranscriptLine("rep", "So, uh, would you like to see a demo?" + text, 19.5, True),
            TranscriptLine(None, "[line with no speaker]", None, False),
        )
    first = name.split()[0] if name.split() else email
    view = RepView(
        user_id="u-" + email.split("@")[0],
        email=email,
        name=name,
        first_name=first,
        slug=rep_slug(name, email),
        is_member=member,
        groups=("Sales Team",),
        assignment_status="in_progress" if valid else "not_started",
        attempts=attempts,
        session_count=len(attempts),
        valid_count=len(valid),
        first_score=valid[0].score if valid else None,
        first_rank=valid[0].rank if valid else None,
        best_score=best.score if best else None,
        best_rank=best.rank if best else None,
        latest_score=valid[-1].score if valid else None,
        latest_rank=valid[-1].rank if valid else None,
        lift=(best.score - valid[0].score) if len(valid) >= 2 and best else None,
        practice_minutes=sum(a.duration_minutes or 0 for a in attempts),
        last_practised=attempts[-1].created_at if attempts else None,
        percentile=percentile,
        rubric_sessions=tuple(valid),
        rubric=rubric,
        coaching=coaching_plan(rubric, moments, best, valid[-1] if valid else None, None),
        feedback_examples=moments,
        latest=valid[-1] if valid else None,
        transcript=TranscriptView(best.session_id, best.created_at, best.score, "best", lines)
        if lines and best
        else None,
    )
    return dataclasses.replace(view, verdict=verdict_for(view, PERIOD))


def sample_report() -> ReportView:
    reps = (
        _rep(
            "Amélie Dubois-Laurent",
            "amelie@acme.test",
            [52.0, None, 68.5, 74.0, 81.5, 91.0],
            percentile=88.0,
        ),
        _rep("Bob Singh", "bob@acme.test", [63.0], percentile=40.0),
        _rep("Carla Nuñez", "carla@acme.test", [None, None], percentile=None, transcript=False),
        _rep("王小明", "wang@acme.test", [45.0, 58.0, 77.0], percentile=55.0),
        _rep(
            "فاطمة الزهراء",
            "fatima@acme.test",
            [70.0, 66.0, 60.5],
            percentile=30.0,
            text=" " + HOSTILE + " " + FORMULAS[0],
        ),
        _rep(
            FORMULAS[0],
            "formula@acme.test",
            [80.0, 85.0],
            percentile=70.0,
            text=" " + FORMULAS[1],
            member=False,
        ),
    )
    best_scores = (38.0, 55.0, 60.5, 63.0, 70.0, 72.0, 77.0, 81.0, 85.0, 88.0, 91.0, 94.0)
    figures = CohortFigures(12, 48, 72.9, "bronze", 14.2, 412.0, 395.0)
    return ReportView(
        workspace_name="Acme Corp",
        scenario=ScenarioInfo(
            "scn-1", "Discovery Call with IT Director", "discovery-call-it-director"
        ),
        period=PERIOD,
        generated_at=datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
        tool_version="0.1.0",
        selection_text="every participant",
        cohort=CohortView(
            api=figures,
            computed=figures,
            distribution=(
                RankCount("gold", 2, 16.7),
                RankCount("silver", 4, 33.3),
                RankCount("bronze", 5, 41.7),
                RankCount("unranked", 1, 8.3),
            ),
            best_scores=best_scores,
            average_best_score=sum(best_scores) / len(best_scores),
            weekly=tuple(
                WeekPoint(
                    datetime(2026, 9, 28, tzinfo=UTC) + timedelta(weeks=w), 5 + w, 60.0 + 4 * w
                )
                for w in range(5)
            ),
            rubric_good_share={(c, i): 0.5 for c, items in RUBRIC for i in items},
        ),
        reps=reps,
        not_found=(
            NotFound("ghost@acme.test", "not_member", "not a member of the workspace"),
            NotFound("idle@acme.test", "no_sessions", "no sessions in 2026-10"),
            NotFound("not-an-address", "invalid_address", "not an email address"),
        ),
        fetch=FetchInfo(
            datetime(2026, 11, 1, 6, 59, tzinfo=UTC), "http://127.0.0.1:8765/rest/v1", 41, 12
        ),
    )


def synthetic_report(n_reps: int, n_sessions: int) -> ReportView:
    """``n_reps`` reps with ``n_sessions`` sessions each, cycled from the hand-built sample.

    Each rep gets three feedback examples per valid session (the Feedback sheet's worst case),
    and the sample's hostile texts come along, so the sanitising path is measured too.
    """
    base = sample_report()
    templates = [r for r in base.reps if r.attempts and r.coaching.moments]
    pool: list[Attempt] = [a for r in base.reps for a in r.attempts]
    moment_pool: list[Moment] = [m for r in templates for m in r.coaching.moments]
    reps: list[RepView] = []
    for i in range(n_reps):
        tpl = templates[i % len(templates)]
        attempts = []
        examples = []
        for k in range(n_sessions):
            src = pool[(i + k) % len(pool)]
            a = dataclasses.replace(
                src, session_id=f"sess-{i:05d}-{k:03d}",
                created_at=base.period.start + timedelta(hours=7 * k + i % 24),
            )
            attempts.append(a)
            if a.is_valid:
                for j in range(3):
                    m = moment_pool[(i + k + j) % len(moment_pool)]
                    examples.append(dataclasses.replace(m, session_id=a.session_id,
                                                        created_at=a.created_at))
        reps.append(dataclasses.replace(
            tpl, user_id=f"u-{i:05d}", email=f"rep{i:05d}@acme.test",
            name=f"{tpl.name} {i:05d}", slug=f"rep-{i:05d}", attempts=tuple(attempts),
            session_count=len(attempts), valid_count=sum(a.is_valid for a in attempts),
            feedback_examples=tuple(examples),
        ))
    return dataclasses.replace(base, reps=tuple(reps))
