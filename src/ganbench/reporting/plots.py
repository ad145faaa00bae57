"""Figures of the report: the label-study curves, training curves and class shares
(sample grids and histograms are in ganbench.plumbing.pictures)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ganbench.plumbing.pictures import save_figure


def study_figure(
    table: dict,
    labels: dict[str, str],
    ceiling: float | None,
    confidence: float,
    path: Path,
    title: str,
    reference_method: str = "supervised",
    published: list[dict] | None = None,
) -> None:
    """Two panels over label count (log x): each method's mean test accuracy with its
    confidence band (and published points as hollow markers); each method's paired
    difference from the reference method, mean and interval per count, against zero. A
    method missing at some counts is drawn where it has cells."""
    counts = sorted(int(c) for c in table)
    entries = {c: table[str(c)] for c in counts}
    methods = list(dict.fromkeys(m for e in entries.values() for m in e["methods"]))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 8.5), sharex=True)
    colours = {m: f"C{i}" for i, m in enumerate(methods)}
    for method in methods:
        at = [c for c in counts if method in entries[c]["methods"]]
        rows = [entries[c]["methods"][method] for c in at]
        colour = colours[method]
        top.plot(at, [r["mean"] for r in rows], marker="o", color=colour, label=labels[method])
        # An accuracy lies in [0, 1]; a t interval from few seeds can reach past either end.
        if all(r["ci_low"] is not None for r in rows):
            low = np.clip([r["ci_low"] for r in rows], 0.0, 1.0)
            high = np.clip([r["ci_high"] for r in rows], 0.0, 1.0)
            top.fill_between(at, low, high, color=colour, alpha=0.15)
        else:  # an unfinished study: bars where a count has seeds enough for an interval
            with_ci = [(c, r) for c, r in zip(at, rows, strict=True) if r["ci_low"] is not None]
            for count, row in with_ci:
                low, high = np.clip([row["ci_low"], row["ci_high"]], 0.0, 1.0)
                top.vlines(count, low, high, color=colour, alpha=0.4, linewidth=4)
    for point in published or []:
        top.scatter(
            point["labels"] * 10**0.04,  # just right of the count: never on a study point
            point["accuracy"],
            facecolors="none",
            edgecolors=colours.get(point["method"], "black"),
            marker=point.get("marker", "s"),
            s=60,
            zorder=5,
            label=point.get("legend"),
        )
    if ceiling is not None:
        top.axhline(ceiling, color="gray", linestyle="--", label="supervised, all labels")
        # room above the ceiling, or the line hides under the axes' top edge
        top.set_ylim(top=max(top.get_ylim()[1], ceiling + 0.015))
    top.set_ylabel("test accuracy")
    top.set_title(f"{title}\n(bands: {confidence:.0%} confidence interval over seeds)", fontsize=10)
    top.grid(True, alpha=0.3)
    top.legend(loc="lower right", fontsize=7)
    others = [m for m in methods if m != reference_method]
    offsets = np.linspace(-0.06, 0.06, len(others)) if len(others) > 1 else [0.0]
    versus = f"vs_{reference_method}"
    for method, offset in zip(others, offsets, strict=True):
        at = [c for c in counts if method in entries[c][versus]]
        rows = [entries[c][versus][method] for c in at]
        x = np.asarray(at, np.float64) * 10**offset  # side by side on the log axis
        means = np.array([r["mean_difference"] for r in rows])
        bottom.plot(x, means, marker="o", color=colours[method], label=labels[method])
        # intervals where a count has them (every count, once the study has its seeds)
        has = np.array([r["ci_low"] is not None for r in rows], dtype=bool)
        if has.any():
            low = means[has] - np.array([r["ci_low"] for r in rows if r["ci_low"] is not None])
            high = np.array([r["ci_high"] for r in rows if r["ci_low"] is not None]) - means[has]
            bottom.errorbar(
                x[has], means[has], yerr=[low, high], fmt="none", capsize=3,
                color=colours[method],
            )  # fmt: skip
    bottom.axhline(0.0, color="black", linewidth=1)
    bottom.set_ylabel(f"accuracy − {labels[reference_method]}")
    bottom.set_title(
        f"each method minus {labels[reference_method]}, on the same subsets\n"
        f"(mean paired difference and its {confidence:.0%} interval over the seeds)",
        fontsize=9,
    )
    bottom.grid(True, alpha=0.3)
    bottom.legend(loc="best", fontsize=7)
    bottom.set_xscale("log")
    bottom.set_xticks(counts, [str(c) for c in counts])
    bottom.set_xlabel("labelled training images (log scale)")
    fig.tight_layout()
    save_figure(fig, path)


def finish_chart(
    fig: plt.Figure,
    ax: plt.Axes,
    path: Path,
    labels: tuple[str, str, str],
    *,
    title_size: int | None = None,
    legend_size: int = 7,
    legend_columns: int = 1,
) -> None:
    """The frame every single-axis chart shares: labels, title, grid, legend, and save."""
    xlabel, ylabel, title = labels
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=title_size)
    ax.grid(True, which="both" if ax.get_yscale() == "log" else "major", alpha=0.3)
    ax.legend(loc="best", fontsize=legend_size, ncol=legend_columns)
    fig.tight_layout()
    save_figure(fig, path)


def line_chart(
    lines: dict[str, tuple[list[float], list[float]]],
    path: Path,
    title: str,
    xlabel: str,
    ylabel: str,
    *,
    log_y: bool = False,
    marker: str | None = None,
) -> None:
    """Named (x, y) lines on one small chart: the training figures' common frame."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, (xs, ys) in lines.items():
        ax.plot(xs, ys, marker=marker, label=name)
    if log_y:
        ax.set_yscale("log")
    finish_chart(fig, ax, path, (xlabel, ylabel, title), legend_size=8)


