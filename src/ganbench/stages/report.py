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

from ganbench.config import graph_spec, params, profiles
from ganbench.models import registry
from ganbench.plumbing import atomic, layout, stage_outputs, tracking
from ganbench.reporting import paper_results, plots
from ganbench.reporting.metric_labels import IMAGE_METRICS, MOMENT_METRICS
from ganbench.study import aggregate, methods


@dataclass(frozen=True)
class ReportPaths:
    metrics: Path = layout.default_path("metrics")
    train_metrics: Path = layout.default_path("train_metrics")
    train_plots: Path = layout.default_path("train_plots")
    reference_metrics: Path = layout.default_path("reference_metrics")
    study_metrics: Path = layout.default_path("study_metrics")
    study_figure: Path = layout.default_path("study_figure")
    models: Path = layout.default_path("models")
    results: Path = layout.default_path("results")
    out_dir: Path = layout.default_path("reports")


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


def image_gan_section(
    evaluations: dict[str, dict[str, Any]], trained: dict[str, dict[str, Any]]
) -> str:
    """One table per image GAN: generated, floor (real test) and ceiling (untrained), then
    what the family's record says it also has: conditional or classifier figures."""
    parts = []
    for gan, m in evaluations.items():
        family = registry.family(gan)
        draws = m.get("sample_draws", {}).get("figures", {})
        rows = [
            [label, number(m[key]), number(m["floor"][key]), number(m["untrained"][key])]
            + ([number(draws[key]["sd"])] if draws else [])
            for key, label in IMAGE_METRICS
        ]
        if "fid_infinity" in m:
            rows.append(
                [
                    "FID∞ ↓ (FID-style at N → ∞)",
                    f"{number(m['fid_infinity']['fid_infinity'])} ± "
                    f"{number(m['fid_infinity']['fid_infinity_sd'])}",
                    number(m["floor"]["fid_infinity"]["fid_infinity"]),
                    "—",
                ]
                + ([number(draws["fid_infinity"]["sd"])] if draws else [])
            )
        header = [f"**{gan}**", "generated", "floor: real test images", "ceiling: untrained"]
        if draws:
            seeds = ", ".join(str(s) for s in m["sample_draws"]["seeds"])
            header.append(f"SD over sample draws (noise seeds {seeds})")
        parts.append(markdown_table(header, rows))
        if family.conditional:
            parts.append(
                f"Conditional accuracy (the reference network sees the requested class): "
                f"**{number(m['conditional_accuracy'])}** (chance 0.1). FID-style within each "
                f"class, mean over the classes: {number(m['intra_fid'])} (floor "
                f"{number(m['floor_intra_fid'])})."
            )
        if family.semi_supervised:
            parts.append(classifier_text(family, trained[gan]))
    return "\n\n".join(parts)


def classifier_text(family: registry.Family, t: dict[str, Any]) -> str:
    """The family's classifier on the test set, as its train stage measured it."""
    text = (
        f"{family.label}: classifier test accuracy **{number(t['test_accuracy'])}** "
        f"({t['test_errors']} errors in {t['test_count']} test images)"
    )
    if family.supervised_baseline:
        text += (
            f", against **{number(t['baseline_test_accuracy'])}** for the same network "
            f"trained supervised on the same labelled images (gain "
            f"{number(t['accuracy_gain_over_baseline'])})"
        )
    return text + "."


def distribution_section(m: dict[str, Any]) -> str:
    """A non-image family's samples against its target distribution."""
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


def iterations_text(per_count: dict[str, int]) -> str:
    return ", ".join(f"{n}: {it}" for n, it in sorted(per_count.items(), key=lambda i: int(i[0])))


def interval(s: dict[str, Any], key: str = "mean") -> str:
    ci = f" [{number(s['ci_low'])}, {number(s['ci_high'])}]" if s["ci_low"] is not None else ""
    return f"{number(s[key])}{ci}"


