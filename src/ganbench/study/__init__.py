"""The accuracy-versus-label-count study: cells, classical baselines and aggregation."""
