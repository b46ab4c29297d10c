"""Make a running Zuul take a new configuration.

- Zuul 2 (``zuul-server``): SIGHUP to the pid in ``[zuul] pidfile`` -- what
  ``service zuul reload`` does; zuul-server re-reads zuul.conf and its
  layout (its Gerrit and Gearman connections are only made at start).
- Zuul v3 and newer: ``zuul-scheduler full-reconfigure`` (the command is
  configurable), when the tenant configuration changed.

Either way the process must still be alive afterwards.  The pid file path
has already been put under ROOT by the caller; a pid is trusted only if the
process's command line names zuul.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import Code, OperationFailed, ToolMissing, UsageError

DEFAULT_RECONFIGURE = "zuul-scheduler full-reconfigure"
SETTLE_S = 0.5
COMMAND_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ReloadResult:
    done: bool
    how: str | None  # sighup | command | None
    pid: int | None = None
    reason: str | None = None  # why nothing was done
    command: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"done": self.done, "how": self.how, "pid": self.pid, "reason": self.reason,
                "command": self.command or None}


def read_pid(pidfile: Path) -> int | None:
    """The pid in ``pidfile``, or None if there is no such file; UsageError if it holds no pid."""
    try:
        text = pidfile.read_bytes()[:64].decode("ascii", "replace").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not text.isdigit() or not 1 < int(text) < 2**22:
        raise UsageError(f"{pidfile}: does not hold a process id", code=Code.RELOAD_BAD_PIDFILE,
                         hint="Remove the stale pid file and restart Zuul.")
    return int(text)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> list[str]:
    try:
        return [a.decode(errors="replace") for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    except OSError:
        return []


def _is_zuul(pid: int) -> bool:
    return any("zuul" in os.path.basename(a) for a in _cmdline(pid)[:2])


def sighup(pidfile: Path, settle: float = SETTLE_S) -> ReloadResult:
    """SIGHUP the zuul-server of ``pidfile`` and check that it survived."""
    pid = read_pid(pidfile)
    if pid is None:
        return ReloadResult(False, "sighup", None, f"no pid file {pidfile}: zuul-server is not running")
    if not alive(pid):
        return ReloadResult(False, "sighup", pid, f"{pidfile} names pid {pid}, which is not running")
    if not _is_zuul(pid):
        raise OperationFailed(f"{pidfile} names pid {pid}, which is not a Zuul process; no signal sent",
                              code=Code.RELOAD_NOT_ZUUL, hint="The pid file is stale: remove it and restart Zuul.")
    try:
        os.kill(pid, signal.SIGHUP)
    except PermissionError:
        raise OperationFailed(f"not allowed to signal zuul-server (pid {pid})", code=Code.RELOAD_DENIED,
                              hint="Run apply as root or as the zuul user.") from None
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        if not alive(pid):
            break
        time.sleep(0.05)
    if not alive(pid):
        raise OperationFailed(f"zuul-server (pid {pid}) exited after SIGHUP", code=Code.RELOAD_DIED,
                              hint="See /var/log/zuul/zuul.log for the layout error, fix it and start Zuul.",
                              data={"pid": pid})
    return ReloadResult(True, "sighup", pid)


def run_command(command: str | None, pidfile: Path | None, timeout: float = COMMAND_TIMEOUT_S) -> ReloadResult:
    """Run the reconfigure command (default ``zuul-scheduler full-reconfigure``), then check the scheduler."""
    argv = shlex.split(command or DEFAULT_RECONFIGURE)
    if not argv:
        raise UsageError("empty reconfigure command", code=Code.RELOAD_BAD_COMMAND)
    exe = shutil.which(argv[0])
    if exe is None:
        raise ToolMissing(f"{argv[0]} is not on PATH", code=Code.RELOAD_COMMAND_MISSING,
                          hint="Install Zuul's scheduler here, or give --reconfigure-command, or use --no-reload.")
    try:
        proc = subprocess.run([exe, *argv[1:]], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise OperationFailed(f"{' '.join(argv)} did not finish in {timeout:g}s", code=Code.RELOAD_TIMEOUT) from None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()
        raise OperationFailed(f"{' '.join(argv)} failed (exit {proc.returncode})"
                              + (f": {tail[-1][:300]}" if tail else ""), code=Code.RELOAD_FAILED,
                              hint="Check that zuul-scheduler is running and the tenant config is valid.")
    pid = read_pid(pidfile) if pidfile is not None else None
    if pid is not None and not alive(pid):
        raise OperationFailed(f"zuul-scheduler (pid {pid}) is not running after the reconfiguration",
                              code=Code.RELOAD_DIED, hint="See the scheduler's log, fix the tenant config, start it.")
    return ReloadResult(True, "command", pid, command=argv)
