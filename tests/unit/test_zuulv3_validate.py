"""validate for Zuul v3 config projects: real vendor CIs' config projects, the v3 scaffold, and breakage of it.

The real inputs (shared/reference/datarepos/real-v3/, Apache-2.0 / BSD-2-Clause, see each folder's SOURCE) are
read in place, or copied to tmp_path when a test edits them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.golden.refdata import reference_datarepos
from vendorci.core.scaffold import InitOptions, init_repo
from vendorci.core.validate import area_of, validate_repo


def real_v3(name: str) -> Path:
    root = reference_datarepos() / "real-v3" / name
    assert root.is_dir(), root
    return root


def found(findings, severity=None):
    return sorted((f.code, f.file, f.line) for f in findings if severity is None or f.severity == severity)


@pytest.fixture(scope="module")
def v3_template(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("v3") / "data"
    init_repo(d, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519", zuul="v3"))
    return d


@pytest.fixture
def v3(v3_template, tmp_path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(v3_template, d, symlinks=True)
    return d


# -- the README's verdicts on real vendor CIs -----------------------------------------------------------------------
def test_cisco_cinder_ci_is_accepted_with_what_is_really_missing():
    findings = validate_repo(real_v3("CiscoSystems__project-config-third-party-cinder-base"))
    assert found(findings, "error") == []  # !encrypted/pkcs1-oaep secrets, null reporters, github triggers: valid
    assert found(findings) == [
        # comment-only on 'gerrit' (Verified: 0) but no link to its wiki page
        ("policy_wiki_link", "zuul.d/pipelines.yaml", 2),
        # base comes from another project of the tenant, the job too: warnings, not errors
        ("zuulv3_job_unknown", "zuul.d/projects.yaml", 5),
        ("zuulv3_parent_unknown", "zuul.d/base-jobs.yaml", 4),
    ]
    parent = next(f for f in findings if f.code == "zuulv3_parent_unknown")
    assert "'base'" in parent.message and "zuul-jobs" in parent.hint


def test_sean_mooney_ci_start_comments_and_missing_wiki_link():
    findings = validate_repo(real_v3("SeanMooney__ci-sean-mooney"))
    assert found(findings, "error") == []  # 7-field timer, Code-Review: 0 reporters, secret by name: valid
    assert found(findings) == [
        ("policy_start_report", "zuul.d/pipelines.yaml", 22),
        ("policy_start_report", "zuul.d/pipelines.yaml", 59),
        ("policy_wiki_link", "zuul.d/pipelines.yaml", 2),
        ("policy_wiki_link", "zuul.d/pipelines.yaml", 32),
    ] + [("zuulv3_job_unknown", "zuul.d/projects.yaml", line) for line in (25, 31, 34, 40, 43)]
    # automatic-ci answers 'recheck'; manual-ci does not run on new patch sets, so it need not
    assert not [f for f in findings if f.code == "policy_recheck"]


def test_vexxhost_gates_its_own_gerrit_and_that_is_fine():
    assert validate_repo(real_v3("vexxhost__ci-config")) == []


def test_vexxhost_gate_pointed_at_the_upstream_is_three_errors(tmp_path):
    d = tmp_path / "vexxhost"
    shutil.copytree(real_v3("vexxhost__ci-config"), d)
    pipes = d / "zuul.d/pipelines.yaml"
    pipes.write_text(pipes.read_text().replace("gerrithub:", "opendev:"))
    errors = found(validate_repo(d), "error")
    assert ("policy_gate", "zuul.d/pipelines.yaml", 50) in errors
    assert ("policy_submit", "zuul.d/pipelines.yaml", 91) in errors
    assert ("policy_verified_2", "zuul.d/pipelines.yaml", 90) in errors
    assert ("policy_verified_2", "zuul.d/pipelines.yaml", 98) in errors
    assert {c for c, _, _ in errors} == {"policy_gate", "policy_submit", "policy_verified_2"}


def test_upstream_connection_comes_from_zuul_conf_when_there_is_one(v3):
    # the same pipeline on a connection named 'internal': upstream or not is decided by zuul.conf's server
    conf = v3 / "etc/zuul/zuul.conf"
    conf.write_text(conf.read_text().replace("[connection gerrit]", "[connection internal]"))
    main = v3 / "etc/zuul/main.yaml"
    main.write_text(main.read_text().replace("      gerrit:", "      internal:"))
    pipes = v3 / "zuul-config/zuul.d/pipelines.yaml"
    pipes.write_text(pipes.read_text().replace("gerrit:", "internal:").replace("{}", "{Verified: 2}"))
    assert {f.code for f in validate_repo(v3) if f.severity == "error"} == {"policy_verified_2"}
    conf.write_text(conf.read_text().replace("server=${UPSTREAM_GERRIT_HOST}", "server=review.example.com"))
    assert [f for f in validate_repo(v3) if f.severity == "error"] == []


# -- the scaffold ----------------------------------------------------------------------------------------------------
def test_v3_scaffold_is_clean(v3):
    assert validate_repo(v3) == []


def test_v3_scaffold_config_project_alone_is_clean(v3):
    assert validate_repo(v3 / "zuul-config") == []


def test_v3_vote_scaffold_is_clean_and_votes_one(tmp_path):
    d = tmp_path / "voting"
    init_repo(d, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519", zuul="v3", vote=True))
    text = (d / "zuul-config/zuul.d/pipelines.yaml").read_text()
    assert "gerrit: {Verified: 1}" in text and "gerrit: {Verified: -1}" in text
    assert validate_repo(d) == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


PIPES = "zuul-config/zuul.d/pipelines.yaml"
JOBS = "zuul-config/zuul.d/jobs.yaml"
PROJECTS = "zuul-config/zuul.d/projects.yaml"
RECHECK = r"'(?i)^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*(acme:\s*)?recheck\s*$'"


@pytest.mark.parametrize("rel, old, new, code, severity, line", [
    # an unquoted regex holding ': ' is not YAML
    (PIPES, 'failure-message: "Build failed', "failure-message: Build failed", "yaml_syntax", "error", 29),
    (PIPES, "    precedence: low\n", "    precedence: low\n    precedence: high\n", "yaml_duplicate_key", "error", 12),
    (JOBS, "    timeout: 3600", "    timout: 3600", "zuulv3_unknown_attribute", "error", 12),
    (JOBS, "    timeout: 3600", "    timeout: 1h", "zuulv3_type", "error", 12),
    (JOBS, "- job:", "- jobs:", "zuulv3_unknown_stanza", "error", 4),
    (JOBS, "pre-run: playbooks/base/pre.yaml", "pre-run: playbooks/base/prep.yaml", "zuulv3_playbook_missing",
     "error", 10),
    (PROJECTS, "        - noop", "        - nop", "zuulv3_job_unknown", "warning", 9),
    (PROJECTS, "    check:", "    chek:", "zuulv3_pipeline_unknown", "warning", 7),
    (PIPES, "manager: independent", "manager: independant", "zuulv3_value", "error", 10),
    (PIPES, "- event: change-restored", "- event: change-resurrected", "zuulv3_value", "error", 19),
    (PIPES, "recheck\\s*$'", "recheck(\\s*$'", "zuulv3_regex", "error", 22),
    (PIPES, "    success:\n      gerrit: {}", "    success:\n      gerrit: {Verified: 2}", "policy_verified_2", "error",
     25),
    (PIPES, "    failure:\n      gerrit: {}", "    failure:\n      gerrit: {submit: true}", "policy_submit", "error",
     27),
    (PIPES, "manager: independent", "manager: dependent", "policy_gate", "error", 10),
    (PIPES, "https://wiki.openstack.org/wiki/ThirdPartySystems/acme", "https://acme.example.com/ci",
     "policy_wiki_link", "warning", 5),
    (PIPES, RECHECK, "'(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*recheck no bug'", "policy_recheck",
     "warning", 16),
    (PIPES, "    success:\n", "    start:\n      gerrit: {}\n    success:\n", "policy_start_report", "warning", 24),
    ("etc/zuul/zuul.conf", "tls_ca=/etc/zuul/tls/ca.pem\n", "", "zuul_conf_zookeeper_tls", "error", 7),
    ("etc/zuul/zuul.conf", "dburi=postgresql://zuul@/zuul", "dburi=postgresql://zuul:hunter2@db/zuul",
     "config_secret_in_repo", "error", 19),
    ("etc/zuul/main.yaml", "      local:", "      locale:", "zuul_tenant_connection", "error", 8),
])
def test_v3_breakage_is_reported_with_file_and_line(v3, rel, old, new, code, severity, line):
    edit(v3 / rel, old, new)
    findings = validate_repo(v3)
    assert (code, rel, line) in found(findings, severity), found(findings)
    assert all(f.hint for f in findings)
    if code.startswith(("zuulv3", "policy")):
        assert area_of(code) == "layout"


def test_near_misses_say_did_you_mean(v3):
    edit(v3 / JOBS, "    timeout: 3600", "    timout: 3600")
    edit(v3 / PROJECTS, "        - noop", "        - nop")
    hints = {f.code: f.hint for f in validate_repo(v3)}
    assert hints["zuulv3_unknown_attribute"].startswith("Did you mean 'timeout'?")
    assert hints["zuulv3_job_unknown"].startswith("Did you mean 'noop'?")


def test_duplicates_parents_and_secrets(v3):
    (v3 / "zuul-config/zuul.d/zz-more.yaml").write_text(
        "- pipeline:\n    name: check\n    manager: independent\n    trigger: {timer: [{time: '0 4 * * *'}]}\n"
        "- job:\n    name: tempest\n    parent: bsae\n    secrets: [log_creds]\n"
        "- secret:\n    name: site_key\n    data:\n      key: !encrypted/pkcs1-oaep\n        - AAAA\n          BBBB\n"
        "- job:\n    name: upload\n    secrets: [{name: creds, secret: site_key}]\n    override-checkout: main\n")
    findings = validate_repo(v3)
    got = found(findings)
    more = "zuul-config/zuul.d/zz-more.yaml"
    assert ("zuulv3_duplicate", more, 1) in got
    dup = next(f for f in findings if f.code == "zuulv3_duplicate")
    assert f"first in {PIPES}:5" in dup.message
    assert ("zuulv3_parent_unknown", more, 7) in got
    assert next(f for f in findings if f.code == "zuulv3_parent_unknown").hint.startswith("Did you mean 'base'?")
    assert ("zuulv3_secret_unknown", more, 8) in got  # log_creds; site_key (encrypted) is defined and accepted
    assert {c for c, _, _ in got} == {"zuulv3_duplicate", "zuulv3_parent_unknown", "zuulv3_secret_unknown"}


def test_files_zuul_ignores_are_reported(v3):
    cfg = v3 / "zuul-config"
    (cfg / "zuul.d/extra.yml").write_text("- job: {name: x}\n")
    (cfg / ".zuul.yaml").write_text("- job: {name: y}\n")
    got = found(validate_repo(v3), "warning")
    assert ("zuulv3_ignored_file", "zuul-config/zuul.d/extra.yml", None) in got
    assert ("zuulv3_ignored_config", "zuul-config/.zuul.yaml", None) in got


def test_only_zuul_tags_are_accepted_never_python_ones(v3, tmp_path):
    marker = tmp_path / "ran"
    (v3 / "zuul-config/zuul.d/evil.yaml").write_text(
        f"- job:\n    name: x\n    vars:\n      a: !!python/object/apply:os.system ['touch {marker}']\n"
        "      b: !override [1]\n      c: !inherit [2]\n")
    got = found(validate_repo(v3), "error")
    assert got == [("yaml_syntax", "zuul-config/zuul.d/evil.yaml", 4)]
    assert not marker.exists()


def test_shell_variables_in_playbooks_are_not_vars_sh_references(v3):
    (v3 / "zuul-config/playbooks/run.yaml").write_text(
        "- hosts: all\n  tasks:\n    - shell: echo \"${HOME} ${ZUUL_CHANGE}\"\n")
    (v3 / "etc/zuul/zuul.conf").write_text((v3 / "etc/zuul/zuul.conf").read_text() + "\n[executor]\nstate=${NOPE}\n")
    got = found(validate_repo(v3))
    assert got == [("vars_undefined", "etc/zuul/zuul.conf", 52)]


def test_hostile_config_project_is_read_quickly_and_reported_bounded(tmp_path):
    import time

    d = tmp_path / "cfg"
    (d / "zuul.d").mkdir(parents=True)
    # "billion laughs": 9**9 references if anything walked the aliases
    laughs = ["- job:", "    name: laughs", "    vars:", "      a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    laughs += [f"      a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    laughs += ["- pipeline:", "    name: check", "    manager: *a8", "    trigger: {timer: [{time: *a8}]}",
               "    footer-message: *a8", "    success: {gerrit: {}}"]
    (d / "zuul.d/laughs.yaml").write_text("\n".join(laughs) + "\n")
    long_name = "x" * 100_000 + "\\e[2J"  # YAML's escape for ESC
    (d / "zuul.d/long.yaml").write_text(f'- project:\n    name: p\n    check:\n      jobs:\n        - "{long_name}"\n')
    t0 = time.monotonic()
    findings = validate_repo(d)
    assert time.monotonic() - t0 < 5
    messages = [f.message for f in findings]
    # issue 10: an alias bomb is refused as soon as it is read, in every YAML vendorci loads
    assert any("YAML aliases expand to more than" in m for m in messages), messages
    assert all(len(f.message) <= 400 and len(f.hint or "") <= 400 for f in findings)
    assert next(f for f in findings if f.code == "zuulv3_job_unknown").message.endswith("...")


def test_upstream_named_by_an_unset_variable_is_still_the_upstream(v3):
    edit(v3 / "vars.sh", "export UPSTREAM_GERRIT_HOST=review.opendev.org\n", "")
    edit(v3 / PIPES, "    success:\n      gerrit: {}", "    success:\n      gerrit: {Verified: 2}")
    codes = {f.code for f in validate_repo(v3) if f.severity == "error"}
    assert codes == {"policy_verified_2", "vars_undefined"}


def test_gerrit_key_of_a_v3_repo_is_judged_for_zuul_v3(v3, tmp_path):
    """ed25519 in OpenSSH form is what Zuul v3+ (paramiko >= 2.7) reads; Zuul 2's Gerrit connection could not."""
    assert (v3 / "gerrit_key").read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert not [f for f in validate_repo(v3) if f.code == "keys_format"]
    v2 = tmp_path / "v2"
    init_repo(v2, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519"))
    assert [f.message.split(" is handed")[0] for f in validate_repo(v2) if f.code == "keys_format"][:1] == \
        ["gerrit_key"]
