"""Process matching by program name, on a /proc-shaped directory."""

from __future__ import annotations

import os

from vendorci.core.procs import Proc, find, list_procs, pid_alive, read_pidfile


def write_proc(root, pid, argv, state="S"):
    d = root / str(pid)
    d.mkdir(parents=True)
    (d / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    (d / "stat").write_text(f"{pid} (x y) {state} 1 2 3\n")


def test_names():
    assert Proc(1, ("/usr/bin/python", "/usr/local/bin/zuul-server", "-c", "x")).names == ("python", "zuul-server")
    assert Proc(1, ("python3.11", "-u", "-W", "ignore", "/usr/local/bin/zuul-merger")).names == (
        "python3.11", "zuul-merger")
    assert Proc(1, ("zuul-server",)).names == ("zuul-server",)  # exec -a
    assert Proc(1, ("python3", "-m", "zuul.cmd.server")).names == ("python3",)
    assert Proc(1, ("/bin/bash", "zuul-server")).names == ("bash",)  # only Python scripts are looked through
    assert Proc(1, ()).names == ()


def test_list_and_find(tmp_path):
    write_proc(tmp_path, 10, ["/usr/bin/python", "/usr/local/bin/zuul-server", "-d"])
    write_proc(tmp_path, 11, ["zuul-server"])
    write_proc(tmp_path, 12, ["/usr/bin/python", "/usr/local/bin/zuul-merger"], state="Z")  # zombie: dead
    write_proc(tmp_path, 13, ["grep", "zuul-server"])
    (tmp_path / "14").mkdir()
    (tmp_path / "14" / "cmdline").write_bytes(b"")  # kernel thread
    (tmp_path / "self").mkdir()
    procs = list_procs(tmp_path)
    assert [p.pid for p in procs] == [10, 11, 13]
    found = find(procs, ("zuul-server", "zuul-merger"))
    assert [p.pid for p in found["zuul-server"]] == [10, 11]
    assert found["zuul-merger"] == []
    assert pid_alive(10, tmp_path) and not pid_alive(12, tmp_path) and not pid_alive(99, tmp_path)


def test_real_proc_and_pidfile(tmp_path):
    me = [p for p in list_procs() if p.pid == os.getpid()]
    assert me and "python" in me[0].names[0]
    (tmp_path / "a.pid").write_text(f"{os.getpid()}\n")
    (tmp_path / "b.pid").write_text("")
    (tmp_path / "c.pid").write_text("garbage\n")
    assert read_pidfile(tmp_path / "a.pid") == os.getpid()
    assert read_pidfile(tmp_path / "b.pid") is None and read_pidfile(tmp_path / "c.pid") is None
    assert read_pidfile(tmp_path / "missing.pid") is None


def test_processes_bound_to_their_configuration(tmp_path):
    from vendorci.core.procs import DEFAULT_ZUUL_CONF, config_arg, split_by_config

    conf = tmp_path / "etc" / "zuul.conf"
    conf.parent.mkdir()
    conf.write_text("[web]\n")
    assert config_arg(Proc(1, ("python", "/bin/zuul-web", "-c", "/a", "-c", "/b"))) == "/b"  # argparse: last wins
    assert config_arg(Proc(1, ("zuul-web", "-c/x/zuul.conf"))) == "/x/zuul.conf"
    assert config_arg(Proc(1, ("zuul-web", "-f"))) is None
    write_proc(tmp_path / "proc", 20, ["/usr/bin/python3", "/usr/local/bin/zuul-scheduler", "-f", "-c", str(conf)])
    write_proc(tmp_path / "proc", 21, ["/usr/bin/python3", "/usr/local/bin/zuul-executor", "-c", "etc/zuul.conf"])
    os.symlink(tmp_path, tmp_path / "proc" / "21" / "cwd")  # relative -c: resolved in the process's cwd
    write_proc(tmp_path / "proc", 22, ["/usr/bin/python3", "/usr/local/bin/zuul-executor"])  # default path
    write_proc(tmp_path / "proc", 23, ["zuul-web", "-c", "/srv/other/zuul.conf"])
    found = find(list_procs(tmp_path / "proc"), ["zuul-scheduler", "zuul-executor", "zuul-web"])
    mine, others = split_by_config(found, conf, tmp_path / "proc")
    assert [p.pid for p in mine["zuul-scheduler"]] == [20]
    assert [p.pid for p in mine["zuul-executor"]] == [21]
    assert [(p.pid, c) for p, c in others["zuul-executor"]] == [(22, DEFAULT_ZUUL_CONF)]
    assert [(p.pid, c) for p, c in others["zuul-web"]] == [(23, "/srv/other/zuul.conf")]
    mine, _ = split_by_config(found, DEFAULT_ZUUL_CONF, tmp_path / "proc")
    assert [p.pid for p in mine["zuul-executor"]] == [22]
