"""The API key: checked before any request, and kept out of every message and file.

An ``ApiKey`` prints as ``exec_live_…`` followed by its fingerprint, so a key that
ends up in a log line, a traceback or a repr is harmless. The fingerprint (a
short SHA-256) names per-key files such as the daily request count.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from urllib.parse import urlsplit

from reporter.errors import ConfigError

KEY_RE = re.compile(r"exec_live_[A-Za-z0-9]{40}")
DEFAULT_BASE_URL = "https://api.exec.com/rest/v1"


class ApiKey:
    __slots__ = ("_secret",)

    def __init__(self, secret: str) -> None:
        if not isinstance(secret, str) or not KEY_RE.fullmatch(secret.strip()):
            raise ConfigError(
                "EXEC_API_KEY is malformed: expected 'exec_live_' followed by 40 letters or digits"
            )
        self._secret = secret.strip()

    @classmethod
    def from_env(cls, value: str | None = None) -> ApiKey:
        """The key from ``value`` (the config file) or else EXEC_API_KEY."""
        secret = value if value else os.environ.get("EXEC_API_KEY", "")
        if not secret:
            raise ConfigError(
                "no API key: set EXEC_API_KEY (create one in Exec under Settings > API)"
            )
        return cls(secret)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self._secret.encode()).hexdigest()[:16]

    def authorization(self) -> str:
        return f"Bearer {self._secret}"

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self._secret

    def __repr__(self) -> str:
        return f"ApiKey(exec_live_…{self.fingerprint})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._secret == self._secret

    def __hash__(self) -> int:
        return hash(self._secret)


def base_url_from_env(value: str | None = None) -> str:
    return check_base_url(value or os.environ.get("EXEC_API_URL") or DEFAULT_BASE_URL)


def check_base_url(url: str) -> str:
    """``url`` without its trailing slash, or ConfigError: not http(s), or plain
    http:// to anything but this machine (the key would cross the network in clear text)."""
    url = url.strip().rstrip("/")
    if not re.match(r"https?://[^\s/]+", url, re.IGNORECASE):
        raise ConfigError(f"EXEC_API_URL is not an http(s) URL: {url!r}")
    parts = urlsplit(url)
    if parts.scheme.lower() == "http" and not _is_loopback(parts.hostname or ""):
        raise ConfigError(
            f"EXEC_API_URL {url!r} is plain http:// to another machine, which would send the "
            "API key in clear text; use https:// (http:// is only for this machine's loopback)")
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
