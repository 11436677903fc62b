"""The manager's view: a team's numbers, who needs a 1:1, what to coach the team on, and
either (a single scenario's run) the leaderboard and the rubric across reps, or (a program's)
the rep x scenario matrix and the rep x skill heatmap of Exec's tiers.

One analysis, ``build_team``, for every run: a single-scenario run's report is the program of
its one scenario (``analytics.program.of_scenario``), so a team is always a team across the
run's scenarios (``TeamView``), holding its section of each scenario (``scenario_team``:
numbers, leaderboard, rubric heatmap, weakest items). Built from the reps' views, never from
the snapshot again: the team report, the team's workbook and the manager's digest read the
same attention reasons, next steps and comparisons as the reps' own reports. The attention
rules are ``analytics.attention``'s: a program rep's reasons are each scenario's, named by it,
so the shortlist and "keep an eye on" work across scenarios unchanged. A team is a workspace
group mapped to a manager in the configuration's ``[teams]``; the whole selection is a team
too, for the run's ``team.pdf``.

What to coach the team on across the run (``ProgramTheme``), in this order:

- skills: at most MAX_SKILL_THEMES skills with the most reps at developing or needs work in
  Exec's proficiency (at least MIN_THEME_REPS of them: one rep's weak skill is that rep's
  1:1), then the larger share of the reps with a score, then more at needs work, then name;
- rubric items: each scenario's weakest items (``weakest_items``), the MAX_WEAK_ITEMS weakest
  across the run by the same order (lowest share graded good, more sessions, then program
  and rubric order), each naming the scenario it comes from.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from reporter.analytics.attention import attention_order, shortlist, watchlist
from reporter.analytics.coaching import best_example
from reporter.analytics.cohort import distribution, rubric_good_share, weekly
from reporter.analytics.figures import mean
from reporter.analytics.follow_up import follow_up_sentence
from reporter.analytics.moments import is_speech, quoted_texts, repeats
from reporter.analytics.rubric import WEAK_GRADES
from reporter.errors import UsageError
from reporter.format import fmt_item, fmt_weak_item
from reporter.i18n import N_, gettext, ngettext
from reporter.names import team_slug
from reporter.ranks import TIERS
from reporter.views import (
    Manager,
    Moment,
    ProgramCell,
    ProgramMatrixRow,
    ProgramReportView,
    ProgramRepView,
    ProgramScenarioColumn,
    ProgramSkillRow,
    ProgramTheme,
    ReportView,
    RepView,
    ScenarioInfo,
    ScenarioRow,
    ScenarioTeamView,
    SkillInfo,
    SkillRow,
    StatusCount,
    TeamCell,
    TeamHeatmapRow,
    TeamView,
    TierCount,
    WeakItem,
)

#: A cell resting on fewer graded sessions than this is greyed: one grade is not a pattern.
MIN_CELL_SESSIONS = 2
#: What to coach the team on: at most this many of its weakest items.
MAX_WEAK_ITEMS = 2
#: An item is a team pattern only when it rests on this many graded sessions ...
MIN_THEME_SESSIONS = 4
#: ... of at least this many reps (one rep's bad month is that rep's 1:1, not the team's).
MIN_THEME_REPS = 2
#: Assignment statuses in the order a manager reads them; the others follow when present.
STATUS_ORDER: tuple[str, ...] = ("completed", "in_progress", "past_due", "not_started")
#: The whole selection's team name when the run says nothing of who was selected.
WHOLE_SELECTION = N_("All selected reps")


@dataclass(frozen=True)
class TeamSpec:
    """One ``[teams]`` entry: a workspace group (by name or id) and its manager."""

    group: str
    manager: Manager


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str


class UnknownGroup(UsageError):
    """A ``[teams]`` entry names a group the workspace does not have."""


def resolve_teams(specs: Sequence[TeamSpec],
                  groups: Sequence[GroupInfo]) -> list[tuple[GroupInfo, Manager]]:
    """Each spec's group, matched by id, else by name (any case); UnknownGroup names the
    first that matches none, with the groups there are."""
    out = []
    for spec in specs:
        wanted = spec.group.strip()
        found = next((g for g in groups if g.id == wanted), None) or next(
            (g for g in groups if g.name.casefold() == wanted.casefold()), None)
        if found is None:
            names = ", ".join(sorted(g.name for g in groups)[:8]) or "none"
            raise UnknownGroup(f"[teams] names group {spec.group!r}, which the workspace "
                               f"does not have; groups: {names}")
        out.append((found, spec.manager))
    return out


class Listed(Protocol):
    """Whoever a list names: a rep in one scenario, or across a program."""

    @property
    def user_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def is_member(self) -> bool: ...


def group_text(name: str, *, system: bool = False) -> str:
    """A workspace group as a selection: "group Sales Team"."""
    if system:
        return gettext("group %(group)s (system users included)", group=name)
    # Translators: the reps chosen as a workspace group; %(group)s is its name.
    return gettext("group %(group)s", group=name)


def list_names(reps: Sequence[Listed]) -> dict[str, str]:
    """user id -> the rep's name as a list shows it: the name; with the email beside it when
    another of ``reps`` has the same name (any case), so two Alex Kims are two people; with
    "(former member)" when the rep is no longer a member of the workspace."""
    counts: dict[str, int] = {}
    for rep in reps:
        key = " ".join(rep.name.split()).casefold()
        counts[key] = counts.get(key, 0) + 1
    out = {}
    for rep in reps:
        label = rep.name
        if counts[" ".join(rep.name.split()).casefold()] > 1 and rep.email != rep.name:
            label = f"{label} ({rep.email})"
        if not rep.is_member:
            # Translators: a rep's name in a list, marked as no longer in the workspace.
            label = gettext("%(name)s (former member)", name=label)
        out[rep.user_id] = label
    return out


def leaderboard_positions(board: Sequence[RepView]) -> tuple[int | None, ...]:
    """Each leaderboard rep's position: equal best scores (as written, one decimal) share one,
    and the next position skips as many (1, 2, 2, 4); None for a rep without a best."""
    out: list[int | None] = []
    previous: str | None = None
    for index, rep in enumerate(board, 1):
        if rep.best_score is None:
            out.append(None)
            continue
        shown = f"{rep.best_score:.1f}"
        out.append(out[-1] if shown == previous and out else index)
        previous = shown
    return tuple(out)


def heatmap_order(reps: Sequence[RepView], first: Sequence[RepView]) -> tuple[RepView, ...]:
    """The heatmap's rows in the order a manager reads them: the shortlist (``first``) in its
    order, then the rest from the lowest share graded good over all their graded items up,
    reps with no grade last, then by name."""
    ahead = {id(r): i for i, r in enumerate(first)}

    def key(rep: RepView) -> tuple[object, ...]:
        good = sum(row.good for row in rep.rubric)
        graded = sum(row.graded for row in rep.rubric)
        return (ahead.get(id(rep), len(ahead)), graded == 0,
                good / graded if graded else 0.0, rep.name.casefold(), rep.email)

    return tuple(sorted(reps, key=key))


def leaderboard(reps: Sequence[RepView]) -> tuple[RepView, ...]:
    """Best score first (ties: the better latest, then name); reps without one last, by name."""
    def key(rep: RepView) -> tuple[object, ...]:
        return (rep.best_score is None, -(rep.best_score or 0.0), -(rep.latest_score or 0.0),
                rep.name.casefold(), rep.email)

    return tuple(sorted(reps, key=key))


def status_counts(reps: Sequence[RepView]) -> tuple[StatusCount, ...]:
    """How many reps' assignments are completed, in progress, past due, not started (always
    listed), then any other status the API gave and "none" (no assignment), when present."""
    counts: dict[str, int] = {}
    for rep in reps:
        target = rep.coaching.target
        status = (target.status if target is not None else None) or "none"
        counts[status] = counts.get(status, 0) + 1
    extra = sorted(s for s in counts if s not in STATUS_ORDER and s != "none")
    order = [*STATUS_ORDER, *extra, *(["none"] if "none" in counts else [])]
    return tuple(StatusCount(s, counts.get(s, 0)) for s in order)


def team_part(report: ReportView, team: ScenarioTeamView) -> ReportView:
    """A scenario's report narrowed to a team, for the team's workbook (each part of the
    run's, by ``analytics.program.team_report``): its reps, their attention order, and the
    weekly rows and rubric shares over them. The whole scenario's figures (participants,
    distribution, percentiles) stay everyone's, as the workbook labels them."""
    return replace(
        report, reps=team.reps, needs_attention=team.needs_attention, shortlist=team.shortlist,
        labels=team.labels, not_found=(),
        selection_text=group_text(team.name) if team.group else report.selection_text,
        warnings=tuple(w for rep in team.reps for w in rep.warnings),
        cohort=replace(report.cohort, weekly=weekly(team.reps),
                       rubric_good_share=rubric_good_share(team.reps)))


