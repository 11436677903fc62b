"""Snapshot -> view models: every figure a report shows, defined once, with no I/O.

The snapshot holds API objects as the API returned them (see
``reporter.cohort.snapshot``), so everything here is read defensively: any
nullable field may be null, any text may be hostile, a number may be a string.
A value of the wrong type is treated as unknown rather than trusted; that keeps
one odd session from sinking a whole cohort's reports.

Each figure has one function whose docstring is its definition; the renderers
(PDF, workbook, CSV, emails) only format what these functions return, so the
same number never means two things in two documents.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from reporter import __version__
from reporter.cohort.snapshot import RepRecord, Snapshot
from reporter.views import (
    GRADES,
    RANKS,
    Attempt,
    CohortFigures,
    CohortView,
    FetchInfo,
    ItemRow,
    Moment,
    NotFound,
    Pattern,
    PeriodInfo,
    RankCount,
    ReportView,
    RepView,
    ScenarioInfo,
    TranscriptLine,
    TranscriptView,
    WeekPoint,
)

__all__ = [
    "build_cohort",
    "build_rep",
    "build_report",
    "cross_check",
    "normalise_quote",
    "percentile",
    "rank_for",
    "rep_slug",
    "trend_for",
]

#: Rank thresholds published by Exec (score >= threshold), best first.
RANK_THRESHOLDS: tuple[tuple[str, float], ...] = (("gold", 90.0), ("silver", 75.0),
                                                  ("bronze", 50.0))
#: Points of fitted change over the valid attempts that count as a trend.
TREND_POINTS = 3.0
#: Fewer valid attempts than this and no trend is claimed.
TREND_MIN_ATTEMPTS = 3
#: Strengths and focus areas shown per rep.
MAX_PATTERNS = 3
#: Moments worth quoting: what fits on one page (the PDF shows them all, or fewer when the
#: quotes are long), and what the email picks its suggestion from.
MAX_MOMENTS = 4
#: Tolerance when comparing our figures with the participants endpoint's.
CROSS_CHECK_TOLERANCE = 0.01
SLUG_MAX = 40
#: A transcript line shorter than this (in words) is not highlighted merely for
#: being contained in a quote: "Yes." occurs in half the quotes of a session.
MIN_WORDS_CONTAINED = 3

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SPEAKERS = {"user": "rep", "ai": "buyer"}
_SALIENCE_ORDER = {"high": 0, "mid": 1, "low": 2}
_GRADE_ORDER = {"bad": 0, "mid": 1, "good": 2, "not_relevant": 3}


# -- reading untrusted values ----------------------------------------------------------


def _num(value: Any) -> float | None:
    """A finite number, or None: bools, NaN, infinities and junk are unknown, not zero."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
        return f if math.isfinite(f) else None
    return None


def _int(value: Any) -> int | None:
    f = _num(value)
    return int(f) if f is not None and f == int(f) else None


