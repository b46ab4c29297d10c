"""apply's text rendering and containment, without any server."""

from __future__ import annotations

import os

import pytest

from vendorci.core.apply.paths import inside_repo, under_root
from vendorci.core.apply.render import (
    mask_secrets,
    merge_jjb_ini,
    merge_known_hosts,
    parse_host_key,
    render_text,
)
from vendorci.core.datarepo import parse_vars
from vendorci.errors import InputError


@pytest.fixture
def variables(tmp_path):
    p = tmp_path / "vars.sh"
    p.write_text("export HOST=review.example.org\nexport CMD=$(id)\nexport MULTI='a\nb'\n")
    return parse_vars(p)


def test_render_resolves_and_keeps_jjb_escapes_and_comments(variables):
    unresolved = []
    text = ("# ${NAME} values come from vars.sh\nserver=${HOST}\n"
            "echo \"${{LOG_URL_ROOT}}/$LOG_PATH\" $HOME\n#!/bin/sh ${HOST}\n")
    out = render_text(text, variables, "f", unresolved)
    assert out == ("# ${NAME} values come from vars.sh\nserver=review.example.org\n"
                   "echo \"${{LOG_URL_ROOT}}/$LOG_PATH\" $HOME\n#!/bin/sh review.example.org\n")
    assert unresolved == []


def test_render_lists_unresolved_command_and_multiline_values(variables):
    unresolved = []
    out = render_text("a=${MISSING}\nb=${CMD}\nc=${MULTI}\n", variables, "etc/zuul/zuul.conf", unresolved)
    assert [(u.name, u.file, u.line) for u in unresolved] == [
        ("MISSING", "etc/zuul/zuul.conf", 1), ("CMD", "etc/zuul/zuul.conf", 2), ("MULTI", "etc/zuul/zuul.conf", 3)]
    assert out == "a=${MISSING}\nb=${CMD}\nc=${MULTI}\n"  # left as written: nothing half-rendered


def test_mask_secrets():
    text = "[jenkins]\nuser=admin\npassword=s3cr3t-token\napi_token: abc\nurl=http://x/\n"
    masked = mask_secrets(text)
    assert "s3cr3t-token" not in masked and "abc" not in masked
    assert "user=admin" in masked and "url=http://x/" in masked


def test_merge_jjb_ini_keeps_the_operators_secret():
    repo = "[job_builder]\nrecursive=True\n\n[jenkins]\nurl=http://new:8080/\nquery_plugins_info=False\n"
    host = "[jenkins]\nurl=http://old:8080/\nuser=admin\npassword=tok\n"
    merged, secret = merge_jjb_ini(repo, host)
    assert secret
    assert "url=http://new:8080/" in merged and "user=admin\npassword=tok\n" in merged
    assert "http://old" not in merged
    assert merge_jjb_ini(repo, None) == (repo, False)
    merged, secret = merge_jjb_ini("[job_builder]\nrecursive=True\n", host)
    assert secret and merged.endswith("[jenkins]\nuser=admin\npassword=tok\n")


def test_merge_known_hosts_adds_or_replaces_one_line():
    old = "github.com ssh-ed25519 AAAAgh\n[review.example.org]:29418 ssh-rsa AAAAold\n"
    new = merge_known_hosts(old, "[review.example.org]:29418", "ssh-ed25519 AAAAnew")
    assert new == "github.com ssh-ed25519 AAAAgh\n[review.example.org]:29418 ssh-ed25519 AAAAnew\n"
    assert merge_known_hosts(new, "[review.example.org]:29418", "ssh-ed25519 AAAAnew") == new
    assert merge_known_hosts(None, "h", "ssh-rsa AAAA") == "h ssh-rsa AAAA\n"


def test_parse_host_key():
    assert parse_host_key("ssh-ed25519 AAAAC3Nz comment") == "ssh-ed25519 AAAAC3Nz"
    assert parse_host_key("[review.opendev.org]:29418 ssh-rsa AAAAB3==") == "ssh-rsa AAAAB3=="
    assert parse_host_key("ssh-ed25519") is None
    assert parse_host_key("ssh-ed25519 not;base64") is None


def test_under_root_refuses_dotdot_relative_and_symlinks(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    assert under_root(root, "/etc/zuul/zuul.conf", "x") == root / "etc/zuul/zuul.conf"
    with pytest.raises(InputError, match="'..'"):
        under_root(root, "/etc/../../outside", "x")
    with pytest.raises(InputError, match="not an absolute path"):
        under_root(root, "var/run/zuul.pid", "x")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, root / "var")
    with pytest.raises(InputError) as err:
        under_root(root, "/var/run/zuul/zuul.pid", "pidfile")
    assert err.value.code == "apply_path_escape"


def test_inside_repo_refuses_links_out_and_non_files(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a").write_text("x")
    os.symlink(repo / "a", repo / "inner")
    os.symlink("/etc/hostname", repo / "outer")
    assert inside_repo(repo, repo / "inner", "x") == (repo / "a").resolve()
    with pytest.raises(InputError, match="outside the data repository"):
        inside_repo(repo, repo / "outer", "x")
    os.mkfifo(repo / "fifo")
    with pytest.raises(InputError, match="not a regular file"):
        inside_repo(repo, repo / "fifo", "x")


def test_a_host_that_would_break_known_hosts_is_refused(tmp_path):
    from vendorci.core.apply import build_plan

    repo = tmp_path / "repo"
    (repo / "etc/zuul").mkdir(parents=True)
    (repo / "etc/zuul/layout.yaml").write_text("pipelines: []\nprojects: []\n")
    (repo / "vars.sh").write_text("export UPSTREAM_GERRIT_HOST='evil host\\n'\n"
                                  "export UPSTREAM_GERRIT_HOST_PUB_KEY='ssh-ed25519 AAAAC3Nz'\n")
    (tmp_path / "root").mkdir()
    with pytest.raises(InputError) as err:
        build_plan(repo, tmp_path / "root")
    assert err.value.code == "bad_host"


@pytest.mark.parametrize("conf,version,key", [
    ("[gerrit]\nsshkey=/var/lib/zuul/ssh/id_rsa\n[zuul]\nlayout_config=/etc/zuul/layout.yaml\n", 2,
     "/var/lib/zuul/ssh/id_rsa"),
    ("[connection review]\ndriver=gerrit\nsshkey=/home/zuul/.ssh/k\n[zuul]\nlayout_config=/etc/zuul/layout.yaml\n",
     2, "/home/zuul/.ssh/k"),  # Zuul 2.5 with connections is still Zuul 2
    ("[scheduler]\ntenant_config=/etc/zuul/main.yaml\n[connection review]\ndriver=gerrit\nsshkey=/var/lib/zuul/k\n",
     3, "/var/lib/zuul/k"),
])
def test_zuul_version_and_gerrit_key_from_the_rendered_conf(tmp_path, conf, version, key):
    from vendorci.core.apply import build_plan

    repo = tmp_path / "repo"
    (repo / "etc/zuul").mkdir(parents=True)
    (repo / "etc/zuul/zuul.conf").write_text(conf)
    (repo / "vars.sh").write_text("export UPSTREAM_GERRIT_SSH_KEY_PATH=gerrit_key\n")
    (repo / "gerrit_key").write_text("key\n")
    (tmp_path / "root").mkdir()
    plan = build_plan(repo, tmp_path / "root")
    assert plan.zuul is not None and plan.zuul.version == version
    assert [f.path for f in plan.files if f.kind == "key"] == [key]
