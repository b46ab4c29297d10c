"""'Did you mean': near misses only, found cheaply.

Candidates are only the names that share the first two characters and whose
length differs by at most a few characters; at most ``CAP`` of them are
compared with difflib.  Building the index is linear in the names; a lookup
costs at most ``CAP`` comparisons, so N undefined names cost O(N * CAP).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable

CAP = 40
MAX_LEN_DIFF = 3
CUTOFF = 0.8


class NearIndex:
    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[tuple[str, int], list[str]] = defaultdict(list)
        for n in names:
            self._by_key[(n[:2], len(n))].append(n)

    def closest(self, name: str) -> str | None:
        cands: list[str] = []
        for d in sorted(range(-MAX_LEN_DIFF, MAX_LEN_DIFF + 1), key=abs):
            cands += self._by_key.get((name[:2], len(name) + d), [])
            if len(cands) >= CAP:
                break
        best = difflib.get_close_matches(name, cands[:CAP], n=1, cutoff=CUTOFF)
        return best[0] if best else None
