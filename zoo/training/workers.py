"""``zoo train ... --backend tf --workers N``: start N local TF workers on 127.0.0.1 ports
with their ``TF_CONFIG``, to try MultiWorkerMirroredStrategy on one machine.

On several machines, start one ``zoo train`` per machine yourself with a ``TF_CONFIG``
listing every worker (README, "Several processes and machines"). If any worker fails, the
others are stopped and the launcher exits with the failing worker's status: nothing waits
on a dead peer.

Example:
    $ zoo train cnn --backend tf --workers 2 --out runs/cnn-2w
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

from zoo.errors import ZooError


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1 (held open together, then released)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def tf_config(ports: list[int], index: int) -> str:
    return json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                       "task": {"type": "worker", "index": index}})


def without_option(argv: list[str], option: str) -> list[str]:
    """``argv`` without ``option VALUE`` / ``option=VALUE`` (every other word kept, even one
    equal to the value). Example: ``without_option(["a", "--w", "2", "--s", "2"], "--w")``
    gives ``["a", "--s", "2"]``"""
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == option:
            skip = True
        elif not word.startswith(option + "="):
            out.append(word)
    return out


def train_command(recipe: str | os.PathLike, backend: str, out: str | os.PathLike,
                  processes: int = 1, *extra: str) -> list[str]:
    """The command line that trains ``recipe`` with ``processes`` local processes: plain
    ``zoo train``, ``torchrun`` (torch) or ``zoo train --workers`` (TF).

    Example:
        >>> train_command("cnn", "torch", "runs/cnn", 2)[:3]
        ['/usr/bin/python3', '-m', 'torch.distributed.run']
    """
    args = ["train", str(recipe), "--backend", backend, "--out", str(out), "--quiet", *extra]
    if processes == 1:
        return [sys.executable, "-m", "zoo", *args]
    if backend == "torch":
        return [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node",
                str(processes), "--master-addr", "127.0.0.1", "--master-port",
                str(free_ports(1)[0]), "-m", "zoo", *args]
    return [sys.executable, "-m", "zoo", *args, "--workers", str(processes)]


def launch(argv: list[str], workers: int, poll_s: float = 0.5) -> int:
    """Run ``python -m zoo <argv>`` as ``workers`` TF workers; returns the exit status."""
    if workers < 2:
        raise ZooError(f"--workers {workers}: a multi-worker run needs at least 2 workers")
    if "--out" not in argv:
        raise ZooError("--workers needs --out DIR: every worker writes the same run directory")
    ports = free_ports(workers)
    # like torchrun's OMP_NUM_THREADS=1: workers sharing one machine split its cores instead
    # of each starting a thread per core (measured on 2 cores: 0.47x -> 0.82x of 1 process)
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    env = {"TF_NUM_INTRAOP_THREADS": threads, **os.environ}
    procs = [subprocess.Popen([sys.executable, "-m", "zoo", *argv],
                              env={**env, "TF_CONFIG": tf_config(ports, i)})
             for i in range(workers)]
    try:
        while True:
            codes = [p.poll() for p in procs]
            failed = [c for c in codes if c not in (None, 0)]
            if failed:
                print(f"zoo train: a worker exited with status {failed[0]}; stopping the "
                      "others", file=sys.stderr)
                return failed[0]
            if all(c == 0 for c in codes):
                return 0
            time.sleep(poll_s)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
