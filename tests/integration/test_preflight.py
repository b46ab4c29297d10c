"""Agent preflight over a real sshd: one probe, host key trust, fake roots with and without container markers."""

from __future__ import annotations

import pytest

from tests.fixtures.net import closed_port
from tests.fixtures.sshd import keygen
from vendorci.core.preflight import PreflightTarget, assess, parse_probe, run_preflight

pytestmark = pytest.mark.real_server


@pytest.fixture
def host(sshd_factory, tmp_path):
    """sshd + an authorized key whose sessions see a fake root (no container markers, nodepool scripts present)."""
    server = sshd_factory()
    key = tmp_path / "jenkins_key"
    pub = keygen(key)
    root = tmp_path / "fakeroot"
    (root / "opt/nodepool-scripts").mkdir(parents=True)
    (root / "proc/1").mkdir(parents=True)
    (root / "proc/1/environ").write_bytes(b"PATH=/usr/bin\0HOME=/\0")
    (root / "proc/1/cgroup").write_text("0::/init.scope\n")
    server.authorize(pub, options=f'environment="VENDORCI_PREFLIGHT_ROOT={root}"')
    kh = server.write_known_hosts(tmp_path / "known_hosts")
    return server, key, kh, root


def _target(server, key, kh, tmp_path, **kw):
    kw.setdefault("remote_fs", str(tmp_path / "workspaces" / "not-yet"))
    kw.setdefault("min_disk_gb", 0.001)
    return PreflightTarget(server.host, server.port, server.user, key, kh, **kw)


def _by_id(pf):
    return {r.id: r.result for r in pf.reports}


def test_healthy_host_passes_every_check(host, tmp_path):
    server, key, kh, _ = host
    pf = run_preflight(_target(server, key, kh, tmp_path))
    res = _by_id(pf)
    assert pf.ok, [r.as_dict() for r in pf.reports]
    assert [r.id for r in pf.reports] == ["preflight.port", "preflight.ssh", "preflight.disk", "preflight.packages",
                                          "preflight.java", "preflight.container", "preflight.nodepool"]
    assert res["preflight.container"].status.value == "ok"
    assert res["preflight.nodepool"].status.value == "ok"
    assert "openjdk" in res["preflight.java"].summary.lower() or "java" in res["preflight.java"].summary.lower()
    # the remote FS does not exist yet: df ran on its nearest existing parent
    assert pf.facts["df_path"] == str(tmp_path)
    assert res["preflight.disk"].data["available_gb"] > 0
    assert pf.host_key.split()[0] == "ssh-ed25519"
    assert server.log().count("Accepted publickey") == 1  # one connection, one round trip


def test_container_markers_fail(host, tmp_path):
    server, key, kh, root = host
    (root / ".dockerenv").write_text("")
    (root / "proc/1/environ").write_bytes(b"PATH=/usr/bin\0container=lxc\0")
    (root / "opt/nodepool-scripts").rmdir()
    res = _by_id(run_preflight(_target(server, key, kh, tmp_path)))
    c = res["preflight.container"]
    assert c.status.value == "fail" and "devstack cannot run" in c.summary
    assert any("container=lxc" in d for d in c.details) and any(".dockerenv" in d for d in c.details)
    assert res["preflight.nodepool"].status.value == "warn"
    # without devstack jobs a container is only a warning and nodepool scripts do not matter
    res = _by_id(run_preflight(_target(server, key, kh, tmp_path, expect_devstack=False)))
    assert res["preflight.container"].status.value == "warn"
    assert res["preflight.nodepool"].status.value == "skip"


def test_disk_too_small(host, tmp_path):
    server, key, kh, _ = host
    pf = run_preflight(_target(server, key, kh, tmp_path, min_disk_gb=10_000_000))
    d = _by_id(pf)["preflight.disk"]
    assert not pf.ok and d.status.value == "fail" and "need 10000000 GB" in d.summary


def test_unknown_changed_and_accepted_host_keys(host, tmp_path):
    server, key, _, _ = host
    kh = tmp_path / "empty_known_hosts"
    pf = run_preflight(_target(server, key, kh, tmp_path))
    ssh = _by_id(pf)["preflight.ssh"]
    assert ssh.status.value == "fail" and ssh.data["code"] == "host_key_unknown"
    assert "--accept-new-host-key" in ssh.fix
    assert _by_id(pf)["preflight.disk"].status.value == "skip"
    assert "Accepted publickey" not in server.log()  # refused before authenticating
    pf = run_preflight(_target(server, key, kh, tmp_path, accept_new=True))
    assert pf.ok and "recorded" in _by_id(pf)["preflight.ssh"].summary
    assert f"[127.0.0.1]:{server.port} ssh-ed25519" in kh.read_text()
    other = tmp_path / "other_host_key"
    keygen(other)
    kh.write_text(f"[127.0.0.1]:{server.port} " + " ".join(other.with_suffix(".pub").read_text().split()[:2]) + "\n")
    ssh = _by_id(run_preflight(_target(server, key, kh, tmp_path, accept_new=True)))["preflight.ssh"]
    assert ssh.status.value == "fail" and ssh.data["code"] == "host_key_mismatch"  # changed: refused even with accept


def test_bad_key_and_closed_port(host, tmp_path):
    server, _, kh, _ = host
    stranger = tmp_path / "stranger"
    keygen(stranger)
    ssh = _by_id(run_preflight(_target(server, stranger, kh, tmp_path)))["preflight.ssh"]
    assert ssh.status.value == "fail" and ssh.data["code"] == "ssh_auth_failed"
    assert "authorized_keys" in ssh.fix
    server_port = closed_port()
    pf = run_preflight(PreflightTarget("127.0.0.1", server_port, "root", stranger, kh, timeout=3))
    res = _by_id(pf)
    assert res["preflight.port"].status.value == "fail" and "refused" in res["preflight.port"].summary.lower()
    assert res["preflight.ssh"].status.value == "skip"


def test_assess_other_markers_and_rpm(tmp_path):
    t = PreflightTarget("h", 22, "u", tmp_path / "k", tmp_path / "kh", min_disk_gb=40)
    facts = parse_probe("user=jenkins\ndf_path=/\ndf=/dev/sda1 100 1 41943040 1% /\nfs_writable=yes\n"
                        "pkg_manager=rpm\npkg_wget=installed\npkg_openssl=installed\npkg_ssl-cert=missing\n"
                        "pkg_ca-certificates=missing\njava=\nopenvz=yes\ncgroup=\nenviron_container=\nnodepool=no\n")
    res = {r.id: r.result for r in assess(facts, t)}
    assert res["preflight.disk"].status.value == "ok"  # exactly 40 GB
    assert res["preflight.packages"].data["missing"] == ["ca-certificates"]  # ssl-cert is Debian-only
    assert res["preflight.packages"].fix == "yum install -y ca-certificates"
    assert res["preflight.java"].status.value == "warn" and "SSH launcher" in res["preflight.java"].summary
    assert res["preflight.container"].details == ["/proc/vz without /proc/bc (OpenVZ container)"]
    facts["virt"] = "none"
    facts["openvz"] = ""
    assert {r.id: r.result for r in assess(facts, t)}["preflight.container"].status.value == "ok"
