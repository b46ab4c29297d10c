"""Key formats against their real consumers: OpenSSH (ssh-keygen -y, a login to a real sshd), paramiko, and
JSch 0.1.55 (tests/java/JschLoad.java).  `keys generate --format`, `keys show`'s consumer matrix, `keys convert`,
init's defaults, validate's and node register's warnings."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.sshd import keygen
from vendorci.core.keys import fingerprint

pytestmark = pytest.mark.real_server

PEM_RSA = b"-----BEGIN RSA PRIVATE KEY-----"
OPENSSH = b"-----BEGIN OPENSSH PRIVATE KEY-----"


# -- real consumers ----------------------------------------------------------------------------------
def openssh_public(key: Path) -> str:
    """``ssh-keygen -y -f KEY``: OpenSSH derives the public key (and prints the comment an OpenSSH key holds)."""
    proc = subprocess.run(["ssh-keygen", "-y", "-f", str(key)], capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def paramiko_reads(key: Path) -> str | None:
    """The public blob paramiko's key classes read from KEY, or None when none of them can."""
    import paramiko

    for cls in (paramiko.RSAKey, paramiko.Ed25519Key, paramiko.ECDSAKey):
        try:
            return cls.from_private_key_file(str(key)).get_base64()
        except Exception:  # noqa: BLE001 - paramiko raises several kinds for keys it cannot read
            continue
    return None


