"""CNN training throughput, measured side by side in one run and reported as ratios.

Training samples/s of the basic CNN (28x28x1 inputs, 10 classes, batch 128) on synthetic
batches made once with numpy (seed 0), each contender in its own fresh interpreter, imports
and the first 10 (warm-up) steps excluded from the timed window:

- the zoo torch engine (``loop_pt.Trainer.step``, driven like ``engine.fit``) vs a plain
  PyTorch loop (default AdamW, ``nn.CrossEntropyLoss``, zero_grad/forward/backward/step);
- the zoo TF engine (``loop_tf.Trainer.step``) vs ``keras.Model.fit`` on a ``tf.data``
  pipeline (time taken from a batch-end callback, so tracing is excluded too);
- the knobs: torch with one thread, ``channels_last``, ``torch.compile``; TF with
  ``jit_compile=True`` and with ``TF_ENABLE_ONEDNN_OPTS=0``, and (to explain those) TF
  without the op determinism ``seed_everything`` turns on (each vs the engine it changes);
- the machine's float32 matmul peak (best of ``torch.mm`` / ``tf.linalg.matmul``, 2048^2),
  and each contender's achieved GFLOP/s (analytic FLOPs per sample) as a fraction of it.

Prints a table and writes ``benchmarks/results/cnn.json`` (``--quick``: 20 timed steps
instead of 200, written to ``cnn-quick.json``).  ``python benchmarks/cnn.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
BATCH, WARMUP, DISTINCT = 128, 10, 8  # DISTINCT synthetic batches, cycled
COMPILE_LIMIT_S = 120
#: "tensorflow.python...InvalidArgumentError: message" -> (InvalidArgumentError, message)
EXCEPTION = re.compile(r"(?:\w+\.)*(\w+(?:Error|Exception|Interrupt)): (.*)")

# Shared by every training contender: the batches, and a timer that runs WARMUP untimed
# steps, then STEPS timed ones, synchronising on the last step's loss at both ends.
PRELUDE = """
import json, signal, tempfile, time
from pathlib import Path
{preimport}
import numpy as np
STEPS, WARMUP, BATCH, K = {steps}, {warmup}, {batch}, {distinct}
rng = np.random.default_rng(0)
X = rng.standard_normal((K, BATCH, 28, 28, 1), dtype=np.float32)   # NHWC, as the engine feeds
Y = rng.integers(0, 10, (K, BATCH)).astype(np.int64)

def timed(step_fn, sync, warmup_limit=None):
    if warmup_limit:  # torch.compile: give up if compiling (in the warm-up) takes too long
        def too_slow(*_):
            raise TimeoutError(f"compiling took > {{warmup_limit}} s")
        signal.signal(signal.SIGALRM, too_slow)
        signal.alarm(warmup_limit)
    t0 = time.perf_counter()
    for s in range(WARMUP):
        out = step_fn(s)
    sync(out)
    signal.alarm(0)
    t1 = time.perf_counter()
    for s in range(WARMUP, WARMUP + STEPS):
        out = step_fn(s)
    sync(out)
    t2 = time.perf_counter()
    print(json.dumps({{"samples_per_s": STEPS * BATCH / (t2 - t1), "timed_s": t2 - t1,
                       "warmup_s": t1 - t0, "loss": float(out)}}))
"""

# 1 (and the torch knobs): the zoo torch engine, as engine.fit drives it.
ZOO_TORCH = """
import torch
import zoo
from zoo.training import loop_pt
from zoo.training.recipe import load_recipe
from zoo.training.schedule import lr_at
recipe = load_recipe("cnn-fashion-mnist")
{knob}
loop_pt.seed_everything(recipe.seed)
model = zoo.create("cnn", backend="torch", **recipe.raw.get("model", {{}}))
if CHANNELS_LAST:
    model = model.to(memory_format=torch.channels_last)
    # the engine's NHWC batch permuted to NCHW already has channels_last strides
    assert torch.as_tensor(X[0]).permute(0, 3, 1, 2).is_contiguous(
        memory_format=torch.channels_last)
