"""tf.distribute for the TF engine: ``MultiWorkerMirroredStrategy`` from ``TF_CONFIG``
(one process per worker, collective all-reduce between them).

Keras ``model.fit`` under this strategy fails on this stack (notes/distributed.md); the
zoo's own ``tf.function`` step runs under ``strategy.run`` instead (``loop_tf.Trainer``).
The strategy must exist before any other TensorFlow op, so ``setup`` runs first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from zoo.errors import ZooError
from zoo.training.cluster import Cluster

#: a peer that stops answering fails the collective ops after this long instead of hanging
TIMEOUT_S = 120
_strategy: Any = None


def setup(cluster: Cluster) -> None:
    """Create the process's strategy (once)."""
    global _strategy
    if cluster.distributed and _strategy is None:
        options = tf.distribute.experimental.CommunicationOptions(timeout_seconds=TIMEOUT_S)
        _strategy = tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)


def strategy() -> Any:
    return _strategy


def scope() -> Any:
    """Where variables and the optimizer must be created: mirrored on every worker."""
    return _strategy.scope() if _strategy is not None else contextlib.nullcontext()


def agree(value: Any, default: Callable[[], Any]) -> Any:
    """Workers cannot exchange Python objects before training starts, so no ``default``: the
    run directory must be given (``zoo train --workers`` passes one to every worker)."""
    if _strategy is not None and value is None:
        raise ZooError("a multi-worker TF run needs --out DIR (the same run directory for "
                       "every worker, on a file system they share)")
    return value


def barrier() -> None:
    """Nothing to wait for: only the chief reads or writes the run directory's files
    before training, and MultiWorkerMirroredStrategy synchronises the first step."""


def teardown() -> None:
    """Collective ops end with the process; nothing to release."""
