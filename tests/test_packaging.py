"""A plain `pip install .` (not editable) must carry the templates and the console script."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_holds_templates_and_console_script(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    wheel = next(tmp_path.glob("reporter-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    bundled = {n for n in names if n.startswith("reporter/templates/")}
    for template in ("reporter/templates/report/base.html", "reporter/templates/report/report.css",
                     "reporter/templates/email/body.txt", "reporter/templates/email/body.html"):
        assert template in bundled, f"{template} missing from the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "reporter = reporter.cli:cli" in zipfile.ZipFile(wheel).read(entry_points).decode()
