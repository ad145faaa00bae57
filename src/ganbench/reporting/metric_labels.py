"""How each metric is named in a table, in one place so that the report and
`ganbench score` show a number under the same name (arrows: which way is better)."""

from __future__ import annotations

IMAGE_METRICS = (
    ("fid", "FID-style ↓"),
    ("kid", "KID ↓"),
    ("precision", "precision ↑"),
    ("recall", "recall ↑"),
    ("density", "density ↑"),
    ("coverage", "coverage ↑"),
    ("classifier_score", "classifier score ↑"),
    ("class_entropy", "class entropy ↑ (log 10 = 2.303: every digit)"),
    ("class_kl_uniform", "KL to uniform classes ↓"),
    ("pixel_w1", "pixel W1 ↓"),
    ("pixel_ks", "pixel KS ↓"),
)
MOMENT_METRICS = ("mean", "std", "skewness", "kurtosis", "ks", "ks_pvalue", "w1")
