"""Regular expressions from configuration, evaluated with a time bound.

A layout's comment regex, a job-setting name: these come from data repositories that
anyone may have written, and Zuul's own recheck regex style (``( [\\w\\\\+-]*)*``) is
prone to catastrophic backtracking.  Python's ``re`` cannot be interrupted and holds the
interpreter lock while it runs, so neither a thread nor ``doctor --timeout`` can stop it.

Decision (measured on this project's CI machine, see docs/security.md): patterns are
still *checked* with ``re`` (Zuul v2 compiles them with ``re``, so its errors are the
ones that matter) but *evaluated* with the ``regex`` module, which accepts a timeout and
releases the interpreter lock while matching (``concurrent=True``).  A worker process
would also work but costs a fork per evaluation; ``regex`` costs ~10 µs per search.
An evaluation that runs out of time raises :class:`SlowRegex`; callers report it as a
finding.  ``regex``'s timeout is checked periodically, so a search may overrun
:data:`REGEX_TIMEOUT` a few times under load, never without bound.
"""

from __future__ import annotations

import re
from typing import Any

REGEX_TIMEOUT = 0.25  # seconds per evaluation: a sane pattern on a Gerrit comment takes microseconds


class SlowRegex(Exception):
    """An untrusted regex did not finish within its time bound."""

    def __init__(self, pattern: str, timeout: float) -> None:
        super().__init__(f"regex {pattern[:80]!r} did not finish within {timeout:g}s (catastrophic backtracking)")
        self.pattern = pattern
        self.timeout = timeout


class UntrustedRegex:
    """A compiled pattern whose ``search`` is time-bounded.  ``re.error`` when ``re`` rejects it."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        import regex

        self.pattern = pattern
        self._re = re.compile(pattern, flags)  # raises re.error, as Zuul would
        try:
            self._rx: Any = regex.compile(pattern, flags | regex.VERSION0)
        except (regex.error, ValueError):  # the rare pattern only ``re`` accepts: never evaluated
            self._rx = None

    def search(self, text: str, timeout: float = REGEX_TIMEOUT) -> Any:
        if self._rx is None:
            raise SlowRegex(self.pattern, 0)
        try:
            return self._rx.search(text, timeout=timeout, concurrent=True)
        except TimeoutError:
            raise SlowRegex(self.pattern, timeout) from None
