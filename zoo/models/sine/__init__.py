"""The sine-curve RNN forecaster of the seed notes (SimpleRNN / LSTM / GRU + a dense head)."""
