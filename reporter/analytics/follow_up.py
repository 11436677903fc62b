"""Closing the loop: the next step a rep was told last period, and what became of it.

A report that only ever says "work on X" never learns whether the advice helped. Each run
records what it told every rep (``told_step``, kept in the run's manifest); the next
period's run reads that record back (or recomputes it from cached details, at no request),
and each rep's report opens its coaching with it (``follow_up``):

    Last month: Qualification › Budget. Graded good 1 of 4 in October 2026, 3 of 4 in
    November 2026: it worked.

The result, one rule: "worked" when the share of this period's sessions that graded the
item good is higher than last period's (for "complete one graded roleplay": a valid attempt
now); "not practised since" when no session of this period graded it (no session of that
scenario at all, for "complete"); otherwise "still the thing to work on". The team report
and digest count the reps whose step worked among those who had one (``follow_up_count``).

A "keep doing" step (nothing was graded mid or bad) is not recorded: there is nothing to
improve on, so nothing to follow up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from reporter.analytics.figures import period_title
from reporter.cohort.snapshot import StepRecord
from reporter.i18n import gettext, ngettext
from reporter.views import FollowUp, ItemRow, ProgramRepView, RepView


def steps_by_user(records: Iterable[StepRecord]) -> dict[str, StepRecord]:
    """The records by user id (the first of each kept)."""
    out: dict[str, StepRecord] = {}
    for record in records:
        out.setdefault(record.user_id, record)
    return out


def _title(label: str) -> str:
    """"October 2026" for a month label; the label itself otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}", label):
        return label
    start = datetime(int(label[:4]), int(label[5:]), 1, tzinfo=UTC)
    return period_title(label, start, start)


def with_follow_up(rep: ProgramRepView, steps: Mapping[str, StepRecord], title: str, *,
                   name_scenario: bool) -> ProgramRepView:
    """The rep with what became of last period's step, when they had one."""
    record = steps.get(rep.user_id)
    if record is None:
        return rep
    return replace(rep, follow_up=follow_up(record, rep, _title(record.period), title,
                                            name_scenario=name_scenario))


def _item_row(view: RepView, criterion: str | None, item: str | None) -> ItemRow | None:
    return next((r for r in view.rubric if (r.criterion, r.item) == (criterion, item)), None)


def step_label(record: StepRecord) -> str:
    """The step in words: the rubric item, or the roleplay to complete."""
    if record.kind == "complete":
        # Translators: last month's step, completing a roleplay; %(scenario)s is its name.
        return gettext("one full, graded roleplay of %(scenario)s", scenario=record.scenario)
    return f"{record.criterion} › {record.item}"


def told_step(rep: ProgramRepView, period_label: str) -> StepRecord | None:
    """What the rep's report tells them to do next (the focus scenario's step, by its kind,
    ``CoachingPlan.step_kind``), as the record the next period reads: the item of a coach or
    polish step, or completing one roleplay of the scenario. None: no step to follow up
    ("keep doing", or nothing)."""
    focus = rep.focus
    if focus is None or focus.rep is None:
        return None
    view = focus.rep
    plan = view.coaching
    step = plan.next_step
    if step is not None and plan.step_kind in ("coach", "polish"):
        row = _item_row(view, step.criterion, step.item)
        return StepRecord(user_id=rep.user_id, email=rep.email or None, period=period_label,
                          scenario_id=focus.scenario.id, scenario=focus.scenario.name,
                          kind="item", criterion=step.criterion, item=step.item,
                          good=row.good if row else 0, graded=row.graded if row else 0)
    if plan.step_kind == "complete":
        return StepRecord(user_id=rep.user_id, email=rep.email or None, period=period_label,
                          scenario_id=focus.scenario.id, scenario=focus.scenario.name,
                          kind="complete", good=view.valid_count, graded=view.session_count)
    return None


def _share(good: int, graded: int) -> float:
    return good / graded if graded else 0.0


