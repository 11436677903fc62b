"""A user's templates are data, not code (issue 30, item 6): they render in Jinja's sandbox,
within a time and an output bound, and a template that crosses either is one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.templates import (
    TEMPLATE_MAX_COUNT,
    TEMPLATE_OUTPUT_CHARS,
    TEMPLATE_SECONDS,
    TemplateFailure,
    environment,
    template_errors,
)
from tests import snapshot_factory as f
from tests.sample_views import sample_report
from tests.support import scenario_rep_html

ROOT = Path(__file__).resolve().parent.parent
#: What the exploit would print: set in the command's environment, looked for in all it says.
KEY = "exec_live_0123456789abcdef0123456789abcdef"
ESCAPE = "{{ cycler.__init__.__globals__.os.popen('id').read() }}" \
         "{{ cycler.__init__.__globals__.os.environ['EXEC_API_KEY'] }}"
REFUSED = "access to attribute '__init__' of 'type' object is unsafe."


def _reporter(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXEC_API_KEY": KEY, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "reporter.cli", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


def _snapshot(tmp_path: Path) -> Path:
    who = f.user("Jane", "Smith", "jane@acme.test")
    snap = tmp_path / "snapshot.json"
    snap.write_text(json.dumps(f.snapshot([f.rep(who, [f.session(70.0, f.at(3), who=who),
                                                      f.session(82.0, f.at(9), who=who)])])))
    return snap


def _templates(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "templates"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def _render_with(tmp_path: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _reporter("render", _snapshot(tmp_path), "--out", tmp_path / "out", "--templates",
                     _templates(tmp_path, files), "--no-xlsx", "--jobs", "1", cwd=tmp_path)


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_template_reaches_neither_a_command_nor_the_key(tmp_path: Path) -> None:
    """``cycler.__init__.__globals__.os`` is refused: no ``id`` output and no key in anything
    the command prints or writes, one line, exit 2, no report."""
    identity = subprocess.run(["id"], capture_output=True, text=True, check=True).stdout.strip()
    result = _render_with(tmp_path, {"rep/latest.html": f"<section>{ESCAPE}</section>"})
    said = result.stdout + result.stderr
    assert identity not in said and KEY not in said
    assert result.returncode == 2
    assert _one_line(result) == f"Error: template error (rep/latest.html, line 1): {REFUSED}"
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not any(KEY.encode() in p.read_bytes() or identity.encode() in p.read_bytes()
                   for p in written)
    assert not [p for p in written if p.suffix == ".pdf"]


def test_an_email_subject_template_cannot_read_the_environment(tmp_path: Path) -> None:
    """The issue's case: a subject.txt that would put the key into every subject."""
    rendered = _reporter("render", _snapshot(tmp_path), "--out", tmp_path / "out", "--no-xlsx",
                         "--jobs", "1", cwd=tmp_path)
    assert rendered.returncode == 0, rendered.stderr
    run_dir = next(p.parent for p in (tmp_path / "out").rglob("manifest.json"))
    templates = _templates(tmp_path, {"email/subject.txt": ESCAPE})
    config = tmp_path / "reporter.toml"
    config.write_text(f'templates = "{templates}"\n')
    result = _reporter("email", run_dir, "--config", config, "--from", "coach@acme.test",
                       cwd=tmp_path)
    said = result.stdout + result.stderr
    assert KEY not in said and "uid=" not in said
    assert result.returncode == 2
    assert _one_line(result) == f"Error: template error (email/subject.txt, line 1): {REFUSED}"
    outbox = [p for p in (run_dir / "outbox").rglob("*") if p.is_file()] \
        if (run_dir / "outbox").exists() else []
    assert not any(KEY.encode() in p.read_bytes() for p in outbox)


def test_a_range_of_a_trillion_is_refused_at_once(tmp_path: Path) -> None:
    result = _render_with(tmp_path, {
        "rep/latest.html": "{% for i in range(10**12) %}x{% endfor %}"})
    assert result.returncode == 2
    assert _one_line(result) == (
        "Error: template error (rep/latest.html, line 1): the template asks for "
        f"1000000000000; counts, widths and repeats are limited to {TEMPLATE_MAX_COUNT:,}")


def test_loops_that_would_never_end_stop_at_the_time_bound(tmp_path: Path) -> None:
    """Two ranges each within the count bound, nested: 10**10 steps, stopped after
    TEMPLATE_SECONDS of CPU with one line."""
    n = TEMPLATE_MAX_COUNT
    result = _render_with(tmp_path, {"rep/latest.html": (
        f"{{% for i in range({n}) %}}{{% for j in range({n}) %}}{{% endfor %}}{{% endfor %}}")})
    assert result.returncode == 2
    assert _one_line(result) == (
        "Error: template error (rep/latest.html, line 1): the template took more than "
        f"{TEMPLATE_SECONDS:g} s of CPU; stopped")


