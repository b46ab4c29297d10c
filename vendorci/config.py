"""Effective configuration, with where each value came from.

Precedence, highest first: command-line flag, ``VENDORCI_*`` environment
variable, config file (``--config``, ``VENDORCI_CONFIG``, ``./vendorci.yaml``,
then the platformdirs user config ``config.yaml``), what the host already has
(``/etc/zuul/zuul.conf``, ``/etc/jenkins_jobs/jenkins_jobs.ini``), defaults.

Secrets (Jenkins API token, Gerrit HTTP password) are accepted only from the
environment, from a ``*_file`` that is not group/world readable, or from the
host's own jenkins_jobs.ini; never from a flag.  They are masked in every
rendering of the configuration.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.configvalues import (  # noqa: F401  (MASK, FILE_SAFE_URL, shown: part of config's API)
    FILE_SAFE_URL,
    MASK,
    _flag,
    _float,
    _hostport,
    _int,
    _port,
    _str,
    _strlist,
    _url,
    shown,
)
from vendorci.errors import ConfigError, InputError, lenient_read
from vendorci.origins import CREDENTIAL_URL, bind_credentials


@dataclass(frozen=True)
class Key:
    name: str
    conv: Callable[[Any], Any] = _str
    default: Any = None
    secret: bool = False
    path: bool = False  # resolved relative to the config file
    env: str | None = None
    help: str = ""

    @property
    def env_var(self) -> str:
        return self.env or "VENDORCI_" + self.name.upper().replace(".", "_")


KEYS: tuple[Key, ...] = (
    Key("vendor", help="Vendor (CI) name, lowercase"),
    Key("data_repo", path=True, help="The private data repository"),
    Key("known_hosts", path=True, help="known_hosts file used to verify SSH host keys"),
    Key("gerrit.host", default="review.opendev.org"),
    Key("gerrit.port", _port, default=29418),
    Key("gerrit.user", help="The CI's Gerrit service account"),
    Key("gerrit.ssh_key", path=True, help="Private key of the CI's Gerrit account"),
    Key("gerrit.http_url", _url),
    Key("gerrit.http_user"),
    Key("gerrit.http_password", secret=True),
    Key("jenkins.url", _url, default="http://127.0.0.1:8080/"),
    Key("jenkins.user"),
    Key("jenkins.token", secret=True),
    Key("jenkins.timeout", _float, default=10.0),
    Key("gearman.server", _hostport, default="127.0.0.1:4730", env="VENDORCI_GEARMAN"),
    Key("zuul.conf", path=True, default="/etc/zuul/zuul.conf"),
    Key("zuul.layout", path=True, default="/etc/zuul/layout.yaml"),
    Key("zuul.run_dir", path=True, default="/var/run"),
    Key("zuul.web_url", _url, help="zuul-web root (default: zuul.conf [web])"),
    Key("zuul.tenant", help="Tenant the doctor's Zuul v3+ checks look at (default: all)"),
    Key("zuul.gerrit_connection", help="zuul.conf [connection NAME] the Gerrit settings come from"),
    Key("jjb.ini", path=True, default="/etc/jenkins_jobs/jenkins_jobs.ini"),
    Key("logs.url", _url, help="Public URL root of the CI's logs (default: the data repo's LOG_URL_ROOT)"),
    Key("logs.publish_host", help="Host the log publisher copies to (default: PUBLISH_HOST)"),
    Key("logs.publish_port", _port, default=22),
    Key("logs.publish_user", help="Account the log publisher logs in as"),
    Key("logs.publish_key", path=True, help="The log publisher's private key"),
    Key("logs.publish_path", help="Directory logs are copied to on the publish host"),
    Key("validate.layout", _strlist, help="validate: the Zuul layout (a file or folder, or a list of them: a "
        "layout split over several files), relative to the data repo"),
    Key("validate.jjb", _strlist, help="validate: the JJB folders (a list), relative to the data repo"),
    Key("validate.external_jobs", _flag, help="validate: Jenkins has jobs this JJB does not define"),
)
KEY_BY_NAME = {k.name: k for k in KEYS}
SECRET_FILE_KEYS = {"jenkins.token_file": "jenkins.token", "gerrit.http_password_file": "gerrit.http_password"}


@dataclass(frozen=True)
class Config:
    """The validated, effective configuration. Secrets are not in ``repr``."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    files: tuple[str, ...] = ()
    _secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    withheld: Mapping[str, str] = field(default_factory=dict)  # credential -> why it may not be used
    # lenient loads (doctor): the errors met, each value left at what came before it
    problems: tuple[ConfigError, ...] = ()

    def __getitem__(self, name: str) -> Any:
        if name in self._secrets:
            return self.secret(name)
        return self.values.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        v = self[name]
        return default if v is None else v

    def secret(self, name: str) -> str | None:
        """The credential, or ConfigError (exit 2) when it is bound to another URL than the configured one."""
        if name in self.withheld:
            raise ConfigError(self.withheld[name], code="credential_origin_mismatch",
                              hint=f"Give {CREDENTIAL_URL[name]} in the same file as the credential, or on the "
                              f"command line / in {KEY_BY_NAME[CREDENTIAL_URL[name]].env_var}, or set "
                              f"{KEY_BY_NAME[name].env_var}; `vendorci config show` shows the pairing.")
        return self._secrets.get(name)

    def source(self, name: str) -> str:
        return self.sources.get(name, "default")

    @property
    def gearman_address(self) -> tuple[str, int]:
        host, _, port = str(self.values["gearman.server"]).rpartition(":")
        return host.strip("[]"), int(port)

    def secret_values(self) -> list[str]:
        return [v for v in self._secrets.values() if v]

    def show(self) -> list[dict[str, Any]]:
        """Rows of key, value (secrets masked), source; a credential's row also says which URL it goes to."""
        rows = []
        for key in KEYS:
            has = key.name in self._secrets or self.values.get(key.name) is not None
            value = MASK if key.secret and has else self.values.get(key.name)
            row: dict[str, Any] = {"key": key.name, "value": value, "source": self.source(key.name) if has else "unset"}
            if key.secret and has:
                url_key = CREDENTIAL_URL[key.name]
                row["sent_to"] = None if key.name in self.withheld else shown(self.values.get(url_key))
                row["withheld"] = self.withheld.get(key.name)
                row["pairing"] = (f"withheld: {self.withheld[key.name]}" if key.name in self.withheld else
                                  f"sent only to {url_key} = {row['sent_to']} ({self.source(url_key)})")
            rows.append(row)
        return rows


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and not any(name == key.name for key in KEYS):
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