trainer = loop_pt.Trainer(model, recipe, Path(tempfile.mkdtemp()))
if COMPILE:
    trainer.model = torch.compile(trainer.model)
total = WARMUP + STEPS
timed(lambda s: trainer.step(s, X[s % K], Y[s % K], lr_at(s, total, recipe.optimizer)),
      lambda loss: loss.item(), {compile_limit} if COMPILE else None)
"""
TORCH_KNOBS = {
    "default": "CHANNELS_LAST = COMPILE = False",
    "threads1": "CHANNELS_LAST = COMPILE = False; torch.set_num_threads(1)",
    "channels_last": "CHANNELS_LAST, COMPILE = True, False",
    "compile": "CHANNELS_LAST, COMPILE = False, True",
}

# 2: a hand-written loop on the same architecture, NCHW tensors made once.
PLAIN_TORCH = """
import torch
from torch import nn
from zoo.models.cnn.config import CNNConfig
from zoo.models.cnn.pt import build
torch.manual_seed(0)
model = build(CNNConfig()).train()
opt = torch.optim.AdamW(model.parameters(), lr=0.002, weight_decay=0.01)
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
xs = [torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2))) for x in X]
ys = [torch.from_numpy(y) for y in Y]
def step(s):
    opt.zero_grad()
    loss = loss_fn(model(xs[s % K]), ys[s % K])
    loss.backward()
    opt.step()
    return loss.detach()
timed(step, lambda loss: loss.item())
"""

# 3 (and the TF knobs): the zoo TF engine, as engine.fit drives it.
ZOO_TF = """
import keras, tensorflow as tf
import zoo
from zoo.training import loop_tf
from zoo.training.recipe import load_recipe
from zoo.training.schedule import lr_at
recipe = load_recipe("cnn-fashion-mnist")
if {deterministic}:
    loop_tf.seed_everything(recipe.seed)  # seeds and turns on op determinism
else:
    keras.utils.set_random_seed(recipe.seed)
model = zoo.create("cnn", backend="tf", **recipe.raw.get("model", {{}}))
trainer = loop_tf.Trainer(model, recipe, Path(tempfile.mkdtemp()))
if {jit}:
    trainer._train_step = tf.function(trainer._step_graph, jit_compile=True)
total = WARMUP + STEPS
timed(lambda s: trainer.step(s, X[s % K], Y[s % K], lr_at(s, total, recipe.optimizer)),
      lambda loss: loss.numpy())
"""

# 4: keras.Model.fit over tf.data; the clock starts at the end of the last warm-up batch.
KERAS_FIT = """
import tensorflow as tf, keras
from zoo.models.cnn.config import CNNConfig
from zoo.models.cnn.tf import build
keras.utils.set_random_seed(0)
model = build(CNNConfig())
model.compile(optimizer=keras.optimizers.AdamW(0.002, weight_decay=0.01),
              loss=keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1))
onehot = np.eye(10, dtype=np.float32)[Y]
ds = tf.data.Dataset.from_tensor_slices((X, onehot)).repeat().prefetch(tf.data.AUTOTUNE)

