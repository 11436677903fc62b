"""The workspace's catalogue: its collections, and its scenarios with their collections and
skills, so a newcomer can find the names to type (``reporter scenarios``).

A scenario does not name its collection in the API (``Scenario`` has no such field): what a
collection holds is learned by listing the scenarios with ``collection_ids`` set to it. So the
catalogue costs one request for the collections, one per collection that holds scenarios, and
one for every scenario with its skills (to find those in no collection); one collection
(``collection=``) costs two. Pages of 100 aside, that is all.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from reporter.cohort.selection import SelectionError
from reporter.console import printable
from reporter.exec_api import ExecClient
from reporter.exec_api.models import Collection, Scenario

NONE = "–"  # an empty cell, as the reports write an unknown figure


@dataclass(frozen=True)
class CatalogScenario:
    scenario: Scenario
    collections: tuple[Collection, ...]

    @property
    def skills(self) -> list[str]:
        return [s.name or s.slug or s.id for s in self.scenario.skills or []]


@dataclass(frozen=True)
class Catalog:
    collections: list[Collection]
    scenarios: list[CatalogScenario]  # by first collection's name (none last), then slug
    requests: int
    listed_collections: int  # scenario listings filtered by one collection
    one_collection: bool = False

    def cost(self) -> str:
        """What the catalogue cost, in words (for stderr)."""
        held = (f"{self.listed_collections} for what each collection holds (a scenario does "
                "not name its collection)")
        if self.one_collection:
            name = self.collections[0].name or self.collections[0].slug or self.collections[0].id
            held = f"1 for what {name} holds"
        rest = "" if self.one_collection else ", 1 for every scenario with its skills"
        pages = self.requests - 1 - self.listed_collections - (0 if self.one_collection else 1)
        more = f", {pages} more for further pages" if pages > 0 else ""
        return (f"{self.requests} request{'s' if self.requests != 1 else ''}: 1 for the "
                f"collections, {held}{rest}{more}")

    def lines(self) -> list[str]:
        """Two aligned tables, collections then scenarios; API text made printable."""
        counts = {c.id: sum(1 for s in self.scenarios if c in s.collections)
                  for c in self.collections}
        rows = [["slug", "name", "scenarios"]] + [
            [c.slug or c.id, c.name or NONE, str(counts[c.id])] for c in self.collections]
        out = [f"Collections ({len(self.collections)})", *_table(rows), ""]
        rows = [["slug", "name", "collection", "skills"]] + [
            [s.scenario.slug or s.scenario.id, s.scenario.name or NONE,
             ", ".join(c.slug or c.id for c in s.collections) or NONE,
             ", ".join(s.skills) or NONE]
            for s in self.scenarios]
        out += [f"Scenarios ({len(self.scenarios)})", *_table(rows)]
        return out


def _table(rows: list[list[str]]) -> list[str]:
    rows = [[printable(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def find_collection(collections: Sequence[Collection], wanted: str) -> Collection:
    """A collection by id, slug or name (case-insensitive); an unknown one names the closest."""
    folded = wanted.strip().casefold()
    for c in collections:
        if c.id == wanted.strip() or folded in ((c.slug or "").casefold(),
                                                (c.name or "").casefold()):
            return c
    names = [c.slug or c.id for c in collections]
    close = difflib.get_close_matches(folded, names, n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else (
        f"; known: {', '.join(sorted(names)[:8])}" if names else "; the workspace has none")
    raise SelectionError(f"unknown collection {wanted!r}{hint}")


async def read_catalog(client: ExecClient, *, archived: bool = False,
                       collection: str | None = None) -> Catalog:
    """The catalogue (archived scenarios only with ``archived``), or one collection's part."""
    before = client.requests_made
    collections = await client.list_collections()
    chosen = [find_collection(collections, collection)] if collection else collections
    members: dict[str, list[Collection]] = {}
    every: dict[str, Scenario] = {}
    listed = 0
    for c in chosen:
        if c.scenario_count == 0 and not collection:
            continue  # known empty: no request
        listed += 1
        for s in await client.list_scenarios(archived, include_skills=True,
                                              collection_ids=[c.id]):
            every.setdefault(s.id, s)
            members.setdefault(s.id, []).append(c)
    if not collection:
        for s in await client.list_scenarios(archived, include_skills=True):
            every.setdefault(s.id, s)
    order = {c.id: i for i, c in enumerate(collections)}
    scenarios = sorted(
        (CatalogScenario(s, tuple(sorted(members.get(s.id, []), key=lambda c: order[c.id])))
         for s in every.values()),
        key=lambda s: (order[s.collections[0].id] if s.collections else len(order),
                       (s.scenario.slug or s.scenario.id).casefold()))
    return Catalog(chosen, scenarios, client.requests_made - before, listed,
                   one_collection=collection is not None)
