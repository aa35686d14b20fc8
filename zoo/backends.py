"""Import a framework on demand, with an error naming the extra when it is missing.

Nothing here imports a framework at module level, so ``import zoo`` stays light.

Example:
    >>> from zoo.backends import check_backend
    >>> check_backend("tf")
    'tf'
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

from zoo.errors import BackendNotInstalledError, ZooError

#: backend -> (module to import, pip extra), in the order torch must come first
FRAMEWORKS = {"torch": ("torch", "torch"), "tf": ("tensorflow", "tf")}
#: each backend's counterpart, for conversion
OTHER = {"torch": "tf", "tf": "torch"}
ALIASES = {"pytorch": "torch", "pt": "torch", "tensorflow": "tf", "keras": "tf"}


def check_backend(backend: str) -> str:
    """Normalise a backend name ("torch" | "tf", aliases accepted) or raise."""
    backend = ALIASES.get(backend, backend)
    if backend not in FRAMEWORKS:
        raise ZooError(f"unknown backend {backend!r}; use one of {list(FRAMEWORKS)}")
    return backend


def require(backend: str) -> ModuleType:
    """Import the framework of ``backend`` or raise naming the pip extra to install."""
    backend = check_backend(backend)
    module, extra = FRAMEWORKS[backend]
    if (backend == "tf" and "torch" in sys.modules and "torchvision" not in sys.modules
            and "tensorflow" not in sys.modules):
        # torchvision imported after TensorFlow segfaults on this stack (notes/conversion.md 0):
        # in a process that already has torch, bring torchvision in before TF arrives
        _try_import("torchvision")
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise BackendNotInstalledError(
            f"backend {backend!r} needs {module}, which is not installed ({err}). "
            f"Install it with: pip install 'zoo[{extra}]'"
        ) from err


def check_torchvision_importable(purpose: str) -> None:
    """Raise (instead of segfaulting) when torchvision would be imported after TensorFlow.

    Example:
        >>> check_torchvision_importable("the PyTorch ResNet")   # fine in a torch-first process
    """
    # torchvision imported after TensorFlow segfaults on this stack (notes/conversion.md 0)
    if "tensorflow" in sys.modules and "torchvision" not in sys.modules:
        raise ZooError(f"{purpose} needs torchvision, which cannot be imported after TensorFlow "
                       "in the same process; run it in a fresh process (the zoo command line) "
                       "or `import torch, torchvision` before anything imports tensorflow")


def require_both() -> None:
    """Import torch, torchvision, then TensorFlow: the only order that works together.

    In a process that imported TensorFlow first, torchvision is left out (importing it after
    TF segfaults); torch itself is safe after TF.
    """
    tf_first = "tensorflow" in sys.modules
    require("torch")
    if not tf_first:
        _try_import("torchvision")
    require("tf")


def _try_import(name: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError:
        pass


def backend_of(model: Any) -> str:
    """"torch" for a torch.nn.Module, "tf" for a keras.Model, without importing either."""
    for klass in type(model).__mro__:
        root = klass.__module__.split(".")[0]
        if root == "torch":
            return "torch"
        if root in ("keras", "tensorflow", "tf_keras"):
            return "tf"
    raise ZooError(
        f"{type(model).__name__} is neither a torch.nn.Module nor a keras.Model; "
        "pass a model made by zoo.create / zoo.load"
    )
