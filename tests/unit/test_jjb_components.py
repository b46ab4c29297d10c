"""Fresh scaffolds (v2 and v3) pass `validate --strict` with jenkins-job-builder importable and without it.

Without JJB, validate reads the JJB files with vendorci's built-in reader and JJB's component list
(vendorci/core/jjb_components.py, generated from JJB's registry by tools/jjb_components.py) and says so as a
note, not a finding; real problems are still found.  The built-in list is kept in step with JJB's registry."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

URL = "https://logs.acme-ci.net/"

BLOCK_JJB = textwrap.dedent("""
    import sys
    class _Block:
        def find_spec(self, name, path=None, target=None):
            if name == "jenkins_jobs" or name.startswith("jenkins_jobs."):
                raise ModuleNotFoundError(f"No module named {name!r} (hidden by the test)")
    sys.meta_path.insert(0, _Block())
""")


def _vendorci(args, *, hide_jjb, env):
    """vendorci's own entry point (vendorci.__main__:main) in a new interpreter, JJB unimportable if asked."""
    code = (BLOCK_JJB if hide_jjb else "") + textwrap.dedent(f"""
        import sys
        sys.argv = ["vendorci", *{list(args)!r}]
        from vendorci.__main__ import main
        raise SystemExit(main())
    """)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("zuul", ["v2", "v3"])
