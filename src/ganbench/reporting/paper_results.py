"""The report's "Paper profile" sections: the long runs committed under results/ (not DVC
outputs: they are made by `make paper-run`, `ganbench repeats ... --results` and
`python -m ganbench.longrun.study_paper`), each family's final figures with their intervals, its
FID-style curve during training, its final grid, and where the numbers came from."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.models import registry
from ganbench.plumbing import machine
from ganbench.reporting import plots
from ganbench.study import aggregate
from ganbench.study.ranges import range_of

FIGURES = (
    ("fid", "FID-style ↓"),
    ("floor_fid", "FID-style, floor"),
    ("untrained_fid", "FID-style, untrained ceiling"),
    ("kid", "KID ↓"),
    ("precision", "precision ↑"),
    ("recall", "recall ↑"),
    ("classifier_score", "classifier score ↑"),
    ("class_entropy", "class entropy ↑"),
    ("conditional_accuracy", "conditional accuracy ↑"),
    ("intra_fid", "intra-class FID-style ↓"),
    ("test_accuracy", "test accuracy ↑"),
    ("baseline_test_accuracy", "supervised baseline's test accuracy"),
    ("accuracy_gain_over_baseline", "gain over the supervised baseline"),
    ("mean", "generated mean (target 4)"),
    ("std", "generated std (target 1.25)"),
    ("skewness", "generated skewness (target 0)"),
    ("kurtosis", "generated excess kurtosis (target 0)"),
    ("w1", "W1 to the target ↓"),
    ("ks", "KS statistic to the target ↓"),
)
SHAPE_P = 0.05  # a KS p-value under this in a seed: its shape differs from the target's
# what a result trained before provenance was recorded says of its machine, when neither it
# nor the commit that added it names one
UNKNOWN_MACHINE = "unknown"


def trained_on(provenance: dict[str, Any]) -> str:
    """Which machines trained the seeds, with their hours and, for one seed, the steps each
    trained ('Xeon (avx512-bf16) 2.0 h, steps 0-520; EPYC (avx512-bf16) 2.1 h, steps
    520-1,000'): a long run resumes on whatever machine the next session has."""
    seeds = provenance.get("seeds", {})
    stretches: dict[str, list[tuple[float, int, int]]] = {}
    for record in seeds.values():
        for segment in record.get("segments", []):
            if segment.get("to_step", 0) > segment.get("from_step", 0):
                stretches.setdefault(
                    machine.model_and_kind(segment.get("machine", "?")), []
                ).append((segment.get("seconds", 0.0), segment["from_step"], segment["to_step"]))
    parts = []
    for name, spans in stretches.items():
        text = f"{name} {sum(seconds for seconds, _, _ in spans) / 3600:.1f} h"
        if len(seeds) == 1:
            text += ", steps " + ", ".join(merged_ranges([(a, b) for _, a, b in spans]))
        parts.append(text)
    return "; ".join(parts)


def merged_ranges(spans: list[tuple[int, int]]) -> list[str]:
    """[(0, 5), (5, 520)] -> ['0–520']: consecutive stretches on one machine as one range."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [f"{start:,}–{end:,}" for start, end in merged]


def found(results: Path) -> dict[str, dict[str, Any]]:
    """Every family's results/<gan>-paper/summary.json that exists, in registry order."""
    summaries = {}
    for gan in registry.FAMILIES:
        path = results / f"{gan}-paper" / "summary.json"
        if path.is_file():
            summaries[gan] = json.loads(path.read_text())
    return summaries


def fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4g}" if abs(value) >= 100 or abs(value) < 0.01 else f"{value:.4f}"


NO_INTERVAL = "1 seed, no interval"


def interval_of(key: str, entry: dict[str, Any], confidence: float) -> dict[str, Any]:
    """A figure's mean and interval, derived here from its per-seed values: inside the
    figure's range (study.ranges), the method named (aggregate.INTERVALS)."""
    return aggregate.summarise(entry["per_seed"].values(), confidence, range_of(key))


