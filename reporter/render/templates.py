"""The one Jinja environment for reports and emails, and the bundled templates themselves.

One loader (a user's folder first, the bundled templates as fallback), so ``--templates`` and
``templates = ...`` in the config reach the PDF and the emails alike. Autoescaping follows the
template's kind: HTML, XML and CSS are escaped (API text is untrusted), plain-text email parts
are not (a name "O'Neil & Co" must not arrive as "O&#39;Neil"). ``StrictUndefined`` makes a
typo in a user's template fail loudly rather than print "Hi ,".

A user's folder makes the environment a sandbox (:class:`BoundedSandbox`): a template is data,
not code. Jinja's ``ImmutableSandboxedEnvironment`` refuses the attributes that lead out of
the template (``__globals__``, ``__class__``, ...), so ``{{ cycler.__init__.__globals__.os }}``
reaches neither ``os``, the environment nor the API key; the loader reads only the user's
folder and the bundled one (no ``..``, no absolute path). On top of it every document renders
within bounds (``TEMPLATE_SECONDS`` of CPU, ``TEMPLATE_OUTPUT_CHARS`` of output, no count,
width or repeat above ``TEMPLATE_MAX_COUNT``, no step building a product past the output
bound), checked in the sandbox's hooks: each call, filter, attribute, item, step of a loop
and intercepted operator. Crossing one is a :class:`TemplateFailure`, one line and exit 2.
The bundled templates alone keep the plain environment: they are ours, and the sandbox's
hooks cost time (``bench/bench_templates.py``).

The templates stay inside the package (``reporter/templates``) rather than at the top of the
repository: package data is what a wheel carries, so ``pip install`` then ``reporter demo``
works anywhere; ``reporter templates export DIR`` copies them out for a user to change.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
import string
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    nodes,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import Namespace
from markupsafe import Markup, escape

from reporter import i18n
from reporter.errors import UsageError

BUNDLED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: CPU seconds one document's template may take (a 2,000-rep team report takes well under
#: one): ``{% for i in range(n) %}{% for j in range(n) %}`` stops here, not never.
TEMPLATE_SECONDS = 5.0
#: Characters one document's template may write, and the longest string or list any step of
#: it may build: about four times the largest bundled document (a 2,000-rep team report).
TEMPLATE_OUTPUT_CHARS = 8_000_000
#: The largest count, width or repeat a template may ask of a call, filter or operator
#: (``range``, ``center``, ``"x".ljust(n)``, ``"x" * n``, the widths of ``"%9999999d"``): a
#: document of ours needs a few hundred at most.
TEMPLATE_MAX_COUNT = 100_000


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
        if where is None:
            where, line = _template_frame(exc)
        at = f" ({where}{f', line {line}' if line else ''})" if where else ""
        raise TemplateFailure(f"template error{at}: {exc.message or exc}") from None


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The template and line an error was raised at, from the frames Jinja puts in the
    traceback for its templates (a sandbox refusal carries neither on the error itself)."""
    where: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        path = Path(tb.tb_frame.f_code.co_filename)
        if path.suffix in (".html", ".txt", ".css", ".xml") and len(path.parts) >= 2:
            where = ("/".join(path.parts[-2:]), tb.tb_lineno)
        tb = tb.tb_next
    return where


def _escaped_once(function: Callable[..., str]) -> Callable[..., str]:
    """``function`` (words around text: punctuation, quotation marks) as a template's filter:
    text the template has already escaped (``_()`` gives Markup in an HTML template) is not
    escaped again, and plain text beside it is escaped first, so the result is Markup; plain
    text alone (a plain-text email) stays plain, for autoescape to treat as any other."""
    def escape_all(value: Any) -> Any:
        if isinstance(value, str):
            return str(escape(value))
        return [str(escape(v)) for v in value] if isinstance(value, list) else value

    @functools.wraps(function)
    def filter_(*args: Any, **options: Any) -> str:
        if not any(isinstance(v, Markup) for a in args
                   for v in (a if isinstance(a, list) else [a])):
            return function(*args, **options)
        return Markup(function(*map(escape_all, args), **options))
    return filter_


#: The filters of every template, PDF and email alike: punctuation is the language's too.
#: ``then`` joins sentences (``i18n.sentences``).
LANGUAGE_FILTERS: dict[str, Callable[..., Any]] = {
    "clauses": _escaped_once(i18n.clauses), "full_stop": _escaped_once(i18n.full_stop),
    "then": _escaped_once(i18n.sentences), "quoted": _escaped_once(i18n.quoted),
    "display_width": i18n.display_width,
}


