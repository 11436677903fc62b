"""One digest per team manager (``run --by-team``): the team in one sentence, the 1:1 shortlist
with talking points, what to coach the team on, the reps to keep an eye on, the team's PDF and
workbook attached; read off the same team view the team report was drawn from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from reporter.analytics.attention import Attending, talking_point
from reporter.analytics.program_team import build_program_team
from reporter.analytics.team import G, build_team, team_members
from reporter.deliver.addresses import (
    NAME_CHARS,
    EmailSettings,
    one_line,
)
from reporter.deliver.email_view import FEEDBACK_CHARS, SUGGESTION_CHARS
from reporter.deliver.manifest import (
    Manifest,
    Sendable,
    TeamEntry,
)
from reporter.deliver.messages import Common, addressed, attachment, finish, safe_slug
from reporter.format import (
    fmt_grade,
    fmt_graded_good,
    fmt_item,
    fmt_score,
    fmt_severity,
    fmt_share,
    fmt_short_day,
)
from reporter.render.team_pdf import (
    attention_sentence,
    change_heading,
    left_off,
    step_text,
    team_summary,
    vs_previous,
)
from reporter.render.templates import template_errors
from reporter.views import (
    Manager,
    PeriodInfo,
    ProgramReportView,
    ProgramRepView,
    ProgramTheme,
    ReportView,
    WeakItem,
)

DIGEST_SUBJECT_TEMPLATE = "email/digest_subject.txt"
DIGEST_TEXT_TEMPLATE = "email/digest.txt"
DIGEST_HTML_TEMPLATE = "email/digest.html"


@dataclass(frozen=True)
class DigestRow:
    """One rep on the 1:1 shortlist, as the team report's page 1 lists them."""

    name: str  # as the team's lists name them (email beside an equal name, former member)
    severity: str  # "High", "Medium"
    reason: str  # the talking point: "Did not pass Silver by Nov 30, 2026"
    best: str
    latest: str
    change: str  # vs the previous period: "+3.0", "New", "–"
    step: str | None  # the rep's next step, from their own report


@dataclass(frozen=True)
class DigestTheme:
    """One item to coach the team on, with its moment from a call."""

    label: str  # "Discovery › Budget"
    graded: str  # "graded good 12 of 40 (30%); 9 of 12 reps graded mid or bad at least once"
    quote: str | None
    by: str | None  # "Ana Rep, Oct 2, graded bad"
    why: str | None
    try_instead: str | None


@dataclass(frozen=True)
class DigestView:
    manager: str  # the manager's first name, for the greeting
    team: str
    scenario: str
    period: str
    company: str
    summary: str  # the team in one sentence: the team report's first
    change_label: str  # "vs Sep 2026" or "Change"
    rows: tuple[DigestRow, ...]  # the 1:1 shortlist, most urgent first
    left_off: int  # high-severity reps not on the shortlist (its cap), first under watch
    watch: tuple[str, ...]  # "keep an eye on": "Name: reason; reason", one line each
    theme: tuple[DigestTheme, ...]  # what to coach the team on
    pdf_filename: str
    xlsx_filename: str | None
    original_recipient: str | None
    language: str  # the HTML part's lang
    program: bool = False  # a program run's digest: ``scenario`` is the program's name


def _theme(item: WeakItem) -> DigestTheme:
    quote = item.quote
    return DigestTheme(
        label=one_line(fmt_item(item.criterion, item.item), NAME_CHARS),
        graded=(f"graded good {fmt_graded_good(item.good, item.graded)} "
                f"({fmt_share(item.good_share)}); {item.reps_weak} of {item.reps_graded} reps "
                "graded mid or bad at least once"),
        quote=one_line(quote.quote, SUGGESTION_CHARS) or None if quote else None,
        by=(one_line(f"{item.quote_by}, {fmt_short_day(quote.created_at)}, graded "
                      f"{fmt_grade(quote.grade).lower()}", NAME_CHARS) if quote else None),
        why=one_line(quote.feedback, FEEDBACK_CHARS) or None if quote else None,
        try_instead=one_line(quote.suggestion, SUGGESTION_CHARS) or None if quote else None,
    )


def entry_members(reps: Sequence[G], entry: TeamEntry) -> list[G]:
    """The reps of a manifest's team, for a scenario's team or a program's alike: those the
    manifest lists (``entry.members``, the reps its team report was drawn from); for a
    manifest from before it listed them, the reps in the entry's group (``team_members``)."""
    chosen = set(entry.members)
    return ([r for r in reps if r.user_id in chosen] if chosen
            else team_members(reps, entry.group))


def digest_view(report: ProgramReportView, entry: TeamEntry, settings: EmailSettings,
                stem: str, original: str | None) -> DigestView:
    """The digest of one team: a single-scenario run's (``report.single``) from the team's
    view in its one scenario (:func:`_scenario_digest`), a program's across the program
    (:func:`_program_digest`)."""
    if report.single is not None:
        return _scenario_digest(report.single, entry, settings, stem, original)
    return _program_digest(report, entry, settings, stem, original)


def _scenario_digest(report: ReportView, entry: TeamEntry, settings: EmailSettings,
                     stem: str, original: str | None) -> DigestView:
    """The digest of one team, from the same team view the team report was drawn from: the
    team in one sentence, the 1:1 shortlist with talking points, what to coach the team on,
    the reps to keep an eye on, and what is attached."""
    team = build_team(entry_members(report.reps, entry), name=entry.group,
                      slug=entry.slug, group=entry.group,
                      manager=Manager(entry.name, entry.email))
    rows = tuple(DigestRow(
        name=one_line(team.label(rep), NAME_CHARS),
        severity=fmt_severity(rep.severity),
        reason=one_line(talking_point(rep), FEEDBACK_CHARS),
        best=fmt_score(rep.best_score), latest=fmt_score(rep.latest_score),
        change=vs_previous(rep.comparison),
        step=one_line(step_text(rep), SUGGESTION_CHARS) or None,
    ) for rep in team.shortlist)
    return _digest(report, entry, settings, stem, original, team, left=left_off(team),
                   scenario=report.scenario.name,
                   summary=team_summary(team, report), change_label=change_heading(report),
                   rows=rows, theme=tuple(_theme(w) for w in team.weakest))


