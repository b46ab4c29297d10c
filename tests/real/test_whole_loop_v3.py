"""The flagship test: today's whole third-party loop with real parts, driven as an operator drives it.

Real: Gerrit 3.9.1 (tests/fixtures/gerrit_real, the session's), Zuul 14 (tests/fixtures/zuul14, the session's:
scheduler, merger, web, ZooKeeper, PostgreSQL), git and git-review, and the config project `vendorci init --zuul v3`
scaffolds, loaded unchanged.  The module restarts the session's Zuul once with the scaffold's Gerrit connection
(pointed at the local Gerrit over SSH for the event stream and HTTP with the CI account's password for the rest)
and its tenant, and once more at the end without them, so later tests see the Zuul they expect.

The CI account is a fresh one (``zuulN``, in the CI group: streamEvents) whose SSH key is the one `vendorci init`
generated; the Zuul daemons' own HOME holds a known_hosts with Gerrit's host keys (paramiko only warns on an
unknown key).  No executor runs: the scaffold's check pipeline runs the built-in `noop` on the sandbox project,
which Zuul reports without one ("Build succeeded." and a `- noop URL : SUCCESS in 0s` line, the URL a zuul-web
build page).  What doctor says about the missing executor is asserted, not hidden.
"""

from __future__ import annotations

import configparser
import re
import shlex
import time
from pathlib import Path

import pytest

from tests.fixtures.zuul14 import tenant_yaml

pytestmark = [pytest.mark.real_server, pytest.mark.timeout(420)]

VENDOR = "acme"
PROJECT = "opendev/ci-sandbox"


def _vars(repo: Path) -> dict[str, str]:
    """``export NAME=value`` lines of the scaffold's vars.sh (plain values only, as vendorci reads them)."""
    out = {}
    for line in (repo / "vars.sh").read_text().splitlines():
        m = re.match(r"export ([A-Z_][A-Z0-9_]*)=(.*)$", line.strip())
        if m:
            out[m.group(1)] = " ".join(shlex.split(m.group(2)))
    return out


def _connections(repo: Path, g, acct_password: str, repos: Path) -> str:
    """The scaffold's [connection gerrit] and [connection local], ${NAME}s filled in from its vars.sh, with what an
    installer sets for this site: Gerrit's HTTP URL (no TLS here), the key's path and the HTTP password (Zuul then
    queries, reviews and fetches over REST and uses SSH only for stream-events); the config project's directory."""
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(repo / "etc" / "zuul" / "zuul.conf")
    values = _vars(repo)
    out = []
    for name in ("connection gerrit", "connection local"):
        section = {k: re.sub(r"\$\{([A-Z_0-9]+)\}", lambda m: values[m.group(1)], v) for k, v in cp[name].items()}
        if section["driver"] == "gerrit":
            assert (section["server"], section["port"]) == (g.host, str(g.ssh_port)), section
            section.update(baseurl=g.url.rstrip("/"), sshkey=str(repo / "gerrit_key"), password=acct_password)
        else:
            section.update(baseurl=f"file://{repos}")
        out.append(f"[{name}]\n" + "".join(f"{k}={v}\n" for k, v in section.items()))
    return "\n" + "\n".join(out)


@pytest.fixture(scope="module")
def loop(real_gerrit, zuul14, tmp_path_factory):
    """Gerrit + Zuul + the scaffolded config project; yields (gerrit, zuul, repo, CI account)."""
    from typer.testing import CliRunner

    from vendorci.cli.root import app

    g, z = real_gerrit, zuul14
    t0 = time.monotonic()
    acct = g.new_ci_account("zuul")  # its own account: the stand-ins of other tests answer as "ci"
    repo = tmp_path_factory.mktemp("loop") / "acme-ci"
    res = CliRunner().invoke(app, ["init", str(repo), "--vendor", VENDOR, "--gerrit-user", acct.username,
                                   "--gerrit-host", g.host, "--gerrit-port", str(g.ssh_port), "--zuul", "v3",
                                   "--key-type", "ed25519", "--yes"], catch_exceptions=False)
    assert res.exit_code == 0, res.stdout + res.stderr
    # what the operator sets up after init: zuul-web's URL in vendorci.yaml, the key on the CI account
    cfg = repo / "vendorci.yaml"
    cfg.write_text(cfg.read_text().replace("web_url: http://127.0.0.1:9000/", f"web_url: {z.web_url}/"))
    g.rest("POST", f"accounts/{acct.username}/sshkeys", (repo / "gerrit_key.pub").read_text().strip())
    g.write_known_hosts(Path(z.env["HOME"]) / ".ssh" / "known_hosts")
    z.add_repo("zuul-config", {str(p.relative_to(repo / "zuul-config")): p.read_text()
                               for p in sorted((repo / "zuul-config").rglob("*")) if p.is_file()})
    tenants = tenant_yaml((repo / "etc" / "zuul" / "main.yaml").read_text())
    before = {sid for sid, _ in g.sessions()}
    try:
        z.restart(_connections(repo, g, acct.http_password, z.repos), tenants, wait_tenant=VENDOR)
        assert z.get(f"/api/tenant/{VENDOR}/config-errors") == []
        # a loaded tenant is not a connected stream: wait for the CI account's stream-events session
        g.wait_stream(acct.username, timeout=60, besides=before)
        assert "Remote version is: 3.9.1" in z.log("zuul-scheduler").read_text()
        print(f"\nwhole loop: ready in {time.monotonic() - t0:.0f}s", flush=True)
        yield g, z, repo, acct
    finally:
        # later tests expect the fixture's own Zuul: drop the tenant while its connections exist, then them
        z.write_tenants(tenant_yaml())
        z.full_reconfigure("healthy")
        z.restart("")


