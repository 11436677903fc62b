"""The rep's email as its templates receive it: the verdict, the next step, and, in a program
run, a line per scenario, each shortened to what a mail client shows. Every text here came
from the API, so each is one line and capped (``one_line``); the templates only format it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from reporter.deliver.addresses import (
    NAME_CHARS,
    EmailSettings,
    one_line,
)
from reporter.format import (
    PHRASING_ROOM,
    RANK_LABELS,
    TARGET_TONES,
    TONES,
    clip_phrasing,
    fmt_decline,
    fmt_direction,
    fmt_item,
    fmt_ordinal,
    fmt_point_count,
    fmt_points,
    fmt_practised,
    fmt_rank,
    fmt_rank_gap,
    fmt_score,
)
from reporter.i18n import document_tag, gettext, ngettext, pgettext
from reporter.views import (
    ProgramReportView,
    ProgramRepView,
    ReportView,
    RepView,
    ScenarioRow,
)

FEEDBACK_CHARS = 400
SUGGESTION_CHARS = 300
HEADLINE_CHARS = 600


@dataclass(frozen=True)
class StepView:
    """The coaching plan's next step, one line per part, as the PDF's page 1 says it."""

    kind: str  # "focus", "polish", "keep", or "complete" (no valid attempt yet)
    text: str  # the step in the words every output prints (CoachingPlan.step_text)
    label: str  # "Discovery › Pain quantified"; "" for "complete"
    said: str | None  # the rep's own words
    suggestion: str | None  # without a leading "Try:"; the template adds its own label
    feedback: str | None  # why: the evaluator's feedback
    from_feedback: bool  # no phrasing was suggested: the step rests on the feedback


@dataclass(frozen=True)
class EmailView:
    first_name: str  # the rep's, for the greeting ("there" when none is known)
    has_valid_attempt: bool  # False: the email asks for a first graded attempt
    scenario: str  # the scenario's name (a program run's: the focus scenario's)
    period: str  # "October 2026"
    period_finished: bool  # False: the period is still running ("so far")
    company: str  # [branding] company, or the workspace's name
    headline: str  # the verdict's sentence, as page 1 of the PDF leads with it
    best: str  # "91.0 (Gold)"
    lift: str | None  # "+39.0 points since your first valid attempt"
    latest: str | None  # "61.0, 13.6 below your best" when the rep slipped
    rank_gap: str | None  # "0.4 points from Silver"
    target: str | None  # the verdict's target line, as the PDF prints it
    target_ink: str  # the target's colours, the PDF's (format.TARGET_TONES)
    target_bg: str  # the target line's background
    attempts: str  # "5 valid of 6 sessions"
    percentile: str | None  # "88th percentile of everyone who practised"
    session_count: int  # sessions started in the period
    focus: StepView | None  # the next step, as the PDF's page 1 says it; None: none
    pdf_filename: str  # the attached report's file name
    original_recipient: str | None  # set on a --to-override trial
    language: str  # the HTML part's lang
    # A program run's email (None / empty for one scenario's): the program's name, and one
    # line per scenario, program order; the fields above are then the focus scenario's
    # (``scenario`` names it, ``headline`` is its verdict), as page 1 leads with it.
    program: str | None = None  # the program's name; None: a single-scenario run's email
    rows: tuple[ScenarioLine, ...] = ()  # a line per scenario, program order
    practised: str | None = None  # "2 of 3 scenarios practised"
    follow_up: str | None = None  # last month's step and what became of it, as page 1 says it


@dataclass(frozen=True)
class ScenarioLine:
    """One scenario of the program in the rep's email, as page 1's row says it in words."""

    scenario: str
    status: str  # "best 82.0 (Silver), 2 valid of 2 sessions, +7.0 vs September 2026"
    target: str | None  # the assignment's line, the verdict's (as the PDF prints it)


def _progress(direction: str | None, lift: float | None) -> str | None:
    """The verdict's direction with the lift (best minus first) in words: "Slipping: +4.4
    points from your first valid attempt to your best"; a best that came first says so."""
    if lift is None:
        return None
    label = fmt_direction(direction)
    if lift > 0:
        points = fmt_point_count(lift)
        if label:
            # Translators: %(direction)s is the verdict's direction ("Improving", "Holding
            # steady", "Slipping"); %(points)s a distance like "4.4 points".
            return gettext("%(direction)s: +%(points)s from your first valid attempt to your "
                           "best", direction=label, points=points)
        # Translators: %(points)s is a distance like "4.4 points".
        return gettext("+%(points)s from your first valid attempt to your best", points=points)
    if label:
        # Translators: %(direction)s is the verdict's direction ("Improving", "Slipping").
        return gettext("%(direction)s: your best was your first valid attempt", direction=label)
    return gettext("your best was your first valid attempt")


