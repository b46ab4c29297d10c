"""The Zuul v3 scaffold and validate against a real Zuul 14 (tests/fixtures/zuul14.py).

- ``init --zuul v3``'s config project, loaded into Zuul as a config project over a ``git`` connection, with the
  scaffold's own ``[connection gerrit]`` (pointed at a closed loopback port: no upstream here) and tenant file:
  Zuul loads its pipeline, jobs and project and reports nothing but the one error of an upstream it cannot reach.
- validate finds every configuration error the real Zuul reports for the fixture's ``broken`` tenant.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.fixtures.net import free_port
from tests.fixtures.plugin import require_real
from tests.fixtures.zuul14 import BROKEN_CONFIG, Zuul14, tenant_yaml, zuul14_missing
from vendorci.core.scaffold import InitOptions, init_repo
from vendorci.core.validate import validate_repo

pytestmark = pytest.mark.real_server

UNREACHABLE = "Will not fetch project branches as read-only is set"
#: a gate that votes +/-2 and submits upstream: Zuul takes it, the upstream's policy does not
GATE = textwrap.dedent("""\
        - pipeline:
            name: gate
            manager: dependent
            trigger:
              gerrit:
                - event: comment-added
                  approval:
                    - Workflow: 1
            success:
              gerrit:
                Verified: 2
                submit: true
            failure:
              gerrit:
                Verified: -2
        """)


def _scaffold_connections(scaffold: Path, repos: Path, key: Path) -> str:
    """The scaffold's [connection ...] sections, with vars.sh values as this test's loopback world has them."""
    text = (scaffold / "etc/zuul/zuul.conf").read_text()
    sections = text[text.index("[connection gerrit]"):]
    values = {"${UPSTREAM_GERRIT_HOST}": "127.0.0.1", "${UPSTREAM_GERRIT_PORT}": str(free_port()),
              "${UPSTREAM_GERRIT_USER}": "acme-ci", "/var/lib/zuul/ssh/gerrit_key": str(key),
              "file:///srv/git": f"file://{repos}"}
    for old, new in values.items():
        assert old in sections, old
        sections = sections.replace(old, new)
    return sections


class ScaffoldZuul(Zuul14):
    """The fixture's Zuul with the scaffold's connections added to its zuul.conf (connections are read at start)."""

    scaffold: Path = Path()

    def _write_zuul_conf(self) -> None:
        super()._write_zuul_conf()
        with open(self.zuul_conf, "a", encoding="utf-8") as f:
            f.write("\n" + _scaffold_connections(self.scaffold, self.repos, self.scaffold / "gerrit_key"))


@pytest.fixture(scope="module")
def scaffold_zuul(tmp_path_factory):
    require_real(zuul14_missing())
    scaffold = tmp_path_factory.mktemp("scaffold") / "acme-ci-data"
    init_repo(scaffold, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519", zuul="v3"))
    root = Path(tempfile.mkdtemp(prefix="vendorci-zuul14-scaffold-"))
    z = ScaffoldZuul(root=root)
    z.scaffold = scaffold
    try:
        z.start()
        config = scaffold / "zuul-config"
        files = {str(p.relative_to(config)): p.read_text() for p in sorted(config.rglob("*")) if p.is_file()}
        z.add_repo("zuul-config", files)
        z.add_repo("gated-config", {**files, "zuul.d/gate.yaml": GATE})
        # the scaffold's tenant file as it is, beside the fixture's tenants, and a copy of it whose config project
        # also gates upstream; the scheduler keeps the layout it stored in ZooKeeper until told to read the
        # tenant file again
        main = (scaffold / "etc/zuul/main.yaml").read_text()
        gated = main.replace("name: acme", "name: acme-gated").replace("- zuul-config", "- gated-config")
        z.write_tenants(tenant_yaml() + main + gated)
        z.full_reconfigure()
        for tenant in ("acme", "acme-gated"):
            z.wait_for(f"tenant {tenant} loaded",
                       lambda t=tenant: z.get(f"/api/tenant/{t}/status").get("pipelines"), 120)
        yield z, scaffold
    finally:
        z.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_scaffold_config_project_loads_into_a_real_zuul(scaffold_zuul):
    z, scaffold = scaffold_zuul
    assert validate_repo(scaffold) == []  # what validate --strict passes ...
    errors = z.get("/api/tenant/acme/config-errors")
    # ... Zuul loads with one error only: the upstream (a closed port here) cannot be reached
    assert [(e["source_context"]["project"], e["short_error"]) for e in errors] == \
        [("opendev/ci-sandbox", UNREACHABLE)], errors
    assert [p["name"] for p in z.get("/api/tenant/acme/pipelines")] == ["check"]
    assert {j["name"] for j in z.get("/api/tenant/acme/jobs")} == {"base", "noop"}
    sandbox = z.get("/api/tenant/acme/project/opendev/ci-sandbox")
    assert sandbox["connection_name"] == "gerrit"
    pipelines = {p["name"]: p for c in sandbox["configs"] for p in c["pipelines"]}
    assert [j["name"] for variants in pipelines["check"]["jobs"] for j in variants] == ["noop"]




def test_a_policy_breach_validate_reports_is_loaded_silently_by_zuul(scaffold_zuul):
    """Zuul itself accepts a gate that votes Verified +2 and submits upstream: only validate stops it."""
    z, _scaffold = scaffold_zuul
    assert sorted(p["name"] for p in z.get("/api/tenant/acme-gated/pipelines")) == ["check", "gate"]
    assert [e["short_error"] for e in z.get("/api/tenant/acme-gated/config-errors")] == [UNREACHABLE]
    work = z.root / "work" / "gated-config"
    codes = {f.code for f in validate_repo(work) if f.severity == "error"}
    assert codes == {"policy_gate", "policy_verified_2", "policy_submit"}


def test_validate_finds_every_error_the_real_zuul_reports(zuul14, tmp_path):
    errors = zuul14.get("/api/tenant/broken/config-errors")
    assert errors, "the fixture's broken tenant has no errors"
    for rel, text in BROKEN_CONFIG.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    findings = validate_repo(tmp_path)
    zuul_files = sorted({e["source_context"]["path"] for e in errors})
    ours = {f.file for f in findings}
    assert set(zuul_files) <= ours, (zuul_files, [str(f) for f in findings])
    # one finding per error Zuul reports, at least (the undefined job and parent are warnings here:
    # validate cannot see the other projects of a tenant)
    assert len(findings) >= len(errors)
