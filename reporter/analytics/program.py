"""A program's views: each scenario computed as a single-scenario run computes it, then put
side by side per rep, with the rep's skills.

A rep's view is built from the run's header and that rep's record alone (``RunScope.rep``),
so a run draws each rep's PDF as soon as their sessions are in: in each scenario, the same
``build_rep`` and attention rules a single-scenario report applies (a percentile is of the
participants endpoint's best scores, never of the other reps). The team-level figures, each
scenario's report (``build_report`` from the collected views, so a scenario reads the same
in a program report as in its own), the attention order, the 1:1 shortlist and the themes,
are built once every rep is in (``RunScope.report``). A rep assigned a scenario they have
not practised gets a view of it too (no session, their target), built by the same
``build_rep``, so the attention rules (``no_session``, ``past_due_no_attempt``) speak of it.

A rep's focus, the one scenario whose step leads page 1, is where the need is most urgent
and actionable (``focus_row``): an assignment never attempted and past due or not started
("complete one"); else the coaching of a practised scenario, the most urgent by the attention
rules; never "complete one" for a completed assignment. The rep's reasons across the program
are each scenario's, named by it ("Objection Handling: Fell 8.0 points from a best of 76.0").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from reporter import __version__
from reporter.analytics import (
    build_report,
    fetch_info,
    not_found_views,
    previous_info,
    said,
    selection_text,
    workspace_name,
)
from reporter.analytics.attention import at_stake, attention_order, reasons_for, shortlist
from reporter.analytics.bounds import transcripts_within_report
from reporter.analytics.coaching import quoted_moments, step_texts
from reporter.analytics.figures import display_name, finite, text, utc
from reporter.analytics.follow_up import steps_by_user, with_follow_up
from reporter.analytics.moments import quoted_texts
from reporter.analytics.period import report_period
from reporter.analytics.rep import build_rep, rep_context
from reporter.analytics.team import (
    group_text,
    list_names,
    program_themes,
    scenario_team,
    team_part,
)
from reporter.cohort.snapshot import (
    RepRecord,
    SkillRecord,
    Snapshot,
    StepRecord,
    assignment_for,
)
from reporter.exec_api.models import SkillProficiencyEntry
from reporter.i18n import gettext
from reporter.names import SCENARIO_RUN, rep_slug
from reporter.views import (
    ProgramInfo,
    ProgramReportView,
    ProgramRepView,
    ReportView,
    RepView,
    ScenarioInfo,
    ScenarioRow,
    SkillInfo,
    SkillRow,
)


@dataclass(frozen=True)
class StreamedRep:
    """One rep's views, built as their record arrives: their view across the run (what their
    PDF draws) and, per scenario of the run, their view in that scenario's report (None: no
    session in it), kept whole for the scenario's team-level figures at the end."""

    view: ProgramRepView
    parts: tuple[RepView | None, ...]