@pytest.fixture
def operator_env(loop, monkeypatch):
    """The operator commits with the e-mail registered on their account (a real Gerrit refuses others)."""
    op = loop[0].accounts["op"]
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, op.email)
    return op


def _smoke(cli, g, repo, acct, tmp_path, *extra):
    op = g.accounts["op"]
    return cli("--output", "json", "smoke-test", "sandbox", "--gerrit", f"ssh://op@{g.host}:{g.ssh_port}",
               "--ssh-key", str(op.key), "--ci-user", acct.username, "--ci-key", str(repo / "gerrit_key"),
               "--known-hosts", str(g.known_hosts), "--workdir", str(tmp_path / "work"), "--project", PROJECT,
               "--vendor", VENDOR, "--timeout", "90", *extra)


def _assert_noop_report(d, z, acct):
    assert d["result"] == "SUCCESS", d
    assert d["ci_user"] == acct.username and d["vote"] in (None, 0), d
    jobs = d["jobs"]
    assert [j["name"] for j in jobs] == ["noop"], jobs
    assert jobs[0]["result"] == "SUCCESS"
    assert jobs[0]["url"].startswith(f"{z.web_url}/t/{VENDOR}/build/"), jobs
    # the log link is zuul-web's build page, fetched like any log link
    assert d["logs_checked"] is True and jobs[0]["log_status"] == "200", jobs
    assert d["policy"] == [], d["policy"]  # the scaffold's footer links the wiki page; one report per patch set


def test_smoke_test_recheck_votes_and_doctor(cli, loop, operator_env, tmp_path):
    """Push with git-review, Zuul reports; recheck, Zuul reports again; votes lists both reports; doctor is green."""
    g, z, repo, acct = loop
    t0 = time.monotonic()
    res = _smoke(cli, g, repo, acct, tmp_path)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    n = d["change"]
    _assert_noop_report(d, z, acct)
    assert d["url"] == f"{g.url}c/{PROJECT}/+/{n}" and d["patchset"] == 1
    first = d["jobs"][0]["url"]
    # the build Zuul recorded is the one the comment links to
    builds = z.get(f"/api/tenant/{VENDOR}/builds?change={n}&pipeline=check")
    assert [b["job_name"] for b in builds] == ["noop"] and builds[0]["result"] == "SUCCESS"
    assert first.rstrip("/").endswith(builds[0]["uuid"])

    res = _smoke(cli, g, repo, acct, tmp_path, "--recheck", str(n))
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    assert d["change"] == n
    _assert_noop_report(d, z, acct)
    assert d["jobs"][0]["url"] != first  # a new build, not the first report read again
    assert len(z.get(f"/api/tenant/{VENDOR}/builds?change={n}&pipeline=check")) == 2

    res = cli("--output", "json", "votes", "--ci-user", acct.username, "--ci-key", str(repo / "gerrit_key"),
              "--known-hosts", str(g.known_hosts), "--gerrit", f"ssh://{g.host}:{g.ssh_port}")
    assert res.exit_code == 0, res.stdout + res.stderr
    v = res.json["data"]
    mine = [c for c in v["comments"] if c["change"] == n]
    assert len(mine) == 2, v["comments"]
    assert all(c["result"] == "SUCCESS" and c["vote"] is None for c in mine), mine  # comment-only reports
    assert v["summary"]["comments"] == 2 and v["summary"]["votes"] == 0, v["summary"]
    assert {c["jobs"][0]["url"] for c in mine} == {first, d["jobs"][0]["url"]}
    print(f"\nwhole loop: push, recheck and votes in {time.monotonic() - t0:.0f}s", flush=True)

    # then the operator's doctor on that master: Gerrit settings from zuul.conf's [connection gerrit], zuul-web
    # from vendorci.yaml, the tenant the scaffold made
    r = cli("-o", "json", "doctor", "--zuul-conf", str(z.zuul_conf), "--tenant", VENDOR, "--data-repo", str(repo),
            "zuul.*", "gerrit.*", env={"VENDORCI_KNOWN_HOSTS": str(g.known_hosts)})
    checks = {c["id"]: c for c in r.json["data"]["checks"]}
    status = {i: c["status"] for i, c in checks.items()}
    assert {i for i in checks if i.startswith("gerrit.")} == {"gerrit.known-hosts", "gerrit.ssh",
                                                             "gerrit.stream-events", "gerrit.activity"}, checks
    # green but for what this master lacks on purpose: an executor (noop needs none), a node provider, a log_config
    expected = {"zuul.components": "fail", "zuul.processes": "fail", "zuul.nodes": "skip", "zuul.log": "skip"}
    assert {i: s for i, s in status.items() if s != "ok"} == expected, {i: checks[i] for i in status
                                                                        if status[i] != "ok"}
    assert checks["zuul.components"]["data"]["missing"] == ["executor"]
    assert checks["zuul.processes"]["summary"].startswith("0 zuul-executor"), checks["zuul.processes"]
    assert "Gerrit 3.9.1" in checks["gerrit.ssh"]["summary"], checks["gerrit.ssh"]
    assert f"{g.url}c/{PROJECT}/+/{n}" in checks["gerrit.activity"]["summary"], checks["gerrit.activity"]
    assert checks["zuul.web"]["data"]["url"] == z.web_url and VENDOR in checks["zuul.web"]["data"]["tenants"]
    assert checks["zuul.builds"]["data"]["tenants"][VENDOR]["builds"] >= 2, checks["zuul.builds"]
