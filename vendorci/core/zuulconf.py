"""What the doctor needs from a host's zuul.conf and Zuul's logging config.

zuul.conf is an INI file (docs/protocols.md); the logging config is a Python
``logging.config.fileConfig`` INI (Zuul v2) or a YAML ``dictConfig`` (v3+).
Nothing here raises for a missing file: callers report what is absent.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from vendorci.inifile import IniSyntaxError, parse_ini, read_ini

V3_SECTIONS = ("scheduler", "executor", "web", "zookeeper", "fingergw")


@dataclass
class ZuulConf:
    path: Path
    sections: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, section: str, option: str, default: str | None = None) -> str | None:
        return self.sections.get(section, {}).get(option, default)

    @property
    def generation(self) -> int:
        """2 for Zuul v2, 3 for v3 (Gearman and ZooKeeper), 4 for v4+ (ZooKeeper only)."""
        if not any(s in self.sections for s in V3_SECTIONS):
            return 2
        return 3 if "gearman" in self.sections else 4

    @property
    def gearman_server_start(self) -> bool:
        """True when zuul-server starts its own (embedded) Gearman server."""
        return (self.get("gearman_server", "start") or "false").strip().lower() in ("true", "yes", "1", "on")

    @property
    def layout(self) -> str | None:
        return self.get("zuul", "layout_config")

    @property
    def log_config(self) -> str | None:
        for section in ("zuul", "scheduler", "server"):
            if self.get(section, "log_config"):
                return self.get(section, "log_config")
        return None

    @property
    def pidfiles(self) -> list[str]:
        """pidfile settings of every section that has one ([zuul], [merger], [scheduler]...)."""
        return [opts["pidfile"] for opts in self.sections.values() if opts.get("pidfile")]


def load_zuul_conf(path: str | Path) -> ZuulConf | None:
    """The parsed zuul.conf, or None when it does not exist / cannot be read."""
    p = Path(path)
    ini = read_ini(p, "zuul_conf_invalid")
    return None if ini is None else ZuulConf(p, ini.sections)


def log_files(log_config: str | Path) -> list[Path]:
    """Files the log config writes to (file handlers' first argument / ``filename``)."""
    p = Path(log_config)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    out: list[Path] = []
    if p.suffix in (".yaml", ".yml"):
        from vendorci.errors import InputError
        from vendorci.yamlutil import parse_yaml

        try:
            doc = parse_yaml(text, p).data or {}
        except InputError:  # unreadable log config: no log files to look at
            return []
        handlers = doc.get("handlers", {}) if isinstance(doc, dict) else {}
        for h in handlers.values() if isinstance(handlers, dict) else ():
            if isinstance(h, dict) and h.get("filename"):
                out.append(Path(str(h["filename"])))
        return out
    try:
        ini = parse_ini(text, str(p))
    except IniSyntaxError:
        return []
    for section in ini.sections:
        if not section.startswith("handler_") or "FileHandler" not in (ini.get(section, "class") or ""):
            continue
        try:
            args = ast.literal_eval(ini.get(section, "args") or "()")
        except (ValueError, SyntaxError):
            continue
        if isinstance(args, tuple) and args and isinstance(args[0], str):
            out.append(Path(args[0]))
    return out


def recent_errors(log_file: str | Path, limit: int = 5, tail_bytes: int = 262144) -> list[str]:
    """The last ``limit`` ERROR lines (Python logging format) in the file's tail."""
    with open(log_file, "rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - tail_bytes))
        data = fh.read().decode("utf-8", "replace")
    lines = [ln for ln in data.splitlines() if " ERROR " in ln or " CRITICAL " in ln]
    return lines[-limit:]