def ssh_login(server, key: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    kh = server.write_known_hosts(tmp_path / "kh")
    return subprocess.run(
        ["ssh", "-F", "/dev/null", "-i", str(key), "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
         "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={kh}", "-o", "ConnectTimeout=10",
         "-p", str(server.port), f"{server.user}@127.0.0.1", "echo", "logged-in"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def blob(public_line: str) -> str:
    return public_line.split()[1]


def gen(cli, d: Path, name: str, *extra: str):
    return cli("-o", "json", "keys", "generate", name, "--dir", str(d), *extra)


def verdicts(cli, key: Path) -> dict[str, str]:
    res = cli("-o", "json", "keys", "show", str(key))
    assert res.exit_code == 0, res.stdout
    return {v["consumer"]: v["status"] for v in res.json["data"]["consumers"]}


# -- keys generate --format --------------------------------------------------------------------------
def test_generate_pem_is_read_by_every_consumer(cli, tmp_path, jsch, sshd_factory):
    res = gen(cli, tmp_path, "k", "--format", "pem", "--bits", "2048", "--comment", "acme ci")
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    key, pub = tmp_path / "k", (tmp_path / "k.pub").read_text().strip()
    assert key.read_bytes().startswith(PEM_RSA) and d["format"] == "pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert pub.endswith(" acme ci")  # PEM has no comment field: the .pub keeps it
    assert {v["status"] for v in d["consumers"]} == {"ok"}
    assert blob(openssh_public(key)) == blob(pub)
    assert paramiko_reads(key) == blob(pub)
    assert jsch.load(key)[str(key)] == (True, blob(pub))
    server = sshd_factory()
    server.authorize(pub)
    login = ssh_login(server, key, tmp_path)
    assert login.returncode == 0 and login.stdout.strip() == "logged-in", login.stderr + server.log()[-1500:]


def test_jsch_logs_in_with_a_pem_key_where_the_server_allows_ssh_rsa(cli, tmp_path, jsch, sshd_factory):
    """The note `keys show` gives for JSch: 0.1.55 signs with ssh-rsa (SHA-1), refused by OpenSSH >= 8.8 unless
    the server allows it.  JSch 0.1.55 knows no ed25519 host keys: these servers have ECDSA ones."""
    res = gen(cli, tmp_path, "k", "--format", "pem", "--bits", "2048")
    note = {v["consumer"]: v for v in res.json["data"]["consumers"]}["jsch"]["note"]
    assert "PubkeyAcceptedAlgorithms +ssh-rsa" in note
    key, pub = tmp_path / "k", res.json["data"]["public_key"]
    strict = sshd_factory(host_key_type="ecdsa")
    strict.authorize(pub)
    ok, said = jsch.login(strict, key, strict.write_known_hosts(tmp_path / "kh1"))
    assert not ok and "Auth fail" in said
    assert "signature algorithm ssh-rsa not in PubkeyAcceptedAlgorithms" in strict.log()
    allowing = sshd_factory("PubkeyAcceptedAlgorithms +ssh-rsa", host_key_type="ecdsa")
    allowing.authorize(pub)
    assert jsch.login(allowing, key, allowing.write_known_hosts(tmp_path / "kh2")) == (True, "logged-in")


def test_generate_openssh_rsa_is_not_read_by_jsch(cli, tmp_path, jsch):
    res = gen(cli, tmp_path, "k", "--bits", "2048", "--comment", "acme ci")
    assert res.exit_code == 0
    key = tmp_path / "k"
    assert key.read_bytes().startswith(OPENSSH)
    # OpenSSH finds the comment inside the private key, as in ssh-keygen's own keys
    (tmp_path / "k.pub").unlink()
    assert openssh_public(key).endswith(" acme ci")
    assert paramiko_reads(key)
    ok, message = jsch.load(key)[str(key)]
    assert not ok and "invalid privatekey" in message
    by = {v["consumer"]: v for v in res.json["data"]["consumers"]}
    assert by["jsch"]["status"] == "no" and by["jsch"]["fix"].startswith(f"vendorci keys convert {key} --format pem")
    assert by["zuul-gerrit"]["status"] == "no" and by["openssh"]["status"] == "ok"


def test_generate_ed25519_pem_is_refused(cli, tmp_path):
    res = gen(cli, tmp_path, "k", "--type", "ed25519", "--format", "pem")
    assert res.exit_code == 2
    err = res.json["errors"][0]
    assert err["code"] == "key_format_unsupported" and "ed25519" in err["message"] and "--type rsa" in err["hint"]
    assert list(tmp_path.iterdir()) == []
    res = gen(cli, tmp_path, "k", "--format", "ppk")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_key_format"


# -- the consumer matrix, proved against the consumers on keys ssh-keygen made -------------------------
@pytest.mark.parametrize("ktype, mode", [
    ("rsa", "RFC4716"),  # ssh-keygen's default: OpenSSH format
    ("rsa", "PEM"),
    ("rsa", "PKCS8"),
    ("ed25519", "RFC4716"),
    ("ecdsa", "PEM"),
])
def test_show_matrix_matches_the_real_consumers(cli, tmp_path, jsch, ktype, mode):
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", ktype, *(["-b", "2048"] if ktype == "rsa" else []), "-m", mode,
                    "-N", "", "-C", "made by ssh-keygen", "-f", str(key)], check=True, timeout=60,
                   stdin=subprocess.DEVNULL)
    got = verdicts(cli, key)
    pub = blob((tmp_path / "k.pub").read_text())
    real = {"openssh": blob(openssh_public(key)) == pub, "paramiko": paramiko_reads(key) == pub,
            "jsch": jsch.load(key)[str(key)] == (True, pub)}
    for consumer, reads in real.items():
        assert (got[consumer] == "ok") == reads, (consumer, got[consumer], reads)
    # Zuul's Gerrit connection takes RSA in PEM only; the ssh-agents launcher is certain only for PEM
    assert (got["zuul-gerrit"] == "ok") == (ktype == "rsa" and mode == "PEM")
    assert (got["jenkins-ssh-agents"] == "ok") == (mode == "PEM")


def test_show_for_a_consumer_fails_with_the_fix(cli, tmp_path):
    key = tmp_path / "k"
    keygen(key, "ed25519", "c")
    res = cli("-o", "json", "keys", "show", str(key), "--for", "jsch", "--for", "openssh")
    assert res.exit_code == 1
    assert [e["code"] for e in res.json["errors"]] == ["key_unreadable_by_consumer"]
    assert "ed25519" in res.json["errors"][0]["message"]
    assert "--type rsa --format pem" in res.json["errors"][0]["hint"]
    human = cli("keys", "show", str(key))
    assert human.exit_code == 0
    assert "✗ JSch 0.1.55" in human.stdout and "fix: vendorci keys generate k-rsa" in human.stdout
    assert "ed25519 256 bits, openssh format" in human.stdout
    assert cli("keys", "show", str(key), "--for", "putty").exit_code == 2
    assert cli("keys", "show", str(key) + ".pub", "--for", "jsch").exit_code == 2
    pub = cli("-o", "json", "keys", "show", str(key) + ".pub")
    assert pub.exit_code == 0 and pub.json["data"]["format"] == "public" and pub.json["data"]["consumers"] == []


# -- keys convert --------------------------------------------------------------------------------------
def test_convert_to_pem_keeps_key_mode_comment_and_backs_up(cli, tmp_path, jsch, sshd_factory):
    key = tmp_path / "k"
    public = keygen(key, "rsa", "acme ci@host")  # ssh-keygen's own OpenSSH-format RSA key
    os.chmod(key, 0o400)
    before = key.read_bytes()
    pub_before = (tmp_path / "k.pub").read_text()
    assert not jsch.reads(key)
    res = cli("-o", "json", "keys", "convert", str(key), "--format", "pem")
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert (d["from_format"], d["to_format"], d["changed"], d["comment"]) == ("openssh", "pem", True, "acme ci@host")
    assert key.read_bytes().startswith(PEM_RSA)
    assert stat.S_IMODE(key.stat().st_mode) == 0o400  # mode kept
    backup = Path(d["backup"])
    assert backup.parent == tmp_path and backup.name.startswith("k.bak-")
    assert backup.read_bytes() == before and stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert (tmp_path / "k.pub").read_text() == pub_before  # the comment stays in the .pub
    # the same key: OpenSSH's fingerprint is unchanged, and every consumer now reads it
    derived = openssh_public(key)
    assert fingerprint(derived) == fingerprint(public) == d["fingerprint"]
    lf = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "k.pub")], capture_output=True, text=True).stdout
    assert d["fingerprint"] in lf
    assert paramiko_reads(key) == blob(public)
    assert jsch.load(key)[str(key)] == (True, blob(public))
    assert {v["status"] for v in d["consumers"]} == {"ok"}
    server = sshd_factory()
    server.authorize(public)
    assert ssh_login(server, key, tmp_path).returncode == 0
    # idempotent: already PEM, nothing written, no second backup
    again = cli("-o", "json", "keys", "convert", str(key), "--format", "pem")
    assert again.exit_code == 0 and again.json["data"]["changed"] is False and again.json["data"]["backup"] is None
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("k.bak-")) == [backup.name]


