"""`vendorci node ...` end to end: the Jenkins double launching agents over a real sshd."""

from __future__ import annotations

import pytest

from tests.fixtures.jenkins_double import agent_fixture, jenkins_double_fixture  # noqa: F401
from tests.fixtures.net import closed_port
from tests.fixtures.sshd import keygen

pytestmark = pytest.mark.real_server


@pytest.fixture
def run(cli, jenkins_double, agent, tmp_path):
    """cli with the Jenkins connection, the agent's key/user and a writable remote FS preset."""
    env = {"VENDORCI_JENKINS_TOKEN": jenkins_double.admin_token}

    def go(*args, node_opts=True, token=None):
        extra = []
        if node_opts and "register" in args:
            defaults = {"--ssh-user": agent.user, "--remote-fs": str(tmp_path / "ws"), "--min-disk-gb": "1",
                        "--timeout": "30", "--key": str(agent.key), "--known-hosts": str(agent.known_hosts)}
            if "--from" not in args:
                defaults["--port"] = str(agent.port)
            for flag, value in defaults.items():
                if flag not in args:
                    extra += [flag, value]
        e = dict(env)
        if token is not None:
            e["VENDORCI_JENKINS_TOKEN"] = token
        if "--jenkins-user" not in args:
            extra += ["--jenkins-user", "admin"]
        return cli(*args, *extra, "--jenkins-url", jenkins_double.url, env=e)

    return go


def test_fresh_registration_then_idempotent_rerun(run, jenkins_double, agent):
    r = run("--output", "json", "node", "register", "agent1", "--host", agent.host)
    assert r.exit_code == 0, r.stdout + r.stderr
    d = r.json["data"]
    assert (d["state"], d["credential"], d["node"]) == ("online", "created", "created")
    assert [c["status"] for c in d["preflight"]["checks"]] == ["ok"] * 7
    node = jenkins_double.nodes["agent1"]
    assert node.offline is False and node.executors == 2 and node.labels == "devstack_slave"
    assert jenkins_double.credentials["jenkins"]["privateKey"] == agent.key.read_text()
    assert jenkins_double.admin_token not in r.stdout + r.stderr
    r = run("node", "register", "agent1", "--host", agent.host)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "credential jenkins: exists" in r.stdout and "node agent1: already registered" in r.stdout
    assert "agent1 online" in r.stdout
    assert "✓ preflight.container: a full machine" in r.stdout


def test_changed_settings_fail_unless_update(run, jenkins_double, agent):
    assert run("node", "register", "a", "--host", agent.host, "--no-wait").exit_code == 0
    r = run("node", "register", "a", "--host", agent.host, "--executors", "4", "--labels", "big fast")
    assert r.exit_code == 1
    assert "executors: Jenkins has 2, wanted 4" in r.stdout
    assert "--update" in r.stderr
    assert jenkins_double.nodes["a"].executors == 2
    r = run("--output", "json", "node", "register", "a", "--host", agent.host, "--executors", "4",
            "--labels", "big fast", "--update")
    assert r.exit_code == 0, r.stdout
    assert r.json["data"]["node"] == "updated" and r.json["data"]["state"] == "online"
    assert jenkins_double.nodes["a"].executors == 4 and jenkins_double.nodes["a"].labels == "big fast"


def test_bad_key(run, jenkins_double, agent, tmp_path):
    stranger = tmp_path / "stranger"
    keygen(stranger)
    r = run("--output", "json", "node", "register", "b", "--host", agent.host, "--key", str(stranger))
    assert r.exit_code == 1
    assert r.json["errors"][0]["code"] == "preflight_failed"
    assert "b" not in jenkins_double.nodes  # nothing registered after a failed preflight
    r = run("node", "register", "b", "--host", agent.host, "--key", str(stranger), "--no-preflight")
    assert r.exit_code == 1
    assert "✗ b: authentication failed" in r.stdout
    assert "[SSH] Authentication failed." in r.stdout
    assert "authorized_keys" in r.stderr


