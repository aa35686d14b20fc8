"""IDX reading and writing: round trips, a hand-built file, every malformed-file error, split
discovery, dataset directories, and the real Fashion-MNIST files when they are installed."""

from __future__ import annotations

import gzip
import os
import re
import struct

import numpy as np
import pytest

from zoo.data import idx
from zoo.data.idx import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR,
    FILES,
    MNIST_CLASSES,
    IdxError,
    dataset_dir,
    find_split,
    load_split,
    read_idx,
    write_idx,
)
from zoo.errors import ZooError

DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]


def sample(dtype, shape) -> np.ndarray:
    """Values that use the whole range of small types (negatives, >127) so byte order matters."""
    n = int(np.prod(shape))
    if np.dtype(dtype).kind == "f":
        return (np.arange(n) * -1.25 + 3.5).astype(dtype).reshape(shape)
    info = np.iinfo(dtype)
    values = np.linspace(info.min, info.max, n).round()
    return values.astype(dtype).reshape(shape)


def write_split(root, split="train", n_images=5, n_labels=5, gz=False) -> None:
    images_name, labels_name = FILES[split]
    suffix = ".gz" if gz else ""
    rng = np.random.default_rng(0)
    write_idx(root / (images_name + suffix), rng.integers(0, 256, (n_images, 4, 3), np.uint8))
    write_idx(root / (labels_name + suffix), rng.integers(0, 10, n_labels, np.uint8))


# ---------------------------------------------------------------------------------- round trips

@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("shape", [(7,), (3, 4, 5)], ids=["1d", "3d"])
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_round_trip(tmp_path, dtype, shape, gz):
    array = sample(dtype, shape)
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    write_idx(path, array)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == gz
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype)
    assert back.dtype.isnative
    assert back.shape == shape
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # a writable copy, not a view of the file's bytes


def test_round_trip_2d_and_4d_and_big_endian_input(tmp_path):
    for shape in [(2, 3), (2, 1, 3, 2)]:
        array = sample(np.int16, shape).astype(">i2")
        write_idx(tmp_path / "a", array)
        back = read_idx(tmp_path / "a")
        assert back.dtype == np.dtype("=i2")
        np.testing.assert_array_equal(back, array)


def test_writer_emits_big_endian_header_and_data(tmp_path):
    write_idx(tmp_path / "a", np.array([[1, -2]], dtype=np.int32))
    assert (tmp_path / "a").read_bytes() == (
        b"\x00\x00\x0c\x02" + b"\x00\x00\x00\x01" + b"\x00\x00\x00\x02"
        + b"\x00\x00\x00\x01" + b"\xff\xff\xff\xfe")


def test_gzip_detected_by_magic_not_suffix(tmp_path):
    array = sample(np.uint8, (2, 3, 3))
    write_idx(tmp_path / "images", array, compress=True)  # no .gz suffix
    assert (tmp_path / "images").read_bytes()[:2] == b"\x1f\x8b"
    np.testing.assert_array_equal(read_idx(tmp_path / "images"), array)
    # and a plain file that is misleadingly named .gz
    write_idx(tmp_path / "plain.gz", array, compress=False)
    assert (tmp_path / "plain.gz").read_bytes()[:2] == b"\x00\x00"
    np.testing.assert_array_equal(read_idx(tmp_path / "plain.gz"), array)


def test_gzip_output_is_deterministic(tmp_path):
    array = sample(np.float32, (4, 4))
    write_idx(tmp_path / "a.gz", array)
    write_idx(tmp_path / "b.gz", array)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert (tmp_path / "a.gz").read_bytes()[4:8] == b"\x00" * 4  # gzip MTIME field is 0


def test_reads_hand_built_files(tmp_path):
    """A file built with struct alone, so the reader is not only checked against its writer."""
    pixels = bytes([0, 1, 127, 128, 254, 255, 7, 8, 9, 10, 11, 12])
    images = struct.pack(">HBB", 0, 8, 3) + struct.pack(">III", 2, 2, 3) + pixels
    (tmp_path / "train-images-idx3-ubyte").write_bytes(images)
    labels = struct.pack(">HBB", 0, 8, 1) + struct.pack(">I", 2) + bytes([9, 0])
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(labels))
    floats = struct.pack(">HBB", 0, 0x0D, 1) + struct.pack(">I", 2) + struct.pack(">ff", 1.5, -2)
    (tmp_path / "floats").write_bytes(floats)
    shorts = (struct.pack(">HBB", 0, 0x0B, 2) + struct.pack(">II", 1, 2)
              + struct.pack(">hh", -300, 2))
    (tmp_path / "shorts").write_bytes(shorts)

    got = read_idx(tmp_path / "train-images-idx3-ubyte")
    assert got.dtype == np.uint8 and got.shape == (2, 2, 3)
    assert got[0].tolist() == [[0, 1, 127], [128, 254, 255]]
    assert got[1, 1, 2] == 12
    assert read_idx(tmp_path / "floats").tolist() == [1.5, -2.0]
    assert read_idx(tmp_path / "floats").dtype == np.float32
    assert read_idx(tmp_path / "shorts").tolist() == [[-300, 2]]

    images_arr, labels_arr = load_split(tmp_path, "train")
    assert labels_arr.dtype == np.int64 and labels_arr.tolist() == [9, 0]
    np.testing.assert_array_equal(images_arr, got)


