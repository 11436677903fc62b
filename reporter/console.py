"""Progress and messages on stderr: a bar on a terminal, plain lines otherwise.

stdout stays free for what a command prints as its result (a dry-run plan, the
sandbox's URL), so scripts can read it; ``--quiet`` keeps only warnings and
errors, ``--verbose`` adds detail. Every message goes through ``printable``: text
from the API never reaches a terminal raw.
"""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

import click


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: every control or format character escaped.

    Names, addresses and messages come from the API and may hold ANSI or OSC sequences (which
    recolour a terminal or retitle its window), CR or LF (which forge log lines) or bidi
    overrides (which reorder what a reader sees). Each becomes a visible escape, such as
    ``\\x1b`` or ``\\u202e``; everything else, accents and CJK included, is left as it is.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


class Console:
    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.interactive = sys.stderr.isatty()

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(printable(message), err=True)

    def detail(self, message: str) -> None:
        if self.verbose and not self.quiet:
            click.echo(printable(message), err=True)

    def warn(self, message: str) -> None:
        click.echo(f"warning: {printable(message)}", err=True)

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Progress]:
        bar = Progress(self, total, label)
        try:
            yield bar
        finally:
            bar.close()


class Progress:
    """Counts work done; draws a rich bar on a terminal, a line every ~10% otherwise."""

    def __init__(self, console: Console, total: int, label: str) -> None:
        self.console = console
        self.total = total
        self.label = label
        self.done = 0
        self._last_pct = -1
        self._rich = None
        self._started = time.monotonic()
        if total and console.interactive and not console.quiet:
            from rich.console import Console as RichConsole
            from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=RichConsole(stderr=True), transient=True,
            )
            self._task = self._rich.add_task(label, total=total)
            self._rich.start()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._rich is not None:
            self._rich.update(self._task, completed=self.done)
            return
        if not self.total or self.console.quiet:
            return
        pct = (100 * self.done) // self.total
        if pct // 10 > self._last_pct // 10 or self.done == self.total:
            self._last_pct = pct
            self.console.info(f"{self.label}: {self.done}/{self.total}")

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