def study_section(study: dict[str, Any]) -> str:
    """The accuracies per label count with their intervals, then each method's paired
    difference from the supervised network; `—` where a method has no cells."""
    confidence = study["confidence"]
    compared = study["methods"]
    labels = methods.method_labels(compared)
    reference_method = aggregate.REFERENCE_METHOD
    others = [m for m in compared if m != reference_method]
    accuracy_rows, difference_rows = [], []
    for count, entry in sorted(study["by_label_count"].items(), key=lambda item: int(item[0])):
        summaries = entry["methods"]
        accuracy_rows.append(
            [count, *(with_n(summaries.get(m), lambda s: interval(s)) for m in compared)]
        )
        versus = entry[f"vs_{reference_method}"]
        difference_rows.append(
            [
                count,
                *(
                    with_n(
                        versus.get(m),
                        lambda c: (
                            f"{interval(c, 'mean_difference')}, p {number(c['p_value'])}"
                            f", d {number(c['effect_size'], 2)}"
                        ),
                    )
                    for m in others
                ),
            ]
        )
    iterations = "; ".join(
        f"{labels[gan]}: {iterations_text(per_count)}"
        for gan, per_count in study["iterations"].items()
    )
    return (
        f"Mean test accuracy over seeds {study['seeds']} with the {confidence:.0%} "
        f"confidence interval in brackets ({interval_names(study)}) and n, the number of "
        "seeds, after it; "
        f"`{study['sampling']}` labelled subsets, identical for every method within a seed. "
        f"Iterations per label count: {iterations}. The same supervised network trained on "
        f"all labels reaches **{number(study['ceiling_all_labels'])}**.\n\n"
        + markdown_table(["labels", *(labels[m] for m in compared)], accuracy_rows)
        + f"\n\nEach method minus the reference method ({labels[reference_method]}) on the same "
        f"subsets, per seed: mean difference [{confidence:.0%} interval], "
        f"{study['paired_test']} p-value, effect size d ({study['effect_size']}); n after "
        "each.\n\n" + markdown_table(["labels", *(labels[m] for m in others)], difference_rows)
    )


def interval_names(study: dict[str, Any]) -> str:
    """The interval methods a study summary's accuracies carry, named; a summary made
    before they were named carries Student-t intervals."""
    used = {
        summary.get("interval", "t")
        for entry in study["by_label_count"].values()
        for summary in entry["methods"].values()
        if summary["n"] > 1
    }
    return "; ".join(aggregate.INTERVALS[m] for m in sorted(used)) or "none: one seed"


def study_provenance(study: dict[str, Any]) -> str:
    """Seeds, cells and machine of a study summary, as one sentence. A paper study's cells
    are trained over several sessions, so it names every machine that trained some."""
    provenance = study.get("provenance", {})
    where = study.get("machine") or provenance.get("machine")
    if provenance.get("cell_machines"):
        machine_text = "; cells trained on " + ", ".join(
            f"{paper_results.UNKNOWN_MACHINE if name == 'not recorded' else name}: {count}"
            for name, count in provenance["cell_machines"].items()
        )
    elif where:
        machine_text = f" on {where['cpu_model']}, {where['cores']} cores ({where['cpu_kind']})"
    else:
        machine_text = ""
    done = ""
    if "cells_expected" in study:
        state = "all" if study.get("complete") else "**not finished**:"
        done = f" {state} {study['cells_finished']} of {study['cells_expected']} cells"
    return f"Seeds {study['seeds']}{done}{machine_text}."


def published_text(points: list[dict[str, Any]] | None) -> str:
    """The published accuracies drawn as hollow markers in the study figures, cited."""
    if not points:
        return ""
    listed = "; ".join(
        f"{p['method']} at {p['labels']} labels {number(p['accuracy'])} ({p['note']}, "
        f"{p['source']})"
        for p in points
    )
    return (
        f"Hollow markers in the study figures: published results, checked against their "
        f"source: {listed}. Their setting differs from this study's (e.g. their own "
        "network and schedule); they show the scale the method reaches, not a replication."
    )


