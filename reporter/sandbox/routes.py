"""The sandbox's ASGI app: the Exec API's read endpoints over a generated workspace.

Query parameters are checked as the spec says (400 with a validation detail), lists paginate
like the real API, and the analytics endpoints compute from the sandbox's own sessions
(``stats``). ``create_app`` puts the gateway (``gateway.Guard``) in front.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from reporter.ranks import RANKS
from reporter.sandbox import details, proficiency, stats
from reporter.sandbox.gateway import PREFIX, ApiError, Guard, SandboxState
from reporter.sandbox.model import (
    SandboxScenario,
    SandboxSession,
    SandboxSkill,
    SandboxWorkspace,
)

DEFAULT_PAGE_SIZE = 50

MAX_PAGE_SIZE = 100

ASSIGNMENT_STATUSES = ("not_started", "in_progress", "completed", "past_due", "did_not_pass")

SESSION_SORTS = ("created_at", "score", "duration")

PARTICIPANT_SORTS = ("best_score", "first_score", "lift_percentage", "total_duration_seconds",
                     "session_count")

class Params:
    """Typed reading of query parameters; anything malformed is a documented 400."""

    def __init__(self, request: Request) -> None:
        self.query = request.query_params

    def text(self, name: str) -> str | None:
        value = self.query.get(name)
        return value.strip() if value is not None and value.strip() else None

    def csv(self, name: str) -> list[str] | None:
        """Comma lists; repeated parameters (explode=true) are accepted too."""
        values = [part.strip() for raw in self.query.getlist(name) for part in raw.split(",")]
        values = [v for v in values if v]
        return values or None  # an empty value means "no filter", as if it were absent

    def choices(self, name: str, allowed: Iterable[str]) -> list[str] | None:
        values = self.csv(name)
        allowed = tuple(allowed)
        for value in values or ():
            if value not in allowed:
                raise _bad(f"Invalid value for {name}: {value!r}; expected one of "
                           f"{', '.join(allowed)}")
        return values

    def boolean(self, name: str) -> bool:
        value = self.text(name)
        if value is None:
            return False
        if value.lower() in ("true", "1", "yes"):
            return True
        if value.lower() in ("false", "0", "no"):
            return False
        raise _bad(f"Invalid boolean for {name}: {value!r}")

    def moment(self, name: str, *, end: bool = False) -> dt.datetime | None:
        """A date or an ISO 8601 datetime (naive means UTC). A bare end date means the whole
        day, so end_date=2026-10-31 includes sessions on the 31st."""
        value = self.text(name)
        if value is None:
            return None
        try:
            if len(value) == 10:
                day = dt.date.fromisoformat(value)
                moment = dt.datetime.combine(day, dt.time(), dt.UTC)
                return moment + dt.timedelta(days=1, microseconds=-1) if end else moment
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
        except ValueError:
            raise _bad(f"Invalid date for {name}: {value!r}; use ISO 8601") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def sorting(self, allowed: Iterable[str], default: str) -> tuple[str, bool]:
        value = self.text("sorting") or default
        field = value.removeprefix("-")
        if field not in tuple(allowed):
            options = ", ".join(f"{f}, -{f}" for f in allowed)
            raise _bad(f"Invalid sorting {value!r}; expected one of {options}")
        return field, value.startswith("-")

    def page(self) -> tuple[int, int]:
        page = self._integer("page", 1)
        size = self._integer("page_size", DEFAULT_PAGE_SIZE)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ApiError(400, "invalid_request", "Invalid pagination parameters: page must be "
                           f">= 1 and page_size between 1 and {MAX_PAGE_SIZE}",
                           "invalid_pagination")
        return page, size

    def _integer(self, name: str, default: int) -> int:
        value = self.text(name)
        if value is None:
            return default
        if not re.fullmatch(r"[+-]?\d{1,9}", value):
            raise ApiError(400, "invalid_request", f"Invalid pagination parameters: {name} "
                           f"must be an integer, got {value!r}", "invalid_pagination")
        return int(value)

def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message, "invalid_parameter")

def paginate(items: list[Any], page: int, size: int,
             serialize: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    start = (page - 1) * size
    return {
        "data": [serialize(item) for item in items[start:start + size]],
        "pagination": {"page": page, "page_size": size, "total_count": len(items),
                       "total_pages": math.ceil(len(items) / size)},
    }

def _user_filter(ws: SandboxWorkspace, params: Params) -> set[str] | None:
    """user_ids and user_emails unioned (emails case-insensitive); unknown ones match nobody."""
    ids, emails = params.csv("user_ids"), params.csv("user_emails")
    if ids is None and emails is None:
        return None
    wanted = set(ids or ())
    for email in emails or ():
        user = ws.users_by_email.get(email.lower())
        if user is not None:
            wanted.add(user.id)
    return wanted

def _group_filter(ws: SandboxWorkspace, params: Params) -> set[str] | None:
    group_ids = params.csv("group_ids")
    if group_ids is None:
        return None
    wanted = set(group_ids)
    return {uid for group in ws.groups if group.id in wanted for uid in group.member_ids}

def _session_filter(ws: SandboxWorkspace, params: Params,
                    scenario_ids: set[str] | None) -> Callable[[SandboxSession], bool]:
    users = _user_filter(ws, params)
    groups = _group_filter(ws, params)
    start = params.moment("start_date")
    end = params.moment("end_date", end=True)
    no_system = params.boolean("exclude_system_users")

    def keep(session: SandboxSession) -> bool:
        if scenario_ids is not None and session.scenario_id not in scenario_ids:
            return False
        if users is not None and session.user_id not in users:
            return False
        if groups is not None and session.user_id not in groups:
            return False
        if start is not None and session.created_at < start:
            return False
        if end is not None and session.created_at > end:
            return False
        return not (no_system and ws.users_by_id[session.user_id].is_system)

    return keep

def _scenario(ws: SandboxWorkspace, key: str) -> SandboxScenario:
    scenario = ws.scenarios_by_key.get(key)
    if scenario is None:
        raise ApiError(404, "not_found", f"Scenario not found: {key}")
    return scenario

def _scenario_ids(ws: SandboxWorkspace, keys: list[str] | None) -> set[str] | None:
    if keys is None:
        return None
    return {ws.scenarios_by_key[k].id for k in keys if k in ws.scenarios_by_key}

def _ws(request: Request) -> SandboxWorkspace:
    workspace: SandboxWorkspace = request.app.state.sandbox.workspace
    return workspace

async def get_workspace(request: Request) -> JSONResponse:
    return JSONResponse(_ws(request).info_json())

async def list_members(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    groups = _group_filter(ws, params)
    members = [u for u in ws.members if groups is None or u.id in groups]
    members.sort(key=lambda u: (u.created_at, u.id))
    return JSONResponse(paginate(members, page, size, lambda u: u.member_json()))

async def list_groups(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    return JSONResponse(paginate(ws.groups, page, size, lambda g: g.to_json()))

async def list_scenarios(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    owner = params.text("owner_email")
    viewer_email = params.text("visible_to_email")
    visibility = params.choices("visibility", ("private", "workspace"))
    archived = params.boolean("include_archived")
    skill_ids = params.csv("skill_ids")
    collection_ids = params.csv("collection_ids")
    include = set(params.csv("include") or ())
    viewer = ws.users_by_email.get(viewer_email.lower()) if viewer_email else None

    def keep(scenario: SandboxScenario) -> bool:
        owner_user = ws.users_by_id[scenario.owner_id]
        checks = (
            archived or not scenario.archived,
            owner is None or owner_user.email.lower() == owner.lower(),
            visibility is None or scenario.visibility in visibility,
            skill_ids is None or any(s.id in skill_ids for s in scenario.skills),
            collection_ids is None or scenario.collection_id in collection_ids,
            viewer_email is None or (viewer is not None and (
                scenario.owner_id == viewer.id
                or (scenario.visibility == "workspace" and viewer.is_member))),
        )
        return all(checks)

    chosen = [s for s in ws.scenarios if keep(s)]
    return JSONResponse(paginate(chosen, page, size,
                                 lambda s: ws.scenario_json(s, "skills" in include)))

async def list_assignments(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    users = _user_filter(ws, params)
    scenarios = _scenario_ids(ws, params.csv("scenario_ids"))
    programs = params.csv("program_ids")
    statuses = params.choices("status", ASSIGNMENT_STATUSES)
    chosen = [
        a for a in ws.assignments
        if (users is None or a.user_id in users)
        and (scenarios is None or a.scenario_id in scenarios)
        and (programs is None or (a.program is not None and a.program["id"] in programs))
        and (statuses is None or a.status in statuses)
    ]
    return JSONResponse(paginate(chosen, page, size, ws.assignment_json))

async def list_sessions(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    field, descending = params.sorting(SESSION_SORTS, "-created_at")
    ranks = params.choices("rank", RANKS)
    scenario_ids = _scenario_ids(ws, params.csv("scenario_ids"))
    for name, matching in (
        ("collection_ids", lambda s, wanted: s.collection_id in wanted),
        ("skill_ids", lambda s, wanted: any(k.id in wanted for k in s.skills)),
    ):
        wanted = params.csv(name)
        if wanted is not None:
            found = {s.id for s in ws.scenarios if matching(s, set(wanted))}
            scenario_ids = found if scenario_ids is None else scenario_ids & found
    programs = params.csv("program_ids")
    enrolled = None
    if programs is not None:
        enrolled = {(a.user_id, a.scenario_id) for a in ws.assignments
                    if a.program is not None and a.program["id"] in programs}
    keep = _session_filter(ws, params, scenario_ids)
    chosen = [
        s for s in ws.sessions
        if keep(s)
        and (ranks is None or s.rank in ranks)
        and (enrolled is None or (s.user_id, s.scenario_id) in enrolled)
    ]
    return JSONResponse(paginate(_sort_sessions(chosen, field, descending), page, size,
                                 ws.session_json))

def _sort_sessions(sessions: list[SandboxSession], field: str,
                   descending: bool) -> list[SandboxSession]:
    """Sorted by the field with ties by creation time then id; nulls always last."""
    if field == "created_at":
        return sorted(sessions, key=lambda s: (s.created_at, s.id), reverse=descending)
    value = (lambda s: s.score) if field == "score" else (lambda s: s.duration_seconds)
    present = [s for s in sessions if value(s) is not None]
    missing = [s for s in sessions if value(s) is None]
    present.sort(key=lambda s: (value(s), s.created_at, s.id), reverse=descending)
    missing.sort(key=lambda s: (s.created_at, s.id), reverse=descending)
    return present + missing

async def get_session(request: Request) -> JSONResponse:
    ws = _ws(request)
    session_id = request.path_params["session_id"]
    include = frozenset(Params(request).csv("include") or ())
    body = details.session_detail(ws, session_id, include)
    if body is None:
        raise ApiError(404, "not_found", f"Session not found: {session_id}")
    return JSONResponse(body)

def _analytics_sessions(request: Request) -> tuple[SandboxWorkspace, Params, list[SandboxSession]]:
    ws, params = _ws(request), Params(request)
    scenario = _scenario(ws, request.path_params["scenario_id"])
    keep = _session_filter(ws, params, {scenario.id})
    return ws, params, [s for s in ws.sessions if keep(s)]

async def analytics_summary(request: Request) -> JSONResponse:
    _, _, sessions = _analytics_sessions(request)
    return JSONResponse(stats.summary(sessions))

async def analytics_participants(request: Request) -> JSONResponse:
    ws, params, sessions = _analytics_sessions(request)
    page, size = params.page()
    field, descending = params.sorting(PARTICIPANT_SORTS, "-best_score")
    people = stats.participants(sessions)
    attribute = "lift" if field == "lift_percentage" else field
    people.sort(key=lambda p: ws.users_by_id[p.user_id].email.lower())
    people.sort(key=lambda p: getattr(p, attribute), reverse=descending)
    return JSONResponse(paginate(people, page, size,
                                 lambda p: p.to_json(ws.users_by_id[p.user_id].ref())))

async def list_collections(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    return JSONResponse(paginate(ws.collections, page, size, ws.collection_json))


async def list_skills(request: Request) -> JSONResponse:
    ws, params = _ws(request), Params(request)
    page, size = params.page()
    with_summary = "proficiency" in (params.csv("include") or ())
    as_of = proficiency.default_as_of(ws)

    def serialize(skill: SandboxSkill) -> dict[str, Any]:
        body = skill.to_json()
        if with_summary:
            body["proficiency_summary"] = proficiency.summary(
                proficiency.proficiency(ws, skill, as_of))
        return body

    return JSONResponse(paginate(ws.skills, page, size, serialize))


async def skill_proficiency(request: Request) -> JSONResponse:
    """Members who practised the skill; with user filters, those users (former members too,
    as ``/sessions`` keeps their history); group and system-user filters narrow either."""
    ws, params = _ws(request), Params(request)
    skill_id = request.path_params["skill_id"]
    skill = next((k for k in ws.skills if k.id == skill_id), None)
    if skill is None:
        raise ApiError(404, "not_found", f"Skill not found: {skill_id}")
    page, size = params.page()
    as_of = params.moment("end_date", end=True) or proficiency.default_as_of(ws)
    users = _user_filter(ws, params)
    groups = _group_filter(ws, params)
    wanted = users if users is not None else {u.id for u in ws.members}
    if groups is not None:
        wanted &= groups
    if params.boolean("exclude_system_users"):
        wanted = {uid for uid in wanted if not ws.users_by_id[uid].is_system}
    entries = proficiency.proficiency(ws, skill, as_of, wanted)
    return JSONResponse(paginate(entries, page, size,
                                 lambda p: p.to_json(ws.users_by_id[p.user_id].ref())))


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()

async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return ApiError(404, "not_found", f"Not found: {request.url.path}").response()
    return ApiError(exc.status_code, "invalid_request", str(exc.detail)).response()

def create_app(workspace: SandboxWorkspace, *, api_key: str | None = None,
               rate_limit: int | None = 60, daily_limit: int | None = 1000,
               request_log: Path | None = None, latency_ms: int = 0,
               error_rate: float = 0.0) -> Starlette:
    """The sandbox app. ``api_key`` None accepts any well-formed key; ``rate_limit`` and
    ``daily_limit`` None switch that limit off. ``app.state.sandbox`` is its SandboxState."""
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError("error_rate must be between 0 and 1")
    state = SandboxState(workspace, api_key=api_key, rate_limit=rate_limit,
                         daily_limit=daily_limit, request_log=request_log,
                         latency_ms=latency_ms, error_rate=error_rate)
    routes = [
        Route("/workspace", get_workspace),
        Route("/workspace/members", list_members),
        Route("/workspace/groups", list_groups),
        Route("/scenarios", list_scenarios),
        Route("/scenarios/assignments", list_assignments),
        Route("/sessions", list_sessions),
        Route("/sessions/{session_id}", get_session),
        Route("/scenarios/{scenario_id}/analytics/summary", analytics_summary),
        Route("/scenarios/{scenario_id}/analytics/participants", analytics_participants),
        Route("/collections", list_collections),
        Route("/skills", list_skills),
        Route("/skills/{skill_id}/proficiency", skill_proficiency),
    ]
    app = Starlette(
        routes=[Mount(PREFIX, routes=routes)],
        middleware=[Middleware(Guard, state=state)],
        exception_handlers={ApiError: _api_error, HTTPException: _http_error},
    )
    app.state.sandbox = state
    return app