def _first_name(rep: RepView | ProgramRepView) -> str:
    """The name the greeting says ("Hi %(name)s,"), or a word standing for it."""
    # Translators: stands for the name in "Hi %(name)s," when the rep's name is not known.
    return one_line(rep.first_name or rep.name, NAME_CHARS) or pgettext("greeting", "there")


def phrasing_line(text: str | None) -> str:
    """A phrasing to try on one line, shortened only at a sentence end (``clip_phrasing``:
    up to SUGGESTION_CHARS, or the room its first sentence needs)."""
    return one_line(clip_phrasing(one_line(text, len(text or "")), SUGGESTION_CHARS),
                    SUGGESTION_CHARS * PHRASING_ROOM + 2)


def _suggestion(text: str | None) -> str | None:
    text = phrasing_line(text)
    text = re.sub(r"^try\s*:\s*", "", text, flags=re.IGNORECASE).strip()
    return text.strip("\"“”") or None


def scenario_view(report: ReportView, rep: RepView, settings: EmailSettings,
                  pdf_filename: str, original_recipient: str | None = None) -> EmailView:
    """The rep's email about one scenario: its verdict, best, target and next step."""
    plan = rep.coaching
    verdict = rep.verdict
    assert verdict is not None, "build_rep sets the verdict"
    ink, bg = TONES[TARGET_TONES[plan.target.state if plan.target else "open"]]
    step = plan.next_step
    focus = None
    if step is not None and plan.step_text:
        focus = StepView(
            kind=step.kind,
            text=one_line(plan.step_text, SUGGESTION_CHARS),
            label=one_line(fmt_item(step.criterion, step.item), NAME_CHARS),
            said=one_line(step.said, SUGGESTION_CHARS) or None,
            suggestion=_suggestion(step.try_instead),
            feedback=one_line(step.why, FEEDBACK_CHARS) or None,
            from_feedback=step.source == "feedback",
        )
    elif plan.step_text:
        focus = StepView(kind="complete", text=one_line(plan.step_text, SUGGESTION_CHARS),
                         label="", said=None, suggestion=None, feedback=None,
                         from_feedback=False)
    return EmailView(
        first_name=_first_name(rep),
        has_valid_attempt=rep.has_valid_attempt,
        scenario=one_line(report.scenario.name, NAME_CHARS),
        period=one_line(report.period.prose, NAME_CHARS),
        period_finished=report.period.finished,
        company=one_line(settings.company or report.workspace_name, NAME_CHARS),
        headline=one_line(verdict.headline, HEADLINE_CHARS),
        best=_best(rep),
        lift=_progress(verdict.direction, rep.lift),
        latest=fmt_decline(plan.decline),
        rank_gap=fmt_rank_gap(verdict.rank_hint),
        target=verdict.target_line,
        target_ink=ink,
        target_bg=bg,
        attempts=_attempts(rep),
        # Translators: %(ordinal)s is an ordinal number like "88th".
        percentile=(gettext("%(ordinal)s percentile of everyone who practised",
                            ordinal=fmt_ordinal(rep.percentile))
                    if verdict.percentile_in_headline else None),
        session_count=rep.session_count,
        focus=focus,
        pdf_filename=pdf_filename,
        original_recipient=original_recipient,
        language=document_tag(settings.language),
    )


def _best(rep: RepView) -> str:
    """"91.0 (Gold)": the best score with its rank."""
    best = fmt_score(rep.best_score)
    if rep.best_rank in RANK_LABELS and rep.best_score is not None:
        # Translators: a score with its rank: "91.0 (Gold)".
        best = gettext("%(score)s (%(rank)s)", score=best, rank=fmt_rank(rep.best_rank))
    return best


