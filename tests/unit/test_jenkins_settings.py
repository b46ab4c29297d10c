"""NodeSettings: config.xml round trip, differences, launcher params; log diagnosis."""

from __future__ import annotations

from vendorci.clients.jenkins_xml import NodeSettings, credential_xml, parse_node_config
from vendorci.core.nodes import diagnose, relevant_lines


def test_config_xml_round_trip_and_differences():
    s = NodeSettings("n1", "10.0.0.5", 2222, 3, "/srv/ws", ("a", "b"), "cred", "manual", "ssh-ed25519 AAAAkey")
    back = parse_node_config(s.config_xml())
    assert back.differences(s) == [] and back.host_key == "ssh-ed25519 AAAAkey"
    other = NodeSettings("n1", "10.0.0.5", 22, 3, "/srv/ws", ("b", "a"), "cred", "known-hosts")
    diffs = {d["field"]: (d["jenkins"], d["wanted"]) for d in s.differences(other)}
    assert diffs == {"port": (22, 2222), "host_key_policy": ("known-hosts", "manual"),
                     "host_key": ("", "ssh-ed25519 AAAAkey")}  # label order does not matter


def test_launcher_params_are_fresh_dicts():
    s = NodeSettings("n", "h")
    a, b = s.launcher_params(), s.launcher_params()
    assert a == b and a is not b and a["sshHostKeyVerificationStrategy"] is not b["sshHostKeyVerificationStrategy"]
    assert a["sshHostKeyVerificationStrategy"]["$class"].endswith("KnownHostsFileKeyVerificationStrategy")
    assert "key" not in a["sshHostKeyVerificationStrategy"]


def test_credential_xml_escapes_and_uses_direct_entry():
    xml = credential_xml("id<1>", "jenkins", "-----BEGIN KEY-----\n&\n")
    assert "DirectEntryPrivateKeySource" in xml and "id&lt;1&gt;" in xml and "&amp;" in xml


def test_diagnosis_uses_the_last_cause():
    lines = ["[SSH] SSH host key matches key in Known Hosts file", "[SSH] Authentication successful.",
             "java.io.IOException: Java not found on hudson.slaves.SlaveComputer@1",
             "SSH Launch of n on h failed in 5 ms"]
    assert diagnose(lines)[0] == "Java missing"
    assert diagnose(["[SSH] Opening SSH connection to h:22.", "[SSH] Authentication failed."])[0] == \
        "authentication failed"
    assert diagnose(["something else"])[0] == "launch failed"
    assert relevant_lines(["noise", "[SSH] x", "ERROR: y"]) == ["[SSH] x", "ERROR: y"]
