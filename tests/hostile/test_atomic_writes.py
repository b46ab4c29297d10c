"""Everything vendorci writes is written atomically; private material is 0600 in 0700 directories.

Modes after init, keys generate, node register --accept-new-host-key (known_hosts) and
smoke-test (the clone cache); then crash tests: os.replace fails in the middle of
keys generate and init, and the old files stay intact with no temp file left.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from tests.fixtures.jenkins_double import agent_fixture, jenkins_double_fixture  # noqa: F401

from .test_bad_inputs import _leftovers


def mode(p: Path) -> int:
    return stat.S_IMODE(os.lstat(p).st_mode)


def test_init_modes(cli, tmp_path, isolated_env):
    r = cli("init", str(tmp_path / "repo"), "--vendor", "acme", "-y", "--key-type", "ed25519")
    assert r.exit_code == 0, r.stdout + r.stderr
    repo = tmp_path / "repo"
    assert mode(repo) == 0o700  # it holds private keys
    for name in ("gerrit_key", "jenkins_key"):
        assert mode(repo / name) == 0o600
        assert mode(repo / f"{name}.pub") == 0o644
    assert mode(repo / "vars.sh") == 0o755
    for p in repo.rglob("*"):
        if ".git" not in p.parts:
            assert not mode(p) & 0o022, f"{p} is writable by others"
    assert _leftovers(tmp_path, isolated_env) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_keys_generate_modes(cli, tmp_path, isolated_env):
    r = cli("keys", "generate", "k", "--dir", str(tmp_path), "--type", "ed25519")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (mode(tmp_path / "k"), mode(tmp_path / "k.pub")) == (0o600, 0o644)
    assert _leftovers(tmp_path, isolated_env) == []


@pytest.mark.real_server
def test_known_hosts_written_by_node_register(cli, jenkins_double, agent, tmp_path, isolated_env):
    kh = tmp_path / "fresh" / "ssh" / "known_hosts"
    r = cli("node", "register", "a1", "--host", agent.host, "--port", str(agent.port), "--ssh-user", agent.user,
            "--key", str(agent.key), "--known-hosts", str(kh), "--accept-new-host-key", "--remote-fs",
            str(tmp_path / "ws"), "--min-disk-gb", "1", "--timeout", "30", "--jenkins-url", jenkins_double.url,
            "--jenkins-user", "admin", env={"VENDORCI_JENKINS_TOKEN": jenkins_double.admin_token})
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f"[127.0.0.1]:{agent.port} " in kh.read_text()
    assert mode(kh) == 0o600 and mode(kh.parent) == 0o700
    assert _leftovers(tmp_path, isolated_env) == []
    # a second host appended later: still 0600, the first line kept
    before = kh.read_text()
    second = agent.server.known_hosts_line().replace(f"[127.0.0.1]:{agent.port}", "[localhost]:1")
    from vendorci.clients.ssh import add_known_host

    class Key:
        def get_name(self):
            return second.split()[1]

        def get_base64(self):
            return second.split()[2]

    add_known_host(kh, "localhost", 1, Key())
    assert kh.read_text().startswith(before) and mode(kh) == 0o600


@pytest.mark.real_server
def test_smoke_test_cache_and_known_hosts(cli, tmp_path, isolated_env):
    from tests.fixtures.gerrit_double import start_gerrit_env
    from vendorci.paths import user_cache_dir

    g = start_gerrit_env(tmp_path / "g", known=False, delay=0.05)
    try:
        kh = tmp_path / "fresh" / "known_hosts"
        r = cli("-o", "json", "smoke-test", "sandbox", "--gerrit", g.gerrit_url, "--ssh-key", str(g.op_key),
                "--ci-user", "ci", "--ci-key", str(g.ci_key), "--known-hosts", str(kh), "--accept-new-host-key",
                "--timeout", "20")
        assert r.exit_code == 0, r.stdout + r.stderr
    finally:
        g.stop()
    assert mode(kh) == 0o600 and mode(kh.parent) == 0o700
    cache = user_cache_dir()
    clone = cache / "sandbox" / f"127.0.0.1_{g.double.port}" / "opendev" / "ci-sandbox"
    assert (clone / ".git").is_dir()
    d = clone
    while d != cache.parent:  # nothing on the way to the clone is writable by others
        assert not mode(d) & 0o022, f"{d} mode {mode(d):o}"
        d = d.parent
    assert _leftovers(tmp_path, isolated_env) == []


# -- crashes in the middle of a write ------------------------------------------------------------------
@pytest.fixture
def failing_replace(monkeypatch):
    """Make the Nth os.replace done by vendorci.fsutil fail with ENOSPC (a disk full at the worst moment)."""
    import vendorci.fsutil as fsutil

    real = os.replace
    state = {"calls": 0, "fail_at": 0}  # 0: not armed yet

    def replace(src, dst, *a, **k):
        state["calls"] += 1
        if state["calls"] == state["fail_at"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(fsutil.os, "replace", replace)

    def arm(n: int) -> dict:
        state.update(calls=0, fail_at=n)
        return state

    return arm


@pytest.mark.parametrize("fail_at", [1, 2], ids=["private-key-write", "public-key-write"])
def test_keys_generate_crash_keeps_the_old_pair(cli, tmp_path, isolated_env, failing_replace, fail_at):
    assert cli("keys", "generate", "k", "--dir", str(tmp_path), "--type", "ed25519").exit_code == 0
    old = ((tmp_path / "k").read_bytes(), (tmp_path / "k.pub").read_bytes())
    state = failing_replace(fail_at)
    r = cli("-o", "json", "keys", "generate", "k", "--dir", str(tmp_path), "--type", "ed25519", "--force")
    assert state["calls"] >= fail_at  # the failure really happened where intended
    assert r.exit_code == 1 and r.json["errors"][0]["code"] == "write_failed"
    assert "No space left on device" in r.json["errors"][0]["message"] and "Traceback" not in r.stderr
    assert ((tmp_path / "k").read_bytes(), (tmp_path / "k.pub").read_bytes()) == old
    assert mode(tmp_path / "k") == 0o600
    assert _leftovers(tmp_path, isolated_env) == []


def test_keys_generate_crash_on_a_new_pair_leaves_nothing(cli, tmp_path, isolated_env, failing_replace):
    failing_replace(2)  # the private key is in place, the public key write fails
    r = cli("keys", "generate", "k", "--dir", str(tmp_path), "--type", "ed25519")
    assert r.exit_code == 1 and "error: " in r.stderr and "cannot write" in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fail_at", [1, 5, 12])
def test_init_crash_leaves_no_directory(cli, tmp_path, isolated_env, failing_replace, fail_at):
    state = failing_replace(fail_at)
    r = cli("init", str(tmp_path / "repo"), "--vendor", "acme", "-y", "--key-type", "ed25519")
    assert state["calls"] >= fail_at
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "cannot write" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []  # neither DIR nor the tree being built beside it
    assert _leftovers(tmp_path, isolated_env) == []


def test_init_force_crash_keeps_existing_files(cli, tmp_path, isolated_env, failing_replace):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "vars.sh").write_text("export VENDOR=mine\n")
    failing_replace(3)
    r = cli("init", str(repo), "--vendor", "acme", "-y", "--key-type", "ed25519", "--force")
    assert r.exit_code == 1 and "cannot write" in r.stderr
    assert (repo / "vars.sh").read_text() == "export VENDOR=mine\n"
    assert _leftovers(tmp_path, isolated_env) == []
    # the rerun completes what the crash left out, keeping the operator's file
    r = cli("init", str(repo), "--vendor", "acme", "-y", "--key-type", "ed25519", "--force")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (repo / "vars.sh").read_text() == "export VENDOR=mine\n"
    assert mode(repo / "jenkins_key") == 0o600
