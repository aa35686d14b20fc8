"""One folder per model family: config.py, pt.py, tf.py, convert.py (see zoo/registry.py)."""