def test_unknown_and_changed_host_key(run, jenkins_double, agent, tmp_path):
    kh = tmp_path / "fresh_known_hosts"
    r = run("node", "register", "c", "--host", agent.host, "--known-hosts", str(kh))
    assert r.exit_code == 1
    assert "✗ preflight.ssh: host key for" in r.stdout and "--accept-new-host-key" in r.stdout
    r = run("node", "register", "c", "--host", agent.host, "--known-hosts", str(kh), "--accept-new-host-key")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "recorded" in r.stdout and f"[127.0.0.1]:{agent.port}" in kh.read_text()
    other = tmp_path / "other"
    keygen(other)
    kh.write_text(f"[127.0.0.1]:{agent.port} " + " ".join(other.with_suffix(".pub").read_text().split()[:2]) + "\n")
    r = run("node", "register", "c", "--host", agent.host, "--known-hosts", str(kh), "--accept-new-host-key")
    assert r.exit_code == 1 and "CHANGED" in r.stdout


def test_master_does_not_know_host_key_then_manual_pin(run, jenkins_double, agent):
    jenkins_double.known_hosts.write_text("")
    r = run("node", "register", "d", "--host", agent.host)
    assert r.exit_code == 1
    assert "✗ d: host key rejected" in r.stdout and "No entry currently exists" in r.stdout
    assert "ssh-keyscan" in r.stderr
    r = run("--output", "json", "node", "register", "d", "--host", agent.host, "--host-key-policy", "manual",
            "--update")
    assert r.exit_code == 0, r.stdout
    assert r.json["data"]["settings"]["host_key"] == " ".join(agent.server.host_public_line.split()[:2])
    assert jenkins_double.nodes["d"].offline is False


def test_port_closed(run, jenkins_double, agent):
    port = str(closed_port())
    r = run("node", "register", "e", "--host", "127.0.0.1", "--port", port)
    assert r.exit_code == 1 and "✗ preflight.port: cannot reach 127.0.0.1" in r.stdout
    r = run("node", "register", "e", "--host", "127.0.0.1", "--port", port, "--no-preflight")
    assert r.exit_code == 1 and "✗ e: connection refused" in r.stdout


def test_container_detected_and_disk_too_small(run, jenkins_double, agent):
    (agent.root / ".dockerenv").write_text("")
    r = run("node", "register", "f", "--host", agent.host)
    assert r.exit_code == 1
    assert "✗ preflight.container: the host is a container" in r.stdout and "/.dockerenv" in r.stdout
    (agent.root / ".dockerenv").unlink()
    r = run("node", "register", "f", "--host", agent.host, "--min-disk-gb", "10000000")
    assert r.exit_code == 1 and "✗ preflight.disk:" in r.stdout and "need 10000000 GB" in r.stdout
    assert "f" not in jenkins_double.nodes


def test_java_missing_and_timeout(run, jenkins_double, agent):
    jenkins_double.launch_command = "echo 'bash: java: command not found'; exit 127"
    r = run("node", "register", "g", "--host", agent.host)
    assert r.exit_code == 1 and "✗ g: Java missing" in r.stdout
    jenkins_double.launch_command = "java -version"
    jenkins_double.delays["h"] = 5.0
    r = run("--output", "json", "node", "register", "h", "--host", agent.host, "--timeout", "1")
    assert r.exit_code == 124 and r.json["exit_code"] == 124
    assert "not online after 1s" in r.json["data"]["diagnosis"]


def test_jenkins_403_401_and_down(run, jenkins_double, agent):
    reader = jenkins_double.add_user("reader", perms={"read"})
    r = run("node", "register", "i", "--host", agent.host, "--jenkins-user", "reader", token=reader)
    assert r.exit_code == 1
    assert "denied" in r.stderr and "Agent/Create" in r.stderr and reader not in r.stderr
    r = run("node", "list", token="not-the-token")
    assert r.exit_code == 1 and "HTTP 401" in r.stderr and "not-the-token" not in r.stdout + r.stderr
    jenkins_double.down = True
    r = run("--output", "json", "node", "list")
    assert r.exit_code == 1 and r.json["errors"][0]["code"] == "jenkins_server_error"
    jenkins_double.stop()
    r = run("node", "list")
    assert r.exit_code == 1 and "cannot connect to Jenkins" in r.stderr and "Jenkins up" in r.stderr


def test_token_never_from_a_flag(cli, jenkins_double):
    r = cli("node", "list", "--jenkins-url", jenkins_double.url, "--jenkins-token", "x")
    assert r.exit_code == 2


