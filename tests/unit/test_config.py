"""Configuration precedence, validation with file:line, secrets masked."""

import os

import pytest

from vendorci.config import MASK, load_config
from vendorci.errors import ConfigError


def write(path, text, mode=0o644):
    path.write_text(text)
    os.chmod(path, mode)
    return path


@pytest.fixture
def host_files(tmp_path):
    zuul = write(tmp_path / "zuul.conf", "[gearman]\nserver=10.9.9.9\nport=4731\n[gerrit]\nserver=review.example.org\n"
                 "user=acme-ci\nsshkey=/var/lib/zuul/ssh/id_rsa\n[zuul]\nlayout_config=/etc/zuul/layout.yaml\n")
    jjb = write(tmp_path / "jenkins_jobs.ini", "[jenkins]\nuser=jjb\npassword=host-token-123\nurl=http://jenkins.local:8080/\n")
    return {"VENDORCI_ZUUL_CONF": str(zuul), "VENDORCI_JJB_INI": str(jjb)}


def test_defaults_when_nothing_is_configured(tmp_path):
    cfg = load_config({}, env={"VENDORCI_ZUUL_CONF": str(tmp_path / "none"), "VENDORCI_JJB_INI": str(tmp_path / "n")},
                      cwd=tmp_path)
    assert cfg["gerrit.host"] == "review.opendev.org"
    assert cfg["gerrit.port"] == 29418
    assert cfg["gearman.server"] == "127.0.0.1:4730"
    assert cfg.source("gerrit.host") == "default"
    assert cfg.files == ()


def test_host_files_are_read(tmp_path, host_files):
    cfg = load_config({}, env=host_files, cwd=tmp_path)
    assert cfg["gearman.server"] == "10.9.9.9:4731"
    assert cfg.gearman_address == ("10.9.9.9", 4731)
    assert cfg["gerrit.user"] == "acme-ci"
    assert cfg["jenkins.url"] == "http://jenkins.local:8080/"
    assert cfg.secret("jenkins.token") == "host-token-123"
    assert cfg.source("gerrit.user").startswith("host:")


def test_precedence_flag_over_env_over_file_over_host(tmp_path, host_files):
    write(tmp_path / "vendorci.yaml", "gerrit:\n  user: file-user\n  host: file.example.org\n"
          "gearman:\n  server: 10.0.0.3:4730\n")
    env = dict(host_files, VENDORCI_GERRIT_HOST="env.example.org", VENDORCI_GEARMAN="127.0.0.2:4730")
    cfg = load_config({"gearman.server": "127.0.0.9:4730", "gerrit.port": None}, env=env, cwd=tmp_path)
    assert cfg["gerrit.user"] == "file-user" and cfg.source("gerrit.user").startswith("file:")
    assert cfg["gerrit.host"] == "env.example.org" and cfg.source("gerrit.host") == "env:VENDORCI_GERRIT_HOST"
    assert cfg["gearman.server"] == "127.0.0.9:4730" and cfg.source("gearman.server") == "flag"
    assert cfg["gerrit.port"] == 29418  # None override means "flag not given"


def test_explicit_config_wins_over_cwd_file_and_paths_resolve_relative(tmp_path):
    write(tmp_path / "vendorci.yaml", "vendor: cwd\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    explicit = write(repo / "other.yaml", "vendor: explicit\ngerrit:\n  ssh_key: gerrit_key\n")
    cfg = load_config({}, config_path=str(explicit), env={}, cwd=tmp_path)
    assert cfg["vendor"] == "explicit"
    assert cfg["gerrit.ssh_key"] == str(repo / "gerrit_key")


def test_vendorci_config_env_must_exist(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_config({}, env={"VENDORCI_CONFIG": str(tmp_path / "missing.yaml")}, cwd=tmp_path)
    assert "not found" in exc.value.message and exc.value.exit_code == 2


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("gerrit:\n  host: x\n  prot: 1\n", 3, "unknown setting 'gerrit.prot'"),
        ("gerrit:\n  port: 99999\n", 2, "port number"),
        ("jenkins:\n  url: ftp://x/\n", 2, "http"),
        ("jenkins:\n  url: http://admin:pw@jenkins:8080/\n", 2, "credentials must not be embedded"),
        ("jenkins:\n  token: abcd\n", 2, "must not be written in a config file"),
        ("vendor: a\ngerrit:\n\thost: x\n", 3, "invalid YAML"),
        ("- just\n- a list\n", 1, "must be a mapping"),
    ],
)
def test_bad_config_names_file_key_and_line(tmp_path, text, line, fragment):
    p = write(tmp_path / "vendorci.yaml", text)
    with pytest.raises(ConfigError) as exc:
        load_config({}, env={}, cwd=tmp_path)
    assert f"{p}:{line}" in exc.value.message
    assert fragment in exc.value.message


def test_secret_file_must_be_private(tmp_path):
    write(tmp_path / "token", "file-token-xyz\n", 0o644)
    write(tmp_path / "vendorci.yaml", "jenkins:\n  token_file: token\n")
    with pytest.raises(ConfigError) as exc:
        load_config({}, env={}, cwd=tmp_path)
    assert exc.value.code == "secret_file_mode" and "chmod 600" in exc.value.hint
    os.chmod(tmp_path / "token", 0o600)
    cfg = load_config({}, env={}, cwd=tmp_path)
    assert cfg.secret("jenkins.token") == "file-token-xyz"


def test_secrets_never_from_flags_and_masked_in_show(tmp_path):
    with pytest.raises(ConfigError):
        load_config({"jenkins.token": "x"}, env={}, cwd=tmp_path)
    cfg = load_config({}, env={"VENDORCI_JENKINS_TOKEN": "env-token-456"}, cwd=tmp_path)
    rows = {r["key"]: r for r in cfg.show()}
    assert rows["jenkins.token"]["value"] == MASK
    assert rows["jenkins.token"]["source"] == "env:VENDORCI_JENKINS_TOKEN"
    assert "env-token-456" not in repr(cfg)


def test_invalid_env_value_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_config({}, env={"VENDORCI_GEARMAN": "no-port"}, cwd=tmp_path)
    assert "VENDORCI_GEARMAN" in exc.value.message