def rubric_items(reps: Sequence[RepView]) -> tuple[tuple[str, str], ...]:
    """Every (criterion, item) any rep was graded on, in first-seen rubric order, grouped by
    criterion (a criterion's items together, as the rubric lists them)."""
    seen: dict[str, list[str]] = {}
    for rep in reps:
        for row in rep.rubric:
            items = seen.setdefault(row.criterion, [])
            if row.item not in items:
                items.append(row.item)
    return tuple((c, i) for c, items in seen.items() for i in items)


def heatmap(reps: Sequence[RepView], items: Sequence[tuple[str, str]],
            labels: dict[str, str] | None = None) -> tuple[TeamHeatmapRow, ...]:
    """One row per rep (in the order given), one cell per item: graded good x of y; thin
    below MIN_CELL_SESSIONS."""
    rows = []
    for rep in reps:
        by_key = {(r.criterion, r.item): r for r in rep.rubric}
        cells: list[TeamCell | None] = []
        for key in items:
            row = by_key.get(key)
            cells.append(TeamCell(row.good, row.graded, row.graded < MIN_CELL_SESSIONS)
                         if row is not None and row.graded else None)
        rows.append(TeamHeatmapRow((labels or {}).get(rep.user_id, rep.name), rep.slug,
                                   tuple(cells)))
    return tuple(rows)


