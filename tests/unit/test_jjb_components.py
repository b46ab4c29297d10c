"""A fresh scaffold passes `validate --strict` with jenkins-job-builder (a dependency: validate and apply use it
as a library); with JJB hidden, validate says so as one clear finding instead of failing obscurely."""

import subprocess
import sys
import textwrap

import pytest

BLOCK_JJB = textwrap.dedent("""
    import sys
    class _Block:
        def find_spec(self, name, path=None, target=None):
            if name == "jenkins_jobs" or name.startswith("jenkins_jobs."):
                raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")
    sys.meta_path.insert(0, _Block())
""")


def _vendorci(args, *, hide_jjb, env):
    code = (BLOCK_JJB if hide_jjb else "") + textwrap.dedent(f"""
        import sys
        sys.argv = ["vendorci", *{list(args)!r}]
        from vendorci.cli import main
        raise SystemExit(main())
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("hide_jjb", [False, True], ids=["with-jjb", "without-jjb"])
def test_fresh_scaffold_passes_validate_strict(tmp_path, hide_jjb, monkeypatch):
    import os

    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    env.pop("VENDORCI_CONFIG", None)
    repo = tmp_path / "acme-ci-data"
    r = _vendorci(["init", str(repo), "--vendor", "acme", "--gerrit-user", "acme-ci", "--log-url",
                   "https://logs.acme.test/logs", "--publish-host", "logs.acme.test", "--yes"], hide_jjb=hide_jjb,
                  env=env)
    assert r.returncode == 0, r.stderr
    r = _vendorci(["validate", "--strict", str(repo), "-o", "json"], hide_jjb=hide_jjb, env=env)
    import json

    findings = json.loads(r.stdout)["data"].get("findings", [])
    if not hide_jjb:
        assert r.returncode == 0, r.stdout + r.stderr
        assert findings == [], findings
    else:
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stdout + r.stderr
        assert [f["code"] for f in findings] == ["jobs_jjb_missing"], findings
