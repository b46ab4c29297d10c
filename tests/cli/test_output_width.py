"""Output fits its reader: piped, values are whole and one record is one line; on a narrow terminal, tables fit
and identifiers are never broken mid-word."""

import io
import re

from rich.console import Console

from vendorci.cli.render import make_console
from vendorci.cli.render_plain import render_table
from vendorci.output import Result

LONG_URL = "https://review.opendev.org/c/openstack/" + "very-long-project-name-" * 4 + "/+/912345"
LONG_PATH = "/srv/" + "deeply/nested/" * 10 + "acme-ci-data"


def piped_console(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    c = make_console()
    c.file = io.StringIO()
    assert not c.is_terminal
    return c


def test_config_show_piped_keeps_long_paths_whole(cli, isolated_env, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("VENDORCI_DATA_REPO", LONG_PATH)
    r = cli("config", "show")
    assert r.exit_code == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("data_repo"))
    assert LONG_PATH in line and line.split()[-1] == "env:VENDORCI_DATA_REPO"


def test_smoke_result_piped_is_not_wrapped(monkeypatch):
    from vendorci.cli.smoke import render_vote

    c = piped_console(monkeypatch)
    render_vote(c, Result("smoke-test", {"url": LONG_URL, "change": 912345, "patchset": 3, "comment": None,
                                         "ci_user": "acme-ci", "elapsed_s": 5}))
    first = c.file.getvalue().splitlines()[0]
    assert first == f"change: {LONG_URL} (change 912345, patch set 3)"


def test_table_piped_is_plain_rows_one_per_line(monkeypatch):
    c = piped_console(monkeypatch)
    render_table(c, ["age", "change", "jobs"], [("2h", LONG_URL, "dsvm-tempest-full FAILURE, noop ok")] * 3)
    lines = c.file.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[0].split() == ["age", "change", "jobs"]
    assert all(LONG_URL in ln and ln.endswith("noop ok") for ln in lines[1:])


def test_narrow_terminal_keeps_identifiers_whole(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")  # the suite's TERM=dumb pins rich at 80 columns
    c = Console(file=io.StringIO(), force_terminal=True, width=60, color_system=None)
    names = [f"build:dsvm-tempest-full-{i}:devstack_slave" for i in range(3)]
    render_table(c, ["function", "description"],
                 [(n, "a descriptive column that is long enough to need wrapping on sixty columns") for n in names])
    out = re.sub(r"\x1b\[[0-9;]*m", "", c.file.getvalue())
    assert all(n in out for n in names), out
    assert max(len(ln) for ln in out.splitlines()) <= 60, out
    assert "wrapping" in out  # descriptive text wrapped, not cut


def test_gearman_workers_piped_one_connection_per_line(monkeypatch):
    from vendorci.cli.gearman_render import render_workers as _render_workers

    c = piped_console(monkeypatch)
    funcs = [f"build:job-{i}:devstack_slave" for i in range(40)]
    _render_workers(c, Result("gearman workers", {"server": "127.0.0.1:4730", "workers": [
        {"fd": 33, "address": "127.0.0.1", "client_id": "devstack-1_exec-0", "functions": funcs}]}))
    lines = c.file.getvalue().splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:3] == ["33", "127.0.0.1", "devstack-1_exec-0"]
    assert lines[1].split()[3:] == funcs