def test_batch_of_20(run, jenkins_double, agent, tmp_path):
    lines = ["defaults:", f"  port: {agent.port}", "  labels: devstack_slave", "nodes:"]
    lines += [f"  - name: n{i:02d}\n    host: {agent.host}" for i in range(20)]
    lines += [f"  - name: broken\n    host: 127.0.0.1\n    port: {closed_port()}"]
    f = tmp_path / "nodes.yaml"
    f.write_text("\n".join(lines) + "\n")
    jenkins_double.launch_delay = 0.2
    r = run("--output", "json", "node", "register", "--from", str(f), "--parallel", "8")
    assert r.exit_code == 1, r.stdout[-2000:]
    s = r.json["data"]["summary"]
    bad = [(n["name"], n["state"], [c["summary"] for c in (n["preflight"] or {}).get("checks", [])
                                    if c["status"] == "fail"]) for n in r.json["data"]["nodes"] if not n["ok"]]
    assert (s["total"], s["ok"], s["failed"]) == (21, 20, 1), bad
    assert sum(1 for n in jenkins_double.nodes.values() if not n.offline) == 20
    states = {n["name"]: n["state"] for n in r.json["data"]["nodes"]}
    assert states["broken"] == "preflight failed" and states["n07"] == "online"
    assert len(jenkins_double.credentials) == 1
    f.write_text("\n".join(lines[:-1]) + "\n")
    r = run("node", "register", "--from", str(f))
    assert r.exit_code == 0, r.stdout[-2000:]
    assert "20 of 20 nodes ok" in r.stdout and "already registered" in r.stdout


def test_list_check_remove(run, jenkins_double, agent):
    assert run("node", "register", "k", "--host", agent.host).exit_code == 0
    jenkins_double.nodes["k"].busy = 1
    r = run("--output", "json", "node", "list")
    rows = {n["name"]: n for n in r.json["data"]["nodes"]}
    assert rows["k"]["offline"] is False and (rows["k"]["busy"], rows["k"]["executors"]) == (1, 2)
    assert rows["k"]["labels"] == ["devstack_slave"]
    r = run("node", "list")
    assert "k" in r.stdout and "1/2" in r.stdout and "devstack_slave" in r.stdout
    r = run("node", "check", "k", "--key", str(agent.key), "--known-hosts", str(agent.known_hosts),
            "--ssh-user", agent.user, "--min-disk-gb", "1")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "✓ k: online" in r.stdout and "✓ preflight.ssh" in r.stdout
    r = run("node", "remove", "k")
    assert r.exit_code == 2 and "--yes" in r.stderr
    r = run("node", "remove", "k", "--yes", "--with-credential")
    assert r.exit_code == 0 and "credential jenkins deleted" in r.stdout
    assert "k" not in jenkins_double.nodes and not jenkins_double.credentials
    r = run("node", "remove", "k", "--yes")
    assert r.exit_code == 2 and "no node named" in r.stderr


def test_register_warns_before_uploading_an_openssh_format_key(run, jenkins_double, agent):
    """The agent fixture's key is ed25519 in OpenSSH format: JSch-based plugins cannot read that credential."""
    r = run("--output", "json", "node", "register", "w1", "--host", agent.host)
    assert r.exit_code == 0, r.stdout + r.stderr
    warnings = r.json["data"]["warnings"]
    assert {w["code"] for w in warnings} == {"keys_format"}
    jsch = [w for w in warnings if "JSch 0.1.55" in w["message"]]
    assert jsch and "ed25519" in jsch[0]["message"] and "--type rsa --format pem" in jsch[0]["hint"]
    human = run("node", "register", "w1", "--host", agent.host)
    assert human.exit_code == 0
    assert "! " + str(agent.key) + " is handed to JSch 0.1.55" in human.stdout


def test_register_with_a_pem_key_has_no_warning(run, cli, jenkins_double, agent, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    made = cli("-o", "json", "keys", "generate", "pem_key", "--dir", str(keys), "--format", "pem", "--bits", "2048")
    assert made.exit_code == 0
    agent.server.authorize(made.json["data"]["public_key"],
                           options=f'environment="VENDORCI_PREFLIGHT_ROOT={agent.root}"')
    r = run("--output", "json", "node", "register", "p1", "--host", agent.host, "--key", str(keys / "pem_key"),
            "--credential-id", "pem")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.json["data"]["state"] == "online" and r.json["data"]["warnings"] == []
    assert jenkins_double.credentials["pem"]["privateKey"].startswith("-----BEGIN RSA PRIVATE KEY-----")
