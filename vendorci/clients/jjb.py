"""Jenkins Job Builder as a library: job XML from rendered YAML, pushed only where Jenkins differs.

JJB (``jenkins-job-builder``) turns the YAML into each job's ``config.xml``.
Instead of JJB's md5 cache (the data repos ``vendorci init`` writes set
``ignore_cache=True``, and a cache on one machine cannot know what someone
changed in the web UI), each job's current ``job/NAME/config.xml`` is read
from Jenkins and compared, as XML, with what JJB generated: only a job that
differs is reconfigured, only a missing one created (``createItem``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.errors import Code, InputError, OperationFailed, ToolMissing, VendorciError


@dataclass(frozen=True)
class JobXml:
    name: str
    xml: str


@dataclass(frozen=True)
class JobAction:
    name: str
    action: str  # created | updated | unchanged | failed

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action}


def _import_jjb() -> Any:
    try:
        import jenkins_jobs.config
        import jenkins_jobs.loader
        import jenkins_jobs.registry
        import jenkins_jobs.roots
        import jenkins_jobs.xml_config
    except ImportError as exc:  # pragma: no cover - it is a dependency; a broken install is still possible
        raise ToolMissing(f"Jenkins Job Builder cannot be imported ({exc})", code=Code.JJB_MISSING,
                          hint="Install it where vendorci runs: pip install 'jenkins-job-builder>=6'; or use "
                          "--no-jenkins.") from None
    return jenkins_jobs


def generate(files: Iterable[tuple[str, str]], ini_text: str) -> list[JobXml]:
    """Every job's config.xml for the JJB directory ``files`` ((relative name, text)), with JJB's own settings.

    Every ``*.yaml``/``*.yml`` at any depth is loaded; the other files are there for ``!include-raw``."""
    jj = _import_jjb()
    from jenkins_jobs.errors import JenkinsJobsException

    with tempfile.TemporaryDirectory(prefix="vendorci-jjb-") as tmp:
        top = Path(tmp)
        conf = top / "jenkins_jobs.ini"
        conf.write_text(ini_text or "[jenkins]\nurl=http://127.0.0.1:8080/\n", encoding="utf-8")
        yaml_dir = top / "config"
        paths = []
        for rel, text in files:
            p = yaml_dir / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
            if p.suffix in (".yaml", ".yml"):
                paths.append(p)
        try:
            cfg = jj.config.JJBConfig(str(conf))
            cfg.builder["plugins_info"] = []  # generate from the YAML alone: no query to Jenkins
            cfg.builder["ignore_cache"] = True
            roots = jj.roots.Roots(cfg)
            jj.loader.load_files(cfg, roots, sorted(paths))
            registry = jj.registry.ModuleRegistry(cfg, [])
            registry.set_macros(roots.macros)
            jobs = roots.generate_jobs()
            registry.amend_job_dicts(jobs)
            xml = jj.xml_config.XmlJobGenerator(registry).generateXML(jobs)
        except (JenkinsJobsException, ValueError, KeyError, TypeError) as exc:
            msg = str(exc).replace(str(yaml_dir) + "/", "").splitlines()
            raise InputError(f"Jenkins Job Builder rejected the jobs: {msg[0] if msg else type(exc).__name__}"[:600],
                             code=Code.JJB_FAILED, hint="Run `vendorci validate` and `jenkins-jobs test` on the "
                             "repository to see the error in context.") from None
    return sorted((JobXml(j.name, j.output().decode("utf-8")) for j in xml), key=lambda j: j.name)


def canonical(xml: str | bytes) -> str | None:
    """A form of a job document that ignores the XML declaration, indentation and attribute order."""
    import xml.etree.ElementTree as ET

    from vendorci.clients.jenkins_xml import parse_xml

    root = parse_xml(xml)
    if root is None:
        return None
    return ET.canonicalize(ET.tostring(root, encoding="unicode"), strip_text=True)


def push(client: Any, jobs: list[JobXml]) -> tuple[list[JobAction], VendorciError | None]:
    """Create or reconfigure the jobs whose XML differs on Jenkins (a ``JenkinsClient``).

    Returns what was done, and the error that stopped it (the jobs after it are not tried).
    """
    import jenkins

    done: list[JobAction] = []
    for job in jobs:
        try:
            try:
                current = client._call(f"job config ({job.name})", lambda j=job: client.server.get_job_config(j.name))
            except VendorciError as err:
                if err.code != Code.JENKINS_NOT_FOUND:
                    raise
                current = None
            if current is None:
                client._call(f"create job {job.name}", lambda j=job: client.server.create_job(j.name, j.xml))
                done.append(JobAction(job.name, "created"))
            elif canonical(current) != canonical(job.xml):
                client._call(f"reconfigure job {job.name}",
                             lambda j=job: client.server.reconfig_job(j.name, j.xml))
                done.append(JobAction(job.name, "updated"))
            else:
                done.append(JobAction(job.name, "unchanged"))
        except (VendorciError, jenkins.JenkinsException) as err:
            done.append(JobAction(job.name, "failed"))
            if not isinstance(err, VendorciError):
                err = OperationFailed(f"Jenkins refused job {job.name}: {str(err).splitlines()[0][:300]}",
                                      code=Code.JENKINS_JOB_FAILED)
            return done, err
    return done, None
