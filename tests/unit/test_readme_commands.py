"""The README's two commands: the first (install + main job) parses and keeps keys out of the checkout, the
second (the whole test suite) is what `.ci/run` runs, step for step."""

import re
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.*?)\n```", text, re.S)[:2]


def ci_run() -> str:
    return (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_first_command_parses_and_installs_into_a_venv():
    first = readme_commands()[0]
    assert "\n" not in first, "one line, to paste"
    r = subprocess.run(["bash", "-n", "-c", first], capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    steps = [shlex.split(s) for s in first.split(" && ")]
    # a virtual environment, not the (externally managed) system python
    assert steps[0][:3] == ["python3", "-m", "venv"]
    venv = steps[0][3]
    assert all(s[0].startswith(venv + "/bin/") for s in steps[1:]), steps
    # the scaffold (private keys) goes to the home directory, never into the source checkout
    init = next(s for s in steps if s[1:2] == ["init"])
    assert init[2].startswith("~/"), init
    assert "--yes" in init
    assert any(s[1:2] == ["doctor"] for s in steps)


def test_second_command_is_what_ci_runs():
    second = readme_commands()[1]
    steps = second.split(" && ")
    ci = ci_run()
    apt = next(s for s in steps if s.startswith("apt-get install"))
    readme_pkgs = {w for w in shlex.split(apt)[2:] if not w.startswith("-")}
    ci_pkgs = set(re.search(r"for pkg in ([^;]+); do", ci).group(1).split())
    ci_pkgs |= set(re.findall(r"need\+=\(([\w.-]+)\)", ci))
    assert readme_pkgs == ci_pkgs, (readme_pkgs ^ ci_pkgs)
    normalized_ci = {re.sub(r"\s+-q\b", "", line.strip()) for line in ci.splitlines()}
    for step in steps:
        if step.startswith("apt-get"):
            continue
        assert step in normalized_ci, f"{step!r} is not a line of .ci/run"
    # and in the same order
    positions = [ci.find(re.sub(r"(pip install)", r"\1 -q", s)) if "pip install" in s else ci.find(s)
                 for s in steps if not s.startswith("apt-get")]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), positions
