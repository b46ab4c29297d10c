"""Hostile input: one table of bad inputs across every command.

Each case runs twice, in human and in JSON mode (in-process through CliRunner, or
through ``python -m vendorci`` for the cases marked ``proc``), with test secrets in the
environment (Jenkins token, Gerrit HTTP password), in jenkins_jobs.ini, in URLs and in
config files.  Every run must give the right exit code, a clear ``error:`` line (or a
check's ✗ line) and no traceback; in JSON mode stdout is exactly one envelope with the
same exit code; nothing is left half-written; marker files that a hostile input would
create if it were executed never appear; and no secret reaches stdout, stderr or the
log file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.net import closed_port
from tests.samples import SANDBOX_LAYOUT as LAYOUT

pytest_plugins = ["tests.fixtures.gearman"]

SECRETS = {
    "token": "tok-HOSTILE-4f1c9e2a",  # VENDORCI_JENKINS_TOKEN
    "gerrit_pw": "gpw-HOSTILE-8b3d7a10",  # VENDORCI_GERRIT_HTTP_PASSWORD
    "ini_pw": "ini-HOSTILE-2e6f0c55",  # jenkins_jobs.ini password
    "url_pw": "urlpw-HOSTILE-9a7c13d4",  # embedded in URLs given as input
    "inline": "inline-HOSTILE-5d2b8e71",  # written inline in a config file
    "file_tok": "filetok-HOSTILE-0c4a6f93",  # in a jenkins.token_file others can read
}

PUTTY_KEY = """\
PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: ed25519-key-20240101
Public-Lines: 2
AAAAC3NzaC1lZDI1NTE5AAAAIDk4Z1cP8K9c0Z0fL4K6yqKzH2N0pT1Q5fQ3x3vAAAA
AAAA
Private-Lines: 1
AAAAIKf1vTQ0pA7Hl0bX2H5fAAAAAAAAAAAAAAAAAAAAAAAAAAAA
Private-MAC: 7a2b0f1d6c5e4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2
"""
PYTHON_TAG = '!!python/object/apply:os.system ["touch {marker}"]'


@dataclass
class Ctx:
    """What a case's setup may use: its temp dir, pytest's request (fixtures) and the
    placeholder values substituted into argv (``{name}``)."""

    tmp: Path
    home: Path
    request: Any
    vals: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def put(self, rel: str, text: str | bytes, mode: int = 0o644) -> Path:
        p = self.tmp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode() if isinstance(text, str) else text)
        p.chmod(mode)
        return p

    def sub(self, s: str) -> str:
        for k, v in self.vals.items():
            s = s.replace("{" + k + "}", v)
        return s


@dataclass
class Case:
    id: str
    argv: list[str]
    exit: int
    expect: str  # fragment of the message (human output, and a string of the JSON envelope)
    code: str | None = None  # a "code" in the envelope (errors, findings) or "CHECK_ID:status"
    setup: Callable[[Ctx], None] | None = None
    absent: tuple[str, ...] = ()  # paths that must not exist afterwards (markers, half-created targets)
    env: dict[str, str] = field(default_factory=dict)
    check: Callable[[Ctx], None] | None = None
    json: bool = True  # also run with -o json
    proc: bool = False  # run through `python -m vendorci` instead of CliRunner
    bug: str | None = None  # a known bug in a colleague's file: xfail(strict=True)


# -- setups ---------------------------------------------------------------------
def good_key(ctx: Ctx) -> Path:
    from vendorci.core.keys import generate_key

    p = ctx.tmp / "good_key"
    if not p.exists():
        generate_key(p, "ed25519", None, "hostile-test")
    ctx.vals["good"] = str(p)
    return p


def key_file(kind: str) -> Callable[[Ctx], None]:
    def setup(ctx: Ctx) -> None:
        good = good_key(ctx)
        if kind == "text":
            p = ctx.put("bad.key", "this is not a key\n", 0o600)
        elif kind == "truncated":
            raw = good.read_bytes()
            p = ctx.put("bad.key", raw[: len(raw) // 2], 0o600)
        elif kind == "putty":
            p = ctx.put("bad.key", PUTTY_KEY, 0o600)
        elif kind == "open":
            p = ctx.put("bad.key", good.read_bytes(), 0o644)
        elif kind == "binary":
            p = ctx.put("bad.key", bytes(range(256)) * 4, 0o600)
        else:
            p = ctx.tmp / "bad.key"
            p.mkdir()
        ctx.vals["key"] = str(p)

    return setup


def data_repo(layout: str = LAYOUT, vars_sh: str | None = None, config: str | None = None) -> Callable[[Ctx], None]:
    def setup(ctx: Ctx) -> None:
        ctx.put("repo/etc/zuul/layout.yaml", ctx.sub(layout))
        ctx.put("repo/vars.sh", ctx.sub(vars_sh or "export UPSTREAM_GERRIT_USER=acme-ci\n"), 0o755)
        if config is not None:
            ctx.put("repo/vendorci.yaml", ctx.sub(config))

    return setup


def put(rel: str, text: str | bytes, mode: int = 0o644) -> Callable[[Ctx], None]:
    return lambda ctx: (ctx.put(rel, ctx.sub(text) if isinstance(text, str) else text, mode), None)[1]


def huge_yaml(ctx: Ctx) -> None:
    from vendorci.yamlutil import MAX_YAML_BYTES

    body = "".join(f"  - name: project-{i:07d}\n" for i in range(MAX_YAML_BYTES // 24 + 1000))
    ctx.put("repo/etc/zuul/layout.yaml", LAYOUT.split("projects:")[0] + "projects:\n" + body)
    assert (ctx.tmp / "repo/etc/zuul/layout.yaml").stat().st_size > MAX_YAML_BYTES
    ctx.put("repo/vars.sh", "export UPSTREAM_GERRIT_USER=acme-ci\n", 0o755)


DEEP = "pipelines: " + "[" * 100_000 + "]" * 100_000 + "\n"
#: "billion laughs": 9**9 references for whatever walks the aliases
ALIAS_BOMB = "- pipeline:\n    name: check\n    description: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"    d{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 9)) + "    manager: *a8\n"


def keys_dir(ctx: Ctx) -> None:
    (ctx.tmp / "keys").mkdir()


def keys_dir_empty(ctx: Ctx) -> None:
    left = sorted(p.name for p in (ctx.tmp / "keys").iterdir())
    assert left == [], f"files written for a rejected key name: {left}"


def symlinked_key(ctx: Ctx) -> None:
    keys_dir(ctx)
    ctx.put("elsewhere/target", "precious\n")
    (ctx.tmp / "keys" / "k").symlink_to(ctx.tmp / "elsewhere" / "target")


def target_intact(ctx: Ctx) -> None:
    assert (ctx.tmp / "elsewhere" / "target").read_text() == "precious\n"
    assert not (ctx.tmp / "keys" / "k.pub").exists()


def symlinked_dir(ctx: Ctx) -> None:
    (ctx.tmp / "elsewhere").mkdir()
    (ctx.tmp / "link").symlink_to(ctx.tmp / "elsewhere")


def elsewhere_empty(ctx: Ctx) -> None:
    assert list((ctx.tmp / "elsewhere").iterdir()) == []


def fake(mode: str) -> Callable[[Ctx], None]:
    """A misbehaving TCP server (tests/fixtures/gearman.py): garbage, silent, close_mid_reply."""

    def setup(ctx: Ctx) -> None:
        srv = ctx.request.getfixturevalue("fake_gearman")(mode)
        ctx.vals.update(addr=srv.address, port=str(srv.port))
        good_key(ctx)

    return setup


def both(*setups: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
    def setup(ctx: Ctx) -> None:
        for s in setups:
            s(ctx)

    return setup


JENKINS_DOWN = ["--jenkins-url", "http://127.0.0.1:{closed}/"]
NODE = ["node", "register", "--host", "127.0.0.1", "--port", "{closed}", "--no-preflight", *JENKINS_DOWN]
INIT = ["init", "{tmp}/d", "-y", "--key-type", "ed25519"]
KEYS = ["keys", "generate", "--dir", "{tmp}/keys", "--type", "ed25519"]

CASES: list[Case] = [
    # -- init: names, directories, URLs ---------------------------------------------------------------
    Case("init-vendor-space", [*INIT, "--vendor", "acme ci"], 2, "invalid vendor name", "bad_vendor",
         absent=("{tmp}/d",)),
    Case("init-vendor-quotes", [*INIT, "--vendor", "acme\"'ci"], 2, "invalid vendor name", "bad_vendor",
         absent=("{tmp}/d",)),
    Case("init-vendor-semicolon", [*INIT, "--vendor", "acme;rm -rf ~"], 2, "invalid vendor name", "bad_vendor",
         absent=("{tmp}/d",)),
    Case("init-vendor-cmdsubst", [*INIT, "--vendor", "$(touch {marker})"], 2, "invalid vendor name", "bad_vendor",
         absent=("{tmp}/d", "{marker}"), proc=True),
    Case("init-vendor-unicode", [*INIT, "--vendor", "acmé-ci"], 2, "invalid vendor name", "bad_vendor",
         absent=("{tmp}/d",)),
    Case("init-dir-is-a-file", ["init", "{tmp}/afile", "-y", "--vendor", "acme"], 2, "is not a directory",
         "not_a_directory", setup=put("afile", "x")),
    Case("init-dir-under-a-file", ["init", "{tmp}/afile/sub", "-y", "--vendor", "acme"], 2,
         "parent directory does not exist", "dir_missing", setup=put("afile", "x"), absent=("{tmp}/afile/sub",)),
    Case("init-dir-symlink-elsewhere", ["init", "{tmp}/link", "-y", "--vendor", "acme"], 2, "symbolic link",
         "path_is_symlink",
         setup=symlinked_dir, check=elsewhere_empty),
    Case("init-dir-dangling-symlink", ["init", "{tmp}/link", "-y", "--vendor", "acme"], 2, "symbolic link",
         "path_is_symlink", setup=lambda ctx: (ctx.tmp / "link").symlink_to(ctx.tmp / "nowhere"),
         absent=("{tmp}/nowhere",)),
    Case("init-jenkins-url-with-credentials", [*INIT, "--vendor", "acme", "--jenkins-url",
                                               "http://admin:{url_pw}@jenkins.example/"], 2,
         "credentials must not be embedded", "bad_jenkins_url", absent=("{tmp}/d",)),
    Case("init-gerrit-host-metachars", [*INIT, "--vendor", "acme", "--gerrit-host", "review;id"], 2,
         "invalid Gerrit host", "bad_gerrit_host", absent=("{tmp}/d",)),
    Case("init-unknown-option", [*INIT, "--vendor", "acme", "--frobnicate"], 2, "--frobnicate", "usage_error",
         absent=("{tmp}/d",)),
    # -- keys generate: names, targets --------------------------------------------------------------------
    Case("keys-name-space", [*KEYS, "my key"], 2, "not a valid key name", "bad_key_name", setup=keys_dir,
         check=keys_dir_empty),
    Case("keys-name-quotes", [*KEYS, "k'\"q"], 2, "not a valid key name", "bad_key_name", setup=keys_dir,
         check=keys_dir_empty),
    Case("keys-name-semicolon", [*KEYS, "k;touch x"], 2, "not a valid key name", "bad_key_name", setup=keys_dir,
         check=keys_dir_empty),
    Case("keys-name-cmdsubst", [*KEYS, "$(touch MARKER)"], 2, "not a valid key name", "bad_key_name",
         setup=keys_dir, check=keys_dir_empty, absent=("{home}/MARKER", "{tmp}/keys/MARKER")),
    Case("keys-name-unicode", [*KEYS, "clé"], 2, "not a valid key name", "bad_key_name", setup=keys_dir,
         check=keys_dir_empty),
    Case("keys-name-escapes-dir", [*KEYS, "../escaped"], 2, "not a valid key name", "bad_key_name",
         setup=keys_dir, check=keys_dir_empty, absent=("{tmp}/escaped",)),
    Case("keys-dir-is-a-file", ["keys", "generate", "k", "--dir", "{tmp}/afile", "--type", "ed25519"], 2,
         "directory does not exist", "dir_missing", setup=put("afile", "x")),
    Case("keys-dir-under-a-file", ["keys", "generate", "k", "--dir", "{tmp}/afile/sub", "--type", "ed25519"], 2,
         "directory does not exist", "dir_missing", setup=put("afile", "x")),
    Case("keys-target-symlink-elsewhere", [*KEYS, "k", "--force"], 2, "symbolic link", "path_is_symlink",
         setup=symlinked_key, check=target_intact),
    Case("keys-weak-rsa", [*KEYS[:-2], "k", "--bits", "1024"], 2, "too weak", "key_too_weak", setup=keys_dir,
         check=keys_dir_empty),
    # -- keys show: wrong formats and modes ----------------------------------------------------------------
    Case("keys-show-text-file", ["keys", "show", "{key}"], 2, "not an SSH key", "key_invalid",
         setup=key_file("text")),
    Case("keys-show-truncated", ["keys", "show", "{key}"], 2, "not a readable private key", "key_invalid",
         setup=key_file("truncated")),
    Case("keys-show-putty", ["keys", "show", "{key}"], 2, "not an SSH key", "key_invalid",
         setup=key_file("putty"), proc=True),
    Case("keys-show-binary", ["keys", "show", "{key}"], 2, "not an SSH key", "key_invalid",
         setup=key_file("binary")),
    Case("keys-show-mode-0644", ["keys", "show", "{key}"], 1, "chmod 600", "key_mode_unsafe",
         setup=key_file("open")),
    Case("keys-show-directory", ["keys", "show", "{key}"], 2, "is a directory", "not_a_file",
         setup=key_file("dir")),
    # -- validate: YAML that must not execute, malformed, huge, deep; vars.sh never run ----------------
    Case("validate-layout-python-tag", ["validate", "{tmp}/repo"], 1, "could not determine a constructor",
         "yaml_syntax", setup=data_repo(layout="pipelines: " + PYTHON_TAG + "\nprojects: []\n"),
         absent=("{marker}",), proc=True),
    Case("validate-vendorci-yaml-python-tag", ["validate", "{tmp}/repo"], 1, "could not determine a constructor",
         "config_syntax", setup=data_repo(config="vendor: " + PYTHON_TAG + "\n"), absent=("{marker}",)),
    Case("validate-malformed-yaml", ["validate", "{tmp}/repo"], 1, "invalid YAML", "yaml_syntax",
         setup=data_repo(layout="pipelines:\n  - name: check\n   bad: [\n")),
    Case("validate-huge-yaml", ["validate", "{tmp}/repo"], 1, "larger than the 5242880 bytes",
         "yaml_file_too_large", setup=huge_yaml),
    Case("validate-deeply-nested-yaml", ["validate", "{tmp}/repo"], 1, "nested too deeply", "yaml_too_deep",
         setup=data_repo(layout=DEEP)),
    Case("validate-zuulv3-python-tag", ["validate", "{tmp}/cfg"], 1, "could not determine a constructor",
         "yaml_syntax", setup=put("cfg/zuul.d/jobs.yaml", "- job:\n    name: x\n    vars:\n      a: " + PYTHON_TAG
                                  + "\n"), absent=("{marker}",), proc=True),
    Case("validate-zuulv3-alias-bomb", ["validate", "{tmp}/cfg"], 1, "aliases expand to more than",
         "validation_failed", setup=put("cfg/zuul.d/p.yaml", ALIAS_BOMB)),
    Case("validate-vars-command-substitution", ["validate", "{tmp}/repo"], 1, "never runs", "vars_command",
         setup=data_repo(vars_sh="export UPSTREAM_GERRIT_USER=$(touch {marker})\n"
                                 "export JENKINS_URL=`touch {marker}2`\nexport VENDOR=\"$(touch {marker}3)\"\n"),
         absent=("{marker}", "{marker}2", "{marker}3")),
    Case("validate-dir-is-a-file", ["validate", "{tmp}/afile"], 2, "not a directory", "not_a_directory",
         setup=put("afile", "x")),
    Case("validate-not-a-datarepo", ["validate", "{tmp}"], 2, "not a vendorci data repository", "not_a_datarepo"),
    # -- configuration ---------------------------------------------------------------------------------
    Case("config-unknown-key", ["--config", "{tmp}/c.yaml", "config", "show"], 2, "unknown setting 'bogus'",
         "config_unknown_key", setup=put("c.yaml", "vendor: acme\nbogus: 1\n")),
    Case("config-secret-inline", ["--config", "{tmp}/c.yaml", "config", "show"], 2,
         "must not be written in a config file", "config_secret_inline",
         setup=put("c.yaml", "jenkins:\n  url: http://127.0.0.1:8080/\n  token: {inline}\n")),
    Case("config-token-file-readable", ["--config", "{tmp}/c.yaml", "config", "show"], 2, "chmod 600",
         "secret_file_mode",
         setup=both(put("c.yaml", "jenkins:\n  token_file: tok\n"), put("tok", "{file_tok}\n", 0o644))),
    Case("config-url-with-credentials", ["--config", "{tmp}/c.yaml", "config", "show"], 2,
         "credentials must not be embedded", "config_bad_value",
         setup=put("c.yaml", "jenkins:\n  url: https://admin:{url_pw}@jenkins.example/\n")),
    Case("config-env-url-with-credentials", ["config", "show"], 2, "credentials must not be embedded",
         "config_bad_value", env={"VENDORCI_JENKINS_URL": "http://admin:{url_pw}@jenkins.example/"}),
    Case("config-cwd-python-tag", ["config", "show"], 2, "could not determine a constructor", "config_syntax",
         setup=lambda ctx: (ctx.home / "vendorci.yaml").write_text(ctx.sub("vendor: " + PYTHON_TAG + "\n")),
         absent=("{marker}",)),
    Case("config-malformed-jjb-ini", ["config", "show"], 2, "invalid INI", "jjb_ini_invalid",
         setup=put("bad.ini", "[jenkins\npassword={ini_pw}\n"), env={"VENDORCI_JJB_INI": "{tmp}/bad.ini"}),
    Case("config-missing-file", ["--config", "{tmp}/nope.yaml", "config", "show"], 2, "config file not found",
         "config_missing"),
    Case("output-xml", ["--output", "xml", "config", "show"], 2, "'xml' is not one of", json=False),
    # -- doctor and gearman: bad addresses, servers answering garbage, slow, closing mid-reply -----------
    Case("doctor-unknown-check", ["doctor", "nosuchcheck"], 2, "no check matches 'nosuchcheck'"),
    Case("doctor-gearman-not-a-port", ["doctor", "gearman", "--gearman", "host:notaport"], 2, "gearman.server",
         "config_bad_value"),
    Case("doctor-gearman-colon", ["doctor", "gearman", "--gearman", ":"], 2, "expected HOST:PORT",
         "config_bad_value"),
    Case("doctor-timeout-zero", ["doctor", "--timeout", "0"], 2, "--timeout", "usage_error"),
    Case("doctor-gearman-garbage", ["doctor", "gearman", "--gearman", "{addr}", "--timeout", "2"], 1,
         "not the Gearman admin protocol", "gearman.reachable:fail", setup=fake("garbage")),
    Case("doctor-gearman-slow", ["doctor", "gearman", "--gearman", "{addr}", "--timeout", "1"], 1,
         "no complete answer to 'status'", "gearman.reachable:fail", setup=fake("silent")),
    Case("doctor-gearman-closes-mid-reply", ["doctor", "gearman", "--gearman", "{addr}", "--timeout", "2"], 1,
         "closed the connection in the middle", "gearman.reachable:fail", setup=fake("close_mid_reply")),
    Case("gearman-status-garbage", ["gearman", "status", "--server", "{addr}", "--timeout", "2"], 1,
         "not the Gearman admin protocol", "gearman_protocol_error", setup=fake("garbage"), proc=True),
    Case("gearman-workers-slow", ["gearman", "workers", "--server", "{addr}", "--timeout", "1"], 1,
         "no complete answer to 'workers'", "gearman_timeout", setup=fake("silent")),
    Case("gearman-status-closes-mid-reply", ["gearman", "status", "--server", "{addr}", "--timeout", "2"], 1,
         "closed the connection in the middle", "gearman_closed", setup=fake("close_mid_reply")),
    Case("gearman-status-not-a-port", ["gearman", "status", "--server", "127.0.0.1:99999"], 2,
         "bad Gearman server", "bad_address"),
    # -- node: names, keys, ranges, URLs, hostile Jenkins -----------------------------------------------
    Case("node-name-space", [*NODE, "my node", "--key", "{good}"], 2, "invalid node name", "bad_node_name",
         setup=good_key),
    Case("node-name-cmdsubst", [*NODE, "n;$(touch {marker})", "--key", "{good}"], 2, "invalid node name",
         "bad_node_name", setup=good_key, absent=("{marker}",)),
    Case("node-name-quotes", [*NODE, "n\"'q", "--key", "{good}"], 2, "invalid node name", "bad_node_name",
         setup=good_key),
    Case("node-name-unicode", [*NODE, "nœud", "--key", "{good}"], 2, "invalid node name", "bad_node_name",
         setup=good_key),
    Case("node-host-shell-metachars", ["node", "register", "n1", "--host", "h;touch {marker}", "--key", "{good}"], 2,
         "invalid agent host", "bad_host", setup=good_key, absent=("{marker}",)),
    Case("node-host-ssh-option", ["node", "register", "n1", "--host", "-oProxyCommand=touch {marker}", "--key",
                                  "{good}"], 2, "invalid agent host", "bad_host", setup=good_key,
         absent=("{marker}",)),
    Case("node-key-text-file", [*NODE, "n1", "--key", "{key}"], 2, "not a usable SSH private key", "key_invalid",
         setup=key_file("text")),
    Case("node-key-truncated", [*NODE, "n1", "--key", "{key}"], 2, "not a usable SSH private key", "key_invalid",
         setup=key_file("truncated")),
    Case("node-key-putty", [*NODE, "n1", "--key", "{key}"], 2, "not a usable SSH private key", "key_invalid",
         setup=key_file("putty")),
    Case("node-key-mode-0644", [*NODE, "n1", "--key", "{key}"], 2, "readable by group or others",
         "key_mode_unsafe", setup=key_file("open")),
    Case("node-executors-zero", [*NODE, "n1", "--key", "{good}", "--executors", "0"], 2, "--executors",
         "usage_error", setup=good_key),
    Case("node-port-70000", [*NODE, "n1", "--key", "{good}", "--port", "70000"], 2, "--port", "usage_error",
         setup=good_key),
    Case("node-token-as-flag", ["node", "list", *JENKINS_DOWN, "--jenkins-token", "{token}"], 2,
         "--jenkins-token", "usage_error"),
    Case("node-jenkins-url-with-credentials", ["node", "list", "--jenkins-url", "http://admin:{url_pw}@h.example/"],
         2, "credentials must not be embedded", "config_bad_value"),
    Case("node-from-deeply-nested-yaml", ["node", "register", "--from", "{tmp}/nodes.yaml", "--key", "{good}",
                                          *JENKINS_DOWN], 2, "nested too deeply", "yaml_too_deep",
         setup=both(good_key, put("nodes.yaml", DEEP))),
    Case("node-from-malformed-yaml", ["node", "register", "--from", "{tmp}/nodes.yaml", "--key", "{good}",
                                      *JENKINS_DOWN], 2, "invalid YAML", "yaml_syntax",
         setup=both(good_key, put("nodes.yaml", "nodes:\n  - name: a\n   host: [\n"))),
    Case("node-preflight-ssh-silent", ["node", "register", "n1", "--host", "127.0.0.1", "--port", "{port}", "--key",
                                       "{good}", "--known-hosts", "{tmp}/kh", *JENKINS_DOWN], 1,
         "no SSH handshake within 1s", "preflight.ssh:fail", setup=fake("silent"),
         env={"VENDORCI_JENKINS_TIMEOUT": "1"}),
    Case("node-list-jenkins-garbage", ["node", "list", "--jenkins-url", "http://{addr}/"], 1, "400",
         "jenkins_error", setup=fake("garbage")),
    Case("node-list-jenkins-slow", ["node", "list", "--jenkins-url", "http://{addr}/"], 124,
         "did not answer node list", "jenkins_timeout", setup=fake("silent"), env={"VENDORCI_JENKINS_TIMEOUT": "1"}),
    Case("node-list-jenkins-closes-mid-reply", ["node", "list", "--jenkins-url", "http://{addr}/"], 1,
         "cannot connect to Jenkins", "jenkins_unreachable", setup=fake("close_mid_reply")),
    Case("node-list-debug-jenkins-garbage", ["--debug", "node", "list", "--jenkins-url", "http://{addr}/"], 1,
         "400", "jenkins_error", setup=fake("garbage")),
    Case("node-register-debug-putty-key", ["--debug", *NODE, "n1", "--key", "{key}"], 2,
         "not a usable SSH private key", "key_invalid", setup=key_file("putty"), proc=True),
    Case("node-remove-unconfirmed", ["node", "remove", "n1", *JENKINS_DOWN], 2, "without confirmation",
         "confirmation_required"),
    # -- votes and smoke-test ----------------------------------------------------------------------------
    Case("votes-bad-since", ["votes", "--since", "5x", "--ci-user", "ci"], 2, "not a duration: '5x'"),
    Case("votes-negative-since", ["votes", "--since", "-3d", "--ci-user", "ci"], 2, "not a duration: '-3d'"),
    Case("votes-gerrit-http-with-credentials", ["votes", "--ci-user", "ci", "--gerrit-http",
                                                "https://ci:{url_pw}@review.example/"], 2,
         "credentials must not be embedded", "config_bad_value"),
    Case("votes-ssh-closes-mid-banner", ["votes", "--gerrit", "ssh://127.0.0.1:{port}", "--ci-user", "ci",
                                         "--ci-key", "{good}", "--known-hosts", "{tmp}/kh"], 1,
         "not an SSH server", "ssh_protocol_error", setup=fake("close_mid_reply")),
    Case("smoke-negative-timeout", ["smoke-test", "sandbox", "--timeout", "-5"], 2, "--timeout", "usage_error"),
    Case("smoke-ssh-closes-mid-banner", ["smoke-test", "sandbox", "--gerrit", "ssh://op@127.0.0.1:{port}",
                                         "--ssh-key", "{good}", "--ci-user", "ci", "--ci-key", "{good}",
                                         "--known-hosts", "{tmp}/kh", "--workdir", "{tmp}/work", "--timeout", "2"],
         1, "not an SSH server", "ssh_protocol_error", setup=fake("close_mid_reply")),
    Case("unknown-command", ["frobnicate"], 2, "No such command", "usage_error"),
]


def _params():
    out = []
    for case in CASES:
        for mode in ("human", "json") if case.json else ("human",):
            marks = [pytest.mark.xfail(strict=True, reason=case.bug)] if case.bug else []
            out.append(pytest.param(case, mode, id=f"{case.id}-{mode}", marks=marks))
    return out


def _strings(doc: Any) -> list[str]:
    if isinstance(doc, dict):
        return [s for v in doc.values() for s in _strings(v)]
    if isinstance(doc, list):
        return [s for v in doc for s in _strings(v)]
    return [doc] if isinstance(doc, str) else []


def _codes(doc: Any) -> set[str]:
    """Every error/finding code in an envelope, and CHECK_ID:status of every check report."""
    out: set[str] = set()
    if isinstance(doc, dict):
        if isinstance(doc.get("code"), str):
            out.add(doc["code"])
        if isinstance(doc.get("id"), str) and isinstance(doc.get("status"), str):
            out.add(f"{doc['id']}:{doc['status']}")
        for v in doc.values():
            out |= _codes(v)
    elif isinstance(doc, list):
        for v in doc:
            out |= _codes(v)
    return out


def _leftovers(*roots: Path) -> list[str]:
    """Temporary files of write_atomic and half-built init trees."""
    found = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                if name.endswith(".tmp") or re.match(r"^\..+\.init-", name):
                    found.append(os.path.join(dirpath, name))
    return found


def test_the_table_is_big_and_covers_every_command():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    commands = {" ".join(a for a in c.argv if not a.startswith(("-", "{")))[:40].split(" ")[0] for c in CASES}
    assert {"init", "keys", "validate", "config", "doctor", "gearman", "node", "votes", "smoke-test"} <= commands
    assert sum(c.proc for c in CASES) >= 3


@pytest.mark.parametrize("case, mode", _params())
def test_bad_input(case: Case, mode: str, cli, tmp_path, isolated_env, request, monkeypatch):
    from vendorci import redaction
    from vendorci.paths import user_log_dir

    monkeypatch.setattr(redaction, "_secrets", set())  # each run registers its own secrets, as a fresh process would
    ctx = Ctx(tmp_path, isolated_env, request)
    ctx.vals.update(SECRETS, tmp=str(tmp_path), home=str(isolated_env), marker=str(tmp_path / "MARKER"),
                    closed=str(closed_port()))
    ini = ctx.put("jenkins_jobs.ini", ctx.sub("[jenkins]\nuser=admin\npassword={ini_pw}\n"
                                              "url=http://127.0.0.1:{closed}/\n"), 0o600)
    env = {"VENDORCI_JENKINS_TOKEN": SECRETS["token"], "VENDORCI_GERRIT_HTTP_PASSWORD": SECRETS["gerrit_pw"],
           "VENDORCI_JJB_INI": str(ini)}
    if case.setup:
        case.setup(ctx)
    env.update({k: ctx.sub(v) for k, v in case.env.items()})
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    argv = [ctx.sub(a) for a in case.argv]
    if mode == "json":
        argv = ["-o", "json", *argv]

    if case.proc:
        p = subprocess.run([sys.executable, "-m", "vendorci", *argv], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
        code, out, err = p.returncode, p.stdout, p.stderr
    else:
        r = cli(*argv)
        code, out, err = r.exit_code, r.stdout, r.stderr
    both_streams = out + err
    assert "Traceback" not in both_streams, both_streams
    assert code == case.exit, f"exit {code}, wanted {case.exit}\n{both_streams}"
    if mode == "human":
        clear = (any(re.match(r"(error|Error): \S", ln) for ln in err.splitlines())
                 or any(ln.startswith("✗ ") for ln in out.splitlines()))
        assert clear, f"no error: line nor ✗ line\n{both_streams}"
        assert case.expect in both_streams, both_streams
    else:
        doc = json.loads(out)  # exactly one document: trailing text would fail here
        assert isinstance(doc, dict) and doc["vendorci_result_version"] == "1"
        assert doc["exit_code"] == code and doc["status"] in ("error", "fail")
        assert doc["errors"] or doc["status"] == "fail"
        assert any(case.expect in s for s in _strings(doc)), out
        if case.code:
            assert case.code in _codes(doc), (case.code, sorted(_codes(doc)))

    log = user_log_dir() / "vendorci.log"
    log_text = log.read_text() if log.exists() else ""
    for name, secret in SECRETS.items():
        assert secret not in out, f"secret {name} on stdout"
        assert secret not in err, f"secret {name} on stderr"
        assert secret not in log_text, f"secret {name} in {log}"
    assert _leftovers(tmp_path, isolated_env) == []
    for path in case.absent:
        assert not os.path.lexists(ctx.sub(path)), f"{ctx.sub(path)} exists"
    if case.check:
        case.check(ctx)
