import pytest

from tests.fixtures.net import closed_port
from tests.fixtures.sshd import keygen
from vendorci.clients.ssh import SshSession, SshTarget
from vendorci.errors import AuthFailed, ConnectionFailed, HostKeyMismatch, HostKeyUnknown

pytestmark = pytest.mark.real_server


@pytest.fixture
def server_and_key(sshd_factory, tmp_path):
    server = sshd_factory()
    pub = keygen(tmp_path / "id", "ed25519")
    server.authorize(pub)
    return server, tmp_path / "id"


def target(server, key, kh, **kw):
    return SshTarget("127.0.0.1", server.port, server.user, key, kh, timeout=5, **kw)


def test_known_host_runs_command(server_and_key, tmp_path):
    server, key = server_and_key
    kh = server.write_known_hosts(tmp_path / "kh")
    with SshSession(target(server, key, kh)) as s:
        rc, out, err = s.run("echo hi; echo oops >&2; exit 3")
    assert (rc, out, err) == (3, "hi\n", "oops\n")


def test_unknown_host_refused_then_recorded_with_accept_new(server_and_key, tmp_path):
    server, key = server_and_key
    kh = tmp_path / "sub" / "known_hosts"
    with pytest.raises(HostKeyUnknown) as exc:
        SshSession(target(server, key, kh)).connect()
    assert "SHA256:" in exc.value.message
    assert not kh.exists()
    with SshSession(target(server, key, kh, accept_new=True)) as s:
        assert s.host_key_status == "added"
    assert kh.stat().st_mode & 0o777 == 0o600
    assert f"[127.0.0.1]:{server.port} ssh-ed25519" in kh.read_text()
    with SshSession(target(server, key, kh)) as s:
        assert s.host_key_status == "known"


def test_changed_host_key_always_refused(server_and_key, tmp_path, sshd_factory):
    server, key = server_and_key
    other = sshd_factory()
    kh = tmp_path / "kh"
    kh.write_text(other.known_hosts_line().replace(str(other.port), str(server.port)) + "\n")
    with pytest.raises(HostKeyMismatch):
        SshSession(target(server, key, kh, accept_new=True)).connect()


def test_bad_key_and_closed_port(server_and_key, tmp_path):
    server, _ = server_and_key
    keygen(tmp_path / "stranger", "ed25519")
    kh = server.write_known_hosts(tmp_path / "kh")
    with pytest.raises(AuthFailed):
        SshSession(target(server, tmp_path / "stranger", kh)).connect()
    t = SshTarget("127.0.0.1", closed_port(), server.user, tmp_path / "stranger", kh, timeout=3)
    with pytest.raises(ConnectionFailed):
        SshSession(t).connect()


def test_large_output_is_read_to_the_end(server_and_key, tmp_path):
    """The exit status can arrive before the last data: run() must read to EOF."""
    server, key = server_and_key
    kh = server.write_known_hosts(tmp_path / "kh")
    with SshSession(target(server, key, kh)) as s:
        for _ in range(5):
            rc, out, err = s.run("head -c 300000 /dev/zero | tr '\\0' x; echo END; echo E >&2")
            assert rc == 0 and len(out) == 300004 and out.endswith("END\n") and err == "E\n"