@dataclass(frozen=True)
class _Totals:
    """One item across a team: sessions graded good, sessions graded good/mid/bad, reps with
    a mid or bad grade on it, reps graded on it at all."""

    good: int = 0
    graded: int = 0
    weak_reps: int = 0
    graded_reps: int = 0


def item_totals(reps: Sequence[RepView]) -> dict[tuple[str, str], _Totals]:
    """Each (criterion, item) the reps were graded good, mid or bad on, in one pass."""
    totals: dict[tuple[str, str], _Totals] = {}
    for rep in reps:
        for row in rep.rubric:
            if not row.graded:
                continue
            t = totals.get((row.criterion, row.item), _Totals())
            totals[(row.criterion, row.item)] = _Totals(
                t.good + row.good, t.graded + row.graded,
                t.weak_reps + (1 if row.mid + row.bad else 0), t.graded_reps + 1)
    return totals


class Grouped(Protocol):
    """Whoever a team holds: a rep in one scenario, or across a program."""

    @property
    def user_id(self) -> str: ...
    @property
    def groups(self) -> tuple[str, ...]: ...


G = TypeVar("G", bound=Grouped)


def team_members(reps: Sequence[G], group: str) -> list[G]:
    """The reps in a workspace group (by the group's name, as each rep's view lists it)."""
    return [r for r in reps if group in r.groups]


def team_groups(reps: Sequence[G], teams: Sequence[tuple[GroupInfo, Manager]]
                ) -> list[tuple[GroupInfo, Manager, str, list[G]]]:
    """Each ``[teams]`` entry (resolved) with its folder name and the ``reps`` in its group;
    a group with none of them is left out (the caller says so). Two groups whose names fold
    to the same folder name get the group id's hash appended to the second."""
    out = []
    used: set[str] = set()
    for group, manager in teams:
        members = team_members(reps, group.name)
        if not members:
            continue
        slug = team_slug(group.name, group.id)
        if slug in used:
            slug = f"{slug}-{team_slug('', group.id)[5:]}"
        used.add(slug)
        out.append((group, manager, slug, members))
    return out