def finished_seeds(summary: dict[str, Any], folder: Path) -> set[str]:
    """The seeds that reached their schedule's end (all, when the summary has no schedule)."""
    schedule = summary.get("schedule_steps")
    return {s for s, n in steps_reached(summary, folder).items() if not schedule or n >= schedule}


def counted(entry: dict[str, Any], finished: set[str] | None) -> dict[str, Any]:
    """The per-seed values a mean is taken over: the finished seeds' where there are any (an
    unfinished seed's figure is a snapshot mid-training, not a draw of the method), else
    the unfinished one(s), said so where shown."""
    kept = {s: v for s, v in entry["per_seed"].items() if finished is None or s in finished}
    return {**entry, "per_seed": kept or entry["per_seed"]}


def figure_row(
    label: str,
    key: str,
    entry: dict[str, Any],
    confidence: float,
    finished: set[str] | None = None,
) -> list[str]:
    derived = interval_of(key, counted(entry, finished), confidence)
    low, high = derived["ci_low"], derived["ci_high"]
    ci = f"[{fmt(low)}, {fmt(high)}]" if low is not None else NO_INTERVAL
    seeds = ", ".join(
        f"{s}: {fmt(v)}" + ("" if finished is None or s in finished else " (unfinished)")
        for s, v in entry["per_seed"].items()
    )
    return [label, fmt(derived["mean"]), ci, seeds]


def figure_rows(summary: dict[str, Any], finished: set[str] | None = None) -> list[list[str]]:
    """One row per evaluation figure, the mean over the finished seeds (`finished`); a
    summary of training alone (made without --evaluate, as the first SGAN-FM runs were) has
    its one headline metric."""
    confidence = summary.get("confidence", 0.95)
    metrics = summary.get("metrics")
    if metrics is None:
        key = summary["metric"]
        return [figure_row(dict(FIGURES).get(key, key), key, summary, confidence, finished)]
    return [
        figure_row(label, key, metrics[key], confidence, finished)
        for key, label in FIGURES
        if key in metrics
    ]


def interval_methods(results: Path, summaries: dict[str, dict[str, Any]]) -> str:
    """The interval methods the sections' tables use (over the finished seeds), named once."""
    used = set()
    for gan, summary in summaries.items():
        confidence = summary.get("confidence", 0.95)
        finished = finished_seeds(summary, results / f"{gan}-paper")
        entries = summary.get("metrics") or {summary["metric"]: summary}
        for key, entry in entries.items():
            used.add(interval_of(key, counted(entry, finished), confidence).get("interval"))
    return "; ".join(f"*{m}*: {aggregate.INTERVALS[m]}" for m in sorted(used - {None}))


