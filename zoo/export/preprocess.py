"""What a server does around the exported graphs, per family: written to ``preprocess.json``
(and under ``preprocess`` in ``export.json``). The numbers come from the model's config.

Example:
    >>> preprocess(ResNetConfig(), "torch")["layout"]
    'NCHW'
"""

from __future__ import annotations

from typing import Any

from zoo.data.text import END, PAD, SPECIALS, START, UNK


def _image_preprocess(config: Any, backend: str) -> dict[str, Any]:
    return {
        "task": "image-classification",
        "input": "images",
        "layout": "NCHW" if backend == "torch" else "NHWC",
        "dtype": "float32",
        "image_size": config.image_size,
        "channels": config.channels,
        "color": "grey (L)" if config.channels == 1 else "RGB",
        "scale": "pixels / 255, into [0, 1]",
        "resize": ("bilinear (PIL), straight to image_size x image_size"
                   if getattr(config, "crop_fraction", 1.0) >= 1.0 else
                   "bilinear (PIL): shorter side to int(image_size / crop_fraction), aspect "
                   "kept, then the central image_size x image_size crop"),
        "crop_fraction": getattr(config, "crop_fraction", 1.0),
        "mean": list(config.mean),
        "std": list(config.std),
        "normalise": "(x - mean) / std per channel, after scaling to [0, 1]",
        "output": "logits",
        "postprocess": "softmax over logits; class i is class_names[i]",
        "class_names": config.labels,
    }


def _sine_preprocess(config: Any, backend: str) -> dict[str, Any]:
    return {
        "task": "time-series-forecasting",
        "input": "windows",
        "shape": "(batch, time, 1) float32; the model was trained on time = window",
        "window": config.window,
        "norm_mean": config.norm_mean,
        "norm_std": config.norm_std,
        "normalise": "(x - norm_mean) / norm_std",
        "output": "prediction",
        "denormalise": "prediction * norm_std + norm_mean",
        "rollout": "append each normalised prediction to the window, keep its last `window` "
                   "values, run again (zoo's forecast)",
    }


def _seq2seq_preprocess(config: Any, backend: str) -> dict[str, Any]:
    return {
        "task": "translation",
        "graphs": ["encoder", "decoder_step"],
        "vocabularies": {"source": "vocab.src.json", "target": "vocab.tgt.json"},
        "special_ids": {"pad": PAD, "start": START, "end": END, "unk": UNK},
        "special_tokens": list(SPECIALS),
        "max_src_len": config.max_src_len,
        "max_tgt_len": config.max_tgt_len,
        "source": "the vocabulary's normalisation and split (zoo.data.text.Vocab.encode), "
                  "unknown tokens -> <unk>, then <end>; at most max_src_len ids including "
                  "<end>; a batch is right-padded with <pad>",
        "decoding": "greedy (zoo.export.decode.greedy_decode): state = encoder.state, prev = "
                    "<start>; each step feed decoder_step, never emit <pad> or <start>, take "
                    "the argmax of log_probs, stop at <end> or max_tgt_len tokens",
    }


#: family -> its preprocessing description
PREPROCESS = {"cnn": _image_preprocess, "resnet": _image_preprocess, "sine": _sine_preprocess,
              "seq2seq": _seq2seq_preprocess}


def preprocess(config: Any, backend: str) -> dict[str, Any]:
    return PREPROCESS[config.family](config, backend)