def theme_quote(reps: Sequence[RepView], key: tuple[str, str],
                labels: dict[str, str] | None = None,
                taken: Collection[str] = ()) -> tuple[Moment | None, str | None]:
    """The moment a team theme on ``key`` quotes, and who said it (as the team's lists name
    them): the example the coaching plan would pick (``best_example``: a phrasing to try
    first) among the reps' mid or bad examples on the item from valid sessions whose quote
    is speech (``is_speech``: never a tag, URL, code or formula) and that carry the
    evaluator's why; none whose quote or phrasing (``quoted_texts``) another theme of the
    same report quotes already (``taken``). With none, no quote."""
    names = labels or {}
    said_by: dict[int, str] = {}
    examples: list[Moment] = []
    for rep in reps:
        valid = {a.session_id for a in rep.attempts if a.is_valid}
        for m in rep.feedback_examples:
            if ((m.criterion, m.item) == key and m.session_id in valid and m.feedback
                    and is_speech(m.quote) and not repeats(quoted_texts(m), taken)):
                said_by[id(m)] = names.get(rep.user_id, rep.name)
                examples.append(m)
    quote = best_example(examples, WEAK_GRADES)
    return quote, said_by[id(quote)] if quote is not None else None


def weakest_items(reps: Sequence[RepView], items: Sequence[tuple[str, str]],
                  totals: dict[tuple[str, str], _Totals],
                  labels: dict[str, str] | None = None) -> tuple[WeakItem, ...]:
    """What to coach the team on: the MAX_WEAK_ITEMS items with the lowest share graded good
    across the team, among items that are a pattern (graded at least MIN_THEME_SESSIONS
    times, over at least MIN_THEME_REPS reps) and graded mid or bad at least once (ties: more
    sessions first, then rubric order). Each quotes a moment (``theme_quote``), the themes
    different ones: the evaluator often cites one line under two items, and two cards
    with the same words teach one thing."""
    candidates = []
    for order, key in enumerate(items):
        t = totals.get(key, _Totals())
        if (t.graded >= MIN_THEME_SESSIONS and t.graded_reps >= MIN_THEME_REPS
                and t.good < t.graded):
            candidates.append((t.good / t.graded, -t.graded, order, key))
    out = []
    taken: set[str] = set()
    for _, _, _, key in sorted(candidates)[:MAX_WEAK_ITEMS]:
        t = totals[key]
        quote, by = theme_quote(reps, key, labels, taken)
        taken |= quoted_texts(quote)
        out.append(WeakItem(key[0], key[1], t.good, t.graded, t.weak_reps, t.graded_reps,
                            quote, by))
    return tuple(out)


def scenario_team(reps: Sequence[RepView], *, name: str = WHOLE_SELECTION,
                  slug: str = "team", group: str | None = None,
                  manager: Manager | None = None) -> ScenarioTeamView:
    """The team's section of one scenario: ``reps`` (the scenario report's RepViews of the
    team, attention reasons already set) in numbers, attention order, leaderboard, rubric and
    weakest items."""
    ordered = sorted(reps, key=lambda r: (r.name.casefold(), r.email.casefold(), r.user_id))
    bests = sorted(r.best_score for r in ordered if r.best_score is not None)
    changes = [r.comparison.change for r in ordered
               if r.comparison is not None and r.comparison.change is not None]
    items = rubric_items(ordered)
    totals = item_totals(ordered)
    shares = [t.good / t.graded if (t := totals.get(key)) else None for key in items]
    urgent = attention_order(ordered)
    first = shortlist(urgent)
    board = leaderboard(ordered)
    labels = list_names(ordered)
    return ScenarioTeamView(
        name=name, slug=slug, group=group, manager=manager,
        reps=tuple(ordered),
        needs_attention=urgent,
        shortlist=first,
        watchlist=watchlist(urgent),
        leaderboard=board,
        positions=leaderboard_positions(board),
        labels=labels,
        former_members=sum(1 for r in ordered if not r.is_member),
        with_valid=sum(1 for r in ordered if r.has_valid_attempt),
        sessions=sum(r.session_count for r in ordered),
        valid_attempts=sum(r.valid_count for r in ordered),
        best_scores=tuple(bests),
        distribution=distribution(bests),
        average_best=mean(bests),
        average_change=mean(changes),
        compared=len(changes),
        new_reps=sum(1 for r in ordered if r.comparison is not None and r.comparison.is_new),
        statuses=status_counts(ordered),
        items=items,
        heatmap=heatmap(heatmap_order(ordered, first), items, labels),
        item_good_share=tuple(shares),
        weakest=weakest_items(ordered, items, totals, labels),
    )