def _str(value: Any) -> str | None:
    """Text as given (never escaped here: that is the renderer's job), or None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _text(value: Any) -> str | None:
    """Like ``_str`` but blank text counts as absent (an empty feedback box says nothing)."""
    s = _str(value)
    return s if s is not None and s.strip() else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string; naive values are taken as UTC."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str) and value.strip():
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def _rank(value: Any) -> str | None:
    return value if isinstance(value, str) and value in RANKS else None


def _grade(value: Any) -> str | None:
    return value if isinstance(value, str) and value in GRADES else None


# -- single figures ------------------------------------------------------------------


def rank_for(score: float | None) -> str | None:
    """Exec's rank for a score: gold >= 90, silver >= 75, bronze >= 50, else unranked.

    None for an unknown score. Used wherever we compute a score ourselves (averages,
    the cohort distribution) and where the API gave a score without its rank.
    """
    if score is None:
        return None
    for rank, threshold in RANK_THRESHOLDS:
        if score >= threshold:
            return rank
    return "unranked"


def percentile(value: float, population: Sequence[float]) -> float:
    """Mid-rank percentile of ``value`` in ``population``: 100 * (below + 0.5 * equal) / n.

    Mid-rank so that a cohort where everyone scored the same puts everyone at 50,
    not at 100 or 0, and the top of a cohort of one is 50 (alone, not ahead).
    ``value`` need not belong to the population. Raises ValueError on an empty
    population: there is no answer, and callers show "not enough data".
    """
    if not population:
        raise ValueError("percentile of an empty population")
    below = sum(1 for p in population if p < value and not math.isclose(p, value, abs_tol=1e-9))
    equal = sum(1 for p in population if math.isclose(p, value, abs_tol=1e-9))
    return 100.0 * (below + 0.5 * equal) / len(population)


def trend_for(scores: Sequence[float]) -> str:
    """The direction of the valid scores, in time order.

    A least-squares line through (attempt number, score); its fitted change from
    the first to the last attempt (slope * (n - 1)) decides: >= +3 points is
    "improving", <= -3 "declining", otherwise "steady". Attempt number rather
    than date, so that a holiday between two sessions does not flatten the slope.
    Fewer than 3 valid attempts: "not enough data" (two points always make a line).
    """
    n = len(scores)
    if n < TREND_MIN_ATTEMPTS:
        return "not enough data"
    mean_x = (n - 1) / 2
    mean_y = sum(scores) / n
    sxx = sum((i - mean_x) ** 2 for i in range(n))
    sxy = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(scores))
    change = sxy / sxx * (n - 1)
    if change >= TREND_POINTS - 1e-9:
        return "improving"
    if change <= -TREND_POINTS + 1e-9:
        return "declining"
    return "steady"


def rep_slug(name: str, email: str) -> str:
    """A file-safe, stable, unique name for a rep's files: ``<ascii-name>-<8 hex>``.

    The name is folded to ASCII (NFKD, non-ASCII dropped), lowercased, every run of
    characters outside [a-z0-9] becomes one "-", trimmed to 40 characters. When
    nothing is left (a CJK or Arabic name, or none) the email's local part stands
    in, so a manager can still tell the files apart; "rep" when that is empty too.
    The suffix is the first
    8 hex digits of sha256(email.casefold()), so two reps with the same name get
    different files and a rerun gets the same ones. The result matches
    ``[a-z0-9][a-z0-9-]*``: no "/", no "..", never a leading ".".
    """
    def fold(text: str) -> str:
        ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:SLUG_MAX].strip("-")

    words = fold(name or "") or fold((email or "").partition("@")[0]) or "rep"
    digest = hashlib.sha256((email or "").casefold().encode("utf-8")).hexdigest()[:8]
    return f"{words}-{digest}"


_PUNCT_CATEGORIES = ("P", "S")


def normalise_quote(text: str | None) -> str:
    """Text for comparing quotes: casefolded, punctuation and symbols dropped, spaces collapsed.

    Symbols go too, so that curly quotes, dashes and emoji do not make the same
    sentence look like two.
    """
    if not text:
        return ""
    kept = "".join(
        " " if unicodedata.category(ch)[0] in _PUNCT_CATEGORIES else ch
        for ch in unicodedata.normalize("NFKC", text).casefold()
    )
    return " ".join(kept.split())


# -- a rep ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    """One session read from the snapshot, with its parsed fields."""

    raw: dict[str, Any]
    attempt: Attempt
    order: int  # position after sorting: the tie-breaker for equal timestamps

    @property
    def valid(self) -> bool:
        return self.attempt.is_valid

    @property
    def evaluations(self) -> list[dict[str, Any]]:
        return [c for c in _list(self.raw.get("evaluations")) if isinstance(c, dict)]


def is_valid_attempt(session: Mapping[str, Any]) -> bool:
    """A valid attempt: the API says ``is_valid_attempt`` is true AND the score is known.

    The API promises that valid implies scored; we check anyway, because a valid
    attempt without a score cannot be first, best or latest.
    """
    return session.get("is_valid_attempt") is True and _num(session.get("score")) is not None


def _attempt(session: dict[str, Any], fallback_time: datetime) -> Attempt:
    """A session as an Attempt.

    The rank is the API's when it gave one (what the rep saw in the product), else
    derived from the score. A negative duration is unknown. A session without a
    parseable ``created_at`` (the spec says it always has one) is dated at the
    period's start so that it sorts first rather than vanishing.
    """
    score = _num(session.get("score"))
    duration = _num(session.get("duration_seconds"))
    return Attempt(
        session_id=_str(session.get("id")) or "",
        created_at=parse_datetime(session.get("created_at")) or fallback_time,
        score=score,
        rank=_rank(session.get("rank")) or rank_for(score),
        duration_minutes=duration / 60.0 if duration is not None and duration >= 0 else None,
        is_valid=is_valid_attempt(session),
        outcome=_text(session.get("outcome_feedback")),
        positive=_text(session.get("positive_feedback")),
        constructive=_text(session.get("constructive_feedback")),
    )


def _sessions(rep: Mapping[str, Any], fallback_time: datetime) -> list[_Session]:
    """The rep's sessions, oldest first (stable: the snapshot's order breaks ties)."""
    raws = [s for s in _list(rep.get("sessions")) if isinstance(s, dict)]
    parsed = [(_attempt(s, fallback_time), s) for s in raws]
    parsed.sort(key=lambda pair: pair[0].created_at)
    return [_Session(raw=s, attempt=a, order=i) for i, (a, s) in enumerate(parsed)]


def first_attempt(valid: Sequence[Attempt]) -> Attempt | None:
    """First: the earliest valid attempt by ``created_at`` (``valid`` is oldest first)."""
    return valid[0] if valid else None


def best_attempt(valid: Sequence[Attempt]) -> Attempt | None:
    """Best: the valid attempt with the highest score; the earliest of equal scores.

    The earliest, because that is when the rep first reached that level.
    """
    best: Attempt | None = None
    for a in valid:
        if a.score is not None and (best is None or best.score is None or a.score > best.score):
            best = a
    return best


def latest_attempt(valid: Sequence[Attempt]) -> Attempt | None:
    """Latest: the most recent valid attempt (the last of equal timestamps, in snapshot order)."""
    return valid[-1] if valid else None


def lift(first: Attempt | None, best: Attempt | None, valid_count: int) -> float | None:
    """Lift: best score minus first score, in points; None with fewer than two valid attempts.

    With one attempt the lift would always be 0, which reads as "no progress" when
    the truth is "no second try yet".
    """
    if valid_count < 2 or first is None or best is None:
        return None
    if first.score is None or best.score is None:
        return None
    return best.score - first.score


def practice_minutes(attempts: Iterable[Attempt]) -> float:
    """Practice minutes: sum of duration_seconds / 60 over every session with a duration.

    Every session, valid or not: an abandoned session was practice too.
    """
    return sum(a.duration_minutes for a in attempts if a.duration_minutes is not None)


def last_practised(attempts: Sequence[Attempt]) -> datetime | None:
    """The most recent session of any kind, valid or not."""
    return max((a.created_at for a in attempts), default=None)


def display_name(user: Mapping[str, Any]) -> tuple[str, str]:
    """(name, first_name) for a User.

    name: "first last" with surrounding and doubled spaces removed, falling back to
    the email, then the user id, then "Unknown rep". first_name: the first name,
    falling back to the name (a greeting must never be "Hi ,").
    """
    first = " ".join((_str(user.get("first_name")) or "").split())
    last = " ".join((_str(user.get("last_name")) or "").split())
    name = f"{first} {last}".strip()
    name = (name or (_str(user.get("email")) or "").strip()
            or (_str(user.get("id")) or "").strip() or "Unknown rep")
    return name, first or name


def _rubric_columns(sessions: Sequence[_Session]) -> list[_Session]:
    """Heatmap columns: the valid sessions that carry evaluations (non-empty), oldest first."""
    return [s for s in sessions if s.valid and s.evaluations]


def _items(session: _Session) -> Iterable[tuple[tuple[str, str], dict[str, Any]]]:
    """((criterion, item), item dict) for every evaluated item in the session, in order.

    A criterion or item without a name is shown as "(unnamed)": the row still
    holds real grades, and dropping it would hide them.
    """
    for criterion in session.evaluations:
        cname = _text(criterion.get("criterion_name")) or "(unnamed)"
        for item in _list(criterion.get("items")):
            if isinstance(item, dict):
                yield (cname, _text(item.get("name")) or "(unnamed)"), item


def build_rubric(columns: Sequence[_Session]) -> tuple[ItemRow, ...]:
    """A row per (criterion, item) in first-seen order, its grade in each column.

    A grade is None where the item was absent or not graded; when a session lists
    the same item twice, its first graded occurrence counts. good_share =
    good / (good + mid + bad), None when the item was never graded one of those.
    latest_feedback: the item's most recent non-blank feedback.
    """
    keys: list[tuple[str, str]] = []
    grades: dict[tuple[str, str], list[str | None]] = {}
    feedback: dict[tuple[str, str], str | None] = {}
    for col, session in enumerate(columns):
        for key, item in _items(session):
            if key not in grades:
                keys.append(key)
                grades[key] = [None] * len(columns)
                feedback[key] = None
            if grades[key][col] is None:
                grades[key][col] = _grade(item.get("grade"))
            text = _text(item.get("feedback"))
            if text is not None:
                feedback[key] = text
    rows = []
    for key in keys:
        g = grades[key]
        good, mid, bad = g.count("good"), g.count("mid"), g.count("bad")
        graded = good + mid + bad
        rows.append(ItemRow(
            criterion=key[0], item=key[1], grades=tuple(g), good=good, mid=mid, bad=bad,
            not_relevant=g.count("not_relevant"),
            good_share=good / graded if graded else None,
            latest_feedback=feedback[key],
        ))
    return tuple(rows)


def patterns(rows: Sequence[ItemRow]) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...]]:
    """(strengths, focus areas), at most 3 each, most consistent first.

    Strength: graded good in at least 2 sessions (in the one session, when the rep
    has a single graded session) and good_share >= 0.5. Its consistency is
    good / (good + mid + bad); ordered by consistency, then count, then rubric order.

    Focus area: graded mid or bad at least once. Its consistency is
    (mid + bad) / (good + mid + bad); ordered by severity, (2 * bad + mid) /
    (2 * graded), so a bad weighs twice a mid, then by recency (the item's latest
    mid or bad grade, newest first), then rubric order.

    An item that qualifies for both goes where its majority is: a strength only
    when good outnumbers mid + bad; on a tie it is something to work on.
    feedback: the item's latest feedback.
    """
    columns = max((len(r.grades) for r in rows), default=0)
    min_good = 1 if columns == 1 else 2
    strengths: list[tuple[tuple[float, ...], Pattern]] = []
    focus: list[tuple[tuple[float, ...], Pattern]] = []
    for order, row in enumerate(rows):
        graded = row.good + row.mid + row.bad
        if not graded:
            continue
        weak = row.mid + row.bad
        is_strength = row.good >= min_good and (row.good_share or 0.0) >= 0.5
        if is_strength and row.good > weak:
            pattern = Pattern(row.criterion, row.item, row.good, graded, row.good / graded,
                              row.latest_feedback)
            strengths.append(((-pattern.consistency, -pattern.count, order), pattern))
        elif weak:
            severity = (2 * row.bad + row.mid) / (2 * graded)
            recency = max(i for i, g in enumerate(row.grades) if g in ("mid", "bad"))
            pattern = Pattern(row.criterion, row.item, weak, graded, weak / graded,
                              row.latest_feedback)
            focus.append(((-severity, -recency, order), pattern))
    strengths.sort(key=lambda pair: pair[0])
    focus.sort(key=lambda pair: pair[0])
    return (tuple(p for _, p in strengths[:MAX_PATTERNS]),
            tuple(p for _, p in focus[:MAX_PATTERNS]))


def _examples(session: _Session) -> list[Moment]:
    """Every feedback example of a session with a non-blank quote, in rubric order."""
    out = []
    for (criterion, item_name), item in _items(session):
        for ex in _list(item.get("feedback_examples")):
            if not isinstance(ex, dict):
                continue
            quote = _text(ex.get("quote"))
            if quote is None:
                continue
            out.append(Moment(
                session_id=session.attempt.session_id,
                created_at=session.attempt.created_at,
                criterion=criterion,
                item=item_name,
                grade=_grade(ex.get("grade")),
                salience=ex.get("salience") if ex.get("salience") in _SALIENCE_ORDER else None,
                quote=quote,
                feedback=_text(ex.get("feedback")),
                suggestion=_suggestion(quote, ex.get("suggestion_quote")),
            ))
    return out


def _suggestion(quote: str, raw: Any) -> str | None:
    """The suggested phrasing, unless it only repeats what the rep said ("Try:" your own words
    helps nobody)."""
    suggestion = _text(raw)
    if suggestion is None or normalise_quote(suggestion) == normalise_quote(quote):
        return None
    return suggestion


def moments_worth_quoting(examples: Sequence[Moment]) -> tuple[Moment, ...]:
    """The feedback moments for the page "Moments that mattered": at most MAX_MOMENTS.

    Ordered by salience (high, mid, low, unknown), then those with a suggested
    phrasing, then grade (bad, mid, good, other), then the newest session.
    Duplicates (same ``normalise_quote`` text: the evaluator often cites one line
    under two items) keep only the first in that order. ``examples`` should hold
    the valid sessions' examples only.
    """
    def key(pair: tuple[int, Moment]) -> tuple[Any, ...]:
        index, m = pair
        return (
            _SALIENCE_ORDER.get(m.salience or "", 3),
            0 if m.suggestion else 1,
            _GRADE_ORDER.get(m.grade or "", 4),
            -m.created_at.timestamp(),
            index,
        )

    chosen: list[Moment] = []
    seen: set[str] = set()
    for _, moment in sorted(enumerate(examples), key=key):
        norm = normalise_quote(moment.quote)
        if not norm or norm in seen:
            continue
        seen.add(norm)
        chosen.append(moment)
        if len(chosen) == MAX_MOMENTS:
            break
    return tuple(chosen)


def _quoted(line: str, quotes: Sequence[str]) -> bool:
    """Whether a transcript line holds a quote: normalised substring either way.

    A line contained in a quote must have at least 3 words, or every "Yes." would
    light up.
    """
    norm = normalise_quote(line)
    if not norm:
        return False
    long_enough = len(norm.split()) >= MIN_WORDS_CONTAINED
    return any(q in norm or (long_enough and norm in q) for q in quotes if q)


def choose_transcript(sessions: Sequence[_Session], best: Attempt | None,
                      ) -> TranscriptView | None:
    """The transcript to print: the best valid session's, else the latest session's that has one.

    Speakers: "user" -> "rep", "ai" -> "buyer", anything else -> None. A line is
    highlighted when one of that session's feedback-example quotes occurs in it
    (see ``_quoted``).
    """
    def lines_of(s: _Session) -> list[dict[str, Any]]:
        return [ln for ln in _list(s.raw.get("transcript")) if isinstance(ln, dict)]

    chosen: _Session | None = None
    reason = "best"
    if best is not None:
        chosen = next((s for s in sessions if s.attempt is best and lines_of(s)), None)
    if chosen is None:
        chosen = next((s for s in reversed(sessions) if lines_of(s)), None)
        reason = "latest"
    if chosen is None:
        return None
    quotes = [normalise_quote(m.quote) for m in _examples(chosen)]
    lines = []
    for ln in lines_of(chosen):
        text = _str(ln.get("text")) or ""
        speaker = ln.get("speaker")
        lines.append(TranscriptLine(
            speaker=_SPEAKERS.get(speaker) if isinstance(speaker, str) else None,
            text=text,
            seconds=_num(ln.get("seconds_from_start")),
            highlighted=_quoted(text, quotes),
        ))
    return TranscriptView(session_id=chosen.attempt.session_id,
                          created_at=chosen.attempt.created_at,
                          score=chosen.attempt.score, reason=reason, lines=tuple(lines))


def _period_start(snapshot: Mapping[str, Any]) -> datetime:
    return parse_datetime(_dict(snapshot.get("period")).get("start")) or _EPOCH


def build_rep_from_dict(rep: dict[str, Any], snapshot: dict[str, Any],
                        cohort_best_scores: Sequence[float]) -> RepView:
    """Every figure of one rep, from one entry of ``snapshot["reps"]``.

    Usable alone (the snapshot may have no reps yet) so that a rep's PDF can render
    as soon as their sessions are in. ``cohort_best_scores``: the participants
    endpoint's non-null best scores, the population for the percentile (None when
    the rep has no best score or the population is empty). The rep's warnings are
    the cross-check disagreements with the participants endpoint.
    """
    rep = _dict(rep)
    user = _dict(rep.get("user"))
    email = (_str(user.get("email")) or "").strip()
    name, first_name = display_name(user)
    sessions = _sessions(rep, _period_start(snapshot))
    attempts = tuple(s.attempt for s in sessions)
    valid = [a for a in attempts if a.is_valid]
    first, best, latest = first_attempt(valid), best_attempt(valid), latest_attempt(valid)
    population = [float(s) for s in cohort_best_scores if _num(s) is not None]
    best_score = best.score if best else None
    columns = _rubric_columns(sessions)
    rubric = build_rubric(columns)
    strengths, focus = patterns(rubric)
    examples = [m for s in sessions for m in _examples(s)]
    valid_examples = [m for s in sessions if s.valid for m in _examples(s)]
    view = RepView(
        user_id=_str(user.get("id")) or "",
        email=email,
        name=name,
        first_name=first_name,
        slug=rep_slug(name, email or (_str(user.get("id")) or "")),
        is_member=rep.get("is_member") is not False,
        groups=tuple(g for g in (_text(x) for x in _list(rep.get("groups"))) if g),
        assignment_status=_text(_dict(rep.get("assignment")).get("status")),
        attempts=attempts,
        session_count=len(attempts),
        valid_count=len(valid),
        first_score=first.score if first else None,
        first_rank=first.rank if first else None,
        best_score=best_score,
        best_rank=best.rank if best else None,
        latest_score=latest.score if latest else None,
        latest_rank=latest.rank if latest else None,
        lift=lift(first, best, len(valid)),
        practice_minutes=practice_minutes(attempts),
        last_practised=last_practised(attempts),
        trend=trend_for([a.score for a in valid if a.score is not None]),
        percentile=(percentile(best_score, population)
                    if best_score is not None and population else None),
        rubric_sessions=tuple(s.attempt for s in columns),
        rubric=rubric,
        strengths=strengths,
        focus_areas=focus,
        moments=moments_worth_quoting(valid_examples),
        feedback_examples=tuple(examples),
        latest=latest,
        transcript=choose_transcript(sessions, best),
    )
    warnings = _rep_disagreements(view, _participants_by_id(snapshot))
    return _with_warnings(view, warnings) if warnings else view


def _with_warnings(view: RepView, warnings: Sequence[str]) -> RepView:
    return replace(view, warnings=tuple(view.warnings) + tuple(warnings))


# -- cross-check ---------------------------------------------------------------------


def _participants(snapshot: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [p for p in _list(snapshot.get("participants")) if isinstance(p, dict)]


def _participants_by_id(snapshot: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for p in _participants(snapshot):
        uid = _str(_dict(p.get("user")).get("id"))
        if uid and uid not in out:
            out[uid] = p
    return out


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _rep_disagreements(rep: RepView, by_id: Mapping[str, dict[str, Any]]) -> list[str]:
    """Where the rep's first, best or lift differ from the participants endpoint by > 0.01.

    A figure known on one side and null on the other is a disagreement, except a
    lift of 0 from the API where we have none (one valid attempt: the API may
    report 0 where we say "needs two attempts"). A rep with valid attempts and no
    participants entry is a disagreement too; a rep with none and no entry is not.
    """
    who = f"{rep.name} <{rep.email}>" if rep.email and rep.email != rep.name else rep.name
    entry = by_id.get(rep.user_id)
    if entry is None:
        if rep.valid_count and by_id:
            return [f"{who}: has {rep.valid_count} valid attempt(s) but is missing from the "
                    "scenario's participants analytics"]
        return []
    out = []
    checks = (("first score", rep.first_score, _num(entry.get("first_score"))),
              ("best score", rep.best_score, _num(entry.get("best_score"))),
              ("lift", rep.lift, _num(entry.get("lift_percentage"))))
    for figure, ours, theirs in checks:
        if ours is None and theirs is None:
            continue
        if figure == "lift" and ours is None and theirs is not None and abs(theirs) <= 0.01:
            continue
        if (ours is None or theirs is None
                or abs(ours - theirs) > CROSS_CHECK_TOLERANCE + 1e-9):
            out.append(f"{who}: {figure} is {_fmt(ours)} from the sessions but "
                       f"{_fmt(theirs)} from the participants analytics")
    return out


def cross_check(snapshot: dict[str, Any], reps: Sequence[RepView]) -> list[str]:
    """Warnings, one per figure, where a rep's first/best/lift disagree with the
    participants endpoint entry of the same user id (tolerance 0.01).

    The endpoint computes these from the same sessions, so a disagreement means a
    session is missing from the snapshot or the API's definition changed: the
    report is still produced, the warning says which number to doubt. Skipped
    entirely when the snapshot has no participants at all.
    """
    by_id = _participants_by_id(snapshot)
    return [w for rep in reps for w in _rep_disagreements(rep, by_id)]


# -- the cohort ----------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def api_figures(summary: Mapping[str, Any]) -> CohortFigures:
    """The analytics summary endpoint's figures as reported (each None when null or junk)."""
    avg_best = _num(summary.get("average_best_score"))
    return CohortFigures(
        participant_count=_int(summary.get("participant_count")),
        total_sessions=_int(summary.get("total_sessions")),
        average_best_score=avg_best,
        average_best_rank=_rank(summary.get("average_best_rank")),
        average_lift=_num(summary.get("average_lift_percentage")),
        total_practice_minutes=_num(summary.get("total_practice_minutes")),
        average_session_duration_seconds=_num(summary.get("average_session_duration_seconds")),
    )


