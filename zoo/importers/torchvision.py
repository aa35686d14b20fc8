"""``zoo import torchvision``: torchvision's ImageNet weights as a zoo hub commit, both backends.

The state dict (from ``--from FILE`` or torchvision's own download) must be exactly a stock
``torchvision.models.resnetXX()``: same keys, same shapes. It is loaded strictly into the zoo
model (whose torch half *is* torchvision's ResNet), converted to Keras, checked for parity and
published with torchvision's class names, preprocessing and reported accuracy.

Example:
    >>> pub = import_torchvision("resnet50", "IMAGENET1K_V2", source="resnet50-11ad3fa6.pth")
    >>> zoo.load("resnet50:imagenet1k-v2", backend="tf").classify("cat.jpg", top_k=3)
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from zoo import registry
from zoo import weights as zoo_weights
from zoo.backends import check_torchvision_importable
from zoo.errors import WeightsError, ZooError
from zoo.hub.atomic import sha256_file
from zoo.paths import user_manifest_dir
from zoo.publishing import Publication, Release, release

log = logging.getLogger("zoo")

#: zoo families whose torch model is a torchvision architecture of the same name
FAMILIES = ("resnet",)
DATASET = ("ImageNet-1K (ILSVRC 2012: 1.28M training images, 50k validation images, 1000 "
           "classes); trained by torchvision")
#: torchvision names the files it publishes ``<name>-<first sha256 hex digits>.pth``
HASH_IN_NAME = re.compile(r"-([0-9a-f]{8,})\.")
#: how many key names an error lists before "... and N more"
SHOWN = 8


def import_torchvision(model: str, weights: str = "IMAGENET1K_V1",
                       source: str | Path | None = None, hub: str | Path | None = None,
                       repo: str | None = None, tag: str | None = None) -> Publication:
    """Publish torchvision's ``weights`` for ``model`` to a hub and the user manifest.

    ``source`` is a ``.pth``/``.pt``/``.safetensors`` state dict; without it torchvision
    downloads the file (an error says to pass ``source`` when that fails). ``repo`` defaults
    to ``torchvision/<model>``, ``tag`` to the weights name (``imagenet1k-v2``), ``hub`` to
    the local hub (``$ZOO_HOME/hub``).

    Example:
        >>> import_torchvision("resnet18", source="resnet18-f37072fd.pth").ref
        'resnet18:imagenet1k-v1'
    """
    _check_import_order()
    if registry.entry(model).family not in FAMILIES:
        importable = [n for n, e in registry.MODELS.items() if e.family in FAMILIES]
        raise ZooError(f"torchvision has no weights for zoo model {model!r}; importable: "
                       f"{', '.join(importable)}")
    enum = weights_enum(model, weights)
    path = Path(source).expanduser() if source is not None else download(enum)
    tensors = read_state_dict(path)
    check_architecture(model, tensors, path, enum)
    sha = sha256_file(path)
    if not is_published_file(enum, sha):
        log.warning("%s is not byte-identical to torchvision's %s (%s); importing its tensors, "
                    "which match the architecture", path, enum, enum.url)
    zoo_model = build(model, enum)
    zoo_weights.assign(zoo_model, tensors, source=str(path))
    origin = {"library": "torchvision", "weights": str(enum), "url": enum.url,
              "file": path.name, "sha256": sha, "recipe": enum.meta.get("recipe", "")}
    spec = Release(
        repo=repo or f"torchvision/{model}", tag=tag or enum.name.lower().replace("_", "-"),
        message=f"import torchvision {enum} from {path.name} (sha256 {sha[:12]})",
        license="BSD-3-Clause", dataset=DATASET, dataset_id="imagenet-1k",
        description=_description(enum, sha),
        provenance={"recipe": "", "recipe_sha256": "", "origin": origin},
        metrics=lambda models: {"torch": reported_metrics(enum)},
        metrics_note=(f"ImageNet-1K validation accuracy (percent) as reported by torchvision "
                      f"(`{enum}.meta['_metrics']`), not measured by zoo; the converted TF "
                      "model matches the torch one within the parity tolerance (parity.json)."),
        files={"preprocess.json": json.dumps(preprocess_record(enum), indent=2).encode()},
    )
    return release(zoo_model, spec, hub=hub, manifest_file=user_manifest_dir() / f"{model}.toml",
                   source=str(path))


def _check_import_order() -> None:
    check_torchvision_importable("zoo import torchvision")


def weights_enum(model: str, name: str) -> Any:
    """torchvision's weights enum member: ``"IMAGENET1K_V2"``, ``"imagenet1k-v2"``,
    ``"ResNet50_Weights.IMAGENET1K_V2"`` and ``"DEFAULT"`` all name one.

    Example:
        >>> weights_enum("resnet50", "imagenet1k-v2").url
        'https://download.pytorch.org/models/resnet50-11ad3fa6.pth'
    """
    import torchvision

    family = torchvision.models.get_model_weights(model)
    key = name.rpartition(".")[2].upper().replace("-", "_")
    if key not in family.__members__:
        raise ZooError(f"torchvision has no {family.__name__}.{key}; available: "
                       f"{', '.join(family.__members__)}")
    return family[key]


def _cached_file(enum: Any) -> Path:
    """Where ``torch.hub`` keeps a downloaded file (``$TORCH_HOME/hub/checkpoints/<name>``)."""
    import torch

    return Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(enum.url).path).name


def download(enum: Any) -> Path:
    """torchvision's file for ``enum``, downloaded into the torch hub cache unless there.

    A failed download (offline, proxy, hash mismatch) raises saying how to pass the file.
    """
    cached = _cached_file(enum)
    if not cached.is_file():
        try:
            # check_hash: the file name carries a sha256 prefix that torch.hub verifies
            enum.get_state_dict(progress=True, weights_only=True, check_hash=True,
                                map_location="cpu")
        except (OSError, RuntimeError, ValueError) as err:  # URLError is an OSError
            raise WeightsError(
                f"could not download torchvision's {enum} weights ({err}). Download\n  "
                f"{enum.url}\non a machine with internet access, copy it here and pass it with "
                f"--from FILE (Python: source=FILE)") from err
    return cached


def read_state_dict(path: Path) -> dict[str, np.ndarray]:
    """``{key: array}`` of a ``.pth``/``.pt`` (``torch.load(weights_only=True)``) or
    ``.safetensors`` state dict; a missing, corrupt or non-state-dict file raises naming it."""
    readers = {".pth": _read_torch, ".pt": _read_torch, ".safetensors": _read_safetensors}
    if path.suffix not in readers:
        raise WeightsError(f"{path}: unknown weights format {path.suffix!r}; give a "
                           f"{', '.join(readers)} file")
    if not path.is_file():
        raise WeightsError(f"weights file {path} does not exist; check the --from path")
    return readers[path.suffix](path)


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    from zoo.weights.files import read_safetensors

    return read_safetensors(path)


def _read_torch(path: Path) -> dict[str, np.ndarray]:
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001  torch.load raises many types for a bad file
        raise WeightsError(
            f"{path} is not a readable PyTorch file ({type(err).__name__}: {err}); it is corrupt "
            "or truncated: download it again") from err
    if not (isinstance(obj, dict) and obj and all(isinstance(v, torch.Tensor)
                                                  for v in obj.values())):
        keys = f" with keys {sorted(map(str, obj))[:SHOWN]}" if isinstance(obj, dict) else ""
        raise WeightsError(
            f"{path} holds a {type(obj).__name__}{keys}, not a state dict (name -> tensor); "
            "save model.state_dict() (a training checkpoint keeps it under one of its keys)")
    try:
        return {k: v.detach().cpu().numpy() for k, v in obj.items()}
    except TypeError as err:  # bfloat16 and other dtypes numpy lacks
        raise WeightsError(f"{path}: a tensor has a dtype zoo cannot read ({err}); torchvision's "
                           "files are float32") from err


def stock_shapes(model: str, num_classes: int) -> dict[str, tuple[int, ...]]:
    """Key -> shape of a stock ``torchvision.models.<model>(num_classes=...)`` state dict."""
    import torch
    import torchvision

    with torch.device("meta"):  # shapes only: no memory, no initialisation cost
        net = getattr(torchvision.models, model)(num_classes=num_classes)
    return {k: tuple(v.shape) for k, v in net.state_dict().items()}


def _listing(keys: list[str]) -> str:
    more = f" ... and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
    return f"{keys[:SHOWN]}{more}"


def differences(expected: dict[str, tuple[int, ...]], tensors: dict[str, np.ndarray]) -> list[str]:
    """Missing, unexpected and mis-shaped keys, one line each kind (empty when they match)."""
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    shaped = [f"{k}: file {tuple(tensors[k].shape)}, {expected[k]} expected"
              for k in sorted(set(expected) & set(tensors))
              if tuple(tensors[k].shape) != expected[k]]
    found = {"missing keys": missing, "unexpected keys": unexpected, "mis-shaped keys": shaped}
    return [f"{what}: {_listing(keys)}" for what, keys in found.items() if keys]


def check_architecture(model: str, tensors: dict[str, np.ndarray], path: Path, enum: Any) -> None:
    """Raise unless ``tensors`` is exactly a stock torchvision ``model`` with the weights'
    number of classes; say which model it looks like when it is another one."""
    classes = len(enum.meta["categories"])
    problems = differences(stock_shapes(model, classes), tensors)
    if not problems:
        return
    head = tensors.get("fc.weight")
    in_file = int(head.shape[0]) if head is not None and head.ndim == 2 else classes
    if in_file != classes and not differences(stock_shapes(model, in_file), tensors):
        raise WeightsError(
            f"{path} is a {model} with a {in_file}-class head (fc.weight {tuple(head.shape)}), "
            f"but torchvision's {enum} has {classes} classes: it is not those weights (a "
            f"fine-tuned model?). Load it with zoo.create({model!r}, num_classes={in_file}) "
            "and zoo.weights.assign instead")
    family = registry.entry(model).family
    alike = [m for m, e in registry.MODELS.items() if e.family == family and m != model
             and not differences(stock_shapes(m, in_file), tensors)]
    hint = (f"\n  this looks like {alike[0]}: zoo import torchvision {alike[0]} --from {path}"
            if alike else "")
    raise WeightsError(f"{path} is not a torchvision {model} state dict:\n  "
                       + "\n  ".join(problems) + hint)


def preprocess_record(enum: Any) -> dict[str, Any]:
    """torchvision's evaluation transform of ``enum`` (``preprocess.json``)."""
    t = enum.transforms()
    return {
        "resize_size": _single(t.resize_size), "crop_size": _single(t.crop_size),
        "interpolation": t.interpolation.value, "antialias": t.antialias,
        "mean": list(t.mean), "std": list(t.std),
        "steps": "resize the shorter side to resize_size, center-crop crop_size, scale to "
                 "[0, 1], normalise with mean and std",
        "source": f"torchvision {enum}.transforms()",
    }


