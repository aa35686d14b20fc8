"""The training engine behind ``zoo.train``: recipe schema, one loop per backend,
checkpoints, logs and plots. (Named ``training`` so it never shadows ``zoo.train``.)"""
