"""Image folders in torchvision's ``ImageFolder`` layout (``root/<class>/**/<image>``).

Numpy and PIL only. Scanning gives the same classes, class indices and sample order as
``torchvision.datasets.ImageFolder`` (minus hidden folders and files, which it keeps), checks
every image on the way and skips the corrupt ones. Splits, sample orders and augmentation
settings are plain numpy / dict values that the PyTorch pipeline (``images_pt``) and the TF
pipeline (``images_tf``) both consume, so the two see the same images in the same order.

EXIF orientation is not applied (neither torchvision nor TensorFlow applies it).

Example:
    >>> split = scan_with_val("flowers/", val_fraction=0.1, seed=0)
    >>> print(split.summary())                       # one line per class, totals, skipped
    >>> split.classes[:2], len(split.train), len(split.val)
    (['daisy', 'dandelion'], 3303, 367)
    >>> load_rgb(split.train[0][0]).mode
    'RGB'
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

# re-exported: callers of the folder API name the ImageNet statistics and augment checks here
from zoo.data.image_transforms import IMAGENET_MEAN, IMAGENET_STD, check_augment  # noqa: F401
from zoo.errors import DatasetError

log = logging.getLogger("zoo")

#: torchvision's ``IMG_EXTENSIONS``; matched case-insensitively (``.JPG`` counts)
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"}
)
# Errors PIL raises on a corrupt or unsupported file (SyntaxError: some plugins' header checks).
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError,
                  Image.DecompressionBombError)
_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")
_ORDER_STREAM = 1  # keeps epoch_order's seeds apart from split's (seed, class) streams


@dataclasses.dataclass(frozen=True)
class ImageFolderIndex:
    """What ``scan`` found: classes (index = position), usable samples, skipped files."""

    root: Path
    classes: list[str]
    samples: list[tuple[Path, int]]
    skipped: list[tuple[Path, str]]  # (path, reason)

    def counts(self) -> dict[str, int]:
        """Usable images per class, in class order.

        Example:
            >>> scan("pets/").counts()
            {'cat': 120, 'dog': 118}
        """
        per = Counter(label for _, label in self.samples)
        return {name: per[i] for i, name in enumerate(self.classes)}

    def summary(self) -> str:
        """One line per class with its count, then the totals and what was skipped.

        Example:
            >>> print(scan("pets/").summary())
            pets: 2 classes, 238 images, 1 skipped (corrupt or unreadable)
              cat  120  (1 skipped)
              dog  118
        """
        bad = _skipped_per_class(self.root, self.skipped)
        lines = [f"{self.root}: {len(self.classes)} classes, {len(self.samples)} images, "
                 f"{len(self.skipped)} skipped (corrupt or unreadable)"]
        width = max(map(len, self.classes), default=0)
        for name, n in self.counts().items():
            extra = f"  ({bad[name]} skipped)" if bad[name] else ""
            lines.append(f"  {name:<{width}}  {n:>6}{extra}")
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class FolderSplit:
    """Training and validation samples over one class list (see ``scan_with_val``)."""

    classes: list[str]
    train: list[tuple[Path, int]]
    val: list[tuple[Path, int]]
    skipped: list[tuple[Path, str]]
    source: str  # "folders": root/train + root/val; "split": root split by ``split``
    root: Path | None = None

    def summary(self) -> str:
        """One line per class with its train / val counts, then totals and skipped files.

        Example:
            >>> print(scan_with_val("pets/", 0.2, seed=0).summary())
            pets (split): 2 classes, 190 train + 48 val images, 0 skipped
              class  train    val
              cat       96     24
              dog       94     24
        """
        tr = Counter(label for _, label in self.train)
        va = Counter(label for _, label in self.val)
        width = max([5, *map(len, self.classes)])
        lines = [f"{self.root} ({self.source}): {len(self.classes)} classes, {len(self.train)} "
                 f"train + {len(self.val)} val images, {len(self.skipped)} skipped",
                 f"  {'class':<{width}}  {'train':>6} {'val':>6}"]
        lines += [f"  {name:<{width}}  {tr[i]:>6} {va[i]:>6}"
                  for i, name in enumerate(self.classes)]
        return "\n".join(lines)


def is_image_file(name: str) -> bool:
    """Whether ``name`` has one of ``IMAGE_EXTENSIONS`` (any case) and is not hidden.

    Example:
        >>> is_image_file("a.JPG"), is_image_file(".a.jpg"), is_image_file("a.txt")
        (True, False, False)
    """
    return not name.startswith(".") and os.path.splitext(name)[1].lower() in IMAGE_EXTENSIONS


def scan(root: str | Path, check: bool = True) -> ImageFolderIndex:
    """Classes and ``(path, class index)`` samples of the image folder ``root``.

    Classes are the sub-folders of ``root`` in ``sorted`` order and files are walked like
    torchvision's ``ImageFolder`` (recursively, links followed, sorted), so indices and order
    match it; hidden folders and files and other extensions are ignored. With ``check``
    every image is opened and verified (JPEGs decoded at 1/8 scale, a few thousand images/s
    per core for small photos) and a corrupt one is skipped with a warning, listed in
    ``skipped``; ``check=False`` only lists files (for very large folders).

    Example:
        >>> index = scan("pets/")
        >>> index.classes, index.samples[0]
        (['cat', 'dog'], (PosixPath('pets/cat/001.jpg'), 0))
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        what = "is a file, not a directory" if root.exists() else "does not exist"
        raise DatasetError(f"image folder {root} {what}; pass the directory that holds one "
                           "sub-folder per class")
    # entry.is_dir() follows symlinks, as in torchvision's find_classes
    classes = sorted(e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith("."))
    if not classes:
        loose = sum(is_image_file(e.name) for e in os.scandir(root) if e.is_file())
        found = f"; it has {loose} image files directly inside" if loose else ""
        raise DatasetError(f"no class sub-folders in {root}{found}: expected one sub-folder per "
                           "class, like torchvision ImageFolder (root/cat/1.jpg, root/dog/2.jpg)")

    files: list[tuple[Path, int]] = []
    other = Counter()  # class index -> files with other extensions
    for index, name in enumerate(classes):
        for path in _walk(root / name):
            if is_image_file(path.name):
                files.append((path, index))
            else:
                other[index] += not path.name.startswith(".")
    # PIL releases the GIL while it reads and decodes, so threads check files in parallel
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        reasons = (list(pool.map(_check_image, [p for p, _ in files])) if check
                   else [None] * len(files))

    samples: list[tuple[Path, int]] = []
    skipped: list[tuple[Path, str]] = []
    bad = Counter()
    for (path, index), reason in zip(files, reasons, strict=True):
        if reason is None:
            samples.append((path, index))
        else:
            log.warning("skipping corrupt image %s: %s", path, reason)
            skipped.append((path, reason))
            bad[index] += 1
    found = Counter(index for _, index in samples)
    empty = [f"{root / name} ({bad[i]} corrupt images skipped, {other[i]} files with other "
             "extensions)" for i, name in enumerate(classes) if not found[i]]
    if empty:
        raise DatasetError(
            f"{len(empty)} class folder(s) in {root} have no usable image: {'; '.join(empty)}. "
            f"Put at least one {'/'.join(sorted(IMAGE_EXTENSIONS))} image in each, or remove "
            "the folder (every sub-folder of the root is a class)")
    return ImageFolderIndex(root, classes, samples, skipped)


