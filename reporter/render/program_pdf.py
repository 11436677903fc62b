"""A rep's program report: one PDF for every scenario of the program they practised.

Page 1 is the program at a glance: a row per scenario (best and rank, change against the
previous period, valid attempts, the assignment's target, Exec's status and due date), the
rep's skills as Exec's proficiency has them, and one next step for the whole program: the
focus scenario's (``ProgramRepView.focus``, the most urgent by the attention rules), with its
verdict headline and the same call-out the single-scenario page 1 prints. Then one section per
practised scenario, in program order: that scenario's own report pages, drawn by the same
partials from its ``ReportView`` (``report.part(id)``) and the rep's ``RepView`` of it, so a
scenario reads the same in the program's report as in its own. A scenario the rep did not
practise gets a row, never an empty section; a rep who practised none gets page 1 alone.

Same layout, stylesheet, fonts and renderer as the rep's report (``reporter.render.pdf``);
every choice is made here and the templates only format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from reporter.format import (
    NEW_REP_LABEL,
    NOT_PRACTISED,
    fmt_assignment_status,
    fmt_points,
    fmt_rank,
    fmt_target,
    fmt_tier,
)
from reporter.render.pdf import PdfRenderer, build_context
from reporter.render.team_pdf import change_heading, vs_previous
from reporter.render.templates import template_errors
from reporter.views import (
    PeriodInfo,
    ProgramReportView,
    ProgramRepView,
    ScenarioInfo,
    ScenarioRow,
    SkillRow,
)

PROGRAM_TEMPLATE = "rep/program.html"
SECTION_TEMPLATE = "rep/section.html"
#: How long the list of scenarios under a skill's name may run on page 1 (one line).
SKILL_SCENARIO_CHARS = 64


@dataclass(frozen=True)
class ProgramHeading:
    """What the layout every PDF shares (layout.html, header.html) reads from ``report``:
    for a program, the program's name stands where a scenario's would, so the title block and
    the running header read "Ada Lovelace · Core Sales Conversations · October 2026"."""

    workspace_name: str
    scenario: ScenarioInfo
    period: PeriodInfo
    generated_at: datetime
    tool_version: str


@dataclass(frozen=True)
class ProgramLine:
    """One row of page 1's scenario table, decided here."""

    row: ScenarioRow
    practised: bool
    valid: str  # "2 of 3"
    change: str  # "+7.0", "New", "–"
    target: str  # the required rank, or "–"
    status: str | None  # Exec's status in words; None: no assignment
    state: str | None  # the target's colour (Target.state)
    due: datetime | None
    due_line: str | None  # an unpractised scenario: what is due, as the target line says it


@dataclass(frozen=True)
class SkillLine:
    row: SkillRow
    label: str  # "Proficient", "Not enough practice yet", "Not practised"
    tiered: bool  # a tier to show as a label (not a plain statement)
    change: str  # "+7.4", "New", "–"
    was: str | None  # "was Developing", when the tier changed


@dataclass(frozen=True)
class ProgramSection:
    scenario: ScenarioInfo
    html: Markup


def program_heading(report: ProgramReportView) -> ProgramHeading:
    program = report.program
    return ProgramHeading(
        workspace_name=report.workspace_name,
        scenario=ScenarioInfo(id=program.id or program.slug, name=program.name,
                              slug=program.slug),
        period=report.period, generated_at=report.generated_at,
        tool_version=report.tool_version)


def program_line(row: ScenarioRow) -> ProgramLine:
    rep, target = row.rep, row.target
    assigned = target is not None and (target.status is not None or target.due is not None
                                       or target.required_rank is not None)
    return ProgramLine(
        row=row,
        practised=row.practised,
        valid=f"{rep.valid_count} of {rep.session_count}" if rep and row.practised else "–",
        change=vs_previous(rep.comparison) if rep and row.practised else "–",
        target=fmt_rank(target.required_rank) if target and target.required_rank else "–",
        status=((fmt_assignment_status(target.status) or "Assigned") if target and assigned
                else None),
        state=target.state if target and assigned else None,
        due=target.due if target else None,
        due_line=(fmt_target(target, None) if target and assigned and not row.practised
                  else None),
    )


def skill_change(row: SkillRow) -> str:
    """The change against the previous period's proficiency: "+7.4"; "New" for a skill
    observed now and not then; "–" when nothing can be compared."""
    if not row.compared:
        return "–"
    if row.change is not None:
        return fmt_points(row.change)
    if row.previous_tier is None and row.tier is not None:
        return NEW_REP_LABEL
    return "–"


def skill_line(row: SkillRow) -> SkillLine:
    tiered = row.tier is not None and row.tier != "insufficient_data"
    # An earlier tier is said only when it was one (under three observations there was none
    # to move from: the change reads "–" or "New").
    before = fmt_tier(row.previous_tier)
    was = (f"was {before[:1].lower()}{before[1:]}" if row.compared and row.previous_tier
           and row.previous_tier not in (row.tier, "insufficient_data") else None)
    return SkillLine(row=row, label=fmt_tier(row.tier), tiered=tiered,
                     change=skill_change(row), was=was)


