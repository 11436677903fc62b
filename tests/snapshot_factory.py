"""Small builders of spec-shaped snapshot dicts for tests.

Each builder returns the JSON the API (and so the snapshot) would hold, with the
field names of ``shared/exec-api/openapi.yml``. Keyword arguments override any
field, so a test can set exactly the null or odd value it is about. ``NULLS``
gives the null-everywhere variants that the spec allows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
_ids = count(1)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def at(day: int, hour: int = 9) -> str:
    """An ISO timestamp in October 2026 (the default test period)."""
    return iso(datetime(2026, 10, day, hour, 0, tzinfo=UTC))


def user(first: str | None = "Jane", last: str | None = "Smith",
         email: str | None = "jane@example.com", id: str | None = None) -> dict[str, Any]:
    return {"id": id or f"u{next(_ids)}", "email": email, "first_name": first,
            "last_name": last}


def example(quote: str = "Tell me about your current process.", *,
            feedback: str | None = "Great open-ended question.",
            suggestion: str | None = None, grade: str | None = "good",
            salience: str | None = "high") -> dict[str, Any]:
    return {"quote": quote, "feedback": feedback, "suggestion_quote": suggestion,
            "grade": grade, "salience": salience}


def item(name: str, grade: str | None, feedback: str | None = None,
         examples: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"name": name, "grade": grade, "feedback": feedback,
            "feedback_examples": examples or []}


def criterion(name: str, *items: dict[str, Any]) -> dict[str, Any]:
    return {"criterion_name": name, "items": list(items)}


def evaluations(grades: dict[str, str | None], criterion_name: str = "Discovery",
                feedback: str | None = None) -> list[dict[str, Any]]:
    """One criterion whose items are ``{item name: grade}``."""
    return [criterion(criterion_name, *(item(n, g, feedback) for n, g in grades.items()))]


def line(speaker: str | None, text: str, seconds: float | None = 0.0) -> dict[str, Any]:
    return {"speaker": speaker, "text": text, "seconds_from_start": seconds}


def session(
    score: float | None = 80.0,
    created_at: str | None = None,
    *,
    valid: bool = True,
    who: dict[str, Any] | None = None,
    id: str | None = None,
    duration: float | None = 300.0,
    rank: str | None = "",
    transcript: list[dict[str, Any]] | None = None,
    evaluations: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A SessionDetail. ``rank=""`` (the default) means: the rank the API would give."""
    if rank == "":
        rank = None if score is None else (
            "gold" if score >= 90 else "silver" if score >= 75
            else "bronze" if score >= 50 else "unranked")
    who = who or user()
    data = {
        "id": id or f"s{next(_ids)}",
        "user": who,
        "scenario": {"id": "sc1", "name": "Procurement Discovery",
                     "slug": "procurement-discovery"},
        "score": score,
        "rank": rank,
        "duration_seconds": duration,
        "is_valid_attempt": valid,
        "outcome_feedback": "Booked the follow-up.",
        "positive_feedback": "Good questions.",
        "constructive_feedback": "Probe the budget.",
        "created_at": created_at or iso(T0 + timedelta(hours=next(_ids))),
        "transcript": transcript,
        "evaluations": evaluations,
    }
    data.update(overrides)
    return data


def rep(who: dict[str, Any] | None = None, sessions: list[dict[str, Any]] | None = None, *,
        is_member: bool = True, groups: list[str] | None = None,
        assignment: dict[str, Any] | None = None) -> dict[str, Any]:
    who = who or user()
    return {"user": who, "is_member": is_member, "groups": groups or [],
            "assignment": assignment, "sessions": sessions or []}


def participant(who: dict[str, Any], *, first: float | None = None, best: float | None = None,
                lift: float | None = None, sessions: int = 1,
                seconds: float = 300.0) -> dict[str, Any]:
    def rank(s: float | None) -> str | None:
        if s is None:
            return None
        return "gold" if s >= 90 else "silver" if s >= 75 else "bronze" if s >= 50 else "unranked"

    return {"user": who, "session_count": sessions, "first_score": first,
            "first_rank": rank(first), "best_score": best, "best_rank": rank(best),
            "lift_percentage": lift, "total_duration_seconds": seconds}