def split(index: ImageFolderIndex | Sequence[tuple[Path, int]], val_fraction: float,
          seed: int) -> tuple[list[tuple[Path, int]], list[tuple[Path, int]]]:
    """Deterministic stratified (train, val) split of the samples, each in scan order.

    Per class, ``round(n * val_fraction)`` images chosen by ``default_rng([seed, class])``
    go to val, at least one when the class has two or more images and ``val_fraction > 0``,
    and never the last training image. A pure function of (samples, seed).

    Example:
        >>> train, val = split(scan("pets/"), 0.2, seed=0)
        >>> len(train), len(val)
        (190, 48)
    """
    samples = index.samples if isinstance(index, ImageFolderIndex) else list(index)
    if not 0.0 <= val_fraction < 1.0:
        raise DatasetError(f"val_fraction={val_fraction} must be in [0, 1); e.g. 0.1 keeps "
                           "10% of every class for validation")
    _check_seed(seed)
    by_class: dict[int, list[int]] = {}
    for i, (_, label) in enumerate(samples):
        by_class.setdefault(int(label), []).append(i)
    in_val = np.zeros(len(samples), dtype=bool)
    for label, members in by_class.items():
        n = len(members)
        n_val = round(n * val_fraction)
        if val_fraction > 0 and n >= 2:
            n_val = min(max(n_val, 1), n - 1)
        else:
            n_val = 0
        chosen = np.random.default_rng([seed, label]).permutation(n)[:n_val]
        in_val[np.asarray(members)[chosen]] = True
    train = [s for s, v in zip(samples, in_val, strict=True) if not v]
    val = [s for s, v in zip(samples, in_val, strict=True) if v]
    return train, val


