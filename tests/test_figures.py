"""The link back to Exec: the scenario's url from the API, checked like any text from it."""

from __future__ import annotations

import pytest

from reporter import analytics as an
from reporter.analytics.figures import exec_link
from reporter.cohort.snapshot import parse_snapshot
from tests import snapshot_factory as f

GOOD = "https://globex.app.exec.com/scenarios/procurement-discovery"


@pytest.mark.parametrize("url", [GOOD, "https://GLOBEX.app.exec.com/scenarios/x?tab=calls"])
def test_a_scenario_url_on_the_workspaces_own_host_is_linked(url):
    assert exec_link(url, "globex") == url


@pytest.mark.parametrize("url", [
    "http://globex.app.exec.com/scenarios/x",  # not https
    "https://evil.example/scenarios/x",  # another host
    "https://other.app.exec.com/scenarios/x",  # another workspace's
    "https://globex.app.exec.com.evil.example/x",
    "https://user:pw@globex.app.exec.com/x",  # credentials in the link
    "https://globex.app.exec.com:8443/x",  # a port
    "javascript:alert(1)", "file:///etc/passwd", "//globex.app.exec.com/x",
    "https://globex.app.exec.com/x\nSet-Cookie: a", "https://globex.app.exec.com/ x",
    "https://[::1/x", "", None,
])
def test_anything_else_is_not_linked(url):
    assert exec_link(url, "globex") is None


def test_no_workspace_slug_no_link():
    assert exec_link(GOOD, None) is None and exec_link(GOOD, "glo bex") is None


def test_the_report_carries_the_checked_link():
    data = f.snapshot([])
    data["scenario"]["url"] = GOOD
    assert an.build_report(parse_snapshot(data)).scenario.url == GOOD
    data["scenario"]["url"] = "https://evil.example/x"
    assert an.build_report(parse_snapshot(data)).scenario.url is None
