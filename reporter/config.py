"""Settings: flags > environment > TOML file > defaults.

A monthly job repeats the same scenario, roster, branding and email settings;
they live in a TOML file (``--config FILE``, else ``./reporter.toml`` when
present). Every key is known here: a misspelt key is an error naming it, not a
setting silently ignored. The API key may be in the file (``[api] key``) but the
environment wins, and it is never printed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter.errors import ConfigError

DEFAULT_CONFIG = Path("reporter.toml")


# section -> key -> expected type(s)
SCHEMA: dict[str, dict[str, tuple[type, ...]]] = {
    "": {
        "scenario": (str,), "emails": (list,), "roster": (str,), "group": (str,),
        "month": (str,), "since": (str,), "until": (str,), "out": (str,),
        "jobs": (int,), "cache_dir": (str,), "include_system_users": (bool,),
        "max_requests": (int,), "paper": (str,), "transcripts": (bool,),
        "skip_empty": (bool,), "csv": (bool,), "pdf": (bool,), "xlsx": (bool,),
        "templates": (str,), "language": (str,), "tagged_pdf": (bool,),
        "compare": (bool,), "by_team": (bool,),
    },
    "api": {"url": (str,), "key": (str,), "rate_limit": (int,), "daily_limit": (int,),
            "request_deadline": (int,)},
    "branding": {"company": (str,), "logo": (str,), "accent": (str,)},
    "email": {
        "from": (str,), "smtp_host": (str,), "smtp_port": (int,), "security": (str,),
        "user": (str,), "pace_seconds": (int, float),
        "subject_prefix": (str,), "to_override": (str,), "email_former_members": (bool,),
    },
}


# Keys that were valid once: naming one says what replaced it, not just "unknown".
RETIRED: dict[str, str] = {
    "email.cc_manager": "managers now get one digest each: map groups to managers in "
                        "[teams] and run with --by-team",
}
# [teams]: "<group name or id>" = { name = "...", email = "..." }
TEAM_KEYS: dict[str, tuple[type, ...]] = {"name": (str,), "email": (str,)}


@dataclass
class FileConfig:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)  # top-level keys
    api: dict[str, Any] = field(default_factory=dict)
    branding: dict[str, Any] = field(default_factory=dict)
    email: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, dict[str, str]] = field(default_factory=dict)  # group -> manager

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def resolve_path(self, value: str | None) -> Path | None:
        """Paths in the file are relative to the file, not to where cron runs."""
        if not value:
            return None
        p = Path(value).expanduser()
        return p if p.is_absolute() or self.path is None else self.path.parent / p


def load_config(path: Path | None) -> FileConfig:
    """The given file (must exist), else ./reporter.toml if present, else empty."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return FileConfig()
        path = DEFAULT_CONFIG
    path = Path(path)
    try:
        # utf-8-sig: a byte-order mark (Notepad's UTF-8) is read past, not a TOML error.
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    cfg = FileConfig(path=path.resolve())
    for key, value in data.items():
        if key == "teams":
            cfg.teams = _teams(path, value)
        elif isinstance(value, dict):
            if key not in SCHEMA or key == "":
                raise ConfigError(f"{path}: unknown section [{key}]")
            target = getattr(cfg, key)
            for sub, subval in value.items():
                _check(path, SCHEMA[key], sub, subval, prefix=f"{key}.")
                target[sub] = subval
        else:
            _check(path, SCHEMA[""], key, value)
            cfg.values[key] = value
    return cfg


def _teams(path: Path, value: Any) -> dict[str, dict[str, str]]:
    """[teams]: each key a workspace group (name or id), each value the manager's table."""
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: 'teams' must be a table: [teams]")
    out: dict[str, dict[str, str]] = {}
    for group, manager in value.items():
        where = f"teams.{group!r}"
        if not isinstance(manager, dict):
            raise ConfigError(f'{path}: {where} must be a table: {{ name = "...", '
                              f'email = "..." }}')
        for sub, subval in manager.items():
            _check(path, TEAM_KEYS, sub, subval, prefix=f"{where}.")
        if not manager.get("email"):
            raise ConfigError(f"{path}: {where} needs the manager's email")
        out[str(group)] = {"name": manager.get("name", ""), "email": manager["email"]}
    return out


def _check(path: Path, schema: dict[str, tuple[type, ...]], key: str, value: Any,
           prefix: str = "") -> None:
    if f"{prefix}{key}" in RETIRED:
        raise ConfigError(f"{path}: '{prefix}{key}' is no longer used: "
                          f"{RETIRED[prefix + key]}")
    if key not in schema:
        raise ConfigError(f"{path}: unknown key '{prefix}{key}'")
    types = schema[key]
    ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
    if not ok:
        raise ConfigError(f"{path}: '{prefix}{key}' must be {_KIND[types]}")


_KIND = {(str,): "a string", (int,): "a whole number", (bool,): "true or false",
         (list,): "a list", (int, float): "a number"}
