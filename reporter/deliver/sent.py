"""The send record per person per period, across the run folders of one OUT:
``OUT/.sent/<period>.json``.

A run folder's manifest records the emails sent from it, which keeps a rerun of that folder
from mailing anyone twice. It cannot see another folder of the same month: a program run
(``OUT/<program>/<period>``) and a run of one of its scenarios (``OUT/<scenario>/<period>``)
are two folders, and a rep in both would get two emails about the same practice. So every
send is also written here, beside the run folders: who (``send_key``: a rep's address, or a
team and its manager's), which scenarios the report covered, from which folder, its
Message-ID and when.

The rule, one for every kind of run: a message is not sent when the person already got one
this period that covered every scenario this one covers. A rerun covers the same scenarios;
a scenario of a program is covered by the program's report, which has a row and a section
for it. A program's report after one of its scenarios' is still sent, once: it is the
month's fuller report (every scenario, the skills), not the same one again.

An email in doubt (handed to the server, its answer never recorded: ``smtp``) is here too,
marked so, written before it is handed over: another folder's send leaves that person out
and lists them as in doubt, unless the operator asks to send (``--resend-in-doubt``).

Written like the manifest: atomically, at each send, before the manifest (so a crash between
the two leaves the send known here, and the folder's own rerun repairs its manifest from it);
read strictly (a record that cannot be read stops the send rather than forget who was
mailed). Held for a whole send by its own lock (``files.folder_lock`` on the record), beside
the folder's: two sends of the same period, from two folders, never both read "not sent".
A folder that is not where ``run_dir_for`` puts runs (moved, renamed) has no such record and
keeps only its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Set
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from reporter.deliver.manifest import Manifest, ManifestError
from reporter.files import atomic_write_bytes, folder_lock, read_versioned_json
from reporter.names import SENT_DIR, safe_component

RECORD_VERSION = 1


class SendRecordError(ManifestError):
    """A send record that cannot be read: the send stops rather than mail someone twice."""


@dataclass(frozen=True)
class Delivery:
    """One email that reached its person (the server accepted it), or, ``in_doubt``, one
    handed to the server whose answer was never recorded (``sent_at``: when it was handed
    over). An email in doubt is written here before it is handed over and replaced by its
    delivery with the server's answer: another folder's send then knows the person may
    already have the report, and does not mail them silently."""

    key: str  # manifest.send_key: the rep's address, or "team:<slug>:<manager's address>"
    covers: tuple[str, ...]  # the slugs of the scenarios the report covered
    run: str  # the run folder it was sent from, relative to OUT: "<slug>/<period>"
    kind: str  # "scenario" or "program"
    message_id: str
    sent_at: str
    in_doubt: bool = False


_TYPES: dict[str, type] = {f.name: str for f in fields(Delivery)
                           if f.name not in ("covers", "in_doubt")}


class SendRecord:
    """The period's record, read once when the send takes it; ``add`` writes it whole."""

    def __init__(self, path: Path, deliveries: list[Delivery]) -> None:
        self.path = Path(path)
        self.deliveries = deliveries

    def covering(self, key: str, covers: Set[str], *,
                 in_doubt: bool = False) -> Delivery | None:
        """The earliest email ``key`` got this period that covered all of ``covers``; with
        ``in_doubt``, the earliest such email in doubt instead."""
        if not covers:
            return None  # nothing known to compare: only the folder's own record decides
        return next((d for d in self.deliveries if d.in_doubt == in_doubt
                     and d.key == key and covers <= set(d.covers)), None)

    def add(self, delivery: Delivery) -> None:
        """Record ``delivery`` (in doubt or delivered) in place of the same folder's email
        in doubt to the same person, and write the record whole."""
        self._drop_doubt(delivery.key, delivery.run, delivery.kind)
        self.deliveries.append(delivery)
        self._write()

    def clear_doubt(self, key: str, run: str, kind: str) -> None:
        """The folder's email to ``key`` certainly did not arrive: no longer in doubt."""
        if self._drop_doubt(key, run, kind):
            self._write()

    def _drop_doubt(self, key: str, run: str, kind: str) -> bool:
        kept = [d for d in self.deliveries
                if not (d.in_doubt and (d.key, d.run, d.kind) == (key, run, kind))]
        dropped = len(kept) != len(self.deliveries)
        self.deliveries = kept
        return dropped

    def _write(self) -> None:
        payload = {"schema_version": RECORD_VERSION, "period": self.path.stem,
                   "sent": [{k: v for k, v in asdict(d).items() if k != "in_doubt" or v}
                            for d in self.deliveries]}
        atomic_write_bytes(self.path, json.dumps(payload, ensure_ascii=False,
                                                 indent=1).encode("utf-8"))


def record_path(run_dir: Path, manifest: Manifest) -> Path | None:
    """``OUT/.sent/<period>.json`` for a run folder where ``run_dir_for`` puts it (its name
    is the manifest's period, made safe); None for a folder elsewhere."""
    run_dir = Path(run_dir)
    period = safe_component(str(manifest.run.get("period") or ""), "period")
    if run_dir.name != period or not run_dir.parent.name:
        return None
    return run_dir.parent.parent / SENT_DIR / f"{period}.json"


def folder_label(run_dir: Path) -> str:
    """How the record names a run folder: ``<slug>/<period>``, relative to OUT."""
    run_dir = Path(run_dir)
    return f"{run_dir.parent.name}/{run_dir.name}"


def read_record(path: Path) -> SendRecord:
    """The record at ``path`` (an empty one when there is none yet), or SendRecordError."""
    path = Path(path)
    if not path.exists():
        return SendRecord(path, [])
    data = read_versioned_json(path, "send record", RECORD_VERSION, SendRecordError)
    sent = data.get("sent")
    if not isinstance(sent, list):
        raise SendRecordError(f"{path} is not a send record (needs sent)")
    deliveries = []
    for index, raw in enumerate(sent):
        ok = isinstance(raw, dict) and all(isinstance(raw.get(k), t) for k, t in _TYPES.items())
        covers = raw.get("covers") if isinstance(raw, dict) else None
        in_doubt = raw.get("in_doubt", False) if isinstance(raw, dict) else False
        if not ok or not isinstance(covers, list) or not all(isinstance(c, str) for c in covers) \
                or not isinstance(in_doubt, bool):
            raise SendRecordError(f"{path}: sent[{index}] is not a delivery")
        deliveries.append(Delivery(**{k: raw[k] for k in _TYPES}, covers=tuple(covers),
                                   in_doubt=in_doubt))
    return SendRecord(path, deliveries)


@contextmanager
def held_record(run_dir: Path, manifest: Manifest) -> Iterator[SendRecord | None]:
    """The period's record of the folder's OUT, held for the block (None: no such record for
    a folder outside the layout). A damaged record stops here, before any message."""
    path = record_path(run_dir, manifest)
    if path is None:
        yield None
        return
    with folder_lock(path):
        try:
            record = read_record(path)
        except SendRecordError as exc:
            raise SendRecordError(
                f"{exc}; it records who was already emailed this period from every run "
                "folder, so nothing is sent rather than mail someone twice: restore it, or "
                "delete it if no email was sent this period") from None
        yield record
