"""A session's detail (transcript, evaluations, feedback examples), built lazily per session.

Seeded by the workspace seed and the session id, so a detail is the same every time it is asked
for, and a 2,000-rep workspace generates in about a second because no detail is built up front.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from reporter.sandbox import text
from reporter.sandbox.model import SandboxSession, SandboxWorkspace


def session_detail(workspace: SandboxWorkspace, session_id: str,
                   include: frozenset[str]) -> dict[str, Any] | None:
    """The SessionDetail body, or None for an unknown id. ``transcript`` and ``evaluations``
    appear only when included, as the spec's `include` parameter describes."""
    session = workspace.sessions_by_id.get(session_id)
    if session is None:
        return None
    heavy = _detail(workspace, session)
    body = workspace.session_json(session)
    body.update({k: heavy[k] for k in
                 ("outcome_feedback", "positive_feedback", "constructive_feedback")})
    for part in ("transcript", "evaluations"):
        if part in include:
            body[part] = heavy[part]
    # Keep the documented field order: created_at last.
    body["created_at"] = body.pop("created_at")
    return body


def _detail(workspace: SandboxWorkspace, session: SandboxSession) -> dict[str, Any]:
    """Built on first use and kept (bounded): a report run asks for each detail once, a test
    may ask twice, and rebuilding is cheap but not free."""
    cache = workspace.detail_cache
    if session.id not in cache:
        if len(cache) >= 4096:
            cache.clear()
        cache[session.id] = _build_detail(workspace, session)
    return cache[session.id]

def _fill(line: str, spec: text.ScenarioSpec) -> str:
    return line.format(buyer_first=spec.buyer_first, company=spec.company, product=spec.product,
                       pain=spec.pain, competitor=spec.competitor, price=spec.price)

@dataclass
class _RepLine:
    index: int  # position in the transcript
    text: str
    strong: bool
    better: str  # a strong phrasing for the same moment

def _build_detail(workspace: SandboxWorkspace, session: SandboxSession) -> dict[str, Any]:
    """Transcript, evaluations and feedback for one session, from an RNG seeded by the session."""
    rng = random.Random(f"exec-sandbox-detail:{workspace.seed}:{session.id}")
    spec = workspace.scenarios_by_key[session.scenario_id].spec
    book = text.PHRASEBOOKS[spec.language]
    quality = 0.55 if session.score is None else min(max(session.score / 100, 0.12), 0.95)

    stages = [book.opening]
    middle = sorted(rng.sample(range(len(book.middle)), rng.randint(3, len(book.middle))))
    stages += [book.middle[i] for i in middle] + [book.closing]
    lines: list[dict[str, Any]] = []
    rep_lines: list[_RepLine] = []
    for position, (buyer, strong_lines, weak_lines) in enumerate(stages):
        buyer_text = _fill(rng.choice(buyer), spec) if buyer else spec.opener
        lines.append({"speaker": "ai", "text": buyer_text})
        strong = rng.random() < quality
        said = _fill(rng.choice(strong_lines if strong else weak_lines), spec)
        better = _fill(rng.choice(strong_lines), spec)
        rep_lines.append(_RepLine(len(lines), said, strong, better))
        lines.append({"speaker": "user", "text": said})
        if position == 0 and rng.random() < 0.12:
            lines.append({"speaker": None, "text": rng.choice(book.asides)})

    for number, hostile in enumerate(session.hostile):
        target = rep_lines[number % len(rep_lines)]
        target.text = f"{target.text} {hostile}" if len(hostile) < 200 else hostile
        lines[target.index]["text"] = target.text

    clock = 0.0
    for line in lines:
        line["seconds_from_start"] = round(clock, 1)
        clock += 2.0 + min(len(line["text"]), 400) / 14 + rng.uniform(0.5, 6.0)
    if session.duration_seconds and clock > session.duration_seconds:
        factor = session.duration_seconds * 0.97 / clock
        for line in lines:
            line["seconds_from_start"] = round(line["seconds_from_start"] * factor, 1)

    empty = {"outcome_feedback": None, "positive_feedback": None, "constructive_feedback": None,
             "evaluations": None}
    if session.kind == "abandoned":
        partial = lines[: rng.randint(2, 5)] if rng.random() < 0.6 else None
        return {**empty, "transcript": partial}
    if session.kind == "ungraded":
        return {**empty, "transcript": lines}

    rank = session.rank or "unranked"
    detail: dict[str, Any] = {
        "transcript": lines,
        "outcome_feedback": _fill(rng.choice(book.outcome_feedback[rank]), spec),
        "positive_feedback": rng.choice(book.positive_feedback),
        "constructive_feedback": rng.choice(book.constructive_feedback),
    }
    if rng.random() < 0.1:  # valid sessions sometimes lack a feedback text too
        missing = rng.choice(("outcome_feedback", "positive_feedback", "constructive_feedback"))
        detail[missing] = None
    detail["evaluations"] = _evaluations(rng, spec, book, quality, rep_lines, session.hostile)
    if session.hostile:
        detail["outcome_feedback"] = f"{detail['outcome_feedback'] or ''} {session.hostile[0]}"
        detail["constructive_feedback"] = session.hostile[-1]
    return detail

