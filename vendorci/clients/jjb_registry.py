"""The component names the installed Jenkins Job Builder knows, read from its registry the way JJB reads it.

JJB's ``ModuleRegistry`` takes each module of the ``jenkins_jobs.modules`` entry points that has a
``component_type`` (``builder``, ``publisher``, ...) and a ``component_list_type`` (``builders``, ...);
its components are the module's functions whose docstring starts ``yaml: NAME``, plus the entry points of
the group ``jenkins_jobs.<component_list_type>`` (plugins add theirs there).  vendorci's built-in list
(:mod:`vendorci.core.jjb_components`, used when JJB cannot be imported) is generated from this by
``tools/jjb_components.py`` and tested against it.
"""

from __future__ import annotations

import importlib
import types


def component_registry() -> dict[str, frozenset[str]]:
    """component type (``builder``...) -> the names JJB accepts; ImportError when JJB is not importable."""
    from importlib.metadata import entry_points

    importlib.import_module("jenkins_jobs.registry")  # ImportError without JJB
    out: dict[str, set[str]] = {}
    for ep in entry_points(group="jenkins_jobs.modules"):
        cls = ep.load()
        kind = getattr(cls, "component_type", None)
        list_type = getattr(cls, "component_list_type", None)
        if not kind or not list_type:
            continue
        names = out.setdefault(str(kind), set())
        module = importlib.import_module(cls.__module__)
        for attr in dir(module):
            func = module.__dict__.get(attr)
            doc = func.__doc__ if isinstance(func, types.FunctionType) else None
            first = doc.split("\n")[0] if isinstance(doc, str) else ""
            parts = first.split(" ")
            if first.startswith("yaml:") and len(parts) > 1:
                names.add(parts[1])
        names |= {e.name for e in entry_points(group=f"jenkins_jobs.{list_type}")}
    return {k: frozenset(v) for k, v in out.items()}
