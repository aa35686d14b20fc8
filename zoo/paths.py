"""Where the shipped data lives: inside the wheel (``zoo/_data``) or in the source tree.

Example:
    >>> (data_dir("training") / "sine.toml").is_file()
    True
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: the read-only hub that ships the small trained weights
BUNDLED_HUB = PACKAGE / "_bundled_hub"


def data_dir(name: str) -> Path:
    """``training`` or ``weights_manifest``: the wheel's copy, else the repo's top-level one."""
    installed = PACKAGE / "_data" / name
    return installed if installed.is_dir() else PACKAGE.parent / name


def zoo_home() -> Path:
    """``$ZOO_HOME``, else ``~/.cache/zoo``: the user's hub, manifest and caches."""
    home = os.environ.get("ZOO_HOME")
    return Path(home).expanduser() if home else Path.home() / ".cache" / "zoo"


def user_manifest_dir() -> Path:
    """Manifest entries of weights this user published or imported locally."""
    return zoo_home() / "weights_manifest"