# ---------------------------------------------------------------------------- malformed files

def test_truncated_file_reports_expected_and_found_bytes(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    write_idx(path, sample(np.uint8, (3, 4, 5)))
    full = path.read_bytes()
    assert len(full) == 16 + 60
    path.write_bytes(full[:-10])
    with pytest.raises(IdxError) as exc:
        read_idx(path)
    msg = str(exc.value)
    assert "truncated or wrong file" in msg
    assert str(path) in msg
    assert re.search(r"expected 76 bytes but found 66\b", msg), msg


def test_truncated_gzip_payload_reports_sizes(tmp_path):
    """A complete gzip stream of a truncated IDX file (cut before compressing)."""
    raw = struct.pack(">HBB", 0, 0x0C, 1) + struct.pack(">I", 4) + b"\x00" * 12
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(raw))
    with pytest.raises(IdxError, match=r"expected 24 bytes but found 20") as exc:
        read_idx(path)
    assert str(path) in str(exc.value) and "gunzip" in str(exc.value)


def test_trailing_garbage_rejected(tmp_path):
    path = tmp_path / "x"
    write_idx(path, sample(np.int16, (2, 3)))
    path.write_bytes(path.read_bytes() + b"garbage")
    with pytest.raises(IdxError, match="7 trailing bytes") as exc:
        read_idx(path)
    assert str(path) in str(exc.value)


def test_truncated_header_rejected(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(struct.pack(">HBB", 0, 8, 3) + struct.pack(">I", 60000))
    with pytest.raises(IdxError, match="16-byte header") as exc:
        read_idx(path)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("head, magic", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "0x89504e47"),
    (b"\x00\x00\x07\x03" + b"\x00" * 20, "0x00000703"),
    (b"<!DOCTYPE html><html>", "0x3c21444f"),
    (b"\x00\x01\x08\x01\x00\x00\x00\x00", "0x00010801"),
], ids=["png", "unknown-type", "html", "nonzero-byte-1"])
def test_bad_magic_rejected_with_magic_in_message(tmp_path, head, magic):
    path = tmp_path / "weird"
    path.write_bytes(head)
    with pytest.raises(IdxError) as exc:
        read_idx(path)
    msg = str(exc.value)
    assert "not an IDX file: bad magic number " + magic in msg
    assert str(path) in msg


@pytest.mark.parametrize("ndim", [0, 5, 255])
def test_bad_dimension_count_rejected(tmp_path, ndim):
    path = tmp_path / "x"
    path.write_bytes(struct.pack(">HBB", 0, 8, ndim) + b"\x00\x00\x00\x01" * ndim + b"\x00")
    with pytest.raises(IdxError, match=f"declares {ndim} dimensions") as exc:
        read_idx(path)
    assert str(path) in str(exc.value)


