"""Which language each output of a run is written in, decided once per run.

A rep's report and email, in this order of sources (the first that names one):

1. the roster's ``language`` (or ``locale``) column for their address;
2. the ``language`` of the ``[teams]`` entry whose group they are in (the first in the
   file's order when they are in several);
3. the run's scenarios' ``language`` as Exec names it ("Spanish" -> ``es``, one table:
   ``reporter.i18n.EXEC_LANGUAGES``), when every scenario of the run has the same one (a
   program whose scenarios differ has none: the rep's own setting or the configuration's);
4. the configuration's ``language``;
5. English.

A manager's outputs (a team's report, digest and workbook) are in their ``[teams]`` entry's
language, else the configuration's; the whole selection's (``team.pdf``, ``cohort.xlsx``)
in the configuration's. The CSV files are a fixed contract in English whatever the run's
languages (``CSV``).

A language reporter does not ship (a roster that says ``it``) is written in the shipped
language of the same family when there is one (``es-MX`` -> ``es``), else in English; an
Exec name the table does not know falls back to the next source. Either is said once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from reporter.i18n import LANGUAGES, SOURCE, exec_language, shipped

#: The language of the CSV files, whatever the run's: HR systems import them by header.
CSV = SOURCE


@dataclass(frozen=True)
class OutputLanguages:
    """The run's decision: every name is a shipped language tag (``reporter.i18n.LANGUAGES``)."""

    default: str = SOURCE  # the configuration's language (shipped), else English
    by_email: Mapping[str, str] = field(default_factory=dict)  # the roster's column
    by_group: tuple[tuple[str, str], ...] = ()  # [teams] group (name or id) -> language
    scenario: str | None = None  # the run's scenarios' one language

    def rep(self, email: str, groups: Iterable[str] = ()) -> str:
        """A rep's report and email language (the module's order)."""
        found = self.by_email.get(email.casefold())
        if found:
            return found
        names = {g.casefold() for g in groups}
        for group, tag in self.by_group:
            if group.casefold() in names:
                return tag
        return self.scenario or self.default

    def manager(self, language: str | None) -> str:
        """A team's outputs: its ``[teams]`` entry's language, else the configuration's."""
        return shipped(language) or self.default

    def to_json(self) -> dict[str, object]:
        """The decision as the run's manifest records it, so that its emails are written in
        the languages its PDFs were (``from_json``)."""
        return {"default": self.default, "by_email": dict(sorted(self.by_email.items())),
                "by_group": [list(pair) for pair in self.by_group], "scenario": self.scenario}

    @classmethod
    def from_json(cls, raw: object) -> OutputLanguages:
        """The manifest's record (``to_json``); a manifest from before languages, or one
        whose record is not shaped so: English throughout, as that run was written."""
        if not isinstance(raw, dict):
            return cls()
        by_email = raw.get("by_email") or {}
        by_group = raw.get("by_group") or []
        tags = [raw.get("default"), raw.get("scenario"), *(by_email.values()
                if isinstance(by_email, dict) else [None])]
        pairs = [p for p in by_group if isinstance(p, list) and len(p) == 2]
        if not all(t is None or shipped(t) == t for t in tags) or \
                not all(isinstance(g, str) and shipped(t) == t for g, t in pairs):
            return cls()
        return cls(default=raw.get("default") or SOURCE,
                   by_email={str(k): str(v) for k, v in by_email.items()},
                   by_group=tuple((str(g), str(t)) for g, t in pairs),
                   scenario=raw.get("scenario"))

    def all(self) -> tuple[str, ...]:
        """Every language an output of the run may be written in, the default first and
        the CSV's among them: what the views are built in."""
        tags = [self.default, CSV, *self.by_email.values(), *(t for _, t in self.by_group)]
        if self.scenario:
            tags.append(self.scenario)
        return tuple(dict.fromkeys(tags))


def resolve(*, configured: str | None, roster: Mapping[str, str],
            teams: Iterable[tuple[str, str | None]], scenario_languages: Iterable[str | None],
            warn: Callable[[str], None]) -> OutputLanguages:
    """The run's ``OutputLanguages`` from its sources: the configuration's ``language``,
    the roster's column (address -> tag), the ``[teams]`` entries (group, language) and the
    Exec names of the run's scenarios' languages; ``warn`` hears each fallback once."""
    said: set[str] = set()

    def note(text: str) -> None:
        if text not in said:
            said.add(text)
            warn(text)

    def usable(tag: str | None, where: str) -> str | None:
        if not tag:
            return None
        found = shipped(tag)
        if found is None:
            note(f"{where}: reports in {tag!r} are not shipped (languages: "
                 f"{', '.join(LANGUAGES)}); written in the next language that applies")
        elif found != tag:
            note(f"{where}: {tag!r} is written in {found!r}")
        return found

    default = usable(configured, "language") or SOURCE
    by_email = {email.casefold(): found for email, tag in roster.items()
                if (found := usable(tag, "roster"))}
    by_group = tuple((group, found) for group, tag in teams
                     if (found := usable(tag, f"[teams] {group!r}")))
    names = list(scenario_languages)
    tags: set[str | None] = set()
    for name in names:
        tag = exec_language(name)
        if name and tag is None:
            note(f"scenario language {name!r} is not one reporter knows; its reps' reports "
                 "are in their own or the configured language")
        tags.add(usable(tag, f"scenario language {name!r}") if tag else None)
    scenario = next(iter(tags)) if len(tags) == 1 else None
    return OutputLanguages(default=default, by_email=by_email, by_group=by_group,
                           scenario=scenario)