# -- across the run's scenarios: the matrix, the skills, what to coach ----------------------

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
        detail = _skill_detail(weak, seen, needs_work)
        out.append(ProgramTheme(kind="skill", name=skill.name, scenario=None, reps_weak=weak,
                                reps_seen=seen, detail=detail, skill=skill))
    return out[:MAX_SKILL_THEMES]


def _skill_detail(weak: int, seen: int, needs_work: int) -> str:
    """ "5 of 9 reps with a score at developing or needs work (2 at needs work)"."""
    if needs_work:
        # Translators: a skill theme; developing and needs work are Exec's tiers. %(weak)s
        # of the %(seen)s reps with a score are at them, %(needs_work)s at the lower.
        return ngettext("%(weak)s of %(seen)s rep with a score at developing or needs work "
                        "(%(needs_work)s at needs work)",
                        "%(weak)s of %(seen)s reps with a score at developing or needs work "
                        "(%(needs_work)s at needs work)",
                        seen, weak=weak, seen=seen, needs_work=needs_work)
    return ngettext("%(weak)s of %(seen)s rep with a score at developing or needs work",
                    "%(weak)s of %(seen)s reps with a score at developing or needs work",
                    seen, weak=weak, seen=seen)


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


def whole_selection(report: ProgramReportView) -> str:
    """The whole selection's team name: the run's selection, as its header says it ("Every
    participant", "Group Sales Team"), for either kind of run: it says who was selected;
    WHOLE_SELECTION only when the run says nothing of it."""
    text = report.selection_text
    return text[:1].upper() + text[1:] if text else gettext(WHOLE_SELECTION)


def build_team(report: ProgramReportView, reps: Sequence[ProgramRepView] | None = None, *,
               name: str | None = None, slug: str = "team", group: str | None = None,
               manager: Manager | None = None) -> TeamView:
    """The team of ``reps`` (the report's; None: all of them, the whole selection, named by
    ``whole_selection``) across the run's scenarios, with its section of each scenario
    (``scenario_team``): a single-scenario run's is the program of its one scenario
    (``ProgramReportView.single``), and its team the team of that one part."""
    members = report.reps if reps is None else reps
    name = whole_selection(report) if name is None else name
    ordered = sorted(members, key=lambda r: (r.name.casefold(), r.email.casefold(), r.user_id))
    labels = list_names(ordered)
    urgent = attention_order(ordered)
    first = shortlist(urgent)
    rows = matrix_order(ordered, first)
    skills = report.skills
    views = [row.rep for rep in ordered for row in rep.rows if row.rep is not None]
    cells = {id(rep): skill_cells(rep, skills) for rep in ordered}
    return TeamView(
        name=name, slug=slug, group=group, manager=manager, kind=report.program.kind,
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
        themes=program_themes(ordered, report.scenarios, skills, labels),
        parts=tuple(scenario_team(scenario_views(ordered, s.id), name=name, slug=slug,
                                  group=group, manager=manager) for s in report.scenarios),
        follow_up=follow_up_sentence(ordered),
    )


def build_teams(report: ProgramReportView,
                teams: Sequence[tuple[GroupInfo, Manager]]) -> list[TeamView]:
    """One team per ``[teams]`` entry (resolved), holding the selected reps in its group
    (``team_groups``: empty groups left out, folder names kept apart)."""
    return [build_team(report, members, name=group.name, slug=slug, group=group.name,
                       manager=manager)
            for group, manager, slug, members in team_groups(report.reps, teams)]