def _program_digest(report: ProgramReportView, entry: TeamEntry, settings: EmailSettings,
                    stem: str, original: str | None) -> DigestView:
    """The digest of one team of a program run: the team's 1:1 shortlist across the program
    (the program's attention order, each talking point naming its scenario; best, latest and
    change are the focus scenario's, the one the next step is about), the reps to keep an
    eye on, what to coach the team on (the team's themes, by the rule its team report reads),
    and what is attached."""
    team = build_program_team(report, entry_members(report.reps, entry))
    focus_parts = [p for p in report.parts if p.previous_period] or list(report.parts)
    n = len(team.reps)
    summary = (f"{n - team.coverage['none']} of {n} rep{'' if n == 1 else 's'} practised in "
               f"{report.period.prose}, {team.coverage['all']} of them every scenario of "
               f"{report.program.name}. {attention_sentence(team)}")

    def row(rep: ProgramRepView) -> DigestRow:
        focus = rep.focus.rep if rep.focus else None
        return DigestRow(
            name=one_line(team.label(rep), NAME_CHARS),
            severity=fmt_severity(rep.severity),
            reason=one_line(talking_point(rep), FEEDBACK_CHARS),
            best=fmt_score(focus.best_score if focus else None),
            latest=fmt_score(focus.latest_score if focus else None),
            change=vs_previous(focus.comparison if focus else None),
            step=one_line(rep.step_text, SUGGESTION_CHARS) or None)

    return _digest(report, entry, settings, stem, original, team, left=left_off(team),
                   scenario=report.program.name, summary=summary,
                   change_label=change_heading(focus_parts[0]) if focus_parts else "Change",
                   rows=tuple(row(r) for r in team.shortlist),
                   theme=tuple(program_theme(t) for t in team.themes), program=True)


class _Report(Protocol):
    @property
    def period(self) -> PeriodInfo: ...
    @property
    def workspace_name(self) -> str: ...


def _digest(report: _Report, entry: TeamEntry, settings: EmailSettings, stem: str,
            original: str | None, team: Attending, *, left: int, scenario: str, summary: str,
            change_label: str, rows: tuple[DigestRow, ...], theme: tuple[DigestTheme, ...],
            program: bool = False) -> DigestView:
    """The digest's fields that read the same for a scenario's team and a program's: the
    greeting, the team, the period, the reps to keep an eye on, what is attached."""
    return DigestView(
        manager=one_line((entry.name.split() or [entry.email])[0], NAME_CHARS),
        team=one_line(entry.group, NAME_CHARS),
        scenario=one_line(scenario, NAME_CHARS),
        period=one_line(report.period.prose, NAME_CHARS),
        company=one_line(settings.company or report.workspace_name, NAME_CHARS),
        summary=one_line(summary, 600),
        change_label=change_label,
        rows=rows,
        left_off=left,
        watch=tuple(one_line(f"{team.label(r)}: " + "; ".join(a.text for a in r.attention),
                             FEEDBACK_CHARS)
                    for r in team.watchlist),
        theme=theme,
        pdf_filename=f"{stem}.pdf",
        xlsx_filename=f"{stem}.xlsx" if entry.xlsx else None,
        original_recipient=original,
        language=settings.language,
        program=program,
    )


def program_theme(theme: ProgramTheme) -> DigestTheme:
    """A program's coaching theme as the digest lists it: a skill, or a rubric item named
    after the scenario it comes from ("Objection Handling: Budget", as the attention texts
    name theirs); its line of plain words as the graded line."""
    label = f"{theme.scenario}: {theme.name}" if theme.scenario else theme.name
    return DigestTheme(label=one_line(label, NAME_CHARS),
                       graded=one_line(theme.detail, FEEDBACK_CHARS),
                       quote=None, by=None, why=None, try_instead=None)


def build_digests(run_dir: Path, report: ProgramReportView, manifest: Manifest,
                  common: Common) -> list[tuple[Sendable, EmailMessage]]:
    """One digest per team of a ``--by-team`` run: the summary in the body (plain text and
    HTML say the same), the team's PDF and workbook attached, no link to anything."""
    out: list[tuple[Sendable, EmailMessage]] = []
    env = common.env
    for entry in manifest.teams:
        if not entry.pdf:
            continue  # --no-pdf, or its PDF failed (listed by the run): nothing to send
        stem = "team-" + safe_slug(entry)
        files = [(attachment(run_dir, entry.pdf, entry.sha256, f"team report of {entry.group}"),
                  "application", "pdf", f"{stem}.pdf")]
        if entry.xlsx:
            files.append((attachment(run_dir, entry.xlsx, entry.xlsx_sha256,
                                      f"team workbook of {entry.group}"), "application",
                          "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          f"{stem}.xlsx"))
        msg, original = addressed(common, entry.name, entry.email)
        with template_errors():
            view = digest_view(report, entry, common.settings, stem, original)
            out.append((entry, finish(
                common, msg, entry, env.get_template(DIGEST_SUBJECT_TEMPLATE).render(d=view),
                env.get_template(DIGEST_TEXT_TEMPLATE).render(d=view),
                env.get_template(DIGEST_HTML_TEMPLATE).render(d=view), files)))
    return out