class RunScope:
    """What every rep's view reads, from the run's header alone (no rep needed): the report's
    header (``report``: the period, the moment it is generated, the scenarios and skills,
    each scenario's cohort: what every rep's PDF shares), each scenario's ``RepContext``, and
    each skill's entries by user id and by address (a program of thousands of reps stays
    linear). ``scenario_run``: a single-scenario run (the program of its one scenario, as
    ``of_scenario`` has it: a rep is one row, the scenario's own reasons)."""

    def __init__(self, header: Snapshot, *, generated_at: datetime | None = None) -> None:
        self.scenario_run = scenario_run = header.kind == SCENARIO_RUN
        self.generated = utc(generated_at) if generated_at else datetime.now(UTC)
        self.ids = tuple(p.scenario.id for p in header.scenarios)
        self.skill_infos = () if scenario_run else program_skills(header)
        self.report = self.report_of(header, ())
        self.period = self.report.period
        self.contexts = {sid: rep_context(header.header().part(sid), self.period)
                         for sid in self.ids}
        self.skills = {r.skill.id: (r, _index(r.proficiency), _index(r.previous or []))
                       for r in header.skills}
        self.steps = steps_by_user(header.previous_steps)

    def rep(self, record: RepRecord) -> StreamedRep:
        """The rep's views (see the module docstring), from their record alone."""
        parts = tuple(self._practised(record, sid) for sid in self.ids)
        if self.scenario_run:
            assert parts[0] is not None, "a single-scenario run's rep has a session in it"
            return StreamedRep(scenario_rep(self.report.scenarios[0], parts[0], self.steps,
                                            self.period.prose), parts)
        rows = tuple(ScenarioRow(scenario=info, rep=view or self._assigned(record, info.id))
                     for info, view in zip(self.report.scenarios, parts, strict=True))
        view = with_follow_up(program_rep(record, rows, self.skill_infos, self.skills),
                              self.steps, self.period.prose, name_scenario=len(self.ids) > 1)
        return StreamedRep(view, parts)

    def _practised(self, record: RepRecord, scenario_id: str) -> RepView | None:
        """The rep's view in a scenario they have a session in, with its reasons, as that
        scenario's report has it (``Snapshot.part``'s record); None: no session."""
        sessions = [s for s in record.sessions if s.scenario.id == scenario_id]
        if not sessions:
            return None
        return self._view(RepRecord(
            user=record.user, is_member=record.is_member, groups=record.groups,
            assignments=record.assignments, sessions=sessions),
            scenario_id)

    def _assigned(self, record: RepRecord, scenario_id: str) -> RepView | None:
        """Assigned a scenario and not practised: a view with no session, built the same
        way; None when not assigned either."""
        assignment = assignment_for(record.assignments, scenario_id)
        if assignment is None:
            return None
        return self._view(RepRecord(user=record.user, is_member=record.is_member,
                                    groups=record.groups, assignments=[assignment]),
                          scenario_id)

    def _view(self, record: RepRecord, scenario_id: str) -> RepView:
        built = build_rep(record, self.contexts[scenario_id])
        return replace(built, attention=reasons_for(built, self.period, self.generated))

    def report_of(self, snapshot: Snapshot,
                  reps: Sequence[StreamedRep]) -> ProgramReportView:
        """The run's report from its snapshot's header (its fetch record, warnings, not
        found) and every rep's views: each scenario's report from its reps' views, then the
        reps across the program, its attention order, shortlist and themes."""
        snapshot = snapshot.header()
        generated = self.generated
        if self.scenario_run:
            return of_scenario(build_report(
                snapshot, [v for r in reps for v in r.parts if v is not None],
                generated_at=generated), snapshot.previous_steps)
        period = report_period(snapshot, (), generated)
        parts = tuple(build_report(snapshot.part(sid),
                                   [v for r in reps if (v := r.parts[i]) is not None],
                                   generated_at=generated)
                      for i, sid in enumerate(self.ids))
        ordered = sorted((r.view for r in reps),
                         key=lambda r: (r.name.casefold(), r.email.casefold(), r.user_id))
        urgent = attention_order(ordered)
        program = snapshot.program
        labels = list_names(ordered)
        scenarios = tuple(p.scenario for p in parts)
        return ProgramReportView(
            workspace_name=workspace_name(snapshot.workspace),
            program=ProgramInfo(kind=program.kind, name=text(program.name) or program.slug,
                                slug=program.slug, id=program.id),
            period=period,
            generated_at=generated,
            tool_version=__version__,
            selection_text=selection_text(snapshot.selection, len(ordered)),
            scenarios=scenarios,
            parts=parts,
            skills=self.skill_infos,
            reps=tuple(ordered),
            not_found=not_found_views(snapshot.not_found),
            fetch=fetch_info(snapshot.fetch),
            warnings=said(snapshot.warnings) + tuple(w for part in parts for w in part.warnings),
            needs_attention=urgent,
            shortlist=shortlist(urgent),
            themes=program_themes(ordered, scenarios, self.skill_infos, labels),
            previous_period=next((previous_info(p.previous) for p in snapshot.scenarios
                                  if p.previous), None),
            labels=labels,
        )