def with_n(summary: dict[str, Any] | None, shown) -> str:
    if summary is None:
        return "—"
    if summary["n"] == 1:
        return f"{shown(summary)} ({paper_results.NO_INTERVAL})"
    return f"{shown(summary)} (n {summary['n']})"


def last_sample(samples_dir: Path) -> Path | None:
    found = sorted(samples_dir.glob("step-*.png"))
    return found[-1] if found else None


def write_figures(
    figures: Path, paths: ReportPaths, gans: list[str], with_study: bool
) -> dict[str, list[str]]:
    """Copy the final sample grid / histogram of each GAN, draw its loss curves, copy the
    study figure; return the figure file names per section."""
    made: dict[str, list[str]] = {}
    for gan in gans:
        names = []
        sample = last_sample(paths.models / gan / "samples")
        if sample is not None:
            shutil.copyfile(sample, figures / f"{gan}-samples.png")
            names.append(f"{gan}-samples.png")
        with open(paths.train_plots / f"{gan}.csv", newline="") as handle:
            history = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
        if history:
            plots.loss_curves(
                history,
                figures / f"{gan}-losses.png",
                f"{gan}: training losses",
                registry.family(gan).step_unit,
            )
            names.append(f"{gan}-losses.png")
        made[gan] = names
    if with_study:
        shutil.copyfile(paths.study_figure, figures / "study.png")
        made["study"] = ["study.png"]
    return made


def trained_how(gans: list[str]) -> str:
    """Which families follow a seed notebook's algorithm and which follow a paper."""
    records = [registry.family(gan) for gan in gans]
    seeds = [f"`{f.name}`" for f in records if f.seed]
    text = f"The seed families ({', '.join(seeds)}) were trained with their seed notebooks' "
    text += "algorithms."
    for f in records:
        if not f.seed:
            text += f" `{f.name}` is not a seed: it follows {f.paper}."
    return text


def run(params_path: str = "params.yaml", paths: ReportPaths | None = None) -> Path:
    paths = paths or ReportPaths()
    config_all = params.load(params_path)
    gans = [gan for gan in registry.FAMILIES if gan in config_all.gans]
    trained = {
        gan: stage_outputs.read_json(paths.train_metrics / f"{gan}.json", f"train@{gan}")
        for gan in gans
    }
    evaluated = {
        gan: stage_outputs.read_json(paths.metrics / f"{gan}.json", f"evaluate@{gan}")
        for gan in gans
    }
    reference = stage_outputs.read_json(paths.reference_metrics, "reference")
    # the study is reported when params.yaml configures one
    study = (
        stage_outputs.read_json(paths.study_metrics, "study_summary")
        if "study" in config_all.stages
        else None
    )
    out = paths.out_dir / "benchmark.md"
    with atomic.staged_dir(paths.out_dir) as staging:
        figures = staging / "figures"
        figures.mkdir()
        made = write_figures(figures, paths, gans, with_study=study is not None)
        paper = paper_results.section(
            paths.results, figures, markdown_table, paper_progress_samples(params_path)
        )
        paper_study = paper_results.study(paths.results, figures)
        text = render(
            config_all, params_path, trained, evaluated, reference, study, made, paper,
            paper_study, paths.results,
        )  # fmt: skip
        (staging / "benchmark.md").write_text(text)
    return out


def paper_progress_samples(params_path: str) -> int:
    """The images each point of a paper run's curve was scored on: params.yaml under the
    paper profile."""
    tree = profiles.apply(params.read_mapping(params_path), params.read_mapping(profiles.PAPER))
    return int(tree["evaluate"]["progress_samples"])


def figure_links(names: list[str]) -> str:
    return " ".join(f"![{name}](figures/{name})" for name in names)


def planned_seeds() -> dict[str, tuple[int, ...]] | None:
    """Each family's training seeds in the paper graph's spec (None without the spec)."""
    if not graph_spec.GRAPH_SPEC.is_file():
        return None
    spec = graph_spec.read_spec(graph_spec.GRAPH_SPEC)
    return {gan: entry.seeds for gan, entry in spec.families.items()}


