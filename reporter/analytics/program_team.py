"""The manager's view across a program: who needs a 1:1 (across scenarios), a rep x scenario
matrix, a rep x skill heatmap of Exec's tiers, and what to coach the team on.

Built from the program's reps (``ProgramRepView``), never from the snapshot again, so the
team's PDF reads the same reasons, bests and tiers as each rep's own program report. The
attention rules are the single-scenario ones (``analytics.attention``): a program rep's reasons
are each scenario's, named by it, so the shortlist and "keep an eye on" work across scenarios
unchanged. A team is a ``[teams]`` group, as for one scenario (``analytics.team.team_groups``);
the whole selection is a team too.

What to coach the team on (``ProgramTheme``), in this order:

- skills: at most MAX_SKILL_THEMES skills with the most reps at developing or needs work in
  Exec's proficiency (at least MIN_THEME_REPS of them: one rep's weak skill is that rep's
  1:1), then the larger share of the reps with a score, then more at needs work, then name;
- rubric items: the team report's weakest items (``analytics.team.weakest_items``, the same
  rule) of each scenario, the MAX_WEAK_ITEMS weakest across the program by the same order
  (lowest share graded good, more sessions, then program and rubric order), each naming the
  scenario it comes from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reporter.analytics.attention import attention_order, shortlist, watchlist
from reporter.analytics.figures import mean
from reporter.analytics.moments import quoted_texts
from reporter.analytics.team import (
    MAX_WEAK_ITEMS,
    MIN_THEME_REPS,
    WHOLE_SELECTION,
    GroupInfo,
    item_totals,
    list_names,
    rubric_items,
    status_counts,
    team_groups,
    theme_quote,
    weakest_items,
)
from reporter.format import fmt_item, fmt_weak_item
from reporter.ranks import TIERS
from reporter.views import (
    Manager,
    ProgramCell,
    ProgramMatrixRow,
    ProgramReportView,
    ProgramRepView,
    ProgramScenarioColumn,
    ProgramSkillRow,
    ProgramTeamView,
    ProgramTheme,
    RepView,
    ScenarioInfo,
    ScenarioRow,
    SkillInfo,
    SkillRow,
    TierCount,
    WeakItem,
)

#: At most this many skills are themes.
MAX_SKILL_THEMES = 2
#: The tiers a skill theme counts: a rep here has the skill to work on.
WEAK_TIERS: tuple[str, ...] = ("developing", "needs_work")
#: Tiers that carry a score (the others: too few observations, or none).
SCORED_TIERS: tuple[str, ...] = tuple(t for t in TIERS if t != "insufficient_data")
#: The matrix cell's states, for the templates and tests.
CELL_STATES: tuple[str, ...] = ("practised", "no_valid", "not_practised", "not_assigned")


def cell_for(row: ScenarioRow) -> ProgramCell:
    """The rep's matrix cell in one scenario (CELL_STATES: a valid attempt, sessions none
    valid, assigned and not practised, neither)."""
    rep = row.rep
    if rep is None:
        return ProgramCell("not_assigned", None, None, None, None, 0, 0, 0)
    target = rep.coaching.target
    state = ("not_practised" if rep.session_count == 0
             else "no_valid" if not rep.has_valid_attempt else "practised")
    return ProgramCell(state, rep.best_score, rep.best_rank,
                       target.status if target else None, target.due if target else None,
                       rep.valid_count, rep.session_count, rep.severity)


def scenario_views(reps: Sequence[ProgramRepView], scenario_id: str) -> list[RepView]:
    """Each rep's view in one scenario, where they have one (a session or an assignment)."""
    return [row.rep for rep in reps for row in rep.rows
            if row.scenario.id == scenario_id and row.rep is not None]


def column_for(reps: Sequence[ProgramRepView], scenario: ScenarioInfo) -> ProgramScenarioColumn:
    views = scenario_views(reps, scenario.id)
    bests = [v.best_score for v in views if v.best_score is not None]
    return ProgramScenarioColumn(
        scenario=scenario,
        practised=sum(1 for v in views if v.session_count),
        assigned=sum(1 for v in views if v.coaching.target is not None),
        with_valid=sum(1 for v in views if v.has_valid_attempt),
        average_best=mean(bests))


def skill_cells(rep: ProgramRepView, skills: Sequence[SkillInfo]) -> tuple[SkillRow, ...]:
    """The rep's proficiency rows aligned with ``skills`` (by id)."""
    by_id = {row.skill.id: row for row in rep.skills}
    return tuple(by_id.get(s.id) or SkillRow(s, None, None, 0, None, None, None, None, False)
                 for s in skills)


def tier_counts(rows: Sequence[SkillRow]) -> tuple[TierCount, ...]:
    """How many of ``rows`` are at each of Exec's tiers (best first), then with no
    observation."""
    return tuple(TierCount(tier, sum(1 for r in rows if r.tier == tier))
                 for tier in (*TIERS, None))


