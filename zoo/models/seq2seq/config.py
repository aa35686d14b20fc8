"""Config of the seq2seq translator: vocabulary sizes, layer sizes and length limits."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from zoo.config import ModelConfig
from zoo.errors import ConfigError

VOCAB = "zoo.data.text:Vocab"


@dataclasses.dataclass(frozen=True)
class Seq2SeqConfig(ModelConfig):
    """Embedding + GRU encoder, Bahdanau attention, GRU decoder fed [context | embedding].

    The decoder starts from the encoder's final state; ``max_src_len`` / ``max_tgt_len``
    count the ``<end>`` marker. The vocabularies travel as ``vocab.src.json`` /
    ``vocab.tgt.json`` next to the weights (``assets``).

    Example:
        >>> Seq2SeqConfig(units=64).units
        64
    """

    family: ClassVar[str] = "seq2seq"
    #: file next to the weights -> (model attribute, "module:Class" with from_json / to_json)
    assets: ClassVar[dict[str, tuple[str, str]]] = {
        "vocab.src.json": ("src_vocab", VOCAB), "vocab.tgt.json": ("tgt_vocab", VOCAB)}

    src_vocab_size: int = 64
    tgt_vocab_size: int = 16
    embedding_dim: int = 32
    units: int = 128
    attention_units: int = 64
    max_src_len: int = 48
    max_tgt_len: int = 16
    length_penalty: float = 1.0  # beam score = log p / length ** length_penalty

    def validate(self) -> None:
        small = {"src_vocab_size": 5, "tgt_vocab_size": 5, "embedding_dim": 1, "units": 1,
                 "attention_units": 1, "max_src_len": 2, "max_tgt_len": 2}
        for name, least in small.items():
            if getattr(self, name) < least:
                raise ConfigError(f"Seq2SeqConfig.{name} must be >= {least} (the 4 special "
                                  f"tokens come first), got {getattr(self, name)}")
        if self.length_penalty < 0:
            raise ConfigError(f"Seq2SeqConfig.length_penalty must be >= 0, got "
                              f"{self.length_penalty}")


#: the small variant tests build
TINY = Seq2SeqConfig(src_vocab_size=11, tgt_vocab_size=9, embedding_dim=6, units=8,
                     attention_units=5, max_src_len=40, max_tgt_len=10)