def computed_figures(participants: Sequence[Mapping[str, Any]]) -> CohortFigures:
    """The summary's figures recomputed from the participants endpoint (whole scenario).

    From participants rather than the snapshot's sessions, because the snapshot
    holds only the selected reps' sessions while the summary covers everyone:
    comparing like with like. participant_count: distinct user ids (entries
    without one count once each). average_best_score / average_lift: mean of the
    non-null best scores / lifts. total_sessions: sum of session counts.
    total_practice_minutes: total duration / 60. average_session_duration_seconds:
    total duration / total sessions. Each None when nothing to compute it from.
    """
    ids: set[str] = set()
    anonymous = 0
    bests, lifts, counts, durations = [], [], [], []
    for p in participants:
        uid = _str(_dict(p.get("user")).get("id"))
        if uid:
            if uid in ids:
                continue
            ids.add(uid)
        else:
            anonymous += 1
        if (b := _num(p.get("best_score"))) is not None:
            bests.append(b)
        if (lf := _num(p.get("lift_percentage"))) is not None:
            lifts.append(lf)
        if (c := _int(p.get("session_count"))) is not None:
            counts.append(c)
        if (d := _num(p.get("total_duration_seconds"))) is not None:
            durations.append(d)
    total_sessions = sum(counts) if counts else None
    total_seconds = sum(durations) if durations else None
    avg_best = _mean(bests)
    return CohortFigures(
        participant_count=len(ids) + anonymous,
        total_sessions=total_sessions,
        average_best_score=avg_best,
        average_best_rank=rank_for(avg_best),
        average_lift=_mean(lifts),
        total_practice_minutes=total_seconds / 60.0 if total_seconds is not None else None,
        average_session_duration_seconds=(total_seconds / total_sessions
                                          if total_seconds is not None and total_sessions
                                          else None),
    )