def _evaluations(rng: random.Random, spec: text.ScenarioSpec, book: text.Phrasebook,
                 quality: float,
                 rep_lines: list[_RepLine], hostile: tuple[str, ...]) -> list[dict[str, Any]]:
    criteria: list[dict[str, Any]] = []
    hostile_quotes = list(hostile)
    for criterion, item_names in spec.rubric:
        items = []
        for name in item_names:
            roll = rng.random()
            if roll < 0.04:
                grade: str | None = "not_relevant"
            elif roll < 0.06:
                grade = None
            else:
                draw = rng.random()
                grade = "good" if draw < quality - 0.1 else ("mid" if draw < quality + 0.2
                                                             else "bad")
            feedback = None if rng.random() < 0.05 else rng.choice(
                book.item_feedback[grade or "mid"]).format(item=name)
            examples = []
            if grade in ("good", "mid", "bad"):
                for _ in range(rng.randint(0, 2)):
                    examples.append(_example(rng, book, grade, rep_lines))
            if hostile_quotes:
                examples.append(_hostile_example(book, hostile_quotes.pop(0), rep_lines))
            items.append({"name": name, "grade": grade, "feedback": feedback,
                          "feedback_examples": examples})
        criteria.append({"criterion_name": criterion, "items": items})
    if hostile and criteria[0]["items"]:
        criteria[0]["items"][0]["feedback"] = hostile[min(1, len(hostile) - 1)]
    return criteria

def _quote_of(line: str, rng: random.Random) -> str:
    """An exact substring of the line: the whole line, or one of its sentences."""
    sentences = [s.strip() for s in line.replace("? ", "?|").replace(". ", ".|").split("|")]
    sentences = [s for s in sentences if len(s) > 12 and s in line]
    return rng.choice(sentences) if sentences and rng.random() < 0.5 else line

def _example(rng: random.Random, book: text.Phrasebook, grade: str,
             rep_lines: list[_RepLine]) -> dict[str, Any]:
    wanted = [r for r in rep_lines if r.strong == (grade == "good")] or rep_lines
    line = rng.choice(wanted)
    # Only what went less well gets a better phrasing, and only about half the time.
    suggestion = line.better if grade != "good" and rng.random() < 0.5 else None
    return {
        "quote": _quote_of(line.text, rng),
        "feedback": None if rng.random() < 0.08 else rng.choice(book.example_feedback[grade]),
        "suggestion_quote": suggestion,
        "grade": grade,
        "salience": "high" if rng.random() < 0.5 else "mid",
    }

def _hostile_example(book: text.Phrasebook, hostile: str,
                     rep_lines: list[_RepLine]) -> dict[str, Any]:
    """Quotes the hostile text verbatim (it is in a rep's line) and repeats it in the advice."""
    line = next((r for r in rep_lines if hostile in r.text), rep_lines[0])
    return {
        "quote": hostile if hostile in line.text else line.text,
        "feedback": book.pasted_advice.format(text=hostile),
        "suggestion_quote": line.better,
        "grade": "bad",
        "salience": "high",
    }
