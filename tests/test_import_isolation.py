"""`import zoo` imports no framework; each backend's path never imports the other."""

from __future__ import annotations

import json

import pytest
from conftest import run_python

FRAMEWORKS = ("torch", "torchvision", "tensorflow", "keras")


def modules_after(code: str) -> set[str]:
    proc = run_python(code + "\nimport sys, json; print(json.dumps(sorted(sys.modules)))")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {m.split(".")[0] for m in json.loads(proc.stdout.strip().splitlines()[-1])}


def test_import_zoo_imports_no_framework():
    loaded = modules_after("import zoo; zoo.list_models(); zoo.info('sine')")
    assert not loaded & set(FRAMEWORKS), loaded & set(FRAMEWORKS)
    assert "numpy" not in modules_after("import zoo")  # keeps `import zoo` fast


@pytest.mark.slow
def test_torch_path_never_imports_tensorflow(tmp_path):
    loaded = modules_after(
        "import zoo\n"
        "m = zoo.load('sine', backend='torch'); m.forecast([0.1, 0.2, 0.3], 2)\n"
        f"zoo.save(m, {str(tmp_path / 'saved')!r})\n"
        f"zoo.train('sine', backend='torch', steps=20, out={str(tmp_path / 'run')!r}, "
        "progress=False)"
    )
    assert "torch" in loaded and not loaded & {"tensorflow", "keras"}


@pytest.mark.slow
def test_tf_path_never_imports_torch(tmp_path):
    loaded = modules_after(
        "import zoo\n"
        "m = zoo.load('sine', backend='tf'); m.forecast([0.1, 0.2, 0.3], 2)\n"
        f"zoo.train('sine', backend='tf', steps=20, out={str(tmp_path / 'run')!r}, "
        "progress=False)"
    )
    assert "tensorflow" in loaded and not loaded & {"torch", "torchvision"}


FINETUNE = (
    "import zoo, numpy as np\n"
    "from zoo.data.images import write_image_folder\n"
    "x = np.random.default_rng(0).integers(0, 255, (8, 36, 36, 3)).astype(np.uint8)\n"
    "write_image_folder({data!r}, x, np.arange(8) % 2, ['a', 'b'])\n"
    "run = zoo.finetune('resnet18', {data!r}, backend={backend!r}, weights='none', "
    "image_size=32, batch_size=4, workers=0, head_epochs=1, out={out!r}, progress=False)\n"
    "zoo.load(run, backend={backend!r}).classify(x[:2])\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("backend, forbidden", [("torch", {"tensorflow", "keras"}),
                                                ("tf", {"torch", "torchvision"})])
def test_resnet_finetune_path_stays_in_its_framework(tmp_path, backend, forbidden):
    loaded = modules_after(FINETUNE.format(data=str(tmp_path / "data"), backend=backend,
                                           out=str(tmp_path / "run")))
    assert not loaded & forbidden, loaded & forbidden


def test_missing_backend_names_the_extra():
    proc = run_python(
        "import sys; sys.modules['tensorflow'] = None\n"
        "import zoo\n"
        "try:\n"
        "    zoo.create('sine', backend='tf')\n"
        "except zoo.errors.BackendNotInstalledError as e:\n"
        "    print('ERR', e)\n"
    )
    assert "ERR" in proc.stdout and "pip install 'zoo[tf]'" in proc.stdout, proc.stdout


@pytest.mark.slow
def test_tf_first_process_can_convert_to_torch():
    """torchvision after TensorFlow segfaults here: zoo must never import it in that order."""
    proc = run_python(
        "import zoo\n"
        "k = zoo.create('cnn', backend='tf')\n"
        "t = zoo.convert(k, to='torch')\n"
        "print('passed', zoo.parity(k, t).passed)\n"
    )
    assert proc.returncode == 0, f"rc={proc.returncode}\n{proc.stderr[-2000:]}"
    assert "passed True" in proc.stdout