def cohort_best_scores(snapshot: Mapping[str, Any]) -> tuple[float, ...]:
    """Every participant's best score (participants endpoint, non-null), ascending."""
    scores = []
    seen: set[str] = set()
    for p in _participants(snapshot):
        uid = _str(_dict(p.get("user")).get("id"))
        if uid:
            if uid in seen:
                continue
            seen.add(uid)
        if (b := _num(p.get("best_score"))) is not None:
            scores.append(b)
    return tuple(sorted(scores))


def _round_to_total(shares: Sequence[float], total: float, digits: int = 1) -> list[float]:
    """Round shares to ``digits`` decimals so that they add up to ``total`` exactly
    (largest remainder), so a distribution's percentages sum to 100.0, not 99.9."""
    unit = 10 ** digits
    scaled = [s * unit for s in shares]
    floors = [math.floor(s) for s in scaled]
    missing = round(total * unit) - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[:max(missing, 0)]:
        floors[i] += 1
    return [f / unit for f in floors]


def distribution(best_scores: Sequence[float]) -> tuple[RankCount, ...]:
    """Participants by the rank of their best score (rank_for), gold first, every rank
    listed; percentages to one decimal summing to exactly 100 (0 each when empty)."""
    counts = {rank: 0 for rank in RANKS}
    for score in best_scores:
        counts[rank_for(score) or "unranked"] += 1
    n = len(best_scores)
    if not n:
        return tuple(RankCount(rank, 0, 0.0) for rank in RANKS)
    pct = _round_to_total([100.0 * counts[r] / n for r in RANKS], 100.0)
    return tuple(RankCount(rank, counts[rank], p) for rank, p in zip(RANKS, pct, strict=True))


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 UTC that starts ``moment``'s ISO week."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly(reps: Sequence[RepView]) -> tuple[WeekPoint, ...]:
    """The selected reps' sessions per ISO week (Monday UTC), oldest first.

    sessions: every session that week; average_score: mean of that week's valid
    scores (None without one). Weeks with no session between the first and the
    last are included with 0 sessions, so a chart's x axis is time, not an index.
    """
    buckets: dict[datetime, list[Attempt]] = {}
    for rep in reps:
        for a in rep.attempts:
            buckets.setdefault(week_start(a.created_at), []).append(a)
    if not buckets:
        return ()
    out = []
    week, last = min(buckets), max(buckets)
    while week <= last:
        attempts = buckets.get(week, [])
        scores = [a.score for a in attempts if a.is_valid and a.score is not None]
        out.append(WeekPoint(week, len(attempts), _mean(scores)))
        week += timedelta(days=7)
    return tuple(out)