def test_convert_pem_to_openssh_puts_the_comment_inside(cli, tmp_path, jsch):
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "from pub",
                    "-f", str(key)], check=True, timeout=60)
    fp = fingerprint((tmp_path / "k.pub").read_text())
    res = cli("-o", "json", "keys", "convert", str(key), "--format", "openssh")
    assert res.exit_code == 0 and res.json["data"]["fingerprint"] == fp
    assert key.read_bytes().startswith(OPENSSH)
    (tmp_path / "k.pub").unlink()
    assert openssh_public(key).endswith(" from pub")  # OpenSSH reads the comment from inside the key
    assert not jsch.reads(key)
    # back to PEM without a .pub: it is written, keeping the comment PEM cannot hold
    res = cli("-o", "json", "keys", "convert", str(key), "--format", "pem")
    assert res.exit_code == 0 and res.json["data"]["pub_written"] is True
    pub = (tmp_path / "k.pub").read_text().strip()
    assert pub.endswith(" from pub") and fingerprint(pub) == fp
    assert stat.S_IMODE((tmp_path / "k.pub").stat().st_mode) == 0o644
    assert jsch.reads(key)


@pytest.mark.parametrize("mode", ["RFC4716", "PEM"])
def test_convert_refuses_encrypted_keys(cli, tmp_path, mode):
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", mode, "-N", "s3cret-pass", "-f", str(key)],
                   check=True, timeout=60)
    before = key.read_bytes()
    res = cli("-o", "json", "keys", "convert", str(key), "--format", "pem" if mode != "PEM" else "openssh")
    assert res.exit_code == 2
    err = res.json["errors"][0]
    assert err["code"] == "key_encrypted" and f"ssh-keygen -p -m PEM -f {key}" in err["hint"]
    assert key.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k", "k.pub"]
    assert "s3cret-pass" not in res.stdout
    shown = cli("-o", "json", "keys", "show", str(key))
    assert shown.json["data"]["encrypted"] is True
    assert shown.json["data"]["format"] == ("openssh" if mode == "RFC4716" else "pem")


def test_convert_refusals(cli, tmp_path):
    ed = tmp_path / "ed"
    keygen(ed, "ed25519", "c")
    before = ed.read_bytes()
    res = cli("-o", "json", "keys", "convert", str(ed), "--format", "pem")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "key_format_unsupported"
    assert ed.read_bytes() == before and not list(tmp_path.glob("ed.bak-*"))
    res = cli("-o", "json", "keys", "convert", str(ed) + ".pub", "--format", "pem")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "key_not_private"
    link = tmp_path / "link"
    link.symlink_to(ed)
    res = cli("-o", "json", "keys", "convert", str(link), "--format", "openssh")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "path_is_symlink"
    res = cli("-o", "json", "keys", "convert", str(tmp_path / "nope"), "--format", "pem")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "file_missing"
    res = cli("-o", "json", "keys", "convert", str(ed), "--format", "pkcs1")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_key_format"