def headline(summary: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The figure the family's summary leads with (FID-style for the image families, test
    accuracy for the semi-supervised ones, W1 for the 1-D GAN) and its per-seed entry."""
    key = summary["metric"]
    return key, (summary.get("metrics") or {}).get(key, summary)


def run_state(steps: dict[str, int], schedule: int | None, planned: tuple[int, ...] | None) -> str:
    """How far a family's runs are: its unfinished seeds where they stand, and the planned
    seeds with nothing in results/ yet ("pending"); "finished" when neither is left."""
    short = {s: n for s, n in steps.items() if schedule and n < schedule}
    pending = [str(s) for s in planned or () if str(s) not in steps]
    parts = []
    if short:
        parts.append(
            "not finished: "
            + ", ".join(f"seed {s} at {n:,} of {schedule:,}" for s, n in short.items())
        )
    if pending:
        parts.append(f"{seed_list(pending)} pending (of {len(planned or ())} planned)")
    return "; ".join(parts) or "finished"


def leaderboard(
    results: Path, markdown_table, planned: dict[str, tuple[int, ...]] | None = None
) -> str | None:
    """Every family's paper-profile headline over its seeds, n beside it, unfinished and
    pending runs marked (`planned`: each family's seeds in the paper graph's spec), and
    the machines that trained them: the image families ranked by FID-style."""
    summaries = found(results)
    if not summaries:
        return None
    rows = []
    for gan, summary in summaries.items():
        key, entry = headline(summary)
        entry = counted(entry, finished_seeds(summary, results / f"{gan}-paper"))
        derived = interval_of(key, entry, summary.get("confidence", 0.95))
        steps = steps_reached(summary, results / f"{gan}-paper")
        state = run_state(steps, summary.get("schedule_steps"), (planned or {}).get(gan))
        ci = (
            f"[{fmt(derived['ci_low'])}, {fmt(derived['ci_high'])}]"
            if derived["ci_low"] is not None
            else NO_INTERVAL
        )
        provenance = summary.get("provenance") or {}
        rows.append(
            (
                (0 if key == "fid" else 1, derived["mean"] if key == "fid" else 0),
                [
                    f"{registry.family(gan).label} (`{gan}`)",
                    dict(FIGURES).get(key, key),
                    fmt(derived["mean"]),
                    ci,
                    f"{derived['n']} ({', '.join(entry['per_seed'])})",
                    state,
                    trained_on(provenance) or UNKNOWN_MACHINE,
                ],
            )
        )
    outside = outside_entries(results, markdown_table)
    header = ["family", "headline figure", "mean", "95 % interval", "n (seeds)", "runs"]
    header.append("trained on")
    table = markdown_table(header, [row for _, row in sorted(rows, key=lambda r: r[0])])
    return (
        "## Leaderboard (paper profile, `results/`)\n\n"
        "Each family on its seed's full schedule, over its finished training seeds: the "
        "mean, its 95 % interval and n (a family with none finished yet shows its "
        "unfinished seed where it stands). A single run says so and has no interval. Image "
        "families ranked by FID-style (lower is better); differences between them are "
        "supported only where their intervals are read with n in mind (n = 1 supports "
        "none).\n\n" + table + (f"\n\n{outside}" if outside else "")
    )


def outside_entries(results: Path, markdown_table) -> str | None:
    """Generators scored from outside with `ganbench score --submit NAME`
    (results/external/NAME/score.json), marked as such, with what makes them checkable."""
    entries = [
        json.loads(path.read_text()) for path in sorted((results / "external").glob("*/score.json"))
    ]
    if not entries:
        return None
    rows = []
    for e in sorted(entries, key=lambda e: e["fid"]):
        infinity = e["fid_infinity"]
        spread = e.get("sample_draws", {}).get("figures", {}).get("fid")
        draws = (
            f"{fmt(spread['mean'])} ± {fmt(spread['sd'])} over {len(e['sample_draws']['seeds'])}"
            if spread
            else "1 draw"
        )
        rows.append(
            [
                f"{e['name']} (outside entry)",
                f"{e['samples']:,}",
                fmt(e["fid"]),
                f"{fmt(infinity['fid_infinity'])} ± {fmt(infinity['fid_infinity_sd'])}",
                draws,
                fmt(e["kid"]),
                fmt(e["precision"]),
                fmt(e["recall"]),
                fmt(e["classifier_score"]),
                f"`{e['reference_weights_hash'][:12]}`",
                f"`{e['input_sha256'][:12]}` ({e['input']})",
                e["date"][:10],
            ]
        )
    header = ["entry", "N", "FID-style ↓", "FID∞ ↓ (± SD)", "FID-style over sample draws"]
    header += ["KID ↓", "precision ↑", "recall ↑", "classifier score ↑", "reference"]
    header += ["scored file (SHA-256)", "date"]
    return (
        "**Outside entries** (`ganbench score ... --submit NAME`, `results/external/`): "
        "generators scored on the same yardstick but not trained by this benchmark. "
        "FID-style compares with the families' only at the same N (10,000 for the paper "
        "profile) and the same reference hash; FID∞ compares across N.\n\n"
        + markdown_table(header, rows)
    )


def seed_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Each exported seed's record (seed-<s>.json: its train and evaluation metrics)."""
    return {
        path.stem.removeprefix("seed-"): json.loads(path.read_text())
        for path in sorted(folder.glob("seed-*.json"))
    }


