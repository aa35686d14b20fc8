"""The GRU encoder-decoder with Bahdanau attention of the seed notes (translation, dates)."""