def build_run(snapshot: Snapshot, *,
              generated_at: datetime | None = None) -> ProgramReportView:
    """The run's report, as every writer takes it: a program run's (``build_program``), or a
    scenario run's as the program of its one scenario (``of_scenario``)."""
    if snapshot.kind == SCENARIO_RUN:
        return of_scenario(build_report(snapshot, generated_at=generated_at),
                           snapshot.previous_steps)
    return build_program(snapshot, generated_at=generated_at)


def build_program(snapshot: Snapshot, *,
                  generated_at: datetime | None = None) -> ProgramReportView:
    """The program's report built whole from a snapshot: each rep's views as a run builds
    them on arrival (``RunScope.rep``), then the report from them."""
    scope = RunScope(snapshot, generated_at=generated_at)
    return scope.report_of(snapshot, [scope.rep(r) for r in snapshot.reps])


def of_scenario(report: ReportView,
                steps: Iterable[StepRecord] = ()) -> ProgramReportView:
    """A single-scenario run's report as the program of its one scenario (kind
    ``SCENARIO_RUN``): one part, each rep one row, no skills and no themes, and the scenario's
    own attention order, shortlist and reasons (not prefixed with the scenario's name, since
    there is no other). A writer that takes a program's view writes a scenario's from this,
    as ``ProgramReportView.single`` tells it."""
    scenario = report.scenario
    rows: dict[int, ProgramRepView] = {}
    told = steps_by_user(steps)

    def one(rep: RepView) -> ProgramRepView:  # each RepView's one view, shared by the lists
        if id(rep) not in rows:
            rows[id(rep)] = scenario_rep(scenario, rep, told, report.period.prose)
        return rows[id(rep)]

    return ProgramReportView(
        workspace_name=report.workspace_name,
        program=ProgramInfo(kind=SCENARIO_RUN, name=scenario.name, slug=scenario.slug,
                            id=scenario.id),
        period=report.period, generated_at=report.generated_at,
        tool_version=report.tool_version, selection_text=report.selection_text,
        scenarios=(scenario,), parts=(report,), skills=(), reps=tuple(map(one, report.reps)),
        not_found=report.not_found, fetch=report.fetch, warnings=report.warnings,
        needs_attention=tuple(map(one, report.needs_attention)),
        shortlist=tuple(map(one, report.shortlist)),
        previous_period=report.previous_period, labels=report.labels)


def scenario_rep(scenario: ScenarioInfo, rep: RepView,
                 steps: Mapping[str, StepRecord] | None = None,
                 title: str = "") -> ProgramRepView:
    """A single-scenario run's rep as the program of one holds them: one row, the focus,
    and what became of last period's step (``steps`` by user id, ``title`` this period's)."""
    row = ScenarioRow(scenario=scenario, rep=rep)
    return with_follow_up(ProgramRepView(
        user_id=rep.user_id, email=rep.email, name=rep.name, first_name=rep.first_name,
        slug=rep.slug, is_member=rep.is_member, groups=rep.groups, rows=(row,), skills=(),
        focus=row, attention=rep.attention, step_text=rep.coaching.step_text),
        steps or {}, title, name_scenario=False)


def program_skills(snapshot: Snapshot) -> tuple[SkillInfo, ...]:
    """The skills the program's scenarios evaluate, by name, each naming those scenarios."""
    names = {p.scenario.id: text(p.scenario.name) or p.scenario.slug or p.scenario.id
             for p in snapshot.scenarios}
    out = [SkillInfo(id=r.skill.id, name=text(r.skill.name) or r.skill.slug or r.skill.id,
                     slug=r.skill.slug or r.skill.id,
                     scenarios=tuple(names[s] for s in r.scenario_ids if s in names))
           for r in snapshot.skills]
    return tuple(sorted(out, key=lambda s: (s.name.casefold(), s.id)))


_Index = tuple[dict[str, SkillProficiencyEntry], dict[str, SkillProficiencyEntry]]


def _index(entries: Sequence[SkillProficiencyEntry]) -> _Index:
    """Entries by user id and by case-folded address, the first of each kept."""
    by_id: dict[str, SkillProficiencyEntry] = {}
    by_email: dict[str, SkillProficiencyEntry] = {}
    for entry in entries:
        by_id.setdefault(entry.user.id, entry)
        if entry.user.email:
            by_email.setdefault(entry.user.email.casefold(), entry)
    return by_id, by_email


