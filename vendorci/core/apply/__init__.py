"""``vendorci apply``: deploy a data repository onto the master.

:mod:`.render` (``${NAME}`` from vars.sh, secrets masked), :mod:`.paths`
(nothing escapes ROOT or the repo), :mod:`.plan` (what would change, with
diffs), :mod:`.write` (backups, atomic writes), :mod:`.deploy` (the steps in
order).  Nothing here prints; the CLI renders the frozen results.
"""

from vendorci.core.apply.deploy import ApplyResult, execute, jenkins_url, prepare
from vendorci.core.apply.plan import Plan, PlannedFile, build_plan

__all__ = ["ApplyResult", "Plan", "PlannedFile", "build_plan", "execute", "jenkins_url", "prepare"]
