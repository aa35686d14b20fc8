"""Fine-tuning settings: a validated, JSON-able table (from a TOML ``[finetune]`` section,
keyword overrides or both).

Example:
    >>> load_settings(None, {"head_epochs": 2}).head_epochs
    2
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any, ClassVar

from zoo.config import ModelConfig
from zoo.errors import ConfigError, RecipeError


@dataclasses.dataclass(frozen=True)
class FinetuneSettings(ModelConfig):
    """Two phases: the new head on a frozen backbone, then optionally the last stages.

    ``weights`` is a manifest tag of the model (``""``: its default weights), a hub
    reference or run directory, or ``"none"`` to train from scratch at the same budget.
    """

    family: ClassVar[str] = "finetune"

    weights: str = ""
    image_size: int = 224
    val_fraction: float = 0.2
    seed: int = 0
    batch_size: int = 32
    workers: int = 2
    label_smoothing: float = 0.1
    weight_decay: float = 0.01
    head_epochs: int = 3
    head_lr: float = 1e-3
    unfreeze: tuple[str, ...] = ()
    unfreeze_epochs: int = 0
    unfreeze_lr: float = 1e-4
    flip: bool = True
    random_resized_crop: bool = True
    scale: tuple[float, ...] = (0.35, 1.0)
    #: validation and inference: shorter side to image_size / crop_fraction, centre crop
    crop_fraction: float = 0.875

    def validate(self) -> None:
        if not 0 <= self.val_fraction < 1:
            raise ConfigError(f"val_fraction must be in [0, 1), got {self.val_fraction}")
        for name in ("batch_size", "head_epochs", "image_size"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.unfreeze_epochs and not self.unfreeze:
            raise ConfigError("unfreeze_epochs > 0 needs the stages to unfreeze, e.g. "
                              "unfreeze = [\"layer4\"]")

    @property
    def augment(self) -> dict[str, Any]:
        """The training augmentation both data pipelines take (``zoo.data.images``)."""
        return {"flip": self.flip, "random_resized_crop": self.random_resized_crop,
                "scale": list(self.scale), "crop_fraction": self.crop_fraction}

    @property
    def total_epochs(self) -> int:
        return self.head_epochs + self.unfreeze_epochs


def load_settings(recipe: str | Path | None, overrides: dict[str, Any]) -> FinetuneSettings:
    """The ``[finetune]`` table of a TOML file (if given), then ``overrides`` on top."""
    table: dict[str, Any] = {}
    if recipe is not None:
        path = Path(recipe)
        if not path.is_file():
            raise RecipeError(f"fine-tuning recipe {path} does not exist")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        if set(raw) - {"finetune"}:
            raise RecipeError(f"{path}: only a [finetune] table is allowed, found "
                              f"{sorted(set(raw) - {'finetune'})}")
        table = raw.get("finetune", {})
    try:
        return FinetuneSettings.from_dict({**table, **overrides})
    except ConfigError as err:
        raise RecipeError(f"fine-tuning settings: {err}") from None
