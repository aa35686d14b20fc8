"""MNIST-format IDX files (MNIST, Fashion-MNIST), plain or gzipped, as numpy arrays.

IDX is big-endian: two zero bytes, a type code, a dimension count, one uint32 per
dimension, then the data in C order.

Example:
    >>> images, labels = load_split(dataset_dir("fashion-mnist"), "test")
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((10000, 28, 28), dtype('uint8'), (10000,), dtype('int64'))
    >>> FASHION_MNIST_CLASSES[labels[0]]
    'Ankle boot'
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import uuid
import zlib
from pathlib import Path

import numpy as np

from zoo.errors import ZooError

# type code -> big-endian numpy dtype, as the IDX format defines them
_CODE_TO_DTYPE = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# keyed by (kind, itemsize) so that any byte order of a supported dtype is accepted
_KIND_TO_CODE = {(dt.kind, dt.itemsize): code for code, dt in _CODE_TO_DTYPE.items()}
_GZIP_MAGIC = b"\x1f\x8b"
_MAX_NDIM = 4  # MNIST uses 1 (labels) and 3 (images); more is almost surely a misread header

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian dataset-fashion-mnist
FASHION_MNIST_CLASSES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]
MNIST_CLASSES = [str(d) for d in range(10)]

_DATASETS = {
    "fashion-mnist": (
        "ZOO_FASHION_MNIST",
        "sudo apt-get install dataset-fashion-mnist (Debian), or point ZOO_FASHION_MNIST / "
        "root= at a directory with the four IDX files",
    ),
    "mnist": (
        "ZOO_MNIST",
        "download the four MNIST IDX files and pass root= or set ZOO_MNIST",
    ),
}


class IdxError(ZooError):
    """An IDX file or dataset directory that is missing, malformed or of the wrong kind."""


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in the IDX file ``path`` (gzip is detected by its magic bytes).

    Example:
        >>> read_idx("t10k-labels-idx1-ubyte.gz").shape
        (10000,)
    """
    path = Path(path)
    if not path.is_file():
        what = "is a directory, not a file" if path.is_dir() else "does not exist"
        raise IdxError(f"IDX file {path} {what}; check the path (or the dataset directory)")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise IdxError(f"cannot read IDX file {path}: {err}") from err
    if not raw:
        raise IdxError(f"IDX file {path} is empty (0 bytes); re-download or regenerate it")

    # Detect gzip by content, not suffix: downloads often lose or gain the .gz. An IDX file
    # always starts with two zero bytes, so it can never be mistaken for gzip.
    gz = raw[:2] == _GZIP_MAGIC
    if gz:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as err:
            raise IdxError(f"IDX file {path} is a corrupt or incomplete gzip stream ({err}); "
                           "re-download it") from err
    where = f"{path} (after gunzip)" if gz else str(path)

    if len(raw) < 4:
        raise IdxError(f"not an IDX file: {where} has {len(raw)} bytes, fewer than the 4-byte "
                       "magic number; re-download or regenerate it")
    (magic,) = struct.unpack(">I", raw[:4])
    code, ndim = raw[2], raw[3]
    if raw[:2] != b"\x00\x00" or code not in _CODE_TO_DTYPE:
        raise IdxError(f"not an IDX file: bad magic number 0x{magic:08x} in {where}; an IDX "
                       "file starts with 0x0000 then a type code 08/09/0b/0c/0d/0e (is it an "
                       "HTML error page, an image or an archive instead?)")
    if not 1 <= ndim <= _MAX_NDIM:
        raise IdxError(f"IDX file {where} declares {ndim} dimensions (magic 0x{magic:08x}); "
                       f"only 1..{_MAX_NDIM} are supported, so it is probably not an "
                       "MNIST-format file")

    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IdxError(f"truncated or wrong file: {where} has {len(raw)} bytes, fewer than its "
                       f"{header}-byte header; re-download it")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = _CODE_TO_DTYPE[code]
    expected = header + math.prod(shape) * dtype.itemsize  # Python ints: no overflow
    if len(raw) != expected:
        problem = ("truncated or wrong file" if len(raw) < expected
                   else f"{len(raw) - expected} trailing bytes after the data")
        raise IdxError(f"{problem}: {where} declares shape {shape} of {dtype.newbyteorder('=')}"
                       f", so expected {expected} bytes but found {len(raw)}; re-download it "
                       "or check that it is the right file")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    # astype copies: the result is native-endian and writable (frombuffer over bytes is not)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file, gzipped if ``compress`` (default: if the name ends .gz).

    The file appears atomically: readers never see a half-written file.

    Example:
        >>> write_idx("labels-idx1-ubyte.gz", np.array([3, 1, 4], dtype=np.uint8))
    """
    path = Path(path)
    array = np.asarray(array)
    code = _KIND_TO_CODE.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise IdxError(f"cannot write {path}: IDX has no type for dtype {array.dtype}; cast to "
                       "uint8, int8, int16, int32, float32 or float64 first")
    if not 1 <= array.ndim <= _MAX_NDIM:
        raise IdxError(f"cannot write {path}: array has {array.ndim} dimensions, read_idx "
                       f"supports 1..{_MAX_NDIM}; reshape it first")
    payload = (struct.pack(">HBB", 0, code, array.ndim)
               + struct.pack(f">{array.ndim}I", *array.shape)
               + np.ascontiguousarray(array, dtype=_CODE_TO_DTYPE[code]).tobytes())
    if compress is None:
        compress = path.name.endswith(".gz")
    if compress:
        payload = gzip.compress(payload, mtime=0)  # mtime=0: same array, same bytes

    if not path.parent.is_dir():
        raise IdxError(f"cannot write {path}: directory {path.parent} does not exist; "
                       "create it first")
    # Same directory so os.replace is a rename on one filesystem; os.open with 0o666 lets
    # the umask decide the permissions, as for any ordinary file (mkstemp would force 0600).
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise IdxError(f"cannot write IDX file {path}: {err}") from err


def find_split(root: str | Path, split: str) -> tuple[Path, Path]:
    """The (images, labels) files of ``split`` under ``root``, plain preferred over ``.gz``.

    Example:
        >>> find_split("/usr/share/datasets/fashion-mnist", "test")[1].name
        't10k-labels-idx1-ubyte.gz'
    """
    root = Path(root)
    if split not in FILES:
        raise IdxError(f"unknown split {split!r} for {root}; use one of {sorted(FILES)}")
    if not root.is_dir():
        raise IdxError(f"dataset directory {root} does not exist or is not a directory")
    found = []
    for kind, name in zip(("images", "labels"), FILES[split], strict=True):
        candidates = [root / name, root / f"{name}.gz"]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            raise IdxError(f"no {split} {kind} file in {root}: looked for "
                           f"{' and '.join(c.name for c in candidates)}; the directory has "
                           f"{_listing(root)}. Put the MNIST-format IDX files there")
        found.append(hit)
    return found[0], found[1]


def load_split(root: str | Path, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Images (N, H, W) uint8 and labels (N,) int64 of ``split`` under ``root``.

    Example:
        >>> images, labels = load_split(dataset_dir(), "train")
        >>> images.shape, labels.shape
        ((60000, 28, 28), (60000,))
    """
    images_path, labels_path = find_split(root, split)
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise IdxError(f"{images_path} holds {images.dtype} of shape {images.shape}, expected "
                       "uint8 images (N, H, W); is it a labels file or another dataset?")
    # Labels are uint8 in MNIST; any integer type converts to int64 without loss.
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise IdxError(f"{labels_path} holds {labels.dtype} of shape {labels.shape}, expected "
                       "integer labels (N,); is it an images file or another dataset?")
    if len(images) != len(labels):
        raise IdxError(f"{images_path} has {len(images)} images but {labels_path} has "
                       f"{len(labels)} labels; the two files are from different splits or "
                       "datasets, or one is incomplete")
    return images, labels.astype(np.int64)