def program_rep(record: RepRecord, rows: tuple[ScenarioRow, ...],
                skills: Sequence[SkillInfo],
                entries: dict[str, tuple[SkillRecord, _Index, _Index]]) -> ProgramRepView:
    """One rep across the program (see the module docstring): ``rows`` their view in each
    scenario, ``entries`` each skill's proficiency, indexed (``RunScope.skills``)."""
    user = record.user
    email = (user.email or "").strip()
    name, first_name = display_name(user)
    rows = _moments_within_report(_transcripts_within_report(rows))
    reasons = sorted(
        # Translators: a rep's attention reason across a program, named by its scenario.
        (replace(reason, text=gettext("%(scenario)s: %(reason)s", scenario=row.scenario.name,
                                      reason=reason.text))
         for row in rows if row.rep for reason in row.rep.attention),
        key=lambda r: (-r.severity, -r.points))
    focus = focus_row(rows)
    return ProgramRepView(
        user_id=user.id, email=email, name=name, first_name=first_name,
        slug=rep_slug(name, email or user.id), is_member=record.is_member,
        groups=tuple(g for g in (text(x) for x in record.groups) if g),
        rows=rows,
        skills=tuple(skill_row(info, *entries[info.id], user.id, email) for info in skills),
        focus=focus,
        attention=tuple(reasons),
        step_text=program_step_text(focus),
    )


def _transcripts_within_report(rows: tuple[ScenarioRow, ...]) -> tuple[ScenarioRow, ...]:
    """The rows with their transcripts cut to TRANSCRIPT_LINES_PER_REPORT together, in the
    order the report prints them (program order)."""
    views = [row.rep if row.practised else None for row in rows]
    bounded = transcripts_within_report([v.transcript if v else None for v in views])
    return tuple(row if view is None or view.transcript is transcript
                 else replace(row, rep=replace(view, transcript=transcript))
                 for row, view, transcript in zip(rows, views, bounded, strict=True))


def _moments_within_report(rows: tuple[ScenarioRow, ...]) -> tuple[ScenarioRow, ...]:
    """The rows with no words quoted twice in the one report: each practised scenario's
    "Moments that mattered" chosen again (``coaching.quoted_moments``) around the words every
    scenario's next step quotes and the moments of the scenarios printed before it."""
    views = [row.rep if row.practised else None for row in rows]
    taken: set[str] = {t for v in views if v for t in step_texts(v.coaching.next_step)}
    out = []
    for row, view in zip(rows, views, strict=True):
        if view is None:
            out.append(row)
            continue
        valid = {a.session_id for a in view.attempts if a.is_valid}
        plan = view.coaching
        moments = quoted_moments(plan.next_step, [m for m in view.feedback_examples
                                                  if m.session_id in valid], taken)
        taken.update(t for m in moments for t in quoted_texts(m))
        out.append(row if moments == plan.moments else replace(
            row, rep=replace(view, coaching=replace(plan, moments=moments))))
    return tuple(out)


#: Exec's statuses under which an assignment never attempted is the rep's most urgent step.
FIRST_ATTEMPT_DUE = ("past_due", "not_started")
#: The order of a practised scenario's step kinds when two scenarios are equally urgent.
_KIND_ORDER = {"coach": 0, "polish": 1, "keep": 2}


def never_attempted(row: ScenarioRow) -> bool:
    """Assigned, past due or not started in Exec, and no valid attempt ever: none in the
    period and no best score on the assignment (``Target.assignment_best``)."""
    rep, target = row.rep, row.target
    return (rep is not None and target is not None and not rep.has_valid_attempt
            and target.status in FIRST_ATTEMPT_DUE and target.assignment_best is None)