def program_summary(report: ProgramReportView, rep: ProgramRepView) -> str:
    """Page 1's first sentence: how much of the program the rep practised, and the
    assignments by state: "Ben, you practised 1 of 3 scenarios of Core Sales Conversations in
    October 2026, with 3 valid attempts. Assignments: 1 open, 1 past due."."""
    period = report.period
    when = f"{period.prose}{'' if period.finished else ' so far'}"
    total, practised = len(rep.rows), len(rep.practised)
    program = report.program.name
    if practised == 0:
        text = f"{rep.first_name}, you did not practise any scenario of {program} in {when}."
    else:
        valid = sum(r.rep.valid_count for r in rep.practised if r.rep)
        share = (f"all {total} scenarios" if practised == total and total > 1
                 else f"{practised} of {total} scenario{'' if total == 1 else 's'}")
        text = (f"{rep.first_name}, you practised {share} of {program} in {when}, with "
                f"{valid} valid attempt{'' if valid == 1 else 's'}.")
    states = [line.state for line in map(program_line, rep.rows) if line.state is not None]
    counts = ((sum(1 for x in states if x == "met"), "completed"),
              (sum(1 for x in states if x == "open"), "open"),
              (sum(1 for x in states if x == "past_due"), "past due"),
              (sum(1 for x in states if x == "did_not_pass"), "not passed"))
    if states:
        text += " Assignments: " + ", ".join(f"{n} {word}" for n, word in counts if n) + "."
    return text


def program_sections(renderer: PdfRenderer, report: ProgramReportView,
                     rep: ProgramRepView) -> tuple[ProgramSection, ...]:
    """Each practised scenario's pages, drawn by the single-scenario partials with that
    scenario's report and the rep's view of it, under a heading naming the scenario."""
    sections = []
    total = len(report.scenarios)
    for row in rep.practised:
        assert row.rep is not None, "a practised row has the rep's view"
        part = report.part(row.scenario.id)
        context = build_context(part, row.rep, renderer.options, renderer.assets)
        index = [s.id for s in report.scenarios].index(row.scenario.id) + 1
        with template_errors():
            html = renderer.env.get_template(SECTION_TEMPLATE).render(
                **context, program=report.program, position=f"Scenario {index} of {total}")
        sections.append(ProgramSection(row.scenario, Markup(html)))
    return tuple(sections)


def build_program_context(report: ProgramReportView, rep: ProgramRepView,
                          renderer: PdfRenderer) -> dict[str, Any]:
    """Everything page 1 prints, and the sections after it, already chosen and ordered."""
    options = renderer.options
    brand = options.branding
    period = report.period
    program = report.program
    focus = rep.focus
    focus_rep = focus.rep if focus else None
    verdict = focus_rep.verdict if focus_rep else None
    previous = next((p for p in report.parts if p.previous_period), None)
    return {
        "report": program_heading(report),
        "program": program,
        "rep": rep,
        "company": brand.company,
        "logo_url": renderer.assets.logo_url,
        "title": f"Program report: {rep.name}: {program.name} ({period.prose})",
        "doc_type": "Program coaching report",
        "heading": rep.name,
        "subheading": None,
        "confidential": "Confidential coaching material",
        "author": brand.company or report.workspace_name,
        "description": (f"Roleplay coaching report for {rep.name}, program {program.name} "
                        f"({len(report.scenarios)} scenarios), period {period.prose}"),
        "created": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "language": options.language,
        "summary": program_summary(report, rep),
        "lines": tuple(program_line(row) for row in rep.rows),
        "change_heading": change_heading(previous) if previous else "Change",
        "skills": tuple(skill_line(row) for row in rep.skills),
        "not_practised": NOT_PRACTISED,
        "skill_scenario_chars": SKILL_SCENARIO_CHARS,
        "focus": focus,
        "focus_headline": verdict.headline if verdict else None,
        "target_line": verdict.target_line if verdict else None,
        "target_state": (focus_rep.coaching.target.state
                         if focus_rep and focus_rep.coaching.target else None),
        "step": focus_rep.coaching.next_step if focus_rep else None,
        # The focus scenario's step line: the line above names the scenario, so the call-out
        # says the rest of the program's step (ProgramRepView.step_text) in its words; "complete
        # one" names the scenario itself.
        "step_text": (rep.step_text if focus_rep is None
                      or focus_rep.coaching.step_kind == "complete"
                      else focus_rep.coaching.step_text),
        "first_attempt": (focus_rep is not None
                          and focus_rep.coaching.step_kind == "complete"),
        "sections": program_sections(renderer, report, rep),
    }


def program_rep_html(renderer: PdfRenderer, report: ProgramReportView,
                     rep: ProgramRepView) -> str:
    with template_errors():
        return renderer.env.get_template(PROGRAM_TEMPLATE).render(
            **build_program_context(report, rep, renderer))


def render_program_rep(renderer: PdfRenderer, report: ProgramReportView,
                       rep: ProgramRepView) -> tuple[bytes, int]:
    """(PDF bytes, page count) of the rep's program report."""
    return renderer.pdf(program_rep_html(renderer, report, rep))
