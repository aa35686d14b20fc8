"""Flat image datasets as downloaded (class in the file name, a CSV of labels): labelings,
``organize`` into class folders, ``inspect``, ``materialize`` for fine-tuning, and the
``zoo data`` CLI handlers. Every image is small and written by the test into tmp_path."""

from __future__ import annotations

import argparse
import errno
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from conftest import run_python
from PIL import Image

from zoo.data import images
from zoo.data import organize as organize_mod
from zoo.data.cli import add_data_commands, cmd_data_inspect, cmd_data_organize
from zoo.data.inspect import FLAT, inspect, write_grid
from zoo.data.layouts import (
    Collision,
    Duplicate,
    Missing,
    Unlabeled,
    folder_name,
    labels_from_csv,
    labels_from_filenames,
)
from zoo.data.materialize import materialize
from zoo.data.organize import Step, organize
from zoo.errors import DatasetError, ZooError

PETS = {  # file -> class by the default rule (everything before the last "_")
    "Abyssinian_1.jpg": "Abyssinian",
    "Abyssinian_12.jpg": "Abyssinian",
    "Bengal_3.png": "Bengal",
    "basset_hound_103.jpg": "basset_hound",
    "basset_hound_7.jpg": "basset_hound",
    "great_pyrenees_2_b.png": "great_pyrenees_2",
}


