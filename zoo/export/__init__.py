"""``zoo export``: a model as a serving artifact (SavedModel, .keras, TorchScript, .pt2,
ONNX), reloaded at once and checked against the live model on the family's parity inputs.

The export directory holds the graph files, ``export.json`` (graphs with input/output names,
dtypes and shapes, the check: max abs diff per graph, input and output, tolerance, verdict,
versions), ``preprocess.json`` (what a server does before and after the graphs),
``config.json`` and, for seq2seq, ``vocab.src.json`` / ``vocab.tgt.json``. A failing check
raises :class:`ExportCheckError`; the export stays, marked ``"passed": false``.

Example:
    >>> report = export("sine", "onnx", "out/sine-onnx")
    >>> report.passed
    True
    >>> load("out/sine-onnx")["model"]({"windows": np.zeros((1, 5, 1), np.float32)})
    {'prediction': array([[0.02]], dtype=float32)}
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from zoo.export import formats, signatures
from zoo.export.check import (
    ExportCheckError,
    ExportError,
    ExportReport,
    Runner,
    compare,
    read_metadata,
    write_metadata,
)
from zoo.export.preprocess import preprocess as describe_preprocessing

__all__ = ["export", "verify", "load", "run_cli", "ExportReport", "ExportError",
           "ExportCheckError", "FORMATS"]
FORMATS = formats.FORMATS


def _model(model_or_ref: Any, fmt: formats.Format, weights: str | None,
           hub: str | None) -> tuple[Any, str | None]:
    from zoo.backends import backend_of

    if isinstance(model_or_ref, (str, Path)):
        from zoo.loading import load as load_model

        return load_model(model_or_ref, backend=fmt.backend, weights=weights, hub=hub), str(
            model_or_ref)
    backend = backend_of(model_or_ref)
    if backend != fmt.backend:
        raise ExportError(f"the {fmt.name} format exports {fmt.backend} models and this is a "
                          f"{backend} model: export it as one of {formats.names(backend)}, or "
                          f"convert it first (zoo.convert(model, to={fmt.backend!r}))")
    return model_or_ref, None


def export(model_or_ref: Any, format: str, out: str | Path, backend: str | None = None,
           weights: str | None = None, hub: str | None = None) -> ExportReport:
    """Export a model (or load ``model_or_ref`` with the format's backend) into ``out``,
    reload it and compare with the live model; raise :class:`ExportCheckError` on failure.

    ``backend`` only checks that the format fits it (``onnx`` is a torch format...).
    """
    from zoo.assets import save_assets
    from zoo.backends import check_backend
    from zoo.hub.atomic import write_text_atomic

    fmt = formats.get(format)
    if backend is not None and check_backend(backend) != fmt.backend:
        raise ExportError(f"the {fmt.name} format exports {fmt.backend} models; for backend "
                          f"{check_backend(backend)!r} use one of "
                          f"{formats.names(check_backend(backend))}")
    formats.require_format(fmt)
    model, source = _model(model_or_ref, fmt, weights, hub)
    config = model.config
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    graphs = signatures.graphs(config, fmt.backend)
    examples = signatures.examples(model, fmt.backend)
    files = fmt.function("exporter")(model, graphs, signatures.trace_feeds(examples, graphs),
                                     out)
    assets = [p.name for p in save_assets(model, out)]
    preprocess = describe_preprocessing(config, fmt.backend)
    write_text_atomic(out / "config.json", config.to_json())
    write_text_atomic(out / "preprocess.json", _json(preprocess))
    graph_meta = {name: {"file": files[name], **graph.to_dict()} for name, graph in graphs.items()}
    if fmt.name == "savedmodel":
        for name in graphs:
            graph_meta[name]["signature"] = signatures.signature_name(name)
    metadata = {
        "format": fmt.name, "backend": fmt.backend, "model": config.model_name,
        "family": config.family, "source": source, "config": config.to_dict(),
        "graphs": graph_meta, "contents": fmt.files,
        "files": sorted({*files.values(), *assets, "config.json", "preprocess.json"}),
        "preprocess": preprocess, "passed": False, "check": None,
    }
    write_metadata(out, metadata)
    report = _check(out, model, metadata, examples)
    if not report.passed:
        raise ExportCheckError(
            f"the {fmt.name} export in {out} does not reproduce the live model within the "
            f"parity tolerance (max abs diff {report.max_abs_diff:.3e}, atol {report.atol:g}); "
            f"it is kept, marked failed in export.json" + (f": {report.error}"
                                                           if report.error else ""), report)
    return report


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def load(out: str | Path) -> dict[str, Runner]:
    """The graphs of an export as numpy functions: ``{"model": f}`` or ``{"encoder": f,
    "decoder_step": f}``, each ``f({input name: array}) -> {output name: array}``."""
    out = Path(out)
    metadata = read_metadata(out)
    fmt = formats.get(metadata["format"])
    formats.require_format(fmt)
    graphs = {name: signatures.Graph.from_dict(name, g) for name, g in metadata["graphs"].items()}
    files = {name: g["file"] for name, g in metadata["graphs"].items()}
    return fmt.function("reloader")(out, graphs, files)


def verify(out: str | Path, model: Any) -> ExportReport:
    """Reload the export in ``out``, compare it with ``model`` on the parity inputs and
    record the verdict in its ``export.json`` (a corrupted export fails here)."""
    out = Path(out)
    metadata = read_metadata(out)
    return _check(out, model, metadata, signatures.examples(model, metadata["backend"]))


def _check(out: Path, model: Any, metadata: dict[str, Any],
           examples: list[signatures.Example]) -> ExportReport:
    try:
        runners, error = load(out), None
    except Exception as err:  # noqa: BLE001  (an export that does not reload fails)
        runners, error = None, f"reloading failed: {type(err).__name__}: {err}"
    report = compare(runners, examples, model, metadata["format"], metadata["backend"], out,
                     error)
    metadata.update(passed=report.passed, check=report.to_dict(), versions=report.versions)
    write_metadata(out, metadata)
    return report


def run_cli(ref: str, backend: str | None, format: str, out: str, weights: str | None = None,
            hub: str | None = None) -> int:
    """``zoo export REF --backend B --format F --out DIR``: 0 when the check passes, 1 when
    it fails (report printed, export kept); other errors raise ZooError as usual."""
    try:
        report = export(ref, format, out, backend=backend, weights=weights, hub=hub)
    except ExportCheckError as err:
        print(err.report)
        print(f"zoo export: error: {err}", file=sys.stderr)
        return 1
    print(report)
    print(f"wrote {format} export of {report.model} to {out} (export.json, preprocess.json)")
    return 0
