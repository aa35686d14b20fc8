"""Page load times of ``zoo hub serve``'s web pages on a hub of 500 repos (goal: < 200 ms).

Run by ``benchmarks/hub.py`` (``--only pages``), or alone: ``python benchmarks/hub_pages.py``.
Every repo looks like a zoo publication (card, metrics, parity, recipe, config, both weight
files, a plot), 1 in 5 has three commits and a tag. Each page is fetched over a keep-alive
connection from another process than the server: once cold (first request after start: the
metadata cache is empty) and then ``repeats`` times warm; medians and 95th percentiles
are reported, with each page's ratio to a static file from the same server (the floor of
any request on this machine at this moment).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np

REPOS = 500
TASKS = ("image-classification", "translation", "time-series-forecasting")
GOAL_MS = 200.0


def card(repo_id: str, task: str) -> bytes:
    return (f"---\nlicense: mit\ndatasets:\n- toy\ntags:\n- zoo\n- {task}\nmodel-index:\n"
            f"- name: {repo_id}\n  results:\n  - task:\n      type: {task}\n    dataset:\n"
            f"      name: Toy\n      type: toy\n    metrics: []\n---\n\n# {repo_id}\n\n"
            f"A {task} model number {repo_id[-3:]}.\n\n## Metrics\n\n| backend | acc |\n"
            "|---|---|\n| torch | 0.9 |\n\n![loss](plots/loss.png)\n").encode()


def build_hub(root: Path, repos: int = REPOS) -> list[str]:
    """``repos`` zoo-like repos in a LocalHub at ``root``; returns their ids."""
    from safetensors.numpy import save

    from zoo.hub.local import LocalHub

    hub = LocalHub(root)
    rng = np.random.default_rng(0)
    png = b"\x89PNG\r\n\x1a\n" + bytes(2000)
    ids = []
    for i in range(repos):
        repo_id, task = f"team{i % 7}/model-{i:03d}", TASKS[i % len(TASKS)]
        weights = {"fc.weight": rng.standard_normal((64, 32)).astype(np.float32)}
        for commit in range(3 if i % 5 == 0 else 1):
            acc = float(0.8 + 0.01 * commit + 0.0001 * i)
            files = {
                "README.md": card(repo_id, task),
                "metrics.json": json.dumps({"torch": {"acc": acc}, "tf": {"acc": acc}}).encode(),
                "parity.json": json.dumps({"direction": "torch -> tf", "max_abs_diff": 1e-6,
                                           "atol": 1e-5, "rtol": 0, "passed": True}).encode(),
                "recipe.toml": f'[recipe]\nname = "r{i}"\n[evaluate]\nmetric = "acc"\n'.encode(),
                "config.json": json.dumps({"model": "cnn", "width": 32 + commit}).encode(),
                "model.safetensors": save(weights),
                "tf_model.safetensors": save({"fc/kernel": weights["fc.weight"].T.copy()}),
                "plots/loss.png": png,
            }
            hub.commit(repo_id, files, f"run {commit}")
            if commit == 0 and i % 5 == 0:
                hub.create_tag(repo_id, "v1")
        ids.append(repo_id)
    return ids


def measure(url: str, ids: list[str], repeats: int = 30) -> dict[str, dict[str, float]]:
    """Cold and warm milliseconds per page (the server must have just started)."""
    import httpx2 as httpx

    repo = ids[0]
    pages = {
        "static file (floor)": "/-/static/style.css",
        "index": "/",
        "index page 10": "/?page=10",
        "search 'model-4'": "/?q=model-4",
        "search-as-you-type fragment": "/-/results?q=translation&framework=TensorFlow",
        "filter task + framework": "/?task=translation&framework=PyTorch",
        "model page": f"/{repo}",
        "model page at tag": f"/{repo}?rev=v1",
        "files": f"/{repo}/files",
        "history": f"/{repo}/commits",
        "compare": f"/{repo}/diff",
    }
    out: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=url, timeout=60) as client:
        for name, path in pages.items():
            times = []
            for _ in range(repeats + 1):
                t = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
            warm = sorted(times[1:])
            out[name] = {"cold_ms": times[0], "median_ms": statistics.median(warm),
                         "p95_ms": warm[int(0.95 * (len(warm) - 1))]}
    floor = out["static file (floor)"]["median_ms"]
    for values in out.values():
        values["ratio_to_static"] = values["median_ms"] / floor
    return out


def report(results: dict[str, dict[str, float]]) -> None:
    print(f"\n{'page (500 repos)':<30} {'cold ms':>9} {'median ms':>10} {'p95 ms':>8} "
          f"{'x static':>9}")
    for name, v in results.items():
        flag = "" if v["p95_ms"] < GOAL_MS else "  > goal"
        print(f"{name:<30} {v['cold_ms']:>9.1f} {v['median_ms']:>10.1f} {v['p95_ms']:>8.1f} "
              f"{v['ratio_to_static']:>9.1f}{flag}")


def run(start_server, work: Path, repeats: int = 30) -> dict[str, dict[str, float]]:  # noqa: ANN001
    """Build the hub under ``work / "hub"``, start the server, measure, stop it."""
    t = time.perf_counter()
    ids = build_hub(work / "hub")
    print(f"built {len(ids)} repos in {time.perf_counter() - t:.1f} s")
    proc, url = start_server(work)
    try:
        results = measure(url, ids, repeats)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    report(results)
    return results


if __name__ == "__main__":
    import shutil
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hub import start_server  # the same server process as the transfer benchmark

    work = Path(tempfile.mkdtemp(prefix="zoo-pages-bench-"))
    try:
        run(start_server, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
