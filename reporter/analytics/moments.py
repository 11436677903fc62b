"""Feedback moments: the rep's own words with the evaluator's feedback, the few worth quoting,
and the transcript they are highlighted in."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from reporter.analytics import figures
from reporter.analytics.bounds import TRANSCRIPT_LINES_PER_SESSION, cut_transcript
from reporter.analytics.figures import MIN_WORDS_CONTAINED, finite, normalise_quote, text
from reporter.analytics.sessions import Session, items
from reporter.views import Attempt, Moment, TranscriptLine, TranscriptView

_SPEAKERS = {"user": "rep", "ai": "buyer"}
_SALIENCE_ORDER = {"high": 0, "mid": 1, "low": 2}
_GRADE_ORDER = {"bad": 0, "mid": 1, "good": 2, "not_relevant": 3}

# What is not speech: a tag (<img ...>, </b>, <!-- ...), a URL or a bare domain path, a call
# written as code (alert(1), SUM(A1)), code punctuation, a formula's lead character.
_MARKUP = re.compile(r"<\s*[/!?]?\s*[A-Za-z][^<>]*>|&[A-Za-z]+;|&#\d+;")
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://|\bwww\.\S+|\bmailto:", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z_][\w.]*\([^()]*\)|[{}`]|=>|==|&&|\|\||;\s*$|\$\{")
_FORMULA = re.compile(r"^\s*(?:[=@]|[+-]\s*[\d(=@])")
#: A "word" this long (no space in it) is an identifier, a hash or a pasted blob, not speech.
_LONGEST_WORD = 40


def is_speech(text: str | None) -> bool:
    """Whether a quote reads as something a person said on a call, so it may stand as a
    rep's "one thing", a quoted moment or the team's coaching example.

    Exec passes through whatever the transcript or the evaluator held, and that can be an
    HTML tag (``<link ...>``, ``<img ... onerror=...>``), a URL, code or a spreadsheet formula
    (``=HYPERLINK(...)``, ``@SUM(A1)``, ``+1``). Such a text is still shown, escaped, where it
    belongs, but advice built on it ("rethink <img src=x>") reads as a bug. False for blank
    text, text with no letter at all, and any of those shapes; True otherwise. The test is a
    shape, not a parser: a rep who says "see you at 3 (ish)" is speech, "alert(1)" is not.
    """
    if text is None or not text.strip():
        return False
    if not any(ch.isalpha() for ch in text):
        return False
    if _FORMULA.search(text) or _MARKUP.search(text) or _URL.search(text) or _CODE.search(text):
        return False
    return all(len(word) < _LONGEST_WORD for word in text.split())


def examples(session: Session) -> list[Moment]:
    """Every feedback example of a session with a non-blank quote, in rubric order."""
    out = []
    for (criterion, item_name), item in items(session):
        for ex in item.feedback_examples:
            quote = text(ex.quote)
            if quote is None:
                continue
            out.append(Moment(
                session_id=session.attempt.session_id,
                created_at=session.attempt.created_at,
                criterion=criterion,
                item=item_name,
                grade=ex.grade,
                salience=ex.salience,
                quote=quote,
                feedback=text(ex.feedback),
                suggestion=suggestion(quote, ex.suggestion_quote),
            ))
    return out


def suggestion(quote: str, suggested: str | None) -> str | None:
    """The suggested phrasing, unless it only repeats what the rep said ("Try:" your own words
    helps nobody)."""
    said = text(suggested)
    if said is None or normalise_quote(said) == normalise_quote(quote):
        return None
    return said


def quoted_texts(moment: Moment | None) -> frozenset[str]:
    """The words a moment puts on a page, normalised (``normalise_quote``): its quote and its
    suggested phrasing. No report prints the same words twice."""
    if moment is None:
        return frozenset()
    return frozenset(t for t in (normalise_quote(moment.quote),
                                 normalise_quote(moment.suggestion)) if t)


def repeats(words: Collection[str], seen: Collection[str]) -> bool:
    """Whether any of ``words`` (normalised) says again what one of ``seen`` says: the same
    text, or one held whole in the other when the shorter has MIN_WORDS_CONTAINED words or
    more ("I'll jump right into my slides" in "Thanks. I'll jump right into my slides")."""
    for w in words:
        for s in seen:
            short, long = (w, s) if len(w) <= len(s) else (s, w)
            if short == long or (len(short.split()) >= MIN_WORDS_CONTAINED
                                 and f" {short} " in f" {long} "):
                return True
    return False


def moments_worth_quoting(candidates: Sequence[Moment],
                          taken: Collection[str] = ()) -> tuple[Moment, ...]:
    """The feedback moments for the page "Moments that mattered": at most MAX_MOMENTS.

    Ordered by salience (high, mid, low, unknown), then those with a suggested
    phrasing, then grade (bad, mid, good, other), then the newest session.
    Only moments with the evaluator's feedback (the why) are quoted: a bare quote tells the
    rep nothing. No words twice on one report: a moment whose quote or suggested phrasing
    (``quoted_texts``) is already in ``taken`` (quoted elsewhere on the report, e.g. the
    next step) or on a moment chosen before it (the evaluator often cites one line under two
    items, or suggests one phrasing twice; ``repeats``) gives way to the next.
    ``candidates`` should hold the valid sessions' examples only. Quotes that are not
    speech (``is_speech``: a tag, a URL, code, a formula) are left out whenever any other
    candidate exists.
    """
    candidates = [m for m in candidates if text(m.feedback)]
    speech = [m for m in candidates if is_speech(m.quote)]
    candidates = speech or candidates

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
    seen: set[str] = set(taken)
    for _, moment in sorted(enumerate(candidates), key=key):
        words = quoted_texts(moment)
        if not normalise_quote(moment.quote) or repeats(words, seen):
            continue
        seen |= words
        chosen.append(moment)
        if len(chosen) == figures.MAX_MOMENTS:
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


def choose_transcript(sessions: Sequence[Session], best: Attempt | None,
                      ) -> TranscriptView | None:
    """The transcript to print: the best valid session's, else the latest session's that has one.

    Speakers: "user" -> "rep", "ai" -> "buyer", anything else -> None. A line is
    highlighted when one of that session's feedback-example quotes occurs in it
    (see ``_quoted``).
    """
    chosen: Session | None = None
    reason = "best"
    if best is not None:
        chosen = next((s for s in sessions if s.attempt is best and s.detail.transcript), None)
    if chosen is None:
        chosen = next((s for s in reversed(sessions) if s.detail.transcript), None)
        reason = "latest"
    if chosen is None:
        return None
    quotes = [normalise_quote(m.quote) for m in examples(chosen)]
    every = chosen.detail.transcript or []
    # Only the lines the report can print become views (bounds.TRANSCRIPT_LINES_PER_SESSION).
    lines = tuple(
        TranscriptLine(speaker=_SPEAKERS.get(ln.speaker or ""), text=ln.text,
                       seconds=finite(ln.seconds_from_start),
                       highlighted=_quoted(ln.text, quotes))
        for ln in every[:TRANSCRIPT_LINES_PER_SESSION])
    view = TranscriptView(session_id=chosen.attempt.session_id,
                          created_at=chosen.attempt.created_at,
                          score=chosen.attempt.score, reason=reason, lines=lines,
                          left_out=len(every) - len(lines))
    return cut_transcript(view, TRANSCRIPT_LINES_PER_SESSION)
