"""Key files vendorci did not write are untrusted: damaged, truncated, oversized or foreign files give a clear
error (exit 2) from `keys show` and `keys convert`, never a traceback, and `convert` writes nothing then.
A crash in the middle of `keys convert` leaves the key as it was."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import pytest

from tests.fixtures.sshd import keygen

from .test_atomic_writes import failing_replace  # noqa: F401
from .test_bad_inputs import _leftovers


def armored(blob: bytes) -> str:
    return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + base64.b64encode(blob).decode() + \
        "\n-----END OPENSSH PRIVATE KEY-----\n"


def s(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


GOOD_HEAD = b"openssh-key-v1\x00" + s(b"none") + s(b"none") + s(b"")
CASES = {
    "bad-base64": "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!not base64!!!\n-----END OPENSSH PRIVATE KEY-----\n",
    "wrong-magic": armored(b"openssh-key-v2\x00" + s(b"none")),
    "truncated": armored(GOOD_HEAD + struct.pack(">I", 1) + struct.pack(">I", 4000) + b"xx"),
    "two-keys": armored(GOOD_HEAD + struct.pack(">I", 2) + s(b"a") + s(b"b") + s(b"c")),
    "length-overflow": armored(b"openssh-key-v1\x00" + struct.pack(">I", 0xFFFFFFFF)),
    "pem-garbage": "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    "pkcs8-garbage": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
    "putty": "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n",
    "binary": "\x00\x01\x02\xff" * 10,
    "huge": "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 70_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_damaged_keys_are_clear_errors(cli, tmp_path, name):
    key = tmp_path / "k"
    key.write_text(CASES[name], errors="surrogateescape")
    key.chmod(0o600)
    before = key.read_bytes()
    for args in (["keys", "show", str(key)], ["keys", "convert", str(key), "--format", "pem"],
                 ["keys", "convert", str(key), "--format", "openssh"]):
        res = cli("-o", "json", *args)
        assert res.exit_code == 2, (args, res.stdout)
        assert res.json["errors"][0]["code"] in ("key_invalid", "key_not_private"), res.json["errors"]
        assert "Traceback" not in res.stdout + res.stderr
    assert key.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k"]


def test_validate_survives_a_damaged_key(cli, tmp_path):
    repo = tmp_path / "r"
    assert cli("init", str(repo), "--vendor", "acme", "-y", "--key-type", "ed25519").exit_code == 0
    (repo / "gerrit_key").write_text(CASES["truncated"])
    res = cli("-o", "json", "validate", str(repo))
    assert res.exit_code == 1
    codes = {(f["code"], Path(f["file"]).name) for f in res.json["data"]["findings"]}
    assert ("keys_invalid", "gerrit_key") in codes


@pytest.mark.parametrize("fail_at", [1, 2], ids=["backup-write", "key-write"])
def test_convert_crash_keeps_the_key(cli, tmp_path, isolated_env, failing_replace, fail_at):  # noqa: F811
    key = tmp_path / "k"
    keygen(key, "rsa", "c")
    before = key.read_bytes()
    state = failing_replace(fail_at)
    res = cli("-o", "json", "keys", "convert", str(key), "--format", "pem")
    assert state["calls"] >= fail_at
    assert res.exit_code == 1 and res.json["errors"][0]["code"] == "write_failed"
    assert key.read_bytes() == before and (key.stat().st_mode & 0o777) == 0o600
    backups = list(tmp_path.glob("k.bak-*"))
    # a backup, when one was written before the failure, holds the untouched key
    assert all(b.read_bytes() == before for b in backups) and len(backups) == fail_at - 1
    assert _leftovers(tmp_path, isolated_env) == []
