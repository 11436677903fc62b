"""Everything that knows HTTP and the Exec API's shapes; nothing here knows about reports."""

from __future__ import annotations

from reporter.exec_api.auth import DEFAULT_BASE_URL, ApiKey, base_url_from_env
from reporter.exec_api.client import PAGE_SIZE, REQUEST_DEADLINE, ExecClient
from reporter.exec_api.errors import (
    APIError,
    AuthenticationError,
    DailyLimitReached,
    ExecError,
    InvalidRequest,
    NotFound,
    RateLimited,
    ResponseShapeError,
    ServerError,
    TransportError,
    WorkspaceInactive,
)
from reporter.exec_api.filters import NO_FILTER, AnalyticsFilter
from reporter.exec_api.usage import DAILY_LIMIT, UsageCounter

__all__ = [
    "APIError", "AnalyticsFilter", "NO_FILTER", "ApiKey", "AuthenticationError",
    "DAILY_LIMIT",
    "DEFAULT_BASE_URL", "DailyLimitReached", "ExecClient", "ExecError", "InvalidRequest",
    "NotFound", "PAGE_SIZE", "REQUEST_DEADLINE", "RateLimited", "ResponseShapeError", "ServerError",
    "TransportError", "UsageCounter", "WorkspaceInactive", "base_url_from_env",
]
