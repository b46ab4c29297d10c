"""The real-Gerrit fixture itself: version, set-up over REST, SSH as each account, the stream and the sessions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.real_server


def test_version_projects_and_accounts(real_gerrit):
    g = real_gerrit
    assert g.ssh(g.accounts["op"], "gerrit", "version").stdout.strip() == "gerrit version 3.9.1"
    assert g.rest("GET", "config/server/version") == "3.9.1"
    projects = g.rest("GET", "projects/")
    assert {"opendev/ci-sandbox", "openstack-dev/sandbox"} <= set(projects)
    gitreview = g.rest("GET", "projects/opendev%2Fci-sandbox/branches/master/files/.gitreview/content", raw=True)
    import base64

    assert f"port={g.ssh_port}" in base64.b64decode(gitreview).decode()
    ci = g.rest("GET", "accounts/ci/detail")
    assert ci["email"] == "ci@example.com" and ci["name"] == "Acme CI"
    assert "streamEvents" in g.rest("GET", "accounts/ci/capabilities", account=g.accounts["ci"])
    assert "streamEvents" not in g.rest("GET", "accounts/op/capabilities", account=g.accounts["op"])
    label = g.rest("GET", "projects/All-Projects/labels/Verified")
    assert set(label["values"]) == {"-1", " 0", "+1"}
    lines = g.known_hosts.read_text().splitlines()
    assert lines and all(line.startswith(f"[127.0.0.1]:{g.ssh_port} ") for line in lines)
    assert any(" ssh-ed25519 " in line for line in lines)
    conn = g.connection()
    assert (conn["user"], conn["port"], conn["baseurl"]) == ("ci", str(g.ssh_port), g.url.rstrip("/"))
    assert g.rest("GET", "accounts/self", account=g.accounts["ci"])["username"] == "ci"  # the HTTP password works


def test_stream_and_sessions(real_gerrit, ci_stand_in):
    g = real_gerrit
    bot = ci_stand_in(verdict=None)
    assert "ci" in g.show_connections()
    assert bot.events == [] or all("type" in e for e in bot.events)
    bot.stop()
    res = g.ssh(g.accounts["op"], "gerrit", "stream-events", check=False, timeout=10)
    assert res.returncode != 0, res.stdout
    assert "streamEvents" in res.stderr or "not permitted" in res.stderr, res.stderr


def test_nothing_in_the_real_home(real_gerrit):
    home = Path.home()  # the test's own HOME (isolated); the fixture's HOME lives under its own root
    assert not (home / ".config" / "jgit").exists()
    assert (real_gerrit.root / "xdg" / "jgit").is_dir() or (real_gerrit.root / "home").is_dir()
    assert json.dumps(real_gerrit.version) == '"3.9.1"'