def rubric_good_share(reps: Sequence[RepView]) -> dict[tuple[str, str], float]:
    """(criterion, item) -> good / (good + mid + bad) over all the selected reps' graded
    sessions, in first-seen order; items never graded good, mid or bad are left out."""
    totals: dict[tuple[str, str], list[int]] = {}
    for rep in reps:
        for row in rep.rubric:
            t = totals.setdefault((row.criterion, row.item), [0, 0])
            t[0] += row.good
            t[1] += row.good + row.mid + row.bad
    return {key: good / graded for key, (good, graded) in totals.items() if graded}


def build_cohort(snapshot: dict[str, Any], reps: Sequence[RepView]) -> CohortView:
    """Cohort figures: the whole scenario's (summary and participants endpoints) plus
    the selected reps' weekly activity and rubric.

    average_best_score: the mean of the participants' best scores, falling back to
    the summary's figure when no participant has one.
    """
    participants = _participants(snapshot)
    api = api_figures(_dict(snapshot.get("summary")))
    computed = computed_figures(participants)
    best = cohort_best_scores(snapshot)
    return CohortView(
        api=api,
        computed=computed,
        distribution=distribution(best),
        best_scores=best,
        average_best_score=(computed.average_best_score
                            if computed.average_best_score is not None
                            else api.average_best_score),
        weekly=weekly(reps),
        rubric_good_share=rubric_good_share(reps),
    )