@pytest.mark.parametrize(("text", "says"), [
    ("{{ 'x' * 10**9 }}", "the template asks for 1000000000"),
    ("{{ ('x' * 100000) * 100000 }}", "the template repeats something 100,000 times"),
    ("{{ '%999999999d' % 1 }}", "the template asks for 999999999"),
    ("{{ '%*d' % (999999999, 1) }}", "takes its width from an argument"),
    ("{{ '{:>999999999}'.format(1) }}", "the template asks for 999999999"),
    ("{{ 'x' | center(999999999) }}", "the template asks for 999999999"),
    ("{{ '%999999999d' | format(1) }}", "the template asks for 999999999"),
    ("{{ 'x'.ljust(999999999) }}", "the template asks for 999999999"),
    ("{{ lipsum(100000, max=100000) }}", "'lipsum' is undefined"),
    ("{{ ('x' * 100000).replace('x', 'y' * 100000) }}", "would build about 10,000,"),
    ("{{ ('x' * 100000) | replace('x', 'y' * 100000) }}", "would build about 10,000,"),
    ("{{ ('y' * 100000).join('x' * 100000) }}", "would build about"),
    ("{{ ('x' * 100000) | list | join('y' * 100000) }}", "would build about"),
    ("{{ ('\n' * 100000) | indent(100000) }}", "would build about"),
    ("{{ ('x ' * 100000) | wordwrap(1, wrapstring='y' * 100000) }}", "would build about"),
    ("{{ ('%99999d' * 1000) % ((1,) * 1000) }}", "the template asks for 199998"),
    ("{% set ns = namespace(x='ab') %}{% for i in range(64) %}{% set ns.x = ns.x ~ ns.x %}"
     "{% endfor %}{{ ns.x }}", f"more than {TEMPLATE_OUTPUT_CHARS:,} characters or items"),
    ("{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}",
     f"the template writes more than {TEMPLATE_OUTPUT_CHARS:,} characters"),
    ("{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}{% endfor %}{% endfor %}",
     f"the template took more than {TEMPLATE_SECONDS:g} s of CPU; stopped"),
    ("{% macro d(n) %}{{ d(n + 1) }}{% endmacro %}{{ d(0) }}", "RecursionError"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "is unsafe"),
    ("{% include '/etc/passwd' %}", "/etc/passwd"),
    ("{% include '../../../../etc/passwd' %}", "../../../../etc/passwd"),
])
def test_every_way_out_of_the_bounds_is_one_template_error(tmp_path: Path, text: str,
                                                          says: str) -> None:
    env = environment(_templates(tmp_path, {"email/t.txt": text}))
    with pytest.raises(TemplateFailure) as info, template_errors():
        env.get_template("email/t.txt").render()
    assert says in str(info.value) and "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_large_figures_are_values_not_sizes(tmp_path: Path) -> None:
    """Only sizes are bounded: a template may print any number (a transcript of 250,000 lines
    says how many it leaves out) and ask for a width within the bound."""
    env = environment(_templates(tmp_path, {"email/t.txt": (
        "{{ '{:,}'.format(250000) }} {{ '%d' | format(250000) }} {{ 250000 | string }} "
        "{{ 'ab' | center(6) }}|{{ '7'.zfill(3) }} {{ (2 ** 40) }}")}))
    assert isinstance(env, ImmutableSandboxedEnvironment)
    with template_errors():
        assert env.get_template("email/t.txt").render() == \
            "250,000 250000 250000   ab  |007 1099511627776"


def test_the_bundled_templates_print_the_same_in_the_sandbox(tmp_path: Path) -> None:
    """A folder overriding nothing changes nothing: every bundled template renders in the
    sandbox (no call it refuses, no bound it meets) to the same HTML as in the plain
    environment, which the bundled templates alone keep (bench/bench_templates.py)."""
    report = sample_report()
    plain = PdfRenderer(PdfOptions())
    boxed = PdfRenderer(PdfOptions(templates_dir=tmp_path))
    assert isinstance(boxed.env, ImmutableSandboxedEnvironment)
    assert not isinstance(plain.env, ImmutableSandboxedEnvironment)
    for rep in report.reps:
        assert scenario_rep_html(boxed, report, rep) == scenario_rep_html(plain, report, rep)


def test_the_docs_state_the_bounds_the_code_holds() -> None:
    page = " ".join((ROOT / "docs" / "reliability.md").read_text(encoding="utf-8").split())
    assert f"within {TEMPLATE_SECONDS:g} s of CPU (`TEMPLATE_SECONDS`" in page
    assert f"{TEMPLATE_OUTPUT_CHARS:,} characters (`TEMPLATE_OUTPUT_CHARS`" in page
    assert f"may pass {TEMPLATE_MAX_COUNT:,} (`TEMPLATE_MAX_COUNT`" in page
