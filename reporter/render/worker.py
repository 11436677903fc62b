"""What runs inside a render process: the worker's one renderer, built as it starts, and the
jobs the pool hands it (a rep's report, any other document: a team's), each
written to its file with the checksum of the bytes written.

It imports no more than a worker needs (the views, the names, the files): a worker imports it
by name as it starts, so everything here is start-up time of every worker; WeasyPrint comes
with the renderer, in ``init_worker``. ``serve`` is a worker's whole life: built once, then
one job at a time from the pool (``render.processes``), which knows so which job a worker
that dies was drawing.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporter.files import atomic_write_bytes
from reporter.i18n import SOURCE, use
from reporter.names import target_path
from reporter.render.options import PdfOptions
from reporter.views import ProgramReportView, ProgramRepView

if TYPE_CHECKING:
    from reporter.render.pdf import PdfRenderer

#: A document's drawing function: (renderer, header, subject) -> (PDF bytes, pages). A
#: module-level function, so that it reaches a worker by name.
Draw = Callable[[Any, Any, Any], tuple[bytes, int]]


@dataclass(frozen=True)
class RenderedPdf:
    slug: str
    email: str
    path: Path
    pages: int
    sha256: str
    empty: bool


def saved(path: Path, pdf: bytes, pages: int, *, slug: str, email: str,
          empty: bool) -> RenderedPdf:
    """``pdf`` written to ``path`` atomically, with the checksum of the bytes written (the
    manifest's, so nobody reads the file back to hash it)."""
    atomic_write_bytes(path, pdf)
    return RenderedPdf(slug=slug, email=email, path=path, pages=pages,
                       sha256=hashlib.sha256(pdf).hexdigest(), empty=empty)


def write_rep(renderer: PdfRenderer, out_dir: Path, report: ProgramReportView,
              rep: ProgramRepView) -> RenderedPdf:
    """One rep's report (``render.rep_pdf``), a single-scenario run's or a program's alike."""
    from reporter.render.rep_pdf import render_rep

    path = target_path(out_dir, rep.slug)
    with use(report.language):  # the rep's language: their view was built in it
        pdf, pages = render_rep(renderer, report, rep)
    return saved(path, pdf, pages, slug=rep.slug, email=rep.email,
                 empty=not rep.has_valid_attempt)


@dataclass(frozen=True)
class Header:
    """A run's shared report header, pickled once by the pool, unpickled once per worker."""

    key: int
    blob: bytes


_WORKER: PdfRenderer | None = None
_HEADERS: dict[int, ProgramReportView] = {}
#: Headers a worker keeps: one a language of the run (reporter.i18n.LANGUAGES has six).
_HEADERS_KEPT = 8


#: How often a worker checks that the process that started it is still there.
_PARENT_CHECK_SECONDS = 0.5


def _end_with_parent(parent: int) -> None:
    """End this worker when its parent (pid ``parent``, passed in: it may have died while
    this worker was still importing) dies, kill -9 included, when no cleanup runs: a thread
    watches, so no orphan holds a renderer's memory a minute later."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def init_worker(options: PdfOptions, parent: int) -> None:
    """Build the worker's renderer once. Ctrl-C reaches every process of the terminal's group:
    the worker ignores it, and SIGTERM, and the parent, which owns the run, kills the workers
    and says so once (a worker's KeyboardInterrupt traceback would bury that line). The pool
    starts them with both blocked already; ignoring them here holds however it was started.

    Everything alive after the warm-up (modules, templates, fonts) lives as long as the worker,
    so it is frozen out of the garbage collector's reach: no pass walks it again."""
    from reporter.render.pdf import PdfRenderer

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _end_with_parent(parent)
    _WORKER = PdfRenderer(options)
    _WORKER.warm_up()
    gc.collect()
    gc.freeze()


def _unpickled(header: Header) -> ProgramReportView:
    """The header's report, unpickled once per worker (a run has one header a language it
    writes: the newest few are kept)."""
    report = _HEADERS.get(header.key)
    if report is None:
        report = pickle.loads(header.blob)
        if len(_HEADERS) >= _HEADERS_KEPT:
            _HEADERS.pop(next(iter(_HEADERS)))
        _HEADERS[header.key] = report
    return report


def render_in_worker(out_dir: Path, header: Header, rep: ProgramRepView) -> RenderedPdf:
    """One rep's report, with the run's report the header holds."""
    assert _WORKER is not None, "worker initializer did not run"
    return write_rep(_WORKER, out_dir, _unpickled(header), rep)


def write_document(renderer: PdfRenderer, drawing: Draw, path: Path, header: object,
                   subject: object, slug: str, email: str, empty: bool) -> RenderedPdf:
    with use(getattr(header, "language", SOURCE)):  # a team's report: its manager's language
        pdf, pages = drawing(renderer, header, subject)
    return saved(path, pdf, pages, slug=slug, email=email, empty=empty)


def draw_in_worker(drawing: Draw, path: Path, header: object, subject: object, slug: str,
                   email: str, empty: bool) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    return write_document(_WORKER, drawing, path, header, subject, slug, email, empty)


def serve(conn: Connection, options: PdfOptions, parent: int) -> None:
    """A render process: the renderer built (``init_worker``), ``("ready", None)`` said, then
    each job received, ``(function, arguments)``, answered ``("done", result)`` or
    ``("error", exception)``, until the pool sends None or goes away."""
    try:
        init_worker(options, parent)
    except Exception as exc:
        conn.send(("start-failed", _portable(exc)))
        return
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        try:
            answer: tuple[str, object] = ("done", fn(*args))
        except Exception as exc:
            answer = ("error", _portable(exc))
        conn.send(answer)


def _portable(exc: Exception) -> Exception:
    """``exc`` as the pool can receive it: itself when it survives pickling, else a
    RuntimeError with its type and message (an exception with a constructor of its own)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
