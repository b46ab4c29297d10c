"""Global options (--output/-o, --config, --debug) are accepted before or after the subcommand."""

import pytest

from vendorci.cli.app import _hoist_global_options


@pytest.mark.parametrize("args", [
    ["-o", "json", "config", "show"],
    ["config", "show", "--output", "json"],
    ["config", "show", "-o", "json"],
    ["config", "show", "--output=json"],
    ["config", "-ojson", "show"],
])
def test_output_json_anywhere(cli, isolated_env, args):
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    assert r.json["command"] == "config show"


def test_config_and_debug_after_the_subcommand(cli, isolated_env, tmp_path):
    cfg = tmp_path / "vc.yaml"
    cfg.write_text("gerrit:\n  port: nope\n")
    r = cli("config", "show", "--config", str(cfg), "--debug", "-o", "json")
    assert r.exit_code == 2
    assert r.json["errors"][0]["code"] == "config_bad_value"
    assert str(cfg) in r.json["errors"][0]["message"]


def test_usage_error_after_subcommand_is_still_an_envelope(cli, isolated_env):
    r = cli("gearman", "status", "--no-such-option", "--output", "json")
    assert r.exit_code == 2
    assert r.json["errors"][0]["code"] == "usage_error"


def test_hoisting_keeps_order_and_stops_at_double_dash():
    assert _hoist_global_options(["--debug", "doctor", "gearman", "-o", "json", "--timeout", "2"]) == [
        "--debug", "-o", "json", "doctor", "gearman", "--timeout", "2"]
    assert _hoist_global_options(["--config", "a.yaml", "node", "list"]) == ["--config", "a.yaml", "node", "list"]
    # after `--` everything is an argument, even what looks like a global option
    assert _hoist_global_options(["x", "--", "--debug"]) == ["x", "--", "--debug"]


def test_a_subcommand_option_value_that_looks_global_stays_its_value():
    import typer

    from vendorci.cli.app import _value_options
    from vendorci.cli.root import app as typer_app

    group = typer.main.get_command(typer_app)
    argv = ["node", "register", "n1", "--host", "-oProxyCommand=touch x", "--debug"]
    opts = _value_options(group, argv)
    assert "--host" in opts
    assert _hoist_global_options(argv, opts) == ["--debug", "node", "register", "n1", "--host",
                                                 "-oProxyCommand=touch x"]
