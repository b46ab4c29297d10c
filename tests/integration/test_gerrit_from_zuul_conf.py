"""On a Zuul v3+ master the gerrit.* checks take the account from zuul.conf's
``[connection NAME] driver=gerrit`` and run (against the Gerrit double) instead of skipping."""

from __future__ import annotations

import pytest

from vendorci.checks.context import DoctorContext
from vendorci.checks.gerrit import checks
from vendorci.checks.runner import run_checks
from vendorci.config import load_config

pytestmark = pytest.mark.real_server


def test_gerrit_checks_run_from_a_connection_section(make_gerrit, tmp_path):
    g = make_gerrit()
    conf = tmp_path / "zuul.conf"
    conf.write_text(f"[connection github]\ndriver=github\n"
                    f"[connection upstream]\ndriver=gerrit\nserver=127.0.0.1\nport={g.double.port}\n"
                    f"user=ci\nsshkey={g.ci_key}\n[web]\nroot=http://127.0.0.1:9/\n")
    cfg = load_config({"known_hosts": str(g.known_hosts)},
                      env={"VENDORCI_ZUUL_CONF": str(conf), "VENDORCI_JJB_INI": str(tmp_path / "none")}, cwd=tmp_path)
    assert cfg.source("gerrit.user") == f"host:{conf} [connection upstream]"
    reports = {r.id: r.as_dict() for r in run_checks(checks(), DoctorContext(cfg, timeout=5), timeout=5)}
    assert reports["gerrit.known-hosts"]["status"] == "ok"
    assert reports["gerrit.ssh"]["status"] == "ok", reports["gerrit.ssh"]
    assert "Gerrit 3.9.1" in reports["gerrit.ssh"]["summary"]
