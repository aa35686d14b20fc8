"""The "Use this model" box: code that loads exactly the commit on the page.

Every snippet names the full commit id, never a branch: what a reader copies today loads the
same bytes next year, and zoo checks each file's sha256 against that commit on the way in.

Example:
    >>> [s.label for s in use_snippets("zoo/cnn", "4948bf4c...", "http://hub:8080",
    ...                                "image-classification", private=False)]
    ['PyTorch', 'TensorFlow', 'CLI', 'huggingface_hub']
"""

from __future__ import annotations

from dataclasses import dataclass

from zoo.hub.cards import PREDICT_ARGS

#: label -> template; {repo} {commit} {endpoint} {token_arg} {predict} are filled in
TEMPLATES = {
    "PyTorch": (
        'import zoo\n\n'
        'model = zoo.load(\n'
        '    "{repo}", backend="torch",  # a torch.nn.Module\n'
        '    revision="{commit}",\n'
        '    hub="{endpoint}",\n'
        '){token_note}'),
    "TensorFlow": (
        'import zoo\n\n'
        'model = zoo.load(\n'
        '    "{repo}", backend="tf",  # a keras.Model\n'
        '    revision="{commit}",\n'
        '    hub="{endpoint}",\n'
        '){token_note}'),
    "CLI": (
        '{token_env}REV={commit}\n'
        'zoo pull {repo}@$REV --hub {endpoint}\n'
        '{predict}'),
    "huggingface_hub": (
        'from huggingface_hub import snapshot_download\n\n'
        'path = snapshot_download(\n'
        '    "{repo}",\n'
        '    revision="{commit}",\n'
        '    endpoint="{endpoint}",{token_arg}\n'
        ')'),
}


@dataclass(frozen=True)
class Snippet:
    label: str
    slug: str  # element ids and test hooks: snippet-pytorch, snippet-cli, ...
    code: str


def use_snippets(repo_id: str, commit: str, endpoint: str, task: str | None,
                 private: bool) -> list[Snippet]:
    """The snippets for ``repo_id`` at ``commit`` served from ``endpoint``; a private repo's
    snippets say where the token goes (``HF_TOKEN``, which zoo and the client both read)."""
    command, args = PREDICT_ARGS.get(task or "", ("", ""))
    predict = (f"zoo {command} {repo_id}@$REV --hub {endpoint} \\\n  --backend tf {args}"
               if command else "")
    values = {
        "repo": repo_id, "commit": commit, "endpoint": endpoint, "predict": predict,
        "token_note": "\n# a private repo: export HF_TOKEN=<your token> first" if private
        else "",
        "token_env": "export HF_TOKEN=<your token>\n" if private else "",
        "token_arg": '\n    token="<your token>",' if private else "",
    }
    return [Snippet(label, label.lower().replace("_", "-"), template.format(**values).strip())
            for label, template in TEMPLATES.items()]
