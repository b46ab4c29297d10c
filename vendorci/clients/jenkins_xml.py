"""Jenkins' XML for SSH agents and their credentials: NodeSettings <-> config.xml, the credential document."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from vendorci.errors import OperationFailed

SSH_LAUNCHER = "hudson.plugins.sshslaves.SSHLauncher"
DUMB_SLAVE = "hudson.slaves.DumbSlave$DescriptorImpl"
SSH_CREDENTIAL = "com.cloudbees.jenkins.plugins.sshcredentials.impl.BasicSSHUserPrivateKey"
CRED_STORE = "credentials/store/system/domain/_/"
_VERIFIERS = "hudson.plugins.sshslaves.verifiers."
HOST_KEY_STRATEGIES = {
    "known-hosts": _VERIFIERS + "KnownHostsFileKeyVerificationStrategy",
    "accept-new": _VERIFIERS + "ManuallyTrustedKeyVerificationStrategy",
    "manual": _VERIFIERS + "ManuallyProvidedKeyVerificationStrategy",
    "none": _VERIFIERS + "NonVerifyingKeyVerificationStrategy",
}
POLICY_BY_CLASS = {v: k for k, v in HOST_KEY_STRATEGIES.items()}


@dataclass
class NodeSettings:
    """What vendorci sets on a Jenkins SSH agent; compared field by field on re-runs."""

    name: str
    host: str
    port: int = 22
    executors: int = 2
    remote_fs: str = "/home/jenkins/workspaces"
    labels: tuple[str, ...] = ("devstack_slave",)
    credential_id: str = "jenkins"
    host_key_policy: str = "known-hosts"
    host_key: str = ""  # "TYPE BASE64" for the manual policy
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        d["labels"] = list(self.labels)
        return d

    def differences(self, other: NodeSettings) -> list[dict[str, Any]]:
        """Fields where ``other`` (what Jenkins has) differs from this (what is wanted)."""
        out = []
        for k, want in self.as_dict().items():
            have = other.as_dict()[k]
            if k == "labels":
                same = sorted(want) == sorted(have)
            elif k == "description":
                same = True  # informational only
            elif k == "host_key":
                same = self.host_key_policy != "manual" or want.split()[:2] == have.split()[:2]
            else:
                same = want == have
            if not same:
                out.append({"field": k, "jenkins": have, "wanted": want})
        return out

    def launcher_params(self) -> dict[str, Any]:
        """A FRESH dict for python-jenkins' create_node (its default is shared and mutated)."""
        strategy: dict[str, Any] = {"stapler-class": HOST_KEY_STRATEGIES[self.host_key_policy],
                                    "$class": HOST_KEY_STRATEGIES[self.host_key_policy]}
        if self.host_key_policy == "manual":
            strategy["key"] = self.host_key
        if self.host_key_policy == "accept-new":
            strategy["requireInitialManualTrust"] = False
        return {
            "$class": SSH_LAUNCHER,
            "host": self.host,
            "port": str(self.port),
            "credentialsId": self.credential_id,
            "javaPath": "",
            "jvmOptions": "",
            "launchTimeoutSeconds": "60",
            "maxNumRetries": "10",
            "retryWaitTime": "15",
            "sshHostKeyVerificationStrategy": strategy,
        }

    def config_xml(self) -> str:
        """The node's config.xml (what `config.xml` POST takes to update a node)."""
        strat = HOST_KEY_STRATEGIES[self.host_key_policy]
        if self.host_key_policy == "manual":
            alg, _, blob = self.host_key.partition(" ")
            blob = blob.split()[0] if blob else ""
            inner = f"<key><algorithm>{escape(alg)}</algorithm><key>{escape(blob)}</key></key>"
            strategy = f'<sshHostKeyVerificationStrategy class="{strat}">{inner}</sshHostKeyVerificationStrategy>'
        elif self.host_key_policy == "accept-new":
            strategy = (f'<sshHostKeyVerificationStrategy class="{strat}"><requireInitialManualTrust>false'
                        "</requireInitialManualTrust></sshHostKeyVerificationStrategy>")
        else:
            strategy = f'<sshHostKeyVerificationStrategy class="{strat}"/>'
        return (
            "<?xml version='1.1' encoding='UTF-8'?>\n<slave>\n"
            f"  <name>{escape(self.name)}</name>\n  <description>{escape(self.description)}</description>\n"
            f"  <remoteFS>{escape(self.remote_fs)}</remoteFS>\n  <numExecutors>{self.executors}</numExecutors>\n"
            "  <mode>NORMAL</mode>\n"
            '  <retentionStrategy class="hudson.slaves.RetentionStrategy$Always"/>\n'
            f'  <launcher class="{SSH_LAUNCHER}">\n'
            f"    <host>{escape(self.host)}</host>\n    <port>{self.port}</port>\n"
            f"    <credentialsId>{escape(self.credential_id)}</credentialsId>\n"
            "    <launchTimeoutSeconds>60</launchTimeoutSeconds>\n    <maxNumRetries>10</maxNumRetries>\n"
            f"    <retryWaitTime>15</retryWaitTime>\n    {strategy}\n  </launcher>\n"
            f"  <label>{escape(' '.join(self.labels))}</label>\n  <nodeProperties/>\n</slave>\n"
        )


