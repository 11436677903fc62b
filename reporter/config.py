"""Settings: flags > environment > TOML file > defaults.

A monthly job repeats the same scenario, roster, branding and email settings;
they live in a TOML file (``--config FILE``, else ``./reporter.toml`` when
present). Every key is known here: a misspelt key is an error naming it, not a
setting silently ignored. The API key may be in the file (``[api] key``) but the
environment wins, and it is never printed.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from reporter.errors import ConfigError

DEFAULT_CONFIG = Path("reporter.toml")


#: The SMTP connection's security: STARTTLS, implicit TLS, or none (loopback tests, relays).
SECURITY_MODES: tuple[str, ...] = ("starttls", "ssl", "none")
#: Paper sizes, by the name a user may give (any case) -> WeasyPrint's.
PAPER_SIZES = {"a4": "A4", "letter": "letter"}

AtLeastOne = Annotated[StrictInt, Field(ge=1)]
Port = Annotated[StrictInt, Field(ge=1, le=65535)]
Seconds = Annotated[StrictInt | StrictFloat, Field(ge=0)]
AboveZero = Annotated[StrictInt | StrictFloat, Field(gt=0)]
Security = Literal["starttls", "ssl", "none"]  # SECURITY_MODES, as a type


class _Section(BaseModel):
    """A table of the file: every key known (a misspelt one is an error naming it), each of
    its type, within its bounds."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TopLevel(_Section):
    scenario: StrictStr | None = None
    collection: StrictStr | None = None  # a program run: a collection (name, slug or id)
    scenarios: list[StrictStr] | None = None  # a program run: an explicit list
    assigned: StrictBool | None = None  # a program run: what the reps are assigned
    emails: list[Any] | None = None
    roster: StrictStr | None = None
    group: StrictStr | None = None
    month: StrictStr | None = None
    since: StrictStr | None = None
    until: StrictStr | None = None
    out: StrictStr | None = None
    jobs: AtLeastOne | None = None
    cache_dir: StrictStr | None = None
    cache_retention_days: AtLeastOne | None = None  # cohort.RETENTION_DAYS when unset
    include_system_users: StrictBool | None = None
    max_requests: AtLeastOne | None = None
    paper: StrictStr | None = None
    transcripts: StrictBool | None = None
    skip_empty: StrictBool | None = None
    csv: StrictBool | None = None
    pdf: StrictBool | None = None
    xlsx: StrictBool | None = None
    templates: StrictStr | None = None
    language: StrictStr | None = None
    tagged_pdf: StrictBool | None = None
    compare: StrictBool | None = None
    by_team: StrictBool | None = None

    @field_validator("paper")
    @classmethod
    def _paper(cls, value: str | None) -> str | None:
        if value is not None and value.lower() not in PAPER_SIZES:
            raise ValueError("paper must be A4 or letter")
        return value


class ApiSection(_Section):
    url: StrictStr | None = None
    key: StrictStr | None = None
    rate_limit: AtLeastOne | None = None
    daily_limit: AtLeastOne | None = None
    request_deadline: AtLeastOne | None = None
    retry_delay: Seconds | None = None  # any size: the backoff caps each wait (RETRY_CAP)


class BrandingSection(_Section):
    company: StrictStr | None = None
    logo: StrictStr | None = None
    accent: StrictStr | None = None


class EmailSection(_Section):
    sender: StrictStr | None = Field(default=None, alias="from")
    smtp_host: StrictStr | None = None
    smtp_port: Port | None = None
    security: Security | None = None
    user: StrictStr | None = None
    pace_seconds: Seconds | None = None
    smtp_deadline: AboveZero | None = None  # seconds per step of the SMTP conversation
    subject_prefix: StrictStr | None = None
    to_override: StrictStr | None = None
    email_former_members: StrictBool | None = None


class TeamManager(_Section):
    """[teams]: "<group name or id>" = { name = "...", email = "..." }"""

    name: StrictStr = ""
    email: StrictStr | None = None
    # The team's language (BCP 47): its report, digest and workbook, and its reps' reports
    # unless the roster names theirs.
    language: StrictStr | None = None


#: Each table of the file and the model that checks it ("" : the top level).
SECTIONS: dict[str, type[_Section]] = {
    "": TopLevel, "api": ApiSection, "branding": BrandingSection, "email": EmailSection,
}
_KIND = {"string_type": "a string", "int_type": "a whole number", "bool_type": "true or false",
         "list_type": "a list", "float_type": "a number"}

# Keys that were valid once: naming one says what replaced it, not just "unknown".
RETIRED: dict[str, str] = {
    "email.cc_manager": "managers now get one digest each: map groups to managers in "
                        "[teams] and run with --by-team",
}


