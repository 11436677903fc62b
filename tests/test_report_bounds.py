"""A rep's PDF has bounds whatever the API sends (issue 30, item 5): the transcript appendix,
the rubric and the list of sessions are capped in the view models, each cut says in the PDF
how much was left out and where all of it is, and drawing stays under a stated memory
ceiling."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from reporter.analytics.bounds import (
    DRAWING_MEMORY_CEILING_MB,
    RUBRIC_ITEMS_SHOWN,
    SESSIONS_LISTED,
    TEAM_RUBRIC_ITEMS_SHOWN,
    TRANSCRIPT_LINE_CHARS,
    TRANSCRIPT_LINES_PER_REPORT,
    TRANSCRIPT_LINES_PER_SESSION,
    transcripts_within_report,
)
from reporter.views import TranscriptLine, TranscriptView
from tests import snapshot_factory as f

ROOT = Path(__file__).resolve().parent.parent
#: Runs a command and prints the peak resident memory of its children, in KB: a small
#: process in between, so the peak is the command's and not pytest's.
PEAK = ("import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(code)\n")


def _render(tmp_path: Path, snapshot: dict[str, object]) -> tuple[bytes, float]:
    """The one rep's PDF of ``snapshot`` drawn by ``reporter render --transcripts`` (drawn in
    the command's own process with --jobs 1), and that process's peak memory in MB."""
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(snapshot))
    result = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-m", "reporter.cli", "render", str(snap),
         "--out", str(tmp_path / "out"), "--transcripts", "--no-xlsx", "--jobs", "1", "-q"],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
        timeout=900)
    assert result.returncode == 0, result.stderr
    [pdf] = (tmp_path / "out").rglob("reps/*.pdf")
    return pdf.read_bytes(), int(result.stdout.split()[-1]) / 1024


def _text(pdf: bytes) -> str:
    assert shutil.which("pdftotext"), "poppler-utils is a test dependency"
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, check=True,
                         capture_output=True).stdout.decode()
    return " ".join(out.split())


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_a_20000_line_transcript_is_cut_and_says_where_the_rest_is(tmp_path: Path) -> None:
    """Was 856 pages, 191 s and 1.4 GB: now the appendix prints the first
    TRANSCRIPT_LINES_PER_SESSION lines and one line for the rest."""
    who = f.user()
    long = "".join(f" w{k}" for k in range(1500))  # one line of 8,400 characters
    lines = [f.line("user" if i % 2 else "ai", f"Line {i}: so who signs off on a purchase "
                    "of this size at your company today?" + (long if i == 5 else ""),
                    float(i * 4)) for i in range(20_000)]
    pdf, peak = _render(tmp_path, f.snapshot([f.rep(who, [
        f.session(70.0, f.at(3), who=who),
        f.session(82.0, f.at(9), who=who, transcript=lines)])]))
    text = _text(pdf)
    left_out = 20_000 - TRANSCRIPT_LINES_PER_SESSION
    assert (f"{left_out:,} lines of this session are left out here to keep the report short: "
            "the whole transcript is in Exec, and in this run's snapshot.json.") in text
    assert f"Line {TRANSCRIPT_LINES_PER_SESSION - 1}:" in text
    assert f"Line {TRANSCRIPT_LINES_PER_SESSION}:" not in text
    assert " w150 " in text and " w400 " not in text  # the long line clipped, not dropped
    assert _pages(pdf) <= 12
    assert peak < DRAWING_MEMORY_CEILING_MB


def test_a_thousand_rubric_items_show_the_cap_and_count_the_rest(tmp_path: Path) -> None:
    """Was 31 pages (and a team heatmap of 1,000 columns running off its page): now
    RUBRIC_ITEMS_SHOWN items, the ones to work on first, and TEAM_RUBRIC_ITEMS_SHOWN in the
    team report."""
    who = f.user()
    grades = ("good", "mid", "bad")
    sessions = [f.session(60.0 + 5 * day, f.at(day + 1), who=who, evaluations=[
        f.criterion(f"Criterion {c}", *(f.item(f"Item {c}.{i}", grades[(i + day) % 3]
                                               if i else "bad") for i in range(100)))
        for c in range(10)]) for day in range(3)]
    pdf, peak = _render(tmp_path, f.snapshot([f.rep(who, sessions)]))
    text = _text(pdf)
    assert (f"{1000 - RUBRIC_ITEMS_SHOWN:,} more items are left out here, those graded good "
            "most often: the cohort workbook's Rubric sheet has every item") in text
    assert "Item 0.0" in text and "Item 9.0" in text  # graded bad every time: kept
    assert _pages(pdf) <= 6
    assert peak < DRAWING_MEMORY_CEILING_MB
    # The team report's heatmap has a column per item: as many as fit across a page.
    [team] = (tmp_path / "out").rglob("team.pdf")
    assert (f"{1000 - TEAM_RUBRIC_ITEMS_SHOWN:,} more items are left out here, those the team "
            "was graded good on most often: the workbook's Rubric sheet has every item for "
            "every rep.") in _text(team.read_bytes())


def test_a_rep_with_many_unfinished_sessions_gets_one_page(tmp_path: Path) -> None:
    who = f.user()
    sessions = [f.session(None, f.at(1 + i % 28, 8 + i // 28), who=who, valid=False)
                for i in range(SESSIONS_LISTED + 40)]
    pdf, _ = _render(tmp_path, f.snapshot([f.rep(who, sessions)]))
    assert "40 earlier sessions are left out here: the cohort workbook's Sessions sheet " \
           "lists every one." in _text(pdf)
    assert _pages(pdf) == 1


def _transcript(lines: int) -> TranscriptView:
    return TranscriptView("s1", datetime(2026, 10, 9, tzinfo=UTC), 80.0, "best", tuple(
        TranscriptLine("rep", f"line {i} " + "y" * (2 * TRANSCRIPT_LINE_CHARS if i == 0 else 0),
                       float(i), False) for i in range(lines)))


def test_a_program_reports_appendices_share_one_budget() -> None:
    """A program report has an appendix per scenario practised: together at most
    TRANSCRIPT_LINES_PER_REPORT lines, the first scenarios' whole, the later ones cut."""
    size = TRANSCRIPT_LINES_PER_REPORT * 3 // 8  # three of them pass the budget
    first, none, second, third = transcripts_within_report(
        [_transcript(size), None, _transcript(size), _transcript(size)])
    assert none is None
    assert first is not None and second is not None and third is not None
    assert sum(len(t.lines) for t in (first, second, third)) == TRANSCRIPT_LINES_PER_REPORT
    assert (len(first.lines), first.left_out) == (size, 0)
    assert (len(second.lines), second.left_out) == (size, 0)
    assert third.left_out == 3 * size - TRANSCRIPT_LINES_PER_REPORT
    assert len(third.lines[0].text) <= TRANSCRIPT_LINE_CHARS + 1  # clipped, with its "…"


def test_the_docs_state_the_caps_the_code_holds() -> None:
    page = " ".join((ROOT / "docs" / "reliability.md").read_text(encoding="utf-8").split())
    for value, name in ((TRANSCRIPT_LINES_PER_SESSION, "TRANSCRIPT_LINES_PER_SESSION"),
                        (TRANSCRIPT_LINES_PER_REPORT, "TRANSCRIPT_LINES_PER_REPORT"),
                        (TRANSCRIPT_LINE_CHARS, "TRANSCRIPT_LINE_CHARS"),
                        (RUBRIC_ITEMS_SHOWN, "RUBRIC_ITEMS_SHOWN"),
                        (TEAM_RUBRIC_ITEMS_SHOWN, "TEAM_RUBRIC_ITEMS_SHOWN"),
                        (SESSIONS_LISTED, "SESSIONS_LISTED"),
                        (DRAWING_MEMORY_CEILING_MB, "DRAWING_MEMORY_CEILING_MB")):
        assert f"{value:,}" in page and f"`{name}`" in page, name
        at = page.index(f"`{name}`")
        assert f"{value:,}" in page[max(0, at - 120):at], name