def focus_row(rows: Sequence[ScenarioRow]) -> ScenarioRow | None:
    """The scenario whose step leads the rep's page 1: where the need is most urgent and
    actionable, by one rule (docs/reports.md, "The next step").

    1. An assignment never attempted that is past due or not started (``never_attempted``):
       "complete one"; past due first, then the earliest due, then program order.
    2. Else the coaching of a practised scenario (a valid attempt and a step): the most
       urgent by the attention rules (severity, then points at stake), then a focus area
       before a polish before a keep, then the earliest due, then program order.
    3. Else a scenario without a valid attempt whose assignment is not completed:
       "complete one" (a completed assignment never is).
    4. Else the first scenario the rep has a view in, with no step.
    """
    candidates = [(i, r) for i, r in enumerate(rows) if r.rep is not None]
    if not candidates:
        return None

    def due(row: ScenarioRow) -> tuple[bool, datetime]:
        at = row.target.due if row.target and row.target.due else None
        return at is None, at or _EARLIEST

    first = [(not (r.target and r.target.past_due), *due(r), i, r) for i, r in candidates
             if never_attempted(r)]
    if first:
        return min(first, key=lambda t: t[:4])[-1]
    coached = []
    for i, r in candidates:
        assert r.rep is not None
        kind = r.rep.coaching.step_kind
        if r.rep.has_valid_attempt and kind in _KIND_ORDER:
            coached.append((-r.rep.severity, -at_stake(r.rep), _KIND_ORDER[kind], *due(r), i, r))
    if coached:
        return min(coached, key=lambda t: t[:6])[-1]
    rest = [(i, r) for i, r in candidates
            if r.rep is not None and r.rep.coaching.step_kind == "complete"]
    return (rest or candidates)[0][1]


def program_step_text(focus: ScenarioRow | None) -> str | None:
    """The rep's one step across the program: the focus scenario's, named by it ("Objection
    Handling: …", "Complete one full, graded roleplay of “Objection Handling”")."""
    if focus is None or focus.rep is None or focus.rep.coaching.step_text is None:
        return None
    if focus.rep.coaching.step_kind == "complete":
        # Translators: a rep's next step across a program; %(scenario)s is a scenario's name.
        # The same words as "Complete one full, graded roleplay" alone.
        return gettext("Complete one full, graded roleplay of “%(scenario)s”",
                       scenario=focus.scenario.name)
    # Translators: a rep's next step across a program, named by its scenario.
    return gettext("%(scenario)s: %(step)s", scenario=focus.scenario.name,
                   step=focus.rep.coaching.step_text)


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def skill_row(info: SkillInfo, record: SkillRecord, current: _Index, earlier: _Index,
              user_id: str, email: str) -> SkillRow:
    """The rep's entry in the skill's proficiency lists (by user id, else by address)."""
    now = _entry(current, user_id, email)
    before = _entry(earlier, user_id, email)
    score = finite(now.score) if now else None
    previous = finite(before.score) if before else None
    return SkillRow(
        skill=info,
        tier=now.tier if now else None,
        score=score,
        observations=(now.observation_count or 0) if now else 0,
        last_practised=utc(now.last_practiced_at) if now and now.last_practiced_at else None,
        previous_tier=before.tier if before else None,
        previous_score=previous,
        change=score - previous if score is not None and previous is not None else None,
        compared=record.previous is not None,
    )


def _entry(index: _Index, user_id: str, email: str) -> SkillProficiencyEntry | None:
    by_id, by_email = index
    return by_id.get(user_id) or (by_email.get(email.casefold()) if email else None)



def team_report(report: ProgramReportView, user_ids: Collection[str], *, name: str,
                group: str | None) -> ProgramReportView:
    """The run's report narrowed to a team's reps, for the team's workbook: each scenario
    narrowed by ``team_part``, and the team's own attention order and 1:1 shortlist across
    the program (a single-scenario run's: its one part, its one scenario's order)."""
    keep = set(user_ids)
    reps = tuple(r for r in report.reps if r.user_id in keep)
    parts = tuple(team_part(part, scenario_team([r for r in part.reps if r.user_id in keep],
                                                name=name, group=group))
                  for part in report.parts)
    urgent = attention_order(reps)
    return replace(
        report, reps=reps, parts=parts, needs_attention=urgent, shortlist=shortlist(urgent),
        labels=list_names(reps), not_found=(),
        selection_text=group_text(name) if group else report.selection_text,
        warnings=tuple(w for part in parts for w in part.warnings))
