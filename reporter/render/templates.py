"""The one Jinja environment for reports and emails, and the bundled templates themselves.

One loader (a user's folder first, the bundled templates as fallback), so ``--templates`` and
``templates = ...`` in the config reach the PDF and the emails alike. Autoescaping follows the
template's kind: HTML, XML and CSS are escaped (API text is untrusted), plain-text email parts
are not (a name "O'Neil & Co" must not arrive as "O&#39;Neil"). ``StrictUndefined`` makes a
typo in a user's template fail loudly rather than print "Hi ,".

The templates stay inside the package (``reporter/templates``) rather than at the top of the
repository: package data is what a wheel carries, so ``pip install`` then ``reporter demo``
works anywhere; ``reporter templates export DIR`` copies them out for a user to change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from reporter.errors import UsageError

BUNDLED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class TemplateFailure(UsageError):
    """A template that cannot be loaded or rendered: a user's override, usually."""


@contextmanager
def template_errors() -> Iterator[None]:
    """Jinja's own errors, as one line a user can act on (exit 2)."""
    try:
        yield
    except TemplateError as exc:
        where = getattr(exc, "name", None) or getattr(exc, "filename", None)
        line = getattr(exc, "lineno", None)
        at = f" ({where}{f', line {line}' if line else ''})" if where else ""
        raise TemplateFailure(f"template error{at}: {exc.message or exc}") from None


def environment(templates_dir: Path | None = None,
                filters: Mapping[str, Callable[..., Any]] | None = None) -> Environment:
    """The user's template folder first, the bundled one as fallback."""
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir is not None else []
    loaders.append(FileSystemLoader(str(BUNDLED_TEMPLATES)))
    by_kind = select_autoescape(enabled_extensions=("html", "xml", "css"),
                                disabled_extensions=("txt",), default=True,
                                default_for_string=True)
    env = Environment(autoescape=by_kind, loader=ChoiceLoader(loaders),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters.update(filters or {})
    return env


def export_templates(dest: Path) -> list[Path]:
    """Copy every bundled template into ``dest`` (made if missing), keeping the layout, so a
    user can change one and point ``--templates`` at the folder. An existing file is never
    overwritten: that would lose a user's changes."""
    dest = Path(dest)
    sources = sorted(p for p in BUNDLED_TEMPLATES.rglob("*") if p.is_file()
                     and "__pycache__" not in p.parts)
    targets = [dest / p.relative_to(BUNDLED_TEMPLATES) for p in sources]
    existing = [t for t in targets if t.exists()]
    if existing:
        raise UsageError(f"{existing[0]} already exists; export into an empty folder "
                         "(nothing was copied)")
    for source, target in zip(sources, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return targets