# -- the report ----------------------------------------------------------------------


def selection_text(selection: Mapping[str, Any], rep_count: int) -> str:
    """How the reps were chosen, for a cover line: "every participant", "3 reps by
    email", "roster roster.csv (12 reps)", "group Sales Team".

    Roster: the file's name only, never its directory. Counts are of the addresses
    asked for (emails) or of the reps found (roster: the roster's addresses when
    known). "(system users included)" is appended when they were.
    """
    mode = selection.get("mode")
    emails = [e for e in _list(selection.get("emails")) if isinstance(e, str)]

    def reps(n: int) -> str:
        return f"{n} rep" if n == 1 else f"{n} reps"

    if mode == "emails":
        text = f"{reps(len(emails))} by email"
    elif mode == "roster":
        raw = _text(selection.get("roster")) or ""
        name = PureWindowsPath(PurePosixPath(raw).name).name or "file"
        text = f"roster {name} ({reps(len(emails) or rep_count)})"
    elif mode == "group":
        group = selection.get("group")
        gname = (_text(_dict(group).get("name")) or _text(_dict(group).get("id"))
                 or _text(group) or "(unknown)")
        text = f"group {gname}"
    else:
        text = "every participant"
    if selection.get("include_system_users") is True:
        text += " (system users included)"
    return text