def environment(templates_dir: Path | None = None,
                filters: Mapping[str, Callable[..., Any]] | None = None) -> Environment:
    """The user's template folder first, the bundled one as fallback; a sandbox with bounds
    (:class:`BoundedSandbox`) as soon as there is a user's folder, since its templates are
    data from outside the package."""
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir is not None else []
    loaders.append(FileSystemLoader(str(BUNDLED_TEMPLATES)))
    by_kind = select_autoescape(enabled_extensions=("html", "xml", "css"),
                                disabled_extensions=("txt",), default=True,
                                default_for_string=True)
    kind = Environment if templates_dir is None else BoundedSandbox
    env = kind(autoescape=by_kind, loader=ChoiceLoader(loaders),
               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
               keep_trailing_newline=True, extensions=["jinja2.ext.i18n"])
    # The words of every template in the active language (reporter.i18n): one environment
    # serves every language, since each call asks the language active when it renders.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda m: i18n.active().gettext(m),
        ngettext=lambda s, p, n: i18n.active().ngettext(s, p, n),
        pgettext=lambda c, m: i18n.active().pgettext(c, m),
        npgettext=lambda c, s, p, n: i18n.active().npgettext(c, s, p, n),
        newstyle=True)
    # Punctuation is the language's too: a clause list's separator, a sentence's full stop.
    env.filters.update(LANGUAGE_FILTERS)
    env.filters.update(filters or {})
    if isinstance(env, BoundedSandbox):
        env.bound_filters()
    return env


def context_names(context: Any) -> dict[str, Any]:
    """A template context (a frozen dataclass, one field per name) as the names a template
    reads: its fields, shallow (a field holding a view stays that view, properties and all)."""
    return {f.name: getattr(context, f.name) for f in fields(context)}


# -- the sandbox for a user's templates ------------------------------------------------------


class TemplateBoundError(SecurityError):
    """A user's template crossed one of the bounds (time, output, a count): a TemplateError,
    so :func:`template_errors` says it in one line."""


class _Budget(threading.local):
    """The document being rendered on this thread: its CPU deadline and the hooks counted
    since the clock was last read."""

    deadline: float | None = None
    ticks: int = 0


_BUDGET = _Budget()
#: The clock is read every this many hooks: cheap enough per attribute, and a hook costs far
#: less than 1/64 of the slack in TEMPLATE_SECONDS.
_TICKS_PER_CLOCK = 64


@contextmanager
def _budget() -> Iterator[None]:
    """One document's CPU budget; a template rendered inside another's shares the outer one."""
    if _BUDGET.deadline is not None:
        yield
        return
    _BUDGET.deadline = time.thread_time() + TEMPLATE_SECONDS
    _BUDGET.ticks = 0
    try:
        yield
    finally:
        _BUDGET.deadline = None


def _tick() -> None:
    """Refuse to go on once the document's CPU budget is spent."""
    _BUDGET.ticks += 1
    if _BUDGET.ticks % _TICKS_PER_CLOCK:
        return
    if _BUDGET.deadline is not None and time.thread_time() > _BUDGET.deadline:
        raise TemplateBoundError(f"the template took more than {TEMPLATE_SECONDS:g} s of CPU; "
                                 "stopped")


def _count(value: object) -> None:
    """Refuse a count, width or repeat above TEMPLATE_MAX_COUNT given to a call."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > TEMPLATE_MAX_COUNT:
        raise TemplateBoundError(f"the template asks for {value}; counts, widths and repeats "
                                 f"are limited to {TEMPLATE_MAX_COUNT:,}")


def _sized(value: Any) -> Any:
    """``value``, refused when it is a string or collection longer than TEMPLATE_OUTPUT_CHARS."""
    if isinstance(value, str | bytes | list | tuple | dict | set) and \
            len(value) > TEMPLATE_OUTPUT_CHARS:
        raise TemplateBoundError(f"the template builds more than {TEMPLATE_OUTPUT_CHARS:,} "
                                 "characters or items; stopped")
    return value


#: The string methods and the filters whose arguments are sizes: ``"x".ljust(n)``,
#: ``center(n)``, ``batch(n)``; their counts are bounded, other calls' numbers are values
#: (``"{:,}".format(250000)`` is a figure to print, not a width).
_SIZING_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_SIZING_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})


def _checked_call(args: Iterable[Any], kwargs: Mapping[str, Any], *, sizes: bool) -> None:
    """A call's arguments: none longer than TEMPLATE_OUTPUT_CHARS, and no count above
    TEMPLATE_MAX_COUNT when they are ``sizes``."""
    _tick()
    for value in (*args, *kwargs.values()):
        if sizes:
            _count(value)
        _sized(value)


def _sizes(function: object) -> bool:
    """Whether ``function``'s arguments are sizes: a sizing method of a string."""
    return (getattr(function, "__name__", None) in _SIZING_METHODS
            and isinstance(getattr(function, "__self__", None), str | bytes))


