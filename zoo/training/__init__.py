"""Training (``zoo.train`` is the function; this package is the engine): recipe schema, one loop per backend, checkpoints, logs and plots."""
