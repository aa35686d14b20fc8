"""Seq2seq decoding and training throughput, side by side in one run, reported as ratios.

The seed notes' sizes (embedding 256, GRU 1024, attention 1024, vocabularies 5000 / 4000,
sources of 16 tokens, 11 decoder steps), random weights (seed 0), the ``<end>`` logit
pushed to -1e4 so every contender decodes all 11 steps. Each part runs in its own fresh
interpreter (torch and TF never share one):

- decoding sentences/s: the seed's loop (one sentence at a time, a Python loop over the
  decoder steps, ``argmax`` + ``.item()`` per step, the attention projecting the encoder
  states at every step as the TF tutorial's ``BahdanauAttention`` does; torch, and TF
  eager; for torch also with the projection cached, as zoo's step does) vs the zoo's
  batched greedy ``translate`` path (``Translator.greedy``, batch 256) in both backends,
  and beam search (beam 4) on the same batch, as a cost relative to greedy;
- training target tokens/s, batch 64, 11 target steps: the zoo engines (``Trainer.step``:
  torch autograd, TF ``tf.function``) vs the seed's TF step (the same model under an
  eager ``GradientTape``).

Prints a table and writes ``benchmarks/results/seq2seq.json`` (``--quick``: fewer
sentences and steps, ``seq2seq-quick.json``).  ``python benchmarks/seq2seq.py [--quick]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}

PRELUDE = """
import json, tempfile, time
from pathlib import Path
{preimport}
import numpy as np
import zoo
from zoo.data.text import END, START
from zoo.models.seq2seq.config import Seq2SeqConfig
CONFIG = Seq2SeqConfig(src_vocab_size=5000, tgt_vocab_size=4000, embedding_dim=256,
                       units=1024, attention_units=1024, max_src_len=16, max_tgt_len=11)
SENTENCES, SERIAL, BATCH, STEPS, TRAIN_STEPS = {sentences}, {serial}, 256, 11, {train_steps}
rng = np.random.default_rng(0)
SRC = rng.integers(4, 5000, (SENTENCES, 16)); SRC[:, -1] = END
TGT = rng.integers(4, 4000, (64, 12)); TGT[:, 0] = START
"""

TORCH = """
import torch
torch.manual_seed(0)
model = zoo.create("seq2seq", backend="torch", config=CONFIG)
with torch.no_grad():
    model.out.bias[END] = -1e4

def seed_loop(n, cached=False):  # the seed notes' evaluate(): one sentence, one step at a time
    for i in range(n):
        with torch.no_grad():
            memory, keys, mask, h = model.encode(torch.from_numpy(SRC[i:i + 1]))
            prev, out = torch.tensor([START]), []
            for _ in range(STEPS):
                if not cached:  # the seed's attention projects the encoder states every call
                    keys = model.bahdanau.key(memory)
                logits, h, _ = model.step(prev, h, memory, keys, mask)
                token = logits.argmax(-1).item()
                out.append(token)
                if token == END:
                    break
                prev = torch.tensor([token])

def batched(fn):
    for start in range(0, SENTENCES, BATCH):
        fn(SRC[start:start + BATCH])

seed_loop(2)
t = time.perf_counter(); seed_loop(SERIAL); serial = SERIAL / (time.perf_counter() - t)
t = time.perf_counter(); seed_loop(SERIAL, cached=True)
serial_cached = SERIAL / (time.perf_counter() - t)
batched(lambda s: model.greedy(s[:8], STEPS))
t = time.perf_counter(); batched(lambda s: model.greedy(s, STEPS))
greedy = SENTENCES / (time.perf_counter() - t)
t = time.perf_counter(); batched(lambda s: model.beam_search(s, 4, STEPS))
beam = SENTENCES / (time.perf_counter() - t)

from zoo.training import loop_pt
from zoo.training.recipe import load_recipe
recipe = load_recipe("seq2seq-dates")
trainer = loop_pt.Trainer(model.train(), recipe, Path(tempfile.mkdtemp()))
x, y = (SRC[:64], TGT[:, :-1]), TGT[:, 1:]
trainer.step(0, x, y, 1e-4).item()
t = time.perf_counter()
for s in range(TRAIN_STEPS):
    loss = trainer.step(s, x, y, 1e-4)
loss.item()
train = TRAIN_STEPS * 64 * 11 / (time.perf_counter() - t)
print(json.dumps({{"serial": serial, "serial_cached": serial_cached, "greedy": greedy,
                   "beam4": beam, "train": train}}))
"""

TF = """
import keras, tensorflow as tf
keras.utils.set_random_seed(0)
model = zoo.create("seq2seq", backend="tf", config=CONFIG)
model.out.bias.assign(tf.tensor_scatter_nd_update(model.out.bias, [[END]], [-1e4]))

