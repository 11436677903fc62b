"""The per-rep columns of reps.csv and of the workbook's Reps sheet, one entry per figure.

Each :class:`RepColumn` holds everything about one figure: its reps.csv name (the contract HR
imports key on), its workbook column (heading, number format, conditional fill) and its value,
typed; and, where the sheet shows a label rather than the code (a rank's "Gold", a status's
"In progress", a datetime Excel can store), what the sheet shows. reps.csv writes the entries
in table order; the Reps sheet names its entries in its own order (``REPS_SHEET_KEYS``). Adding
a per-rep figure to both is one entry here, and its key in the sheet's order.

The reps.csv name is a fixed English key; the workbook's heading is English in the table
(marked ``N_``) and shown translated (``Col.title``), in the language the workbook is written
in. reps.csv never reads the heading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reporter.format import (
    NEW_REP_LABEL,
    XLSX_DATE,
    XLSX_DATETIME,
    XLSX_INT,
    XLSX_MINUTES,
    XLSX_POINTS,
    XLSX_SCORE,
    fmt_assignment_status,
    fmt_direction,
    fmt_rank,
    fmt_severity,
    fmt_top_item,
)
from reporter.i18n import N_, gettext
from reporter.render.cells import excel_datetime
from reporter.render.grid import Col
from reporter.views import Moment, ProgramRepView, RepView, Target

#: Separator between list items in one cell or field, everywhere.
LIST_SEP = "; "


def rank_label(rank: str | None) -> str | None:
    """A rank as every sheet shows it ("Gold"); blank when unknown, like a blank score."""
    return None if rank is None else fmt_rank(rank)


def last_period(rep: RepView) -> tuple[float | None, str | None, float | None]:
    """(the previous period's best; "New" for a rep new this period, never compared with
    zero; the change in points) for the sheets' "Last period", "New" and "Change" columns:
    numbers only in "Last period", so the column sorts and filters; "New" in its own."""
    cmp = rep.comparison
    if cmp is None:
        return None, None, None
    if cmp.is_new:
        # The sheets' label, in the workbook's language (reps.csv writes is_new's flag).
        return None, gettext(NEW_REP_LABEL), None
    return cmp.previous_best, None, cmp.change


def feedback_rows(rep: RepView) -> Iterator[Moment]:
    """The rows of feedback.csv and of the workbook's Feedback sheet, one rule for both: each
    distinct example of the rep's sessions (valid or not) once, in rubric order. Exec can list
    one example twice under an item (the same words and advice, picked for two reasons, at
    times with another grade or salience): those are one row, the first. An example with no
    quote is no row (the analytics leave it out of ``feedback_examples``)."""
    seen: set[tuple[object, ...]] = set()  # per rep: an example is always the rep's own
    for m in rep.feedback_examples:
        key = (m.session_id, m.criterion, m.item, m.quote, m.feedback, m.suggestion)
        if key not in seen:
            seen.add(key)
            yield m


#: What the About sheet says of the Feedback sheet's rows and feedback.csv's: the same rows
#: (translated where shown: ``gettext(FEEDBACK_ROWS_NOTE)``).
# Translators: the About sheet's note; "Feedback", "Sessions" and "Reps" are the workbook's
# sheet names (translate them as the sheets are named); feedback.csv, sessions.csv and
# reps.csv are file names, kept as they are.
FEEDBACK_ROWS_NOTE = N_(
    "The Feedback sheet and feedback.csv hold the same rows: each feedback example that "
    "quotes the rep, from every session (valid or not), once; an example Exec lists twice "
    "under one item (same words and advice) is one row. The Sessions sheet and sessions.csv "
    "hold every session, the Reps sheet and reps.csv every rep. A cell leaves out the control "
    "characters Excel cannot hold and stops at its 32,767 characters; the CSV keeps the text "
    "whole.")


@dataclass(frozen=True)
class RepColumn:
    """One per-rep figure: its reps.csv name, its workbook column, its value.

    ``key`` is the reps.csv name when the figure is in reps.csv (``in_csv``), else a name for
    the sheet's order. ``value`` is typed (a number stays a number, a datetime is aware): what
    reps.csv writes, and what the sheet writes unless ``shown`` gives its label. ``col`` is
    None for a figure reps.csv has and the sheet does not.
    """

    key: str
    value: Callable[[RepView], object] | None
    col: Col | None = None
    shown: Callable[[RepView], object] | None = None
    in_csv: bool = True
    # A figure about the rep across the run (not one scenario's): read from their whole view,
    # the same on each of their rows.
    whole: Callable[[ProgramRepView], object] | None = None

    def typed(self, rep: RepView, whole: ProgramRepView) -> object:
        """The figure as reps.csv writes it."""
        if self.whole is not None:
            return self.whole(whole)
        assert self.value is not None
        return self.value(rep)

    def cell(self, rep: RepView, whole: ProgramRepView) -> object:
        """The figure as the Reps sheet writes it."""
        return self.shown(rep) if self.shown else self.typed(rep, whole)


def _text(header: str, cap: int, *, wrap: bool = False) -> Col:
    return Col(header, text=True, wrap=wrap, cap=cap)


def _step(rep: RepView) -> str | None:
    """The step in the words every output prints (``CoachingPlan.step_text``)."""
    return rep.coaching.step_text


def _by_status(rep: RepView, flag: Callable[[Target], bool]) -> bool | None:
    """A flag of the rep's target read from Exec's status (met, past due): empty, not false,
    when Exec gave no status (unknown) or the rep has no assignment."""
    target = rep.coaching.target
    return flag(target) if target is not None and target.status else None


def _due(rep: RepView) -> object:
    target = rep.coaching.target
    return target.due if target else None


#: Every per-rep figure, in reps.csv's order (after its "scenario" and "period"): columns only
#: ever grow at the end of reps.csv, so a new figure is appended here.
REP_COLUMNS: tuple[RepColumn, ...] = (
    RepColumn("user_id", lambda r: r.user_id, _text(N_("User ID"), 24)),
    RepColumn("email", lambda r: r.email, _text(N_("Email"), 36)),
    RepColumn("name", lambda r: r.name),  # the sheet leads with the name its lists show
    RepColumn("groups", lambda r: LIST_SEP.join(r.groups), _text(N_("Groups"), 30, wrap=True)),
    RepColumn("is_member", lambda r: r.is_member),
    RepColumn("assignment_status", lambda r: r.assignment_status,
              _text(N_("Assignment status"), 18),
              lambda r: fmt_assignment_status(r.assignment_status)),
    RepColumn("sessions", lambda r: r.session_count, Col(N_("Sessions"), XLSX_INT)),
    RepColumn("valid_attempts", lambda r: r.valid_count, Col(N_("Valid attempts"), XLSX_INT)),
    RepColumn("first_score", lambda r: r.first_score,
              Col(N_("First score"), XLSX_SCORE, fill="score")),
    RepColumn("first_rank", lambda r: r.first_rank, Col(N_("First rank"), text=True, fill="rank"),
              lambda r: rank_label(r.first_rank)),
    RepColumn("best_score", lambda r: r.best_score,
              Col(N_("Best score"), XLSX_SCORE, fill="score")),
    RepColumn("best_rank", lambda r: r.best_rank, Col(N_("Best rank"), text=True, fill="rank"),
              lambda r: rank_label(r.best_rank)),
    RepColumn("latest_score", lambda r: r.latest_score,
              Col(N_("Latest score"), XLSX_SCORE, fill="score")),
    RepColumn("latest_rank", lambda r: r.latest_rank,
              Col(N_("Latest rank"), text=True, fill="rank"), lambda r: rank_label(r.latest_rank)),
    RepColumn("lift", lambda r: r.lift, Col(N_("Lift (points)"), XLSX_POINTS, fill="bar")),
    RepColumn("practice_minutes", lambda r: r.practice_minutes,
              Col(N_("Practice minutes"), XLSX_MINUTES)),
    RepColumn("last_practised", lambda r: r.last_practised,
              Col(N_("Last practised (UTC)"), XLSX_DATETIME),
              lambda r: excel_datetime(r.last_practised)),
    RepColumn("percentile", lambda r: r.percentile, Col(N_("Percentile"), XLSX_INT)),
    RepColumn("trend", lambda r: r.trend, _text(N_("Trend"), 16),
              lambda r: fmt_direction(r.trend)),
    RepColumn("top_strength", lambda r: fmt_top_item(r.coaching.strengths),
              _text(N_("Top strength"), 40, wrap=True)),
    RepColumn("top_focus_area", lambda r: fmt_top_item(r.coaching.focus_areas),
              _text(N_("Top focus area"), 40, wrap=True)),
    # Added with the coaching plan.
    RepColumn("next_step", _step, _text(N_("Next step"), 40, wrap=True)),
    RepColumn("next_step_try",
              lambda r: r.coaching.next_step.try_instead if r.coaching.next_step else None,
              _text(N_("Try instead"), 60, wrap=True)),
    RepColumn("next_step_source",
              lambda r: r.coaching.next_step.source if r.coaching.next_step else None),
    RepColumn("target", lambda r: r.verdict.target_line if r.verdict else None,
              _text(N_("Target"), 50, wrap=True), in_csv=False),
    RepColumn("target_rank", lambda r: t.required_rank if (t := r.coaching.target) else None),
    RepColumn("due_date", _due, Col(N_("Due (UTC)"), XLSX_DATE),
              lambda r: excel_datetime(t.due) if (t := r.coaching.target) else None),
    RepColumn("target_met", lambda r: _by_status(r, lambda t: t.met)),
    RepColumn("points_short", lambda r: t.points_short if (t := r.coaching.target) else None),
    RepColumn("past_due", lambda r: _by_status(r, lambda t: t.past_due)),
    RepColumn("latest_below_best",
              lambda r: r.coaching.decline.drop if r.coaching.decline else None,
              Col(N_("Latest below best (points)"), XLSX_SCORE)),
    # Added with month-over-month (empty with --no-compare; is_new: no best score then, empty
    # with no best in either month).
    RepColumn("previous_best", lambda r: c.previous_best if (c := r.comparison) else None,
              Col(N_("Last period"), XLSX_SCORE), lambda r: last_period(r)[0]),
    RepColumn("change_vs_previous", lambda r: c.change if (c := r.comparison) else None,
              Col(N_("Change vs last period"), XLSX_POINTS), lambda r: last_period(r)[2]),
    RepColumn("rank_change", lambda r: c.rank_change if (c := r.comparison) else None,
              Col(N_("Rank change"), XLSX_INT)),
    RepColumn("is_new", lambda r: c.is_new if (c := r.comparison) else None,
              _text(N_("New this period"), 10), lambda r: last_period(r)[1]),
    # Added with needs attention: the reasons' codes joined with "; ", and the top severity
    # (the sheet: its label, blank when nothing needs attention).
    RepColumn("attention", lambda r: LIST_SEP.join(a.code for a in r.attention)),
    RepColumn("severity", lambda r: r.severity, _text(N_("Needs attention"), 10),
              lambda r: fmt_severity(r.severity) if r.attention else None),
    # Added with the verdict: Exec's best on the assignment, when it differs from the period's.
    RepColumn("assignment_best",
              lambda r: t.assignment_best if (t := r.coaching.target) else None),
    # Added with the follow-up of last month's step (``analytics.follow_up``).
    RepColumn("previous_step", None, _text(N_("Last month's step"), 40, wrap=True),
              whole=lambda p: f.step if (f := p.follow_up) else None),
    RepColumn("previous_step_result", None, _text(N_("Last month's step: result"), 24),
              whole=lambda p: f.result_text if (f := p.follow_up) else None),
)

BY_KEY: dict[str, RepColumn] = {c.key: c for c in REP_COLUMNS}

#: reps.csv's per-rep columns, in order.
REPS_CSV: tuple[RepColumn, ...] = tuple(c for c in REP_COLUMNS if c.in_csv)

#: The Reps sheet's per-rep columns, in order, between the rep's name and the PDF's link.
REPS_SHEET_KEYS: tuple[str, ...] = (
    "email", "user_id", "groups", "assignment_status", "sessions", "valid_attempts",
    "first_score", "first_rank", "best_score", "best_rank", "latest_score", "latest_rank",
    "lift", "practice_minutes", "last_practised", "percentile", "trend", "top_strength",
    "top_focus_area", "next_step", "next_step_try", "target", "due_date", "latest_below_best",
    "previous_best", "is_new", "change_vs_previous", "rank_change", "severity",
    "previous_step", "previous_step_result",
)
REPS_SHEET_COLUMNS: tuple[RepColumn, ...] = tuple(BY_KEY[k] for k in REPS_SHEET_KEYS)