def test_empty_and_tiny_files_rejected(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    with pytest.raises(IdxError, match="empty") as exc:
        read_idx(tmp_path / "empty")
    assert str(tmp_path / "empty") in str(exc.value)
    (tmp_path / "tiny").write_bytes(b"\x00\x00")
    with pytest.raises(IdxError, match="not an IDX file"):
        read_idx(tmp_path / "tiny")


@pytest.mark.parametrize("corrupt", ["cut", "flipped", "magic-only"])
def test_corrupt_gzip_rejected_with_name(tmp_path, corrupt):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    write_idx(path, sample(np.uint8, (1000,)))
    data = bytearray(path.read_bytes())
    if corrupt == "cut":
        data = data[: len(data) // 2]
    elif corrupt == "flipped":
        data[len(data) // 2] ^= 0xFF
        data[-5] ^= 0xFF  # the stored CRC/size: a guaranteed failure even if the flip decodes
    else:
        data = data[:2]
    path.write_bytes(bytes(data))
    with pytest.raises(IdxError, match="gzip") as exc:
        read_idx(path)
    assert str(path) in str(exc.value)
    assert isinstance(exc.value, ZooError)


def test_missing_file_and_directory_named(tmp_path):
    with pytest.raises(IdxError, match="does not exist") as exc:
        read_idx(tmp_path / "nope-idx1-ubyte")
    assert str(tmp_path / "nope-idx1-ubyte") in str(exc.value)
    with pytest.raises(IdxError, match="is a directory"):
        read_idx(tmp_path)


# ------------------------------------------------------------------------------------ writing

@pytest.mark.parametrize("dtype", [np.int64, np.uint16, np.float16, np.bool_, np.complex64])
def test_write_rejects_unsupported_dtypes(tmp_path, dtype):
    with pytest.raises(IdxError, match="no type for dtype") as exc:
        write_idx(tmp_path / "x", np.zeros(3, dtype=dtype))
    assert str(tmp_path / "x") in str(exc.value)
    assert not (tmp_path / "x").exists()


def test_write_rejects_unreadable_shapes_and_missing_directory(tmp_path):
    with pytest.raises(IdxError, match="0 dimensions"):
        write_idx(tmp_path / "x", np.uint8(3))
    with pytest.raises(IdxError, match="5 dimensions"):
        write_idx(tmp_path / "x", np.zeros((1,) * 5, np.uint8))
    with pytest.raises(IdxError, match="does not exist") as exc:
        write_idx(tmp_path / "missing" / "x", np.zeros(3, np.uint8))
    assert str(tmp_path / "missing") in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "x.gz"
    write_idx(path, np.arange(5, dtype=np.uint8))
    old = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(idx.os, "replace", broken_replace)
    with pytest.raises(IdxError, match="disk on fire") as exc:
        write_idx(path, np.arange(9, dtype=np.uint8))
    assert str(path) in str(exc.value)
    assert path.read_bytes() == old  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["x.gz"]  # and the temp file is gone
    monkeypatch.undo()
    write_idx(path, np.arange(9, dtype=np.uint8))
    assert read_idx(path).tolist() == list(range(9))
    assert [p.name for p in tmp_path.iterdir()] == ["x.gz"]


def test_written_file_respects_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_idx(tmp_path / "x", np.arange(3, dtype=np.uint8))
    finally:
        os.umask(old)
    assert (tmp_path / "x").stat().st_mode & 0o777 == 0o644


# ----------------------------------------------------------------------------- splits and dirs

@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_load_split_finds_plain_and_gz(tmp_path, split, gz):
    write_split(tmp_path, split, gz=gz)
    images_path, labels_path = find_split(tmp_path, split)
    assert images_path.name == FILES[split][0] + (".gz" if gz else "")
    assert labels_path.name == FILES[split][1] + (".gz" if gz else "")
    images, labels = load_split(tmp_path, split)
    assert images.shape == (5, 4, 3) and images.dtype == np.uint8
    assert labels.shape == (5,) and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, read_idx(labels_path))


def test_find_split_prefers_uncompressed(tmp_path):
    write_split(tmp_path, gz=True)
    write_split(tmp_path, gz=False)
    images_path, labels_path = find_split(tmp_path, "train")
    assert images_path.name == "train-images-idx3-ubyte"
    assert labels_path.name == "train-labels-idx1-ubyte"


def test_find_split_mixed_compression(tmp_path):
    images_name, labels_name = FILES["test"]
    write_idx(tmp_path / (images_name + ".gz"), np.zeros((2, 2, 2), np.uint8))
    write_idx(tmp_path / labels_name, np.zeros(2, np.uint8))
    images, labels = load_split(tmp_path, "test")
    assert images.shape == (2, 2, 2) and labels.shape == (2,)


def test_find_split_lists_what_it_looked_for(tmp_path):
    write_split(tmp_path, "train")
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"")
    (tmp_path / "README").write_text("hi")
    with pytest.raises(IdxError) as exc:
        find_split(tmp_path, "test")
    msg = str(exc.value)
    assert "t10k-labels-idx1-ubyte and t10k-labels-idx1-ubyte.gz" in msg
    assert str(tmp_path) in msg
    for present in ["README", "t10k-images-idx3-ubyte.gz", "train-images-idx3-ubyte"]:
        assert present in msg


def test_find_split_empty_dir_unknown_split_missing_root(tmp_path):
    with pytest.raises(IdxError, match=r"train-images-idx3-ubyte\.gz.*empty"):
        find_split(tmp_path, "train")
    with pytest.raises(IdxError, match="unknown split 'valid'"):
        find_split(tmp_path, "valid")
    with pytest.raises(IdxError, match="does not exist"):
        find_split(tmp_path / "nope", "train")


def test_load_split_rejects_count_mismatch(tmp_path):
    write_split(tmp_path, "train", n_images=5, n_labels=4, gz=True)
    with pytest.raises(IdxError) as exc:
        load_split(tmp_path, "train")
    msg = str(exc.value)
    assert "5 images" in msg and "4 labels" in msg
    assert "train-images-idx3-ubyte.gz" in msg and "train-labels-idx1-ubyte.gz" in msg


def test_load_split_rejects_swapped_or_wrong_files(tmp_path):
    images_name, labels_name = FILES["train"]
    write_idx(tmp_path / images_name, np.zeros(5, np.uint8))  # labels where images belong
    write_idx(tmp_path / labels_name, np.zeros(5, np.uint8))
    with pytest.raises(IdxError, match=r"expected uint8 images \(N, H, W\)"):
        load_split(tmp_path)
    write_idx(tmp_path / images_name, np.zeros((5, 2, 2), np.float32))
    with pytest.raises(IdxError, match="float32"):
        load_split(tmp_path)
    write_idx(tmp_path / images_name, np.zeros((5, 2, 2), np.uint8))
    write_idx(tmp_path / labels_name, np.zeros((5, 2), np.uint8))
    with pytest.raises(IdxError, match=r"expected integer labels \(N,\)"):
        load_split(tmp_path)


def test_dataset_dir_root_argument_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_FASHION_MNIST", str(tmp_path / "from-env"))
    assert dataset_dir("fashion-mnist", root=tmp_path) == tmp_path
    assert dataset_dir("mnist", root=str(tmp_path)) == tmp_path


def test_dataset_dir_honours_environment(tmp_path, monkeypatch):
    fashion, mnist = tmp_path / "fashion", tmp_path / "mnist"
    fashion.mkdir()
    mnist.mkdir()
    monkeypatch.setenv("ZOO_FASHION_MNIST", str(fashion))
    monkeypatch.setenv("ZOO_MNIST", str(mnist))
    assert dataset_dir() == fashion
    assert dataset_dir("fashion-mnist") == fashion
    assert dataset_dir("mnist") == mnist


def test_dataset_dir_default_is_debian_path(monkeypatch):
    monkeypatch.delenv("ZOO_FASHION_MNIST", raising=False)
    if FASHION_MNIST_DIR.is_dir():
        assert dataset_dir() == FASHION_MNIST_DIR
    else:
        with pytest.raises(IdxError, match="apt-get install dataset-fashion-mnist"):
            dataset_dir()


def test_dataset_dir_install_hints(tmp_path, monkeypatch):
    monkeypatch.setenv("ZOO_FASHION_MNIST", str(tmp_path / "nowhere"))
    with pytest.raises(IdxError) as exc:
        dataset_dir("fashion-mnist")
    msg = str(exc.value)
    assert str(tmp_path / "nowhere") in msg and "$ZOO_FASHION_MNIST" in msg
    assert "sudo apt-get install dataset-fashion-mnist" in msg

    with pytest.raises(IdxError, match="apt-get install dataset-fashion-mnist") as exc:
        dataset_dir("fashion-mnist", root=tmp_path / "gone")
    assert str(tmp_path / "gone") in str(exc.value)

    monkeypatch.delenv("ZOO_MNIST", raising=False)
    with pytest.raises(IdxError, match="download the four MNIST IDX files.*ZOO_MNIST"):
        dataset_dir("mnist")
    monkeypatch.setenv("ZOO_MNIST", str(tmp_path / "nowhere"))
    with pytest.raises(IdxError, match="download the four MNIST IDX files") as exc:
        dataset_dir("mnist")
    assert str(tmp_path / "nowhere") in str(exc.value)

    with pytest.raises(IdxError, match="unknown IDX dataset 'cifar10'"):
        dataset_dir("cifar10")


def test_class_names():
    assert len(FASHION_MNIST_CLASSES) == 10 and FASHION_MNIST_CLASSES[9] == "Ankle boot"
    assert FASHION_MNIST_CLASSES[0] == "T-shirt/top"
    assert MNIST_CLASSES == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]


@pytest.mark.slow
def test_real_fashion_mnist(monkeypatch):
    if not FASHION_MNIST_DIR.is_dir():
        pytest.skip(f"{FASHION_MNIST_DIR} does not exist; "
                    "sudo apt-get install dataset-fashion-mnist to run this test")
    monkeypatch.delenv("ZOO_FASHION_MNIST", raising=False)
    root = dataset_dir("fashion-mnist")
    for split, n in [("train", 60000), ("test", 10000)]:
        images, labels = load_split(root, split)
        assert images.shape == (n, 28, 28) and images.dtype == np.uint8
        assert labels.shape == (n,) and labels.dtype == np.int64
        assert labels.min() == 0 and labels.max() == 9
        assert set(np.unique(labels).tolist()) == set(range(10))
        assert images.max() == 255 and images.min() == 0
    # Fashion-MNIST is balanced: 1000 test images per class, and the first is an ankle boot.
    assert np.bincount(labels).tolist() == [1000] * 10
    assert FASHION_MNIST_CLASSES[labels[0]] == "Ankle boot"