def follow_up(record: StepRecord, rep: ProgramRepView, previous_title: str,
              title: str, *, name_scenario: bool) -> FollowUp:
    """What became of ``record`` in this period (module docstring's rule and words);
    ``name_scenario``: a program's report names the step's scenario."""
    row = next((r for r in rep.rows if r.scenario.id == record.scenario_id), None)
    view = row.rep if row else None
    if record.kind == "complete":
        now_good = view.valid_count if view else 0
        now_graded = view.session_count if view else 0
        result = ("not_practised" if now_graded == 0
                  else "worked" if now_good else "still")
    else:
        item = _item_row(view, record.criterion, record.item) if view else None
        now_good, now_graded = (item.good, item.graded) if item else (0, 0)
        result = ("not_practised" if now_graded == 0
                  else "worked" if _share(now_good, now_graded) > _share(record.good,
                                                                        record.graded)
                  else "still")
    label = step_label(record)
    said = _result_said(record, result, previous_title, title, now_good, now_graded)
    if name_scenario and record.kind == "item":
        # Translators: last month's step, its scenario, then what became of it (a sentence).
        line = gettext("%(step)s (%(scenario)s). %(result)s", step=label,
                       scenario=record.scenario, result=said)
    else:
        # Translators: last month's step, then what became of it (a sentence).
        line = gettext("%(step)s. %(result)s", step=label, result=said)
    return FollowUp(kind=record.kind, step=label, scenario=record.scenario,
                    previous_title=previous_title, title=title,
                    before_good=record.good, before_graded=record.graded,
                    now_good=now_good, now_graded=now_graded, result=result,
                    said=line, source=record.source)


def _result_said(record: StepRecord, result: str, previous_title: str, title: str,
                 now_good: int, now_graded: int) -> str:
    """What became of the step, one whole sentence per result (the module docstring's
    words; FOLLOW_UP_RESULTS's outcome closes it)."""
    if record.kind == "complete":
        if result == "not_practised":
            return gettext("Not practised since.")
        if now_good:
            # Translators: what became of last month's step "complete one roleplay";
            # %(title)s is this period, like November 2026.
            return ngettext("%(num)s valid attempt in %(title)s: it worked.",
                            "%(num)s valid attempts in %(title)s: it worked.",
                            now_good, title=title)
        # Translators: sessions this period, none valid; %(title)s is this period.
        return ngettext("%(num)s session in %(title)s, none a valid attempt: "
                        "still the thing to work on.",
                        "%(num)s sessions in %(title)s, none a valid attempt: "
                        "still the thing to work on.", now_graded, title=title)
    values = {"good": record.good, "graded": record.graded, "previous": previous_title,
              "now_good": now_good, "now_graded": now_graded, "title": title}
    if result == "not_practised":
        # Translators: a rubric item graded good %(good)s times of %(graded)s in last period
        # (%(previous)s, like October 2026), not practised since.
        return gettext("Graded good %(good)s of %(graded)s in %(previous)s; "
                       "not practised since.", **values)
    if result == "worked":
        # Translators: a rubric item graded good %(good)s of %(graded)s times last period
        # (%(previous)s), %(now_good)s of %(now_graded)s this period (%(title)s).
        return gettext("Graded good %(good)s of %(graded)s in %(previous)s, "
                       "%(now_good)s of %(now_graded)s in %(title)s: it worked.", **values)
    return gettext("Graded good %(good)s of %(graded)s in %(previous)s, "
                   "%(now_good)s of %(now_graded)s in %(title)s: "
                   "still the thing to work on.", **values)


def follow_up_count(reps: Sequence[ProgramRepView]) -> tuple[int, int]:
    """(reps whose last step worked, reps who had one) among ``reps``."""
    had = [r.follow_up for r in reps if r.follow_up is not None]
    return sum(1 for f in had if f.result == "worked"), len(had)


def follow_up_sentence(reps: Sequence[ProgramRepView]) -> str | None:
    """"7 of 12 reps improved on last month's step", for the team report and the digest;
    None when no rep had one."""
    worked, had = follow_up_count(reps)
    if not had:
        return None
    # Translators: of the team's %(had)s reps who had a step last month, %(worked)s did
    # better on it this month.
    return ngettext("%(worked)s of %(had)s rep improved on last month's step",
                    "%(worked)s of %(had)s reps improved on last month's step",
                    had, worked=worked, had=had)
