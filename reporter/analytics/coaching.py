"""The coaching plan: the one next step, strengths, focus areas, moments, target and decline.

Computed once per rep, here; the PDF's first and second pages, the workbook, the CSV files and
the email all read the same ``CoachingPlan``, so no two of them can advise different things.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from reporter.analytics import figures
from reporter.analytics.figures import NEAR_RANK_POINTS, normalise_quote
from reporter.analytics.moments import is_speech, moments_worth_quoting
from reporter.analytics.rubric import (
    GRADED,
    WEAK_GRADES,
    latest_column,
    need,
    patterns,
    recency_tier,
    severity,
)
from reporter.exec_api.models import Assignment
from reporter.format import clip_phrasing, fmt_item, fmt_session
from reporter.i18n import N_, gettext
from reporter.ranks import RANK_THRESHOLDS
from reporter.views import (
    Attempt,
    CoachingPlan,
    Decline,
    ItemRow,
    Moment,
    NextStep,
    Pattern,
    RankGap,
    Target,
)

_SALIENCE_ORDER = {"high": 0, "mid": 1, "low": 2}
_THRESHOLD: dict[str, float] = dict(RANK_THRESHOLDS)


#: A focus item at most this much less severe over the period (``rubric.severity``, 0..1)
#: than the first one, and standing where it does in the rep's latest session
#: (``rubric.recency_tier``), takes the next step when it carries a phrasing to try and the
#: first does not: "say this instead" is the advice a rep can act on, and a quarter of the
#: scale is less than one grade's difference over two sessions (bad + mid against bad + bad).
PHRASING_SLACK = 0.25


def phrasing(moment: Moment) -> str | None:
    """The example's suggested phrasing, when it is speech (``moments.is_speech``)."""
    return moment.suggestion if is_speech(moment.suggestion) else None


def best_example(examples: Sequence[Moment], grades: tuple[str, ...]) -> Moment | None:
    """The example to build the step on, among those whose quote is speech (a tag, URL, code
    or formula never becomes advice): one with a suggested phrasing first, then the most
    salient, then bad before mid, then the newest."""
    def key(pair: tuple[int, Moment]) -> tuple[Any, ...]:
        index, m = pair
        return (0 if phrasing(m) else 1, _SALIENCE_ORDER.get(m.salience or "", 3),
                0 if m.grade == "bad" else 1, -m.created_at.timestamp(), index)

    fitting = [(i, m) for i, m in enumerate(examples)
               if m.grade in grades and is_speech(m.quote)]
    return min(fitting, key=key)[1] if fitting else None


def _item_examples(examples: Sequence[Moment], key: tuple[str, str]) -> list[Moment]:
    return [m for m in examples if (m.criterion, m.item) == key]


def prefer_phrasing(focus: Sequence[Pattern], rubric: Sequence[ItemRow],
                    examples: Sequence[Moment]) -> tuple[Pattern, ...]:
    """The focus areas with the first one that carries a phrasing to try moved to the front,
    when the latest session graded it as it graded the first (``rubric.recency_tier``) and
    its severity is within PHRASING_SLACK of the first's; otherwise as they are."""
    if not focus:
        return ()
    rows = {(r.criterion, r.item): r for r in rubric}
    latest = latest_column(rubric)
    first = rows[(focus[0].criterion, focus[0].item)]
    tier, top = recency_tier(first, latest), severity(first)
    for index, p in enumerate(focus):
        key = (p.criterion, p.item)
        row = rows[key]
        if recency_tier(row, latest) != tier or severity(row) < top - PHRASING_SLACK - 1e-9:
            continue
        example = best_example(_item_examples(examples, key), WEAK_GRADES)
        if example is not None and phrasing(example):
            return (p, *focus[:index], *focus[index + 1:])
    return tuple(focus)


def _step_item(rubric: Sequence[ItemRow], strengths: Sequence[Pattern],
               focus: Sequence[Pattern]) -> tuple[str, tuple[str, str]] | None:
    """(kind, (criterion, item)) the next step is about; see ``next_step``."""
    if focus:
        return "focus", (focus[0].criterion, focus[0].item)
    latest = latest_column(rubric)
    weak = [((*need(row, latest), order), row) for order, row in enumerate(rubric)
            if row.mid + row.bad]
    if weak:
        row = min(weak, key=lambda t: t[0])[1]
        return "polish", (row.criterion, row.item)
    if strengths:
        return "keep", (strengths[0].criterion, strengths[0].item)
    return None


