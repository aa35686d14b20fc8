"""Seq2seq runs: the dates and TSV recipes in both backends (scaled down), run directories
with vocabularies and attention maps, the CLI, and the bundled dates model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

import zoo
from zoo.errors import RecipeError

#: fixed inputs the bundled model must translate identically in both backends
DATES = ["23 november 2026", "Nov 3, 1999", "le 1er mai 2001", "14.07.1989",
         "sábado, 2 de enero de 2021", "2049/12/31", "3. März 1975", "1 gen 1950"]
ISO = ["2026-11-23", "1999-11-03", "2001-05-01", "1989-07-14", "2021-01-02", "2049-12-31",
       "1975-03-03", "1950-01-01"]
#: a tiny parallel corpus: numbers in English words -> Spanish words
EN = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ES = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]


def write_corpus(path, n=300):
    lines = []
    for i in range(n):
        a, b = divmod(i, 10)
        lines.append(f"{EN[a % 10]} {EN[b]}.\t{ES[a % 10]} {ES[b]}.\tCC-BY 2.0 #{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["torch", "tf"])
def test_dates_ci_run_writes_vocabularies_and_attention(tmp_path, backend):
    run = zoo.train("seq2seq-dates", backend=backend, ci=True, out=tmp_path / "run",
                    progress=False)
    for name in ("vocab.src.json", "vocab.tgt.json", "plots/attention.png", "plots/loss.png"):
        assert (run / name).is_file(), name
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["verdict"]["passed"], metrics
    assert set(metrics[backend]) == {"exact_match", "bleu"}
    # 150 steps on 2700 dates already get most of them right (measured 0.6-0.9)
    assert metrics[backend]["exact_match"] > 0.3, metrics
    other = "tf" if backend == "torch" else "torch"
    trained, converted = zoo.load(run, backend=backend), zoo.load(run, backend=other)
    assert trained.translate(DATES) == converted.translate(DATES)


@pytest.mark.slow
def test_tsv_recipe_trains_on_a_corpus_and_reports_bleu(tmp_path):
    corpus = write_corpus(tmp_path / "num.txt")
    run = zoo.train("seq2seq-tsv", backend="torch", ci=True, out=tmp_path / "run",
                    progress=False, data={"path": str(corpus)},
                    steps=60)
    metrics = json.loads((run / "metrics.json").read_text())["torch"]
    assert 0.0 <= metrics["bleu"] <= 100.0
    src = json.loads((run / "vocab.src.json").read_text())
    assert src["level"] == "word" and "." in src["tokens"]  # punctuation split off
    model = zoo.load(run, backend="torch")
    assert model.config.max_src_len == 4  # "one two ." + <end>
    with pytest.raises(RecipeError, match="--data-file"):
        zoo.train("seq2seq-tsv", backend="torch", ci=True, out=tmp_path / "run2",
                  progress=False)


def zoo_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zoo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**__import__("os").environ,
                                                       "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_bundled_model_translates_identically_in_both_backends():
    models = {b: zoo.load("seq2seq", backend=b) for b in ("torch", "tf")}
    outputs = {b: m.translate(DATES) for b, m in models.items()}
    assert outputs["torch"] == outputs["tf"] == ISO
    beams = {b: m.translate(DATES, beam=4) for b, m in models.items()}
    assert beams["torch"] == beams["tf"] == ISO
    assert models["tf"].translate("23 november 2026") == "2026-11-23"


@pytest.mark.slow
def test_cli_translate_and_plot_attention(tmp_path):
    out = zoo_cli("translate", "seq2seq", "23 november 2026", "14.07.1989", "--backend", "tf",
                  "--beam", "3")
    assert out.returncode == 0, out.stderr[-1000:]
    assert out.stdout.splitlines() == ["23 november 2026\t2026-11-23", "14.07.1989\t1989-07-14"]
    png = tmp_path / "att.png"
    out = zoo_cli("plot-attention", "seq2seq", "23 november 2026", "--out", str(png))
    assert out.returncode == 0, out.stderr[-1000:]
    assert png.read_bytes()[:4] == b"\x89PNG"
    out = zoo_cli("translate", "sine", "x")
    assert out.returncode == 2 and "not a translator" in out.stderr
