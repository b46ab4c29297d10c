"""Checks of the repo's own settings: vendorci.yaml, zuul.conf, jenkins_jobs.ini, the expected files, git."""

from __future__ import annotations

from pathlib import Path

from vendorci.core.datarepo import JJB_CANDIDATES, LAYOUT_CANDIDATES
from vendorci.core.validate.context import Run
from vendorci.inifile import IniSyntaxError, parse_ini


# -- config ------------------------------------------------------------------
def check_config(c: Run) -> None:
    repo = c.repo
    config = repo.config
    if config is not None:
        from vendorci.config import read_config_file

        values = c.guard(lambda: read_config_file(config))
        if values is not None:
            c.vendor = values[0].get("vendor")
    if repo.zuul_conf is not None and not c.v3:
        try:
            ini = parse_ini(repo.zuul_conf.read_text(encoding="utf-8"), str(repo.zuul_conf))
        except (IniSyntaxError, UnicodeDecodeError, OSError) as exc:
            line = getattr(exc, "lineno", None)
            c.add("error", "zuul_conf_invalid", f"invalid INI: {str(exc).splitlines()[0]}", repo.zuul_conf, line,
                  "Fix the INI syntax: [section] headers and key=value lines.")
            return
        for section in ("gearman", "gerrit", "zuul"):
            if not ini.has_section(section):
                c.add("error", "zuul_conf_section", f"zuul.conf has no [{section}] section", repo.zuul_conf, None,
                      f"Add [{section}]; see docs/init.md for a complete zuul.conf.")
    if repo.jjb_ini is not None:
        _check_jjb_ini(c, repo.jjb_ini)
    if repo.layout is None and not c.v3:
        c.add("error", "layout_missing", f"no Zuul layout ({' or '.join(LAYOUT_CANDIDATES)})",
              repo.root, None, "Point at it with --layout PATH, or create etc/zuul/layout.yaml "
              "(`vendorci init` starts a repo).")
    if not c.jjb_dirs and not c.v3:
        c.add("error", "jobs_missing_dir", f"no Jenkins Job Builder directory ({' or '.join(JJB_CANDIDATES)})",
              repo.root, None, "Point at it with --jjb PATH, or create etc/jenkins_jobs/config/ with your job "
              "definitions.")


def _check_jjb_ini(c: Run, path: Path) -> None:
    try:
        ini = parse_ini(path.read_text(encoding="utf-8"), str(path))
    except (IniSyntaxError, UnicodeDecodeError, OSError) as exc:
        c.add("error", "config_jjb_ini", f"invalid INI: {str(exc).splitlines()[0]}", path,
              getattr(exc, "lineno", None), "Fix the INI syntax: [section] headers and key=value lines.")
        return
    if (ini.get("jenkins", "password") or "").strip():
        line = next((n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                     if text.strip().startswith("password")), None)
        c.add("error", "config_secret_in_repo", "jenkins_jobs.ini holds a Jenkins password or API token", path,
              line, "Remove it (and revoke the token); give it at run time (jenkins-jobs --password, "
              "VENDORCI_JENKINS_TOKEN).")




# -- repo --------------------------------------------------------------------
def check_repo(c: Run) -> None:
    if not (c.repo.root / ".git").exists():
        c.add("warning", "repo_not_git", "the data repo is not a git checkout", c.repo.root, None,
              "Track it in a private git repository: git init && git add -A && git commit")
