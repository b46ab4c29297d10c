"""The typer-free fast path for `gearman status|workers` (vendorci.cli.fastpath).

It must accept exactly what the typer commands accept and print exactly what they print: every case here runs the
real entry point (`python -m vendorci ...`, which takes the fast path) and the typer application alone
(`vendorci.cli.root.main`) as two processes against the same real gearmand, and compares stdout, stderr and the
exit code.  What the fast path does not recognise must reach typer (its usage errors and help).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from vendorci.cli.fastpath import FastCall, parse

FULL = "import sys; from vendorci.cli.root import main; sys.exit(main(sys.argv[1:]))"
FAST = "import sys; from vendorci.cli import main; sys.exit(main(sys.argv[1:]))"
# proves which way a process went: typer loaded or not, printed on stderr after the command ran
PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write("
         "'\\nPROBE typer=%s rich=%s\\n' % ('typer' in sys.modules, 'rich' in sys.modules))); ")


def _run(code: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE + code, *args], capture_output=True, text=True,
                          timeout=60, env=env)


def _split_probe(stderr: str) -> tuple[str, str]:
    body, _, probe = stderr.rpartition("\nPROBE ")
    return body, probe.strip()


@pytest.fixture
def base_env(isolated_env):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENDORCI_")}
    env["COLUMNS"] = "200"
    return env


def _compare(args: list[str], env: dict[str, str], *, fast: bool = True) -> subprocess.CompletedProcess:
    a = _run(FAST, args, env)
    b = _run(FULL, args, env)
    a_err, a_probe = _split_probe(a.stderr)
    b_err, b_probe = _split_probe(b.stderr)
    assert (a.returncode, a.stdout, a_err) == (b.returncode, b.stdout, b_err), args
    assert b_probe.startswith("typer=True")
    assert a_probe.startswith("typer=False rich=False" if fast else "typer=True"), (args, a_probe)
    return a


pytestmark = pytest.mark.real_server


def test_same_output_as_the_typer_commands(gearmand, gearman_workers, base_env, tmp_path):
    ws = gearman_workers(gearmand)
    ws.add("master_exec-0", ["build:noop-check-communication", "build:noop-check-communication:master"])
    ws.add("Zuul Merger", ["merger:merge", "merger:update"])
    ws.submit("build:zz-orphan", 2)
    srv = gearmand.address
    cases = [
        ["gearman", "status", "--server", srv],
        ["gearman", "workers", "--server", srv],
        ["gearman", "status", "--server", srv, "-o", "json"],
        ["-o", "json", "gearman", "workers", "--server", srv],
        ["gearman", "--output=JSON", "status", f"--server={srv}", "--filter", "build:*"],
        ["gearman", "status", "-ojson", "--server", srv, "--timeout", "2.5", "--debug"],
        ["gearman", "workers", "--server", srv, "--filter=merger:*", "--server", srv],
    ]
    for args in cases:
        r = _compare(args, base_env)
        assert r.returncode == 0, (args, r.stderr)
    doc = json.loads(_run(FAST, cases[2], base_env).stdout)
    orphan = next(f for f in doc["data"]["functions"] if f["name"] == "build:zz-orphan")
    assert orphan == {"name": "build:zz-orphan", "total": 2, "running": 0, "workers": 0, "queued": 2}
    # the server from the configuration (environment, then a config file), no --server
    _compare(["gearman", "status"], {**base_env, "VENDORCI_GEARMAN": srv})
    cfg = tmp_path / "vendorci.yaml"
    cfg.write_text(f"gearman:\n  server: {srv}\n")
    r = _compare(["gearman", "workers", "--config", str(cfg)], base_env)
    assert "Zuul Merger" in r.stdout
    r = _compare(["gearman", "status", "-o", "json"], {**base_env, "VENDORCI_CONFIG": str(cfg)})
    assert json.loads(r.stdout)["data"]["server"] == srv


def test_same_errors_as_the_typer_commands(base_env, tmp_path):
    from tests.fixtures.net import closed_port

    dead = f"127.0.0.1:{closed_port()}"
    r = _compare(["gearman", "status", "--server", dead], base_env)
    assert r.returncode == 1 and "cannot connect" in r.stderr
    r = _compare(["-o", "json", "gearman", "workers", "--server", dead], base_env)
    assert json.loads(r.stdout)["errors"][0]["code"] == "gearman_unreachable"
    r = _compare(["gearman", "status", "--server", "host:notaport"], base_env)
    assert r.returncode == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("gearman: [unclosed\n")
    r = _compare(["gearman", "status", "--config", str(bad)], base_env)
    assert r.returncode == 2


@pytest.mark.parametrize("args", [
    ["gearman", "status", "--help"],
    ["gearman", "status", "--timeout", "0"],
    ["gearman", "status", "--timeout", "nan"],
    ["gearman", "status", "--timeout", "inf"],
    ["gearman", "status", "--bogus"],
    ["gearman", "status", "extra"],
    ["gearman", "status", "-o", "openmetrics", "--server", "127.0.0.1:1"],
    ["gearman", "status", "-o", "yaml"],
    ["--server", "127.0.0.1:1", "gearman", "status"],
])
def test_what_it_does_not_take_goes_to_typer(args, base_env):
    r = _compare(args, base_env, fast=False)
    assert r.returncode in (0, 2)


def test_parse_takes_only_plain_invocations(tmp_path):
    env: dict[str, str] = {}
    assert parse(["gearman", "status"], env) == FastCall("status", "human", None, False, None, None, 5.0)
    assert parse(["--debug", "gearman", "workers", "--filter", "x*", "-o", "json", "--timeout=1"], env) == \
        FastCall("workers", "json", None, True, None, "x*", 1.0)
    assert parse(["gearman", "status", "--server", "a:1", "--server", "b:2"], env).server == "b:2"
    assert parse(["gearman", "status"], {"VENDORCI_OUTPUT": "json"}).output == "json"
    assert parse(["gearman", "status"], {"VENDORCI_OUTPUT": "openmetrics"}) is None
    assert parse(["gearman", "status", "--config", str(tmp_path)], env) is None  # a directory: typer refuses it
    for args in (["gearman"], ["gearman", "watch"], ["doctor"], ["gearman", "status", "--watch"],
                 ["gearman", "status", "--watch", "2"], ["gearman", "status", "-h"], ["gearman", "status", "--"],
                 ["gearman", "status", "--server"], ["gearman", "status", "--server", "-x"],
                 ["gearman", "status", "--timeout", "0.01"], ["gearman", "status", "--timeout", "1e10"],
                 ["gearman", "status", "--timeout", "soon"], ["gearman", "--filter", "x", "status"],
                 ["node", "register", "gearman", "--host", "-oProxyCommand=x"], ["--version"]):
        assert parse(args, env) is None, args


def test_the_program_itself_takes_the_fast_path_and_ends_cleanly(gearmand, gearman_workers, base_env):
    """`python -m vendorci` (what the console script runs) ends the fast path without the interpreter's teardown:
    same output and exit code as the typer commands, typer never imported, a closed pipe is quiet."""
    from tests.fixtures.net import closed_port

    ws = gearman_workers(gearmand)
    # more than a pipe holds (64 KiB), so that `| head` really closes it under the writer
    ws.add("master_exec-0", [f"build:a-rather-long-job-name-{i:04d}:label" for i in range(2500)])
    ws.wait_registered(["build:a-rather-long-job-name-2499:label"])
    for args in (["gearman", "status", "--server", gearmand.address],
                 ["gearman", "workers", "-o", "json", "--server", gearmand.address],
                 ["gearman", "status", "--server", f"127.0.0.1:{closed_port()}"],
                 ["gearman", "status", "--server", "host:notaport"]):
        prog = subprocess.run([sys.executable, "-X", "importtime", "-m", "vendorci", *args], capture_output=True,
                              text=True, timeout=60, env=base_env)
        full = _run(FULL, args, base_env)
        imports = [ln.rsplit("|", 1)[-1].strip() for ln in prog.stderr.splitlines() if ln.startswith("import time:")]
        err = "\n".join(ln for ln in prog.stderr.splitlines() if not ln.startswith("import time:"))
        assert (prog.returncode, prog.stdout, err) == (full.returncode, full.stdout, _split_probe(full.stderr)[0]
                                                       .rstrip("\n")), args
        assert "vendorci.cli.fastpath" in imports and not {"typer", "click", "rich"} & set(imports), args
    # a reader that stops early: no traceback, no "Exception ignored" noise
    proc = subprocess.run(f"{sys.executable} -m vendorci gearman status --server {gearmand.address} | head -n 2",
                          shell=True, capture_output=True, text=True, timeout=60, env=base_env)
    assert proc.stdout.splitlines()[0].split() == ["function", "queued", "running", "workers"]
    assert proc.stderr == ""
