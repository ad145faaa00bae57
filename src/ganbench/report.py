"""DVC stage `report`: reports/benchmark.md and reports/figures/, readable on their own.

Everything in the report is read from what the earlier stages wrote (metrics/, plots/,
models/*/samples, results/); nothing is recomputed, so the report can never disagree with
`dvc metrics show`.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench import atomic, params, plots, stage_outputs, tracking
from ganbench.models.registry import FAMILIES
from ganbench.study import aggregate

# Families offered beside the seeds, with the source their recipe follows.
NOT_SEEDS = {"sgan_fm": "the MNIST recipe of Salimans et al. 2016 (feature matching)"}

IMAGE_METRICS = (
    ("fid", "FID-style ↓"),
    ("kid", "KID ↓"),
    ("precision", "precision ↑"),
    ("recall", "recall ↑"),
    ("density", "density ↑"),
    ("coverage", "coverage ↑"),
    ("classifier_score", "classifier score ↑"),
    ("pixel_w1", "pixel W1 ↓"),
    ("pixel_ks", "pixel KS ↓"),
)
MOMENT_METRICS = ("mean", "std", "skewness", "kurtosis", "ks", "ks_pvalue", "w1")


@dataclass(frozen=True)
class ReportPaths:
    metrics: Path = Path("metrics")
    plots: Path = Path("plots")
    models: Path = Path("models")
    out_dir: Path = Path("reports")


def number(value: Any, digits: int = 4) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return (
            f"{value:.{digits}g}"
            if abs(value) >= 1e4 or abs(value) < 1e-3
            else f"{value:.{digits}f}"
        )
    return str(value)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def image_gan_section(evaluations: dict[str, dict[str, Any]]) -> str:
    """One table per image GAN: generated, floor (real test) and ceiling (untrained)."""
    parts = []
    for gan, m in evaluations.items():
        rows = [
            [label, number(m[key]), number(m["floor"][key]), number(m["untrained"][key])]
            for key, label in IMAGE_METRICS
        ]
        header = [f"**{gan}**", "generated", "floor: real test images", "ceiling: untrained"]
        parts.append(markdown_table(header, rows))
        extras = []
        if "conditional_accuracy" in m:
            extras.append(
                f"Conditional accuracy (the reference network sees the requested class): "
                f"**{number(m['conditional_accuracy'])}** (chance 0.1)."
            )
        if "baseline_test_accuracy" in m:
            extras.append(
                f"SGAN classifier test accuracy **{number(m['test_accuracy'])}** against "
                f"**{number(m['baseline_test_accuracy'])}** for the same network trained "
                f"supervised on the same labelled images (difference "
                f"{number(m['accuracy_difference'])})."
            )
        elif "test_accuracy" in m:
            extras.append(
                f"{gan} classifier test accuracy **{number(m['test_accuracy'])}** "
                f"({m['test_errors']} errors in {m['test_count']} test images)."
            )
        parts.extend(extras)
    return "\n\n".join(parts)


def gan1d_section(m: dict[str, Any]) -> str:
    rows = [
        [row_name, *(number(values[k]) for k in MOMENT_METRICS)]
        for row_name, values in (
            ("generated", m),
            ("input noise (before)", m["noise"]),
            ("floor: a fresh target sample", m["floor"]),
            ("ceiling: untrained generator", m["untrained"]),
        )
    ]
    intro = (
        f"Target N({number(m['target_mean'], 3)}, {number(m['target_std'], 3)}²); mean, std, "
        "skewness and excess kurtosis of each sample, its Kolmogorov-Smirnov statistic and "
        "p-value against the target, and the exact W1 distance to it."
    )
    return intro + "\n\n" + markdown_table(["sample", *MOMENT_METRICS], rows)


SHORT_NAMES = {"sgan": "SGAN", "sgan_fm": "SGAN-FM", "supervised": "supervised"}


def iterations_text(per_count: dict[str, int]) -> str:
    return ", ".join(f"{n}: {it}" for n, it in sorted(per_count.items(), key=lambda i: int(i[0])))


def study_section(study: dict[str, Any]) -> str:
    confidence = study["confidence"]
    header = ["labels", *(plots.METHOD_LABELS[m] for m in aggregate.METHODS)]
    for method, other in aggregate.COMPARISONS:
        header += [f"{SHORT_NAMES[method]} − {SHORT_NAMES[other]}", "p-value"]
    rows = []
    by_count = study["by_label_count"]
    for count, entry in sorted(by_count.items(), key=lambda item: int(item[0])):
        row = [count]
        for method in aggregate.METHODS:
            s = entry["methods"][method]
            ci = (
                f" [{number(s['ci_low'])}, {number(s['ci_high'])}]"
                if s["ci_low"] is not None
                else ""
            )
            row.append(f"{number(s['mean'])}{ci}")
        for method, other in aggregate.COMPARISONS:
            comparison = entry[f"{method}_vs_{other}"]
            row += [number(comparison["mean_difference"]), number(comparison["p_value"])]
        rows.append(row)
    seeds = len(study["seeds"])
    return (
        f"Mean test accuracy over seeds {study['seeds']} with the {confidence:.0%} Student-t "
        f"confidence interval in brackets; `{study['sampling']}` labelled subsets, identical "
        f"for every method within a seed. Iterations per label count, SGAN: "
        f"{iterations_text(study['sgan_iterations'])}; SGAN-FM: "
        f"{iterations_text(study['sgan_fm_iterations'])}. Each GAN against the supervised "
        f"network: {study['paired_test']}. The same network "
        f"trained on all labels reaches **{number(study['ceiling_all_labels'])}**. With "
        f"{seeds} seeds the interval uses Student's t with {seeds - 1} degree(s) of freedom, "
        "so it is wide and may reach past [0, 1]; more seeds (`study.seeds`, the paper "
        "profile uses 5) narrow it.\n\n" + markdown_table(header, rows)
    )


def last_sample(samples_dir: Path) -> Path | None:
    found = sorted(samples_dir.glob("step-*.png"))
    return found[-1] if found else None


def write_figures(figures: Path, paths: ReportPaths, gans: list[str]) -> dict[str, list[str]]:
    """Copy the final sample grid / histogram of each GAN, draw its loss curves, copy the
    study figure; return the figure file names per section."""
    made: dict[str, list[str]] = {}
    for gan in gans:
        names = []
        sample = last_sample(paths.models / gan / "samples")
        if sample is not None:
            shutil.copyfile(sample, figures / f"{gan}-samples.png")
            names.append(f"{gan}-samples.png")
        with open(paths.plots / "train" / f"{gan}.csv", newline="") as handle:
            history = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
        if history:
            plots.loss_curves(history, figures / f"{gan}-losses.png", f"{gan}: training losses")
            names.append(f"{gan}-losses.png")
        made[gan] = names
    shutil.copyfile(paths.plots / "study.png", figures / "study.png")
    made["study"] = ["study.png"]
    return made


def trained_how(gans: list[str]) -> str:
    """Which families follow a seed notebook's algorithm and which follow a paper."""
    seeds = [f"`{gan}`" for gan in gans if gan not in NOT_SEEDS]
    text = f"The seed families ({', '.join(seeds)}) were trained with their seed notebooks' "
    text += "algorithms."
    for gan in gans:
        if gan in NOT_SEEDS:
            text += f" `{gan}` is not a seed: it follows {NOT_SEEDS[gan]}."
    return text


