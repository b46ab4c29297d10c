"""`vendorci keys generate|show`: modes, refusal to overwrite, weak keys, world-readable detection, JSON."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest


def gen(cli, tmp_path, *extra, name="k"):
    return cli("-o", "json", "keys", "generate", name, "--dir", str(tmp_path), *extra)


def test_generate_ed25519_modes_and_matching_pub(cli, tmp_path):
    res = gen(cli, tmp_path, "--type", "ed25519", "--comment", "acme ci")
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert (d["type"], d["bits"], d["mode"]) == ("ed25519", 256, "600")
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600
    pub = (tmp_path / "k.pub").read_text().strip()
    assert pub == d["public_key"] and pub.endswith(" acme ci")
    # OpenSSH agrees that the public key belongs to the private key, and on the fingerprint
    derived = subprocess.run(["ssh-keygen", "-y", "-f", str(tmp_path / "k")], capture_output=True, text=True)
    if derived.returncode == 0:
        assert derived.stdout.split()[:2] == pub.split()[:2]
        fp = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "k.pub")], capture_output=True, text=True).stdout
        assert d["fingerprint"] in fp


def test_generate_rsa_default_4096(cli, tmp_path):
    res = gen(cli, tmp_path)
    assert res.exit_code == 0
    assert (res.json["data"]["type"], res.json["data"]["bits"]) == ("rsa", 4096)


def test_refuses_to_overwrite_without_force(cli, tmp_path):
    assert gen(cli, tmp_path, "--type", "ed25519").exit_code == 0
    before = (tmp_path / "k").read_bytes()
    res = gen(cli, tmp_path, "--type", "ed25519")
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == "key_exists" and "--force" in res.json["errors"][0]["hint"]
    assert (tmp_path / "k").read_bytes() == before
    res = gen(cli, tmp_path, "--type", "ed25519", "--force")
    assert res.exit_code == 0 and (tmp_path / "k").read_bytes() != before


@pytest.mark.parametrize("args, code", [
    (["--bits", "1024"], "key_too_weak"),
    (["--bits", "2047"], "key_too_weak"),
    (["--type", "dsa"], "bad_key_type"),
])
def test_bad_requests_exit_2_and_write_nothing(cli, tmp_path, args, code):
    res = gen(cli, tmp_path, *args)
    assert res.exit_code == 2
    assert res.json["status"] == "error" and res.json["errors"][0]["code"] == code
    assert list(tmp_path.iterdir()) == []


def test_missing_dir_exit_2(cli, tmp_path):
    res = cli("keys", "generate", "k", "--dir", str(tmp_path / "nope"))
    assert res.exit_code == 2 and res.stderr.startswith("error: ")


def test_show_private_and_public(cli, tmp_path):
    d = gen(cli, tmp_path, "--type", "ed25519").json["data"]
    priv = cli("-o", "json", "keys", "show", str(tmp_path / "k"))
    assert priv.exit_code == 0
    assert priv.json["data"]["fingerprint"] == d["fingerprint"] and priv.json["data"]["private"] is True
    pub = cli("keys", "show", str(tmp_path / "k.pub"))
    assert pub.exit_code == 0 and d["fingerprint"] in pub.stdout


def test_show_detects_world_readable_private_key(cli, tmp_path):
    gen(cli, tmp_path, "--type", "ed25519")
    os.chmod(tmp_path / "k", 0o644)
    res = cli("-o", "json", "keys", "show", str(tmp_path / "k"))
    assert res.exit_code == 1
    assert res.json["data"]["mode_ok"] is False and res.json["errors"][0]["code"] == "key_mode_unsafe"
    assert "chmod 600" in res.json["errors"][0]["hint"]
    human = cli("keys", "show", str(tmp_path / "k"))
    assert human.exit_code == 1 and "chmod 600" in human.stdout


@pytest.mark.parametrize("content, code", [
    (None, "file_missing"),
    ("not a key\n", "key_invalid"),
])
def test_show_bad_files(cli, tmp_path, content, code):
    p = tmp_path / "f"
    if content is not None:
        p.write_text(content)
    res = cli("-o", "json", "keys", "show", str(p))
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == code