def shape_text(folder: Path) -> str | None:
    """Whether the 1-D GAN's samples have the target's shape, per seed, from the KS test
    (moments can match while the shape does not), in words generated from the numbers."""
    tests = {
        seed: (record["evaluation"]["ks"], record["evaluation"]["ks_pvalue"])
        for seed, record in seed_records(folder).items()
        if "ks_pvalue" in record.get("evaluation", {})
    }
    if not tests:
        return None
    listed = "; ".join(
        f"seed {s}: D {fmt(d)}, p {'< 1e-300' if p == 0 else f'{p:.2g}'}"
        for s, (d, p) in tests.items()
    )
    differ = [s for s, (_, p) in tests.items() if p < SHAPE_P]
    if len(differ) == len(tests):
        verdict = (
            f"the shape differs from the target's in every seed (p < {SHAPE_P}), whatever "
            "the mean and SD say"
        )
    elif differ:
        verdict = f"the shape differs from the target's in seeds {differ} (p < {SHAPE_P})"
    else:
        verdict = f"no seed's shape differs detectably from the target's (p ≥ {SHAPE_P})"
    return (
        f"Kolmogorov-Smirnov test of each seed's samples against the target ({listed}): {verdict}."
    )


def class_share_table(results: Path) -> dict[str, dict[str, list[float]]]:
    """Per image family (its label), each seed's class shares, from its exported seeds."""
    table = {}
    for gan in found(results):
        per_seed = {
            seed: record["evaluation"]["class_shares"]
            for seed, record in seed_records(results / f"{gan}-paper").items()
            if "class_shares" in record.get("evaluation", {})
        }
        if per_seed:
            table[registry.family(gan).label] = per_seed
    return table


COMPARED = ("fid", "kid", "classifier_score", "class_entropy")
MIN_SEEDS = 3  # a family is compared once it has this many training seeds


def family_comparisons(results: Path, markdown_table) -> str:
    """Each pair of image families with n >= 3 finished seeds each: for FID-style, KID,
    classifier score and class entropy, the difference of means with its Welch interval, and which
    differences the data support (the interval excludes 0)."""
    seeds = {
        gan: {
            key: counted(entry, finished_seeds(summary, results / f"{gan}-paper"))
            for key, entry in summary["metrics"].items()
        }
        for gan, summary in found(results).items()
        if registry.family(gan).images and "fid" in summary.get("metrics", {})
    }
    counts = ", ".join(
        f"{registry.family(g).label} {len(m['fid']['per_seed'])}" for g, m in seeds.items()
    )
    ready = [g for g, m in seeds.items() if len(m["fid"]["per_seed"]) >= MIN_SEEDS]
    head = "### Between families\n\n"
    if len(ready) < 2:
        return head + (
            f"No pair of image families has n ≥ {MIN_SEEDS} training seeds each yet "
            f"(seeds: {counts}), so no difference between families is reported: a single "
            "GAN run is one draw of its training, not the family's figure."
        )
    rows, supported = [], []
    for i, first in enumerate(ready):
        for second in ready[i + 1 :]:
            for key in COMPARED:
                if key not in seeds[first] or key not in seeds[second]:
                    continue
                d = aggregate.welch_difference(
                    list(seeds[first][key]["per_seed"].values()),
                    list(seeds[second][key]["per_seed"].values()),
                )
                pair = f"{registry.family(first).label} − {registry.family(second).label}"
                ci = "n/a" if d["ci_low"] is None else f"[{fmt(d['ci_low'])}, {fmt(d['ci_high'])}]"
                excludes = d["ci_low"] is not None and (d["ci_low"] > 0 or d["ci_high"] < 0)
                if excludes:
                    supported.append(f"{dict(FIGURES)[key]} of {pair}")
                p_text = "n/a" if d["p_value"] is None else f"{d['p_value']:.2g}"
                rows.append(
                    [dict(FIGURES)[key], pair, fmt(d["mean_difference"]), ci, p_text,
                     f"{d['n_first']} / {d['n_second']}", "yes" if excludes else "no"]
                )  # fmt: skip
    verdict = (
        "The data support these differences (95 % interval excludes 0): "
        + "; ".join(supported)
        + "."
        if supported
        else "None of these differences is supported by the data (every interval holds 0)."
    )
    header = ["figure", "pair (first − second)", "difference", "95 % interval (Welch)", "p"]
    header += ["n", "supported"]
    return (
        head
        + f"Training seeds: {counts}. Pairs with n ≥ {MIN_SEEDS} each; {aggregate.WELCH_TEST}."
        + "\n\n"
        + markdown_table(header, rows)
        + "\n\n"
        + verdict
    )


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def seed_list(seeds: list[str]) -> str:
    """The seeds named, in the number they need: "seed 2", "seeds 1, 2"."""
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(seeds)