def next_step(rubric: Sequence[ItemRow], strengths: Sequence[Pattern],
              focus: Sequence[Pattern], examples: Sequence[Moment],
              columns: Sequence[Attempt] = (),
              attempts: Sequence[Attempt] = ()) -> NextStep | None:
    """The one thing for next time, by one rule.

    The item: the first focus area ("focus": ``rubric.patterns`` orders them by
    ``rubric.need``, the latest session first, and ``coaching_plan`` moves one with a
    phrasing to try, standing as the first does in the latest session and within
    PHRASING_SLACK of its severity, to the front); with none, the item graded mid or
    bad that ``rubric.need`` puts first ("polish"); when nothing was ever graded mid or bad,
    the top strength ("keep"). Only a rep with no graded item gets none.

    On that item, the feedback example (valid sessions only) whose grade fits the kind
    (mid or bad; good for "keep") with a suggested phrasing, else the most salient, bad
    before mid, newest. With a suggestion, the step is said / try instead / why. Without
    one (source "feedback") it falls back to the evaluator's feedback: the example's, else
    the item's latest feedback from a session with a fitting grade.

    Its grade is the item's grade in that session's rubric column (``columns``: the rubric's
    sessions), the one its card and the heatmap show, so page 1 and the card cannot disagree
    on one session; its session is named among ``attempts`` (``format.fmt_session``).
    """
    chosen = _step_item(rubric, strengths, focus)
    if chosen is None:
        return None
    kind, key = chosen
    grades: tuple[str, ...] = ("good",) if kind == "keep" else WEAK_GRADES
    row = next(r for r in rubric if (r.criterion, r.item) == key)
    example = best_example(_item_examples(examples, key), grades)
    fallback = row.good_feedback if kind == "keep" else row.weak_feedback
    why = (example.feedback if example else None) or (fallback.text if fallback else None)
    at: datetime | None = example.created_at if example else (fallback.at if fallback else None)
    try_instead = phrasing(example) if example else None
    grade = example.grade if example else (fallback.grade if fallback else None)
    if example is not None:
        column = next((i for i, a in enumerate(columns)
                       if a.session_id == example.session_id), None)
        if column is not None and column < len(row.grades) and row.grades[column] in GRADED:
            grade = row.grades[column]
    return NextStep(
        kind=kind,
        source="suggestion" if try_instead else "feedback",
        criterion=key[0], item=key[1],
        grade=grade,
        said=example.quote if example else None,
        try_instead=try_instead,
        why=why, at=at,
        session_id=example.session_id if example else None,
        session=(fmt_session(at, [a.created_at for a in attempts] or [at])
                 if at is not None else None),
    )


#: The longest a step's one line runs (``step_line`` shortens its phrasing at a word), so that
#: every output prints it whole and no writer shortens it on its own.
STEP_CHARS = 240
#: The step of a rep with no valid attempt (in the scenario) whose assignment is not completed.
COMPLETE_ONE = N_("Complete one full, graded roleplay")  # translated in step_line
#: The step's kind by NextStep.kind, as ``CoachingPlan.step_kind`` names it.
STEP_KINDS = {"focus": "coach", "polish": "polish", "keep": "keep"}
_QUOTE_MARKS = "\"“”'"


def step_line(step: NextStep | None, has_valid_attempt: bool,
              assignment: Assignment | None) -> tuple[str | None, str | None]:
    """(text, kind) of the rep's step in one scenario, the words every output prints.

    A phrasing or an action, never the evaluator's feedback alone: "Discovery › Budget
    (Nov 9, 2nd session): try “…”" with a suggested phrasing; without one, "… : replay that
    call in Exec and rework this part" (the PDF and the email give the feedback beside it);
    "Keep doing: Discovery › Budget". Without a valid attempt, COMPLETE_ONE, unless the
    assignment is completed in Exec (then no step: there is nothing left to complete).
    """
    if step is None:
        if has_valid_attempt or (assignment is not None and assignment.status == "completed"):
            return None, None
        return gettext(COMPLETE_ONE), "complete"
    label = fmt_item(step.criterion, step.item)
    kind = STEP_KINDS[step.kind]
    if step.kind == "keep":
        # Translators: the rep's next step: %(item)s is a rubric item ("Discovery › Budget").
        return gettext("Keep doing: %(item)s", item=label), kind
    if not step.try_instead:
        if step.session:
            # Translators: the rep's next step: %(item)s is a rubric item ("Discovery ›
            # Budget"), %(session)s the session it went wrong in ("Nov 9, 2nd session").
            return gettext("%(item)s (%(session)s): replay that call in Exec and rework this "
                           "part", item=label, session=step.session), kind
        # Translators: the rep's next step: %(item)s is a rubric item ("Discovery › Budget").
        return gettext("%(item)s: replay that call in Exec and rework this part",
                       item=label), kind
    phrase = " ".join(step.try_instead.split()).strip(_QUOTE_MARKS)
    session = step.session

    def line(phrasing: str) -> str:
        if session:
            # Translators: the rep's next step: %(item)s is a rubric item ("Discovery ›
            # Budget"), %(session)s the session ("Nov 9, 2nd session"), %(phrase)s the
            # evaluator's suggested phrasing (in the roleplay's language).
            return gettext("%(item)s (%(session)s): try “%(phrase)s”", item=label,
                           session=session, phrase=phrasing)
        # Translators: the rep's next step: %(item)s is a rubric item ("Discovery › Budget"),
        # %(phrase)s the evaluator's suggested phrasing (in the roleplay's language).
        return gettext("%(item)s: try “%(phrase)s”", item=label, phrase=phrasing)

    room = STEP_CHARS - len(line(""))
    return line(clip_phrasing(phrase, max(room, 40))), kind