def _scenario(snapshot: Mapping[str, Any]) -> ScenarioInfo:
    s = _dict(snapshot.get("scenario"))
    sid = _str(s.get("id")) or ""
    slug = _text(s.get("slug")) or sid
    return ScenarioInfo(id=sid, name=_text(s.get("name")) or slug or "Scenario", slug=slug)


def _period(snapshot: Mapping[str, Any], reps: Sequence[RepView],
            generated_at: datetime) -> PeriodInfo:
    """The snapshot's period; when missing, the span of the reps' sessions (else the
    generation time), labelled "YYYY-MM-DD to YYYY-MM-DD"."""
    p = _dict(snapshot.get("period"))
    times = [a.created_at for r in reps for a in r.attempts]
    start = parse_datetime(p.get("start")) or min(times, default=generated_at)
    end = parse_datetime(p.get("end")) or max(times, default=generated_at)
    label = _text(p.get("label")) or f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    return PeriodInfo(label=label, start=start, end=end)


def _not_found(snapshot: Mapping[str, Any]) -> tuple[NotFound, ...]:
    out = []
    for nf in _list(snapshot.get("not_found")):
        if isinstance(nf, dict) and _text(nf.get("email")):
            out.append(NotFound(email=_str(nf.get("email")) or "",
                                reason=_text(nf.get("reason")) or "not_member",
                                detail=_str(nf.get("detail")) or ""))
    return tuple(out)


