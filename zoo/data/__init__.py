"""Datasets the recipes train on, as numpy arrays or framework pipelines."""
