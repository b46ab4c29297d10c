"""Test-wide isolation: HOME, XDG dirs, colour and width; the real home is off limits."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = [
    "tests.fixtures.plugin",
    "tests.fixtures.gearman",
    "tests.fixtures.gerrit_double",
    "tests.fixtures.zuul14",
    "tests.fixtures.zuul2",
    "tests.fixtures.gerrit_real",
]


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_CACHE_HOME", ".cache"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "vendorci tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "vendorci tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@example.invalid")
    for var in list(os.environ):
        if var.startswith("VENDORCI_"):
            monkeypatch.delenv(var, raising=False)
    # host files must never leak in from the machine running the tests
    monkeypatch.setenv("VENDORCI_ZUUL_CONF", str(home / "no-zuul.conf"))
    monkeypatch.setenv("VENDORCI_JJB_INI", str(home / "no-jenkins_jobs.ini"))
    monkeypatch.chdir(home)
    yield home
