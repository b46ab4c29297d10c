"""The error boundary: exit codes, the JSON envelope, no tracebacks, secrets redacted."""

import json
import subprocess
import sys

import pytest

import vendorci
from vendorci.errors import WaitTimeout


def test_version(cli):
    r = cli("--version")
    assert r.exit_code == 0
    assert r.stdout.strip() == f"vendorci {vendorci.__version__}"


def test_usage_error_in_json_mode_is_an_envelope(cli):
    r = cli("--output", "json", "keys", "generate")
    assert r.exit_code == 2
    env = r.json
    assert env["vendorci_result_version"] == "1"
    assert env["status"] == "error" and env["exit_code"] == 2
    assert env["command"] == "keys generate"
    assert env["errors"][0]["code"] == "usage_error"
    assert "Missing argument" in env["errors"][0]["message"]


def test_usage_error_human(cli):
    r = cli("nosuchcommand")
    assert r.exit_code == 2
    assert "No such command" in r.stderr and r.stdout == ""


def test_env_selects_json(cli):
    r = cli("keys", "show", "missing-key", env={"VENDORCI_OUTPUT": "json"})
    assert r.exit_code == 2
    assert r.json["errors"][0]["code"] == "file_missing"


def test_config_error_before_any_result(cli, tmp_path):
    (tmp_path / "vendorci.yaml").write_text("gerrit:\n  port: nope\n")
    r = cli("-o", "json", "--config", str(tmp_path / "vendorci.yaml"), "config", "show")
    assert r.exit_code == 2
    err = r.json["errors"][0]
    assert err["code"] == "config_bad_value"
    assert f"{tmp_path / 'vendorci.yaml'}:2" in err["message"]


def test_internal_error_goes_to_log_not_user(cli, monkeypatch, isolated_env):
    import vendorci.config

    monkeypatch.setenv("VENDORCI_JENKINS_TOKEN", "tok-SECRET-987")

    def boom(*a, **k):
        from vendorci.logutil import register_secret

        register_secret("tok-SECRET-987")
        raise RuntimeError("kaboom with tok-SECRET-987 inside")

    monkeypatch.setattr(vendorci.config, "load_config", boom)
    r = cli("config", "show")
    assert r.exit_code == 3
    assert "Traceback" not in r.stderr + r.stdout
    assert "internal error: RuntimeError" in r.stderr
    assert "tok-SECRET-987" not in r.stderr + r.stdout
    logs = list(isolated_env.rglob("vendorci.log"))
    assert len(logs) == 1
    text = logs[0].read_text()
    assert "Traceback" in text and "kaboom" in text and "tok-SECRET-987" not in text
    assert logs[0].stat().st_mode & 0o777 == 0o600

    r = cli("--debug", "-o", "json", "config", "show")
    assert r.exit_code == 3
    assert "Traceback" in r.stderr  # only with --debug
    assert r.json["errors"][0]["code"] == "internal_error"


@pytest.mark.parametrize("exc, code", [(KeyboardInterrupt(), 130), (WaitTimeout("waited too long"), 124)])
def test_interrupt_and_timeout_codes(cli, monkeypatch, exc, code):
    import vendorci.config

    def raiser(*a, **k):
        raise exc

    monkeypatch.setattr(vendorci.config, "load_config", raiser)
    r = cli("-o", "json", "config", "show")
    assert r.exit_code == code
    assert r.json["exit_code"] == code and r.json["status"] == "error"


def test_config_show_masks_secrets(cli, monkeypatch):
    monkeypatch.setenv("VENDORCI_JENKINS_TOKEN", "tok-abcdef")
    r = cli("-o", "json", "config", "show")
    assert r.exit_code == 0
    rows = {row["key"]: row for row in r.json["data"]["settings"]}
    assert rows["jenkins.token"]["value"] == "********"
    assert "tok-abcdef" not in r.stdout + r.stderr


def test_console_script_and_module_entry_points(tmp_path):
    out = subprocess.run([sys.executable, "-m", "vendorci", "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("vendorci ")
    out = subprocess.run([sys.executable, "-m", "vendorci", "-o", "json", "keys", "show", str(tmp_path / "nope")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert json.loads(out.stdout)["errors"][0]["code"] == "file_missing"
    assert "Traceback" not in out.stderr


HEAVY = ("paramiko", "jenkins", "gear", "yaml", "requests", "cryptography")


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_and_version_import_budget(argv):
    """Structural guard for start-up speed: no heavy library is imported for --help/--version."""
    code = (
        "import sys\n"
        "from vendorci.cli import main\n"
        f"rc = main({argv!r})\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "HEAVY=\n" in out.stdout, out.stdout[-500:]