def loss_curves(
    history: list[dict[str, float]], path: Path, title: str, step_unit: str = "iteration"
) -> None:
    """Every logged loss against the training step (in the family's unit: an epoch, ...)."""
    steps = [row["step"] for row in history]
    lines = {
        name: (steps, [row[name] for row in history])
        for name in (key for key in history[0] if key != "step")
    }
    line_chart(lines, path, title, f"{step_unit}s", "loss")


def seed_loss_curves(
    histories: dict[str, list[dict[str, float]]], path: Path, title: str, step_unit: str
) -> None:
    """Every seed's losses on one chart: one colour a loss, one line style a seed."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    # as many styles as the paper profile has seeds (5), so no two seeds share one
    styles = ("-", "--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
    names = list(dict.fromkeys(k for rows in histories.values() for k in rows[0] if k != "step"))
    for j, (seed, rows) in enumerate(histories.items()):
        steps = [row["step"] for row in rows]
        for i, name in enumerate(names):
            ax.plot(
                steps,
                [row.get(name, np.nan) for row in rows],
                color=f"C{i}",
                ls=styles[j % len(styles)],
                lw=1,
                label=f"{name}, seed {seed}",
            )
    finish_chart(fig, ax, path, (f"{step_unit}s", "loss", title), title_size=10, legend_columns=2)


def progress_curves(
    curves: dict[str, list[dict[str, float]]],
    metric: str,
    path: Path,
    title: str,
    schedule_end: int | None = None,
    samples: int | None = None,
    step_unit: str = "iteration",
) -> None:
    """One metric during training (e.g. FID-style) against the step, one line a seed and
    their mean where the seeds share steps; the schedule's end marked, and a curve that
    stops before it marked unfinished; a log axis with labelled ticks."""
    from matplotlib.ticker import LogLocator, ScalarFormatter

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    lines = {}
    for name, rows in curves.items():
        points = [(row["step"], row[metric]) for row in rows if metric in row]
        if points:
            xs, ys = zip(*points, strict=True)
            lines[name] = (list(xs), list(ys))
    for i, (name, (xs, ys)) in enumerate(lines.items()):
        unfinished = schedule_end is not None and xs[-1] < schedule_end
        last = f"last point at {step_unit} {int(xs[-1]):,}"
        label = f"{name} (unfinished, {last})" if unfinished else name
        ax.plot(xs, ys, marker=".", color=f"C{i}", label=label, alpha=0.8)
        if unfinished:
            ax.plot(xs[-1], ys[-1], "x", color=f"C{i}", markersize=9)
    shared = [ys for xs, ys in lines.values() if xs == next(iter(lines.values()))[0]]
    if len(lines) > 1 and len(shared) == len(lines):
        xs = next(iter(lines.values()))[0]
        ax.plot(xs, np.mean(shared, axis=0), color="black", lw=2, label="mean over seeds")
    if schedule_end is not None:
        end = f"schedule end ({schedule_end:,})"
        ax.axvline(schedule_end, color="gray", ls="--", lw=1, label=end)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(plt.NullFormatter())
    caption = title + (f"\n({samples:,} samples at each point)" if samples else "")
    finish_chart(fig, ax, path, (f"{step_unit}s", metric, caption), title_size=10)


def seed_histograms(
    histograms: dict[str, dict[str, list[float]]],
    target: tuple[float, float],
    path: Path,
    title: str,
) -> None:
    """Each seed's sample density (steps over shared bins) on one figure, with the target's
    normal density: a shape that moments hide (a spike on a plateau) shows here."""
    from scipy import stats

    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for i, (seed, hist) in enumerate(histograms.items()):
        outside = hist.get("outside_share", 0.0)
        label = f"seed {seed}" + (f" ({outside:.1%} outside)" if outside > 0.0005 else "")
        ax.stairs(hist["density"], hist["edges"], color=f"C{i}", label=label, alpha=0.8)
    mean, std = target
    first = next(iter(histograms.values()))["edges"]
    xs = np.linspace(first[0], first[-1], 400)
    ax.plot(
        xs,
        stats.norm.pdf(xs, mean, std),
        color="black",
        lw=2,
        label=f"target N({mean:g}, {std:g}²)",
    )
    finish_chart(fig, ax, path, ("value", "density", title), title_size=10)


def class_shares(
    shares: dict[str, dict[str, list[float]]], samples: int, path: Path, title: str
) -> None:
    """Each family's share of samples per class (one dot per training seed, a bar at the
    family's mean) against the uniform share, and half of it (a class under that line is
    one the generator mostly misses)."""
    classes = len(next(iter(next(iter(shares.values())).values())))
    uniform = 1.0 / classes
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(shares)
    for i, (family, per_seed) in enumerate(shares.items()):
        x = np.arange(classes) - 0.4 + width * (i + 0.5)
        values = np.asarray(list(per_seed.values()))
        colour = f"C{i}"
        for row in values:
            ax.plot(x, row, "o", color=colour, markersize=3, alpha=0.7)
        ax.hlines(values.mean(axis=0), x - width / 2, x + width / 2, colors=colour, lw=2)
        seeds = f"{len(values)} seed{'s' if len(values) > 1 else ''}"
        ax.plot([], [], "o-", color=colour, label=f"{family} ({seeds})")
    ax.axhline(uniform, color="gray", lw=1, label=f"uniform ({uniform:.0%})")
    ax.axhline(uniform / 2, color="gray", lw=1, ls="--", label=f"half of it ({uniform / 2:.0%})")
    ax.set_xticks(range(classes))
    ax.set_xlabel("class the reference network assigns")
    ax.set_ylabel("share of generated samples")
    ax.set_title(f"{title}\n({samples:,} samples per seed; dots: seeds, bars: mean)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    save_figure(fig, path)