def _attempts(rep: RepView) -> str:
    """"5 valid of 6 sessions"."""
    # Translators: valid attempts of the sessions a rep started: "5 valid of 6 sessions".
    return ngettext("%(valid)s valid of %(num)s session", "%(valid)s valid of %(num)s sessions",
                    rep.session_count, valid=rep.valid_count)


def scenario_line(row: ScenarioRow) -> ScenarioLine:
    """The rep in one scenario of the program, in a few words: their best and its change, or
    that they have not practised it; the assignment's line beside it."""
    rep = row.rep
    name = one_line(row.scenario.name, NAME_CHARS)
    if rep is None or rep.session_count == 0:
        status = fmt_practised(False)
    elif not rep.has_valid_attempt:
        # Translators: %(attempts)s is like "0 valid of 2 sessions".
        status = gettext("%(attempts)s, no valid attempt", attempts=_attempts(rep))
    else:
        compared = rep.comparison
        if compared is not None and compared.change is not None:
            # Translators: a scenario's line in the rep's email: "best 82.0 (Silver), 2 valid
            # of 2 sessions, +7.0 vs September 2026"; %(period)s is the previous period.
            status = gettext("best %(best)s, %(attempts)s, %(change)s vs %(period)s",
                             best=_best(rep), attempts=_attempts(rep),
                             change=fmt_points(compared.change), period=compared.period_title)
        else:
            # Translators: "best 82.0 (Silver), 2 valid of 2 sessions".
            status = gettext("best %(best)s, %(attempts)s", best=_best(rep),
                             attempts=_attempts(rep))
    target = rep.verdict.target_line if rep is not None and rep.verdict else None
    return ScenarioLine(scenario=name, status=status, target=target)


def build_view(report: ProgramReportView, rep: ProgramRepView,
                       settings: EmailSettings, pdf_filename: str,
                       original_recipient: str | None = None) -> EmailView:
    """The rep's email: the focus scenario's view (``scenario_view`` on that scenario's
    report, as page 1 leads with its verdict); for a program, with the program and a line per
    scenario. A single-scenario run (``report.single``) is its one scenario's view alone."""
    follow_up = (one_line(rep.follow_up.sentence, FEEDBACK_CHARS) or None
                 if rep.follow_up else None)
    if report.single is not None and rep.focus is not None and rep.focus.rep is not None:
        return replace(scenario_view(report.single, rep.focus.rep, settings, pdf_filename,
                                     original_recipient), follow_up=follow_up)
    rows = tuple(scenario_line(row) for row in rep.rows)
    practised = ngettext("%(practised)s of %(num)s scenario practised",
                         "%(practised)s of %(num)s scenarios practised", len(rep.rows),
                         practised=len(rep.practised))
    program = one_line(report.program.name, NAME_CHARS)
    focus = rep.focus
    if focus is not None and focus.rep is not None:
        view = scenario_view(report.part(focus.scenario.id), focus.rep, settings,
                             pdf_filename, original_recipient)
    else:  # nothing practised, nothing assigned: the lines say so, no verdict to lead with
        view = EmailView(
            first_name=_first_name(rep),
            has_valid_attempt=False, scenario=program,
            period=one_line(report.period.prose, NAME_CHARS),
            period_finished=report.period.finished,
            company=one_line(settings.company or report.workspace_name, NAME_CHARS),
            headline="", best=fmt_score(None), lift=None, latest=None, rank_gap=None,
            target=None, target_ink=TONES[TARGET_TONES["open"]][0],
            target_bg=TONES[TARGET_TONES["open"]][1], attempts="", percentile=None,
            session_count=0, focus=None, pdf_filename=pdf_filename,
            original_recipient=original_recipient,
            language=document_tag(settings.language))
    step = view.focus
    if step is not None and rep.step_text:  # the program's step, named by its scenario
        step = replace(step, text=one_line(rep.step_text, SUGGESTION_CHARS))
    return replace(view, program=program, rows=rows, practised=practised,
                   has_valid_attempt=rep.has_valid_attempt,
                   focus=step if rep.step_text else None, follow_up=follow_up)


def view_of(report: ProgramReportView, rep: ProgramRepView,
            settings: EmailSettings) -> Callable[[str, str | None], EmailView]:
    """The rep's email view, given its attachment's name and a trial's original recipient."""
    return lambda pdf, original: build_view(report, rep, settings, pdf, original)
