"""Oracle: Zuul 2.5.2's own layout loader (`zuul-server -t`, Python 2.7) against validate's layout checks.

Zuul 2.5.2 is installed by .ci/install-zuul2.sh (branch zuul2) into /opt/vendorci-ci/zuul2 (or
$VENDORCI_ZUUL2_HOME).  Where Zuul loads a layout, validate must report no layout error; where Zuul
refuses it, validate must report an error with file and line.  Zuul does not read JJB: only the layout
areas are compared.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.plugin import require_real
from tests.fixtures.zuul2 import ZUUL2_HOME, zuul2_available
from tests.unit.test_validate_real_v2 import DATA, LAYOUT, make
from vendorci.core.validate import validate_repo

SERVER = ZUUL2_HOME / "bin" / "zuul-server"
pytestmark = pytest.mark.real_server


def zuul_loads(layout: Path, tmp: Path, tail: int = 1500) -> tuple[bool, str]:
    require_real(zuul2_available())
    conf = tmp / "zuul.conf"
    conf.write_text(f"""[gearman]
server=127.0.0.1
[gearman_server]
start=false
[gerrit]
server=review.example.org
user=ci
sshkey=/dev/null
[smtp]
server=127.0.0.1
port=25
default_from=zuul@example.org
default_to=ci@example.org
[zuul]
layout_config={layout}
log_config=/dev/null
""")
    run = subprocess.run([str(SERVER), "-c", str(conf), "-t"], capture_output=True, text=True, timeout=120,
                         cwd=tmp, check=False)
    return run.returncode == 0, (run.stderr + run.stdout)[-tail:]


def layout_errors(repo: Path):
    """Errors of the layout: its schema, or its YAML (a merge-conflict marker left in it)."""
    return [f for f in validate_repo(repo) if f.severity == "error" and (f.code.startswith("layout") or (
        f.code.startswith("yaml") and (f.file or "").startswith("zuul/")))]


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.iterdir() if p.is_dir()))
def test_real_repositories_agree_with_zuul(tmp_path, name):
    ok, out = zuul_loads(DATA / name / "zuul/layout.yaml", tmp_path)
    found = layout_errors(DATA / name)
    assert ok == (not found), (out, found)
    assert all(f.file and f.line for f in found)


@pytest.mark.parametrize(("old", "new"), [
    ("", ""),                                                         # the accepted form
    ("    success:\n", "    succes:\n"),
    ("      - noop\n      - acme-dsvm\n", ""),
    ("        flavor: full\n", ""),
    ("- event: parent-change-enqueued", "- event: parent-change"),
    ("    skip-if:", "    skip_if:"),
    ("    voting: false\n", "    votin: false\n"),
    ("    parameter-function: set_node", "    parameter-function: set_nodes"),
    ("    manager: IndependentPipelineManager", "    manager: Independent"),
])
def test_constructs_agree_with_zuul(tmp_path, old, new):
    layout = LAYOUT.replace("    skip-if:", "    voting: false\n    skip-if:").replace(old, new) if old else LAYOUT
    repo = make(tmp_path, layout)
    work = tmp_path / "zuul-run"
    work.mkdir()
    shutil.copy(repo / "zuul/functions.py", work / "functions.py")
    shutil.copy(repo / "zuul/layout.yaml", work / "layout.yaml")
    ok, out = zuul_loads(work / "layout.yaml", work)
    found = layout_errors(repo)
    assert ok == (not found), (out, found)
    assert ok == (old == "")
