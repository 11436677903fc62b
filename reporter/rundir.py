"""A run folder (``OUT/<scenario>/<period>``, or ``OUT/<program>/<period>`` for a program
run) and its swap: a run is built in a hidden sibling and swapped in whole, so a rerun
replaces, never mixes, and a failure or a kill leaves the previous run (and its record of
emails sent) as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from reporter.cohort.snapshot import AnySnapshot, ProgramSnapshot
from reporter.deliver.manifest import RepEntry, previous_run
from reporter.files import folder_lock
from reporter.names import COMPONENT_MAX, KEPT_DIR, PROGRAM_SUFFIX, REPS_DIR, safe_component


def run_dir_for(out: Path, snapshot: AnySnapshot) -> Path:
    """``OUT/<scenario-slug>/<period>``, or for a program ``OUT/<program-slug>/<period>``,
    both parts made safe for a file system.

    A program whose slug is also the slug of one of its own scenarios (a collection named
    after its main scenario, a one-scenario program) gets ``<slug>-program``: the two runs
    of that month are different reports, and one must not replace the other's folder.
    """
    period = safe_component(snapshot.period.label if snapshot.period else "", "period")
    if isinstance(snapshot, ProgramSnapshot):
        program = snapshot.program
        slug = safe_component(program.slug or program.name or "", "program")
        own = {safe_component(p.scenario.slug or p.scenario.name or "", "scenario")
               for p in snapshot.scenarios}
        if slug in own:
            slug = slug[:COMPONENT_MAX - len(PROGRAM_SUFFIX)].rstrip("-.") + PROGRAM_SUFFIX
        return Path(out) / slug / period
    slug = safe_component(snapshot.scenario.slug or snapshot.scenario.name or "", "scenario")
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
        self.previous = previous_run(self.final)
        self.sent = self.previous.sent_record() if self.previous else {}
        self.final.parent.mkdir(parents=True, exist_ok=True)
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
    staging folder goes, leaving the previous run as it was."""
    with folder_lock(final):
        folder = RunFolder(final)
        try:
            yield folder
        except BaseException:
            folder.abort()
            raise