def check(model: type[_Section], values: Mapping[str, Any], *, prefix: str = "",
          section: str = "", where: str | None = None, label: str | None = None) -> None:
    """``values`` checked by ``model``, or ConfigError: one line naming the key (``where``
    the file, if any; ``label`` what the user wrote instead of the key, e.g. an environment
    variable)."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_message(model, exc.errors()[0], values, prefix, section, where,
                                   label)) from None


def _bounds(model: type[_Section], key: str) -> tuple[Any, Any]:
    """The (least, greatest) a field allows, from its ``Field(ge=..., le=...)``."""
    info = model.model_fields.get(key)
    ge = le = None
    for arg in get_args(info.annotation) if info else ():  # the X of ``X | None``
        for field_info in getattr(arg, "__metadata__", ()):
            for bound in getattr(field_info, "metadata", ()):
                ge = getattr(bound, "ge", ge)
                le = getattr(bound, "le", le)
    return ge, le


def _message(model: type[_Section], error: Any, values: Mapping[str, Any], prefix: str,
             section: str, where: str | None, label: str | None) -> str:
    key = str(error["loc"][0]) if error["loc"] else ""
    value = values.get(key)
    head = f"{where}: " if where else ""
    kind = error["type"]
    name = label or (f"[{section}] {key}" if section else key)
    if kind == "extra_forbidden":
        if f"{prefix}{key}" in RETIRED:
            return f"{head}'{prefix}{key}' is no longer used: {RETIRED[prefix + key]}"
        return f"{head}unknown key '{prefix}{key}'"
    if kind in _KIND:
        # A number of either kind: the union's branch is named after the key.
        either = len(error["loc"]) > 1 and kind in ("int_type", "float_type")
        what = "a number" if either else _KIND[kind]
        if label:
            return f"{head}{label} must be {what}, got {value!r}"
        return f"{head}'{prefix}{key}' must be {what}"
    if kind in ("greater_than_equal", "less_than_equal"):
        ge, le = _bounds(model, key)
        if le is not None:
            return f"{head}{name} must be from {ge} to {le}, got {value!r}"
        if ge == 0:
            return f"{head}{name} must be 0 or more, got {value!r}"
        return f"{head}{name} must be a whole number of at least {ge}, got {value!r}"
    if kind == "literal_error":
        return f"{head}{name} must be one of {', '.join(SECURITY_MODES)}, got {value!r}"
    if kind == "value_error":  # a validator's own sentence
        return f"{head}{(error.get('ctx') or {}).get('error', error['msg'])}"
    return f"{head}{error['msg']}"


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


#: The keys a stranger could use: a secret, or where requests, mail, reports or cached
#: transcripts go, or what the reports and emails say (templates). A file setting any of
#: them is refused when someone else can change it (``check_owner``). The SMTP password is
#: not among them because no file can hold it: it comes from REPORTER_SMTP_PASSWORD only.
TRUSTED_KEYS: tuple[str, ...] = (
    "api.key", "api.url", "email.smtp_host", "email.smtp_port", "email.security",
    "email.user", "email.from", "email.to_override", "teams", "templates", "out",
    "cache_dir", "roster", "branding.logo")


def check_owner(path: Path, info: os.stat_result, data: Mapping[str, Any]) -> None:
    """Refuse, as ssh refuses such a key, a config file that group or others may write, or
    that another user (not root) owns, when it sets a ``TRUSTED_KEYS`` key: whoever can
    append ``[api] url`` to it receives the key with the next command. One line naming the
    file, the key and the fix; a file setting none of them (a month, a paper size) is read."""
    sets = next((_label(key) for key in TRUSTED_KEYS if _has(data, key)), None)
    if sets is None:
        return
    if info.st_uid not in (os.getuid(), 0):
        raise ConfigError(f"config file {path} belongs to another user (uid {info.st_uid}) "
                          f"and sets {sets}, so that user decides where the key goes; "
                          f"use a copy of your own: cp {path} mine.toml")
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o022:
        raise ConfigError(f"config file {path} can be changed by other users (mode "
                          f"{mode:04o}) and sets {sets}; fix: chmod go-w {path}")


def _has(data: Mapping[str, Any], key: str) -> bool:
    section, _, name = key.rpartition(".")
    table = data.get(section, {}) if section else data
    return isinstance(table, Mapping) and name in table


def _label(key: str) -> str:
    section, _, name = key.rpartition(".")
    return f"[{section}] {name}" if section else ("[teams]" if name == "teams" else name)


def load_config(path: Path | None) -> FileConfig:
    """The given file (must exist), else ./reporter.toml if present, else empty; refused
    when others can change what it says about the key and where things go
    (``check_owner``)."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return FileConfig()
        path = DEFAULT_CONFIG
    path = Path(path)
    try:
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())  # the file read, not one swapped in after
            # utf-8-sig: a byte-order mark (Notepad's UTF-8) is read past, not a TOML error.
            data = tomllib.loads(handle.read().decode("utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    check_owner(path, info, data)
    cfg = FileConfig(path=path.resolve())
    for key, value in data.items():
        if key == "teams":
            cfg.teams = _teams(path, value)
        elif isinstance(value, dict):
            if key not in SECTIONS or key == "":
                raise ConfigError(f"{path}: unknown section [{key}]")
            check(SECTIONS[key], value, prefix=f"{key}.", section=key, where=str(path))
            getattr(cfg, key).update(value)
        else:
            cfg.values[key] = value
    check(TopLevel, cfg.values, where=str(path))
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
        check(TeamManager, manager, prefix=f"{where}.", where=str(path))
        if not manager.get("email"):
            raise ConfigError(f"{path}: {where} needs the manager's email")
        out[str(group)] = {"name": manager.get("name", ""), "email": manager["email"]}
        if manager.get("language"):
            out[str(group)]["language"] = manager["language"]
    return out
