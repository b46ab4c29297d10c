"""Class 7: odd local input is a usage error (exit 2), never an internal error.

Each case runs the real command in human and JSON mode and expects exit 2, the given error
code, an ``error:`` line and no traceback.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def key(tmp_path):
    from vendorci.core.keys import generate_key

    generate_key(tmp_path / "agent_key", "ed25519")
    return str(tmp_path / "agent_key")


def expect_usage(cli, *args, code: str | None = None, env: dict | None = None):
    res = cli("-o", "json", *args, env=env)
    assert res.exit_code == 2, res.stdout + res.stderr
    if code:
        assert res.json["errors"][0]["code"] == code, res.json
    human = cli(*args, env=env)
    assert human.exit_code == 2 and "Traceback" not in human.stdout + human.stderr
    assert "rror" in human.stderr
    return res


def test_init_dot_in_an_empty_directory(cli, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    expect_usage(cli, "init", ".", "--vendor", "acme", "--yes", code="init_in_cwd")
    assert list(empty.iterdir()) == []
    res = cli("-o", "json", "init", ".", "--vendor", "acme", "--yes", "--force")  # in place, when asked for
    assert res.exit_code == 0, res.stdout
    assert (empty / "vars.sh").is_file() and (empty / ".git").is_dir()


@pytest.mark.parametrize("since", ["0.5", "0", "1e9d", "-3h", "99999999999999999999"])
def test_votes_odd_durations(cli, since):
    expect_usage(cli, "votes", "--ci-user", "ci", "--since", since, "--gerrit", "ssh://127.0.0.1:9")


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e300"])
@pytest.mark.parametrize("argv", [["gearman", "status", "--timeout"], ["doctor", "--timeout"],
                                  ["node", "register", "n", "--host", "h", "--min-disk-gb"]])
def test_non_finite_numbers_on_the_command_line(cli, argv, value):
    expect_usage(cli, *argv, value)


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "0", "-1"])
def test_non_finite_timeouts_from_env_and_file(cli, tmp_path, value):
    res = expect_usage(cli, "config", "show", env={"VENDORCI_JENKINS_TIMEOUT": value}, code="config_bad_value")
    assert "jenkins.timeout" in res.json["errors"][0]["message"]
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"jenkins:\n  timeout: {'.inf' if value == 'inf' else '.nan' if value == 'nan' else value}\n")
    expect_usage(cli, "--config", str(cfg), "config", "show")


@pytest.mark.parametrize("kind", ["dir", "latin1", "empty_ok"])
def test_token_file_that_is_a_directory_or_not_utf8(cli, tmp_path, kind):
    tok = tmp_path / "token"
    if kind == "dir":
        tok.mkdir(mode=0o700)
    elif kind == "latin1":
        tok.write_bytes("caf\xe9-token".encode("latin-1"))
    else:
        tok.write_text("tok\n")
    os.chmod(tok, 0o700 if kind == "dir" else 0o600)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("jenkins:\n  token_file: token\n")
    if kind == "empty_ok":
        assert cli("--config", str(cfg), "config", "show").exit_code == 0
        return
    expect_usage(cli, "--config", str(cfg), "config", "show", code="secret_file_invalid")


NODE_FILES = {
    "defaults_list": "defaults: [1, 2]\nnodes:\n  - {name: a, host: h}\n",
    "defaults_string": "defaults: fast\nnodes:\n  - {name: a, host: h}\n",
    "int_key": "- {name: a, host: h, 7: x}\n",
    "port_high": "- {name: a, host: h, port: 70000}\n",
    "port_zero": "- {name: a, host: h, port: 0}\n",
    "executors_zero": "- {name: a, host: h, executors: 0}\n",
    "labels_mapping": "- {name: a, host: h, labels: {a: b}}\n",
    "labels_nested": "- {name: a, host: h, labels: [[a]]}\n",
    "policy_none": "- {name: a, host: h, host_key_policy: none}\n",
    "policy_none_default": "defaults: {host_key_policy: none}\nnodes:\n  - {name: a, host: h}\n",
    "not_a_list": "nodes: 3\n",
    "null_name": "- {name: null, host: h}\n",
}


@pytest.mark.parametrize("case", sorted(NODE_FILES))
def test_bad_node_files(cli, tmp_path, key, case):
    f = tmp_path / "nodes.yaml"
    f.write_text(NODE_FILES[case])
    expect_usage(cli, "node", "register", "--from", str(f), "--key", key, "--jenkins-url", "http://127.0.0.1:9/")


@pytest.mark.parametrize("argv,code", [
    (["node", "register", "n", "--host", "h", "--port", "70000"], None),
    (["node", "register", "n", "--host", "h", "--executors", "0"], None),
    (["node", "register", "n", "--host", "h", "--host-key-policy", "none"], "bad_host_key_policy"),
    (["init", "x", "--vendor", "acme", "--gerrit-port", "0", "--yes"], "bad_port"),
])
def test_flags_refused_as_usage_errors(cli, tmp_path, key, argv, code):
    expect_usage(cli, *argv, "--key", key, code=code) if argv[0] == "node" else expect_usage(cli, *argv, code=code)


def test_config_port_out_of_range(cli, tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("gerrit:\n  port: 65536\n")
    expect_usage(cli, "--config", str(cfg), "config", "show", code="config_bad_value")
