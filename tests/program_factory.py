"""A program snapshot for tests: three scenarios, three skills, and reps who practised all of
them, one of them, or none (assigned only), as JSON the way the snapshot holds it.

Built from ``snapshot_factory``'s spec-shaped pieces; ``program_snapshot`` returns the dict,
``program`` the parsed ``Snapshot``.
"""

from __future__ import annotations

from typing import Any

from reporter.cohort.snapshot import Snapshot, parse_snapshot
from tests import snapshot_factory as f

SCENARIOS = [
    {"id": "sc1", "name": "Procurement Discovery", "slug": "procurement-discovery",
     "skills": [{"id": "sk1", "name": "Discovery Questions", "slug": "discovery-questions"}]},
    {"id": "sc2", "name": "Objection Handling", "slug": "objection-handling",
     "skills": [{"id": "sk2", "name": "Objection Handling", "slug": "objection-handling"},
                {"id": "sk1", "name": "Discovery Questions", "slug": "discovery-questions"}]},
    {"id": "sc3", "name": "Competitive Displacement", "slug": "competitive-displacement",
     "skills": [{"id": "sk3", "name": "Value Articulation", "slug": "value-articulation"}]},
]
SKILLS = [
    {"id": "sk1", "name": "Discovery Questions", "slug": "discovery-questions",
     "scenario_ids": ["sc1", "sc2"]},
    {"id": "sk2", "name": "Objection Handling", "slug": "objection-handling",
     "scenario_ids": ["sc2"]},
    {"id": "sk3", "name": "Value Articulation", "slug": "value-articulation",
     "scenario_ids": ["sc3"]},
]

ALL = f.user("Ada", "Lovelace", "ada@example.com", id="u-ada")
ONE = f.user("Ben", "Okafor", "ben@example.com", id="u-ben")
NONE = f.user("Cy", "Young", "cy@example.com", id="u-cy")


def scenario_ref(index: int) -> dict[str, Any]:
    s = SCENARIOS[index]
    return {"id": s["id"], "name": s["name"], "slug": s["slug"]}


def sessions(who: dict[str, Any], index: int, scores: list[float],
             first_day: int = 2) -> list[dict[str, Any]]:
    grades = {"Open questions": "good", "Budget": "mid"}
    return [f.session(score, f.at(first_day + 3 * n), who=who, scenario=scenario_ref(index),
                      evaluations=f.evaluations(grades, feedback="Ask about the budget."),
                      transcript=[f.line("rep", "What does your process look like today?", 1),
                                  f.line("buyer", "We run a tender.", 4)])
            for n, score in enumerate(scores)]


def assignment(who: dict[str, Any], index: int, status: str = "in_progress",
               rank_min: str = "silver", due: str = "2026-10-30T00:00:00Z",
               **extra: Any) -> dict[str, Any]:
    return {"id": f"a-{who['id']}-{index}", "user": who, "scenario": scenario_ref(index),
            "status": status, "due_date": due, "best_score": None, "best_rank": None,
            "attempt_count": 0, "attempt_min": 1, "attempt_max": None, "rank_min": rank_min,
            "program": {"id": "p1", "name": "Q4 Enablement Program"},
            "created_at": "2026-09-20T00:00:00Z"} | extra


def proficiency(who: dict[str, Any], score: float | None, tier: str,
                observations: int, day: int = 20) -> dict[str, Any]:
    return {"user": who, "score": score, "tier": tier, "observation_count": observations,
            "last_practiced_at": f.at(day)}


def program_snapshot(**overrides: Any) -> dict[str, Any]:
    reps = [
        {"user": ALL, "is_member": True, "groups": ["East"],
         "assignments": [assignment(ALL, 0, "completed", best_score=82, attempt_count=2),
                         assignment(ALL, 1), assignment(ALL, 2)],
         "sessions": sorted(sessions(ALL, 0, [70, 82]) + sessions(ALL, 1, [66, 71], 3)
                            + sessions(ALL, 2, [88, 72], 4), key=lambda s: s["created_at"])},
        {"user": ONE, "is_member": True, "groups": ["East"],
         "assignments": [assignment(ONE, 0), assignment(ONE, 2, "past_due")],
         "sessions": sessions(ONE, 0, [58, 64, 69])},
        {"user": NONE, "is_member": True, "groups": ["West"],
         "assignments": [assignment(NONE, 1, "not_started", due="2026-11-15T00:00:00Z")],
         "sessions": []},
    ]
    parts = []
    for index, scenario in enumerate(SCENARIOS):
        mine = [{"user": r["user"], "sessions": [s for s in r["sessions"]
                                                 if s["scenario"]["id"] == scenario["id"]]}
                for r in reps]
        parts.append({"scenario": scenario, "summary": f.summary(),
                      "participants": [f.participant_for(r) for r in mine if r["sessions"]],
                      "previous": {
                          "period": {"label": "2026-09", "start": "2026-09-01T00:00:00Z",
                                     "end": "2026-09-30T23:59:59Z"},
                          "participants": [f.participant(ALL, best=75.0)] if index == 0
                          else []}})
    skills = [
        {"skill": {k: v for k, v in SKILLS[0].items() if k != "scenario_ids"},
         "scenario_ids": SKILLS[0]["scenario_ids"],
         "proficiency": [proficiency(ALL, 78.4, "proficient", 4),
                         proficiency(ONE, 63.0, "developing", 3)],
         "previous": [proficiency(ALL, 71.0, "developing", 2, day=1)]},
        {"skill": {k: v for k, v in SKILLS[1].items() if k != "scenario_ids"},
         "scenario_ids": SKILLS[1]["scenario_ids"],
         "proficiency": [proficiency(ALL, None, "insufficient_data", 2)], "previous": []},
        {"skill": {k: v for k, v in SKILLS[2].items() if k != "scenario_ids"},
         "scenario_ids": SKILLS[2]["scenario_ids"],
         "proficiency": [proficiency(ALL, None, "insufficient_data", 2)], "previous": []},
    ]
    base = f.snapshot()
    data: dict[str, Any] = {
        "schema_version": 2, "kind": "program", "tool_version": base["tool_version"],
        "workspace": base["workspace"],
        "program": {"kind": "collection", "id": "c1", "name": "Core Sales Conversations",
                    "slug": "core-sales-conversations"},
        "period": base["period"], "selection": base["selection"],
        "scenarios": parts, "skills": skills, "groups": [{"id": "g1", "name": "East"},
                                                         {"id": "g2", "name": "West"}],
        "reps": reps, "not_found": [], "warnings": [], "failed": [], "fetch": base["fetch"],
    }
    data.update(overrides)
    return data


def program(**overrides: Any) -> Snapshot:
    return parse_snapshot(program_snapshot(**overrides))