def scan_with_val(root: str | Path, val_fraction: float, seed: int,
                  check: bool = True) -> FolderSplit:
    """Training and validation samples of ``root``.

    If ``root/train`` and ``root/val`` both exist they are the two image folders (their
    class folders must be the same; ``val_fraction`` is then unused), else ``root`` is
    scanned and ``split`` by ``val_fraction`` and ``seed``.

    Example:
        >>> scan_with_val("imagenette/", 0.1, seed=0).source   # has train/ and val/
        'folders'
    """
    root = Path(root).expanduser()
    if (root / "train").is_dir() and (root / "val").is_dir():
        train, val = scan(root / "train", check), scan(root / "val", check)
        if train.classes != val.classes:
            only_train = sorted(set(train.classes) - set(val.classes))
            only_val = sorted(set(val.classes) - set(train.classes))
            raise DatasetError(
                f"{root / 'train'} and {root / 'val'} must have the same class folders; only "
                f"in train: {only_train or 'none'}, only in val: {only_val or 'none'}. Add or "
                "rename folders so that both list the same classes")
        return FolderSplit(train.classes, train.samples, val.samples,
                           train.skipped + val.skipped, "folders", root)
    index = scan(root, check)
    train_s, val_s = split(index, val_fraction, seed)
    return FolderSplit(index.classes, train_s, val_s, index.skipped, "split", root)


def load_rgb(path: str | Path) -> Image.Image:
    """The image at ``path`` as an RGB PIL image (alpha dropped, 16-bit scaled to 8-bit).

    Grey, 1-bit, palette (with or without transparency), LA, RGBA and CMYK all become RGB;
    16-bit grey keeps its high byte (as TensorFlow's decoders do; PIL's own ``convert``
    would clip it to 255).

    Example:
        >>> load_rgb("pets/cat/001.png").mode
        'RGB'
    """
    path = Path(path)
    try:
        with Image.open(path) as img:
            img.load()
            return _to_rgb(img)
    except FileNotFoundError:
        raise DatasetError(f"image file {path} does not exist (moved or deleted after the "
                           "folder was scanned?); scan the folder again") from None
    except _DECODE_ERRORS as err:
        raise DatasetError(f"cannot decode image {path} ({type(err).__name__}: {err}); replace "
                           "or delete the file (scan(..., check=True) skips such files)") from err


