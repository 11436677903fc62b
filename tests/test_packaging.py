"""A plain `pip install .` (not editable) must carry the templates and the console script."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def build_wheel(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(folder), str(ROOT)],
        check=True, capture_output=True, cwd=folder,
    )
    return next(folder.glob("reporter-*.whl"))


def test_wheel_holds_templates_and_console_script(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    bundled = {n for n in names if n.startswith("reporter/templates/")}
    for template in ("reporter/templates/report/base.html", "reporter/templates/report/report.css",
                     "reporter/templates/email/body.txt", "reporter/templates/email/body.html"):
        assert template in bundled, f"{template} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "reporter = reporter.cli:cli" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.slow
def test_the_installed_wheel_runs_the_demo_away_from_the_repository(tmp_path):
    """What `pip install .` puts on a machine is enough: the wheel's own package (not this
    checkout) runs the whole demo from a folder with nothing of the repository around it."""
    wheel = build_wheel(tmp_path)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("EXEC_API_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", "import reporter, sys; print(reporter.__file__, file=sys.stderr);"
         " from reporter.cli import cli; cli(['demo', '--out', 'demo', '--jobs', '2'])"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.splitlines()[0].startswith(str(site))
    assert len(list((elsewhere / "demo").rglob("reps/*.pdf"))) >= 20


def _sample_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sample", ROOT / "scripts" / "sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_pictures_are_drawn_with_the_current_templates():
    """examples/*.png come from `make sample`; a template change without a fresh `make
    sample` leaves the README showing a report nobody gets any more."""
    import json

    stamp = json.loads((ROOT / "examples" / "samples.json").read_text(encoding="utf-8"))
    assert stamp["templates_sha256"] == _sample_script().templates_digest(), (
        "the report templates changed since the README's pictures were drawn: run make sample")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*stamp["reps"], *stamp["team"]["pages"]]:
        png = ROOT / "examples" / name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        assert f"(examples/{name})" in readme, name
