"""Sine speed goals, measured side by side in one run and reported as ratios.

- the seed notes' eager GradientTape TF loop vs the zoo TF engine, the same 500 steps;
- the seed notes' plain PyTorch loop vs the zoo torch engine, the same 500 steps;
- ``import zoo`` time (fresh interpreters);
- ``zoo.load("sine")`` vs building the model and loading the state dict by hand.

Each training contender runs in its own fresh interpreter (imports excluded from the time).
Prints a table and writes ``benchmarks/results/sine.json``.  ``python benchmarks/sine.py``
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}

# The seed notes' loops as written: one window per step, eager autodiff, Adam 0.01, T=5.
SEED_TF = """
import time, numpy as np, tensorflow as tf, keras
from zoo.data.sine import noisy_sine, windows
x, y = windows(noisy_sine(1000, 0.05, 0.1, 0), 5)
model = keras.Sequential([keras.layers.RNN(keras.layers.SimpleRNNCell(10)), keras.layers.Dense(1)])
model.build((None, 5, 1))
opt = keras.optimizers.Adam(0.01)
rng = np.random.default_rng(0)
start = time.perf_counter()
for step in range(500):
    i = rng.integers(len(x))
    xb, yb = x[i][None, :, None], y[i][None, None]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean((model(xb) - yb) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
print(time.perf_counter() - start)
"""
SEED_TORCH = """
import time, numpy as np, torch
from zoo.data.sine import noisy_sine, windows
x, y = windows(noisy_sine(1000, 0.05, 0.1, 0), 5)
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(1, 10, batch_first=True)
        self.fc = torch.nn.Linear(10, 1)
    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = torch.nn.MSELoss()
rng = np.random.default_rng(0)
start = time.perf_counter()
for step in range(500):
    i = rng.integers(len(x))
    xb = torch.tensor(x[i][None, :, None]); yb = torch.tensor(y[i][None, None])
    opt.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    opt.step()
print(time.perf_counter() - start)
"""
# The zoo engine on the same 500 single-window steps (recipe overridden, nothing else).
ZOO_TRAIN = """
import json, sys, tempfile
{preimport}
import tomllib, tomli_w
from zoo.training.recipe import load_recipe, parse_recipe
from zoo.training.run import train
raw = tomllib.loads(load_recipe("sine").text)
raw["train"].update(steps=500, batch_size=1)
raw["model"]["cell"] = "{cell}"
text = tomli_w.dumps(raw)
out = tempfile.mkdtemp() + "/run"
run = train(parse_recipe(text), backend="{backend}", out=out, progress=False)
print(json.load(open(run / "metrics.json"))["train_seconds"])
"""
LOAD = """
import time, statistics, torch
from safetensors.torch import load_file
import zoo
from zoo.hub.manifest import find
from zoo.loading import open_hub
from zoo.models.sine.config import SineConfig
from zoo.models.sine.pt import build
e = find("sine"); hub = open_hub(e.hub)
cfg_path = hub.file_path(e.repo, "config.json", e.revision)
weights = hub.file_path(e.repo, "model.safetensors", e.revision)
cfg = SineConfig.from_dict({k: v for k, v in json.load(open(cfg_path)).items() if k != "model"})
def by_hand():
    m = build(cfg); m.load_state_dict(load_file(str(weights)), strict=True); return m
def via_zoo():
    return zoo.load("sine", backend="torch")
by_hand(); via_zoo()
def timed(f, n=30):
    out = []
    for _ in range(n):
        t = time.perf_counter(); f(); out.append(time.perf_counter() - t)
    return statistics.median(out)
print(timed(by_hand), timed(via_zoo))
""".replace("import time,", "import json, time,")


def run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV,
                          cwd=tempfile.gettempdir(), timeout=900)
    if proc.returncode:
        raise SystemExit(f"benchmark step failed:\n{proc.stderr[-3000:]}")
    return proc.stdout.strip().splitlines()[-1]


def import_time(repeats: int = 7) -> float:
    code = "import time; t = time.perf_counter(); import zoo; print(time.perf_counter() - t)"
    return statistics.median(float(run(code)) for _ in range(repeats))


def main() -> None:
    results: dict[str, float] = {}
    print("timing: seed TF eager loop, zoo TF engine, seed torch loop, zoo torch engine ...")
    results["seed_tf_eager_s"] = float(run(SEED_TF))
    results["zoo_tf_lstm_s"] = float(run(ZOO_TRAIN.format(backend="tf", cell="lstm",
                                                          preimport="")))
    results["zoo_tf_rnn_s"] = float(run(ZOO_TRAIN.format(backend="tf", cell="rnn",
                                                         preimport="")))
    results["seed_torch_s"] = float(run(SEED_TORCH))
    results["zoo_torch_lstm_s"] = float(run(ZOO_TRAIN.format(backend="torch", cell="lstm",
                                                             preimport="import torch")))
    results["import_zoo_s"] = import_time()
    by_hand, via_zoo = map(float, run(LOAD).split())
    results.update(load_by_hand_s=by_hand, load_zoo_s=via_zoo)

    ratios = {
        "tf_speedup_vs_seed (goal >= 10)": results["seed_tf_eager_s"] / results["zoo_tf_lstm_s"],
        "tf_speedup_same_cell_rnn": results["seed_tf_eager_s"] / results["zoo_tf_rnn_s"],
        "torch_speedup_vs_seed (goal >= 1)": results["seed_torch_s"] / results["zoo_torch_lstm_s"],
        "import_zoo_ms (goal < 100)": results["import_zoo_s"] * 1000,
        "load_overhead (goal < 1.5)": results["load_zoo_s"] / results["load_by_hand_s"],
    }
    print(f"\n{'measurement':<40} {'value':>10}")
    for key, value in results.items():
        print(f"{key:<40} {value:>10.4f}")
    print(f"\n{'ratio':<40} {'value':>10}")
    for key, value in ratios.items():
        print(f"{key:<40} {value:>10.2f}")
    out = HERE / "results" / "sine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"seconds": results, "ratios": ratios}, indent=2) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
