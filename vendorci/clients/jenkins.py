"""Jenkins over python-jenkins, plus what it lacks on the same session.

python-jenkins 1.8.3 covers who-am-I, version, plugins, nodes and jobs; the
SSH credential store and the agent's progressive log are requested with the
same ``requests`` session, so the crumb (tied to the session cookie) and the
basic auth are shared.  Every call has a timeout and every failure becomes a
:class:`~vendorci.errors.VendorciError` with a hint.  The API token is never
part of a message.

Quirks handled here (see docs/protocols.md): ``get_version`` sends no
credentials until an earlier call resolved the auth, so :meth:`version` logs
in first; ``create_node``'s default ``launcher_params`` is a shared mutable
dict, so a fresh one is always passed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from vendorci.clients.jenkins_xml import (
    CRED_STORE,
    HOST_KEY_STRATEGIES,
    NodeSettings,
    credential_xml,
    parse_node_config,
    parse_xml,
)
from vendorci.errors import AuthFailed, ConfigError, ConnectionFailed, OperationFailed, VendorciError, WaitTimeout

__all__ = ["HOST_KEY_STRATEGIES", "JenkinsClient", "LogChunk", "NodeSettings", "credential_xml", "parse_node_config"]

T = TypeVar("T")


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
        from vendorci.clients.http import bind_session

        bind_session(self.server._session, self.url, "Jenkins")  # credentials and bodies go to this origin only
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
            if getattr(self._status, "code", None) == 200:  # python-jenkins could not read a 200 answer
                raise self._unexpected(what, exc) from None
            raise self._http_error(what, exc) from None
        except requests.exceptions.TooManyRedirects:
            raise OperationFailed(f"Jenkins at {self.url} redirects in a loop ({what})", code="jenkins_redirects",
                                  hint="Check the URL (http vs https, the path prefix).") from None
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:  # an answer of the wrong shape
            raise self._unexpected(what, exc) from None

    def _unexpected(self, what: str, exc: BaseException) -> VendorciError:
        from vendorci.clients.http import peer_unexpected

        return peer_unexpected(f"Jenkins at {self.url}", what, exc)

    def _json(self, what: str, resp: Any, kind: type = dict) -> Any:
        from vendorci.clients.http import expect_json

        return expect_json(resp.text, f"Jenkins at {self.url}", what, kind)

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
        if not isinstance(me, dict):
            raise self._unexpected("who-am-I (me/api/json)", TypeError(f"a JSON {type(me).__name__}, not an object"))
        self._logged_in = True
        return me

    def version(self) -> str:
        if not self._logged_in and self._has_token:
            self.whoami()  # get_version sends no credentials until an earlier call logged in
        return str(self._call("version (X-Jenkins header)", self.server.get_version))

    def plugins(self) -> dict[str, dict[str, Any]]:
        """Installed plugins by short name: {"version", "active", "enabled", "longName"}."""
        what = "plugin list (pluginManager/api/json)"
        raw = self._call(what, lambda: self.server.get_plugins(depth=2))

        def parse() -> dict[str, dict[str, Any]]:
            out = {}
            for keys, p in raw.items():
                short = keys[0] if isinstance(keys, tuple) else keys
                out[str(short)] = {"version": str(p.get("version")), "active": bool(p.get("active")),
                                   "enabled": bool(p.get("enabled")), "longName": p.get("longName")}
            return out

        return self._call(what, parse)

    # -- nodes --------------------------------------------------------------
    def nodes(self) -> list[dict[str, Any]]:
        """Every computer with state, reason, executors busy/total and labels."""
        tree = ("computer[displayName,offline,offlineCauseReason,temporarilyOffline,numExecutors,idle,"
                "assignedLabels[name],executors[idle]]")
        what = "node list (computer/api/json)"
        resp = self._send(what, "GET", "computer/api/json?tree=" + quote(tree, safe=""))
        return self._call(what, lambda: self._parse_nodes(self._json(what, resp)))

    @staticmethod
    def _parse_nodes(doc: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for c in doc.get("computer", []):
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
                "labels": [str(lab["name"]) for lab in c.get("assignedLabels", []) if lab.get("name") != name],
            })
            if not isinstance(name, str):
                raise TypeError(f"a node name is a {type(name).__name__}")
        return out

    def node_exists(self, name: str) -> bool:
        return bool(self._call(f"node lookup ({name})", lambda: self.server.node_exists(name)))

    def node_info(self, name: str) -> dict[str, Any]:
        resp = self._send(f"node info ({name})", "GET", f"computer/{_q(name)}/api/json")
        return self._json(f"node info ({name})", resp)  # type: ignore[no-any-return]

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
        resp = self._send(f"credential lookup ({cred_id})", "GET",
                          f"{CRED_STORE}credential/{_q(cred_id)}/api/json", ok=(200, 404))
        return self._json(f"credential lookup ({cred_id})", resp) if resp.status_code == 200 else None

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
        return self._call("job list (api/json)", lambda: [str(j.get("fullname") or j.get("name")) for j in jobs])

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
