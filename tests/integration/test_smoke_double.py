"""`vendorci smoke-test sandbox` end to end against the Gerrit double (real SSH, real git and git-review)."""

from __future__ import annotations

import pytest

from tests.fixtures.gerrit_double import start_gerrit_env

pytestmark = pytest.mark.real_server


@pytest.fixture
def gerrit(tmp_path):
    env = start_gerrit_env(tmp_path / "g")
    yield env
    env.stop()


def test_positive_vote(cli, gerrit):
    res = cli("--output", "json", "smoke-test", "sandbox", *gerrit.args())
    print(res.stdout)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert d["change"] == 1001 and d["patchset"] == 1 and d["vote"] == 1
