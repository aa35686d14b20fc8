"""The "Use this model" snippets of a model page do what they say: each is copied out of the
served HTML and run as a user would (Python snippets with exec, the CLI one with bash)
against a real ``zoo hub serve`` process, and loads exactly the commit the page shows.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import torch
from test_hub_server import Server, _start, _stop  # a sibling test module

from zoo.hub.local import LocalHub
from zoo.paths import zoo_home

pytestmark = [pytest.mark.hub, pytest.mark.slow]
BUNDLED = Path(__file__).resolve().parents[1] / "zoo" / "_bundled_hub"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("snippets")
    shutil.copytree(BUNDLED, tmp / "hub")
    server = _start(tmp)
    yield server
    _stop(server)


def snippets(server: Server, repo: str) -> tuple[str, dict[str, str]]:
    page = httpx2.get(f"{server.url}/{repo}", timeout=30).text
    commit = re.search(r'data-testid="commit-id" title="([0-9a-f]{40})"', page)[1]
    found = re.findall(r'<pre id="snippet-([a-z-]+)"><code>(.*?)</code></pre>', page, re.S)
    return commit, {slug: html.unescape(code) for slug, code in found}


def test_python_snippets_load_the_commit_shown(served: Server) -> None:
    commit, code = snippets(served, "zoo/sine")
    assert set(code) == {"pytorch", "tensorflow", "cli", "huggingface-hub"}
    hub = LocalHub(served.root)
    assert commit == hub.resolve("zoo/sine")
    for slug in ("pytorch", "tensorflow", "huggingface-hub"):
        assert commit in code[slug] and served.url in code[slug], slug
    scope: dict = {}
    exec(code["pytorch"], scope)  # noqa: S102 (the snippet is the thing under test)
    assert isinstance(scope["model"], torch.nn.Module) and scope["model"].config.family == "sine"
    exec(code["tensorflow"], scope)  # noqa: S102
    import keras

    assert isinstance(scope["model"], keras.Model)
    exec(code["huggingface-hub"], scope)  # noqa: S102
    path = Path(scope["path"])
    assert path.name == commit  # the snapshot folder is named by the commit
    assert (path / "model.safetensors").read_bytes() == hub.read_bytes("zoo/sine",
                                                                       "model.safetensors")


def test_cli_snippet_runs_in_a_shell(served: Server) -> None:
    commit, code = snippets(served, "zoo/sine")
    assert f"REV={commit}" in code["cli"] and "zoo predict zoo/sine@$REV" in code["cli"]
    bin_dir = str(Path(sys.executable).parent)  # where the `zoo` console script is
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}",
           "ZOO_HOME": str(zoo_home())}
    out = subprocess.run(["bash", "-euc", code["cli"]], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert commit in out.stdout  # zoo pull prints the folder of the commit it checked
    forecast = out.stdout.strip().splitlines()[-1]
    assert re.search(r"-?\d+\.\d+", forecast), out.stdout
