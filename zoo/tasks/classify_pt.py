"""The PyTorch half of :class:`~zoo.tasks.classify.Classifier`: NHWC numpy in, logits out."""

from __future__ import annotations

import numpy as np
import torch

from zoo.tasks.classify import Classifier


class TorchClassifier(Classifier):
    """Mixed into an ``nn.Module`` whose ``forward`` takes normalised NCHW images."""

    #: the training engine feeds NHWC batches (shared with TF); torch wants NCHW
    input_permutation = (0, 3, 1, 2)

    def _to_native(self, x: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

    def _logits(self, x: np.ndarray) -> np.ndarray:
        # inference always runs in eval mode; the caller's mode is restored afterwards
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                return self(self._to_native(x)).numpy()
        finally:
            self.train(was_training)
