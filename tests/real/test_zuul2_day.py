"""The operator's day for the articles' stack, in one test, on real parts:

``vendorci init`` → the data repo rendered onto a real Zuul 2.5.2 master → ``vendorci node register`` (the Jenkins
double launching a real sshd agent; its Gearman plugin registering the node's jobs in Zuul's embedded Gearman) →
``vendorci doctor`` green → ``vendorci smoke-test sandbox`` +1 from a real Gerrit 3.9.1 → ``vendorci votes``.

``vendorci apply --root ROOT`` renders the data repo (zuul.conf with vars.sh substituted, layout.yaml, the Gerrit
key where zuul.conf's ``sshkey`` says); Zuul 2 runs that layout and that key, from a copy of the rendered zuul.conf
whose absolute paths are put under ROOT and whose Gearman and webapp listen on the master's own loopback address
(the only differences, asserted). A second ``apply`` after a layout change SIGHUPs the pid in the rendered
``[zuul] pidfile`` under ROOT, and the new pipeline shows in Zuul's webapp ``status.json``.
"""

from __future__ import annotations

import configparser
import json
import time
import urllib.request

import pytest

from tests.fixtures.jenkins_double import agent_fixture, jenkins_double_fixture  # noqa: F401
from tests.fixtures.jenkins_gearman import GearmanPlugin
from tests.fixtures.zuul2 import (
    GEARMAN_PORT,
    LOGGING_CONF,
    GerritPeer,
    Zuul2Master,
    free_loopback_host,
    require_real,
    zuul2_available,
)

pytestmark = pytest.mark.real_server

WEBAPP_PORT = 8001  # free on the master's own loopback address
PROJECT = "openstack-dev/sandbox"  # the project init's layout.yaml lists