def skill_themes(reps: Sequence[ProgramRepView],
                 skills: Sequence[SkillInfo]) -> list[ProgramTheme]:
    """The skill themes (module docstring's rule)."""
    candidates = []
    for skill in skills:
        rows = [skill_cells(rep, (skill,))[0] for rep in reps]
        seen = sum(1 for r in rows if r.tier in SCORED_TIERS)
        weak = sum(1 for r in rows if r.tier in WEAK_TIERS)
        needs_work = sum(1 for r in rows if r.tier == "needs_work")
        if weak >= MIN_THEME_REPS:
            candidates.append(((-weak, -weak / seen, -needs_work, skill.name.casefold()),
                               skill, weak, seen, needs_work))
    out = []
    for _, skill, weak, seen, needs_work in sorted(candidates, key=lambda c: c[0]):
        detail = (f"{weak} of {seen} reps with a score at developing or needs work"
                  + (f" ({needs_work} at needs work)" if needs_work else ""))
        out.append(ProgramTheme(kind="skill", name=skill.name, scenario=None, reps_weak=weak,
                                reps_seen=seen, detail=detail, skill=skill))
    return out[:MAX_SKILL_THEMES]


def item_theme(weak: WeakItem, scenario: ScenarioInfo) -> ProgramTheme:
    return ProgramTheme(
        kind="item", name=fmt_item(weak.criterion, weak.item), scenario=scenario.name,
        reps_weak=weak.reps_weak, reps_seen=weak.reps_graded,
        detail=fmt_weak_item(weak),
        weak=weak)


def item_themes(reps: Sequence[ProgramRepView], scenarios: Sequence[ScenarioInfo],
                labels: dict[str, str]) -> list[ProgramTheme]:
    """The rubric item themes: each scenario's weakest items, the weakest across them."""
    candidates = []
    for index, scenario in enumerate(scenarios):
        views = scenario_views(reps, scenario.id)
        items = rubric_items(views)
        for order, weak in enumerate(weakest_items(views, items, item_totals(views), labels)):
            candidates.append(((weak.good_share, -weak.graded, index, order), weak, scenario))
    out = []
    taken: set[str] = set()  # the themes quote different moments, across scenarios too
    for _, weak, scenario in sorted(candidates, key=lambda c: c[0])[:MAX_WEAK_ITEMS]:
        quote, by = theme_quote(scenario_views(reps, scenario.id), (weak.criterion, weak.item),
                                labels, taken)
        taken |= quoted_texts(quote)
        out.append(item_theme(replace(weak, quote=quote, quote_by=by), scenario))
    return out


def program_themes(reps: Sequence[ProgramRepView], scenarios: Sequence[ScenarioInfo],
                   skills: Sequence[SkillInfo],
                   labels: dict[str, str] | None = None) -> tuple[ProgramTheme, ...]:
    """What to coach ``reps`` on across the program: skills, then rubric items."""
    names = labels if labels is not None else list_names(reps)
    return (*skill_themes(reps, skills), *item_themes(reps, scenarios, names))


def matrix_order(reps: Sequence[ProgramRepView],
                 first: Sequence[ProgramRepView]) -> tuple[ProgramRepView, ...]:
    """The matrix's and heatmap's rows: the shortlist in its order, then the rest by name."""
    chosen = {id(r) for r in first}
    return (*first, *(r for r in reps if id(r) not in chosen))


def build_program_team(report: ProgramReportView,
                       reps: Sequence[ProgramRepView] | None = None, *,
                       name: str = WHOLE_SELECTION, slug: str = "team",
                       group: str | None = None,
                       manager: Manager | None = None) -> ProgramTeamView:
    """The team of ``reps`` (the report's; None: all of them, the whole selection, whose
    themes are the report's own)."""
    members = report.reps if reps is None else reps
    ordered = sorted(members, key=lambda r: (r.name.casefold(), r.email.casefold(), r.user_id))
    labels = list_names(ordered)
    urgent = attention_order(ordered)
    first = shortlist(urgent)
    rows = matrix_order(ordered, first)
    skills = report.skills
    views = [row.rep for rep in ordered for row in rep.rows if row.rep is not None]
    cells = {id(rep): skill_cells(rep, skills) for rep in ordered}
    return ProgramTeamView(
        name=name, slug=slug, group=group, manager=manager,
        reps=tuple(ordered),
        needs_attention=urgent,
        shortlist=first,
        watchlist=watchlist(urgent),
        labels=labels,
        former_members=sum(1 for r in ordered if not r.is_member),
        coverage={c: sum(1 for r in ordered if r.coverage == c) for c in ("all", "some", "none")},
        sessions=sum(v.session_count for v in views),
        valid_attempts=sum(v.valid_count for v in views),
        statuses=status_counts([v for v in views if v.coaching.target is not None]),
        scenarios=report.scenarios,
        columns=tuple(column_for(ordered, s) for s in report.scenarios),
        matrix=tuple(ProgramMatrixRow(labels[r.user_id], r.slug,
                                      tuple(cell_for(row) for row in r.rows)) for r in rows),
        skills=skills,
        tiers=tuple(tier_counts([cells[id(r)][j] for r in ordered])
                    for j in range(len(skills))),
        skill_heatmap=tuple(ProgramSkillRow(labels[r.user_id], r.slug, cells[id(r)])
                            for r in rows),
        themes=(report.themes if reps is None
                else program_themes(ordered, report.scenarios, skills, labels)),
    )


def build_program_teams(report: ProgramReportView,
                        teams: Sequence[tuple[GroupInfo, Manager]]) -> list[ProgramTeamView]:
    """One program team per ``[teams]`` entry (resolved), holding the selected reps in its
    group, as ``analytics.team.build_teams`` does for one scenario (``team_groups``)."""
    return [build_program_team(report, members, name=group.name, slug=slug, group=group.name,
                               manager=manager)
            for group, manager, slug, members in team_groups(report.reps, teams)]
