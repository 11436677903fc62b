"""The render processes: a few worker processes drawing one job at a time each, replaced when
one dies, killed at once when the run stops.

``concurrent.futures.ProcessPoolExecutor`` did this job until two of its ways cost whole
runs: a worker killed by the OOM killer breaks the executor, and every report not yet drawn
fails with it (6 of 12 for one 20,000-line transcript); and stopping it waits for the reports
being drawn (Ctrl-C or SIGTERM took 4 to 73 s). Here each worker is handed one job at a time,
so the pool knows which job a dead worker was drawing: that job is drawn again by a new
worker, and fails (``WorkerDied``) only when it kills a second one; the other jobs never
notice. ``kill`` ends every worker with SIGKILL and waits for nothing it was drawing.

The workers are started from a thread that blocks SIGINT and SIGTERM, and a child keeps its
parent's signal mask: Ctrl-C at a terminal reaches the whole process group, but only the
parent, which owns the run, acts on it (a worker's KeyboardInterrupt traceback would bury the
one line the parent prints), even while a worker is still importing.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import os
import signal
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from reporter.errors import RunError
from reporter.render.options import PdfOptions
from reporter.render.spawning import spawn_context
from reporter.render.worker import serve

#: The signals only the parent acts on; its workers are born with them blocked.
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})

#: How many workers one job may take down before it fails: the second death is the job's,
#: the first may have been the machine's (the OOM killer picks the biggest process, not the
#: one that grew).
DEATHS_PER_JOB = 2

#: Workers dying before they are ready, in a row, before every job fails: a renderer that
#: cannot start (a missing library) would otherwise be restarted for ever.
DEATHS_AT_START = 3


class WorkerDied(RunError):
    """A render process died while drawing a report, twice: that report fails, and every
    other report is drawn."""


def death(exitcode: int | None) -> str:
    """How a worker ended, in words: ``killed (SIGKILL)``, ``exited with status 3``."""
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed ({signal.Signals(-exitcode).name})"
        except ValueError:
            return f"killed (signal {-exitcode})"
    return f"exited with status {exitcode}"


@dataclass(eq=False)
class _Job:
    future: cf.Future[Any]
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    deaths: int = 0


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    ready: bool = False
    job: _Job | None = None
    gone: bool = False  # its end of the pipe is closed: only its sentinel is waited for


_LIVE: weakref.WeakSet[RenderProcesses] = weakref.WeakSet()


class RenderProcesses:
    """Up to ``jobs`` spawned workers (``worker.serve``), each built once with ``options``.

    ``submit`` queues a call (a module-level function and its arguments) and returns its
    future; a thread hands each job to an idle worker, collects the answers, and replaces a
    worker that dies. ``close`` waits for every job; ``kill`` stops at once.
    """

    def __init__(self, options: PdfOptions, jobs: int) -> None:
        self.options = options
        self.jobs = max(1, jobs)
        # spawn, not fork: the caller may hold threads (HTTP client, event loop) that a forked
        # child would inherit in an unknown state; and never the caller's script again
        # (``spawning``: a script without a main guard).
        self._context = spawn_context()
        self._lock = threading.Lock()
        self._queue: deque[_Job] = deque()
        self._workers: list[_Worker] = []
        self._closing = False
        self._killed = False
        self._broken: BaseException | None = None
        self._started_dead = 0
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="render-processes",
                                        daemon=True)
        _LIVE.add(self)

    # -- the caller's side ------------------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any) -> cf.Future[Any]:
        future: cf.Future[Any] = cf.Future()
        with self._lock:
            if self._closing or self._killed:
                raise RuntimeError("the render processes are closed")
            if self._broken is not None:
                future.set_exception(self._broken)
                return future
            self._queue.append(_Job(future, fn, args))
            if self._thread.ident is None:
                self._thread.start()
        self._wake()
        return future

    def close(self) -> None:
        """Wait for every job queued, then let the workers end."""
        with self._lock:
            self._closing = True
        self._wake()
        if self._thread.ident is not None:
            self._thread.join()
        self._end()

    def kill(self) -> None:
        """Stop now: every worker killed (SIGKILL; they ignore SIGTERM), nothing it was drawing
        waited for, the jobs not drawn cancelled. For a run that is interrupted or failed:
        its staging folder is removed next, so no worker may still be writing into it."""
        with self._lock:
            self._killed = True
            workers = list(self._workers)
        for worker in workers:
            with contextlib.suppress(OSError, ValueError):
                worker.process.kill()
        self._wake()
        for worker in workers:
            worker.process.join(timeout=5)
        if self._thread.ident is not None:
            self._thread.join(timeout=5)
        self._end()

    # -- the thread that runs the workers ---------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # closed: nothing is listening any more
            os.write(self._wake_w, b"x")

    def _serve(self) -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # inherited by each worker
        try:
            while self._step():
                pass
        except BaseException as exc:  # a bug here must not leave a caller waiting for ever
            self._fail_all(RuntimeError(f"the render processes stopped: {exc!r}"))
            raise
        finally:
            self._fail_all(cf.CancelledError())

    def _step(self) -> bool:
        """Hand out jobs, wait for one answer, a death or a wake-up; False: the pool is done."""
        with self._lock:
            if self._killed:
                return False
            self._dispatch()
            busy = any(w.job is not None for w in self._workers)
            if self._closing and not self._queue and not busy:
                for worker in self._workers:
                    with contextlib.suppress(OSError):
                        worker.conn.send(None)
                return False
            waiting = {w.conn: w for w in self._workers if not w.gone}
            sentinels = {w.process.sentinel: w for w in self._workers}
        ready = wait([self._wake_r, *waiting, *sentinels])
        if self._wake_r in ready:
            os.read(self._wake_r, 4096)
        with self._lock:
            if self._killed:
                return False
            for obj in ready:
                if obj in waiting:
                    self._answer(waiting[obj])
            for obj in ready:
                if isinstance(obj, int) and obj in sentinels:
                    self._buried(sentinels[obj])
        return True

    def _dispatch(self) -> None:
        """Each idle ready worker gets the next job; workers are started while there is more
        work than workers, up to ``jobs``."""
        for worker in self._workers:
            if worker.ready and worker.job is None:
                while self._queue:
                    job = self._queue.popleft()
                    if job.deaths or job.future.set_running_or_notify_cancel():
                        break
                else:
                    break
                worker.job = job
                try:
                    worker.conn.send((job.fn, job.args))
                except OSError:
                    pass  # it died: its sentinel says so, and the job is drawn again
                except Exception as exc:  # the job cannot be pickled: its own failure
                    worker.job = None
                    job.future.set_exception(exc)
        idle = sum(1 for w in self._workers if w.job is None)
        wanted = min(self.jobs - len(self._workers), len(self._queue) - idle)
        for _ in range(max(0, wanted)):
            self._start()

    def _start(self) -> None:
        ours, theirs = self._context.Pipe()
        process = self._context.Process(target=serve, args=(theirs, self.options, os.getpid()),
                                        name="reporter-render")
        process.start()
        theirs.close()
        self._workers.append(_Worker(process, ours))

    def _answer(self, worker: _Worker) -> None:
        """A worker's message: ready, a job's result or error, or a start that failed."""
        try:
            kind, value = worker.conn.recv()
        except (EOFError, OSError):
            worker.gone = True  # it died: its sentinel says so
            return
        except Exception as exc:  # an answer that cannot be read is its job's failure
            kind, value = "error", RuntimeError(f"unreadable answer: {exc!r}")
        if kind == "ready":
            worker.ready = True
            self._started_dead = 0
        elif kind == "start-failed":
            self._break(value)
        elif worker.job is not None:
            job, worker.job = worker.job, None
            if kind == "done":
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def _buried(self, worker: _Worker) -> None:
        """A worker that ended: what it said last is read, its job is drawn again (or fails,
        the second time), and the next ``_dispatch`` starts a worker in its place."""
        while not worker.gone and worker.conn.poll():
            self._answer(worker)
        worker.process.join(timeout=5)
        self._workers.remove(worker)
        worker.conn.close()
        how = death(worker.process.exitcode)
        if worker.job is not None:
            job = worker.job
            job.deaths += 1
            if job.deaths >= DEATHS_PER_JOB:
                times = "twice" if job.deaths == 2 else f"{job.deaths} times"
                job.future.set_exception(WorkerDied(
                    f"the render process drawing it was {how}, {times}"))
            else:
                self._queue.appendleft(job)
        elif not worker.ready and self._broken is None:
            self._started_dead += 1
            if self._started_dead >= DEATHS_AT_START:
                self._break(WorkerDied(f"render processes die as they start ({how})"))

    def _break(self, exc: BaseException) -> None:
        """No worker can start: every job queued, and every one submitted later, fails."""
        self._broken = exc
        while self._queue:
            job = self._queue.popleft()
            if job.deaths or job.future.set_running_or_notify_cancel():
                job.future.set_exception(exc)

    def _fail_all(self, exc: BaseException) -> None:
        with self._lock:
            jobs = [*self._queue, *(w.job for w in self._workers if w.job is not None)]
            self._queue.clear()
        for job in jobs:
            if not job.future.done() and not job.future.cancel():
                job.future.set_exception(exc)

    def _end(self) -> None:
        """The pipe and the processes let go (each worker has ended or been killed)."""
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(timeout=5)
            worker.conn.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._wake_r = self._wake_w = -1
        _LIVE.discard(self)


@atexit.register
def _kill_left_over() -> None:
    """Workers ignore SIGTERM, so multiprocessing's own exit (terminate, then join) would wait
    for ever on one a caller never closed; killed here first (atexit runs this before it)."""
    for pool in list(_LIVE):
        pool.kill()
