"""Text that came from outside is data: make it safe to show on a terminal.

Gerrit subjects and comments, Jenkins node names and offline reasons, Gearman
client ids, an agent's command output: any of them may hold ANSI/OSC escape
sequences (hidden text, window titles, hyperlinks, cleared screens) or other
control characters.  :func:`visible` turns every C0/C1 control character, DEL
and the Unicode bidi overrides into a visible ``\\xNN``/``\\uNNNN`` escape, so
the text shows literally and cannot drive the terminal.  It is idempotent: its
output holds no control character, so applying it twice changes nothing.

Markup (``[bold]``, ``[link=...]``) is a separate matter handled by the CLI's
console, which never interprets markup in strings (``vendorci.cli.render``).
JSON output is not touched: it keeps the original text, escaped by ``json``.
"""

from __future__ import annotations

import re

#: C0 controls, DEL, C1 controls; bidi embeddings/overrides/isolates; line/paragraph separators
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_KEEP_LAYOUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\x1b"}

#: a single table cell or inline value longer than this is cut (a peer's 1 MB name must not pad every row)
MAX_CELL = 200


def _esc(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    n = ord(ch)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` as a string with every control character shown as an escape.

    ``keep_newlines`` keeps line feeds and tabs (for multi-line text vendorci
    itself composed); everything else, including carriage returns and ESC, is
    always escaped.
    """
    s = text if isinstance(text, str) else str(text)
    if s.isprintable():  # no Cc/Cf/Zl/Zp character at all (the common case, checked in C): nothing to escape
        return s
    pattern = _CONTROL_KEEP_LAYOUT if keep_newlines else _CONTROL
    return pattern.sub(_esc, s)


def cell(text: object, limit: int = MAX_CELL) -> str:
    """One-line, bounded, visible form of a value for a table cell or a status line."""
    s = visible("" if text is None else text)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def has_control(text: str) -> bool:
    return bool(_CONTROL.search(text))
