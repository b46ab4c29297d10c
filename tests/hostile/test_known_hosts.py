"""Class 5: known_hosts as OpenSSH reads and writes it.

Through the real commands (`votes` over SSH to the Gerrit double) and real OpenSSH (sshd,
ssh-keygen -H): marker lines, malformed lines, hashed host names and several key types do not
break a connection whose host line is present; a revoked key is refused; --accept-new-host-key
writes through a symlink and concurrent writers never lose a line.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from pathlib import Path

import pytest

from vendorci.clients import known_hosts as kh

pytestmark = pytest.mark.real_server

OTHER_RSA = ("AAAAB3NzaC1yc2EAAAADAQABAAABAQC7" + "A" * 340)[:372]
ED_BLOB = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
CA_LINE = f"@cert-authority *.example.org ssh-ed25519 {ED_BLOB}"
JUNK = ["@bogus-marker host ssh-ed25519 AAAA", "only-two fields", "host ssh-ed25519 !!!not-base64!!!",
        "# a comment", "", "\t  "]


def votes(cli, g, kh_path, *extra):
    return cli("-o", "json", "votes", "--ci-user", "ci", "--ci-key", str(g.ci_key), "--known-hosts", str(kh_path),
               "--gerrit", f"ssh://127.0.0.1:{g.double.port}", *extra)


@pytest.fixture
def gerrit(make_gerrit):
    return make_gerrit(verdict=None, known=False)


def test_markers_and_malformed_lines_do_not_break_a_known_host(cli, gerrit, tmp_path, caplog):
    path = tmp_path / "known_hosts"
    path.write_text("\n".join([CA_LINE, *JUNK, gerrit.double.known_hosts_line(),
                               f"[127.0.0.1]:{gerrit.double.port} ssh-rsa {OTHER_RSA}"]) + "\n")
    res = votes(cli, gerrit, path)
    assert res.exit_code == 0, res.stdout + res.stderr
    parsed = kh.parse(path.read_text(), path)
    assert len(parsed.warnings) == 3 and any("unknown marker" in w for w in parsed.warnings)


def test_a_revoked_key_is_refused_even_with_its_host_line(cli, gerrit, tmp_path):
    line = gerrit.double.known_hosts_line()
    path = tmp_path / "known_hosts"
    path.write_text(f"{line}\n@revoked * {' '.join(line.split()[1:])}\n")
    res = votes(cli, gerrit, path)
    assert res.exit_code == 1, res.stdout
    assert res.json["errors"][0]["code"] == "host_key_revoked"
    res = votes(cli, gerrit, path, "--accept-new-host-key")  # nor can it be accepted anew
    assert res.exit_code == 1 and res.json["errors"][0]["code"] == "host_key_revoked"


def test_hashed_host_names_match(cli, gerrit, tmp_path):
    path = tmp_path / "known_hosts"
    path.write_text(gerrit.double.known_hosts_line() + "\n")
    subprocess.run(["ssh-keygen", "-H", "-f", str(path)], check=True, capture_output=True)
    assert path.read_text().startswith("|1|")
    res = votes(cli, gerrit, path)
    assert res.exit_code == 0, res.stdout + res.stderr


def test_another_key_of_the_same_type_is_a_changed_key(cli, gerrit, tmp_path):
    path = tmp_path / "known_hosts"
    typ = gerrit.double.host_key.get_name()
    path.write_text(f"[127.0.0.1]:{gerrit.double.port} {typ} "
                    "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n")
    res = votes(cli, gerrit, path, "--accept-new-host-key")
    assert res.exit_code == 1 and res.json["errors"][0]["code"] == "host_key_mismatch"


def test_accept_new_writes_through_a_symlink(cli, gerrit, tmp_path):
    real = tmp_path / "real" / "known_hosts"
    real.parent.mkdir()
    real.write_text(CA_LINE + "\n")
    os.chmod(real, 0o600)
    link = tmp_path / "link_known_hosts"
    link.symlink_to(real)
    res = votes(cli, gerrit, link, "--accept-new-host-key")
    assert res.exit_code == 0, res.stdout
    assert link.is_symlink(), "the link was replaced by a file"
    text = real.read_text()
    assert text.startswith(CA_LINE) and gerrit.double.host_key.get_base64() in text
    assert real.stat().st_mode & 0o777 == 0o600
    assert votes(cli, gerrit, link).exit_code == 0  # and now it is known


def _add(args):
    path, i = args
    kh.add(Path(path), f"host-{i}.example", 22, "ssh-ed25519", f"AAAAC3NzaC1lZDI1NTE5AAAAI{i:043d}")


def test_concurrent_writers_never_lose_a_line(tmp_path):
    path = tmp_path / "known_hosts"
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(8) as pool:
        pool.map(_add, [(str(path), i) for i in range(48)])
    lines = path.read_text().splitlines()
    assert sorted(lines) == sorted(f"host-{i}.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{i:043d}"
                                   for i in range(48))


def test_real_sshd_with_openssh_markers(sshd_factory, tmp_path):
    from tests.fixtures.sshd import keygen
    from vendorci.clients.ssh import SshSession, SshTarget

    server = sshd_factory()
    server.authorize(keygen(tmp_path / "id", "ed25519"))
    path = tmp_path / "kh"
    path.write_text("\n".join([CA_LINE, "garbage", server.known_hosts_line()]) + "\n")
    with SshSession(SshTarget("127.0.0.1", server.port, server.user, tmp_path / "id", path, timeout=10)) as s:
        assert s.run("echo ok")[1] == "ok\n"


def test_host_patterns_follow_openssh():
    assert kh.host_matches("*.example.org,!bad.example.org", "good.example.org")
    assert not kh.host_matches("*.example.org,!bad.example.org", "bad.example.org")
    assert kh.host_matches("[127.0.0.1]:29418", "[127.0.0.1]:29418")
    assert not kh.host_matches("[127.0.0.1]:29418", "[127.0.0.1]:2941")
    assert kh.host_matches("host?", "host1") and not kh.host_matches("host?", "host12")