def _room(estimate: int) -> None:
    """Refuse a step whose result would pass TEMPLATE_OUTPUT_CHARS, before it is built."""
    if estimate > TEMPLATE_OUTPUT_CHARS:
        raise TemplateBoundError(f"the template would build about {estimate:,} characters, "
                                 f"past {TEMPLATE_OUTPUT_CHARS:,}; stopped")


def _length(value: object) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set) else 0


def _replaced(text: object, old: object, new: object) -> int:
    """The longest ``text.replace(old, new)`` can be."""
    size = _length(text)
    return size + (size // max(_length(old), 1) + 1) * _length(new)


def _products(function: object, args: tuple[Any, ...]) -> None:
    """The string methods whose result grows as a product of their inputs (``replace``,
    ``join``), checked before they run."""
    name = getattr(function, "__name__", None)
    owner = getattr(function, "__self__", None)
    if not isinstance(owner, str) or not args:
        return
    if name == "replace" and len(args) >= 2:
        _room(_replaced(owner, args[0], args[1]))
    elif name == "join":
        _room(len(owner) * _length(args[0]) + sum(map(_length, _sequence(args[0]))))


def _sequence(value: object) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, list | tuple) else ()


def _filter_products(name: str, value: Any, rest: tuple[Any, ...],
                     kwargs: Mapping[str, Any]) -> None:
    """The same for the filters whose result is a product of their inputs."""
    def arg(index: int, key: str, default: Any) -> Any:
        return rest[index] if len(rest) > index else kwargs.get(key, default)

    lines = value.count("\n") + 1 if isinstance(value, str) else 1
    if name == "replace":
        _room(_replaced(value, arg(0, "old", ""), arg(1, "new", "")))
    elif name == "join":
        _room(_length(arg(0, "d", "")) * _length(value) + sum(map(_length, _sequence(value))))
    elif name == "indent":
        width = arg(0, "width", 4)
        _room(_length(value) + lines * (width if isinstance(width, int) else _length(width)))
    elif name == "wordwrap":
        width = arg(0, "width", 79)
        per = max(width if isinstance(width, int) else 1, 1)
        _room(_length(value) + (_length(value) // per + lines) * max(
            _length(arg(2, "wrapstring", "\n")), 1))


class _BoundedRange:
    """``range`` for a template: at most TEMPLATE_MAX_COUNT steps, each step a tick of the
    clock, so nested loops stop at the time bound."""

    def __init__(self, *args: int) -> None:
        for value in args:
            _count(value)
        self.steps = range(*args)
        _count(len(self.steps))

    def __iter__(self) -> Iterator[int]:
        for value in self.steps:
            _tick()
            yield value

    def __len__(self) -> int:
        return len(self.steps)


class _BoundedNamespace(Namespace):
    """``namespace()`` whose attributes cannot grow past TEMPLATE_OUTPUT_CHARS (``{% set ns.x =
    ns.x ~ ns.x %}`` in a loop doubles a string faster than any clock is read)."""

    def __setitem__(self, name: str, value: Any) -> None:
        _tick()
        super().__setitem__(name, _sized(value))


# A width or precision in a printf-style format: "%9999999d", "%.9999999f", "%*d".
_PRINTF_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?")


def _format_widths(text: str) -> None:
    """Refuse a format string whose widths and precisions together pass TEMPLATE_MAX_COUNT."""
    total = 0
    for match in _PRINTF_WIDTH.finditer(text):
        for width in match.groups():
            if width == "*":
                raise TemplateBoundError("the template's format takes its width from an "
                                         "argument ('*'), which is not allowed")
            if width:
                total += int(width)
                _count(total)


