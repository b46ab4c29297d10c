"""`config.valid`: configuration that does not parse is a doctor finding, not an abort.

doctor loads its configuration leniently (:func:`vendorci.config.load_config` with ``lenient``): a value that does
not parse is left out and recorded.  This check fails with each of them (file, key, fix), and the checks of the
area a bad key belongs to (``gearman.server`` -> ``gearman.*``) are skipped behind it instead of running against a
default the operator did not mean; the rest run as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vendorci.checks.runner import Check
from vendorci.results import CheckResult

CHECK_ID = "config.valid"
FIX = ("Correct the value in the file named above: a zuul.conf template needs its ${...} placeholders filled in "
       "(give doctor the rendered /etc/zuul/zuul.conf); see `vendorci config show` for the effective values.")


def _problems(ctx: Any) -> tuple:
    return tuple(getattr(getattr(ctx, "config", None), "problems", ()) or ())


def _run(ctx: Any) -> CheckResult:
    problems = _problems(ctx)
    if not problems:
        return CheckResult.ok("configuration parsed")
    hints = [p.hint for p in problems if p.hint]
    return CheckResult.fail(
        f"{len(problems)} configuration value(s) do not parse; the checks that use them are skipped",
        details=[p.message for p in problems],
        fix=hints[0] if len(hints) == 1 else FIX,
        data={"problems": [p.as_dict() for p in problems]},
    )


def with_config_check(checks: Sequence[Check], ctx: Any) -> list[Check]:
    """``checks`` led by ``config.valid`` when the configuration had problems; the checks of an affected area
    then require it (and so are skipped)."""
    problems = _problems(ctx)
    if not problems:
        return list(checks)
    areas = {str(p.data.get("key", "")).split(".")[0] for p in problems} - {""}
    out = [Check(CHECK_ID, "configuration files parse", _run)]
    for c in checks:
        if c.id.split(".")[0] in areas:
            c = replace(c, requires=(*c.requires, CHECK_ID))
        out.append(c)
    return out
