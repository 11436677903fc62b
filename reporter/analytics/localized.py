"""A run's views in each language its outputs are written in (``reporter.languages``).

Numbers are computed from the snapshot alone and are the same in every language; the words
around them (a headline, a reason, a step's line, a period's title) are the view's language,
since each view is built with it active (``reporter.i18n.use``). A run builds its views once
per language it writes (the default, the CSV's English, and each rep's or team's that
differs), and each output reads the views of its own: a rep's PDF and email their language's,
a team's report, digest and workbook their manager's, the CSV English. Two outputs in one
language read one view, so they never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from reporter.analytics.figures import utc
from reporter.analytics.program import RunScope, StreamedRep
from reporter.cohort.snapshot import RepRecord, Snapshot
from reporter.i18n import use
from reporter.languages import CSV, OutputLanguages
from reporter.views import ProgramReportView, ProgramRepView


@dataclass(frozen=True)
class LocalRep:
    """One rep's views in every language of the run, and which one is theirs."""

    language: str
    streamed: Mapping[str, StreamedRep]

    @property
    def view(self) -> ProgramRepView:
        """The rep's view in their own language: what their PDF draws."""
        return self.streamed[self.language].view


@dataclass(frozen=True)
class RunViews:
    """The run's report in each of its languages, and the decision that chose them."""

    reports: Mapping[str, ProgramReportView]
    languages: OutputLanguages

    @property
    def default(self) -> ProgramReportView:
        """The report in the configured language: the whole selection's outputs."""
        return self.reports[self.languages.default]

    @property
    def csv(self) -> ProgramReportView:
        """The report in the CSV's fixed language."""
        return self.reports[CSV]

    def of(self, language: str) -> ProgramReportView:
        return self.reports[language]

    def rep_language(self, rep: ProgramRepView) -> str:
        return self.languages.rep(rep.email, rep.groups)

    def manager(self, language: str | None) -> ProgramReportView:
        """The report a team's outputs read: its manager's language."""
        return self.reports[self.languages.manager(language)]

    def own(self) -> list[tuple[ProgramReportView, ProgramRepView]]:
        """Every rep (the default report's order) with the report and view in their own
        language: what their PDF and email are drawn from."""
        by_language = {tag: {r.user_id: r for r in report.reps}
                       for tag, report in self.reports.items()}
        out = []
        for rep in self.default.reps:
            tag = self.rep_language(rep)
            out.append((self.reports[tag], by_language[tag][rep.user_id]))
        return out


def as_views(value: RunViews | ProgramReportView) -> RunViews:
    """A writer's input as views: a single report (a Python caller's, built in one
    language) is every output's, its own language the default and the CSV's."""
    if isinstance(value, RunViews):
        return value
    return RunViews({value.language: value, CSV: value},
                    OutputLanguages(default=value.language))


class LocalScope:
    """``RunScope`` in each of the run's languages, one generated moment for all."""

    def __init__(self, header: Snapshot, languages: OutputLanguages, *,
                 generated_at: datetime | None = None) -> None:
        self.languages = languages
        generated = utc(generated_at) if generated_at else datetime.now(UTC)
        self.scopes: dict[str, RunScope] = {}
        for tag in languages.all():
            with use(tag):
                self.scopes[tag] = RunScope(header, generated_at=generated)
        self.headers = {tag: replace(scope.report, language=tag)
                        for tag, scope in self.scopes.items()}

    def rep(self, record: RepRecord) -> LocalRep:
        """The rep's views in every language (each built with it active)."""
        streamed = {}
        for tag, scope in self.scopes.items():
            with use(tag):
                streamed[tag] = scope.rep(record)
        return LocalRep(self.languages.rep(record.user.email or "", record.groups), streamed)

    def report_of(self, snapshot: Snapshot, reps: Sequence[LocalRep]) -> RunViews:
        """The run's report in every language, from every rep's views."""
        reports = {}
        for tag, scope in self.scopes.items():
            with use(tag):
                report = scope.report_of(snapshot, [r.streamed[tag] for r in reps])
            reports[tag] = replace(report, language=tag)
        return RunViews(reports, self.languages)


def build_views(snapshot: Snapshot, languages: OutputLanguages, *,
                generated_at: datetime | None = None) -> RunViews:
    """The run's views built whole from a snapshot, in each of its languages."""
    scope = LocalScope(snapshot, languages, generated_at=generated_at)
    return scope.report_of(snapshot, [scope.rep(r) for r in snapshot.reps])
