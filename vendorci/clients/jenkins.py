"""Jenkins over python-jenkins, plus what it lacks on the same session.

python-jenkins 1.8.3 covers who-am-I, version, plugins, nodes and jobs; the
SSH credential store and the agent's progressive log are requested with the
same ``requests`` session, so the crumb (tied to the session cookie) and the
basic auth are shared.  Every call has a timeout and every failure becomes a
:class:`~vendorci.errors.VendorciError` with a hint.  The API token is never
part of a message.

Quirks handled here (see docs PROTOCOLS.md): ``get_version`` sends no
credentials until an earlier call resolved the auth, so :meth:`version` logs
in first; ``create_node``'s default ``launcher_params`` is a shared mutable
dict, so a fresh one is always passed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote
from xml.sax.saxutils import escape

from vendorci.errors import AuthFailed, ConfigError, ConnectionFailed, OperationFailed, VendorciError, WaitTimeout

T = TypeVar("T")

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


@dataclass
class LogChunk:
    text: str
    next_start: int
    more: bool


class JenkinsClient:
    """One python-jenkins handle (one HTTP session).  Not shared across threads."""

    def __init__(self, url: str, user: str | None, token: str | None, timeout: float = 10.0) -> None:
        import jenkins

        self.url = url if url.endswith("/") else url + "/"
        self.user = user
        self.timeout = timeout
        self._has_token = bool(token)
        self.server = jenkins.Jenkins(self.url, username=user, password=token, timeout=timeout)
        self._status = threading.local()
        self.server._session.hooks["response"].append(self._record)
        self._logged_in = False

    @classmethod
    def from_config(cls, cfg: Any) -> JenkinsClient:
        url = cfg["jenkins.url"]
        if not url:
            raise ConfigError("no Jenkins URL configured", code="jenkins_url_missing",
                              hint="Pass --jenkins-url or set VENDORCI_JENKINS_URL.")
        user, token = cfg["jenkins.user"], cfg.secret("jenkins.token")
        if user and not token:
            raise ConfigError(f"no API token for Jenkins user {user!r}", code="jenkins_token_missing",
                              hint="Set VENDORCI_JENKINS_TOKEN (or jenkins.token_file in the config, mode 0600); "
                              "create a token under Jenkins > your user > Configure > API Token.")
        return cls(url, user, token, float(cfg.get("jenkins.timeout", 10.0)))

    # -- error translation --------------------------------------------------
    def _record(self, resp: Any, *args: Any, **kwargs: Any) -> None:
        self._status.code = resp.status_code
        self._status.body = resp.text[:500] if resp.status_code >= 400 else ""

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        import jenkins
        import requests

        self._status.code = None
        try:
            return fn()
        except VendorciError:
            raise
        except requests.exceptions.SSLError as exc:
            raise ConnectionFailed(f"TLS error talking to Jenkins at {self.url}: {_first_line(exc)}",
                                   code="jenkins_tls", hint="Check the certificate chain; set REQUESTS_CA_BUNDLE to "
                                   "your CA file if Jenkins uses a private CA.") from None
        except (requests.exceptions.Timeout, jenkins.TimeoutException):
            raise WaitTimeout(f"Jenkins at {self.url} did not answer {what} within {self.timeout:g}s",
                              code="jenkins_timeout", hint="Jenkins may be starting or overloaded; raise "
                              "jenkins.timeout if it is just slow.") from None
        except requests.exceptions.ConnectionError:
            raise ConnectionFailed(f"cannot connect to Jenkins at {self.url} ({what})", code="jenkins_unreachable",
                                   hint="Is Jenkins up and the URL right? Running JJB or vendorci before Jenkins "
                                   "has finished starting gives this.") from None
        except (jenkins.JenkinsException, requests.exceptions.HTTPError) as exc:
            raise self._http_error(what, exc) from None

    def _http_error(self, what: str, exc: Exception) -> VendorciError:
        code = getattr(self._status, "code", None)
        if code is None:
            m = re.search(r"\[(\d{3}):", str(exc))
            code = int(m.group(1)) if m else None
        body = getattr(self._status, "body", "") or ""
        who = f"user {self.user!r}" if self.user else "anonymous"
        if code == 401:
            return AuthFailed(f"Jenkins rejected the credentials of {who} ({what}: HTTP 401)", code="jenkins_auth",
                              hint="Check jenkins.user and VENDORCI_JENKINS_TOKEN: use an API token of that user.")
        if code == 403:
            if "crumb" in body.lower():
                return AuthFailed(f"Jenkins refused the request: no valid crumb ({what}: HTTP 403)",
                                  code="jenkins_crumb", hint="A proxy in front of Jenkins may be dropping the "
                                  "session cookie the crumb is tied to.")
            hint = ("Pass --jenkins-user and set VENDORCI_JENKINS_TOKEN." if not self._has_token else
                    f"Give {who} Overall/Read, Agent/Create, Agent/Configure, Agent/Delete and Credentials/Create "
                    "(Manage Jenkins > Security).")
            return AuthFailed(f"Jenkins denied {what} to {who} (HTTP 403)", code="jenkins_forbidden", hint=hint)
        if code == 404 or isinstance(exc, _not_found()):
            return OperationFailed(f"Jenkins has no such item ({what}: HTTP 404)", code="jenkins_not_found",
                                   hint="Check the URL (a Jenkins under a path prefix needs it in --jenkins-url) "
                                   "and that the plugin providing it is installed.")
        if code is not None and code >= 500:
            return OperationFailed(f"Jenkins failed on {what} (HTTP {code})", code="jenkins_server_error",
                                   hint="See the Jenkins log (Manage Jenkins > System Log).",
                                   data={"status": code})
        return OperationFailed(f"Jenkins {what} failed: {_first_line(exc)}", code="jenkins_error",
                               data={"status": code})

    def _send(self, what: str, method: str, path: str, *, data: Any = None, headers: dict | None = None,
              ok: tuple[int, ...] = (200,)) -> Any:
        """A request on python-jenkins' own session (auth + crumb); returns the Response.

        Statuses in ``ok`` are returned, not raised (e.g. 409 on a duplicate credential).
        """
        import requests

        def go() -> Any:
            req = requests.Request(method, self.url + path, data=data, headers=headers or {})
            try:
                return self.server.jenkins_request(req)
            except requests.exceptions.HTTPError as exc:
                if exc.response is not None and exc.response.status_code in ok:
                    return exc.response
                raise
            except Exception:
                if getattr(self._status, "code", None) in ok and self._status.code != 200:
                    # python-jenkins turned an accepted status into an exception; hand back the status
                    return _Status(self._status.code, getattr(self._status, "body", ""))
                raise

        return self._call(what, go)

    # -- identity -----------------------------------------------------------
    def probe(self) -> tuple[int, str | None]:
        """(HTTP status, X-Jenkins version or None) of the root page, without credentials.

        Jenkins sends X-Jenkins even on its 403 login page, so this works with anonymous read disabled."""
        def go() -> tuple[int, str | None]:
            resp = self.server._session.get(self.url, timeout=self.timeout, auth=None, allow_redirects=True)
            return resp.status_code, resp.headers.get("X-Jenkins")

        return self._call("reachability (GET /)", go)

    def whoami(self) -> dict[str, Any]:
        me = self._call("who-am-I (me/api/json)", self.server.get_whoami)
        self._logged_in = True
        return me

    def version(self) -> str:
        if not self._logged_in and self._has_token:
            self.whoami()  # get_version sends no credentials until an earlier call logged in
        return str(self._call("version (X-Jenkins header)", self.server.get_version))

    def plugins(self) -> dict[str, dict[str, Any]]:
        """Installed plugins by short name: {"version", "active", "enabled", "longName"}."""
        raw = self._call("plugin list (pluginManager/api/json)", lambda: self.server.get_plugins(depth=2))
        out = {}
        for keys, p in raw.items():
            short = keys[0] if isinstance(keys, tuple) else keys
            out[str(short)] = {"version": str(p.get("version")), "active": bool(p.get("active")),
                               "enabled": bool(p.get("enabled")), "longName": p.get("longName")}
        return out

    # -- nodes --------------------------------------------------------------
    def nodes(self) -> list[dict[str, Any]]:
        """Every computer with state, reason, executors busy/total and labels."""
        import json

        tree = ("computer[displayName,offline,offlineCauseReason,temporarilyOffline,numExecutors,idle,"
                "assignedLabels[name],executors[idle]]")
        resp = self._send("node list (computer/api/json)", "GET", "computer/api/json?tree=" + quote(tree, safe=""))
        out = []
        for c in json.loads(resp.text).get("computer", []):
            execs = c.get("executors") or []
            busy = sum(1 for e in execs if e.get("idle") is False)
            name = c.get("displayName", "")
            out.append({
                "name": name,
                "offline": bool(c.get("offline")),
                "reason": c.get("offlineCauseReason") or "",
                "temporarily_offline": bool(c.get("temporarilyOffline")),
                "executors": int(c.get("numExecutors") or 0),
                "busy": busy,
                "labels": [lab["name"] for lab in c.get("assignedLabels", []) if lab.get("name") != name],
            })
        return out

    def node_exists(self, name: str) -> bool:
        return bool(self._call(f"node lookup ({name})", lambda: self.server.node_exists(name)))

    def node_info(self, name: str) -> dict[str, Any]:
        import json

        resp = self._send(f"node info ({name})", "GET", f"computer/{_q(name)}/api/json")
        return json.loads(resp.text)

    def node_settings(self, name: str) -> NodeSettings:
        xml = self._call(f"node config ({name})", lambda: self.server.get_node_config(name))
        return parse_node_config(xml)

    def create_node(self, s: NodeSettings) -> None:
        import jenkins

        self._call(f"create node {s.name}", lambda: self.server.create_node(
            s.name, numExecutors=s.executors, nodeDescription=s.description, remoteFS=s.remote_fs,
            labels=" ".join(s.labels), exclusive=False, launcher=jenkins.LAUNCHER_SSH,
            launcher_params=s.launcher_params()))

    def update_node(self, s: NodeSettings) -> None:
        self._call(f"update node {s.name}", lambda: self.server.reconfig_node(s.name, s.config_xml()))

    def delete_node(self, name: str) -> None:
        self._call(f"delete node {name}", lambda: self.server.delete_node(name))

    def relaunch(self, name: str) -> None:
        """Ask Jenkins to launch an offline agent again (the node page's "Launch agent" button)."""
        self._send(f"launch agent {name}", "POST", f"computer/{_q(name)}/launchSlaveAgent")

    def node_log(self, name: str, start: int = 0) -> LogChunk:
        """One read of the agent log from byte ``start`` (logText/progressiveText)."""
        resp = self._send(f"agent log of {name}", "GET", f"computer/{_q(name)}/logText/progressiveText?start={start}")
        size = resp.headers.get("X-Text-Size")
        text = resp.text
        nxt = int(size) if size and size.isdigit() else start + len(resp.content)
        return LogChunk(text, nxt, resp.headers.get("X-More-Data", "").lower() == "true")

    # -- credentials ---------------------------------------------------------
    def credential(self, cred_id: str) -> dict[str, Any] | None:
        import json

        resp = self._send(f"credential lookup ({cred_id})", "GET",
                          f"{CRED_STORE}credential/{_q(cred_id)}/api/json", ok=(200, 404))
        return json.loads(resp.text) if resp.status_code == 200 else None

    def create_credential(self, cred_id: str, username: str, private_key: str, description: str = "") -> bool:
        """Create the SSH credential; False when the id already exists (409)."""
        resp = self._send(f"create credential {cred_id}", "POST", CRED_STORE + "createCredentials",
                          data=credential_xml(cred_id, username, private_key, description).encode(),
                          headers={"Content-Type": "application/xml"}, ok=(200, 409))
        return resp.status_code == 200

    def update_credential(self, cred_id: str, username: str, private_key: str, description: str = "") -> None:
        self._send(f"update credential {cred_id}", "POST", f"{CRED_STORE}credential/{_q(cred_id)}/config.xml",
                   data=credential_xml(cred_id, username, private_key, description).encode(),
                   headers={"Content-Type": "application/xml"})

    def delete_credential(self, cred_id: str) -> None:
        self._send(f"delete credential {cred_id}", "POST", f"{CRED_STORE}credential/{_q(cred_id)}/doDelete")

    # -- jobs ----------------------------------------------------------------
    def job_names(self) -> list[str]:
        jobs = self._call("job list (api/json)", lambda: self.server.get_all_jobs())
        return [j.get("fullname") or j.get("name") for j in jobs]

    def job_label(self, name: str) -> str:
        """The label expression a job is tied to ('' when it can run anywhere)."""
        xml = self._call(f"job config ({name})", lambda: self.server.get_job_config(name))
        root = parse_xml(xml)
        node = root.find("assignedNode") if root is not None else None
        return (node.text or "").strip() if node is not None and node.text else ""


@dataclass
class _Status:
    status_code: int
    text: str
    headers: dict = field(default_factory=dict)
    content: bytes = b""


def _not_found() -> type:
    import jenkins

    return jenkins.NotFoundException


def _q(name: str) -> str:
    return quote(name, safe="")


def _first_line(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()
    return s[0] if s else type(exc).__name__
