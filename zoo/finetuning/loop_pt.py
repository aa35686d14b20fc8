"""The PyTorch fine-tuning loop: frozen-backbone phases over a DataLoader.

Same class and methods as ``loop_tf.py``; ``zoo.finetuning.run`` drives either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import torch
from torch import nn

from zoo.data import images_pt
from zoo.finetuning.settings import FinetuneSettings
from zoo.training.loop_pt import load_optimizer_state, optimizer_state
from zoo.weights import pt as weights_pt

make_batches = images_pt.make_loader


class Tuner:
    """Owns the model and the optimizer of the current phase."""

    def __init__(self, model: nn.Module, settings: FinetuneSettings) -> None:
        self.model, self.settings = model, settings
        self.loss_fn = nn.CrossEntropyLoss(label_smoothing=settings.label_smoothing)
        self.optimizer: torch.optim.Optimizer | None = None

    def start_phase(self, frozen: tuple[str, ...], lr: float) -> None:
        """Freeze ``frozen`` modules (BN included) and make an optimizer for the rest."""
        self.model.freeze(frozen)
        params = [p for p in self.model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=self.settings.weight_decay,
                                           fused=True)

    def train_epoch(self, batches: Iterable, lr_at: Callable[[int], float],
                    tick: Callable[[int], None]) -> float:
        """One pass over ``batches``; returns the mean training loss."""
        self.model.train()  # frozen modules stay in eval mode (ResNet.train)
        total, seen = 0.0, 0
        for i, (x, y) in enumerate(batches):
            for group in self.optimizer.param_groups:
                group["lr"] = lr_at(i)
            self.optimizer.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            self.optimizer.step()
            total += float(loss.detach()) * len(y)
            seen += len(y)
            tick(len(y))
        return total / max(seen, 1)

    def predict(self, batches: Iterable) -> tuple[np.ndarray, np.ndarray]:
        """Logits and labels of every batch, in inference mode."""
        self.model.eval()
        logits, labels = [], []
        with torch.no_grad():
            for x, y in batches:
                logits.append(self.model(x).numpy())
                labels.append(np.asarray(y))
        return np.concatenate(logits), np.concatenate(labels)

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
        opt, meta = optimizer_state(self.optimizer)
        return weights_pt.state(self.model), opt, meta

    def load_state(self, model: dict[str, np.ndarray], optimizer: dict[str, np.ndarray],
                   meta: dict[str, Any]) -> None:
        weights_pt.assign(self.model, model, source="checkpoint")
        load_optimizer_state(self.optimizer, optimizer, meta)
