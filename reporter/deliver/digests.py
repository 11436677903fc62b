"""One digest per team manager (``run --by-team``): the team in one sentence, the 1:1 shortlist
with talking points, what to coach the team on, the reps to keep an eye on, the team's PDF and
workbook attached; read off the same team view the team report was drawn from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path

from reporter.analytics.attention import (
    SHORTLIST_SEVERITY,
    Attending,
    talking_point,
    watch_named,
    watch_unnamed,
)
from reporter.analytics.localized import RunViews
from reporter.analytics.team import G, build_team, team_members
from reporter.deliver.addresses import (
    NAME_CHARS,
    EmailSettings,
    one_line,
)
from reporter.deliver.email_view import FEEDBACK_CHARS, SUGGESTION_CHARS, phrasing_line
from reporter.deliver.manifest import (
    Manifest,
    Sendable,
    TeamEntry,
)
from reporter.deliver.messages import Common, addressed, attachment, finish, safe_slug
from reporter.format import (
    PHRASING_ROOM,
    fmt_graded_good,
    fmt_item,
    fmt_score,
    fmt_severity,
    fmt_share,
    fmt_short_day,
)
from reporter.i18n import N_, clauses, document_tag, gettext, ngettext, use
from reporter.render.team_pdf import (
    change_heading,
    left_off,
    team_summary,
    vs_previous,
)
from reporter.render.templates import template_errors
from reporter.views import (
    Manager,
    ProgramReportView,
    ProgramRepView,
    ProgramTheme,
    WeakItem,
)

DIGEST_SUBJECT_TEMPLATE = "email/digest_subject.txt"
#: A shortlisted rep's next step on one line: the scenario, the item and a phrasing of up to
#: SUGGESTION_CHARS, which ``step_text`` shortens at a sentence end (or gives the room).
STEP_LINE_CHARS = 2 * NAME_CHARS + SUGGESTION_CHARS * PHRASING_ROOM
DIGEST_TEXT_TEMPLATE = "email/digest.txt"
DIGEST_HTML_TEMPLATE = "email/digest.html"
#: The shortlist's least severity (analytics.attention.SHORTLIST_SEVERITY) as the digest's
#: sentence says it: "2 more reps with a medium or high reason".
URGENCY_WORDS = {3: N_("high"), 2: N_("medium"), 1: N_("low")}
#: Who said a theme's moment, when, and its grade, by grade; any other grade as "not graded".
# Translators: %(name)s is a rep's name, %(day)s a short date like "Oct 2".
QUOTE_BY = {"good": N_("%(name)s, %(day)s, graded good"),
            "mid": N_("%(name)s, %(day)s, graded mid"),
            "bad": N_("%(name)s, %(day)s, graded bad"),
            "not_relevant": N_("%(name)s, %(day)s, graded not relevant"),
            None: N_("%(name)s, %(day)s, graded not graded")}


@dataclass(frozen=True)
class DigestRow:
    """One rep on the 1:1 shortlist, as the team report's page 1 lists them."""

    name: str  # as the team's lists name them (email beside an equal name, former member)
    severity: str  # "High", "Medium"
    reason: str  # the talking point: "Did not pass Silver by Nov 30, 2026"
    best: str  # the best score: "82.0" (a program run's: in the focus scenario)
    latest: str  # the latest score
    change: str  # vs the previous period: "+3.0", "New", "–"
    step: str | None  # the rep's next step, from their own report


@dataclass(frozen=True)
class DigestTheme:
    """One item to coach the team on, with its moment from a call."""

    label: str  # "Discovery › Budget"
    graded: str  # "graded good 12 of 40 (30%); 9 of 12 reps graded mid or bad at least once"
    quote: str | None  # a moment from a call, the rep's own words
    by: str | None  # "Ana Rep, Oct 2, graded bad"
    why: str | None  # the evaluator's feedback on that moment
    try_instead: str | None  # the phrasing to try


@dataclass(frozen=True)
class DigestView:
    manager: str  # the manager's first name, for the greeting
    team: str  # the team's name
    scenario: str  # the scenario's name (a program run's: the program's)
    period: str  # "October 2026"
    company: str  # [branding] company, or the workspace's name
    summary: str  # the team in one sentence: the team report's first
    change_label: str  # "vs Sep 2026" or "Change"
    rows: tuple[DigestRow, ...]  # the 1:1 shortlist, most urgent first
    left_off: int  # reps with a shortlist-severe reason left off it (its cap), first under watch
    watch: tuple[str, ...]  # "keep an eye on": "Name: reason; reason", one line each, the
    # first MAX_WATCHLIST (analytics.attention.watch_named)
    theme: tuple[DigestTheme, ...]  # what to coach the team on
    pdf_filename: str  # the attached team report's file name
    xlsx_filename: str | None  # the attached team workbook's, when one is attached
    original_recipient: str | None  # set on a --to-override trial
    language: str  # the HTML part's lang
    program: bool = False  # a program run's digest: ``scenario`` is the program's name
    watch_more: int = 0  # the reps to keep an eye on past ``watch``, counted, not named
    urgency: str = URGENCY_WORDS[SHORTLIST_SEVERITY]  # the shortlist's least: "medium" (the
    # English word: gettext(URGENCY_WORDS[...]) where shown)
    follow_up: str | None = None  # "7 of 12 reps improved on last month's step", as team.pdf


