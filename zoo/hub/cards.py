"""Model cards (``README.md`` of a hub repo) made with ``huggingface_hub.ModelCard``."""

from __future__ import annotations

from typing import Any

#: where the weights came from: trained by a zoo recipe, or imported (``info["origin"]``)
PROVENANCE = {
    "trained": (
        "Trained with **{trained_with}** by the recipe `{recipe}` (sha256 `{recipe_sha256}`); "
        "the\nother backend's weights were converted with zoo's rule table and checked for "
        "parity."),
    "imported": (
        "Imported from **{library}**: weights `{weights}`, file `{file}` (sha256 `{sha256}`),\n"
        "published at <{url}>; trained by {library} with the recipe <{recipe}>. The "
        "{trained_with}\nweights are that file's tensors unchanged; the other backend's were "
        "converted with\nzoo's rule table and checked for parity."),
    "finetuned": (
        "Fine-tuned with **{trained_with}** by `zoo.finetune` from `{weights}` weights; the\n"
        "settings are `{file}` (sha256 `{sha256}`) in this repo. The other backend's weights "
        "were\nconverted with zoo's rule table and checked for parity."),
}
#: the command and arguments of the CLI usage example, per task
PREDICT_ARGS = {
    "time-series-forecasting": ("predict", "--history 0.0,0.1,0.2,0.3,0.4 --steps 5"),
    "image-classification": ("predict", "--image IMAGE.jpg --top-k 5"),
    "translation": ("translate", '"23 november 2026" --beam 4'),
}

TEMPLATE = """
# {repo}

{description}

{provenance}

## Use it

```python
import zoo
model = zoo.load("{load_ref}", backend="torch"{hub_arg})   # a torch.nn.Module
model = zoo.load("{load_ref}", backend="tf"{hub_arg})      # a keras.Model
```

```bash
zoo {predict_command} {load_ref} --backend tf{hub_cli} {predict_args}
```

## Metrics
{metrics_note}
| backend | {metric_names} |
|---|{metric_rule}
{metric_rows}

## Parity

{direction}: max abs diff **{max_abs_diff:.3e}** (atol {atol:g}, rtol {rtol:g}) on {inputs};
torch {torch_version}, TensorFlow {tf_version}.

## Parameters

{params}

## Training data

{dataset}

{plots}
"""


def render(info: dict[str, Any]) -> str:
    """The card text: YAML front matter (library, tags, datasets, model-index) + body."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    metrics = info["metrics"]
    origin = info.get("origin") or {}
    names = sorted({k for m in metrics.values() for k in m})
    # one model-index entry per (backend, metric): both frameworks' numbers are on the card
    results = [
        EvalResult(task_type=info["task"], dataset_type=info["dataset_id"],
                   dataset_name=info["dataset"], metric_type=name, metric_value=values[name],
                   metric_name=f"{name} ({backend})", metric_config=backend)
        for backend, values in sorted(metrics.items()) for name in names if name in values
    ]
    data = ModelCardData(
        library_name="zoo",
        license=info["license"].lower(),
        tags=["zoo", "pytorch", "tensorflow", "keras", info["task"], info["model"]],
        datasets=[info["dataset_id"]],
        model_name=info["repo"],
        eval_results=results,
        # imported weights name their source file in the front matter too (searchable)
        **({"source": origin} if origin else {}),
    )
    parity = info["parity"]
    kind = ("finetuned" if origin.get("library") == "zoo.finetune" else "imported") if origin \
        else "trained"
    provenance = PROVENANCE[kind].format(**{**info, **origin})
    predict_command, predict_args = PREDICT_ARGS.get(info["task"], ("predict", ""))
    body = TEMPLATE.format(
        provenance=provenance,
        predict_command=predict_command,
        predict_args=predict_args,
        metrics_note=f"\n{info['metrics_note']}\n" if info.get("metrics_note") else "",
        metric_names=" | ".join(names),
        metric_rule="---|" * len(names),
        metric_rows="\n".join(
            f"| {b} | " + " | ".join(f"{m.get(n, float('nan')):.6g}" for n in names) + " |"
            for b, m in sorted(metrics.items())
        ),
        params=", ".join(f"{b}: {n:,}" for b, n in sorted(info["params"].items())),
        plots="\n".join(f"![{p}]({p})" for p in info.get("plots", [])),
        torch_version=parity["versions"].get("torch", "?"),
        tf_version=parity["versions"].get("tensorflow", "?"),
        **{k: parity[k] for k in ("direction", "max_abs_diff", "atol", "rtol", "inputs")},
        **{k: info[k] for k in ("repo", "description", "load_ref", "hub_arg", "hub_cli",
                                "dataset")},
    )
    card = ModelCard(f"---\n{data.to_yaml()}\n---\n{body}")
    return str(card)
