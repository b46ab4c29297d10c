"""Class 9: SIGTERM and SIGHUP get the same clean-up as Ctrl-C.

`init` killed while it builds the repository (its private keys already generated in the
temporary tree beside DIR) leaves nothing: no DIR, no temporary tree, no private key anywhere;
a command waiting on a silent peer stops at once with exit 130.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest_plugins = ["tests.fixtures.gearman"]


def start(*args: str, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vendorci", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=cwd, stdin=subprocess.DEVNULL)


def private_keys_under(root: Path) -> list[Path]:
    found = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = Path(dirpath) / f
            try:
                if b"PRIVATE KEY" in p.read_bytes()[:200]:
                    found.append(p)
            except OSError:
                pass
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_init_killed_mid_way_leaves_nothing(tmp_path, sig):
    parent = tmp_path / "work"
    parent.mkdir()
    target = parent / "repo"
    proc = start("init", str(target), "--vendor", "acme", "--yes", "--key-type", "rsa")
    deadline = time.monotonic() + 60
    tmp = None
    while time.monotonic() < deadline and proc.poll() is None:
        tmp = next(parent.glob(".repo.init-*"), None)
        if tmp is not None and any(tmp.iterdir()):
            break
        time.sleep(0.005)
    if proc.poll() is not None:
        pytest.fail(f"init finished before it could be interrupted: {proc.communicate()}")
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert "interrupted" in err and "Traceback" not in err
    assert not target.exists(), "a half-built repository was left"
    assert list(parent.iterdir()) == [], f"left behind: {list(parent.iterdir())}"
    assert private_keys_under(tmp_path) == []


def test_init_not_interrupted_still_works(tmp_path):
    proc = start("-o", "json", "init", str(tmp_path / "repo"), "--vendor", "acme", "--yes", "--key-type", "ed25519")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["data"]["commit"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_waiting_on_a_silent_peer_stops_on_a_signal(fake_gearman, sig):
    srv = fake_gearman("silent")
    proc = start("-o", "json", "gearman", "status", "--server", srv.address, "--timeout", "60")
    time.sleep(1.5)  # started and waiting for the answer
    assert proc.poll() is None
    t = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert time.monotonic() - t < 10
    assert proc.returncode == 130, (proc.returncode, out, err)
    doc = json.loads(out)
    assert doc["exit_code"] == 130 and doc["errors"][0]["code"] == "interrupted"
