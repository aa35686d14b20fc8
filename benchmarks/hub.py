"""`zoo hub serve` throughput, side by side in one run, reported as ratios to the disk.

- upload and download MB/s of one resnet50-sized file (98 MB, the size of resnet50's
  float32 weights) through the stock huggingface_hub client (``create_commit`` /
  ``hf_hub_download`` into an empty cache) vs ``shutil.copyfile`` of the same file on the
  same disk (the limit);
- requests/s of small-file resolves (HEAD + GET of a 1 KB file, by commit, from a fresh
  client each time: what ``hf_hub_download`` costs when the cache misses), with 1 and 8
  client threads.

- load times of the web pages on a hub of 500 repos (``hub_pages.py``; goal < 200 ms).

The server runs in its own process (``python -m zoo hub serve``) on 127.0.0.1. Prints a
table and writes ``benchmarks/results/hub.json``.
``python benchmarks/hub.py [--quick] [--only transfer|pages]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOKEN = "bench-write-token-0123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    (root / "tokens.txt").write_text(f"{TOKEN} bench write\n")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "zoo", "hub", "serve", "--root",
                             str(root / "hub"), "--port", str(port), "--tokens",
                             str(root / "tokens.txt"), "--log-level", "warning"],
                            cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 20 MB file, fewer requests")
    parser.add_argument("--only", choices=["transfer", "pages"])
    args = parser.parse_args()
    out = HERE / "results" / f"hub{'-quick' if args.quick else ''}.json"
    saved = json.loads(out.read_text()) if out.is_file() else {}
    if args.only != "transfer":
        from hub_pages import run

        work = Path(tempfile.mkdtemp(prefix="zoo-pages-bench-"))
        try:
            saved["pages_500_repos"] = run(start_server, work, repeats=10 if args.quick else 30)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        out.write_text(json.dumps(saved, indent=2) + "\n")
    if args.only == "pages":
        print(f"\nwritten {out}")
        return
    size_mb, requests = (20, 100) if args.quick else (98, 400)
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download

    work = Path(tempfile.mkdtemp(prefix="zoo-hub-bench-"))
    proc, url = start_server(work)
    try:
        big = work / "weights.bin"
        big.write_bytes(os.urandom(size_mb * 1024 * 1024))
        t = time.perf_counter()
        shutil.copyfile(big, work / "copy.bin")
        disk = size_mb / (time.perf_counter() - t)

        api = HfApi(endpoint=url, token=TOKEN)
        api.create_repo("bench/big")
        t = time.perf_counter()
        commit = api.create_commit("bench/big", [CommitOperationAdd("weights.bin", str(big))],
                                   commit_message="big").oid
        upload = size_mb / (time.perf_counter() - t)
        t = time.perf_counter()
        hf_hub_download("bench/big", "weights.bin", revision=commit, endpoint=url, token=TOKEN,
                        cache_dir=work / "cache-big")
        download = size_mb / (time.perf_counter() - t)

        api.create_repo("bench/small")
        small = api.create_commit("bench/small", [CommitOperationAdd("config.json",
                                                                     os.urandom(1024))],
                                  commit_message="small").oid

        def resolve(i: int) -> None:
            hf_hub_download("bench/small", "config.json", revision=small, endpoint=url,
                            token=TOKEN, cache_dir=work / f"cache-small-{i}")

        rates = {}
        for threads in (1, 8):
            t = time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(resolve, range(requests * (threads - 1), requests * threads)))
            rates[threads] = requests / (time.perf_counter() - t)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    results = {"file_mb": size_mb, "disk_copy_mb_s": disk, "upload_mb_s": upload,
               "download_mb_s": download, "small_downloads_per_s_1_thread": rates[1],
               "small_downloads_per_s_8_threads": rates[8]}
    ratios = {"upload / disk copy": upload / disk, "download / disk copy": download / disk,
              "small downloads, 8 threads / 1 thread": rates[8] / rates[1]}
    print(f"\n{'measurement':<40} {'value':>10}")
    for key, value in results.items():
        print(f"{key:<40} {value:>10.1f}")
    print(f"\n{'ratio':<40} {'value':>10}")
    for key, value in ratios.items():
        print(f"{key:<40} {value:>10.3f}")
    saved.update(results=results, ratios=ratios)
    out.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