@pytest.mark.parametrize("hide_jjb", [False, True], ids=["with-jjb", "without-jjb"])
def test_fresh_scaffold_passes_validate_strict(tmp_path, hide_jjb, zuul):
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    env.pop("VENDORCI_CONFIG", None)
    repo = tmp_path / "acme-ci-data"
    # the README's init plus the public log URL (PUBLISH_HOST follows from it)
    r = _vendorci(["init", str(repo), "--vendor", "acme", "--gerrit-user", "acme-ci", "--yes", "--zuul", zuul,
                   "--log-url", URL], hide_jjb=hide_jjb, env=env)
    assert r.returncode == 0, r.stderr
    r = _vendorci(["validate", "--strict", str(repo), "-o", "json"], hide_jjb=hide_jjb, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    data = json.loads(r.stdout)["data"]
    assert data["findings"] == [] and data["counts"] == {"error": 0, "warning": 0}
    if hide_jjb and zuul == "v2":
        assert len(data["notes"]) == 1 and "not importable" in data["notes"][0], data["notes"]
        assert "built-in reader" in data["notes"][0]
        human = _vendorci(["validate", "--strict", str(repo)], hide_jjb=True, env=env)
        assert human.returncode == 0
        assert [ln for ln in human.stdout.splitlines() if ln.startswith("note: ")] == [f"note: {data['notes'][0]}"]
    else:
        assert data["notes"] == []


# -- the fallback still finds real problems ----------------------------------------------------------------------
@pytest.fixture
def no_jjb(monkeypatch):
    from vendorci.core.validate import jjblib

    def unavailable(dirs):
        raise jjblib.JJBUnavailable("hidden by the test")

    monkeypatch.setattr(jjblib, "expand", unavailable)


@pytest.fixture
def scaffold(tmp_path, fast_rsa):
    from vendorci.core.scaffold import InitOptions, init_repo

    repo = tmp_path / "data"
    init_repo(repo, InitOptions(vendor="acme", gerrit_user="acme-ci", log_url=URL))
    return repo


def _codes(repo):
    from vendorci.core.validate import validate_report

    report = validate_report(repo)
    return sorted((f.severity, f.code) for f in report.findings), report


def test_fallback_clean_scaffold(no_jjb, scaffold):
    codes, report = _codes(scaffold)
    assert codes == [] and len(report.notes) == 1


def test_fallback_finds_a_misspelt_component_and_a_missing_macro(no_jjb, scaffold):
    jjb = scaffold / "etc/jenkins_jobs/config"
    d = jjb / "defaults.yaml"
    d.write_text(d.read_text().replace("- build-discarder:", "- build-discarderr:"))
    e = jjb / "examples.yaml"
    e.write_text(e.read_text().replace("- devstack-checkout\n", "- devstack-checkoutt\n", 1))
    codes, report = _codes(scaffold)
    assert codes == [("error", "jobs_unknown_component")] * 2, codes
    msgs = " | ".join(f.message for f in report.findings)
    assert "property 'build-discarderr'" in msgs and "builder 'devstack-checkoutt'" in msgs


def test_fallback_finds_an_undefined_job_and_bad_yaml(no_jjb, scaffold):
    lay = scaffold / "etc/zuul/layout.yaml"
    lay.write_text(lay.read_text().replace("noop-check-communication", "noop-check-comunication"))
    codes, _ = _codes(scaffold)
    assert ("error", "jobs_undefined") in codes, codes
    p = scaffold / "etc/jenkins_jobs/config/projects.yaml"
    p.write_text(p.read_text() + "\n- project: [unclosed\n")
    codes, _ = _codes(scaffold)
    assert ("error", "yaml_syntax") in codes, codes


def test_fallback_template_parameter_missing(no_jjb, scaffold):
    p = scaffold / "etc/jenkins_jobs/config/projects.yaml"
    p.write_text(p.read_text().replace("vendor: acme", "vendorx: acme"))
    codes, _ = _codes(scaffold)
    assert ("error", "jjb_missing_param") in codes, codes


# -- the built-in list in step with JJB's registry ------------------------------------------------------------
def _registry():
    pytest.importorskip("jenkins_jobs", reason="prerequisite: jenkins-job-builder (a runtime dependency)")
    from vendorci.clients.jjb_registry import component_registry

    return component_registry()


def test_builtin_list_is_a_subset_of_jjbs_registry():
    from vendorci.core.jjb_components import COMPONENTS

    registry = _registry()
    assert set(COMPONENTS) <= set(registry), set(COMPONENTS) - set(registry)
    extra = {kind: sorted(names - registry[kind]) for kind, names in COMPONENTS.items() if names - registry[kind]}
    assert extra == {}, f"names JJB does not know (regenerate with tools/jjb_components.py): {extra}"
    # the kinds validate checks are all there, and not trivially small
    for kind in ("builder", "publisher", "wrapper", "trigger", "scm", "property", "parameter"):
        assert len(COMPONENTS[kind]) > 5, kind


def test_every_component_the_scaffold_uses_is_known_to_both(tmp_path, fast_rsa):
    from vendorci.core.jjb import load_jjb
    from vendorci.core.jjb_components import COMPONENTS
    from vendorci.core.scaffold import InitOptions, init_repo

    registry = _registry()
    repo = tmp_path / "data"
    init_repo(repo, InitOptions(vendor="acme", gerrit_user="acme-ci"))
    cfg = load_jjb(repo / "etc/jenkins_jobs/config")
    used = set()
    for owner in [*cfg.jobs.values(), *cfg.macros.values()]:
        for kind, names in owner.components.items():
            used |= {(kind, n) for n in names if (kind, n) not in cfg.macros}
    assert ("property", "build-discarder") in used and ("publisher", "scp") in used, used
    assert {u for u in used if u[1] not in COMPONENTS.get(u[0], ())} == set()
    assert {u for u in used if u[1] not in registry.get(u[0], ())} == set()


# -- the fallback agrees with JJB on the real vendor repositories (tests/data/real-v2, see its README) ----------
REAL_V2_DIR = Path(__file__).resolve().parents[1] / "data" / "real-v2"
REAL_V2 = sorted(p.name for p in REAL_V2_DIR.iterdir() if p.is_dir())


#: JJB stops at its first load error and checks nothing else; the built-in reader goes on.  Mellanox: JJB refuses
#: the duplicate builder macro 'clean-build-machine' (both report it); with it removed, JJB next refuses a second
#: duplicate, 'build-kernel' (builder.yaml:50), and the builders test_nodes.yaml uses but nothing defines.
JJB_STOPS_EARLY = {"Mellanox__mlnx-project-config": {
    ("jobs_jjb", "jenkins/jobs/builder.yaml", 50),
    *(("jobs_unknown_component", "jenkins/jobs/test_nodes.yaml", n) for n in (2, 41, 119, 157, 196, 236))}}


@pytest.mark.parametrize("name", REAL_V2)
def test_fallback_errors_are_jjbs_on_real_repos(name, monkeypatch):
    from vendorci.core.validate import jjblib, validate_report

    repo = REAL_V2_DIR / name
    with_jjb = sorted((f.code, f.file, f.line) for f in validate_report(repo).findings if f.severity == "error")

    def unavailable(dirs):
        raise jjblib.JJBUnavailable("hidden by the test")

    monkeypatch.setattr(jjblib, "expand", unavailable)
    report = validate_report(repo)
    without = sorted((f.code, f.file, f.line) for f in report.findings if f.severity == "error")
    if name in JJB_STOPS_EARLY:
        assert set(with_jjb) < set(without), JJB_STOPS_EARLY[name]
        assert {f for f in without if f not in with_jjb} == JJB_STOPS_EARLY[name]
    else:
        assert without == with_jjb
    assert len(report.notes) == 1
