"""How much of a rep's data one PDF shows: the bounds that keep a report a few pages long and
its drawing within a fixed memory, whatever the API sends (issue 30).

Drawing costs about 60 KB of memory per transcript line and a page per 38 lines or 32
rubric items, so an unbounded section grows with the data: a 20,000-line transcript was a
856-page PDF and 1.4 GB in its drawing process. Every repeated section of the rep's report is
capped here, in the view models, and each cut says in the PDF how much was left out and where
all of it is: the workbook lists every rubric item and every session, and the run's
``snapshot.json`` (and Exec) hold every transcript whole. No I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reporter.format import clip
from reporter.views import Attempt, ItemRow, Pattern, ScenarioTeamView, TranscriptView

#: Transcript lines printed for one session (the --transcripts appendix): about 5 pages.
TRANSCRIPT_LINES_PER_SESSION = 200
#: Transcript lines printed in one report, its appendices together (a program's report has
#: one per scenario practised): about 10 pages.
TRANSCRIPT_LINES_PER_REPORT = 400
#: Characters printed of one transcript line; a longer one ends in "…".
TRANSCRIPT_LINE_CHARS = 1_000
#: Rubric items in the heatmap: about a page.
RUBRIC_ITEMS_SHOWN = 30
#: Rubric items in the team report's heatmap (a column each): what fits across a page.
TEAM_RUBRIC_ITEMS_SHOWN = 16
#: Sessions listed on the page of a rep with no valid attempt.
SESSIONS_LISTED = 10
#: What these caps hold the drawing process to, in MB of peak resident memory, on the hostile
#: shapes of issue 30 (a 20,000-line transcript, 1,000 rubric items, 200 attempts; measured
#: by bench/bench_bounds.py and held by tests/test_report_bounds.py): a claim, not a limit
#: any code enforces.
DRAWING_MEMORY_CEILING_MB = 400


def cut_transcript(transcript: TranscriptView, keep: int) -> TranscriptView:
    """``transcript`` with its first ``keep`` lines (each clipped to TRANSCRIPT_LINE_CHARS),
    the rest counted in ``left_out``."""
    kept = tuple(line if len(line.text) <= TRANSCRIPT_LINE_CHARS
                 else replace(line, text=clip(line.text, TRANSCRIPT_LINE_CHARS))
                 for line in transcript.lines[:max(0, keep)])
    return replace(transcript, lines=kept,
                   left_out=transcript.left_out + len(transcript.lines) - len(kept))


def transcripts_within_report(transcripts: Sequence[TranscriptView | None],
                              budget: int = TRANSCRIPT_LINES_PER_REPORT,
                              ) -> list[TranscriptView | None]:
    """The appendices of one report in the order they print, together at most ``budget``
    lines: the first ones whole (each already at most TRANSCRIPT_LINES_PER_SESSION), the
    later ones cut to what is left."""
    out: list[TranscriptView | None] = []
    for transcript in transcripts:
        if transcript is None:
            out.append(None)
            continue
        keep = min(len(transcript.lines), budget)
        budget -= keep
        out.append(transcript if keep == len(transcript.lines)
                   else cut_transcript(transcript, keep))
    return out


def rubric_shown(rows: Sequence[ItemRow], named: Sequence[Pattern],
                 limit: int = RUBRIC_ITEMS_SHOWN) -> tuple[tuple[ItemRow, ...], int]:
    """(the items the heatmap shows, in rubric order; how many it leaves out).

    With more than ``limit`` items, those the report names (its strengths and focus areas)
    stay, then the ones graded good least often (what there is to work on; never graded
    last), then rubric order: what is left out is what went well most often.
    """
    if len(rows) <= limit:
        return tuple(rows), 0
    quoted = {(p.criterion, p.item) for p in named}

    def priority(pair: tuple[int, ItemRow]) -> tuple[bool, float, int]:
        index, row = pair
        share = row.good_share if row.good_share is not None else 2.0
        return ((row.criterion, row.item) not in quoted, share, index)

    kept = sorted(index for index, _ in sorted(enumerate(rows), key=priority)[:limit])
    return tuple(rows[i] for i in kept), len(rows) - limit


def sessions_listed(attempts: Sequence[Attempt],
                    limit: int = SESSIONS_LISTED) -> tuple[tuple[Attempt, ...], int]:
    """(the latest ``limit`` sessions of ``attempts``, oldest first; how many earlier ones are
    left out)."""
    shown = tuple(attempts[-limit:]) if limit > 0 else ()
    return shown, len(attempts) - len(shown)


def team_rubric_shown(team: ScenarioTeamView, limit: int = TEAM_RUBRIC_ITEMS_SHOWN,
                      ) -> tuple[ScenarioTeamView, int]:
    """(``team`` with at most ``limit`` rubric items in its heatmap, in rubric order; how many
    it leaves out). The items the report names as what to coach stay, then the ones the team
    was graded good on least often (never graded last), then rubric order."""
    if len(team.items) <= limit:
        return team, 0
    named = {(w.criterion, w.item) for w in team.weakest}

    def priority(index: int) -> tuple[bool, float, int]:
        share = team.item_good_share[index]
        return (team.items[index] not in named, 2.0 if share is None else share, index)

    keep = sorted(sorted(range(len(team.items)), key=priority)[:limit])
    return replace(
        team, items=tuple(team.items[i] for i in keep),
        heatmap=tuple(replace(row, cells=tuple(row.cells[i] for i in keep))
                      for row in team.heatmap),
        item_good_share=tuple(team.item_good_share[i] for i in keep),
    ), len(team.items) - limit
