"""Where vendorci keeps its own files (platformdirs), resolved lazily."""

from __future__ import annotations

import os
from pathlib import Path

APP = "vendorci"


def user_config_file() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP) / "config.yaml"


def user_log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path(APP)


def user_cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP)


def default_known_hosts() -> Path:
    return Path(os.path.expanduser("~/.ssh/known_hosts"))
