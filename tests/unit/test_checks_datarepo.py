"""Doctor datarepo.* checks: validate's findings per area, memoized, skipped without a data repo."""

from __future__ import annotations

from pathlib import Path

from tests.golden.refdata import reference_datarepos
from vendorci.checks.context import DoctorContext
from vendorci.checks.datarepo import NO_REPO, checks
from vendorci.checks.runner import run_checks
from vendorci.core.scaffold import InitOptions, init_repo
from vendorci.results import Status

LOGS = "https://logs.acme.test/logs"  # a public log URL: a fresh repo reporting upstream needs one


def run(data_repo: Path | None) -> dict:
    ctx = DoctorContext(config=None, data_repo=data_repo)
    reports = run_checks(checks(), ctx, timeout=30)
    return {r.id: r.result for r in reports}


def test_ids_are_stable():
    assert [c.id for c in checks()] == ["datarepo.repo", "datarepo.yaml", "datarepo.layout", "datarepo.jobs",
                                        "datarepo.vars", "datarepo.keys", "datarepo.config"]


def test_skipped_without_a_data_repo():
    res = run(None)
    assert all(r.status == Status.SKIP and r.summary == NO_REPO for r in res.values())


def test_fresh_repo_all_ok(tmp_path, fast_rsa):
    repo = tmp_path / "repo"
    init_repo(repo, InitOptions(vendor="acme", gerrit_user="acme-ci", log_url=LOGS,  # RSA PEM: no keys_format warning
                                publish_host="logs.acme.test"))
    res = run(repo)
    assert {k: r.status for k, r in res.items()} == {k: Status.OK for k in res}


def test_articles_repo_findings_become_failures():
    res = run(reference_datarepos() / "os-ext-testing-data")
    assert res["datarepo.jobs"].status == Status.FAIL
    assert any("devstack-checkout" in d for d in res["datarepo.jobs"].details)
    assert res["datarepo.vars"].status == Status.FAIL and "UPSTREAM_GERRIT_HOST_PUB_KEY" in res["datarepo.vars"].fix
    assert res["datarepo.keys"].status == Status.FAIL
    assert any(d.startswith("vars.sh:5:") for d in res["datarepo.keys"].details)
    assert res["datarepo.layout"].status == Status.WARN
    assert res["datarepo.repo"].status == Status.WARN  # not a git checkout
    assert res["datarepo.yaml"].status == Status.OK
    assert res["datarepo.keys"].data["findings"][0]["code"] == "keys_missing"


def test_not_a_data_repo_fails_once(tmp_path):
    res = run(tmp_path)
    assert res["datarepo.repo"].status == Status.FAIL
    assert "not a vendorci data repository" in res["datarepo.repo"].summary
    assert all(r.status == Status.SKIP for k, r in res.items() if k != "datarepo.repo")


def test_validation_runs_once(tmp_path, monkeypatch):
    import vendorci.core.validate as v

    calls = []
    real = v.validate_repo
    monkeypatch.setattr(v, "validate_repo", lambda d: calls.append(d) or real(d))
    repo = tmp_path / "repo"
    init_repo(repo, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519", log_url=LOGS,
                              publish_host="logs.acme.test"))
    run(repo)
    assert calls == [repo]