def _single(size: Any) -> Any:
    # torchvision keeps sizes as one-element lists ("shorter side"); a pair stays a pair
    return size[0] if len(size) == 1 else list(size)


def reported_metrics(enum: Any) -> dict[str, float]:
    """torchvision's recorded ImageNet-1K acc@1 / acc@5 (percent) of ``enum``."""
    return {k: float(v) for k, v in enum.meta["_metrics"]["ImageNet-1K"].items()}


def build(model: str, enum: Any) -> Any:
    """The zoo torch model with torchvision's classes, crop size and normalisation."""
    from zoo.factory import create

    t = enum.transforms()
    crop, resize = int(t.crop_size[0]), int(t.resize_size[0])
    # preprocess/classify then resize the shorter side to `resize` and centre-crop `crop`,
    # exactly torchvision's eval transforms for these weights
    return create(model, backend="torch", num_classes=len(enum.meta["categories"]),
                  image_size=crop, crop_fraction=crop / resize, mean=tuple(t.mean),
                  std=tuple(t.std), class_names=tuple(enum.meta["categories"]))


def is_published_file(enum: Any, sha: str) -> bool:
    """Whether a file with this sha256 is the one torchvision publishes for ``enum``."""
    match = HASH_IN_NAME.search(Path(urlparse(enum.url).path).name)
    return bool(match) and sha.startswith(match.group(1))


def _description(enum: Any, sha: str) -> str:
    docs = " ".join(enum.meta.get("_docs", "").split())
    same = ("byte-identical to torchvision's published file" if is_published_file(enum, sha)
            else "not byte-identical to torchvision's published file (a re-saved copy?); its "
            "tensors passed the architecture check")
    return (f"torchvision's `{enum}` ImageNet weights in zoo's PyTorch and TensorFlow/Keras "
            f"models. The imported file is {same}. torchvision's notes: {docs}")
