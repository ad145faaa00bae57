"""Evaluation metrics: pure functions of numpy arrays, computed in float64."""