def spread_rows(gan: str, summary: dict[str, Any], results: Path) -> list[list[str]]:
    """One image family's rows of the spread table: per compared figure, the SD over sample
    draws of one generator (mean over the generators scored on several draws) beside the SD
    over its finished training seeds, and which of the two is larger."""
    folder = results / f"{gan}-paper"
    finished = finished_seeds(summary, folder)
    records = {s: r for s, r in seed_records(folder).items() if s in finished}
    drawn = {
        s: r["evaluation"]["sample_draws"]
        for s, r in records.items()
        if "sample_draws" in r.get("evaluation", {})
    }
    rows = []
    for key in COMPARED:
        values = [r["evaluation"][key] for r in records.values() if key in r.get("evaluation", {})]
        sampling = [d["figures"][key]["sd"] for d in drawn.values() if key in d["figures"]]
        training = float(np.std(values, ddof=1)) if len(values) >= 2 else None
        resampling = float(np.mean(sampling)) if sampling else None
        if training is None or resampling is None:
            larger = "n/a"
        else:
            larger = "training seeds" if training > resampling else "sample draws"
            larger += f" ({fmt(max(training, resampling) / min(training, resampling))}×)"
        rows.append(
            [registry.family(gan).label, dict(FIGURES)[key],
             f"{fmt(resampling)} ({plural(len(sampling), 'generator')})" if sampling
             else "n/a (none drawn)",
             f"{fmt(training)} ({len(values)} seeds)" if training is not None
             else f"n/a ({plural(len(values), 'seed')})",
             larger]
        )  # fmt: skip
    return rows


def spread_table(results: Path, markdown_table) -> str | None:
    """Resampling noise against training noise, per image family: how far redrawing one
    generator's samples moves a figure, and how far retraining (another seed) moves it."""
    summaries = {
        g: s for g, s in found(results).items() if registry.family(g).images and "metrics" in s
    }
    if not summaries:
        return None
    rows = [row for gan, summary in summaries.items() for row in spread_rows(gan, summary, results)]
    header = ["family", "figure", "SD over sample draws", "SD over training seeds", "larger"]
    return (
        "### Two kinds of spread\n\n"
        "For each finished seed scored on several sample draws (noise seeds of "
        "`evaluate.sample_seeds`, 5 for the long runs), the SD of a figure over the draws, "
        "averaged over those generators, beside the SD of the figure over the family's "
        "finished training seeds (each on its headline draw). Seeds exported before the draws "
        "were added have none (their generators were not kept).\n\n" + markdown_table(header, rows)
    )


def fid_infinity_text(records: dict[str, dict[str, Any]], finished: set[str]) -> str:
    """Each seed's FID∞ (comparable across sample sizes, unlike FID-style at N), and which
    seeds lack it: those scored before FID∞ existed, whose generators were not kept.
    `records`: the seeds' records (seed_records); `finished`: those that reached the end."""
    have, lack = [], []
    for seed, record in records.items():
        infinity = record.get("evaluation", {}).get("fid_infinity")
        if infinity is None:
            lack.append(seed)
            continue
        mark = "" if seed in finished else " (unfinished)"
        have.append(
            f"seed {seed}: {fmt(infinity['fid_infinity'])} ± {fmt(infinity['fid_infinity_sd'])}"
            + mark
        )
    text = "FID∞ (FID-style at N → ∞, ± SD over subset draws): " + ("; ".join(have) or "none")
    if lack:
        many = len(lack) > 1
        text += (
            f". {seed_list(lack).capitalize()} {'lack' if many else 'lacks'} it: "
            f"scored before FID∞ was added, {'their generators' if many else 'its generator'} "
            "not kept to score again"
        )
    return text + "."


