"""The claims a reader checks against each other, as rules over what they read: a rep's
``reps.csv`` row, their ``sessions.csv`` rows and page 1 of their PDF as text.

Written against the outputs, not the code, so that the same rules judge any version of the
tool (the issue's "before" count ran them on the code before the verdict). Each rule returns a
short description of the contradiction it finds, or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from reporter.analytics.figures import DECLINE_POINTS
from reporter.analytics.moments import is_speech
from reporter.ranks import RANK_THRESHOLDS

Row = Mapping[str, str]
THRESHOLD = dict(RANK_THRESHOLDS)
RANK_WORDS = {"gold": "Gold", "silver": "Silver", "bronze": "Bronze"}


def _num(value: str) -> float | None:
    return float(value) if value not in ("", None) else None


def _flat(text: str) -> str:
    return " ".join(text.split())


def progress_claims(row: Row, page1: str | None) -> Iterator[str]:
    """One direction: a fall from the best is never "improving", one attempt has none."""
    drop = _num(row["latest_below_best"])
    best, latest = _num(row["best_score"]), _num(row["latest_score"])
    if best is not None and latest is not None and best - latest >= DECLINE_POINTS - 1e-6:
        if drop is None:
            yield f"latest {latest} is {best - latest:.1f} below best {best}, not said"
        if row["trend"] == "improving":
            yield "trend 'improving' beside a fall from the best"
        if page1 and re.search(r"\bimprov(ed|ing)\b", page1, re.IGNORECASE):
            yield "page 1 says improved/improving beside a fall from the best"
    valid = int(row["valid_attempts"] or 0)
    if valid < 2:
        if row["trend"]:
            yield f"trend {row['trend']!r} from {valid} valid attempt(s)"
        if page1 and re.search(r"not enough data|Trend:", page1):
            yield "page 1 gives a direction-like label to one attempt"
        if page1 and valid == 1 and "percentile of the cohort" in _flat(page1):
            yield "percentile headline on a first attempt"
    if page1 and re.search(r"\byou improved\b", page1) and row["trend"] != "improving":
        yield f"page 1 says 'you improved' beside trend {row['trend']!r}"
    if page1 and re.search(r"Trend: (declining|steady)", page1) and "improved" in page1:
        yield "page 1 says improved beside a declining or steady trend"


def target_claims(row: Row, page1: str | None) -> Iterator[str]:
    """Exec's status is the truth; points_short recomputes from the best beside it."""
    status, met = row["assignment_status"], row["target_met"]
    if met == "true" and status != "completed":
        yield f"target met while Exec says {status}"
    if status == "completed" and row["target_rank"] and met != "true":
        yield "Exec says completed, the row says not met"
    short, best = _num(row["points_short"]), _num(row["best_score"])
    threshold = THRESHOLD.get(row["target_rank"])
    if short is not None:
        if best is None or threshold is None:
            yield "points_short without a best or a required rank"
        elif abs(short - (threshold - best)) > 0.011:
            yield f"points_short {short} is not {threshold} - best {best}"
    if page1 is None:
        return
    flat = _flat(page1)
    rank = RANK_WORDS.get(row["target_rank"])
    said_met = "— met" in flat or "Target met" in flat
    if said_met and rank and (f"points from {rank}" in flat or "points short" in flat):
        yield f"'met' beside a gap to {rank}"
    if said_met and status != "completed":
        yield f"page 1 says met while Exec says {status}"
    if status == "did_not_pass" and "did not pass" not in flat.lower():
        yield "did_not_pass not said in words"


def unknown_claims(row: Row, sessions: Sequence[Row]) -> Iterator[str]:
    """No unknown written as 0."""
    if sessions and all(s["duration_minutes"] == "" for s in sessions) \
            and row["practice_minutes"] not in ("",):
        yield f"practice_minutes {row['practice_minutes']!r} with no known duration"
    valid = int(row["valid_attempts"] or 0)
    if valid == 0:
        for column in ("first_score", "best_score", "latest_score", "lift", "percentile",
                       "points_short"):
            if row[column] != "":
                yield f"{column} {row[column]!r} without a valid attempt"
    if valid < 2 and row["lift"] != "":
        yield f"lift {row['lift']!r} from one attempt"


_SAID = re.compile(r"YOU SAID: “(.+?)”", re.S)


def advice_claims(row: Row, page1: str | None) -> Iterator[str]:
    """The one thing is speech: never markup, a URL, code or a formula."""
    if row["next_step_try"] and not is_speech(row["next_step_try"].lstrip("'")):
        yield f"next step's phrasing is not speech: {row['next_step_try'][:40]!r}"
    if page1:
        for said in _SAID.findall(page1):
            if not is_speech(_flat(said).rstrip("…")):
                yield f"page 1 quotes markup as the one thing: {said[:40]!r}"


RULES: tuple[Callable[..., Iterator[str]], ...] = (progress_claims, target_claims,
                                                    advice_claims)


def contradictions(row: Row, sessions: Sequence[Row], page1: str | None) -> list[str]:
    """Every contradiction the rules find for one rep."""
    found = [c for rule in RULES for c in rule(row, page1)]
    found.extend(unknown_claims(row, sessions))
    return found
