"""``zoo ...``: the command line over the Python API (list, info, train, finetune, reproduce,
publish, import, convert, predict, translate, plot-attention, parity, summary, export, data,
pull, push, verify, hub serve).

Example:
    $ zoo predict sine --backend tf --history 0.1,0.2,0.3,0.4,0.5 --steps 3
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from zoo import registry
from zoo.data.cli import add_data_commands, add_label_options
from zoo.errors import ZooError
from zoo.hub.cli import cmd_pull, cmd_push, cmd_verify
from zoo.hub.server.cli import add_hub_commands


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def cmd_list(args: argparse.Namespace) -> int:
    from zoo.api import list_models

    for name, tags in list_models(with_tags=True).items():
        print(f"{name:<12} {', '.join(tags) if tags else '(no published weights)'}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from zoo.api import info

    _print_json(info(args.name))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from zoo.training.cluster import detect
    from zoo.training.run import train

    if args.workers:
        if args.backend != "tf":
            raise ZooError("--workers starts TF workers; for torch use torchrun "
                           "--nproc-per-node N -m zoo train ...")
        from zoo.training.workers import launch, without_option

        # each worker runs the same command line, minus --workers (args.argv: what main parsed)
        return launch(without_option(args.argv, "--workers"), args.workers)

    data = {}
    if args.data:
        data["kind"] = args.data.replace("-", "_")
    if args.data_dir:
        data["root"] = args.data_dir
    if args.data_file:
        data["path"] = args.data_file
    run_dir = train(args.recipe, backend=args.backend, out=args.out, resume=args.resume,
                    steps=args.steps, ci=args.ci, progress=not args.quiet, data=data)
    if not detect(args.backend).chief:
        return 0  # rank 0 reports for the whole run
    metrics = json.loads((run_dir / "metrics.json").read_text())
    print(f"run directory: {run_dir}")
    _print_json(metrics["verdict"])
    return 0 if metrics["verdict"]["passed"] else 1


def cmd_reproduce(args: argparse.Namespace) -> int:
    from zoo.training.run import reproduce

    result = reproduce(args.name, backend=args.backend, weights=args.weights, ci=args.ci,
                       out=args.out, progress=not args.quiet)
    print(result)
    return 0 if result.passed else 1


def cmd_publish(args: argparse.Namespace) -> int:
    from zoo.publishing import publish

    print(publish(args.run_dir, repo=args.repo, hub=args.hub, message=args.message,
                  tag=args.tag, manifest_file=args.manifest))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from zoo.importers import importer

    print(importer(args.library)(args.model, weights=args.weights, source=args.source,
                                 hub=args.hub, repo=args.repo, tag=args.tag))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from zoo.factory import convert, parity
    from zoo.loading import load, save

    source = "tf" if args.to == "torch" else "torch"
    model = load(args.ref, backend=source, hub=args.hub)
    converted = convert(model, to=args.to)
    report = parity(model, converted)
    out = save(converted, args.out or args.ref)
    print(report)
    print(f"wrote {args.to} weights to {out}")
    return 0 if report.passed else 1


def cmd_predict(args: argparse.Namespace) -> int:
    from zoo.loading import load

    model = load(args.ref, backend=args.backend, weights=args.weights, hub=args.hub)
    images = [*(args.image or []), *args.inputs]
    if images:
        if not hasattr(model, "classify"):
            raise ZooError(f"{args.ref} is not an image classifier; images do not apply")
        from zoo.predicting import classify_paths

        classify_paths(model, images, top_k=args.top_k, out=args.out)
        return 0
    if args.history is None or not hasattr(model, "forecast"):
        raise ZooError(f"{args.ref}: give --history v1,v2,... for a forecaster or --image "
                       "PATH for a classifier")
    history = [float(v) for v in args.history.split(",") if v.strip()]
    print(" ".join(f"{v:.6f}" for v in model.forecast(history, steps=args.steps)))
    return 0


def _translator(args: argparse.Namespace) -> Any:
    from zoo.loading import load

    model = load(args.ref, backend=args.backend, weights=args.weights, hub=args.hub)
    if not hasattr(model, "translate"):
        raise ZooError(f"{args.ref} is a {model.config.model_name} model, not a translator "
                       "(try: zoo translate seq2seq \"23 november 2026\")")
    return model


def cmd_translate(args: argparse.Namespace) -> int:
    model = _translator(args)
    texts = args.texts or [line.rstrip("\n") for line in sys.stdin if line.strip()]
    for text, out in zip(texts, model.translate(texts, beam=args.beam), strict=True):
        print(f"{text}\t{out}")
    return 0


def cmd_plot_attention(args: argparse.Namespace) -> int:
    print(f"wrote {_translator(args).plot_attention(args.texts, Path(args.out))}")
    return 0


def cmd_finetune(args: argparse.Namespace) -> int:
    from zoo.finetuning.run import finetune

    flags = {"weights": args.weights, "head_epochs": args.head_epochs,
             "unfreeze": args.unfreeze, "unfreeze_epochs": args.unfreeze_epochs,
             "image_size": args.image_size, "batch_size": args.batch_size,
             "workers": args.workers}
    settings = {k: v for k, v in flags.items() if v is not None}
    settings.update(_settings(args.set))
    options = {k: v for k, v in (("pattern", args.pattern), ("id_column", args.id_column),
                                  ("label_column", args.label_column)) if v is not None}
    run_dir = finetune(args.model, args.data, backend=args.backend, recipe=args.recipe,
                       out=args.out, resume=args.resume, progress=not args.quiet,
                       labels=args.labels, label_options=options, **settings)
    print((run_dir / "metrics.json").read_text())
    print(f"run directory: {run_dir}\npublish it with: zoo publish {run_dir} --repo ORG/NAME")
    return 0


def cmd_parity(args: argparse.Namespace) -> int:
    from zoo.backends import require_both
    from zoo.factory import convert, create, parity
    from zoo.loading import load

    require_both()
    if args.untrained:
        torch_model = create(args.ref, backend="torch", **_settings(args.set))
        # fresh BatchNorm (mean 0, var 1) would hide BN conversion bugs: families with BN
        # provide a randomiser for their statistics
        family_pt = importlib.import_module(registry.entry(args.ref).module("pt"))
        getattr(family_pt, "randomise_batchnorm", lambda model: model)(torch_model)
        tf_model = convert(torch_model, to="tf")
    else:
        torch_model = load(args.ref, backend="torch", weights=args.weights, hub=args.hub)
        tf_model = load(args.ref, backend="tf", weights=args.weights, hub=args.hub)
    report = parity(torch_model, tf_model)
    print(report)
    return 0 if report.passed else 1


def cmd_summary(args: argparse.Namespace) -> int:
    from zoo.summary import summary

    print(summary(args.name, backend=args.backend, **_settings(args.set)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from zoo.export import run_cli

    return run_cli(args.ref, args.backend, args.format, args.out, weights=args.weights,
                   hub=args.hub)


def _settings(items: list[str] | None) -> dict[str, Any]:
    """``--set units=32 --set cell=gru`` -> {"units": 32, "cell": "gru"}: JSON where it
    parses, else the string."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep:
            raise ZooError(f"--set needs KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(text)
        except json.JSONDecodeError:
            out[key] = text
    return out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zoo", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, func: Any, help: str) -> argparse.ArgumentParser:
        s = sub.add_parser(name, help=help, description=help)
        s.set_defaults(func=func)
        return s

    def backend(s: argparse.ArgumentParser, default: str = "torch") -> None:
        s.add_argument("--backend", default=default, choices=["torch", "tf"])

    add("list", cmd_list, "list models and their published weights")
    add("info", cmd_info, "config, weights, metrics and parity of a model").add_argument("name")
    s = add("train", cmd_train, "run a recipe (training/<name>.toml or a path)")
    s.add_argument("recipe")
    backend(s)
    s.add_argument("--out", help="run directory (default runs/<recipe>-<backend>-<time>)")
    s.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    s.add_argument("--steps", type=int, help="override the number of steps")
    s.add_argument("--ci", action="store_true", help="the recipe's scaled-down [ci] run")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--data", help="dataset kind overriding the recipe's (e.g. mnist)")
    s.add_argument("--data-dir", help="directory of the dataset files (IDX for mnist)")
    s.add_argument("--data-file", help="corpus file of a [data] kind = 'tsv' recipe")
    s.add_argument("--workers", type=int, help="TF only: start N local workers "
                   "(MultiWorkerMirroredStrategy on 127.0.0.1); for torch use torchrun")
    s = add("finetune", cmd_finetune, "fine-tune a pretrained classifier on an image folder")
    s.add_argument("model")
    s.add_argument("data", help="the images: one sub-folder per class (ImageFolder layout), "
                   "or a flat folder with --labels filename|FILE.csv")
    s.add_argument("--labels", default="folders",
                   help="folders (default) | filename (class before the last '_') | a CSV")
    add_label_options(s)
    backend(s)
    s.add_argument("--weights", help='pretrained weights tag, ref or run dir; "none" = scratch')
    s.add_argument("--recipe", help="TOML file with a [finetune] table")
    s.add_argument("--head-epochs", type=int)
    s.add_argument("--unfreeze", nargs="+", metavar="STAGE", help="e.g. layer4")
    s.add_argument("--unfreeze-epochs", type=int)
    s.add_argument("--image-size", type=int)
    s.add_argument("--batch-size", type=int)
    s.add_argument("--workers", type=int)
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="any other setting")
    s.add_argument("--out", help="run directory")
    s.add_argument("--resume", action="store_true", help="continue from the last epoch")
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s = add("reproduce", cmd_reproduce, "re-run the recipe of published weights and compare")
    s.add_argument("name")
    backend(s)
    s.add_argument("--weights")
    s.add_argument("--ci", action="store_true")
    s.add_argument("--out")
    s.add_argument("--quiet", action="store_true")
    hub_help = ("LocalHub directory (default $ZOO_HOME/hub), hf:// (huggingface.co or "
                "$HF_ENDPOINT) or an endpoint URL (zoo hub serve); tokens come from HF_TOKEN")
    s = add("pull", cmd_pull, "download and check every file of one commit (for offline use)")
    s.add_argument("ref", help="a manifest name (seq2seq:dates), repo[@rev] or hf://org/name@rev")
    s.add_argument("--hub", help=hub_help)
    s.add_argument("--revision")
    s = add("push", cmd_push, "copy one commit of a repo from one hub to another")
    s.add_argument("repo")
    s.add_argument("--from", dest="source", help="source hub (" + hub_help + ")")
    s.add_argument("--to", required=True, help="target hub")
    s.add_argument("--revision", default="main")
    s.add_argument("--to-repo", help="repo id on the target (default the same)")
    s.add_argument("--message")
    s = add("summary", cmd_summary, "one row per layer (the same names in both backends)")
    s.add_argument("name")
    backend(s)
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="config override")
    add_data_commands(sub)
    s = add("verify", cmd_verify, "re-check sha256 pins and parity of every manifest entry")
    s.add_argument("names", nargs="*", help="models or model:tag refs (default all)")
    s = add("publish", cmd_publish, "commit a run directory (both backends) to a hub")
    s.add_argument("run_dir")
    s.add_argument("--repo", required=True, help="namespace/name")
    s.add_argument("--hub", help=hub_help)
    s.add_argument("--message")
    s.add_argument("--tag", help="weights tag for the manifest entry")
    s.add_argument("--manifest", help="write the entry into this weights_manifest TOML")
    s = add("import", cmd_import, "publish another library's pretrained weights (both backends) "
            "to a hub and the user manifest")
    s.add_argument("library", help="where the weights come from: torchvision")
    s.add_argument("model", help="zoo model name, e.g. resnet50")
    s.add_argument("--weights", default="IMAGENET1K_V1", help="the library's weights name")
    s.add_argument("--from", dest="source", metavar="PATH",
                   help="a downloaded .pth/.pt/.safetensors file (default: download it)")
    s.add_argument("--hub", help="LocalHub directory (default $ZOO_HOME/hub)")
    s.add_argument("--repo", help="namespace/name (default <library>/<model>)")
    s.add_argument("--tag", help="weights tag (default the weights name, e.g. imagenet1k-v2)")
    s = add("convert", cmd_convert, "convert a saved model or run directory to the other backend")
    s.add_argument("ref")
    s.add_argument("--to", required=True, choices=["torch", "tf"])
    s.add_argument("--out", help="directory to write (default: next to the source)")
    s.add_argument("--hub")
    s = add("predict", cmd_predict, "run a model on inputs given on the command line")
    s.add_argument("ref")
    backend(s)
    s.add_argument("--weights")
    s.add_argument("--hub")
    s.add_argument("--history", help="comma-separated past values (sine)")
    s.add_argument("inputs", nargs="*", help="images or folders of images to classify")
    s.add_argument("--image", nargs="+", help="image files to classify (cnn, resnet)")
    s.add_argument("--out", help="write predictions as CSV here (path, label, probability...)")
    s.add_argument("--top-k", type=int, default=1)
    s.add_argument("--steps", type=int, default=1)
    s = add("translate", cmd_translate, "translate texts (arguments, or one per stdin line)")
    s.add_argument("ref", help="seq2seq, seq2seq:<tag>, a repo or a run directory")
    s.add_argument("texts", nargs="*")
    backend(s)
    s.add_argument("--beam", type=int, default=1, help="beam width (1 = greedy)")
    s.add_argument("--weights")
    s.add_argument("--hub")
    s = add("plot-attention", cmd_plot_attention, "attention heat maps of translations as PNG")
    s.add_argument("ref")
    s.add_argument("texts", nargs="+")
    backend(s)
    s.add_argument("--out", default="attention.png", help="PNG file to write")
    s.add_argument("--weights")
    s.add_argument("--hub")
    s = add("parity", cmd_parity, "compare the torch and TF versions of a model")
    s.add_argument("ref")
    s.add_argument("--weights")
    s.add_argument("--hub")
    s.add_argument("--untrained", action="store_true", help="random weights, converted")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="config override")
    add_hub_commands(sub)
    s = add("export", cmd_export, "export a model for serving (SavedModel, .keras, TorchScript, "
            "torch.export, ONNX), reloaded and checked against the live model")
    s.add_argument("ref")
    s.add_argument("--backend", choices=["torch", "tf"], help="default: the format's")
    s.add_argument("--format", required=True,
                   choices=["savedmodel", "keras", "torchscript", "pt2", "onnx"])
    s.add_argument("--out", required=True)
    s.add_argument("--weights")
    s.add_argument("--hub")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    args.argv = argv
    try:
        return args.func(args)
    except ZooError as err:
        print(f"zoo {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
