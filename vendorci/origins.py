"""Which URL each credential may be sent to, and when a credential must be withheld.  A ground module."""

from __future__ import annotations

from collections.abc import Mapping

#: each credential and the one URL it may be sent to
CREDENTIAL_URL = {"jenkins.token": "jenkins.url", "gerrit.http_password": "gerrit.http_url"}


def bind_credentials(sources: Mapping[str, str], secret_sources: Mapping[str, str]) -> dict[str, str]:
    """Credentials that must not be used: read from a file, but the URL comes from another file.

    A credential read from a file (a ``*_file`` named by a vendorci.yaml, the host's jenkins_jobs.ini)
    goes only to the URL written in that same file, or to a URL the operator gave explicitly (flag or
    environment).  So a vendorci.yaml in the working directory cannot send the host's Jenkins token to
    a URL it names.  Credentials from the environment are the operator's explicit choice; the built-in
    default URL (a Jenkins on this host) is no file's choice either.
    """
    out = {}
    for secret, url_key in CREDENTIAL_URL.items():
        src = secret_sources.get(secret, "")
        if not src.startswith(("file:", "host:")):
            continue
        url_src = sources.get(url_key, "default")
        if _file(url_src) == _file(src) or url_src in ("flag", "default") or url_src.startswith("env:"):
            continue
        out[secret] = (f"{secret} comes from {src.split(':', 1)[1]} but {url_key} from "
                       f"{url_src.replace('file:', '').replace('host:', '')}: a credential read from a file is "
                       "sent only to the URL in that same file (or one given by flag or environment)")
    return out


def _file(source: str) -> str:
    """The file a source names: "host:/etc/zuul/zuul.conf [connection opendev]" -> "host:/etc/zuul/zuul.conf"."""
    return source.split(" [", 1)[0]
