"""``zoo import <library> MODEL``: weights trained by another library -> one hub commit with
both backends, parity, a card and a user manifest entry (so ``zoo.load`` finds them offline).

Imports no framework: each importer module is loaded when it is used.

Example:
    >>> importer("torchvision")("resnet50", weights="IMAGENET1K_V2", source="resnet50.pth")
    >>> zoo.load("resnet50:imagenet1k-v2", backend="tf")
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zoo import registry
from zoo.errors import ZooError

#: library name -> "module:function" of its importer
IMPORTERS = {"torchvision": "zoo.importers.torchvision:import_torchvision"}


def importer(library: str) -> Callable[..., Any]:
    """The import function for ``library``; unknown libraries raise listing the known ones.

    Example:
        >>> importer("torchvision").__name__
        'import_torchvision'
    """
    if library not in IMPORTERS:
        raise ZooError(f"zoo cannot import weights from {library!r}; supported libraries: "
                       f"{', '.join(IMPORTERS)} (e.g. zoo import torchvision resnet50 "
                       "--weights IMAGENET1K_V2)")
    return registry.load_object(IMPORTERS[library])
