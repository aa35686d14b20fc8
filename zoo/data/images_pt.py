"""PyTorch pipeline over image-folder samples: a ``DataLoader`` of NCHW float32 batches.

Decoding is ``images.load_rgb`` and the transforms are ``torchvision.transforms.v2``:
training uses ``RandomResizedCrop`` (or the eval resize + centre crop) and an optional
horizontal flip, evaluation resizes the shorter side to ``int(size / crop_fraction)`` and
centre-crops ``size`` (torchvision's 256 -> 224). Training visits ``images.epoch_order``,
the same order as the TF pipeline, and draws each image's augmentation from that image's
own seed, so a run does not depend on the number of workers.

Example:
    >>> split = images.scan_with_val("pets/", 0.2, seed=0)
    >>> loader = make_loader(split.train, 224, images.IMAGENET_MEAN, images.IMAGENET_STD, 32,
    ...                      train=True, augment={"flip": True, "random_resized_crop": True},
    ...                      workers=2, seed=0)
    >>> x, y = next(iter(loader))
    >>> x.shape, x.dtype, y.dtype
    (torch.Size([32, 3, 224, 224]), torch.float32, torch.int64)
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler
from torchvision.transforms import v2

from zoo.data import image_transforms, images
from zoo.errors import DatasetError


class ImageSamples(Dataset):
    """(path, label) samples -> (transformed image, label); a key is an index or (index, seed)."""

    def __init__(self, samples: Sequence[tuple[Path, int]], transform: Any) -> None:
        # numpy arrays rather than lists of str/int: forked workers would otherwise touch
        # every object's refcount and copy the whole list into each worker's memory
        self.paths = np.array([str(p) for p, _ in samples])
        self.labels = np.array([int(label) for _, label in samples], dtype=np.int64)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[torch.Tensor, int]:
        index, seed = key if isinstance(key, tuple) else (key, None)
        img = images.load_rgb(str(self.paths[index]))
        if seed is None:
            x = self.transform(img)
        else:
            # The transforms draw from torch's global CPU generator: seed it for this image,
            # then put it back. Directly on the generator: torch.manual_seed / fork_rng also
            # visit every accelerator backend and cost ~100 us per image, this costs ~2 us.
            generator = torch.default_generator
            state = generator.get_state()
            try:
                generator.manual_seed(seed)
                x = self.transform(img)
            finally:
                generator.set_state(state)
        return x, int(self.labels[index])


class EpochSampler(Sampler):
    """Yields (index, seed) in ``images.epoch_order(n, seed, epoch)``; each pass is one epoch."""

    def __init__(self, n: int, seed: int, epoch: int = 0) -> None:
        self.n, self.seed, self.epoch = n, seed, epoch

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[tuple[int, int]]:
        order, seeds = images.epoch_order(self.n, self.seed, self.epoch)
        self.epoch += 1
        image_seeds = (seeds[:, 0] << 31) | seeds[:, 1]  # one 62-bit torch seed per image
        return iter(zip(order.tolist(), image_seeds.tolist(), strict=True))


def transforms(image_size: int, mean: Sequence[float], std: Sequence[float], train: bool,
               augment: Mapping[str, Any] | None) -> v2.Compose:
    """The ``torchvision.transforms.v2`` pipeline ``make_loader`` applies to each RGB image.

    Example:
        >>> transforms(224, images.IMAGENET_MEAN, images.IMAGENET_STD, False, {})
        Compose(Resize(size=[256], ...), CenterCrop(size=(224, 224)), ToImage(), ...)
    """
    aug = image_transforms.check_augment(augment)
    mean, std = image_transforms.check_normalize(mean, std)
    if train and aug["random_resized_crop"]:
        steps = [v2.RandomResizedCrop(image_size, scale=aug["scale"], ratio=aug["ratio"],
                                      antialias=True)]
    else:
        resize_to = image_transforms.eval_resize(image_size, aug["crop_fraction"])
        steps = [v2.Resize(resize_to, antialias=True),
                 v2.CenterCrop(image_size)]
    if train and aug["flip"]:
        steps.append(v2.RandomHorizontalFlip())
    return v2.Compose([*steps, v2.ToImage(), v2.ToDtype(torch.float32, scale=True),
                       v2.Normalize(mean, std)])


def make_loader(samples: Sequence[tuple[Path, int]], image_size: int, mean: Sequence[float],
                std: Sequence[float], batch_size: int, train: bool,
                augment: Mapping[str, Any] | None, workers: int, seed: int, *,
                drop_last: bool = False, first_epoch: int = 0) -> DataLoader:
    """A ``DataLoader`` of (N, 3, size, size) float32 images and (N,) int64 labels.

    ``train``: a new seeded order every pass (``images.epoch_order``) and the ``augment``
    transforms; else the samples in order, resized and centre-cropped. ``workers`` > 0
    decodes in that many persistent worker processes. ``first_epoch``: the epoch the first
    pass is (a resumed run continues the order where it stopped).

    Example:
        >>> loader = make_loader(val, 224, images.IMAGENET_MEAN, images.IMAGENET_STD, 64,
        ...                      train=False, augment=None, workers=0, seed=0)
        >>> next(iter(loader))[0].shape
        torch.Size([64, 3, 224, 224])
    """
    if not samples:
        raise DatasetError("no samples to load; scan a non-empty image folder first")
    dataset = ImageSamples(samples, transforms(image_size, mean, std, train, augment))
    sampler = EpochSampler(len(dataset), seed, first_epoch) if train else None
    return DataLoader(
        dataset, batch_size=batch_size, sampler=sampler, num_workers=workers,
        persistent_workers=workers > 0, worker_init_fn=_seed_worker if workers > 0 else None,
        # seeds the workers' base seed, so the global torch generator is left alone
        generator=torch.Generator().manual_seed(seed), drop_last=drop_last,
    )


def _seed_worker(worker_id: int) -> None:
    # torch seeds each worker from the loader's generator; numpy and random get the same
    # seed so that a user transform drawing from them is reproducible too
    seed = torch.initial_seed() % 2**32
    np.random.seed(seed)
    random.seed(seed)
