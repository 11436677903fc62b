"""A plain `pip install .` (not editable) must carry the templates and the console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests import snapshot_factory as f

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The project's wheel, built once for this module as ``pip install .`` builds it, with
    this environment's own setuptools (no build isolation, so no network), and everything
    pip and the build backend said while building it (``-v``: the backend's warnings)."""
    folder = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-v",
         "-w", str(folder), str(ROOT)],
        check=True, capture_output=True, text=True, cwd=folder,
    )
    return next(folder.glob("reporter-*.whl")), done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(built: tuple[Path, str]) -> Path:
    return built[0]


def test_the_build_backend_says_nothing_is_deprecated(built: tuple[Path, str]) -> None:
    """Issue 29, 10: ``make demo`` installs the package quietly. setuptools printed its
    "`project.license` as a TOML table is deprecated" block for every build step; the license
    is an SPDX expression now, and the wheel's metadata says so."""
    wheel, said = built
    assert "Building wheel for reporter" in said  # the backend's output is here to be read
    assert "deprecat" not in said.lower(), said
    metadata = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith("/METADATA"))
    lines = zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
    assert "License-Expression: MIT" in lines


def test_wheel_holds_templates_and_console_script(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    bundled = {n for n in names if n.startswith("reporter/templates/")}
    for template in ("reporter/templates/rep/report.html", "reporter/templates/report.css",
                     "reporter/templates/email/body.txt", "reporter/templates/email/body.html"):
        assert template in bundled, f"{template} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "reporter = reporter.cli:cli" in zipfile.ZipFile(wheel).read(entry_points).decode()


def _small_snapshot() -> dict[str, Any]:
    """Three reps: two with graded sessions (charts, cards, a next step), one without a
    valid attempt."""
    ana = f.user("Ana", "Rep", "ana@acme.example", id="u-ana")
    ben = f.user("Ben", "Rep", "ben@acme.example", id="u-ben")
    cy = f.user("Cy", "Rep", "cy@acme.example", id="u-cy")
    graded = [f.session(60.0 + 10 * i, f.at(2 + 7 * i), who=who, evaluations=f.evaluations(
        {"Budget": "bad" if i == 0 else "good", "Timeline": "mid"}, feedback="Ask first."))
        for who in (ana, ben) for i in range(2)]
    return f.snapshot([f.rep(ana, graded[:2]), f.rep(ben, graded[2:]),
                       f.rep(cy, [f.session(None, f.at(3), who=cy, valid=False)])])


def _wheel_reporter(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``reporter ARGS`` run from ``cwd`` with only the unpacked wheel (``site``) on the path
    for the package: stderr's first line is the package's file."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("EXEC_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-c", "import reporter, sys; print(reporter.__file__, file=sys.stderr);"
         f" from reporter.cli import cli; cli({list(args)!r})"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_the_installed_wheel_renders_and_writes_emails_away_from_the_repository(
        wheel: Path, tmp_path: Path) -> None:
    """What `pip install .` puts on a machine is enough: the wheel's own package (not this
    checkout), its render workers included, renders a snapshot into the reps' PDFs, the team
    report and the workbook, and writes the outbox, from a folder with nothing of the
    repository around it."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "snap.json").write_text(json.dumps(_small_snapshot()), encoding="utf-8")
    rendered = _wheel_reporter(site, elsewhere, "render", "snap.json", "--out", "out",
                               "--jobs", "2")
    assert rendered.returncode == 0, rendered.stderr[-2000:]
    assert rendered.stderr.splitlines()[0].startswith(str(site))
    [run_dir] = [p.parent for p in (elsewhere / "out").rglob("manifest.json")]
    assert len(list((run_dir / "reps").glob("*.pdf"))) == 3
    assert (run_dir / "team.pdf").is_file() and (run_dir / "cohort.xlsx").is_file()
    mailed = _wheel_reporter(site, elsewhere, "email", str(run_dir),
                             "--from", "coach@acme.example")
    assert mailed.returncode == 0, mailed.stderr[-2000:]
    assert mailed.stderr.splitlines()[0].startswith(str(site))
    assert len(list((run_dir / "outbox").glob("*.eml"))) == 3


def _sample_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample", ROOT / "scripts" / "sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_docs_pictures_are_drawn_with_the_current_templates():
    """examples/*.png come from `make sample`; a template change without a fresh `make
    sample` leaves the README and docs/reports.md showing a report nobody gets any more.
    Each picture is shown on one of the two, by a path that works from where it is shown."""
    import json

    stamp = json.loads((ROOT / "examples" / "samples.json").read_text(encoding="utf-8"))
    assert stamp["templates_sha256"] == _sample_script().templates_digest(), (
        "the report templates changed since the docs' pictures were drawn: run make sample")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    reports = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    for name in [*stamp["reps"], *stamp["team"]["pages"], *stamp["program"]]:
        png = ROOT / "examples" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"(examples/{name})" in readme or f"(../examples/{name})" in reports, name
