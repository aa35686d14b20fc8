"""Who is who in a multi-process run, read from what the launchers set, and how one global
batch is split between the processes. Imports no framework.

``torchrun`` sets ``RANK`` / ``WORLD_SIZE``; ``tf.distribute.MultiWorkerMirroredStrategy``
reads ``TF_CONFIG``. The recipe's batch size stays the *global* batch: every process takes
an equal interleaved share of the batch a single process would have drawn at that step
(``global[rank::world]``), so N processes see exactly the single-process batches, and the
learning rate is the recipe's (never rescaled).

Example:
    >>> cluster = detect("torch")            # Cluster(backend='torch', rank=0, world=1)
    >>> shard_batches(batch_fn, cluster)(0)  # this process's share of step 0's batch
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from typing import Any

from zoo.errors import RecipeError, ZooError


@dataclasses.dataclass(frozen=True)
class Cluster:
    """This process's place in the run: ``rank`` of ``world`` processes."""

    backend: str
    rank: int = 0
    world: int = 1

    @property
    def chief(self) -> bool:
        """Rank 0 writes checkpoints, logs, plots, weights and metrics; the others train."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1


def _torch_cluster() -> Cluster:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    return Cluster("torch", int(os.environ.get("RANK", "0")), world)


def _tf_cluster() -> Cluster:
    text = os.environ.get("TF_CONFIG")
    if not text:
        return Cluster("tf")
    try:
        config = json.loads(text)
        workers = config["cluster"]["worker"]
        task = config["task"]
    except (ValueError, KeyError, TypeError) as err:
        raise ZooError(f"TF_CONFIG is not valid ({err}); expected "
                       '{"cluster": {"worker": ["host:port", ...]}, '
                       '"task": {"type": "worker", "index": N}}') from None
    if task.get("type") not in ("worker", "chief"):
        raise ZooError(f"TF_CONFIG task type {task.get('type')!r}: zoo runs only 'worker' tasks")
    return Cluster("tf", int(task.get("index", 0)), len(workers))


#: backend -> how that backend's launcher describes the cluster
DETECTORS: dict[str, Callable[[], Cluster]] = {"torch": _torch_cluster, "tf": _tf_cluster}


def detect(backend: str) -> Cluster:
    """The cluster this process belongs to (world 1 when no launcher set one up)."""
    return DETECTORS[backend]()


def check_global_batch(global_batch: int, cluster: Cluster) -> int:
    """The per-process batch; the global batch must split evenly."""
    if global_batch % cluster.world:
        raise RecipeError(f"the recipe's global batch size {global_batch} does not split "
                          f"evenly over {cluster.world} processes; choose a process count "
                          "that divides it (the batch size is kept, never rescaled)")
    return global_batch // cluster.world


def take_share(batch: Any, cluster: Cluster) -> Any:
    """``batch[rank::world]`` of an array or of every array in a tuple."""
    if isinstance(batch, tuple):
        return tuple(take_share(part, cluster) for part in batch)
    return batch[cluster.rank :: cluster.world]


def shard_batches(batch_fn: Callable[[int], Any], cluster: Cluster) -> Callable[[int], Any]:
    """``step -> this process's share of the step's global batch`` (augmentation included:
    it is drawn for the global batch, exactly as a single process draws it)."""
    if not cluster.distributed:
        return batch_fn

    def share(step: int) -> Any:
        return take_share(batch_fn(step), cluster)

    return share
