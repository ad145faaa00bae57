"""A long run's summary over its seeds: one metric's mean and interval (inside the
figure's range: study.aggregate), every evaluation figure per seed and its interval, and
the MLflow run that holds them with each seed's whole curve during training."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import yaml

from ganbench.longrun import export
from ganbench.longrun.seeds import (
    Plan,
    RepeatError,
    evaluation_path,
    metrics_path,
    seed_dir,
)
from ganbench.plumbing import atomic, tracking
from ganbench.study import aggregate
from ganbench.study.ranges import range_of

# The figures a summary carries for every seed and as mean and interval, where the family's
# metrics have them: the evaluate suite's headline numbers, the mode-collapse diagnostics,
# the accuracies of the semi-supervised families and the 1-D GAN's moments.
SUMMARY_KEYS = (
    "fid",
    "untrained_fid",
    "floor_fid",
    "kid",
    "precision",
    "recall",
    "density",
    "coverage",
    "classifier_score",
    "class_entropy",
    "class_kl_uniform",
    "conditional_accuracy",
    "intra_fid",
    "test_accuracy",
    "baseline_test_accuracy",
    "accuracy_gain_over_baseline",
    "mean",
    "std",
    "skewness",
    "kurtosis",
    "w1",
    "ks",
)


def seed_metrics(plan: Plan, seed: int) -> dict[str, float]:
    """Every numeric figure of one seed: its train metrics and, when evaluated, its
    evaluation metrics flattened as MLflow has them (floor_fid, untrained_fid, ...)."""
    from ganbench.stages.evaluate import loggable

    metrics = json.loads(metrics_path(plan, seed).read_text())
    flat = {k: float(v) for k, v in metrics.items() if is_number(v)}
    if plan.evaluate:
        flat.update(loggable(json.loads(evaluation_path(plan, seed).read_text())))
    flat["mlflow_run_id"] = metrics["mlflow_run_id"]
    return flat


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def summarise(plan: Plan, profile_path: Path | None, log_run: bool = True) -> dict[str, Any]:
    """Collect the metric from every seed's metrics, log it as one MLflow run with the seeds'
    runs nested under it (unless `log_run` is False), and write summary.json."""
    per_seed: dict[str, float] = {}
    run_ids: dict[str, str] = {}
    figures: dict[str, dict[str, float]] = {}
    for seed in plan.seeds:
        flat = seed_metrics(plan, seed)
        if plan.metric not in flat:
            numeric = sorted(k for k, v in flat.items() if is_number(v))
            source = evaluation_path(plan, seed) if plan.evaluate else metrics_path(plan, seed)
            raise RepeatError(
                f"{source}: no numeric metric {plan.metric!r} (has: {', '.join(numeric)})"
            )
        per_seed[str(seed)] = flat[plan.metric]
        run_ids[str(seed)] = flat["mlflow_run_id"]
        for key in SUMMARY_KEYS:
            if key in flat:
                figures.setdefault(key, {})[str(seed)] = flat[key]
        figures.setdefault("steps", {})[str(seed)] = flat["steps"]
    stats = aggregate.summarise(per_seed.values(), plan.confidence, range_of(plan.metric))
    summary = {
        "gan": plan.gan,
        "profile": str(profile_path) if profile_path else None,
        "metric": plan.metric,
        "confidence": plan.confidence,
        "per_seed": per_seed,
        **stats,
        "steps": {seed: int(v) for seed, v in figures.pop("steps").items()},
        "schedule_steps": schedule_steps(plan),
        "mlflow_run_ids": run_ids,
    }
    if plan.evaluate:
        summary["metrics"] = {
            key: {
                "per_seed": values,
                **aggregate.summarise(values.values(), plan.confidence, range_of(key)),
            }
            for key, values in figures.items()
        }
    if not log_run:
        atomic.write_json(plan.workdir / "summary.json", summary)
        return summary
    name = f"{plan.workdir.name} seeds {','.join(per_seed)}"
    # In the seeds' own experiment, so that the MLflow UI shows them nested under it.
    with tracking.run("train", name, "repeats", tags={"gan": plan.gan}) as tracked:
        tracked.log_params(
            {
                "profile": summary["profile"],
                "metric": plan.metric,
                "confidence": plan.confidence,
                "seeds": ",".join(per_seed),
            }
        )
        tracked.log_metrics(
            {
                **{
                    f"{plan.metric}_{key}": v
                    for key, v in stats.items()
                    if isinstance(v, int | float)  # not the interval's method name
                },
                **{f"{plan.metric}_seed_{seed}": v for seed, v in per_seed.items()},
            }
        )
        log_curves(tracked, plan)
        tracking.adopt(tracked.run_id, list(run_ids.values()))
        summary["mlflow_run_id"] = tracked.run_id
        atomic.write_json(plan.workdir / "summary.json", summary)
    return summary


def log_curves(tracked: tracking.Run, plan: Plan) -> None:
    """Each seed's evaluations during training as the summary run's metric history
    (`progress_fid_seed_0`, ...). A seed resumed in several sessions logged each stretch to
    a run of its own, on whichever machine trained it; here its whole curve is in one run."""
    for seed in plan.seeds:
        path = export.progress_curve(seed_dir(plan, seed), plan.gan)
        if not path.is_file():
            continue
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                step = int(float(row.pop("step")))
                values = {f"progress_{key}_seed_{seed}": float(v) for key, v in row.items() if v}
                tracked.log_metrics(values, step=step)


def schedule_steps(plan: Plan) -> int:
    """The schedule's iterations, as every seed's params file has them."""
    tree = yaml.safe_load((seed_dir(plan, plan.seeds[0]) / "params.yaml").read_text())
    return int(tree[plan.gan]["schedule"]["iterations"])


def describe(summary: dict[str, Any]) -> str:
    line = f"{summary['gan']} {summary['metric']} over seeds {list(summary['per_seed'])}: "
    line += f"mean {summary['mean']:.4f}"
    if summary["ci_low"] is not None:
        percent = round(100 * summary["confidence"])
        line += f", {percent}% CI [{summary['ci_low']:.4f}, {summary['ci_high']:.4f}]"
    return line