def _theme(item: WeakItem, label: str | None = None) -> DigestTheme:
    """A team theme as the digest lists it, with its moment (quote, why, phrasing to try) as
    the team report's card shows it."""
    quote = item.quote
    return DigestTheme(
        label=one_line(label or fmt_item(item.criterion, item.item), NAME_CHARS),
        # Translators: %(good)s is like "12 of 40", %(share)s a percentage; %(weak)s of
        # %(num)s reps.
        graded=ngettext("graded good %(good)s (%(share)s); %(weak)s of %(num)s rep graded mid "
                        "or bad at least once",
                        "graded good %(good)s (%(share)s); %(weak)s of %(num)s reps graded mid "
                        "or bad at least once", item.reps_graded,
                        good=fmt_graded_good(item.good, item.graded),
                        share=fmt_share(item.good_share), weak=item.reps_weak),
        quote=one_line(quote.quote, SUGGESTION_CHARS) or None if quote else None,
        by=(one_line(gettext(QUOTE_BY.get(quote.grade, QUOTE_BY[None]), name=item.quote_by,
                             day=fmt_short_day(quote.created_at)), NAME_CHARS)
            if quote else None),
        why=one_line(quote.feedback, FEEDBACK_CHARS) or None if quote else None,
        try_instead=phrasing_line(quote.suggestion) or None if quote else None,
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
    """The digest of one team, from the same team view its team report was drawn from
    (``build_team``): the team in one sentence, the 1:1 shortlist with talking points (best,
    latest and change are the focus scenario's, the one the next step is about: a single
    scenario's run has no other), what to coach the team on, the reps to keep an eye on, and
    what is attached. A program's names the scenario of each next step and theme."""
    single = report.single
    team = build_team(report, entry_members(report.reps, entry), name=entry.group,
                      slug=entry.slug, group=entry.group,
                      manager=Manager(entry.name, entry.email))
    part = team.single
    # The team report's first sentence, for either kind of run: the digest says what the
    # attached report says.
    summary = team_summary(team, report)
    theme = (tuple(_theme(w) for w in part.weakest) if part is not None and single is not None
             else tuple(program_theme(t) for t in team.themes))
    compared = [p for p in report.parts if p.previous_period] or list(report.parts)

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

    return replace(_digest(report, entry, settings, stem, original, team, left=left_off(team),
                           scenario=report.program.name, summary=summary,
                           change_label=(change_heading(compared[0]) if compared
                                         else gettext("Change")),
                           rows=tuple(row(r) for r in team.shortlist), theme=theme,
                           program=single is None), follow_up=team.follow_up)


def _digest(report: ProgramReportView, entry: TeamEntry, settings: EmailSettings, stem: str,
            original: str | None, team: Attending, *, left: int, scenario: str, summary: str,
            change_label: str, rows: tuple[DigestRow, ...], theme: tuple[DigestTheme, ...],
            program: bool = False) -> DigestView:
    """The digest's fields that read the same for every run: the greeting, the team, the
    period, the reps to keep an eye on, what is attached."""
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
        # Translators: a rep to keep an eye on: their name, then their reasons, each a
        # sentence, joined by "; ".
        watch=tuple(one_line(gettext("%(name)s: %(reasons)s", name=team.label(r),
                                     reasons=clauses([a.text for a in r.attention])),
                             FEEDBACK_CHARS)
                    for r in watch_named(team.watchlist)),
        watch_more=watch_unnamed(team.watchlist),
        theme=theme,
        pdf_filename=f"{stem}.pdf",
        xlsx_filename=f"{stem}.xlsx" if entry.xlsx else None,
        original_recipient=original,
        language=document_tag(settings.language),
        program=program,
    )


def program_theme(theme: ProgramTheme) -> DigestTheme:
    """A program's coaching theme as the digest lists it: a skill, or a rubric item named
    after the scenario it comes from ("Objection Handling: Budget", as the attention texts
    name theirs); its line of plain words as the graded line."""
    label = f"{theme.scenario}: {theme.name}" if theme.scenario else theme.name
    if theme.weak is not None:
        return replace(_theme(theme.weak, label), graded=one_line(theme.detail, FEEDBACK_CHARS))
    return DigestTheme(label=one_line(label, NAME_CHARS),
                       graded=one_line(theme.detail, FEEDBACK_CHARS),
                       quote=None, by=None, why=None, try_instead=None)


def build_digests(run_dir: Path, views: RunViews, manifest: Manifest,
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
        report = views.manager(entry.language)  # the team's report's language
        with template_errors(), use(report.language):
            view = digest_view(report, entry, common.settings, stem, original)
            out.append((entry, finish(
                common, msg, entry, env.get_template(DIGEST_SUBJECT_TEMPLATE).render(d=view),
                env.get_template(DIGEST_TEXT_TEMPLATE).render(d=view),
                env.get_template(DIGEST_HTML_TEMPLATE).render(d=view), files)))
    return out
