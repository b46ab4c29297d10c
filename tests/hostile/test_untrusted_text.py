"""Class 1: text written by peers is data, never markup or terminal control.

Hostile strings reach every human renderer through the real commands: a Gearman client id and
function name registered on gearmand and gear.Server, a Gerrit subject served by the Gerrit
double over SSH, Jenkins node names and offline reasons from an HTTP peer on loopback, a config
value shown by `config show`.  The output must show the text literally (markup brackets intact,
control characters escaped as ``\\x1b``), never carry a raw control character, and JSON output
must keep the original text.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.hostile.peers import http_peer, jenkins  # noqa: F401 - fixture

pytest_plugins = ["tests.fixtures.gearman"]

ESC = "\x1b"
MARKUP = "[/x][link=http://evil.example/]click[/link][bold]"
TERMINAL = ESC + "]0;pwned" + "\x07" + ESC + "[2J" + ESC + "[8mhidden" + "\x9b" + "31m"


def assert_literal(text: str, *fragments: str) -> None:
    for ch in (ESC, "\x07", "\x9b", "\x08"):
        assert ch not in text, f"raw control character {ch!r} reached the terminal: {text!r}"
    for f in fragments:
        assert f in text, f"{f!r} not shown literally in {text!r}"


@pytest.mark.real_server
def test_gearman_workers_and_status_render_hostile_ids(cli, gearman_server, gearman_workers):
    w = gearman_workers(gearman_server)
    cid = "node[/x]" + ESC + "]0;pwned" + "\x07" + "[link=http://evil.example/]x"
    func = "build:job[/bold]" + ESC + "[2J" + "[link=http://evil.example/]y"
    w.add(cid, [func])
    res = cli("gearman", "workers", "--server", gearman_server.address)
    assert res.exit_code == 0, res.stdout + res.stderr
    assert_literal(res.stdout + res.stderr, "node[/x]\\x1b]0;pwned\\x07[link=http://evil.example/]x",
                   "build:job[/bold]\\x1b[2J")
    res = cli("gearman", "status", "--server", gearman_server.address)
    assert res.exit_code == 0, res.stdout + res.stderr
    assert_literal(res.stdout, "build:job[/bold]\\x1b[2J[link=http://evil.example/]y")
    doc = json.loads(cli("-o", "json", "gearman", "workers", "--server", gearman_server.address).stdout)
    assert any(x["client_id"] == cid for x in doc["data"]["workers"])  # JSON keeps the original text


@pytest.mark.real_server
def test_gearman_status_huge_name_does_not_pad_every_row(cli, gearman_server, gearman_workers):
    w = gearman_workers(gearman_server)
    w.add("wide", ["build:" + "w" * 5000, "build:short"])
    res = cli("gearman", "status", "--server", gearman_server.address)
    assert res.exit_code == 0
    short = next(line for line in res.stdout.splitlines() if line.startswith("build:short"))
    assert len(short) < 400, "one huge function name padded every row"


@pytest.mark.real_server
def test_votes_table_shows_hostile_gerrit_subject_literally(cli, make_gerrit):
    g = make_gerrit(verdict=None)
    d, now = g.double, int(time.time())
    subject = "Fix" + ESC + "[2J" + MARKUP + TERMINAL
    c = d.create_change("openstack/nova", subject, "op", at=now - 3600)
    d.review("ci", c.number, 1, verified=1, message="Build succeeded.\n\n- noop " + ESC + "[31mx : SUCCESS in 1s",
             at=now - 3000)
    args = ("votes", "--ci-user", "ci", "--ci-key", str(g.ci_key), "--known-hosts", str(g.known_hosts), "--gerrit",
            f"ssh://127.0.0.1:{d.port}")
    res = cli(*args)
    assert res.exit_code == 0, res.stdout + res.stderr
    assert_literal(res.stdout + res.stderr, "Fix\\x1b[2J[/x]")
    doc = json.loads(cli("-o", "json", *args).stdout)
    assert doc["data"]["comments"][0]["subject"] == subject


def test_node_list_renders_hostile_jenkins_names_and_reasons(cli, http_peer, monkeypatch):  # noqa: F811
    name = "agent[/x]" + ESC + "]8;;http://evil.example/" + ESC + "\\"
    reason = "disk " + MARKUP + TERMINAL + "\r\nfake: line"
    doc = {"computer": [{"displayName": name, "offline": True, "offlineCauseReason": reason, "numExecutors": 2,
                         "assignedLabels": [{"name": "lab[/y]" + ESC + "[5m"}], "executors": []}]}
    peer = http_peer(jenkins({"computer/api/json": doc}))
    monkeypatch.setenv("VENDORCI_JENKINS_URL", peer.url)
    res = cli("node", "list")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert_literal(res.stdout, "agent[/x]\\x1b]8;;http://evil.example/\\x1b\\", "[link=http://evil.example/]click",
                   "\\r\\nfake: line", "lab[/y]\\x1b[5m")
    out = json.loads(cli("-o", "json", "node", "list").stdout)
    assert out["data"]["nodes"][0]["reason"] == reason


def test_config_show_renders_values_literally(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "vendorci.yaml"
    cfg.write_text('vendor: "acme[/x][link=http://evil.example/]z\\e[2J\\a"\n')
    res = cli("--config", str(cfg), "config", "show")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert_literal(res.stdout, "acme[/x][link=http://evil.example/]z\\x1b[2J\\x07")


def test_error_messages_escape_peer_text(cli, tmp_path):
    bad = tmp_path / ("key" + ESC + "[2J")
    res = cli("keys", "show", str(bad))
    assert res.exit_code == 2
    assert_literal(res.stderr, "key\\x1b[2J")


def test_a_rendering_failure_is_an_internal_error_with_a_crash_log(cli, http_peer, monkeypatch):  # noqa: F811
    peer = http_peer(jenkins({"computer/api/json": {"computer": []}}))
    monkeypatch.setenv("VENDORCI_JENKINS_URL", peer.url)
    import vendorci.cli.render as render

    def broken(*a, **kw):
        raise ValueError("renderer choked")

    monkeypatch.setattr(render, "render_table", broken)
    res = cli("node", "list")
    assert res.exit_code == 3
    assert "internal error" in res.stderr and "Traceback" not in res.stderr + res.stdout
    assert "vendorci.log" in res.stderr


def test_safe_console_escapes_text_objects_too():
    """The console itself is the last guard: even a rich Text holding ESC is escaped."""
    import io

    from rich.text import Text

    from vendorci.cli.render import make_console

    con = make_console()
    con.file = io.StringIO()
    con.print(Text("a" + ESC + "[31mb"), "[bold]c[/bold]" + ESC + "]0;t\x07")
    out = con.file.getvalue()
    assert_literal(out, "a\\x1b[31mb", "[bold]c[/bold]\\x1b]0;t\\x07")


def test_visible_shortcut_never_skips_a_character_it_must_escape():
    """`visible` returns a printable string as it is (the fast path for 10,000 Gearman names): every character
    its patterns escape must therefore be one that str.isprintable() refuses, over the whole of Unicode."""
    from vendorci.safetext import _CONTROL, _CONTROL_KEEP_LAYOUT, cell, visible

    escaped = [c for c in map(chr, range(0x110000)) if _CONTROL.match(c) or _CONTROL_KEEP_LAYOUT.match(c)]
    assert len(escaped) > 60
    assert not [hex(ord(c)) for c in escaped if c.isprintable()]
    assert visible("build:job\u202e") == "build:job\\u202e" and cell("a\x1b[31m") == "a\\x1b[31m"


def test_result_data_from_the_typed_source_only_when_read():
    from vendorci.output import Result

    class Source:
        calls = 0

        def as_dict(self):
            Source.calls += 1
            return {"n": 1}

    r = Result("x", source=Source())
    assert Source.calls == 0
    assert r.data == {"n": 1} and r.data == {"n": 1} and Source.calls == 1
    assert Result("x") == Result("x", {}) and Result("x").data == {}
    r.data = {"m": 2}
    assert r.data == {"m": 2}