class AppliedMaster(Zuul2Master):
    """A master whose root is apply's ROOT: it runs ROOT/etc/zuul/zuul-running.conf, the rendered zuul.conf
    relocated under ROOT (see :func:`relocate`)."""

    @property
    def conf(self):
        return self.root / "etc" / "zuul" / "zuul-running.conf"

    def prepare(self) -> None:
        """What the installer adds beside apply: directories, logging configs, Zuul's HOME with Gerrit's host keys."""
        for d in ("var/run/zuul", "var/run/zuul-merger", "var/log/zuul", "var/lib/zuul/git", "home/.ssh"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        for name, log in (("logging.conf", "zuul.log"), ("merger-logging.conf", "merger.log"),
                          ("gearman-logging.conf", "gearman-server.log")):
            (self.root / "etc/zuul" / name).write_text(LOGGING_CONF.format(log=self.log_dir / log))
        assert self.gerrit is not None
        (self.root / "home/.ssh/known_hosts").write_text("".join(f"{k}\n" for k in self.gerrit.known_hosts_lines))


def relocate(rendered: configparser.ConfigParser, m: Zuul2Master) -> configparser.ConfigParser:
    conf = configparser.ConfigParser(interpolation=None)
    conf.read_dict(rendered)
    for section in conf.sections():
        for key, value in conf.items(section):
            if value.startswith(("/etc/zuul/", "/var/")):
                conf.set(section, key, f"{m.root}{value}")
    conf.set("gearman", "server", m.host)
    conf.set("gearman_server", "listen_address", m.host)
    conf.set("gearman_server", "log_config", f"{m.root}/etc/zuul/gearman-logging.conf")
    conf.set("zuul", "status_url", f"http://{m.host}:{WEBAPP_PORT}/")
    conf.set("merger", "zuul_url", f"http://{m.host}/p")
    conf["webapp"] = {"listen_address": m.host, "port": str(WEBAPP_PORT)}
    return conf


def status_pipelines(m: Zuul2Master) -> list[str]:
    with urllib.request.urlopen(f"http://{m.host}:{WEBAPP_PORT}/status.json", timeout=5) as resp:
        return [p["name"] for p in json.load(resp)["pipelines"]]


EXPERIMENTAL = r"""  - name: experimental
    description: On request only.
    manager: IndependentPipelineManager
    trigger:
      gerrit:
        - event: comment-added
          comment: '(?i)^(Patch Set [0-9]+:)?\s*check experimental\s*$'
    success:
      gerrit:
        verified: 1
    failure:
      gerrit:
        verified: -1

projects:
"""


def test_operators_day_on_the_articles_stack(cli, real_gerrit, jenkins_double, agent, tmp_path, monkeypatch):
    require_real(zuul2_available())
    g = real_gerrit
    repo = tmp_path / "acme-ci-config"

    # 1. init: the data repo with the CI account's RSA PEM key, zuul.conf and layout.yaml for this Gerrit
    r = cli("--output", "json", "init", str(repo), "--vendor", "acme", "--gerrit-host", g.host, "--gerrit-port",
            str(g.ssh_port), "--jenkins-url", jenkins_double.url)
    assert r.exit_code == 0, r.stdout + r.stderr
    assert (repo / "gerrit_key").read_text().startswith("-----BEGIN RSA PRIVATE KEY-----")  # what paramiko 1.18 reads
    # Gerrit's admins register the account with the public key init printed, in the CI group
    # (streamEvents, Verified -1..+1)
    g.rest("PUT", "accounts/acme-ci", {"name": "Acme CI", "email": "acme-ci@example.com", "groups": ["CI"],
                                        "ssh_key": (repo / "gerrit_key.pub").read_text().strip()})
    # the operator's step the layout's comment asks for, now that an agent is coming
    layout = repo / "etc/zuul/layout.yaml"
    layout.write_text(layout.read_text().replace("#- dsvm-tempest-full", "- dsvm-tempest-full"))

    # 2. apply renders the data repo; the master runs what apply rendered
    root = tmp_path / "root"
    root.mkdir()
    r = cli("--output", "json", "apply", str(repo), "--root", str(root), "--yes", "--no-jenkins", "--no-reload")
    assert r.exit_code == 0, r.stdout + r.stderr
    rendered = configparser.ConfigParser(interpolation=None)
    rendered.read(root / "etc/zuul/zuul.conf")
    key = root / rendered.get("gerrit", "sshkey").lstrip("/")
    assert key.read_bytes() == (repo / "gerrit_key").read_bytes() and key.stat().st_mode & 0o777 == 0o600
    m = AppliedMaster(root, free_loopback_host(), layout="(apply's)",
                      gerrit=GerritPeer(g.host, g.ssh_port, g.url.rstrip("/"), "acme-ci", key, g.known_hosts_lines()))
    m.prepare()
    running = relocate(rendered, m)
    with open(m.conf, "w") as fh:
        running.write(fh)
    before = {sid for sid, _ in g.sessions()}
    plugin = None
    try:
        m.start_server()
        m.start_merger()
        g.wait_stream("acme-ci", timeout=60, besides=before)
        # the running configuration is apply's: its layout file, its key, its pid file; the same settings
        assert running.get("zuul", "layout_config") == str(root / "etc/zuul/layout.yaml")
        assert running.get("gerrit", "sshkey") == str(key)
        assert m.pid("server") and m.server_pidfile == root / rendered.get("zuul", "pidfile").lstrip("/")
        same = {"gearman": {"port"}, "gerrit": {"server", "port", "user", "baseurl"},
                "zuul": {"url_pattern", "job_name_in_report"}, "merger": {"git_user_name", "git_user_email"}}
        for section, keys in same.items():
            for k in keys:
                assert running.get(section, k) == rendered.get(section, k), (section, k)
        assert running.get("gerrit", "user") == "acme-ci" and running.get("gerrit", "port") == str(g.ssh_port)
        assert running.get("zuul", "url_pattern") == "http://127.0.0.1/logs/{build.parameters[LOG_PATH]}"
        assert status_pipelines(m) == ["check"]

        # Jenkins (the double) with the jobs JJB makes from the data repo and its Gearman plugin on Zuul's Gearman
        jenkins_double.add_job("noop-check-communication", "built-in")
        jenkins_double.add_job("dsvm-tempest-full", "devstack_slave")
        plugin = GearmanPlugin(jenkins_double, m.host, GEARMAN_PORT, builtin=True).start()
        plugin.wait_registered("build:noop-check-communication")

        def doctor(*ids):
            out = cli("-o", "json", "doctor", *ids, "--zuul-conf", str(m.conf), "--timeout", "15")
            return out.exit_code, {c["id"]: c for c in json.loads(out.stdout)["data"]["checks"]}

        code, checks = doctor("gearman.registered")
        assert code == 1 and "dsvm-tempest-full" in json.dumps(checks["gearman.registered"]), checks

        # 3. node register: the agent (a real sshd) comes online with devstack_slave, the plugin registers its jobs
        r = cli("--output", "json", "node", "register", "devstack-1", "--host", agent.host, "--port",
                str(agent.port), "--ssh-user", agent.user, "--key", str(agent.key), "--known-hosts",
                str(agent.known_hosts), "--remote-fs", str(tmp_path / "ws"), "--min-disk-gb", "1", "--timeout", "30",
                "--jenkins-url", jenkins_double.url, "--jenkins-user", "admin",
                env={"VENDORCI_JENKINS_TOKEN": jenkins_double.admin_token})
        assert r.exit_code == 0, r.stdout + r.stderr
        assert r.json["data"]["state"] == "online"
        plugin.wait_registered("build:dsvm-tempest-full:devstack_slave")

        # 4. doctor green: Gearman, Zuul's processes, pid files and log, Gerrit from zuul.conf's [gerrit]
        monkeypatch.setenv("VENDORCI_KNOWN_HOSTS", str(m.root / "home/.ssh/known_hosts"))
        code, checks = doctor("gearman", "zuul.processes", "zuul.pidfiles", "zuul.log", "gerrit.known-hosts",
                              "gerrit.ssh", "gerrit.stream-events")
        bad = {cid: c["summary"] for cid, c in checks.items() if c["status"] != "ok"}
        assert code == 0 and not bad, bad

        # 5. smoke-test: a real push to the sandbox, Zuul 2 runs both jobs on Jenkins, reports Verified +1
        for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
            monkeypatch.setenv(var, g.accounts["op"].email)
        r = cli("--output", "json", "smoke-test", "sandbox", "--gerrit", f"ssh://op@{g.host}:{g.ssh_port}",
                "--ssh-key", str(g.accounts["op"].key), "--ci-user", "acme-ci", "--ci-key", str(repo / "gerrit_key"),
                "--known-hosts", str(g.known_hosts), "--workdir", str(tmp_path / "work"), "--project", PROJECT,
                "--timeout", "60", "--expect-vote", "--no-check-logs")
        assert r.exit_code == 0, r.stdout + r.stderr + (m.log_dir / "zuul.log").read_text()[-3000:]
        d = r.json["data"]
        n = d["change"]
        assert d["vote"] == 1
        assert {j["name"]: j["result"] for j in d["jobs"]} == {"noop-check-communication": "SUCCESS",
                                                               "dsvm-tempest-full": "SUCCESS"}
        # LOG_PATH as Zuul 2 makes it: the change number's last two digits, number, patch set, pipeline, job, uuid
        assert all(j["url"].startswith(f"http://127.0.0.1/logs/{str(n)[-2:]}/{n}/1/check/{j['name']}/")
                   for j in d["jobs"]), d["jobs"]
        workers = {b.job: b.worker for b in plugin.builds}
        assert workers["dsvm-tempest-full"].startswith("devstack-1_exec-")
        assert workers["noop-check-communication"].startswith("master_exec-")

        # 6. votes: the CI's +1 on the sandbox, as the operator checks it the next morning
        r = cli("--output", "json", "votes", "--ci-user", "acme-ci", "--ci-key", str(repo / "gerrit_key"),
                "--gerrit", f"ssh://{g.host}:{g.ssh_port}", "--known-hosts", str(g.known_hosts), "--project",
                PROJECT, "--since", "1h")
        assert r.exit_code == 0, r.stdout + r.stderr
        assert n in [c.get("change") for c in r.json["data"]["comments"]], r.stdout

        # 7. a layout change through apply: SIGHUP to the pid in the rendered pid file, Zuul 2 reloads it
        layout.write_text(layout.read_text().replace("\nprojects:\n", "\n" + EXPERIMENTAL, 1)
                          + "    experimental:\n      - dsvm-tempest-full\n")
        pid = m.pid("server")
        r = cli("--output", "json", "apply", str(repo), "--root", str(root), "--yes", "--no-jenkins")
        assert r.exit_code == 0, r.stdout + r.stderr
        assert "experimental" in (root / "etc/zuul/layout.yaml").read_text()
        deadline = time.monotonic() + 20
        while "experimental" not in status_pipelines(m) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status_pipelines(m) == ["check", "experimental"], (m.log_dir / "zuul.log").read_text()[-2000:]
        assert m.pid("server") == pid  # reloaded, not restarted
    finally:
        if plugin is not None:
            plugin.stop()
        m.stop()