def _fetch(snapshot: Mapping[str, Any]) -> FetchInfo:
    f = _dict(snapshot.get("fetch"))
    return FetchInfo(fetched_at=parse_datetime(f.get("fetched_at")),
                     base_url=_text(f.get("base_url")),
                     requests_made=_int(f.get("requests_made")) or 0,
                     cache_hits=_int(f.get("cache_hits")) or 0)


@dataclass(frozen=True)
class RepContext:
    """What every rep's view needs from the snapshot's header (which may have no reps yet)."""

    header: dict[str, Any]
    best_scores: tuple[float, ...]


def rep_context(snapshot: Snapshot) -> RepContext:
    header = snapshot.header().model_dump(mode="json")
    return RepContext(header, cohort_best_scores(header))


def build_rep(rep: RepRecord, context: RepContext) -> RepView:
    """One rep's view, usable alone so that a rep's PDF can render as soon as their sessions
    are in."""
    return build_rep_from_dict(rep.model_dump(mode="json"), context.header, context.best_scores)


def build_report(snapshot: Snapshot | dict[str, Any], reps: Sequence[RepView] | None = None, *,
                 generated_at: datetime | None = None) -> ReportView:
    """The whole report: every rep (sorted by name, casefolded, then email), the cohort,
    and the warnings (the snapshot's, then the cross-check's).

    ``reps`` given: used as they are (built once, as each arrived), else built from the
    snapshot. ``generated_at`` defaults to now (UTC); pass it for byte-identical reruns.
    """
    if isinstance(snapshot, Snapshot):
        snapshot = snapshot.model_dump(mode="json")
    snapshot = _dict(snapshot)
    generated = parse_datetime(generated_at) if generated_at else None
    generated = generated or datetime.now(UTC)
    best = cohort_best_scores(snapshot)
    reps = list(reps) if reps is not None else [
        build_rep_from_dict(r, snapshot, best) for r in _list(snapshot.get("reps"))
        if isinstance(r, dict)]
    reps.sort(key=lambda r: (r.name.casefold(), r.email.casefold(), r.user_id))
    workspace = _dict(snapshot.get("workspace"))
    warnings = [w for w in (_text(x) for x in _list(snapshot.get("warnings"))) if w]
    warnings += cross_check(snapshot, reps)
    return ReportView(
        workspace_name=(_text(workspace.get("name")) or _text(workspace.get("url_slug"))
                        or "Exec workspace"),
        scenario=_scenario(snapshot),
        period=_period(snapshot, reps, generated),
        generated_at=generated,
        tool_version=__version__,
        selection_text=selection_text(_dict(snapshot.get("selection")), len(reps)),
        cohort=build_cohort(snapshot, reps),
        reps=tuple(reps),
        not_found=_not_found(snapshot),
        fetch=_fetch(snapshot),
        warnings=tuple(warnings),
    )