def paper_samples(results: Path) -> int:
    """The samples each paper seed was scored on, as its evaluation records them."""
    for gan in found(results):
        for record in seed_records(results / f"{gan}-paper").values():
            if "samples" in record.get("evaluation", {}):
                return int(record["evaluation"]["samples"])
    return 0


def mode_coverage(results: Path, figures: Path) -> str | None:
    """Every image family's class shares over its seeds in one figure against the uniform
    share, and the classes a family makes under half that share named."""
    table = class_share_table(results)
    if not table:
        return None
    name = "paper-class-shares.png"
    samples = paper_samples(results)
    plots.class_shares(table, samples, figures / name, "Class shares of the paper runs")
    lines = []
    for family, per_seed in table.items():
        values = np.asarray(list(per_seed.values()))
        half = 0.5 / values.shape[1]
        low = [c for c in range(values.shape[1]) if values[:, c].mean() < half]
        if not low:
            seeds = f"{len(values)} seed{'s' if len(values) > 1 else ''}"
            lines.append(f"- {family}: no class under half its share ({seeds}).")
            continue
        named = ", ".join(
            f"{c}s at {100 * values[:, c].min():.1f}–{100 * values[:, c].max():.1f} %"
            if len(values) > 1
            else f"{c}s at {100 * values[0, c]:.1f} %"
            for c in low
        )
        every = sum(all(values[s, c] < half for c in low) for s in range(len(values)))
        lines.append(
            f"- {family}: makes {named} of its samples (uniform: {100 / values.shape[1]:.0f} %;"
            f" all of them under {100 * half:.0f} % in {every} of {len(values)} seeds)."
        )
    return (
        "### Mode coverage\n\n"
        "The share of each family's samples the reference network puts in each class, every "
        "seed of its paper runs (for ACGAN, whose generator is asked for each class in turn, "
        "the share it is judged to have made):\n\n"
        + "\n".join(lines)
        + f"\n\n![{name}](figures/{name})"
    )


def steps_reached(summary: dict[str, Any], folder: Path) -> dict[str, int]:
    """Each seed's steps: the summary's, or for an older summary its seeds' own files."""
    if "steps" in summary:
        return summary["steps"]
    reached = {}
    for seed in summary.get("per_seed", {}):
        path = folder / f"seed-{seed}.json"
        if path.is_file():
            reached[seed] = int(json.loads(path.read_text())["steps"])
    return reached


def loss_histories(folder: Path) -> dict[str, list[dict[str, float]]]:
    """Each exported seed's losses during training (seed-<s>-losses.csv), by seed."""
    histories = {}
    for path in sorted(folder.glob("seed-*-losses.csv")):
        with open(path, newline="") as handle:
            rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
        if rows:
            histories[path.name.removeprefix("seed-").removesuffix("-losses.csv")] = rows
    return histories


def curves(folder: Path) -> dict[str, list[dict[str, float]]]:
    out = {}
    for path in sorted(folder.glob("seed-*-progress.csv")):
        with open(path, newline="") as handle:
            rows = [{k: float(v) for k, v in row.items() if v} for row in csv.DictReader(handle)]
        out[path.name.split("-progress")[0]] = rows
    return out


