"""zoo: every model natively in PyTorch and TensorFlow, with recipes, converters and a hub.

``import zoo`` imports neither framework: each function imports the one it needs.

Example:
    >>> import zoo
    >>> m = zoo.load("sine", backend="tf")
    >>> m.forecast([0.0, 0.1, 0.2, 0.3, 0.4], steps=3)
"""

from __future__ import annotations

from typing import Any

from zoo import errors  # noqa: E402  (tiny, framework-free: zoo.errors.ZooError)

__version__ = "0.1.0"
__all__ = ["errors", "list_models", "info", "create", "load", "save", "convert", "parity", "train",
           "finetune", "reproduce", "publish", "pull", "verify", "import_torchvision", "summary",
           "__version__"]


def list_models(with_tags: bool = False) -> list[str] | dict[str, list[str]]:
    """Registered model names, or name -> weight tags when ``with_tags``.

    Example:
        >>> zoo.list_models()
        ['sine']
    """
    from zoo.api import list_models as impl

    return impl(with_tags)


def info(name: str) -> dict[str, Any]:
    """Config, available weights (metrics, parity, recipe) of a model."""
    from zoo.api import info as impl

    return impl(name)


def create(name: str, backend: str = "torch", config: Any = None, **overrides: Any) -> Any:
    """An untrained native model; ``overrides`` are validated config fields."""
    from zoo.factory import create as impl

    return impl(name, backend, config, **overrides)


def load(ref: str, backend: str = "torch", weights: str | None = None,
         revision: str | None = None, hub: str | None = None,
         num_classes: int | None = None) -> Any:
    """A trained native model from the manifest, a hub repo or a local directory.

    ``num_classes=N`` keeps the backbone and gives a fresh N-class head (logged).
    """
    from zoo.loading import load as impl

    return impl(ref, backend, weights=weights, revision=revision, hub=hub,
                num_classes=num_classes)


def finetune(model: str, data_dir: str, backend: str = "torch", recipe: str | None = None,
             out: str | None = None, resume: bool = False, progress: bool = True,
             labels: str = "folders", label_options: dict | None = None,
             **settings: Any) -> Any:
    """Fine-tune a pretrained classifier on an image dataset: class sub-folders
    (``labels="folders"``), class in the file name (``"filename"``) or a CSV of labels.

    Example:
        >>> run_dir = zoo.finetune("resnet18", "data/flowers", backend="tf", head_epochs=2)
        >>> zoo.finetune("resnet18", "pets/images", labels="filename")
    """
    from zoo.finetuning.run import finetune as impl

    return impl(model, data_dir, backend, recipe=recipe, out=out, resume=resume,
                progress=progress, labels=labels, label_options=label_options, **settings)


def summary(name_or_model: Any, backend: str | None = None, input: Any = None,
            **config_overrides: Any) -> Any:
    """One row per layer (the same names in both backends), output shapes, parameters.

    Example:
        >>> print(zoo.summary("resnet18", backend="tf"))
    """
    from zoo.summary import summary as impl

    return impl(name_or_model, backend, input, **config_overrides)


def save(model: Any, directory: str) -> Any:
    """``config.json`` + this backend's weights file in ``directory``."""
    from zoo.loading import save as impl

    return impl(model, directory)


def convert(model: Any, to: str) -> Any:
    """The same model in the other backend, weights converted by the family's rule table."""
    from zoo.factory import convert as impl

    return impl(model, to)


def parity(model_a: Any, model_b: Any, atol: float | None = None,
           rtol: float | None = None) -> Any:
    """Max abs / rel differences of two backends' outputs on the family's parity inputs."""
    from zoo.factory import parity as impl

    return impl(model_a, model_b, atol=atol, rtol=rtol)


def train(recipe: str, backend: str = "torch", out: str | None = None, resume: bool = False,
          steps: int | None = None, ci: bool = False, progress: bool = True,
          data: dict[str, Any] | None = None) -> Any:
    """Run ``training/<recipe>.toml`` (a recipe or model name, or a path); returns the run
    directory. ``data`` overrides [data] keys, e.g. ``{"kind": "mnist", "root": DIR}``."""
    from zoo.training.run import train as impl

    return impl(recipe, backend, out=out, resume=resume, steps=steps, ci=ci, progress=progress,
                data=data)


def reproduce(name: str, backend: str = "torch", weights: str | None = None, ci: bool = False,
              out: str | None = None, progress: bool = True) -> Any:
    """Re-run the recipe of published weights and compare with the recorded metrics."""
    from zoo.training.run import reproduce as impl

    return impl(name, backend, weights=weights, ci=ci, out=out, progress=progress)


def publish(run_dir: str, repo: str, hub: str | None = None, message: str | None = None,
            tag: str | None = None, license: str = "MIT",
            manifest_file: str | None = None) -> Any:
    """Commit a run (both backends' weights, parity, card...) to a hub in one commit.

    ``hub``: a LocalHub directory (default ``$ZOO_HOME/hub``), ``"hf://"`` (huggingface.co or
    ``$HF_ENDPOINT``) or an endpoint URL such as ``zoo hub serve``'s. Returns the
    Publication: the commit id and the manifest entry that pins it.
    """
    from zoo.publishing import publish as impl

    return impl(run_dir, repo, hub=hub, message=message, tag=tag, license=license,
                manifest_file=manifest_file)


def pull(ref: str, hub: str | None = None, revision: str | None = None) -> Any:
    """Fetch and check every file of one commit (so later loads work offline)."""
    from zoo.hub.transfer import pull as impl

    return impl(ref, hub=hub, revision=revision)


def verify(names: list[str] | None = None) -> Any:
    """Re-check the sha256 pins and the parity of every manifest entry (or of ``names``)."""
    from zoo.hub.transfer import verify as impl

    return impl(names)


def import_torchvision(model: str, weights: str = "IMAGENET1K_V1", source: str | None = None,
                       hub: str | None = None, repo: str | None = None,
                       tag: str | None = None) -> Any:
    """Publish torchvision's pretrained weights (both backends, parity, card) to a hub and the
    user manifest, so ``zoo.load("resnet50:imagenet1k-v2")`` works offline afterwards.

    ``source`` is a downloaded ``.pth``/``.safetensors`` file; without it torchvision downloads.
    """
    from zoo.importers.torchvision import import_torchvision as impl

    return impl(model, weights, source=source, hub=hub, repo=repo, tag=tag)
