"""Every failure the Exec API client raises, in one tree.

```
ReporterError                  (reporter.errors: the root of every expected failure)
 └── ExecError                 exit 1 unless said otherwise
      ├── APIError                  the server answered with its error envelope
      │    ├── InvalidRequest       400
      │    ├── AuthenticationError  401: missing, invalid or revoked key (exit 2)
      │    ├── WorkspaceInactive    403 (exit 2)
      │    ├── NotFound             404
      │    └── RateLimited          429 still answered after the retries
      │         └── DailyLimitReached   the day's sustained budget is spent
      ├── ServerError               5xx still answered after the retries
      ├── TransportError            timeouts and dropped connections, after the retries
      └── ResponseShapeError        a 2xx body that does not fit the published schema
```

A key or base URL that cannot be used is a setting like any other: ``ConfigError``
(reporter.errors), raised before any request is sent.

Messages are written for the person running the tool: they name the endpoint and
carry the server's own message, and never contain the API key.
"""

from __future__ import annotations

from reporter.errors import ReporterError


class ExecError(ReporterError):
    """Base of everything the client raises: the run could not finish (exit 1)."""

    exit_code = 1


class APIError(ExecError):
    def __init__(
        self,
        message: str,
        *,
        status: int,
        endpoint: str,
        type: str | None = None,  # noqa: A002 - the envelope's own field name
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.endpoint = endpoint
        self.type = type
        self.code = code
        self.hint = ""  # what the user may do about it, when the client can tell

    def __str__(self) -> str:
        hint = f"; {self.hint}" if self.hint else ""
        return f"{self.endpoint}: {self.message} (HTTP {self.status}){hint}"


class InvalidRequest(APIError):
    pass


class AuthenticationError(APIError):
    exit_code = 2

    def __str__(self) -> str:
        return f"the API key was refused: {self.message}"


class WorkspaceInactive(APIError):
    exit_code = 2

    def __str__(self) -> str:
        return f"the workspace is inactive: {self.message}"


class NotFound(APIError):
    pass


class RateLimited(APIError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class DailyLimitReached(RateLimited):
    pass


class ServerError(ExecError):
    def __init__(self, message: str, *, status: int, endpoint: str) -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint


class TransportError(ExecError):
    pass


class ResponseShapeError(ExecError):
    def __init__(self, endpoint: str, field: str, problem: str) -> None:
        super().__init__(f"{endpoint}: unexpected response: field '{field}' {problem}")
        self.endpoint = endpoint
        self.field = field


STATUS_ERRORS: dict[int, type[APIError]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    403: WorkspaceInactive,
    404: NotFound,
    429: RateLimited,
}