def section(
    results: Path, figures: Path, markdown_table, progress_samples: int | None = None
) -> str | None:
    """The paper-profile results of every family that has them, or None; the curves were
    scored on `progress_samples` images at each point."""
    summaries = found(results)
    if not summaries:
        return None
    parts = [
        "## Paper profile: the seeds' full schedules",
        "Each family trained on its seed's schedule (`profiles/paper.yaml`) and scored as "
        "`evaluate@<gan>` scores it, on 10,000 samples under the same pinned reference "
        "network; the mean over the finished seeds with its 95 % interval where there are "
        "several "
        f"({interval_methods(results, summaries)}), derived here from the per-seed values; "
        f"'{NO_INTERVAL}' where there is one. Regenerate with `make paper-run` "
        "([docs/long-runs.md](../docs/long-runs.md)).",
    ]
    for gan, summary in summaries.items():
        family = registry.family(gan)
        folder = results / f"{gan}-paper"
        steps = steps_reached(summary, folder)
        schedule = summary.get("schedule_steps")
        of = f" of {schedule:,}" if schedule else ""
        reached = ", ".join(f"seed {s}: {n:,}{of}" for s, n in steps.items())
        unfinished = any(n < schedule for n in steps.values()) if schedule else False
        note = " — **not finished**: the figures are at the step reached" if unfinished else ""
        provenance = summary.get("provenance")
        if provenance:
            exported_on = provenance.get("exported_on", {})
            hours = provenance.get("wall_seconds", 0) / 3600
            trained = trained_on(provenance)
            where = (
                f"Training and evaluation {hours:.1f} h in all"
                + (f"; trained on {trained}" if trained else "")
                + f"; evaluated on {exported_on.get('cpu_model', '?')} "
                f"({exported_on.get('cpu_kind', '?')}), exported at "
                f"commit `{str(provenance.get('exported_with_commit', '?'))[:12]}`."
            )
        else:
            where = (
                "Machine and commit were not recorded in this summary (it predates them), "
                f"and the commits that added it do not name the machine: {UNKNOWN_MACHINE}."
            )
        head = (
            f"### {family.label} (`{gan}`, {family.source})\n\n"
            f"Steps: {reached or 'not recorded'}{note}. {where}"
        )
        parts.append(head)
        finished = finished_seeds(summary, folder)
        records = seed_records(folder)
        parts.append(
            markdown_table(
                ["figure", "mean", "95 % CI", "per seed"], figure_rows(summary, finished)
            )
        )
        if family.images:
            parts.append(fid_infinity_text(records, finished))
        shape = None if family.images else shape_text(folder)
        if shape:
            parts.append(shape)
        links = []
        histograms = {
            s: r["evaluation"]["histogram"]
            for s, r in records.items()
            if "histogram" in r.get("evaluation", {})
        }
        if histograms:
            name = f"{gan}-paper-histograms.png"
            evaluation = next(iter(records.values()))["evaluation"]
            plots.seed_histograms(
                histograms,
                (evaluation["target_mean"], evaluation["target_std"]),
                figures / name,
                f"{gan}: every seed's samples against the target density",
            )
            links.append(name)
        seed_curves = curves(folder)
        if seed_curves and any("fid" in r for rows in seed_curves.values() for r in rows):
            name = f"{gan}-paper-fid.png"
            plots.progress_curves(
                seed_curves,
                "fid",
                figures / name,
                f"{gan}: FID-style during training",
                schedule,
                progress_samples,
                family.step_unit,
            )
            links.append(name)
        seed_losses = loss_histories(folder)
        if seed_losses:
            name = f"{gan}-paper-losses.png"
            plots.seed_loss_curves(
                seed_losses, figures / name, f"{gan}: training losses", family.step_unit
            )
            links.append(name)
        for grid in sorted(folder.glob("seed-*-samples.png")):  # every seed's final grid
            name = f"{gan}-paper-{grid.name}"
            shutil.copyfile(grid, figures / name)
            links.append(name)
        if links:
            parts.append(" ".join(f"![{n}](figures/{n})" for n in links))
    coverage = mode_coverage(results, figures)
    if coverage:
        parts.append(coverage)
    spread = spread_table(results, markdown_table)
    if spread:
        parts.append(spread)
    parts.append(family_comparisons(results, markdown_table))
    return "\n\n".join(parts)


def study(results: Path, figures: Path) -> tuple[dict[str, Any], str] | None:
    """The paper-profile label study (results/study-paper/, summarised as
    metrics/study.json is, with its provenance), its figure copied; None before it runs."""
    folder = results / "study-paper"
    path = folder / "summary.json"
    if not path.is_file():
        return None
    name = "study-paper.png"
    shutil.copyfile(folder / "study.png", figures / name)
    return json.loads(path.read_text()), name
