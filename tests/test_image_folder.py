"""Image folders: scanning as torchvision's ImageFolder does, skipping corrupt files, splits,
and the torch and TF pipelines (same decoded pixels, same order, close eval preprocessing).

Every image is small and written by the test into tmp_path."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
import torch
from conftest import run_python
from PIL import Image
from torchvision.datasets import ImageFolder
from torchvision.datasets.folder import IMG_EXTENSIONS

from zoo.data import image_transforms, images
from zoo.data.images import DatasetError, scan, scan_with_val, split
from zoo.errors import RecipeError, ZooError

ZERO, ONE = (0.0, 0.0, 0.0), (1.0, 1.0, 1.0)  # mean / std that leave pixels in [0, 1]


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")  # after torch/torchvision (conftest)


@pytest.fixture(scope="module")
def images_tf(tf):
    from zoo.data import images_tf

    return images_tf


def picture(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A uint8 (h, w, 3) image with smooth gradients and some noise, like a photo."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 / w, yy * 255 / h, (xx + yy) * 127 / (h + w)], -1)
    return np.clip(base + rng.normal(0, 25, (h, w, 3)), 0, 255).astype(np.uint8)


def put(path, img: Image.Image | np.ndarray, **save) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    (Image.fromarray(img) if isinstance(img, np.ndarray) else img).save(path, **save)


def tree(root, files: dict[str, int]) -> None:
    """Write small RGB images ``root/<relative path>`` (seeded by the given number)."""
    for rel, seed in files.items():
        put(root / rel, picture(12, 16, seed))


def to_hwc(batch) -> np.ndarray:
    """numpy NHWC from a torch NCHW or TF NHWC batch."""
    if isinstance(batch, torch.Tensor):
        return batch.numpy().transpose(0, 2, 3, 1)
    return batch.numpy()


def torch_batches(samples, size, train=False, augment=None, workers=0, seed=0, mean=ZERO,
                  std=ONE, batch_size=4):
    from zoo.data import images_pt

    loader = images_pt.make_loader(samples, size, mean, std, batch_size, train, augment, workers,
                                   seed)
    return loader


def all_of(loader) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = zip(*[(to_hwc(x), np.asarray(y)) for x, y in loader], strict=True)
    return np.concatenate(xs), np.concatenate(ys)


# ---------------------------------------------------------------- scanning


def test_extensions_are_torchvisions():
    assert images.IMAGE_EXTENSIONS == set(IMG_EXTENSIONS)
    assert images.is_image_file("a.JPG") and images.is_image_file("b.TiFf")
    assert not images.is_image_file("a.gif") and not images.is_image_file(".a.png")


def test_classes_indices_and_order_match_torchvision(tmp_path):
    # names whose sorted order is not the obvious one: case, digits, punctuation, non-ASCII
    names = ["b", "B", "a_x", "a-x", "10", "9", "Zebra", "été", "a b"]
    files = {}
    for k, name in enumerate(names):
        files |= {f"{name}/img{k}.png": k, f"{name}/z.JPG": k + 1, f"{name}/A.Png": k + 2,
                  f"{name}/sub/deeper/x.jpeg": k + 3, f"{name}/sub/0.bmp": k + 4,
                  f"{name}/sub2/y.WEBP": k + 5}
    tree(tmp_path, files)
    index = scan(tmp_path)
    reference = ImageFolder(str(tmp_path))
    assert index.classes == reference.classes
    assert {c: i for i, c in enumerate(index.classes)} == reference.class_to_idx
    assert [(str(p), label) for p, label in index.samples] == reference.samples
    assert len(index.samples) == 6 * len(names) and not index.skipped


def test_hidden_and_non_image_files_are_ignored(tmp_path):
    tree(tmp_path, {"cat/a.png": 0, "cat/B.JPEG": 1, "cat/.hidden.png": 2, "cat/.ipynb/x.png": 3,
                    "cat/sub/.y.png": 4, "cat/sub/c.Tif": 5, "dog/d.jpg": 6,
                    ".git/e.png": 7, ".cache/f/g.png": 8})
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    (tmp_path / "cat" / "anim.gif").write_bytes(b"GIF89a")  # not in torchvision's list
    (tmp_path / "README.md").write_text("a file at the root is no class")
    put(tmp_path / "loose.png", picture(4, 4))
    index = scan(tmp_path)
    assert index.classes == ["cat", "dog"]
    got = [(p.relative_to(tmp_path).as_posix(), label) for p, label in index.samples]
    assert got == [("cat/B.JPEG", 0), ("cat/a.png", 0), ("cat/sub/c.Tif", 0), ("dog/d.jpg", 1)]
    assert index.counts() == {"cat": 3, "dog": 1} and not index.skipped


def test_corrupt_files_are_skipped_named_and_counted(tmp_path, caplog):
    tree(tmp_path, {"a/good.png": 0, "a/good.jpg": 1, "b/fine.png": 2})
    good_png = (tmp_path / "a" / "good.png").read_bytes()
    put(tmp_path / "a" / "big.jpg", picture(64, 64, 3), quality=95)
    big_jpg = (tmp_path / "a" / "big.jpg").read_bytes()
    bad = {
        "a/random.jpg": np.random.default_rng(0).bytes(500),  # no image at all
        "a/truncated.png": good_png[: len(good_png) // 2],     # PIL opens it; verify() fails
        "a/truncated.jpg": big_jpg[: len(big_jpg) * 2 // 3],   # only a decode notices
        "b/empty.png": b"",
    }
    for rel, data in bad.items():
        (tmp_path / rel).write_bytes(data)
    (tmp_path / "a" / "big.jpg").unlink()
    with caplog.at_level(logging.WARNING, logger="zoo"):
        index = scan(tmp_path)
    skipped = {p.relative_to(tmp_path).as_posix(): reason for p, reason in index.skipped}
    assert set(skipped) == set(bad)
    assert all(reason for reason in skipped.values())
    assert {p.name for p, _ in index.samples} == {"good.png", "good.jpg", "fine.png"}
    for rel in bad:
        assert str(tmp_path / rel) in caplog.text
    summary = index.summary()
    assert "4 skipped" in summary and "(3 skipped)" in summary and "(1 skipped)" in summary
    assert len(scan(tmp_path, check=False).samples) == 7  # unchecked: everything is kept
    with pytest.raises(DatasetError, match="truncated.jpg"):
        images.load_rgb(tmp_path / "a" / "truncated.jpg")


def test_class_without_usable_images_is_an_error(tmp_path):
    tree(tmp_path, {"cat/a.png": 0})
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match=r"empty \(0 corrupt images skipped, 0 files"):
        scan(tmp_path)
    (tmp_path / "empty").rmdir()
    (tmp_path / "dog").mkdir()
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnope")
    (tmp_path / "dog" / "readme.txt").write_text("x")
    with pytest.raises(DatasetError) as err:
        scan(tmp_path)
    assert str(tmp_path / "dog") in str(err.value)
    assert "1 corrupt images skipped, 1 files with other extensions" in str(err.value)
    assert isinstance(err.value, ZooError)


def test_bad_roots_are_errors_that_say_what_to_do(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        scan(tmp_path / "nowhere")
    (tmp_path / "file.png").write_bytes(b"x")
    with pytest.raises(DatasetError, match="is a file"):
        scan(tmp_path / "file.png")
    flat = tmp_path / "flat"
    tree(flat, {"a.png": 0, "b.png": 1})
    with pytest.raises(DatasetError, match="2 image files directly inside.*one sub-folder per "
                                           "class, like torchvision ImageFolder"):
        scan(flat)


# ---------------------------------------------------------------- splits


@pytest.fixture
def uneven(tmp_path):
    """Classes of 1, 2, 3, 10 and 25 images."""
    sizes = {"one": 1, "two": 2, "three": 3, "ten": 10, "many": 25}
    tree(tmp_path, {f"{c}/{i:02d}.png": i for c, n in sizes.items() for i in range(n)})
    return scan(tmp_path, check=False)


def test_split_is_stratified_disjoint_and_complete(uneven):
    train, val = split(uneven, 0.2, seed=0)
    assert sorted(train + val) == sorted(uneven.samples) and not set(train) & set(val)
    val_per = {c: sum(label == i for _, label in val) for i, c in enumerate(uneven.classes)}
    # round(n * 0.2), but >= 1 when n >= 2 and never the last training image
    assert val_per == {"one": 0, "two": 1, "three": 1, "ten": 2, "many": 5}
    train_per = {c: sum(label == i for _, label in train) for i, c in enumerate(uneven.classes)}
    assert min(train_per.values()) >= 1
    assert train == [s for s in uneven.samples if s in train]  # scan order kept
    _, val9 = split(uneven, 0.9, seed=0)
    assert sum(label == uneven.classes.index("two") for _, label in val9) == 1  # n - 1


def test_split_depends_only_on_samples_and_seed(uneven):
    assert split(uneven, 0.3, seed=7) == split(list(uneven.samples), 0.3, seed=7)
    assert split(uneven, 0.3, seed=7)[1] != split(uneven, 0.3, seed=8)[1]
    train, val = split(uneven, 0.0, seed=0)
    assert val == [] and train == uneven.samples
    # a class's choice comes from (seed, class index) alone: other classes do not move it
    many = uneven.classes.index("many")
    only_many = [s for s in uneven.samples if s[1] == many]
    assert [s for s in split(uneven, 0.3, seed=7)[1] if s[1] == many] == split(
        only_many, 0.3, seed=7)[1]
    # ... and is the documented recipe, so any implementation can reproduce it
    ten = uneven.classes.index("ten")  # not class 0: default_rng([7, 0]) is default_rng(7)
    only_ten = [s for s in uneven.samples if s[1] == ten]
    chosen = np.random.default_rng([7, ten]).permutation(10)[:3]
    val_ten = [s for s in split(uneven, 0.3, seed=7)[1] if s[1] == ten]
    assert val_ten == sorted(only_ten[i] for i in chosen)
    for bad in (-0.1, 1.0, 2):
        with pytest.raises(DatasetError, match="val_fraction"):
            split(uneven, bad, seed=0)


def test_separate_train_and_val_folders_are_honoured(tmp_path):
    tree(tmp_path, {"train/a/1.png": 1, "train/a/2.png": 2, "train/b/3.png": 3,
                    "val/a/4.png": 4, "val/b/5.png": 5, "test/a/6.png": 6})
    folders = scan_with_val(tmp_path, 0.5, seed=0)
    assert folders.source == "folders" and folders.classes == ["a", "b"]
    assert [p.name for p, _ in folders.train] == ["1.png", "2.png", "3.png"]
    assert [(p.name, label) for p, label in folders.val] == [("4.png", 0), ("5.png", 1)]
    assert "3 train + 2 val" in folders.summary()

    tree(tmp_path, {"val/c/7.png": 7})
    with pytest.raises(DatasetError, match=r"only in train: none, only in val: \['c'\]"):
        scan_with_val(tmp_path, 0.5, seed=0)


def test_without_val_folder_the_root_is_split(uneven):
    got = scan_with_val(uneven.root, 0.2, seed=3, check=False)
    assert got.source == "split" and got.classes == uneven.classes
    assert (got.train, got.val) == split(uneven, 0.2, seed=3)
    lines = got.summary().splitlines()
    assert len(lines) == 2 + len(uneven.classes) and "32 train + 9 val images" in lines[0]
    assert lines[1].split() == ["class", "train", "val"] and lines[4].split() == ["ten", "8", "2"]


# ---------------------------------------------------------------- decoding


def mode_files(root, size: int = 24) -> dict[str, np.ndarray]:
    """One file per tricky mode/format under root/modes; name -> the RGB it must decode to."""
    rgb = picture(size, size, 1)
    grey = np.asarray(Image.fromarray(rgb).convert("L"))
    alpha = np.random.default_rng(2).integers(0, 256, (size, size), dtype=np.uint8)
    rgba = Image.fromarray(np.dstack([rgb, alpha]))
    pal = Image.fromarray(rgb).quantize(16)
    pal_rgb = np.asarray(pal.convert("RGB"))
    pal_transparent = pal.copy()
    pal_transparent.info["transparency"] = 3
    bilevel = Image.fromarray(grey).convert("1")
    grey16 = (grey.astype(np.uint16) * 256 + np.arange(size, dtype=np.uint16)[None, :] * 9)
    d = root / "modes"
    files = {
        "rgb.png": (Image.fromarray(rgb), rgb), "grey.png": (Image.fromarray(grey), grey),
        "palette.png": (pal, pal_rgb), "palette_transparent.png": (pal_transparent, pal_rgb),
        "rgba.png": (rgba, rgb), "la.png": (Image.fromarray(np.dstack([grey, alpha])), grey),
        "bilevel.png": (bilevel, np.asarray(bilevel.convert("L"))),
        "grey16.png": (Image.fromarray(grey16), (grey16 >> 8).astype(np.uint8)),
        "rgb.bmp": (Image.fromarray(rgb), rgb), "palette.bmp": (pal, pal_rgb),
        "grey.bmp": (Image.fromarray(grey), grey), "rgb.tif": (Image.fromarray(rgb), rgb),
        "rgba.tiff": (rgba, rgb), "rgb.ppm": (Image.fromarray(rgb), rgb),
        "grey.pgm": (Image.fromarray(grey), grey), "RGBA.WEBP": (rgba, rgb),
    }
    expected = {}
    for name, (img, want) in files.items():
        put(d / name, img, **({"lossless": True} if name.endswith("WEBP") else {}))
        expected[name] = np.repeat(want[..., None], 3, -1) if want.ndim == 2 else want
    for name, img, want in [("rgb.jpg", Image.fromarray(rgb), rgb),
                            ("grey.jpeg", Image.fromarray(grey), grey[..., None]),
                            ("cmyk.jpg", Image.fromarray(rgb).convert("CMYK"), rgb)]:
        put(d / name, img, quality=95, subsampling=0)
        expected[name] = ("lossy", want)  # close to the source; exactly PIL in the pipelines
    return expected


def test_load_rgb_turns_every_mode_into_rgb(tmp_path):
    expected = mode_files(tmp_path)
    for name, want in expected.items():
        img = images.load_rgb(tmp_path / "modes" / name)
        assert img.mode == "RGB" and img.size == (24, 24), name
        got = np.asarray(img)
        if isinstance(want, tuple):
            assert np.abs(got.astype(int) - want[1]).mean() < 4, name
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)
    (tmp_path / "not.png").write_text("text")
    with pytest.raises(DatasetError, match="not.png"):
        images.load_rgb(tmp_path / "not.png")
    with pytest.raises(DatasetError, match="does not exist"):
        images.load_rgb(tmp_path / "gone.png")


def test_both_pipelines_decode_every_mode_like_load_rgb(tmp_path, images_tf):
    """At the images' own size (no resize) both pipelines give exactly load_rgb's pixels."""
    mode_files(tmp_path)
    index = scan(tmp_path)
    want = np.stack([np.asarray(images.load_rgb(p)) for p, _ in index.samples]) / 255.0
    keep = {"crop_fraction": 1.0}
    from_torch = all_of(torch_batches(index.samples, 24, augment=keep, batch_size=5))[0]
    from_tf = all_of(images_tf.make_dataset(index.samples, 24, ZERO, ONE, 5, False, keep, 2, 0))[0]
    names = [p.name for p, _ in index.samples]
    for got in (from_torch, from_tf):
        assert got.shape == (len(names), 24, 24, 3)
        for name, g, w in zip(names, got, want, strict=True):
            np.testing.assert_allclose(g, w, atol=1e-6, err_msg=name)
    assert {images_tf.decoder_for(n) for n in names} == {images_tf.JPEG, images_tf.NATIVE,
                                                         images_tf.PIL}


# ---------------------------------------------------------------- pipelines


@pytest.fixture
def folder(tmp_path):
    """3 classes of differently sized and shaped JPEG/PNG/WebP/BMP images (5, 4, 3)."""
    # (53, 37) and (110, 100) put the centre crop at x.5 with x odd (size 20 and 48): there
    # torchvision rounds half to even, which floor division would not match
    shapes = [(37, 53), (80, 60), (150, 100), (32, 32), (64, 200), (53, 37), (110, 100)]
    fmts = ["jpg", "png", "webp", "bmp", "jpeg"]
    k = 0
    for c, n in zip(["ant", "bee", "cat"], [5, 4, 3], strict=True):
        for i in range(n):
            h, w = shapes[k % len(shapes)]
            img = picture(h, w, k)
            put(tmp_path / c / f"{i}.{fmts[k % len(fmts)]}", img if k % 3 else
                Image.fromarray(img).convert("L"))
            k += 1
    return scan(tmp_path)


def test_batches_have_the_right_shapes_dtypes_and_labels(folder, images_tf, tf):
    mean, std = images.IMAGENET_MEAN, images.IMAGENET_STD
    loader = torch_batches(folder.samples, 20, mean=mean, std=std, batch_size=5)
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(5, 3, 20, 20), (5, 3, 20, 20), (2, 3, 20, 20)]
    assert all(x.dtype == torch.float32 and y.dtype == torch.int64 for x, y in batches)
    dataset = images_tf.make_dataset(folder.samples, 20, mean, std, 5, False, None, 0, 0)
    tf_batches = list(dataset)
    assert [tuple(x.shape) for x, _ in tf_batches] == [(5, 20, 20, 3), (5, 20, 20, 3),
                                                       (2, 20, 20, 3)]
    assert all(x.dtype == tf.float32 and y.dtype == tf.int64 for x, y in tf_batches)
    labels = [label for _, label in folder.samples]
    assert torch.cat([y for _, y in batches]).tolist() == labels
    assert np.concatenate([y.numpy() for _, y in tf_batches]).tolist() == labels
    # normalised: roughly zero-centred, not in [0, 1]
    assert all_of(batches)[0].min() < -1 and all_of(batches)[0].max() > 1
    from zoo.data import images_pt

    dropped = images_pt.make_loader(folder.samples, 20, mean, std, 5, True, None, 0, 0,
                                    drop_last=True)
    assert len(list(dropped)) == 2
    assert len(list(images_tf.make_dataset(folder.samples, 20, mean, std, 5, True, None, 0, 0,
                                           drop_last=True))) == 2


@pytest.mark.parametrize("size", [20, 48])  # downscaling and upscaling
def test_eval_preprocessing_is_close_in_both_backends(folder, images_tf, size):
    mean, std = images.IMAGENET_MEAN, images.IMAGENET_STD
    x_pt, y_pt = all_of(torch_batches(folder.samples, size, mean=mean, std=std))
    x_tf, y_tf = all_of(images_tf.make_dataset(folder.samples, size, mean, std, 4, False, {}, 2,
                                               0))
    assert x_pt.shape == x_tf.shape == (len(folder.samples), size, size, 3)
    np.testing.assert_array_equal(y_pt, y_tf)
    diff = np.abs(x_pt - x_tf)
    # PIL resizes in fixed point, TF in float (both round to uint8): at most one grey level
    # apart. The crop boxes must agree exactly: one pixel off moves the mean far above this.
    assert diff.mean(axis=(1, 2, 3)).max() < 0.01, diff.mean(axis=(1, 2, 3))
    assert (diff * np.array(std) * 255).max() < 1.001


def test_training_order_is_shared_by_both_backends_and_reshuffled(folder, images_tf):
    aug = {"flip": True, "random_resized_crop": True}
    loader = torch_batches(folder.samples, 16, train=True, augment=aug, seed=5)
    dataset = images_tf.make_dataset(folder.samples, 16, ZERO, ONE, 4, True, aug, 2, 5)
    epochs = []
    for _ in range(3):
        pt = torch.cat([y for _, y in loader]).tolist()
        tf_ = np.concatenate([y.numpy() for _, y in dataset]).tolist()
        assert pt == tf_
        assert sorted(pt) == sorted(label for _, label in folder.samples)
        epochs.append(pt)
    assert epochs[0] != epochs[1] != epochs[2]
    again = torch_batches(folder.samples, 16, train=True, augment=aug, seed=5)
    assert torch.cat([y for _, y in again]).tolist() == epochs[0]
    other = torch_batches(folder.samples, 16, train=True, augment=aug, seed=6)
    assert torch.cat([y for _, y in other]).tolist() != epochs[0]


def test_torch_augmentation_is_seeded_and_independent_of_workers(folder):
    aug = {"flip": True, "random_resized_crop": True, "scale": [0.2, 1.0]}
    before = torch.get_rng_state()
    x0, y0 = all_of(torch_batches(folder.samples, 16, train=True, augment=aug, seed=1))
    assert torch.equal(torch.get_rng_state(), before)  # the global generator is untouched
    x2, y2 = all_of(torch_batches(folder.samples, 16, train=True, augment=aug, workers=2, seed=1))
    np.testing.assert_array_equal(y0, y2)
    np.testing.assert_array_equal(x0, x2)
    x_other = all_of(torch_batches(folder.samples, 16, train=True, augment=aug, seed=2))[0]
    assert not np.allclose(np.sort(x0.ravel()), np.sort(x_other.ravel()))
    # augmentation changes the pixels: the crop is not the eval crop
    eval_like = all_of(torch_batches(folder.samples, 16, train=True, seed=1))[0]
    assert np.abs(np.sort(x0, axis=None) - np.sort(eval_like, axis=None)).mean() > 1e-3


def test_tf_augmentation_is_seeded_per_epoch(folder, images_tf):
    aug = {"flip": True, "random_resized_crop": True}
    first = images_tf.make_dataset(folder.samples, 16, ZERO, ONE, 4, True, aug, 2, 3)
    second = images_tf.make_dataset(folder.samples, 16, ZERO, ONE, 4, True, aug, 0, 3)
    a0, a1 = all_of(first)[0], all_of(first)[0]
    np.testing.assert_array_equal(a0, all_of(second)[0])  # same seed, other parallelism
    assert not np.array_equal(a0, a1)  # the next epoch draws new crops


def test_random_resized_crop_fallback_matches_torchvision(folder, images_tf):
    """No candidate box fits (ratio 2 at full area), so both take the same central crop."""
    for ratio in ([2.0, 2.0], [0.4, 0.4]):
        aug = {"random_resized_crop": True, "scale": [1.0, 1.0], "ratio": ratio}
        x_pt = all_of(torch_batches(folder.samples, 24, train=True, augment=aug))
        x_tf = all_of(images_tf.make_dataset(folder.samples, 24, ZERO, ONE, 4, True, aug, 0, 0))
        np.testing.assert_array_equal(x_pt[1], x_tf[1])
        diff = np.abs(x_pt[0] - x_tf[0]) * 255  # grey levels
        assert diff.mean() < 0.5 and diff.max() < 1.001, (ratio, diff.mean(), diff.max())


def test_tf_random_resized_crop_cuts_boxes_of_the_asked_size(tf, images_tf):
    """scale 1/4 and ratio 1 on 64x64: a 32x32 box at a random place, resized to 32 = as is."""
    img = tf.constant(picture(64, 64, 9))
    seen = set()
    for s in range(12):
        out = images_tf.random_resized_crop(img, 32, (0.25, 0.25), (1.0, 1.0),
                                            tf.constant([s, 7], tf.int64)).numpy()
        hits = [(t, left) for t in range(33) for left in range(33)
                if np.array_equal(out, img.numpy()[t:t + 32, left:left + 32])]
        assert len(hits) == 1, s
        seen.add(hits[0])
    assert len(seen) > 6  # positions vary with the seed


def test_flip_mirrors_some_images_and_keeps_the_rest(tmp_path, images_tf):
    tree(tmp_path, {f"c/{i}.png": i for i in range(16)})
    index = scan(tmp_path)
    plain = {"crop_fraction": 1.0}
    flip = {**plain, "flip": True}
    for run in (lambda aug: all_of(torch_batches(index.samples, 12, True, aug, seed=4)),
                lambda aug: all_of(images_tf.make_dataset(index.samples, 12, ZERO, ONE, 4, True,
                                                          aug, 0, 4))):
        base, flipped = run(plain)[0], run(flip)[0]  # the same order: it depends on the seed
        same = [np.allclose(b, f) for b, f in zip(base, flipped, strict=True)]
        mirrored = [np.allclose(b[:, ::-1], f) for b, f in zip(base, flipped, strict=True)]
        assert all(s or m for s, m in zip(same, mirrored, strict=True))
        assert 2 <= sum(mirrored) <= 14


def test_augment_settings_are_validated(folder, images_tf):
    with pytest.raises(RecipeError, match=r"unknown key 'flp'.*allowed: \['crop_fraction', "):
        images.check_augment({"flp": True})
    with pytest.raises(RecipeError, match="flip = 1 must be true or false"):
        images.check_augment({"flip": 1})
    with pytest.raises(RecipeError, match=r"scale = \[0.5, 2\] must be \[min, max\]"):
        images.check_augment({"scale": [0.5, 2]})
    with pytest.raises(RecipeError, match="crop_fraction"):
        images.check_augment({"crop_fraction": 0})
    assert images.check_augment({"scale": [0.5, 1]})["scale"] == (0.5, 1.0)
    assert set(image_transforms.AUGMENT_DEFAULTS) == set(image_transforms.AUGMENT_KEYS)
    with pytest.raises(RecipeError, match="flp"):
        torch_batches(folder.samples, 8, augment={"flp": True})
    with pytest.raises(RecipeError, match="flp"):
        images_tf.make_dataset(folder.samples, 8, ZERO, ONE, 4, True, {"flp": True}, 0, 0)
    with pytest.raises(DatasetError, match="std > 0"):
        torch_batches(folder.samples, 8, std=(0.2, 0.0, 0.2))


def test_write_image_folder_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    grey = rng.integers(0, 256, (9, 8, 8), dtype=np.uint8)
    labels = np.array([2, 0, 1, 1, 0, 2, 2, 0, 1])
    classes = images.write_image_folder(tmp_path / "g", grey, labels, ["zeta", "alpha", "mid"])
    assert classes == ["alpha", "mid", "zeta"]
    index = scan(tmp_path / "g")
    assert index.classes == classes
    names = ["zeta", "alpha", "mid"]
    for path, label in index.samples:
        i = int(path.stem)
        assert names[labels[i]] == classes[label]
        np.testing.assert_array_equal(np.asarray(Image.open(path)), grey[i])
    rgb = rng.integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    images.write_image_folder(tmp_path / "j1", rgb, [0, 1], ["a", "b"], fmt="jpg")
    images.write_image_folder(tmp_path / "j2", rgb, [0, 1], ["a", "b"], fmt="jpg")
    assert (tmp_path / "j1/b/00001.jpg").read_bytes() == (tmp_path / "j2/b/00001.jpg").read_bytes()
    with pytest.raises(DatasetError, match="'T-shirt-top'"):
        images.write_image_folder(tmp_path / "f", grey, labels, ["T-shirt/top", "b", "c"])
    with pytest.raises(DatasetError, match="labels must be in 0..1"):
        images.write_image_folder(tmp_path / "f", grey, labels, ["a", "b"])
    with pytest.raises(DatasetError, match="uint8"):
        images.write_image_folder(tmp_path / "f", grey.astype(float), labels, names)


@pytest.mark.slow
def test_framework_imports_stay_apart():
    code = ("import sys, json\nimport zoo.data.images\nfirst = sorted(sys.modules)\n"
            "import zoo.data.{mod}\nprint(json.dumps([first, sorted(sys.modules)]))")
    roots = {}
    for mod in ("images_pt", "images_tf"):
        proc = run_python(code.format(mod=mod))
        assert proc.returncode == 0, proc.stderr[-2000:]
        first, after = json.loads(proc.stdout.strip().splitlines()[-1])
        assert not {m.split(".")[0] for m in first} & {"torch", "torchvision", "tensorflow",
                                                        "keras"}
        roots[mod] = {m.split(".")[0] for m in after}
    assert "torchvision" in roots["images_pt"] and not roots["images_pt"] & {"tensorflow", "keras"}
    assert "tensorflow" in roots["images_tf"] and not roots["images_tf"] & {"torch", "torchvision"}