def run(params_path: str = "params.yaml", paths: ReportPaths | None = None) -> Path:
    paths = paths or ReportPaths()
    config_all = params.load(params_path)
    gans = [gan for gan in FAMILIES if gan in config_all.gans]
    trained = {
        gan: stage_outputs.read_json(paths.metrics / "train" / f"{gan}.json", f"train@{gan}")
        for gan in gans
    }
    evaluated = {
        gan: stage_outputs.read_json(paths.metrics / f"{gan}.json", f"evaluate@{gan}")
        for gan in gans
    }
    reference = stage_outputs.read_json(paths.metrics / "reference.json", "reference")
    study = stage_outputs.read_json(paths.metrics / "study.json", "study_summary")
    out = paths.out_dir / "benchmark.md"
    with atomic.staged_dir(paths.out_dir) as staging:
        figures = staging / "figures"
        figures.mkdir()
        made = write_figures(figures, paths, gans)
        text = render(config_all, params_path, trained, evaluated, reference, study, made)
        (staging / "benchmark.md").write_text(text)
    return out


def figure_links(names: list[str]) -> str:
    return " ".join(f"![{name}](figures/{name})" for name in names)


def render(
    config_all: params.Params,
    params_path: str,
    trained: dict[str, dict[str, Any]],
    evaluated: dict[str, dict[str, Any]],
    reference: dict[str, Any],
    study: dict[str, Any],
    figures: dict[str, list[str]],
) -> str:
    dataset = config_all.data.dataset
    evaluate = config_all.section("evaluate")
    image_gans = {g: m for g, m in evaluated.items() if "fid" in m}
    schedule_rows = [
        [
            gan,
            str(t["steps"]),
            number(t["wall_seconds"], 1),
            number(t.get("stage_seconds"), 1),
            f"`{t['mlflow_run_id']}`",
        ]
        for gan, t in trained.items()
    ]
    sections = [
        "# ganbench benchmark report",
        f"Dataset **{dataset}**. Produced by `dvc repro` from git commit "
        f"`{tracking.git_commit()}` with `{params_path}` (reproduced in full at the end). "
        f"{trained_how(list(trained))} Every GAN was scored with the same metrics in the "
        "feature space of a reference classifier the pipeline trains itself. Every number "
        "below is copied from the stage outputs in `metrics/`.",
        "## What was run",
        markdown_table(
            ["GAN", "iterations", "training loop s", "stage s", "MLflow run"], schedule_rows
        ),
        "Iterations are those of the active profile; the seeds' full schedules are in "
        "`profiles/paper.yaml` (`make paper`). Under the default CPU profile the image GANs "
        "get a small fraction of their seed schedule, so their scores measure a short run, "
        "not the method.",
        "## Reference network",
        f"A CNN trained on all {dataset} training labels: test accuracy "
        f"**{number(reference['test_accuracy'])}**, weights hash `{reference['weights_hash']}` "
        f"({number(reference['wall_seconds'], 1)} s, MLflow run `{reference['mlflow_run_id']}`). "
        f"Its {config_all.section('reference').feature_units}-unit penultimate layer is the "
        "feature space of FID-style, KID and "
        "precision/recall; its softmax gives the classifier score (maximum 10) and ACGAN's "
        "conditional accuracy. Scores are comparable only between runs with the same hash.",
        "## Image GANs",
        f"{evaluate.samples} generated images per GAN against {evaluate.real_samples} real "
        "training images. The *floor* is the real test set scored the same way "
        "(what a perfect generator would get); the *ceiling* is the same family's untrained "
        "generator. Arrows give the better direction. k-NN precision counts a collapsed "
        "generator whose few modes sit inside the real manifold as fully precise (see the "
        "untrained rows); read it together with recall, density and coverage.",
        image_gan_section(image_gans),
        *(
            f"**{gan}**: {figure_links(figures.get(gan, []))}"
            for gan in image_gans
            if figures.get(gan)
        ),
    ]
    if "gan1d" in evaluated:
        sections += [
            "## 1-D GAN",
            gan1d_section(evaluated["gan1d"]),
            figure_links(figures.get("gan1d", [])),
        ]
    sections += [
        "## Accuracy versus number of labels",
        study_section(study),
        figure_links(figures["study"]),
        f"MLflow: the study's parent run is `{study['mlflow_run_id']}`; each cell is a "
        "nested run under it.",
        "## Parameters",
        "```yaml\n" + Path(params_path).read_text().rstrip() + "\n```",
    ]
    return "\n\n".join(sections) + "\n"