def _check_secret_file(path: Path, key: str, origin: str) -> str:
    try:
        st = path.stat()
    except OSError:
        raise ConfigError(f"{origin}: {key}: cannot read {path}", code="secret_file_missing") from None
    if st.st_mode & 0o077:
        raise ConfigError(
            f"{origin}: {key}: {path} is readable by group or others (mode {st.st_mode & 0o777:o})",
            code="secret_file_mode",
            hint=f"chmod 600 {path}",
        )
    from vendorci.fsutil import read_text_bounded

    try:
        return read_text_bounded(path, 64 * 1024, "secret file").strip()
    except InputError as exc:  # a directory, a FIFO, not UTF-8, too large: the config is wrong (exit 2)
        raise ConfigError(f"{origin}: {key}: {exc.message}", code="secret_file_invalid", hint=exc.hint) from None


def read_config_file(path: Path, problems: list[ConfigError] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a vendorci.yaml: returns (flat values, secrets); errors name file, key and line.
    With ``problems``, a bad value or unknown key is recorded there and left out instead of raised."""
    from vendorci.yamlutil import load_yaml

    try:
        loaded = load_yaml(path)
    except ConfigError:
        raise
    except Exception as exc:  # InputError -> ConfigError with the same text
        from vendorci.errors import VendorciError

        if isinstance(exc, VendorciError):
            raise ConfigError(exc.message, code="config_syntax", hint=exc.hint) from None
        raise
    data = loaded.data
    if data is None:
        return {}, {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{path}:{loaded.line() or 1}: the configuration must be a mapping of settings", code="config_invalid"
        )
    values: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    for name, raw in _flatten(data).items():
        line = loaded.line(*name.split("."))
        where = f"{path}:{line}" if line else str(path)
        try:
            _read_setting(path, name, raw, where, values, secrets)
        except ConfigError as exc:
            if problems is None:
                raise
            problems.append(exc)
    return values, secrets


def _read_setting(path: Path, name: str, raw: Any, where: str, values: dict[str, Any],
                  secrets: dict[str, str]) -> None:
    if name in SECRET_FILE_KEYS:
        sp = Path(os.path.expanduser(str(raw)))
        if not sp.is_absolute():
            sp = path.parent / sp
        secrets[SECRET_FILE_KEYS[name]] = _check_secret_file(sp, name, where)
        return
    key = KEY_BY_NAME.get(name)
    if key is None:
        raise ConfigError(f"{where}: unknown setting {name!r}", code="config_unknown_key",
                          hint="Known settings: " + ", ".join(k.name for k in KEYS))
    if key.secret:
        raise ConfigError(f"{where}: {name} must not be written in a config file", code="config_secret_inline",
                          hint=f"Set {key.env_var} in the environment or use {name}_file pointing to a 0600 file.")
    if raw is None:
        return
    try:
        value = key.conv(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {name}: {exc} (got {shown(raw)!r})", code="config_bad_value",
                          data={"key": name, "file": str(path)}) from None
    if key.path:
        p = Path(os.path.expanduser(str(value)))
        value = str(p if p.is_absolute() else (path.parent / p))
    values[name] = value


def read_zuul_conf(path: Path, connection: str | None = None) -> tuple[dict[str, tuple[Any, str]], dict[str, Any]]:
    """Settings vendorci takes from a zuul.conf: ``({key: (value, section)}, {secret key: value})``.

    Gerrit comes from Zuul 2's ``[gerrit]`` or a ``[connection NAME] driver=gerrit``
    (see :mod:`vendorci.zuulconn`); zuul-web from ``[web]``."""
    from vendorci import zuulconn
    from vendorci.inifile import read_ini

    ini = read_ini(path, "zuul_conf_invalid")
    if ini is None:
        return {}, {}
    out: dict[str, tuple[Any, str]] = {}
    server, port = ini.get("gearman", "server"), ini.get("gearman", "port") or "4730"
    if server:
        out["gearman.server"] = (f"{server}:{port}", "gearman")
    section, gerrit, secrets = zuulconn.gerrit_settings(ini.sections, connection)
    for name, v in gerrit.items():
        out[name] = (v, str(section))
    if ini.get("zuul", "layout_config"):
        out["zuul.layout"] = (ini.get("zuul", "layout_config"), "zuul")
    web = zuulconn.web_url(ini.sections)
    if web:
        out["zuul.web_url"] = (web, "web")
    return out, secrets


def read_jjb_ini(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    from vendorci.inifile import read_ini

    ini = read_ini(path, "jjb_ini_invalid")
    values: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    if ini is None:
        return values, secrets
    for option, name in (("url", "jenkins.url"), ("user", "jenkins.user")):
        if ini.get("jenkins", option) is not None:
            values[name] = ini.get("jenkins", option)
    if ini.get("jenkins", "password") is not None:
        secrets["jenkins.token"] = ini.get("jenkins", "password") or ""
    return values, secrets


def _candidate_files(explicit: str | None, env: Mapping[str, str], cwd: Path) -> list[tuple[Path, bool]]:
    """Config files in precedence order; the bool says whether it must exist."""
    if explicit:
        return [(Path(explicit), True)]
    if env.get("VENDORCI_CONFIG"):
        return [(Path(env["VENDORCI_CONFIG"]), True)]
    from vendorci.paths import user_config_file

    return [(cwd / "vendorci.yaml", False), (user_config_file(), False)]


def adopted_config_path(data_repo: Path | None, config_path: str | None,
                        env: Mapping[str, str] | None = None) -> str | None:
    """The config file to read: ``config_path`` (--config) if given; else, unless VENDORCI_CONFIG names one, the
    ``vendorci.yaml`` of an explicitly given data repo (the CI that repo describes); else None (the usual search)."""
    env = os.environ if env is None else env
    if config_path is not None or env.get("VENDORCI_CONFIG") or data_repo is None:
        return config_path
    return str(data_repo / "vendorci.yaml") if (data_repo / "vendorci.yaml").is_file() else None


def default_data_repo(config: Any, cwd: Path | None = None) -> Path | None:
    """The cwd when it holds vendorci.yaml, else config ``data_repo``."""
    cwd = cwd or Path.cwd()
    if (cwd / "vendorci.yaml").is_file():
        return cwd
    return Path(str(config["data_repo"])) if config["data_repo"] else None


def load_config(
    overrides: Mapping[str, Any] | None = None,
    *,
    config_path: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    lenient: bool = False,
) -> Config:
    """Build the effective configuration (see module docstring for precedence).  ``lenient`` (doctor): a file value
    that does not parse is recorded in ``Config.problems`` and ignored, so the checks it does not concern still run."""
    env = os.environ if env is None else env
    cwd = cwd or Path.cwd()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    secrets: dict[str, str] = {}
    secret_sources: dict[str, str] = {}
    files: list[str] = []
    problems: list[ConfigError] | None = [] if lenient else None

    def put(name: str, value: Any, source: str, secret_store: bool = False) -> None:
        key = KEY_BY_NAME[name]
        try:
            conv = key.conv(value)
        except (TypeError, ValueError) as exc:
            err = ConfigError(f"{source}: {name}: {exc} (got {shown(value)!r})", code="config_bad_value",
                              data={"key": name, "file": source.partition(":")[2]})
            if problems is None or source.startswith(("flag", "env:")):
                raise err from None
            problems.append(err)
            return
        if key.path and conv is not None:
            conv = os.path.expanduser(str(conv))
        values[name] = conv
        sources[name] = source

    # defaults
    for key in KEYS:
        if key.default is not None:
            values[key.name] = key.default
            sources[key.name] = "default"

    # config file, read first so that it may point at zuul.conf / jjb.ini
    file_values: dict[str, Any] = {}
    file_secrets: dict[str, str] = {}
    file_origin = ""
    for path, required in _candidate_files(config_path, env, cwd):
        if path.is_file():
            file_values, file_secrets = lenient_read(lambda p: read_config_file(p, problems), path, problems, ({}, {}))
            file_origin = str(path)
            files.append(str(path))
            break
        if required:
            raise ConfigError(f"{path}: config file not found", code="config_missing",
                              hint="Check --config / VENDORCI_CONFIG.")

    def env_or(name: str) -> Any:
        if overrides and overrides.get(name) is not None:
            return overrides[name]
        key = KEY_BY_NAME[name]
        if env.get(key.env_var):
            return env[key.env_var]
        return file_values.get(name, values.get(name))

    # host files: the path may itself come from flag/env/file
    zuul_conf = Path(os.path.expanduser(str(env_or("zuul.conf"))))
    zvalues, zsecrets = lenient_read(lambda p: read_zuul_conf(p, env_or("zuul.gerrit_connection")), zuul_conf,
                                 problems, ({}, {}))
    for name, (v, section) in zvalues.items():
        put(name, v, f"host:{zuul_conf} [{section}]")
    for name, v in zsecrets.items():
        secrets[name] = v
        secret_sources[name] = f"host:{zuul_conf}"
    jjb_ini = Path(os.path.expanduser(str(env_or("jjb.ini"))))
    jv, js = lenient_read(read_jjb_ini, jjb_ini, problems, ({}, {}))
    for name, v in jv.items():
        put(name, v, f"host:{jjb_ini}")
    for name, v in js.items():
        secrets[name] = v
        secret_sources[name] = f"host:{jjb_ini}"

    for name, v in file_values.items():
        values[name] = v
        sources[name] = f"file:{file_origin}"
    for name, v in file_secrets.items():
        secrets[name] = v
        secret_sources[name] = f"file:{file_origin}"

    for key in KEYS:
        raw = env.get(key.env_var)
        if raw is None or raw == "":
            continue
        if key.secret:
            secrets[key.name] = raw
            secret_sources[key.name] = f"env:{key.env_var}"
        else:
            put(key.name, raw, f"env:{key.env_var}")

    for name, v in (overrides or {}).items():
        if v is None:
            continue
        if KEY_BY_NAME[name].secret:
            raise ConfigError(f"{name} cannot be given on the command line", code="secret_on_command_line")
        put(name, v, "flag")

    sources.update(secret_sources)
    return Config(values=values, sources=sources, files=tuple(files), _secrets=secrets,
                  withheld=bind_credentials(sources, secret_sources), problems=tuple(problems or ()))
