"""Print pip constraints pinning every dependency of pyproject.toml (and its test extra) to its
floor: ``name==X`` for each ``name>=X``. ``make test-floors`` installs the package with them in
a fresh virtual environment and runs the fast tests, so a floor is a version that works."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:>=|==)\s*([^,;\s]+)")


def floors(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pins = []
    for spec in specs:
        match = _FLOOR.match(spec)
        if match:
            pins.append(f"{match[1]}=={match[2]}")
    return pins


if __name__ == "__main__":
    sys.stdout.write("\n".join(floors()) + "\n")