def write_image_folder(root: str | Path, images: np.ndarray, labels: Sequence[int] | np.ndarray,
                       class_names: Sequence[str], fmt: str = "png",
                       quality: int = 90) -> list[str]:
    """Write ``images`` as ``root/<class name>/<i:05d>.<fmt>``; returns the folder's classes.

    ``images`` is uint8 (N, H, W) grey or (N, H, W, 3) RGB; ``labels[i]`` indexes
    ``class_names``. Every class gets a folder, even without images. The output is a
    function of the inputs (same bytes every time). Scanning the folder indexes classes in
    ``sorted(class_names)`` order, which is what is returned.

    Example:
        >>> write_image_folder("fm/", images[:100], labels[:100], ["bag", "coat", "shirt"])
        ['bag', 'coat', 'shirt']
    """
    root = Path(root)
    images = np.asarray(images)
    labels = np.asarray(labels)
    fmt = fmt.lower().lstrip(".")
    if f".{fmt}" not in IMAGE_EXTENSIONS:
        raise DatasetError(f"fmt={fmt!r} is not an image folder format; use one of "
                           f"{sorted(e[1:] for e in IMAGE_EXTENSIONS)}")
    if images.dtype != np.uint8 or not (images.ndim == 3 or (images.ndim == 4
                                                             and images.shape[-1] == 3)):
        raise DatasetError(f"images must be uint8 (N, H, W) or (N, H, W, 3); got {images.dtype} "
                           f"of shape {images.shape}")
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise DatasetError(f"labels must be {len(images)} integers, one per image; got "
                           f"{labels.dtype} of shape {labels.shape}")
    for name in class_names:
        if not name or "/" in name or os.sep in name or name.startswith(".") or name == "..":
            raise DatasetError(f"class name {name!r} cannot be a folder name (empty, contains a "
                               "path separator or starts with '.'); rename it, e.g. "
                               f"{name.replace('/', '-').replace(os.sep, '-').lstrip('.')!r}")
    if len(set(class_names)) != len(class_names):
        raise DatasetError(f"class names must be distinct; got {list(class_names)}")
    if len(labels) and not 0 <= labels.min() <= labels.max() < len(class_names):
        raise DatasetError(f"labels must be in 0..{len(class_names) - 1} (one per class name); "
                           f"got {labels.min()}..{labels.max()}")
    options = {"quality": quality} if fmt in ("jpg", "jpeg", "webp") else {}
    for name in class_names:
        (root / name).mkdir(parents=True, exist_ok=True)
    for i, (img, label) in enumerate(zip(images, labels, strict=True)):
        Image.fromarray(img).save(root / class_names[label] / f"{i:05d}.{fmt}", **options)
    return sorted(class_names)


def epoch_order(n: int, seed: int, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """Training order (n,) and per-image augmentation seeds (n, 2) of one epoch.

    Both pipelines visit the images in this order, so they batch the same labels; each
    image's augmentation is drawn from its own seeds, whatever the number of workers.

    Example:
        >>> order, seeds = epoch_order(5, seed=0, epoch=0)
        >>> sorted(order.tolist()), seeds.shape
        ([0, 1, 2, 3, 4], (5, 2))
    """
    _check_seed(seed)
    rng = np.random.default_rng([seed, epoch, _ORDER_STREAM])
    return rng.permutation(n), rng.integers(0, 2**31 - 1, size=(n, 2), dtype=np.int64)


def _walk(folder: Path) -> list[Path]:
    """Files under ``folder`` in torchvision's order, hidden sub-folders pruned."""
    walked = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        walked.append((dirpath, dirnames, filenames))
    # torchvision sorts the (dirpath, dirnames, filenames) tuples, i.e. by dirpath
    return [Path(dirpath, f) for dirpath, _, files in sorted(walked) for f in sorted(files)]


def _check_image(path: Path) -> str | None:
    """None if ``path`` looks like a whole image, else why not."""
    try:
        with Image.open(path) as img:
            fmt = img.format
            img.verify()  # checks structure and checksums (PNG CRCs) without decoding
        if fmt == "JPEG":
            # verify() does not read JPEG scan data, so truncation would only show at
            # training time; a 1/8-scale decode reads all of it for a fraction of the cost.
            with Image.open(path) as img:
                img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))
                img.load()
    except _DECODE_ERRORS as err:
        return f"{type(err).__name__}: {err}"
    return None


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "RGB":
        return img
    if img.mode in _SIXTEEN_BIT:
        high = np.clip(np.asarray(img).astype(np.int64), 0, 65535) >> 8
        return Image.fromarray(high.astype(np.uint8)).convert("RGB")
    if img.mode == "P" and "transparency" in img.info or img.mode == "PA":
        img = img.convert("RGBA")  # direct P -> RGB with transparency makes PIL warn
    return img.convert("RGB")


def _skipped_per_class(root: Path, skipped: list[tuple[Path, str]]) -> Counter:
    out: Counter = Counter()
    for path, _ in skipped:
        try:
            out[path.relative_to(root).parts[0]] += 1
        except ValueError:
            pass
    return out


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise DatasetError(f"seed={seed!r} must be a non-negative integer")
