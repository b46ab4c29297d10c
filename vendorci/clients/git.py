"""git and git-review as subprocesses: host-key-verifying ssh, no prompts, timeouts, errors translated.

The one place vendorci runs git: :class:`Git` for remote work (clone, fetch, git-review, push),
:func:`run_git` for local repository work (``init``'s first commit), :func:`config_get` to read a setting.

Every run gets ``GIT_SSH_COMMAND`` with ``StrictHostKeyChecking=yes`` (``accept-new`` only when asked),
``UserKnownHostsFile`` and ``BatchMode=yes``, and stdin closed, so neither ssh nor git-review can ever prompt.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from vendorci.errors import (
    AuthFailed,
    ConnectionFailed,
    HostKeyMismatch,
    HostKeyUnknown,
    OperationFailed,
    ToolMissing,
    WaitTimeout,
)

LOCAL_TIMEOUT = 30.0


def run_git(args: list[str], cwd: Path, ident: list[str] | None = None, timeout: float = LOCAL_TIMEOUT) -> str:
    """Run a local git command (no network) in ``cwd``; its stdout.  ``ident``: ``-c`` options before the command."""
    try:
        proc = subprocess.run(["git", *(ident or []), *args], cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ToolMissing("git is not installed", hint="Install git (apt-get install git).") from None
    except subprocess.TimeoutExpired:
        raise OperationFailed(f"git {args[0]} did not finish in {timeout:g}s", code="git_timeout") from None
    if proc.returncode != 0:
        msg = (proc.stderr or proc.stdout).strip().splitlines()
        raise OperationFailed(f"git {args[0]} failed: {msg[-1] if msg else proc.returncode}", code="git_failed")
    return proc.stdout


def fallback_identity(cwd: Path) -> list[str]:
    """``-c user.name/-c user.email`` when git has no identity of its own, else nothing."""
    try:
        run_git(["var", "GIT_AUTHOR_IDENT"], cwd)
        run_git(["var", "GIT_COMMITTER_IDENT"], cwd)
        return []
    except (ToolMissing, OperationFailed):  # no identity (or no git): use the fallback identity
        return ["-c", "user.name=vendorci", "-c", "user.email=vendorci@localhost"]


def config_get(key: str, timeout: float = 10) -> str | None:
    """``git config --get KEY`` in the current directory; None when unset or git is missing."""
    try:
        return subprocess.run(["git", "config", "--get", key], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout).stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def ssh_command(known_hosts: Path, key: Path | None = None, accept_new: bool = False, timeout: int = 15) -> str:
    parts = ["ssh", "-o", f"StrictHostKeyChecking={'accept-new' if accept_new else 'yes'}",
             "-o", f"UserKnownHostsFile={known_hosts}", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={timeout}"]
    if key:
        parts += ["-i", str(key), "-o", "IdentitiesOnly=yes"]
    return " ".join(shlex.quote(p) for p in parts)


def git_review_program() -> list[str]:
    """The git-review installed with vendorci (beside this Python), else the one on PATH."""
    here = Path(sys.executable).parent / "git-review"
    if here.exists():
        return [str(here)]
    found = shutil.which("git-review")
    if found:
        return [found]
    # Bundled as a package only (vendorci.pyz): run its entry point with this Python
    import importlib.util

    spec = importlib.util.find_spec("git_review")
    if spec is None or not spec.submodule_search_locations:
        raise ToolMissing("git-review is not installed", hint="pip install git-review (it is a vendorci dependency).")
    root = str(Path(list(spec.submodule_search_locations)[0]).parent)
    return [sys.executable, "-c",
            f"import sys; sys.path.insert(0, {root!r}); sys.argv[0] = 'git-review'; "
            "from git_review.cmd import main; sys.exit(main())"]


@dataclass
class Git:
    """Runs git in ``cwd`` with a verifying ssh command; raises translated errors."""

    ssh: str
    cwd: Path | None = None
    extra_env: dict = field(default_factory=dict)

    def env(self) -> dict:
        env = dict(os.environ, GIT_SSH_COMMAND=self.ssh, GIT_TERMINAL_PROMPT="0", LANG="C", LC_ALL="C")
        env.pop("GIT_ASKPASS", None)
        env.pop("SSH_ASKPASS", None)
        env.update(self.extra_env)
        return env

    def run(self, *args: str, timeout: float = 120, what: str | None = None, program: list[str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        if program is None and not shutil.which("git"):
            raise ToolMissing("git is not installed", hint="apt-get install git")
        argv = (program or ["git"]) + list(args)
        try:
            proc = subprocess.run(argv, cwd=self.cwd, env=self.env(), stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, timeout=max(1.0, timeout))
        except subprocess.TimeoutExpired:
            raise WaitTimeout(f"{what or ' '.join(argv[:2])} did not finish within {timeout:g}s",
                              code="git_timeout") from None
        if check and proc.returncode != 0:
            raise classify(proc.stdout + proc.stderr, what or " ".join(argv[:2]))
        return proc


def classify(output: str, what: str) -> Exception:
    """A git/ssh/git-review failure as a VendorciError with a hint."""
    text = output.strip()
    last = next((line for line in reversed(text.splitlines()) if line.strip()), "no output")
    if "REMOTE HOST IDENTIFICATION HAS CHANGED" in text:
        return HostKeyMismatch(f"{what}: the Gerrit host key has CHANGED; refusing to connect",
                               code="host_key_mismatch",
                               hint="Verify the new fingerprint out of band before touching known_hosts.")
    if "Host key verification failed" in text or re.search(r"No \S+ host key is known", text):
        return HostKeyUnknown(f"{what}: the Gerrit host key is not in known_hosts", code="host_key_unknown",
                              hint="Verify the fingerprint out of band, then rerun with --accept-new-host-key.")
    if "Permission denied (publickey" in text:
        return AuthFailed(f"{what}: SSH authentication refused", code="gerrit_ssh_auth_failed",
                          hint="Check the Gerrit user name (--gerrit ssh://USER@HOST:PORT) and that its public key "
                          "(--ssh-key KEY.pub) is in the account's SSH keys.")
    m = re.search(r"!\s*\[(?:remote )?rejected\]\s+\S+\s+->\s+\S+\s+\((.+)\)", text)
    if m:
        reason = m.group(1)
        if "Change-Id" in reason:
            return OperationFailed(f"push rejected: {reason}", code="push_missing_change_id",
                                   hint="The commit-msg hook was not installed; run `git review -s` in the clone.")
        if "invalid committer" in reason or "invalid author" in reason:
            return invalid_committer(text, reason)
        if "no new changes" in reason:
            return OperationFailed(f"push rejected: {reason}", code="push_no_new_changes")
        if re.search(r"prohibited|not permitted|denied", reason, re.I):
            return AuthFailed(f"push rejected: {reason}", code="push_denied",
                              hint="The operator account may not push for review to this project and branch; check "
                              "the project's access rights (or that the account signed the CLA / is active).")
        return OperationFailed(f"push rejected: {reason}", code="push_rejected")
    if re.search(r"Project not found|not a Gerrit project|does not appear to be a git repository|"
                 r"Repository not found|project .* not found", text, re.I):
        return OperationFailed(f"{what}: Gerrit does not know this project (or hides it): {last}",
                               code="gerrit_project_unknown",
                               hint="Check --project (e.g. opendev/ci-sandbox) and that the account can read it.")
    if re.search(r"Connection refused|Could not resolve hostname|timed out|No route to host|Connection closed", text):
        return ConnectionFailed(f"{what}: cannot reach Gerrit: {last}", code="gerrit_unreachable",
                                hint="Check host and port (29418) and any firewall in between.")
    return OperationFailed(f"{what} failed: {last}", code="git_failed", data={"output": text[-2000:]})


def registered_addresses(text: str) -> list[str]:
    """The e-mail addresses Gerrit lists after ``The following addresses are currently registered:``."""
    _, _, rest = text.partition("currently registered:")
    out: list[str] = []
    for line in rest.splitlines()[1:]:
        word = re.sub(r"^(remote:\s*)?(ERROR:)?\s*", "", line).strip()
        if not word:
            if out:
                break
            continue
        if not re.fullmatch(r"[^@\s]+@[^@\s]+", word):
            break
        out.append(word)
    return out


def invalid_committer(text: str, reason: str) -> OperationFailed:
    addrs = registered_addresses(text)
    known = f" (registered: {', '.join(addrs)})" if addrs else ""
    return OperationFailed(f"push rejected: {reason}: the commit's e-mail is not one of the Gerrit account's"
                           f" addresses{known}", code="invalid_committer", data={"registered": addrs},
                           hint="Set `git config --global user.email ADDRESS` to an address registered on the "
                           "pushing Gerrit account (Settings > Email Addresses), and unset GIT_COMMITTER_EMAIL.")


_URL = re.compile(r"^remote:\s+(https?://\S+)(?:\s+(.*?))?\s*$", re.M)


def parse_review_output(text: str) -> tuple[int, str] | None:
    """(change number, URL) from git-review/git push output: Gerrit 3.x ``SUCCESS`` lines
    (``remote:   https://HOST/c/PROJECT/+/N SUBJECT [NEW]``) or 2.x ``New Changes:`` (``https://HOST/N``)."""
    if not re.search(r"^remote:\s*(SUCCESS|New Changes:|Updated Changes:)", text, re.M):
        return None
    for m in _URL.finditer(text):
        url = m.group(1).rstrip("/")
        n = re.search(r"(?:/c/.+/\+/|/#/c/|/)(\d+)$", url)
        if n:
            return int(n.group(1)), url
    return None
