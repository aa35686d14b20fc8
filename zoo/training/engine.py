"""The training loop both backends share: batches, schedule, logs, checkpoints, progress bar.

The backend ``Trainer`` (loop_pt.py / loop_tf.py) does one step and moves its state in and
out; everything that decides *what* happens at each step lives here, once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from zoo.training import checkpoint
from zoo.training.logs import MetricsLog
from zoo.training.sampler import batch_indices
from zoo.training.schedule import lr_at

BatchFn = Callable[[int], tuple[Any, np.ndarray]]


def batch_source(x: np.ndarray | tuple[np.ndarray, ...], y: np.ndarray, recipe: Any,
                 augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
                 ) -> BatchFn:
    """``step -> (inputs, targets)``: a pure function, shared by both backends' pipelines.

    ``x`` may be a tuple of arrays (seq2seq: source ids, teacher-forced target ids); the
    model is then called with all of them.
    """
    seed, size = recipe.seed, recipe.train["batch_size"]

    def batch(step: int) -> tuple[Any, np.ndarray]:
        idx = batch_indices(seed, step, size, len(y))
        if isinstance(x, tuple):
            return tuple(np.ascontiguousarray(a[idx]) for a in x), np.ascontiguousarray(y[idx])
        xb, yb = x[idx], y[idx]
        if augment is not None:
            xb = augment(xb, np.random.default_rng([seed, step, 1]))
        return np.ascontiguousarray(xb), np.ascontiguousarray(yb)

    return batch


def fit(
    trainer: Any,
    batches: BatchFn,
    recipe: Any,
    run_dir: Path,
    steps: int,
    resume: bool,
    progress: bool = True,
) -> int:
    """Run steps ``[start, steps)``; returns the step it resumed from (0 for a fresh run).

    In a multi-process run every rank runs this; only the chief (rank 0) logs, shows the
    bar and writes checkpoints, and every rank resumes from the same checkpoint.
    """
    train = recipe.train
    chief = trainer.chief
    start = 0
    if resume and (ckpt := checkpoint.latest(run_dir)) is not None:
        model_t, optim_t, state = checkpoint.load(ckpt)
        trainer.load_state(model_t, optim_t, state["optimizer"])
        start = state["step"]
    log = (MetricsLog(run_dir / "metrics.csv", ["loss", "lr"],
                      resume_step=start if resume else None) if chief else None)
    # in a log file (not a terminal) a bar line every 30 s is plenty
    bar = tqdm(total=steps, initial=start, desc=f"train {recipe.name}", unit="step",
               disable=not (progress and chief), dynamic_ncols=True,
               mininterval=0.1 if sys.stderr.isatty() else 30)
    pending: list[Any] = []
    try:
        stream = trainer.batches(batches, start, steps, train["workers"])
        for step, (xb, yb) in zip(range(start, steps), stream, strict=True):
            lr = lr_at(step, steps, recipe.optimizer)
            pending.append(trainer.step(step, xb, yb, lr))
            done = step + 1
            if done % train["log_every"] == 0 or done == steps:
                loss = trainer.reduce_loss(float(np.mean([float(v) for v in pending])))
                pending.clear()
                if log is not None:
                    log.write(done, loss=loss, lr=lr)
                trainer.scalar("train/loss", loss, done)
                trainer.scalar("train/lr", lr, done)
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
            if chief and (done % train["checkpoint_every"] == 0 or done == steps):
                model_t, optim_t, meta = trainer.state()
                checkpoint.save(run_dir, done, model_t, optim_t, {"optimizer": meta})
            bar.update(1)
    finally:
        bar.close()
        if log is not None:
            log.close()
    return start