def dataset_dir(name: str = "fashion-mnist", root: str | Path | None = None) -> Path:
    """The directory of dataset ``name``: ``root``, else its environment variable, else default.

    Example:
        >>> dataset_dir("fashion-mnist")  # with ZOO_FASHION_MNIST unset
        PosixPath('/usr/share/datasets/fashion-mnist')
    """
    if name not in _DATASETS:
        raise IdxError(f"unknown IDX dataset {name!r}; use one of {sorted(_DATASETS)}")
    env, fix = _DATASETS[name]
    if root is not None:
        where, source = Path(root), "root="
    elif os.environ.get(env):
        where, source = Path(os.environ[env]).expanduser(), f"${env}"
    elif name == "fashion-mnist":
        where, source = FASHION_MNIST_DIR, "the default"
    else:
        raise IdxError(f"no {name} directory given (root= not passed, ${env} not set); {fix}")
    if not where.is_dir():
        raise IdxError(f"{name} directory {where} (from {source}) does not exist or is not a "
                       f"directory; {fix}")
    return where


def _listing(root: Path, limit: int = 20) -> str:
    """The names in ``root``, for error messages; long listings are cut at ``limit``."""
    names = sorted(p.name for p in root.iterdir())
    if not names:
        return "nothing (it is empty)"
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more