def parse_node_config(xml_text: str) -> NodeSettings:
    """NodeSettings from a node's config.xml (any launcher; non-SSH fields stay empty)."""
    root = parse_xml(xml_text)
    if root is None:
        raise OperationFailed("Jenkins returned an unreadable node config.xml", code="jenkins_bad_xml")

    def text(el: Any, tag: str, default: str = "") -> str:
        found = el.find(tag) if el is not None else None
        return (found.text or "").strip() if found is not None and found.text else default

    launcher = root.find("launcher")
    strategy = launcher.find("sshHostKeyVerificationStrategy") if launcher is not None else None
    policy = POLICY_BY_CLASS.get(strategy.get("class", "") if strategy is not None else "", "")
    host_key = ""
    if strategy is not None and strategy.find("key") is not None:
        k = strategy.find("key")
        host_key = f"{text(k, 'algorithm')} {text(k, 'key')}".strip()
    return NodeSettings(
        name=text(root, "name"),
        host=text(launcher, "host"),
        port=int(text(launcher, "port", "22") or 22),
        executors=int(text(root, "numExecutors", "1") or 1),
        remote_fs=text(root, "remoteFS"),
        labels=tuple(text(root, "label").split()),
        credential_id=text(launcher, "credentialsId"),
        host_key_policy=policy,
        host_key=host_key,
        description=text(root, "description"),
        extra={"launcher_class": launcher.get("class", "") if launcher is not None else ""},
    )


def parse_xml(text: str | bytes) -> Any:
    """The root element, or None when unreadable.  The XML comes from the configured Jenkins; Python's
    expat does not fetch external entities and limits entity expansion (expat >= 2.4.1)."""
    import xml.etree.ElementTree as ET

    try:
        return ET.fromstring(text.encode() if isinstance(text, str) else text)  # noqa: S314
    except ET.ParseError:
        return None


def credential_xml(cred_id: str, username: str, private_key: str, description: str = "") -> str:
    """The BasicSSHUserPrivateKey document with a DirectEntry key (FileOnMaster is deprecated)."""
    return (
        f"<{SSH_CREDENTIAL}>\n  <scope>GLOBAL</scope>\n  <id>{escape(cred_id)}</id>\n"
        f"  <description>{escape(description)}</description>\n  <username>{escape(username)}</username>\n"
        "  <passphrase></passphrase>\n"
        f'  <privateKeySource class="{SSH_CREDENTIAL}$DirectEntryPrivateKeySource">\n'
        f"    <privateKey>{escape(private_key)}</privateKey>\n  </privateKeySource>\n</{SSH_CREDENTIAL}>\n"
    )