def put(path: Path, size: tuple[int, int] = (16, 12), mode: str = "RGB", seed: int = 0,
        **save) -> Path:
    """A small (width, height) image of ``mode``; the bytes depend on ``seed``."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    img = Image.fromarray(pixels)
    img = img.convert(mode) if mode != "P" else img.quantize(16)
    img.save(path, **save)
    return path


@pytest.fixture
def pets(tmp_path) -> Path:
    """Pet-style flat folder plus an unlabeled image, a hidden one, a text file, a sub-folder."""
    src = tmp_path / "images"
    for seed, name in enumerate([*PETS, "Abyssinian.jpg", "_4.jpg"]):
        put(src / name, seed=seed)
    put(src / ".hidden_1.jpg", seed=99)
    (src / "notes.txt").write_text("not an image")
    put(src / "annotations" / "Abyssinian_1.png", seed=98)  # e.g. a trimap: not a pet image
    return src


def names(paths) -> list[str]:
    return [Path(p).name for p in paths]


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- labels from file names


def test_class_is_the_name_before_the_last_underscore(pets):
    lab = labels_from_filenames(pets)
    assert {p.name: c for p, c in lab.labels.items()} == PETS
    assert all(p.parent == pets for p in lab.labels)
    assert [(u.path.name, u.reason) for u in lab.unlabeled] == [
        ("Abyssinian.jpg", "no '_' after the class name"),
        ("_4.jpg", "no '_' after the class name")]
    assert names(lab.ignored) == ["annotations", "notes.txt"]  # listed, hidden file is not
    assert lab.classes() == ["Abyssinian", "Bengal", "basset_hound", "great_pyrenees_2"]
    assert lab.counts() == {"Abyssinian": 2, "Bengal": 1, "basset_hound": 2,
                            "great_pyrenees_2": 1}
    assert not lab.duplicates and not lab.missing and not lab.collisions


def test_pattern_takes_the_class_group_or_the_first_group(tmp_path):
    for seed, name in enumerate(["cat-001.png", "cat-002.png", "dog-1.jpg", "Dog_3.jpg"]):
        put(tmp_path / name, seed=seed)
    pattern = r"^(?P<class>[a-z]+)-\d+\."
    named = labels_from_filenames(tmp_path, pattern)
    assert {p.name: c for p, c in named.labels.items()} == {
        "cat-001.png": "cat", "cat-002.png": "cat", "dog-1.jpg": "dog"}
    assert named.unlabeled == [Unlabeled(tmp_path / "Dog_3.jpg", f"does not match {pattern!r}")]
    first = labels_from_filenames(tmp_path, r"([A-Za-z]+)[-_]")
    assert set(first.labels.values()) == {"cat"} and not first.unlabeled
    assert first.collisions == [Collision("Dog/", ("Dog", "dog"), (  # one folder on macOS
        tmp_path / "Dog_3.jpg", tmp_path / "dog-1.jpg"))]
    with pytest.raises(DatasetError, match="no group for the class"):
        labels_from_filenames(tmp_path, r"[a-z]+-")
    with pytest.raises(DatasetError, match="not a valid regular expression"):
        labels_from_filenames(tmp_path, r"(?P<class>[a-z+")


# ---------------------------------------------------------------- labels from a CSV

CSV = """id,label
001,cat
002.png,dog
003.jpg,cat
003.jpg,cat
005,cat
005.jpg,dog
777,dog
777,dog
006.JPG,cat
x,bird
"""


@pytest.fixture
def kaggle(tmp_path) -> Path:
    """Flat folder with labels.csv inside it (ids with and without extensions)."""
    src = tmp_path / "train"
    for seed, name in enumerate(["001.jpg", "002.png", "003.jpg", "004.jpg", "005.jpg",
                                 "006.jpg", "x.jpg", "x.png"]):
        put(src / name, seed=seed)
    put(src / ".DS_Store_1.jpg", seed=50)
    (src / "labels.csv").write_text(CSV)
    return src


def test_csv_ids_match_with_or_without_extension_and_every_problem_is_listed(kaggle):
    lab = labels_from_csv(kaggle, kaggle / "labels.csv")
    assert {p.name: c for p, c in lab.labels.items()} == {
        "001.jpg": "cat", "002.png": "dog", "003.jpg": "cat", "x.jpg": "bird", "x.png": "bird"}
    assert [(u.path.name, u.reason) for u in lab.unlabeled] == [
        ("004.jpg", "no row in labels.csv"),
        ("005.jpg", "conflicting labels ['cat', 'dog'] on lines 6, 7"),
        ("006.jpg", "no row in labels.csv")]  # ids are case-sensitive: 006.JPG is not it
    assert lab.duplicates == [Duplicate("003.jpg", (4, 5), ("cat", "cat")),
                              Duplicate("005.jpg", (6, 7), ("cat", "dog")),
                              Duplicate("777", (8, 9), ("dog", "dog"))]
    assert lab.missing == [Missing("777", 8, "dog"), Missing("777", 9, "dog"),
                           Missing("006.JPG", 10, "cat",
                                   "did you mean '006.jpg'? ids are case-sensitive")]
    assert lab.ignored == [] and not lab.collisions  # labels.csv itself is not listed


def test_csv_column_names_bom_spaces_and_tsv(tmp_path):
    put(tmp_path / "a.jpg")
    put(tmp_path / "b.jpg", seed=1)
    table = tmp_path / "breeds.csv"
    table.write_text("\ufeffimage , breed\n a , boston_bull \nb.jpg,\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"no column 'id' or 'label'.*\['image ', ' breed'\]"):
        labels_from_csv(tmp_path, table)
    table.write_text("\ufeffimage,breed\n a , boston_bull \nb.jpg,\n", encoding="utf-8")
    lab = labels_from_csv(tmp_path, table, id_column="image", label_column="breed")
    assert {p.name: c for p, c in lab.labels.items()} == {"a.jpg": "boston_bull"}
    assert lab.unlabeled == [Unlabeled(tmp_path / "b.jpg", "empty 'breed' on line 3")]
    tsv = tmp_path / "labels.tsv"
    tsv.write_text("id\tlabel\na\tx y\nb.jpg\tz\n")
    assert set(labels_from_csv(tmp_path, tsv).labels.values()) == {"x y", "z"}
    with pytest.raises(DatasetError, match="does not exist"):
        labels_from_csv(tmp_path, tmp_path / "nope.csv")


# ---------------------------------------------------------------- folder names, collisions


@pytest.mark.parametrize("label, folder", [
    ("basset_hound", "basset_hound"), ("cats/dogs", "cats_dogs"), ("a\\b", "a_b"),
    (".NET", "_NET"), ("..", "__"), ("a.b.", "a.b."), ("été", "été")])
def test_folder_name_rule(label, folder):
    assert folder_name(label) == folder


def test_collisions_are_reported_and_nothing_of_them_is_placed(tmp_path):
    src = tmp_path / "src"
    rows = {"1.jpg": "a/b", "2.jpg": "a_b", "3.jpg": "Cat", "4.jpg": "cat", "IMG.jpg": "dog",
            "img.jpg": "dog", "5.jpg": "dog", "6.jpg": ".hidden"}
    for seed, name in enumerate(rows):
        put(src / name, seed=seed)
    (tmp_path / "labels.csv").write_text("id,label\n" + "".join(
        f"{k},{v}\n" for k, v in rows.items()))
    lab = labels_from_csv(src, tmp_path / "labels.csv")
    assert lab.collisions == [
        Collision("Cat/", ("Cat", "cat"), (src / "3.jpg", src / "4.jpg")),
        Collision("a_b/", ("a/b", "a_b"), (src / "1.jpg", src / "2.jpg")),
        Collision("dog/IMG.jpg", ("IMG.jpg", "img.jpg"), (src / "IMG.jpg", src / "img.jpg"))]
    assert {p.name: c for p, c in lab.labels.items()} == {"5.jpg": "dog", "6.jpg": ".hidden"}
    plan = organize(src, tmp_path / "dst", by="csv", labels=tmp_path / "labels.csv")
    assert sorted(tree(tmp_path / "dst")) == ["_hidden/6.jpg", "dog/5.jpg"]
    assert len(tree(src)) == len(rows)
    summary = plan.summary()
    assert "  name collisions             3  e.g. Cat/ <- Cat + cat (2 files), a_b/ <- a/b + " \
           "a_b (2 files), dog/IMG.jpg <- IMG.jpg + img.jpg (2 files)\n" in summary
    assert "\n  class    folder   images\n  .hidden  _hidden       1\n" in summary


# ---------------------------------------------------------------- organize


def test_organize_hard_links_into_class_folders_and_keeps_the_source(pets, tmp_path):
    before = tree(pets)
    dst = tmp_path / "pets"
    plan = organize(pets, dst)
    assert plan.steps == [Step(pets / name, dst / folder_name(c) / name, c)
                          for name, c in PETS.items()]
    assert plan.done == {"linked": len(PETS)} and not plan.present and not plan.conflicts
    for step in plan.steps:
        assert step.target.stat().st_ino == step.source.stat().st_ino  # a hard link
    assert sorted(tree(dst)) == sorted(f"{c}/{n}" for n, c in PETS.items())
    assert tree(pets) == before  # nothing moved or deleted
    summary = plan.summary()
    assert "\n  basset_hound           2\n" in summary
    assert "\n  unlabeled files             2  e.g. Abyssinian.jpg (no '_' after the class " \
           "name), _4.jpg (no '_' after the class name)\n" in summary
    assert "ignored): 2  e.g. annotations/, notes.txt" in summary
    assert summary.endswith("done: 6 linked")
    # a second run finds everything in place and changes nothing
    again = organize(pets, dst)
    assert again.steps == [] and len(again.present) == len(PETS) and again.done == {}


def test_dry_run_writes_nothing_and_plans_what_the_run_does(pets, tmp_path):
    dry = organize(pets, tmp_path / "out", dry_run=True)
    assert not (tmp_path / "out").exists() and dry.done == {}
    assert "dry run: nothing written" in dry.summary()
    dry_moves = organize(pets, tmp_path / "out", move=True, dry_run=True)
    assert not (tmp_path / "out").exists() and len(tree(pets)) == len(PETS) + 5
    real = organize(pets, tmp_path / "out")
    assert real.steps == dry.steps == dry_moves.steps


def test_copy_when_hard_links_cross_file_systems(pets, tmp_path, monkeypatch):
    def no_link(src, dst, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    plan = organize(pets, tmp_path / "dst")
    assert plan.done == {"copied": len(PETS)}
    for step in plan.steps:
        assert step.target.read_bytes() == step.source.read_bytes()
        assert step.target.stat().st_ino != step.source.stat().st_ino
    assert len(tree(pets)) == len(PETS) + 5
    assert organize(pets, tmp_path / "dst").done == {}  # copies count as already there


def test_other_link_errors_are_not_hidden_by_a_copy(pets, tmp_path, monkeypatch):
    def denied(src, dst, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "link", denied)
    with pytest.raises(DatasetError, match="Permission denied.*0 of 6 files were placed"):
        organize(pets, tmp_path / "dst")


def test_move_moves_the_labeled_files_only(pets, tmp_path):
    content = {n: (pets / n).read_bytes() for n in PETS}
    plan = organize(pets, tmp_path / "dst", move=True)
    assert plan.done == {"moved": len(PETS)}
    assert tree(tmp_path / "dst") == {f"{c}/{n}": content[n] for n, c in PETS.items()}
    assert sorted(tree(pets)) == [".hidden_1.jpg", "Abyssinian.jpg", "_4.jpg",
                                  "annotations/Abyssinian_1.png", "notes.txt"]


def test_organize_in_place_with_move(pets):
    organize(pets, pets, move=True)
    assert images.scan(pets).counts() == {"Abyssinian": 2, "Bengal": 1, "annotations": 1,
                                          "basset_hound": 2, "great_pyrenees_2": 1}


def test_refuses_to_overwrite_a_different_file_and_writes_nothing(pets, tmp_path):
    dst = tmp_path / "dst"
    put(dst / "Bengal" / "Bengal_3.png", seed=1234)  # same name, other picture
    (dst / "Abyssinian").mkdir()
    (dst / "Abyssinian" / "Abyssinian_1.jpg").write_bytes((pets / "Abyssinian_1.jpg")
                                                          .read_bytes())  # same bytes
    before = tree(dst)
    dry = organize(pets, dst, dry_run=True)
    assert [s.source.name for s in dry.conflicts] == ["Bengal_3.png"]
    assert [s.source.name for s in dry.present] == ["Abyssinian_1.jpg"]
    assert "\n  different files in dst      1  e.g. Bengal/Bengal_3.png\n" in dry.summary()
    with pytest.raises(DatasetError, match=r"1 target file\(s\).*Bengal_3.png.*Nothing was "
                                           "written"):
        organize(pets, dst)
    assert tree(dst) == before


@pytest.mark.parametrize("kwargs, message", [
    ({"by": "folder"}, "by='folder'"),
    ({"by": "csv"}, "needs the CSV"),
    ({"labels": "labels.csv"}, "use by='csv'"),
    ({"by": "csv", "labels": "l.csv", "pattern": "(.+)_"}, "pattern applies to by='filename'"),
])
def test_organize_argument_errors(pets, tmp_path, kwargs, message):
    with pytest.raises(DatasetError, match=message):
        organize(pets, tmp_path / "dst", **kwargs)


def test_organize_bad_folders(pets, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatasetError, match="is a file, not a directory"):
        organize(pets, tmp_path / "file")
    with pytest.raises(DatasetError, match="does not exist"):
        organize(tmp_path / "missing", tmp_path / "dst")


# ---------------------------------------------------------------- inspect


@pytest.fixture
def folders(tmp_path) -> Path:
    root = tmp_path / "data"
    for i in range(3):
        put(root / "cat" / f"{i}.jpg", (16, 12), seed=i)
    put(root / "cat" / "sub" / "grey.png", (16, 12), "L")
    put(root / "dog" / "a.png", (30, 20), "RGBA")
    put(root / "dog" / "b.png", (8, 40), "P")
    put(root / "dog" / ".hidden.png", (99, 99))
    (root / "dog" / "broken.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")
    put(root / "loose.png", (5, 5))
    return root


def test_inspect_counts_sizes_modes_and_corrupt_files(folders):
    report = inspect(folders)
    assert report.layout == "folders" and report.classes == ["cat", "dog"]
    assert report.counts == {"images": {"cat": 4, "dog": 2}}
    assert report.modes == Counter({"RGB": 3, "L": 1, "RGBA": 1, "P": 1})
    assert report.sizes == Counter({(16, 12): 4, (30, 20): 1, (8, 40): 1})
    assert report.size_stats() == {"width": {"min": 8, "median": 16.0, "max": 30},
                                   "height": {"min": 12, "median": 12.0, "max": 40}}
    assert report.common_sizes(2) == [((16, 12), 4), ((8, 40), 1)]
    assert [p.relative_to(folders).as_posix() for p, _ in report.corrupt] == ["dog/broken.jpg"]
    assert names(report.files["dog"]) == ["a.png", "b.png"]
    # the same classes, images and corrupt files as the scan training uses
    index = images.scan(folders)
    assert index.classes == report.classes and index.skipped[0][0] == report.corrupt[0][0]
    assert sorted(p for p, _ in index.samples) == sorted(sum(report.files.values(), []))
    text = str(report)
    assert text.startswith(f"{folders}: folders, 2 classes, 6 images, 1 corrupt")
    assert "  cat         4" in text and "  dog         2" in text
    assert "width  min 8  median 16  max 30" in text
    assert "most common sizes (w x h): 16x12 (4), 8x40 (1), 30x20 (1)" in text
    assert "modes: RGB 3, L 1, P 1, RGBA 1" in text
    assert f"{folders / 'dog' / 'broken.jpg'}: " in text
    assert "1 image(s) directly in" in text and "loose.png" in text


def test_inspect_flat_folder_suggests_organize(pets, kaggle):
    report = inspect(pets)
    assert report.layout == "flat" and report.classes == []
    assert names(report.files[FLAT]) == sorted([*PETS, "Abyssinian.jpg", "_4.jpg"])
    assert "zoo data organize" in str(report) and "--by filename" in str(report)
    assert f"--by csv --labels {kaggle / 'labels.csv'}" in str(inspect(kaggle))


def test_inspect_train_val_layout_counts_each_split(tmp_path):
    for split, n in (("train", 3), ("val", 1)):
        for i in range(n):
            put(tmp_path / split / "cat" / f"{i}.png", seed=i)
            put(tmp_path / split / "dog" / f"{i}.png", seed=10 + i)
    put(tmp_path / "train" / "emu" / "0.png")
    report = inspect(tmp_path)
    assert report.layout == "train/val" and report.classes == ["cat", "dog", "emu"]
    assert report.counts == {"train": {"cat": 3, "dog": 3, "emu": 1},
                             "val": {"cat": 1, "dog": 1}}
    assert "only in train: ['emu']" in str(report)
    with pytest.raises(DatasetError, match="no class sub-folders and no image files"):
        (tmp_path / "empty").mkdir()
        inspect(tmp_path / "empty")


def test_write_grid_draws_one_row_per_class(folders, tmp_path):
    report = inspect(folders)
    two = write_grid(report, tmp_path / "out" / "grid.png", per_class=3)
    put(tmp_path / "one" / "cat" / "0.png")
    one = write_grid(inspect(tmp_path / "one"), tmp_path / "one.png", per_class=3)
    with Image.open(two) as a, Image.open(one) as b:
        assert a.format == "PNG" and a.width == b.width and a.height > 1.5 * b.height
        assert np.asarray(a.convert("L")).std() > 10  # pictures, not a blank page
    with pytest.raises(DatasetError, match="per_class"):
        write_grid(report, tmp_path / "x.png", per_class=0)


# ---------------------------------------------------------------- materialize


def test_materialize_matches_a_hand_made_layout_and_is_reused(pets, tmp_path, monkeypatch):
    by_hand = tmp_path / "by_hand"
    for name, c in PETS.items():
        (by_hand / c).mkdir(parents=True, exist_ok=True)
        (by_hand / c / name).write_bytes((pets / name).read_bytes())
    root = materialize(pets, "filename")
    assert root.parent == Path(os.environ["ZOO_HOME"]) / "datasets"
    got, want = images.scan_with_val(root, 0.34, seed=0), images.scan_with_val(by_hand, 0.34, 0)
    assert got.classes == want.classes == ["Abyssinian", "Bengal", "basset_hound",
                                           "great_pyrenees_2"]
    for part in ("train", "val"):
        assert [(p.name, y) for p, y in getattr(got, part)] == \
            [(p.name, y) for p, y in getattr(want, part)]
    assert (root / "Bengal" / "Bengal_3.png").stat().st_ino == (pets / "Bengal_3.png").stat().st_ino
    assert materialize(pets, "folders") == pets

    def no_rebuild(*args, **kwargs):
        raise AssertionError("rebuilt")

    with monkeypatch.context() as m:
        m.setattr(organize_mod, "organize", no_rebuild)
        assert materialize(pets, "filename") == root
    put(pets / "Bengal_4.png", seed=7)  # a new file: a new directory
    again = materialize(pets, "filename")
    assert again != root and images.scan(again).counts()["Bengal"] == 2
    assert images.scan(root).counts()["Bengal"] == 1


def test_materialize_a_csv_depends_on_its_content(kaggle, tmp_path):
    table = tmp_path / "labels.csv"  # outside the folder: its own content decides
    (kaggle / "labels.csv").rename(table)
    root = materialize(kaggle, table, cache_dir=tmp_path / "cache")
    assert root.parent == tmp_path / "cache"
    assert images.scan(root).counts() == {"bird": 2, "cat": 2, "dog": 1}
    assert materialize(kaggle, str(table), cache_dir=tmp_path / "cache") == root
    table.write_text(CSV.replace("001,cat", "001,dog"))
    changed = materialize(kaggle, table, cache_dir=tmp_path / "cache")
    assert changed != root and images.scan(changed).counts()["dog"] == 2
    with pytest.raises(DatasetError, match="strict=True"):
        materialize(kaggle, table, strict=True)
    with pytest.raises(DatasetError, match="labels='nope.csv': not 'folders'"):
        materialize(kaggle, "nope.csv")
    with pytest.raises(DatasetError, match="no labeled image"):
        materialize(kaggle, "filename", pattern=r"^(?P<class>zzz)")
    assert not list((tmp_path / "cache").glob(".*"))  # no temporary directory left


# ---------------------------------------------------------------- CLI handlers


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="zoo")
    add_data_commands(p.add_subparsers(dest="command", required=True))
    return p.parse_args(argv)


def test_cli_organize_dry_run_then_run(pets, tmp_path, capsys):
    args = parse(["data", "organize", str(pets), str(tmp_path / "dst"), "--by", "filename",
                  "--dry-run"])
    assert args.func is cmd_data_organize and args.func(args) == 0
    assert "dry run: nothing written" in capsys.readouterr().out
    assert not (tmp_path / "dst").exists()
    args = parse(["data", "organize", str(pets), str(tmp_path / "dst"), "--by", "filename",
                  "--pattern", r"^([A-Za-z]+)_"])
    assert args.func(args) == 0 and "done: 6 linked" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "dst").iterdir()) == ["Abyssinian", "Bengal",
                                                                    "basset", "great"]


def test_cli_organize_csv_with_column_names(tmp_path, capsys):
    put(tmp_path / "src" / "a.jpg")
    (tmp_path / "t.csv").write_text("file,breed\na,pug\n")
    args = parse(["data", "organize", str(tmp_path / "src"), str(tmp_path / "dst"), "--by",
                  "csv", "--labels", str(tmp_path / "t.csv"), "--id-column", "file",
                  "--label-column", "breed", "--move"])
    assert args.func(args) == 0 and (tmp_path / "dst" / "pug" / "a.jpg").is_file()
    assert not (tmp_path / "src" / "a.jpg").exists()


@pytest.mark.parametrize("extra, message", [
    (["--by", "csv"], "--by csv needs --labels"),
    (["--by", "filename", "--labels", "x.csv"], "--labels is the CSV of --by csv"),
    (["--by", "csv", "--labels", "x.csv", "--pattern", "(.+)"], "--pattern applies"),
])
def test_cli_user_errors_are_dataset_errors(pets, tmp_path, extra, message):
    args = parse(["data", "organize", str(pets), str(tmp_path / "dst"), *extra])
    with pytest.raises(DatasetError, match=message) as info:
        args.func(args)
    assert isinstance(info.value, ZooError)


def test_cli_inspect_with_grid(folders, tmp_path, capsys):
    args = parse(["data", "inspect", str(folders), "--grid", str(tmp_path / "g.png"),
                  "--per-class", "2"])
    assert args.func is cmd_data_inspect and args.func(args) == 0
    out = capsys.readouterr().out
    assert "folders, 2 classes, 6 images, 1 corrupt" in out and "grid: " in out
    assert Image.open(tmp_path / "g.png").format == "PNG"
    with pytest.raises(DatasetError, match="does not exist"):
        cmd_data_inspect(parse(["data", "inspect", str(tmp_path / "missing")]))


def test_cli_module_imports_no_image_libraries():
    proc = run_python("import sys, zoo.data.cli\n"
                      "print(sorted({'numpy', 'PIL', 'matplotlib'} & set(sys.modules)))")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
