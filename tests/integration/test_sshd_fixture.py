import subprocess

import pytest

from tests.fixtures.sshd import keygen

pytestmark = pytest.mark.real_server


def test_sshd_fixture_accepts_authorized_key_and_verifies_host_key(sshd_factory, tmp_path):
    server = sshd_factory()
    pub = keygen(tmp_path / "client")
    server.authorize(pub)
    kh = server.write_known_hosts(tmp_path / "known_hosts")
    out = subprocess.run(
        ["ssh", "-i", str(tmp_path / "client"), "-p", str(server.port), "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={kh}", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5",
         f"{server.user}@127.0.0.1", "echo", "hello-from-sshd"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr + server.log()
    assert out.stdout.strip() == "hello-from-sshd"


def test_sshd_fixture_rejects_unknown_key(sshd_factory, tmp_path):
    server = sshd_factory()
    keygen(tmp_path / "stranger")
    kh = server.write_known_hosts(tmp_path / "known_hosts")
    out = subprocess.run(
        ["ssh", "-i", str(tmp_path / "stranger"), "-p", str(server.port), "-o", "BatchMode=yes",
         "-o", f"UserKnownHostsFile={kh}", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5",
         f"{server.user}@127.0.0.1", "true"],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 255
    assert "Permission denied" in out.stderr
