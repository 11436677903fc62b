"""A run folder (``OUT/<scenario>/<period>``, or ``OUT/<program>/<period>`` for a program
run) and its swap: a run is built in a hidden sibling and swapped in whole, so a rerun
replaces, never mixes, and a failure or a kill leaves the previous run (and its record of
emails sent) as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from reporter.cohort.snapshot import Snapshot
from reporter.deliver.manifest import RepEntry, previous_manifest
from reporter.errors import RunError
from reporter.files import folder_lock, private_folder
from reporter.names import (
    COMPONENT_MAX,
    KEPT_DIR,
    PROGRAM_SUFFIX,
    REPS_DIR,
    SCENARIO_RUN,
    safe_component,
)


def run_dir_for(out: Path, snapshot: Snapshot) -> Path:
    """``OUT/<scenario-slug>/<period>``, or for a program ``OUT/<program-slug>/<period>``,
    both parts made safe for a file system.

    A program whose slug is also the slug of one of its own scenarios (a collection named
    after its main scenario, a one-scenario program) gets ``<slug>-program``: the two runs
    of that month are different reports, and one must not replace the other's folder.
    """
    period = safe_component(snapshot.period.label if snapshot.period else "", "period")
    if snapshot.kind == SCENARIO_RUN:
        scenario = snapshot.scenarios[0].scenario
        slug = safe_component(scenario.slug or scenario.name or "", "scenario")
        return Path(out) / slug / period
    program = snapshot.program
    slug = safe_component(program.slug or program.name or "", "program")
    own = {safe_component(p.scenario.slug or p.scenario.name or "", "scenario")
           for p in snapshot.scenarios}
    if slug in own:
        slug = slug[:COMPONENT_MAX - len(PROGRAM_SUFFIX)].rstrip("-.") + PROGRAM_SUFFIX
    return Path(out) / slug / period


class RunFolder:
    """Build a run in a hidden sibling folder, then swap it in: a rerun replaces, never mixes,
    and a failure leaves the previous run as it was.

    Made while holding the folder's lock (``files.folder_lock``), so any hidden sibling left
    from an earlier process (killed before it could clean up) is stale: a previous run set
    aside by a swap that never finished is put back first (``recover_run_folder``), then the
    rest is removed. The record of emails sent from the folder it replaces is read next,
    before any work: a damaged one stops the run then, not after the day's requests are spent.
    """

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        recover_run_folder(self.final)
        self.previous = previous_manifest(self.final)
        self.sent = self.previous.send_state() if self.previous is not None else {}
        # The reps the run in place reported on (a report, or a row for a rep without a
        # valid attempt): what ``check_replaces`` weighs a rerun against.
        self.previous_reps: frozenset[str] | None = None if self.previous is None else (
            frozenset(r.email.casefold() for r in self.previous.reps
                      if r.status in ("ok", "empty")))
        private_folder(self.final.parent)
        for stale in self.final.parent.glob(f".{self.final.name}.*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", dir=self.final.parent))

    def commit(self) -> None:
        """Two renames: the previous run aside (``set_aside``), the new one in. Killed between
        them, the next command on the folder puts the previous run back; killed after, the new
        run is in place and carries the send record; the set-aside copy is removed last."""
        old = None
        if self.final.exists() or self.final.is_symlink():
            old = set_aside(self.final)
            os.replace(self.final, old)
        os.replace(self.stage, self.final)
        if old is not None and old.is_symlink():
            old.unlink()  # a link put where the run folder was: removed, never followed
        elif old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

    def keep_previous_reports(self, failed: Collection[str]) -> list[tuple[str, Path]]:
        """A rerun in which some reps' reports failed (``failed``: their emails) replaces the
        run before it all the same, since every other rep's report is newer, but never loses
        what that run had for them: each one's previous report (its ``reps/`` PDF, or the one
        it had kept itself) is copied into ``previous-reports/``, beside, not among, the new
        reports, so that nobody is mailed it as this run's. Returns (email, copy) for each.
        """
        if self.previous is None or not failed:
            return []
        kept: list[tuple[str, Path]] = []
        for entry in self.previous.reps:
            source = self._previous_report(entry) if entry.email in failed else None
            if source is None:
                continue
            copy = self.stage / KEPT_DIR / source.name
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, copy)
            kept.append((entry.email, copy))
        return kept

    def _previous_report(self, entry: RepEntry) -> Path | None:
        """The previous run's report of ``entry``'s rep, if it is a file of that run's own
        (``reps/<name>.pdf``, or ``previous-reports/<slug>.pdf`` listed in its manifest)."""
        assert self.previous is not None
        if entry.pdf:
            where, name = REPS_DIR, Path(entry.pdf).name
            listed = entry.pdf == f"{REPS_DIR}/{name}"
        else:
            where, name = KEPT_DIR, f"{entry.slug}.pdf"
            listed = bool(entry.slug) and f"{KEPT_DIR}/{name}" in self.previous.files
        folder = self.final / where
        path = folder / name
        if not listed or path.is_symlink() or not path.is_file() \
                or path.resolve().parent != folder.resolve():
            return None
        return path

    def check_replaces(self, reps: Collection[str], not_found: Sequence[str], failed: int, *,
                       force: bool) -> None:
        """Before anything is written: a run with no rep writes nothing (``NothingToReport``),
        and one that would drop more than half of the reps of the run in place replaces it
        only with ``force`` (``WouldDropReps``). Either way the run in place stays.

        ``reps`` are the run's reps' addresses, ``not_found`` the reason of each address
        asked for and not found (``NotFoundReason``), ``failed`` how many reps could not be
        read."""
        stays = (f"; the run in {self.final} stays" if self.previous_reps is not None else "")
        if not reps:
            raise NothingToReport(f"no rep to report on in {self.final}: "
                                  f"{_why_nobody(not_found, failed)}; nothing was written"
                                  + stays)
        if force or not self.previous_reps:
            return
        dropped = self.previous_reps - {r.casefold() for r in reps}
        if 2 * len(dropped) > len(self.previous_reps):
            raise WouldDropReps(
                f"this run has {len(reps)} rep{_s(len(reps))} and would drop {len(dropped)} of "
                f"the {len(self.previous_reps)} reps of the run in {self.final} "
                f"(e.g. {min(dropped)}): nothing was written and that run stays; --force "
                "replaces it")


class NothingToReport(RunError):
    """A run that ends with no rep (nobody selected has sessions, or none could be read):
    nothing is written, and a run already in the folder stays."""


class WouldDropReps(RunError):
    """A rerun that would drop most of the reps of the run it replaces, without ``--force``:
    nothing is written, and the run in place stays."""


#: How a not-found reason reads in a count.
_REASONS = {"not_member": "not in the workspace", "no_sessions": "without sessions",
            "invalid_address": "not an address"}


def _why_nobody(not_found: Sequence[str], failed: int) -> str:
    if failed:
        return (f"the sessions of {'the' if failed == 1 else 'all'} {failed} rep{_s(failed)} "
                "could not be read (listed above)")
    if not_found:
        counts = Counter(not_found)
        return (f"none of the {len(not_found)} address{'es' if len(not_found) != 1 else ''} "
                "asked for has sessions in the period ("
                + ", ".join(f"{n} {_REASONS.get(r, r)}" for r, n in counts.most_common())
                + "; listed above)")
    return "nobody has sessions in the period"


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def set_aside(final: Path) -> Path:
    """Where a swap puts the previous run while the new one moves in."""
    return final.parent / f".{final.name}.old-{os.getpid()}"


def recover_run_folder(final: Path) -> None:
    """A run folder that a killed swap left missing, back from where the swap set it aside
    (the newest such copy with a manifest): its send record is what keeps a rep from a second
    email. Called holding the folder's lock; with the folder in place, nothing to do."""
    final = Path(final)
    if final.exists() or final.is_symlink() or not final.parent.is_dir():
        return
    aside = [p for p in final.parent.glob(f".{final.name}.old-*")
             if p.is_dir() and not p.is_symlink() and (p / "manifest.json").is_file()]
    if aside:
        newest = max(aside, key=lambda p: (p / "manifest.json").stat().st_mtime)
        os.replace(newest, final)


@contextmanager
def held(final: Path) -> Iterator[RunFolder]:
    """The run folder held (``folder_lock``) and its staging folder; on any failure the
    staging folder goes, leaving the previous run as it was, and so does the scenario's
    folder when this run made it and left it empty: a refused run writes nothing."""
    made_parent = not Path(final).parent.exists()
    try:
        with folder_lock(final):
            folder = RunFolder(final)
            try:
                yield folder
            except OSError as exc:
                folder.abort()
                raise in_final(exc, folder) from None
            except BaseException:
                folder.abort()
                raise
    except BaseException:
        if made_parent:
            with contextlib.suppress(OSError):  # not empty: another command's, or a file
                Path(final).parent.rmdir()
        raise


def in_final(exc: OSError, folder: RunFolder) -> OSError:
    """``exc`` naming the file where the run folder would have it, not in the hidden staging
    folder (removed by then): ``cannot write OUT/<slug>/<period>/reps/x.pdf: ...``."""
    try:
        inside = Path(str(exc.filename or "")).relative_to(folder.stage)
    except ValueError:
        return exc
    return OSError(exc.errno, exc.strerror or str(exc), str(folder.final / inside))