def participant_for(r: dict[str, Any]) -> dict[str, Any]:
    """The participants-endpoint entry that agrees with a rep's sessions."""
    valid = [s for s in r["sessions"] if s["is_valid_attempt"] and s["score"] is not None]
    valid.sort(key=lambda s: s["created_at"])
    first = valid[0]["score"] if valid else None
    best = max((s["score"] for s in valid), default=None)
    return participant(r["user"], first=first, best=best,
                       lift=(best - first) if len(valid) >= 2 else None,
                       sessions=len(r["sessions"]),
                       seconds=sum(s["duration_seconds"] or 0 for s in r["sessions"]))


def summary(**overrides: Any) -> dict[str, Any]:
    data = {
        "participant_count": 3, "total_sessions": 9, "average_best_score": 74.2,
        "average_best_rank": "bronze", "average_lift_percentage": 8.5,
        "total_practice_minutes": 45, "average_session_duration_seconds": 300,
        "score_distribution": [],
    }
    data.update(overrides)
    return data


def snapshot(reps: list[dict[str, Any]] | None = None, *,
             participants: list[dict[str, Any]] | None = None,
             selection: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A whole snapshot; participants default to entries agreeing with the reps."""
    reps = reps or []
    data: dict[str, Any] = {
        "schema_version": 2,
        "tool_version": "0.1.0",
        "workspace": {"id": "w1", "name": "Globex", "url_slug": "globex",
                      "created_at": "2025-01-01T00:00:00Z"},
        "scenario": {"id": "sc1", "name": "Procurement Discovery",
                     "slug": "procurement-discovery"},
        "period": {"label": "2026-10", "start": "2026-10-01T00:00:00+00:00",
                   "end": "2026-10-31T23:59:59.999999+00:00"},
        "selection": selection or {"mode": "all", "emails": [], "roster": None,
                                   "group": None, "include_system_users": False},
        "summary": summary(),
        "participants": (participants if participants is not None
                         else [participant_for(r) for r in reps]),
        "reps": reps,
        "not_found": [],
        "warnings": [],
        "fetch": {"fetched_at": "2026-11-01T06:00:00Z", "base_url": "http://127.0.0.1:1/rest/v1",
                  "requests_made": 12, "cache_hits": 3, "detail_requests": 5},
    }
    data.update(overrides)
    return data


def null_session(**overrides: Any) -> dict[str, Any]:
    """A session where every nullable field is null (and the lists hold nulls too)."""
    data = session(
        score=None, rank=None, duration=None, valid=True,
        outcome_feedback=None, positive_feedback=None, constructive_feedback=None,
        transcript=[line(None, "Hello?", None)],
        evaluations=[criterion("Discovery", {
            "name": "Open questions", "grade": None, "feedback": None,
            "feedback_examples": [{"quote": "Hello?", "feedback": None,
                                   "suggestion_quote": None, "grade": None,
                                   "salience": None}]})],
    )
    data.update(overrides)
    return data


def null_snapshot() -> dict[str, Any]:
    """A snapshot with every nullable field null, from the top down."""
    who = user(first=None, last=None, email="nobody@example.com")
    r = rep(who, [null_session(who=who), null_session(who=who, transcript=None,
                                                      evaluations=None, valid=False)],
            assignment=None)
    return snapshot(
        [r],
        participants=[{"user": who, "session_count": None, "first_score": None,
                       "first_rank": None, "best_score": None, "best_rank": None,
                       "lift_percentage": None, "total_duration_seconds": None}],
        workspace=None,
        summary={k: None for k in summary()},
        selection={"mode": None, "emails": None, "roster": None, "group": None,
                   "include_system_users": None},
        not_found=None, warnings=None, fetch=None, period=None,
    )


def with_previous(data: dict[str, Any], reps: list[dict[str, Any]],
                  previous_best: dict[str, float]) -> dict[str, Any]:
    """``data`` with September 2026 as the previous period, in which each named rep (user id
    "u-<name, lowercased>") had the given best score."""
    by_id = {r["user"]["id"]: r["user"] for r in reps}
    data["previous"] = {
        "period": {"label": "2026-09", "start": "2026-09-01T00:00:00Z",
                   "end": "2026-09-30T23:59:59Z"},
        "participants": [participant(by_id[f"u-{n.lower()}"], best=b)
                         for n, b in previous_best.items()],
    }
    return data
