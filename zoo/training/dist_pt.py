"""torch.distributed for the torch engine: process group, DDP, a DistributedSampler that
hands each rank its share of the single-process batches, and rank-0 agreement.

Started by ``torchrun`` (which sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT):
    $ torchrun --nproc-per-node 2 -m zoo train cnn --backend torch
"""

from __future__ import annotations

import contextlib
import datetime
import functools
from collections.abc import Callable, Iterator
from typing import Any

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

from zoo.training.cluster import Cluster, check_global_batch

#: a peer that stops answering fails the others after this long instead of hanging them
TIMEOUT = datetime.timedelta(seconds=120)


def setup(cluster: Cluster) -> None:
    """Join the process group: gloo on CPU, nccl when every rank has a GPU."""
    if cluster.distributed and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend, timeout=TIMEOUT)


def teardown() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()


def agree(value: Any, default: Callable[[], Any]) -> Any:
    """Rank 0's ``value`` (or ``default()``, e.g. a time-stamped run directory) on every rank."""
    box = [value if value is not None else default()]
    if dist.is_initialized():
        dist.broadcast_object_list(box, src=0)
    return box[0]


def scope() -> Any:
    """Nothing to enter: DDP wraps the model after it is built (same seed on every rank)."""
    return contextlib.nullcontext()


def barrier() -> None:
    if dist.is_initialized():
        dist.barrier()


def wrap(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """DDP: gradients are averaged over the ranks in backward (each rank's loss is the mean
    of its share, so the average is the mean over the global batch)."""
    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def mean_over_ranks(value: float) -> float:
    if not dist.is_initialized():
        return value
    t = torch.tensor([value], dtype=torch.float64)
    dist.all_reduce(t)
    return float(t.item()) / dist.get_world_size()


class GlobalBatchExamples(Dataset):
    """Example ``k`` = position ``k % B`` of global batch ``start + k // B``.

    A stock ``DistributedSampler(shuffle=False)`` over it gives rank ``r`` the indices
    ``r, r + W, r + 2W, ...``: batch after batch of size B/W, each exactly
    ``global_batch[r::W]`` of one step, the share ``cluster.take_share`` defines.
    """

    def __init__(self, batch_fn: Callable[[int], Any], start: int, stop: int,
                 global_batch: int) -> None:
        self.start, self.stop, self.size = start, stop, global_batch
        self._batch = functools.lru_cache(maxsize=2)(batch_fn)  # B/W lookups per batch

    def __len__(self) -> int:
        return (self.stop - self.start) * self.size

    def __getitem__(self, k: int) -> Any:
        step, position = divmod(k, self.size)
        x, y = self._batch(self.start + step)
        if isinstance(x, tuple):
            return tuple(part[position] for part in x), y[position]
        return x[position], y[position]


def loader(batch_fn: Callable[[int], Any], start: int, stop: int, global_batch: int,
           cluster: Cluster, workers: int) -> Iterator[Any]:
    """This rank's batches for steps ``start..stop`` through a DistributedSampler."""
    per_rank = check_global_batch(global_batch, cluster)
    dataset = GlobalBatchExamples(batch_fn, start, stop, global_batch)
    sampler = DistributedSampler(dataset, num_replicas=cluster.world, rank=cluster.rank,
                                 shuffle=False, drop_last=True)
    return iter(DataLoader(dataset, batch_size=per_rank, sampler=sampler,
                           num_workers=workers, prefetch_factor=4 if workers else None))
