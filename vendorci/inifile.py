"""The one INI reader: zuul.conf, jenkins_jobs.ini, Zuul v2's logging config.  A ground module.

Values are taken literally (no interpolation), ``[DEFAULT]`` values appear in every section, as with
:class:`configparser.RawConfigParser`, which does the parsing.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass, field
from pathlib import Path

from vendorci.errors import ConfigError


class IniSyntaxError(ValueError):
    """Text that is not INI; ``lineno`` when the parser knows it."""

    def __init__(self, message: str, lineno: int | None = None) -> None:
        super().__init__(message)
        self.lineno = lineno


@dataclass(frozen=True)
class Ini:
    source: str
    sections: dict[str, dict[str, str]] = field(default_factory=dict)

    def has_section(self, section: str) -> bool:
        return section in self.sections

    def get(self, section: str, option: str, default: str | None = None) -> str | None:
        return self.sections.get(section, {}).get(option, default)


def parse_ini(text: str, source: str = "<string>") -> Ini:
    """Parse INI text; :class:`IniSyntaxError` when it is not INI."""
    cp = configparser.RawConfigParser()
    try:
        cp.read_string(text, source)
    except configparser.Error as exc:
        raise IniSyntaxError(str(exc), getattr(exc, "lineno", None)) from None
    return Ini(source, {s: dict(cp.items(s)) for s in cp.sections()})


def read_ini(path: str | Path, invalid_code: str) -> Ini | None:
    """The parsed file; None when it is missing or unreadable (callers report absence);
    :class:`ConfigError` with ``invalid_code`` when it is not INI."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return parse_ini(text, str(p))
    except IniSyntaxError as exc:
        raise ConfigError(f"{p}: invalid INI: {exc}".splitlines()[0], code=invalid_code) from None
