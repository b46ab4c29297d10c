"""Agent preflight: is this host fit to be a devstack Jenkins agent?

One SSH connection with the key and user Jenkins will use, one remote shell
script (one round trip) printing ``key=value`` lines, parsed here into doctor
findings: ``preflight.port``, ``preflight.ssh``, ``preflight.disk``,
``preflight.packages``, ``preflight.java``, ``preflight.container``,
``preflight.nodepool``.

The file probes of the container check read below ``$VENDORCI_PREFLIGHT_ROOT``
when the remote environment sets it (tests do so with an authorized_keys
``environment=`` option, so a fake root with or without container markers can
be probed); the command probe (``systemd-detect-virt``) only runs without it.
"""

from __future__ import annotations

import shlex
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.errors import VendorciError
from vendorci.results import CheckReport, CheckResult

PACKAGES = ("wget", "openssl", "ssl-cert", "ca-certificates")
TITLES = {
    "preflight.port": "SSH port reachable",
    "preflight.ssh": "SSH host key and login",
    "preflight.disk": "Free space on the remote FS root",
    "preflight.packages": "Packages devstack jobs need",
    "preflight.java": "Java for the SSH launcher",
    "preflight.container": "Not a container",
    "preflight.nodepool": "nodepool scripts",
}

PROBE = r"""
R="${VENDORCI_PREFLIGHT_ROOT:-}"
FS=__FS__
echo "user=$(id -un)"
d="$FS"; while [ ! -d "$d" ] && [ "$d" != / ] && [ -n "$d" ]; do d=$(dirname "$d"); done
echo "df_path=$d"
echo "df=$(df -Pk "$d" 2>/dev/null | tail -n 1)"
if [ -w "$d" ]; then echo "fs_writable=yes"; else echo "fs_writable=no"; fi
if command -v dpkg-query >/dev/null 2>&1; then
  echo "pkg_manager=dpkg"
  for p in __PKGS__; do
    case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" in
      *" installed") echo "pkg_$p=installed" ;; *) echo "pkg_$p=missing" ;; esac
  done
elif command -v rpm >/dev/null 2>&1; then
  echo "pkg_manager=rpm"
  for p in __PKGS__; do
    if rpm -q "$p" >/dev/null 2>&1; then echo "pkg_$p=installed"; else echo "pkg_$p=missing"; fi
  done
else
  echo "pkg_manager=none"
fi
if command -v java >/dev/null 2>&1; then echo "java=$(java -version 2>&1 | head -n 1)"; else echo "java="; fi
if [ -z "$R" ] && command -v systemd-detect-virt >/dev/null 2>&1; then
  echo "virt=$(systemd-detect-virt -c 2>/dev/null)"
fi
if [ -e "$R/.dockerenv" ]; then echo "dockerenv=yes"; fi
if [ -e "$R/run/.containerenv" ]; then echo "containerenv=yes"; fi
echo "environ_container=$(tr '\0' '\n' < "$R/proc/1/environ" 2>/dev/null | sed -n 's/^container=//p' | head -n 1)"
echo "cgroup=$(grep -Eo 'docker|lxc|kubepods|containerd|libpod' "$R/proc/1/cgroup" 2>/dev/null | head -n 1)"
if [ -d "$R/proc/vz" ] && [ ! -d "$R/proc/bc" ]; then echo "openvz=yes"; fi
if [ -d "$R/opt/nodepool-scripts" ]; then echo "nodepool=yes"; else echo "nodepool=no"; fi
echo "probe=done"
"""


@dataclass
class PreflightTarget:
    host: str
    port: int
    user: str
    key_path: Path
    known_hosts: Path
    accept_new: bool = False
    remote_fs: str = "/home/jenkins/workspaces"
    min_disk_gb: float = 40.0
    expect_devstack: bool = True
    timeout: float = 10.0


@dataclass
class Preflight:
    reports: list[CheckReport]
    facts: dict[str, str]
    host_key: str = ""  # "TYPE BASE64" of the verified host key

    @property
    def ok(self) -> bool:
        return all(r.result.status.value in ("ok", "warn", "skip") for r in self.reports)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [r.as_dict() for r in self.reports], "facts": self.facts,
                "host_key": self.host_key}