def test_convert_pkcs8_for_paramiko(cli, tmp_path):
    key = tmp_path / "k"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PKCS8", "-N", "", "-f", str(key)],
                   check=True, timeout=60)
    assert paramiko_reads(key) is None and verdicts(cli, key)["paramiko"] == "no"
    assert cli("keys", "convert", str(key), "--format", "pem").exit_code == 0
    assert paramiko_reads(key) == blob((tmp_path / "k.pub").read_text())


# -- init, validate, node register ---------------------------------------------------------------------
def test_init_writes_pem_keys_every_consumer_reads(cli, tmp_path, jsch, sshd_factory):
    res = cli("-o", "json", "init", str(tmp_path / "r"), "--vendor", "acme", "-y")
    assert res.exit_code == 0, res.stdout
    keys = [tmp_path / "r" / n for n in ("gerrit_key", "jenkins_key")]
    loaded = jsch.load(*keys)
    server = sshd_factory("PubkeyAcceptedAlgorithms +ssh-rsa", host_key_type="ecdsa")
    for k in keys:
        pub = blob((k.parent / f"{k.name}.pub").read_text())
        assert k.read_bytes().startswith(PEM_RSA)
        assert blob(openssh_public(k)) == pub and paramiko_reads(k) == pub and loaded[str(k)] == (True, pub)
        server.authorize((k.parent / f"{k.name}.pub").read_text().strip())
        assert ssh_login(server, k, tmp_path).returncode == 0
    # jenkins_key is also what JSch plugins (publish-over-ssh, the SCP publisher) log in to the log server with
    assert jsch.login(server, keys[1], server.write_known_hosts(tmp_path / "kh-jsch")) == (True, "logged-in")
    assert {k["format"] for k in res.json["data"]["keys"]} == {"pem"}
    assert "RSA (4096 bits) in the traditional PEM form" in (tmp_path / "r" / "README.md").read_text()
    val = cli("-o", "json", "validate", str(tmp_path / "r"))
    assert not [f for f in val.json["data"]["findings"] if f["code"] == "keys_format"]


def test_init_key_format_openssh_and_validate_warns(cli, tmp_path):
    repo = tmp_path / "r"
    res = cli("-o", "json", "init", str(repo), "--vendor", "acme", "-y", "--key-format", "openssh",
              "--log-url", "https://logs.acme.test/logs", "--publish-host", "logs.acme.test")  # no log findings
    assert res.exit_code == 0
    assert (repo / "gerrit_key").read_bytes().startswith(OPENSSH)
    assert "cannot: `vendorci keys convert gerrit_key --format pem`" in " ".join((repo / "README.md").read_text()
                                                                                 .split())
    val = cli("-o", "json", "validate", str(repo))
    found = [f for f in val.json["data"]["findings"] if f["code"] == "keys_format"]
    by_consumer = {f["message"].split(" is handed to ")[1].split(",")[0]: f for f in found}
    assert set(by_consumer) == {"Zuul's Gerrit connection (zuul.conf sshkey)",
                                "Jenkins ssh-agents plugin (agent launch", "JSch 0.1.55 plugins (publish-over-ssh"}
    assert all(f["severity"] == "warning" and f["file"].endswith("vars.sh") and f["line"] for f in found)
    zuul = by_consumer["Zuul's Gerrit connection (zuul.conf sshkey)"]
    assert zuul["message"].startswith("gerrit_key ") and "keys convert" in zuul["hint"]
    human = cli("validate", str(repo))
    assert "which cannot read it" in human.stdout and human.exit_code == 0
    # the fix it gives works
    for name in ("gerrit_key", "jenkins_key"):
        assert cli("keys", "convert", str(repo / name), "--format", "pem").exit_code == 0
    val = cli("-o", "json", "validate", str(repo))
    assert not [f for f in val.json["data"]["findings"] if f["code"] == "keys_format"]


def test_init_refuses_ed25519_pem(cli, tmp_path):
    res = cli("-o", "json", "init", str(tmp_path / "r"), "--vendor", "acme", "-y", "--key-type", "ed25519",
              "--key-format", "pem")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "key_format_unsupported"
    assert not (tmp_path / "r").exists()


def test_init_ed25519_says_so_and_validate_warns(cli, tmp_path):
    repo = tmp_path / "r"
    assert cli("init", str(repo), "--vendor", "acme", "-y", "--key-type", "ed25519").exit_code == 0
    assert "Both keys are ed25519 in OpenSSH's format" in (repo / "README.md").read_text()
    val = cli("-o", "json", "validate", str(repo))
    msgs = [f["message"] for f in val.json["data"]["findings"] if f["code"] == "keys_format"]
    assert any(m.startswith("jenkins_key ") and "JSch 0.1.55" in m and "ed25519" in m for m in msgs)