def _bounded_binop(table: Mapping[str, Callable[[Any, Any], Any]], name: str, left: Any,
                   right: Any) -> Any:
    """The intercepted operators, refused before they build something huge."""
    _tick()
    if name == "*":
        for times, other in ((left, right), (right, left)):
            if isinstance(times, int) and isinstance(other, str | bytes | list | tuple):
                _count(times)
                if times * len(other) > TEMPLATE_OUTPUT_CHARS:
                    raise TemplateBoundError(f"the template repeats something {times:,} times, "
                                             f"past {TEMPLATE_OUTPUT_CHARS:,} characters or "
                                             "items; stopped")
    elif name == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and right * math.log2(abs(left)) > 4 * TEMPLATE_MAX_COUNT:
            raise TemplateBoundError(f"the template computes {left}**{right}, a number too "
                                     "large to print")
    elif name == "%" and isinstance(left, str):
        _format_widths(left)
    return _sized(table[name](left, right))


class BoundedTemplate(Template):
    """A template of the sandbox: rendered within the document's budget (time), its output
    counted as it is written (size); Python's own refusals (a number too large, a recursion
    too deep, no memory) are the template's error, not a traceback."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with _budget():
            context = self.new_context(dict(*args, **kwargs))
            try:
                written = 0
                chunks = []
                for chunk in self.root_render_func(context):
                    written += len(chunk)
                    if written > TEMPLATE_OUTPUT_CHARS:
                        raise TemplateBoundError(f"the template writes more than "
                                                 f"{TEMPLATE_OUTPUT_CHARS:,} characters; "
                                                 "stopped")
                    chunks.append(chunk)
                return self.environment.concat(chunks)
            except (ArithmeticError, RecursionError, MemoryError) as exc:
                error = TemplateBoundError(f"the template fails: {type(exc).__name__}: {exc}")
                try:  # Jinja's own traceback rewriting, for the template's name and line
                    self.environment.handle_exception()
                except BaseException as rewritten:  # noqa: BLE001 - it re-raises exc
                    error.name, error.lineno = _template_frame(rewritten)  # type: ignore[attr-defined]
                raise error from None
            except Exception:
                self.environment.handle_exception()


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a time and an output bound (see the module's text)."""

    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _BoundedRange
        self.globals["namespace"] = _BoundedNamespace
        del self.globals["lipsum"]  # no report needs lorem ipsum, and it multiplies counts

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The template, each ``{% for %}`` iterating through :meth:`loop`: a loop over any
        sequence (``'x' * 100000`` nested in another) reads the clock as it goes, not only a
        loop over ``range``."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.EnvironmentAttribute("loop"), [loop.iter], [], None,
                                   None, lineno=loop.iter.lineno)
        return tree

    @staticmethod
    def loop(iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            _tick()
            yield item

    def bound_filters(self) -> None:
        """Every filter and test (the bundled ones, Jinja's, ours) checked like a call: the
        clock read, its result at most TEMPLATE_OUTPUT_CHARS long, and for the sizing ones its
        arguments after the value it filters at most TEMPLATE_MAX_COUNT."""
        for table in (self.filters, self.tests):
            for name, function in list(table.items()):
                table[name] = _bounded_filter(
                    function, name if table is self.filters else None,
                    sizes=table is self.filters and name in _SIZING_FILTERS)
        format_filter = self.filters.get("format")
        if format_filter is not None:  # "%999999999d" | format(1)
            def checked_format(value: Any, *args: Any, **kwargs: Any) -> Any:
                if isinstance(value, str):
                    _format_widths(value)
                return format_filter(value, *args, **kwargs)

            self.filters["format"] = checked_format

    def call(__self, __context: Any, __obj: Any, *args: Any,  # noqa: N805
             **kwargs: Any) -> Any:
        _checked_call(args, kwargs, sizes=_sizes(__obj))
        _products(__obj, args)
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return _bounded_binop(self.binop_table, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` as Jinja's sandbox has it, refusing widths above the bound."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text: str = value.__self__

        @functools.wraps(wrapped)
        def checked(*args: Any, **kwargs: Any) -> str:
            total = 0
            for _, _, spec, _ in string.Formatter().parse(text):
                for width in re.findall(r"\d+", spec or ""):
                    total += int(width)
                    _count(total)
            return wrapped(*args, **kwargs)

        return checked


def _bounded_filter(function: Callable[..., Any], name: str | None, *,
                    sizes: bool) -> Callable[..., Any]:
    """``function`` (the filter ``name``, or a test, maybe taking the context or environment
    first) with the clock read and its arguments and result checked."""
    # The value filtered (after the context or environment some filters take) may be any
    # size; what follows it is how to filter it.
    skip = 2 if getattr(function, "jinja_pass_arg", None) is not None else 1

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _checked_call(args[skip:], kwargs, sizes=sizes)
        if name is not None and len(args) >= skip:
            _filter_products(name, args[skip - 1], args[skip:], kwargs)
        return _sized(function(*args, **kwargs))

    return bounded



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