def render(
    config_all: params.Params,
    params_path: str,
    trained: dict[str, dict[str, Any]],
    evaluated: dict[str, dict[str, Any]],
    reference: dict[str, Any],
    study: dict[str, Any] | None,
    figures: dict[str, list[str]],
    paper: str | None = None,
    paper_study: tuple[dict[str, Any], str] | None = None,
    paths_results: Path | None = None,
) -> str:
    """The report; `paper`, the paper-profile sections, follows the summary of what ran;
    `paper_study` (its summary and figure), the paper-profile label study, goes first in
    the study's section."""
    dataset = config_all.data.dataset
    evaluate = config_all.section("evaluate")
    image_gans = {g: m for g, m in evaluated.items() if registry.family(g).images}
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
    board = (
        paper_results.leaderboard(paths_results, markdown_table, planned_seeds())
        if paths_results
        else None
    )
    sections = [
        "# ganbench benchmark report",
        f"Dataset **{dataset}**. Produced by `dvc repro` from git commit "
        f"`{tracking.git_commit()}` with `{params_path}` (reproduced in full at the end). "
        f"{trained_how(list(trained))} Every GAN was scored with the same metrics in the "
        "feature space of the pinned reference network. Every number below is copied from "
        "the stage outputs in `metrics/`, and, for the paper profile, from `results/`.",
        *([board] if board else []),
        "## What was run",
        markdown_table(
            ["GAN", "iterations", "training loop s", "stage s", "MLflow run"], schedule_rows
        ),
        "Every run of the active profile here is one seed (1 seed, no interval): read its "
        "figures as one draw, not a mean. "
        "Iterations are those of the active profile; the seeds' full schedules are in "
        "`profiles/paper.yaml` (`make paper`). Under the default CPU profile the image GANs "
        "get a small fraction of their seed schedule, so their scores measure a short run, "
        "not the method.",
        *([paper] if paper else []),
        "## Reference network",
        f"The pinned CNN (references/{dataset}/), trained on all {dataset} training labels: "
        f"test accuracy "
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
        "untrained rows); read it together with recall, density and coverage. "
        "FID-style at N is biased upwards by about a constant over N, so it compares only "
        "scores at the same N; FID∞ (Chong & Forsyth 2020: FID-style on subsets of several "
        "sizes, a line in 1/N, its intercept; ± its SD over 5 subset draws) compares across "
        "sample sizes on the same reference network and real set. KID is unbiased in N as it "
        "is. The last column is how far redrawing the samples alone moves each figure; a "
        "difference between two generators smaller than that is noise. Each table is one "
        "training run (1 seed).",
        image_gan_section(image_gans, trained),
        *(
            f"**{gan}**: {figure_links(figures.get(gan, []))}"
            for gan in image_gans
            if figures.get(gan)
        ),
    ]
    for gan, m in evaluated.items():
        if not registry.family(gan).images:
            sections += [
                f"## {registry.family(gan).label}",
                distribution_section(m),
                figure_links(figures.get(gan, [])),
            ]
    if study is not None or paper_study is not None:
        sections.append("## Accuracy versus number of labels")
    if paper_study is not None:
        summary, figure = paper_study
        sections += [
            "### Paper profile (`results/study-paper/`)",
            study_provenance(summary) + " Regenerate with `ganbench paper run --families study` "
            "([docs/label-study.md](../docs/label-study.md)).",
            study_section(summary),
            figure_links([figure]),
        ]
    if study is not None:
        sections += [
            *(["### Default profile (`metrics/study.json`, `dvc repro`)"] if paper_study else []),
            study_provenance(study),
            study_section(study),
            figure_links(figures["study"]),
            f"MLflow: the study's parent run is `{study['mlflow_run_id']}`; each cell is a "
            "nested run under it.",
        ]
    cited = published_text((paper_study[0] if paper_study else study or {}).get("published"))
    if cited:
        sections.append(cited)
    sections += [
        "## Parameters",
        "```yaml\n" + Path(params_path).read_text().rstrip() + "\n```",
    ]
    return "\n\n".join(sections) + "\n"