def step_texts(step: NextStep | None) -> frozenset[str]:
    """The words the next step quotes (what the rep said, the phrasing to try), normalised."""
    if step is None:
        return frozenset()
    return frozenset(t for t in (normalise_quote(step.said), normalise_quote(step.try_instead))
                     if t)


def quoted_moments(step: NextStep | None, examples: Sequence[Moment],
                   taken: Collection[str] = ()) -> tuple[Moment, ...]:
    """The moments for "Moments that mattered": ``moments_worth_quoting``, none of them
    repeating the words the next step quotes (page 1 says them already) or ``taken`` (words
    quoted elsewhere on the same report: a program report's earlier scenarios)."""
    return moments_worth_quoting(examples, {*taken, *step_texts(step)})


def target_for(assignment: Assignment | None, best: float | None) -> Target | None:
    """The assignment's target, with Exec's status as the truth and ``best`` (the period's
    best) as the figure shown beside it.

    met: Exec says "completed", and nothing else is met: in progress, not started, past due
    and did not pass are never met, even when this period's best reaches the rank (Exec may
    require more attempts). points_short: the required rank's threshold minus ``best``, when
    not met and ``best`` is below it. reached: ``best`` reaches the required rank.
    attempts_left: attempt_min - attempt_count, when positive and not met. assignment_best:
    Exec's best on this assignment, when it differs from ``best`` (it came earlier).
    """
    if assignment is None:
        return None
    required = assignment.rank_min
    threshold = _THRESHOLD.get(required or "")
    met = assignment.status == "completed"
    reached = best >= threshold - 1e-9 if threshold is not None and best is not None else None
    short = (threshold - best if not met and reached is False and threshold is not None
             and best is not None else None)
    left = None
    if not met and assignment.attempt_min is not None:
        remaining = assignment.attempt_min - (assignment.attempt_count or 0)
        left = remaining if remaining > 0 else None
    own = figures.finite(assignment.best_score)
    differs = own is not None and (best is None or abs(own - best) > 1e-9)
    return Target(status=assignment.status, required_rank=required,
                  due=figures.utc(assignment.due_date) if assignment.due_date else None,
                  met=met, points_short=short, past_due=assignment.status == "past_due",
                  reached=reached, attempts_left=left,
                  assignment_best=own if differs else None)


def decline_for(best: Attempt | None, latest: Attempt | None) -> Decline | None:
    """A decline: the latest valid score is DECLINE_POINTS or more below the best."""
    if best is None or latest is None or best.score is None or latest.score is None:
        return None
    if not figures.fell_from_best(best.score, latest.score):
        return None
    return Decline(best.score, latest.score, best.score - latest.score)


def rank_gap(best: float | None) -> RankGap | None:
    """The next rank up, when the best score is within NEAR_RANK_POINTS of its threshold."""
    if best is None:
        return None
    above = [(rank, t) for rank, t in RANK_THRESHOLDS if t > best]
    if not above:
        return None
    rank, threshold = above[-1]
    gap = threshold - best
    return RankGap(rank, gap) if gap <= NEAR_RANK_POINTS + 1e-9 else None


def coaching_plan(rubric: Sequence[ItemRow], examples: Sequence[Moment],
                  best: Attempt | None, latest: Attempt | None,
                  assignment: Assignment | None, columns: Sequence[Attempt] = (),
                  attempts: Sequence[Attempt] = ()) -> CoachingPlan:
    """The rep's coaching plan. ``examples``: the valid sessions' feedback examples;
    ``columns``: the rubric's sessions; ``attempts``: every session of the rep's."""
    strengths, every_focus = patterns(rubric, limit=None)
    strengths = strengths[:figures.MAX_PATTERNS]
    focus = prefer_phrasing(every_focus, rubric, examples)[:figures.MAX_PATTERNS]
    step = next_step(rubric, strengths, focus, examples, columns, attempts)
    best_score = best.score if best else None
    text, kind = step_line(step, best is not None, assignment)
    return CoachingPlan(
        next_step=step,
        strengths=strengths,
        focus_areas=focus,
        moments=quoted_moments(step, examples),
        target=target_for(assignment, best_score),
        decline=decline_for(best, latest),
        rank_gap=rank_gap(best_score),
        step_text=text,
        step_kind=kind,
    )