def seed_loop(n):  # the seed notes' evaluate() in TF eager
    for i in range(n):
        memory, keys, mask, h = model.encode(tf.constant(SRC[i:i + 1]))
        prev = tf.constant([START], tf.int64)
        for _ in range(STEPS):
            keys = model.bahdanau_key(memory)  # the seed's attention projects them every call
            logits, h, _ = model.step(prev, h, memory, keys, mask)
            token = int(tf.argmax(logits, -1)[0])
            if token == END:
                break
            prev = tf.constant([token], tf.int64)

def batched(fn):
    for start in range(0, SENTENCES, BATCH):
        fn(SRC[start:start + BATCH])

seed_loop(2)
t = time.perf_counter(); seed_loop(max(SERIAL // 4, 2))
serial = max(SERIAL // 4, 2) / (time.perf_counter() - t)
batched(lambda s: model.greedy(s, STEPS)); batched(lambda s: model.greedy(s[:8], STEPS))
t = time.perf_counter(); batched(lambda s: model.greedy(s, STEPS))
greedy = SENTENCES / (time.perf_counter() - t)
batched(lambda s: model.beam_search(s[:8], 4, STEPS))
t = time.perf_counter(); batched(lambda s: model.beam_search(s, 4, STEPS))
beam = SENTENCES / (time.perf_counter() - t)

from zoo.training import loop_tf
from zoo.training.recipe import load_recipe
recipe = load_recipe("seq2seq-dates")
trainer = loop_tf.Trainer(model, recipe, Path(tempfile.mkdtemp()))
x, y = (SRC[:64], TGT[:, :-1]), TGT[:, 1:]
trainer.step(0, x, y, 1e-4).numpy()
t = time.perf_counter()
for s in range(TRAIN_STEPS):
    loss = trainer.step(s, x, y, 1e-4)
loss.numpy()
train = TRAIN_STEPS * 64 * 11 / (time.perf_counter() - t)
eager = trainer._step_graph  # the seed's step: the same code, not under tf.function
eager(x, y, tf.constant(1e-4)).numpy()
t = time.perf_counter()
for s in range(max(TRAIN_STEPS // 2, 1)):
    loss = eager(x, y, tf.constant(1e-4))
loss.numpy()
seed_train = max(TRAIN_STEPS // 2, 1) * 64 * 11 / (time.perf_counter() - t)
print(json.dumps({{"serial": serial, "greedy": greedy, "beam4": beam, "train": train,
                   "seed_train_eager": seed_train}}))
"""


def run(code: str, preimport: str, sizes: dict[str, int]) -> dict[str, float]:
    script = PRELUDE.format(preimport=preimport, **sizes) + code.format()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=ENV, cwd=HERE.parent, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark part failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sizes = (dict(sentences=256, serial=8, train_steps=2) if args.quick
             else dict(sentences=1024, serial=32, train_steps=8))
    print(f"seq2seq benchmark {sizes} (torch part, then TF part) ...")
    results = {"torch": run(TORCH, "import torch", sizes), "tf": run(TF, "", sizes)}
    pt, tf = results["torch"], results["tf"]
    ratios = {
        "torch batched greedy / seed loop (goal >= 20)": pt["greedy"] / pt["serial"],
        "torch batched greedy / seed loop with cached keys": pt["greedy"] / pt["serial_cached"],
        "tf batched greedy / seed torch loop (goal >= 20)": tf["greedy"] / pt["serial"],
        "tf batched greedy / seed tf eager loop": tf["greedy"] / tf["serial"],
        "torch beam 4 cost vs greedy (x slower)": pt["greedy"] / pt["beam4"],
        "tf beam 4 cost vs greedy (x slower)": tf["greedy"] / tf["beam4"],
        "tf tf.function training / seed eager step": tf["train"] / tf["seed_train_eager"],
        "tf training / torch training": tf["train"] / pt["train"],
    }
    print(f"\n{'sentences/s or target tokens/s':<44} {'torch':>10} {'tf':>10}")
    for key in ("serial", "serial_cached", "greedy", "beam4", "train", "seed_train_eager"):
        row = [f"{r[key]:>10.1f}" if key in r else f"{'-':>10}" for r in (pt, tf)]
        print(f"{key:<44} {row[0]} {row[1]}")
    print(f"\n{'ratio':<52} {'value':>8}")
    for key, value in ratios.items():
        print(f"{key:<52} {value:>8.2f}")
    out = HERE / "results" / f"seq2seq{'-quick' if args.quick else ''}.json"
    out.write_text(json.dumps({"sizes": sizes, "results": results, "ratios": ratios},
                              indent=2) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