def probe_script(remote_fs: str) -> str:
    return PROBE.replace("__FS__", shlex.quote(remote_fs)).replace("__PKGS__", " ".join(PACKAGES))


def parse_probe(text: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.replace("_", "").replace("-", "").isalnum():
            facts[key.strip()] = value.strip()
    return facts


def _report(cid: str, result: CheckResult, elapsed: float = 0.0) -> CheckReport:
    return CheckReport(cid, TITLES[cid], result, elapsed)


def assess(facts: dict[str, str], t: PreflightTarget) -> list[CheckReport]:
    """Findings from the probe's facts (pure: tested without SSH too)."""
    out = [_report("preflight.disk", _disk(facts, t)), _report("preflight.packages", _packages(facts)),
           _report("preflight.java", _java(facts)), _report("preflight.container", _container(facts, t)),
           _report("preflight.nodepool", _nodepool(facts, t))]
    return out


def _disk(facts: dict[str, str], t: PreflightTarget) -> CheckResult:
    cols = facts.get("df", "").split()
    path = facts.get("df_path", t.remote_fs)
    try:
        avail_gb = int(cols[3]) / 1024 / 1024
    except (IndexError, ValueError):
        return CheckResult.fail(f"could not read free space of {path}", details=[facts.get("df", "")],
                                fix="Check that `df -P` works on the host.")
    data = {"path": path, "available_gb": round(avail_gb, 1), "required_gb": t.min_disk_gb,
            "mount": cols[5] if len(cols) > 5 else ""}
    where = path if path == t.remote_fs else f"{path} (nearest existing parent of {t.remote_fs})"
    if avail_gb < t.min_disk_gb:
        return CheckResult.fail(f"{avail_gb:.1f} GB free on {where}, devstack jobs need {_gb(t.min_disk_gb)} GB",
                                fix=f"Grow the disk holding {t.remote_fs} or point --remote-fs at a larger one.",
                                data=data)
    if facts.get("fs_writable") == "no":
        return CheckResult.warn(f"{avail_gb:.1f} GB free on {where}, but {path} is not writable by {facts.get('user')}",
                                fix=f"mkdir -p {t.remote_fs} && chown {facts.get('user')} {t.remote_fs}", data=data)
    return CheckResult.ok(f"{avail_gb:.1f} GB free on {where} (>= {_gb(t.min_disk_gb)} GB)", data=data)


def _gb(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.3g}"


def _packages(facts: dict[str, str]) -> CheckResult:
    manager = facts.get("pkg_manager", "none")
    if manager == "none":
        return CheckResult.warn("no dpkg or rpm on the host; cannot check packages",
                                details=[f"needed: {', '.join(PACKAGES)}"])
    wanted = [p for p in PACKAGES if not (manager == "rpm" and p == "ssl-cert")]  # Debian-only package
    missing = [p for p in wanted if facts.get(f"pkg_{p}") != "installed"]
    if missing:
        install = "apt-get install -y" if manager == "dpkg" else "yum install -y"
        return CheckResult.fail(f"missing packages: {', '.join(missing)}", fix=f"{install} {' '.join(missing)}",
                                data={"missing": missing})
    return CheckResult.ok(f"installed: {', '.join(wanted)}", data={"missing": []})


def _java(facts: dict[str, str]) -> CheckResult:
    java = facts.get("java", "")
    if java:
        return CheckResult.ok(java, data={"java": java})
    return CheckResult.warn("no java on the PATH: the Jenkins SSH launcher needs one to start the agent",
                            fix="apt-get install -y default-jre-headless (or set a javaPath on the node)",
                            data={"java": None})


def container_markers(facts: dict[str, str]) -> list[str]:
    marks = []
    if facts.get("virt") and facts["virt"] != "none":
        marks.append(f"systemd-detect-virt -c says {facts['virt']}")
    if facts.get("dockerenv") == "yes":
        marks.append("/.dockerenv exists (docker)")
    if facts.get("containerenv") == "yes":
        marks.append("/run/.containerenv exists (podman)")
    if facts.get("environ_container"):
        marks.append(f"PID 1 has container={facts['environ_container']}")
    if facts.get("cgroup"):
        marks.append(f"PID 1's cgroup mentions {facts['cgroup']}")
    if facts.get("openvz") == "yes":
        marks.append("/proc/vz without /proc/bc (OpenVZ container)")
    return marks


def _container(facts: dict[str, str], t: PreflightTarget) -> CheckResult:
    marks = container_markers(facts)
    if not marks:
        return CheckResult.ok("a full machine (no container markers)", data={"markers": []})
    summary = "the host is a container: devstack cannot run there (open-iscsi, kernel modules)"
    fix = "Use a full VM or bare-metal host as the agent."
    if not t.expect_devstack:
        return CheckResult.warn(summary, details=marks, fix=fix, data={"markers": marks})
    return CheckResult.fail(summary, details=marks, fix=fix, data={"markers": marks})


def _nodepool(facts: dict[str, str], t: PreflightTarget) -> CheckResult:
    if facts.get("nodepool") == "yes":
        return CheckResult.ok("/opt/nodepool-scripts present")
    if not t.expect_devstack:
        return CheckResult.skip("no devstack jobs configured")
    return CheckResult.warn("/opt/nodepool-scripts missing: devstack jobs fail with \"No file found: "
                            "/opt/nodepool-scripts/...\"",
                            fix="Run the agent preparation script (prepare_node_devstack) to completion.")


def run_preflight(t: PreflightTarget) -> Preflight:
    """Connect, probe once, assess.  Never raises for what it finds: failures are reports."""
    from vendorci.clients.ssh import SshSession, SshTarget

    t0 = time.monotonic()
    reports: list[CheckReport] = []
    try:
        with socket.create_connection((t.host, t.port), timeout=t.timeout):
            pass
    except OSError as exc:
        reports.append(_report("preflight.port", CheckResult.fail(
            f"cannot reach {t.host}:{t.port}: {getattr(exc, 'strerror', None) or exc}",
            fix=f"Is sshd running on {t.host}, and does the firewall let the Jenkins master reach port {t.port}?"),
            time.monotonic() - t0))
        return Preflight(reports + _skipped("preflight.port"), {})
    reports.append(_report("preflight.port", CheckResult.ok(f"{t.host}:{t.port} accepts connections"),
                           time.monotonic() - t0))
    t1 = time.monotonic()
    session = SshSession(SshTarget(t.host, t.port, t.user, t.key_path, t.known_hosts, t.accept_new, t.timeout))
    try:
        session.connect()
        key = session.client.get_transport().get_remote_server_key()
        host_key = f"{key.get_name()} {key.get_base64()}"
        for _attempt in range(3):
            status, out, err = session.run(probe_script(t.remote_fs), timeout=max(t.timeout, 20.0))
            # SshSession.run stops at the exit status and can lose output still in flight: run again
            if "probe=done" in out or status != 0:
                break
    except VendorciError as exc:
        session.close()
        reports.append(_report("preflight.ssh", CheckResult.fail(exc.message, fix=exc.hint, data={"code": exc.code}),
                               time.monotonic() - t1))
        return Preflight(reports + _skipped("preflight.ssh"), {})
    session.close()
    facts = parse_probe(out)
    added = " (host key recorded in known_hosts)" if session.host_key_status == "added" else ""
    if facts.get("probe") != "done":
        reports.append(_report("preflight.ssh", CheckResult.fail(
            f"logged in as {t.user}, but the probe script failed (exit {status})",
            details=(err or out).strip().splitlines()[-5:], fix="The login shell must be a POSIX sh (bash, dash)."),
            time.monotonic() - t1))
        return Preflight(reports + _skipped("preflight.ssh"), facts, host_key)
    reports.append(_report("preflight.ssh", CheckResult.ok(
        f"logged in as {facts.get('user', t.user)} with {t.key_path.name}{added}",
        data={"host_key_status": session.host_key_status}), time.monotonic() - t1))
    return Preflight(reports + assess(facts, t), facts, host_key)


def _skipped(blocker: str) -> list[CheckReport]:
    ids = list(TITLES)
    return [_report(i, CheckResult.skip(f"skipped: {blocker} did not pass")) for i in ids[ids.index(blocker) + 1:]]
