"""CSV for HR systems: reps.csv, sessions.csv and feedback.csv; for a program, skills.csv too.

UTF-8 with a byte-order mark (without it Excel on Windows reads UTF-8 as the local code page and
mangles every accented or CJK name), ISO 8601 UTC datetimes, and column names that are a stable
contract (documented in docs/csv.md): scripts and HR imports key on them, so add columns at the
end and never rename one. The CSV is written in English whatever language the run's other
outputs are in (its headers are these keys, never translated; a label among its values is
written with English active: :func:`write_csv`).

Typed values decide what is neutralised: a field that is text (from the API or ours) goes through
:func:`reporter.render.cells.csv_text`, which quotes a leading = + - @ tab or carriage return; a
number the tool computed is written as a number, so a lift of -2.5 stays ``-2.5``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from reporter.files import atomic_path
from reporter.format import csv_number
from reporter.i18n import use
from reporter.render.cells import csv_text, iso
from reporter.render.columns import REPS_CSV, feedback_rows
from reporter.views import ProgramReportView, ProgramRepView, RepView, SkillRow

#: reps.csv: the run's scenario and period, then every per-rep figure of
#: ``reporter.render.columns.REP_COLUMNS`` that reps.csv has, in that table's order.
REPS_COLUMNS: tuple[str, ...] = ("scenario", "period", *(c.key for c in REPS_CSV))
SESSIONS_COLUMNS: tuple[str, ...] = (
    "scenario", "period", "session_id", "user_id", "email", "name", "created_at", "score",
    "rank", "duration_minutes", "is_valid", "outcome", "positive_feedback",
    "constructive_feedback",
)
FEEDBACK_COLUMNS: tuple[str, ...] = (
    "scenario", "period", "session_id", "user_id", "email", "name", "created_at", "criterion",
    "item", "grade", "salience", "quote", "feedback", "suggested_phrasing",
)

#: A program's skills.csv: one row per rep per skill, Exec's proficiency as of the period's
#: end and the previous period's end. ``tier`` is Exec's code ("insufficient_data" under 3
#: observations, with no score); empty, with 0 observations, when the rep has none at all.
SKILLS_COLUMNS: tuple[str, ...] = (
    "program", "period", "user_id", "email", "name", "skill", "skill_name", "scenario_names",
    "tier", "score", "observations", "last_practised", "previous_tier", "previous_score",
    "change_vs_previous",
)

FILE_NAMES: tuple[str, ...] = ("reps.csv", "sessions.csv", "feedback.csv")
PROGRAM_FILE_NAMES: tuple[str, ...] = (*FILE_NAMES, "skills.csv")


def write_csv(report: ProgramReportView, out_dir: Path) -> list[Path]:
    """The run's CSV files into ``out_dir`` (each atomically); returns their paths.

    reps.csv, sessions.csv and feedback.csv walk the scenarios in program order, each
    scenario's rows in turn (its ``scenario`` column says which; a rep has a row in a
    scenario they practised or are assigned); a single-scenario run (the program of one,
    ``report.single``) is that walk over its one scenario. A program run adds skills.csv.

    Written with English active (``use("en")``), whatever the run's language: the files are
    a fixed English contract, byte for byte the same in every language."""
    with use("en"):
        return _write_all(report, Path(out_dir))


def _write_all(report: ProgramReportView, out_dir: Path) -> list[Path]:
    """:func:`write_csv`'s files, the rows streamed while they are written (all inside its
    ``use("en")``)."""
    period = report.period.label

    def per_scenario() -> Iterator[tuple[tuple[str, str], RepView, ProgramRepView]]:
        for i, scenario in enumerate(report.scenarios):
            for rep in report.reps:
                view = rep.rows[i].rep
                if view is not None:
                    yield (scenario.slug, period), view, rep

    ctx = (report.program.slug, period)
    tables: list[tuple[Sequence[str], Iterable[Sequence[object]]]] = [
        (REPS_COLUMNS, (c + _rep_row(view, rep) for c, view, rep in per_scenario())),
        (SESSIONS_COLUMNS, (c + row for c, view, _ in per_scenario()
                            for row in _session_rows((view,)))),
        (FEEDBACK_COLUMNS, (c + row for c, view, _ in per_scenario()
                            for row in _feedback_rows((view,)))),
    ]
    if report.single is not None:
        return _write_files(out_dir, FILE_NAMES, tables)
    tables.append((SKILLS_COLUMNS, (ctx + (rep.user_id, rep.email, rep.name) + _skill_row(skill)
                                    for rep in report.reps for skill in rep.skills)))
    return _write_files(out_dir, PROGRAM_FILE_NAMES, tables)


def _write_files(out_dir: Path, names: Sequence[str],
                 tables: Sequence[tuple[Sequence[str], Iterable[Sequence[object]]]]
                 ) -> list[Path]:
    paths = []
    for name, (columns, rows) in zip(names, tables, strict=True):
        path = out_dir / name
        _write_atomic(path, columns, rows)
        paths.append(path)
    return paths


def field(value: object) -> str:
    """One CSV field from a typed value: only text is neutralised, numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return csv_number(value)
    if isinstance(value, datetime):
        return iso(value)
    return csv_text(str(value))


def _rep_row(rep: RepView, whole: ProgramRepView) -> tuple[object, ...]:
    return tuple(c.typed(rep, whole) for c in REPS_CSV)


def _skill_row(row: SkillRow) -> tuple[object, ...]:
    skill = row.skill
    return (skill.slug, skill.name, "; ".join(skill.scenarios), row.tier, row.score,
            row.observations, row.last_practised, row.previous_tier, row.previous_score,
            row.change)


def _session_rows(reps: Iterable[RepView]) -> Iterator[tuple[object, ...]]:
    for rep in reps:
        for a in rep.attempts:
            yield (a.session_id, rep.user_id, rep.email, rep.name, a.created_at, a.score,
                   a.rank, a.duration_minutes, a.is_valid, a.outcome, a.positive,
                   a.constructive)


def _feedback_rows(reps: Iterable[RepView]) -> Iterator[tuple[object, ...]]:
    for rep in reps:
        for m in feedback_rows(rep):
            yield (m.session_id, rep.user_id, rep.email, rep.name, m.created_at, m.criterion,
                   m.item, m.grade, m.salience, m.quote, m.feedback, m.suggestion)


def _write_atomic(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Stream rows to a temporary file beside ``path``, then rename it over ``path``."""
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([field(v) for v in row])