class Clock(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == WARMUP - 1:
            self.start = time.perf_counter()
        elif batch == WARMUP + STEPS - 1:
            self.stop = time.perf_counter()

clock = Clock()
t0 = time.perf_counter()
history = model.fit(ds, epochs=1, steps_per_epoch=WARMUP + STEPS, verbose=0, callbacks=[clock])
print(json.dumps({"samples_per_s": STEPS * BATCH / (clock.stop - clock.start),
                  "timed_s": clock.stop - clock.start, "warmup_s": clock.start - t0,
                  "loss": float(history.history["loss"][-1]), "jit_compile": model.jit_compile}))
"""

# 5: float32 matmul peak, best of a few 2048x2048 products.
PEAK = """
import json, time
{preimport}
n, best = 2048, float("inf")
{setup}
for _ in range(8):
    t = time.perf_counter()
    {matmul}
    best = min(best, time.perf_counter() - t)
print(json.dumps({{"gflops": 2 * n**3 / best / 1e9}}))
"""
PEAKS = {
    "torch.mm": dict(preimport="import torch", setup="a = torch.randn(n, n); c = torch.mm(a, a)",
                     matmul="c = torch.mm(a, a)"),
    "tf.linalg.matmul": dict(
        preimport="import tensorflow as tf",
        setup="a = tf.random.normal((n, n)); c = tf.linalg.matmul(a, a).numpy()",
        matmul="c = tf.linalg.matmul(a, a).numpy()",
    ),
}


def flops_per_sample(image_size: int = 28, channels: int = 1, classes: int = 10) -> float:
    """Training FLOPs of one sample: 2 x forward multiply-adds, x 3 for forward + backward.

    Convs cost H_out * W_out * C_out * C_in * 9, dense layers in * out (biases, ReLU,
    pooling and the optimizer are left out; so is conv1's unneeded input gradient).
    """
    size, c_in, macs = image_size, channels, 0
    for c_out, same, pool in [(32, True, False), (32, False, True),
                              (64, True, False), (64, False, True)]:
        size = size if same else size - 2
        macs += size * size * c_out * c_in * 9
        c_in = c_out
        size = size // 2 if pool else size
    macs += size * size * c_in * 512 + 512 * classes
    return 2.0 * macs * 3


def run(code: str, env: dict[str, str] | None = None, timeout: float = 900) -> dict:
    """Run ``code`` in a fresh interpreter; its last stdout line is JSON (or the error)."""
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**ENV, **(env or {})}, cwd=tempfile.gettempdir(),
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"failed": f"timed out after {timeout:.0f} s"}
    if proc.returncode:
        lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
        raised = [line for line in lines if EXCEPTION.match(line)]
        if not raised:
            return {"failed": (lines or [f"exit status {proc.returncode}"])[-1][:200]}
        kind, message = EXCEPTION.match(raised[-1]).groups()  # the last exception raised
        return {"failed": f"{kind}: {message[:200]}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 timed steps (a smoke test)")
    args = parser.parse_args()
    steps = 20 if args.quick else 200

    def prelude(preimport: str) -> str:
        return PRELUDE.format(preimport=preimport, steps=steps, warmup=WARMUP, batch=BATCH,
                              distinct=DISTINCT)

    def zoo_torch(knob: str) -> str:
        return prelude("import torch") + ZOO_TORCH.format(knob=TORCH_KNOBS[knob],
                                                          compile_limit=COMPILE_LIMIT_S)

    def zoo_tf(jit: bool = False, deterministic: bool = True) -> str:
        return prelude("import tensorflow") + ZOO_TF.format(jit=jit, deterministic=deterministic)

    # name -> (label, code, extra env, baseline name)
    contenders = {
        "zoo_torch": ("zoo torch engine", zoo_torch("default"), None, "plain_torch"),
        "plain_torch": ("plain PyTorch loop", prelude("import torch") + PLAIN_TORCH, None, None),
        "zoo_tf": ("zoo TF engine", zoo_tf(), None, "keras_fit"),
        "keras_fit": ("keras Model.fit", prelude("import tensorflow") + KERAS_FIT, None, None),
        "torch_threads1": ("  torch, set_num_threads(1)", zoo_torch("threads1"), None,
                           "zoo_torch"),
        "torch_channels_last": ("  torch, channels_last", zoo_torch("channels_last"), None,
                                "zoo_torch"),
        "torch_compile": ("  torch, torch.compile", zoo_torch("compile"), None, "zoo_torch"),
        "tf_jit": ("  TF, jit_compile=True", zoo_tf(jit=True), None, "zoo_tf"),
        "tf_no_onednn": ("  TF, TF_ENABLE_ONEDNN_OPTS=0", zoo_tf(),
                         {"TF_ENABLE_ONEDNN_OPTS": "0"}, "zoo_tf"),
        # not asked for, but they explain the two above: seed_everything turns on TF op
        # determinism, and XLA has no deterministic MaxPool gradient
        "tf_nondeterministic": ("  TF, no op determinism", zoo_tf(deterministic=False), None,
                                "zoo_tf"),
        "tf_jit_nondeterministic": ("  TF, jit + no op determinism",
                                    zoo_tf(jit=True, deterministic=False), None, "zoo_tf"),
    }
    results: dict[str, dict] = {}
    for name, (label, code, env, _) in contenders.items():
        print(f"timing: {label.strip()} ...", flush=True)
        results[name] = run(code, env)

    print("timing: float32 matmul peak (2048 x 2048) ...", flush=True)
    peaks = {name: run(PEAK.format(**parts)) for name, parts in PEAKS.items()}
    peak = max((p["gflops"] for p in peaks.values() if "gflops" in p), default=float("nan"))

    flops = flops_per_sample()
    for name, r in results.items():
        if "samples_per_s" in r:
            r["gflops"] = r["samples_per_s"] * flops / 1e9
            r["fraction_of_peak"] = r["gflops"] / peak
        baseline = contenders[name][3]
        if baseline and "samples_per_s" in r and "samples_per_s" in results[baseline]:
            r["ratio_vs_baseline"] = r["samples_per_s"] / results[baseline]["samples_per_s"]

    def ratio(a: str, b: str) -> float | None:
        ra, rb = results[a], results[b]
        return ra["samples_per_s"] / rb["samples_per_s"] if ("samples_per_s" in ra
                                                            and "samples_per_s" in rb) else None

    headlines = {
        "zoo torch engine / plain loop (goal >= 1)": ratio("zoo_torch", "plain_torch"),
        "zoo TF engine / keras fit (goal >= 1)": ratio("zoo_tf", "keras_fit"),
    }

    print(f"\n{steps} timed steps of batch {BATCH} after {WARMUP} warm-up steps; "
          f"{flops / 1e6:.1f} MFLOP per training sample; float32 matmul peak "
          + ", ".join(f"{k} {v.get('gflops', float('nan')):.1f}" for k, v in peaks.items())
          + f" GFLOP/s (best {peak:.1f})")
    print(f"\n{'contender':<32} {'samples/s':>10} {'GFLOP/s':>8} {'% peak':>7} "
          f"{'warm-up s':>9} {'ratio':>6}  baseline")
    for name, r in results.items():
        label, _, _, baseline = contenders[name]
        if "failed" in r:
            print(f"{label:<32} failed: {r['failed']}")
            continue
        vs = (f"{r['ratio_vs_baseline']:>6.2f}  {contenders[baseline][0].strip()}"
              if "ratio_vs_baseline" in r else f"{'':>6}  -")
        print(f"{label:<32} {r['samples_per_s']:>10.0f} {r['gflops']:>8.1f} "
              f"{100 * r['fraction_of_peak']:>6.1f}% {r['warmup_s']:>9.1f} {vs}")
    print(f"\n{'ratio':<45} {'value':>6}")
    for key, value in headlines.items():
        print(f"{key:<45} {'n/a' if value is None else f'{value:.2f}':>6}")

    out = HERE / "results" / ("cnn-quick.json" if args.quick else "cnn.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "cpus": os.cpu_count(), "steps": steps, "warmup": WARMUP, "batch_size": BATCH,
        "flops_per_sample": flops,
        "peak_gflops": {**{k: v.get("gflops", v.get("failed")) for k, v in peaks.items()},
                        "best": peak},
        "contenders": {name: {"label": contenders[name][0].strip(),
                              "baseline": contenders[name][3], **r}
                       for name, r in results.items()},
        "ratios": headlines,
    }, indent=2) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
