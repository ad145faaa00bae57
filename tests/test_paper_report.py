"""The report's paper-profile sections, from results/<gan>-paper/ as `ganbench repeats`
writes it today and as its first SGAN-FM runs wrote it (the headline metric only)."""

from __future__ import annotations

import json

import numpy as np

from ganbench.reporting import paper_results
from ganbench.stages import report
from ganbench.stages.report import markdown_table
from ganbench.study import aggregate


def entry(per_seed: dict[str, float], low: float | None, high: float | None) -> dict:
    mean = sum(per_seed.values()) / len(per_seed)
    return {"mean": mean, "ci_low": low, "ci_high": high, "per_seed": per_seed}


def write(folder, name: str, payload: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(payload))


def test_an_evaluated_unfinished_run_shows_its_figures_steps_and_provenance(tmp_path):
    results, figures = tmp_path / "results", tmp_path / "figures"
    figures.mkdir()
    write(
        results / "wgan-paper",
        "summary.json",
        {
            "gan": "wgan", "metric": "fid", "steps": {"0": 2000}, "schedule_steps": 40000,
            "metrics": {"fid": entry({"0": 252.4}, None, None)},
            "provenance": {
                "wall_seconds": 7200, "exported_with_commit": "c715b8b0123456789",
                "exported_on": {"cpu_model": "Some CPU", "cpu_kind": "avx2"},
            },
        },
    )  # fmt: skip
    text = paper_results.section(results, figures, markdown_table)
    assert "seed 0: 2,000 of 40,000 — **not finished**" in text
    assert "| FID-style ↓ | 252.4 | 1 seed, no interval | 0: 252.4 (unfinished) |" in text
    assert "2.0 h in all; evaluated on Some CPU (avx2), exported at commit `c715b8b01234`" in text


def test_a_run_resumed_on_other_machines_names_each_with_its_hours_and_steps(tmp_path):
    results, figures = tmp_path / "results", tmp_path / "figures"
    figures.mkdir()
    xeon = "Intel Xeon, 2 cores, avx2 fma avx512f amx_tile (avx512-bf16)"
    epyc = "AMD EPYC, 2 cores, avx2 fma (avx2)"
    segments = [
        {"from_step": 0, "to_step": 5, "seconds": 1800, "machine": xeon},
        {"from_step": 5, "to_step": 520, "seconds": 5400, "machine": xeon},
        {"from_step": 520, "to_step": 520, "seconds": 0, "machine": epyc},  # resumed, no step
        {"from_step": 520, "to_step": 1000, "seconds": 7200, "machine": epyc},
    ]
    write(
        results / "dcgan-paper",
        "summary.json",
        {
            "gan": "dcgan", "metric": "fid", "steps": {"0": 1000}, "schedule_steps": 1000,
            "metrics": {"fid": entry({"0": 14.8}, None, None)},
            "provenance": {
                "wall_seconds": 14400, "exported_with_commit": "c715b8b0123456789",
                "exported_on": {"cpu_model": "AMD EPYC", "cpu_kind": "avx2"},
                "seeds": {"0": {"segments": segments}},
            },
        },
    )  # fmt: skip
    text = paper_results.section(results, figures, markdown_table)
    assert (
        "4.0 h in all; trained on Intel Xeon (avx512-bf16) 2.0 h, steps 0–520; "
        "AMD EPYC (avx2) 2.0 h, steps 520–1,000; evaluated on AMD EPYC (avx2)"
    ) in text


def test_a_summary_of_training_alone_shows_its_headline_metric_and_seeds_steps(tmp_path):
    results, figures = tmp_path / "results", tmp_path / "figures"
    figures.mkdir()
    folder = results / "sgan_fm-paper"
    summary = {"gan": "sgan_fm", "metric": "test_accuracy", "n": 2}
    summary |= entry({"0": 0.9918, "1": 0.99}, 0.98, 0.999)
    write(folder, "summary.json", summary)
    for seed in ("0", "1"):
        write(folder, f"seed-{seed}.json", {"steps": 180000, "test_accuracy": 0.99})
    text = paper_results.section(results, figures, markdown_table)
    # the interval is derived from the per-seed values inside [0, 1], not copied
    derived = aggregate.summarise([0.9918, 0.99], 0.95, (0.0, 1.0))
    assert derived["ci_low"] > 0 and derived["ci_high"] < 1
    shown = f"[{derived['ci_low']:.4f}, {derived['ci_high']:.4f}]"
    assert f"| test accuracy ↑ | 0.9909 | {shown} | 0: 0.9918, 1: 0.9900 |" in text
    assert "*t-logit*: Student-t interval on the logit scale" in text
    assert "Steps: seed 0: 180,000, seed 1: 180,000." in text
    assert "not recorded in this summary" in text and "not finished" not in text


def test_a_study_trained_on_several_machines_names_each_with_its_cell_count():
    study = {
        "seeds": [0, 1],
        "cells_finished": 3,
        "cells_expected": 4,
        "complete": False,
        "provenance": {
            "machine": {"cpu_model": "CPU Y", "cores": 2, "cpu_kind": "avx512-bf16"},
            "cell_machines": {"CPU X, 2 cores, avx2 (avx2)": 2, "not recorded": 1},
        },
    }
    text = report.study_provenance(study)
    assert "cells trained on CPU X, 2 cores, avx2 (avx2): 2, unknown: 1" in text
    assert "CPU Y" not in text  # the machine that only summarised trained none of them
    assert "**not finished**: 3 of 4 cells" in text


def test_the_leaderboard_ranks_image_families_and_says_n_and_unfinished(tmp_path):
    results = tmp_path / "results"
    for gan, per_seed, steps in (
        ("wgan", {"0": 17.4}, {"0": 18250}),
        ("dcgan", {"0": 14.8, "1": 16.0, "2": 15.1}, {"0": 1000, "1": 1000, "2": 1000}),
    ):
        schedule = 40000 if gan == "wgan" else 1000
        write(
            results / f"{gan}-paper",
            "summary.json",
            {
                "gan": gan, "metric": "fid", "steps": steps, "schedule_steps": schedule,
                "metrics": {"fid": entry(per_seed, None, None)},
            },
        )  # fmt: skip
    board = paper_results.leaderboard(results, markdown_table)
    dcgan_row = next(line for line in board.splitlines() if "`dcgan`" in line)
    wgan_row = next(line for line in board.splitlines() if "`wgan`" in line)
    assert board.index(dcgan_row) < board.index(wgan_row)  # lower FID-style first
    assert "| 3 (0, 1, 2) | finished |" in dcgan_row
    assert (
        "| 17.4000 | 1 seed, no interval | 1 (0) | not finished: seed 0 at 18,250 of 40,000 |"
        in (wgan_row)
    )
    assert paper_results.leaderboard(tmp_path / "none", markdown_table) is None
    # a finished seed beside one mid-training: the mean is the finished one's, not a blend
    write(
        results / "acgan-paper",
        "summary.json",
        {
            "gan": "acgan", "metric": "fid", "steps": {"0": 20000, "1": 8000},
            "schedule_steps": 20000,
            "metrics": {"fid": entry({"0": 22.7, "1": 342.7}, None, None)},
        },
    )  # fmt: skip
    board = paper_results.leaderboard(results, markdown_table)
    acgan_row = next(line for line in board.splitlines() if "`acgan`" in line)
    assert (
        "| 22.7000 | 1 seed, no interval | 1 (0) | not finished: seed 1 at 8,000 of 20,000 |"
        in (acgan_row)
    )


def test_the_1d_shape_verdict_and_the_missing_classes_are_generated_from_the_numbers(tmp_path):
    results, figures = tmp_path / "results", tmp_path / "figures"
    figures.mkdir()
    folder = results / "gan1d-paper"
    write(folder, "summary.json", {"gan": "gan1d", "metric": "w1", "per_seed": {"0": 0.3}})
    write(folder, "seed-0.json", {"evaluation": {"ks": 0.17, "ks_pvalue": 0.0}})
    write(folder, "seed-1.json", {"evaluation": {"ks": 0.01, "ks_pvalue": 0.4}})
    text = paper_results.shape_text(folder)
    assert "seed 0: D 0.1700, p < 1e-300; seed 1: D 0.0100, p 0.4" in text
    assert text.endswith("the shape differs from the target's in seeds ['0'] (p < 0.05).")
    write(folder, "seed-0.json", {"evaluation": {"ks": 0.01, "ks_pvalue": 0.3}})
    assert "no seed's shape differs detectably" in paper_results.shape_text(folder)

    shares = {"0": [0.02] + [0.98 / 9] * 9, "1": [0.03] + [0.97 / 9] * 9}
    for seed, values in shares.items():
        write(
            results / "sgan-paper",
            f"seed-{seed}.json",
            {"evaluation": {"class_shares": values, "samples": 100}},
        )
    write(results / "sgan-paper", "summary.json", {"gan": "sgan", "metric": "test_accuracy"})
    coverage = paper_results.mode_coverage(results, figures)
    assert "- SGAN (seed): makes 0s at 2.0–3.0 % of its samples" in coverage
    assert "under 5 % in 2 of 2 seeds" in coverage
    assert (figures / "paper-class-shares.png").stat().st_size > 0


def test_families_are_compared_pairwise_once_each_has_three_seeds(tmp_path):
    results = tmp_path / "results"

    def family(gan: str, fid: dict[str, float]) -> None:
        write(
            results / f"{gan}-paper",
            "summary.json",
            {"gan": gan, "metric": "fid", "metrics": {"fid": entry(fid, None, None)}},
        )

    family("dcgan", {"0": 14.8, "1": 15.2, "2": 15.0})
    family("wgan", {"0": 17.4})
    text = paper_results.family_comparisons(results, markdown_table)
    assert "No pair of image families has n ≥ 3 training seeds each yet" in text
    assert "DCGAN 3, WGAN, weight clipping 1" in text
    family("wgan", {"0": 17.4, "1": 21.0, "2": 19.2})
    family("acgan", {"0": 15.1, "1": 14.2, "2": 16.3})
    text = paper_results.family_comparisons(results, markdown_table)
    d = aggregate.welch_difference([14.8, 15.2, 15.0], [17.4, 21.0, 19.2])
    assert f"| FID-style ↓ | DCGAN − WGAN, weight clipping | {d['mean_difference']:.4f} |" in text
    supported = text.split("\n")[-1]
    assert supported.startswith("The data support these differences")
    assert "FID-style ↓ of DCGAN − ACGAN" not in supported  # that interval holds 0


def test_resampling_noise_is_set_beside_the_spread_over_training_seeds(tmp_path):
    results = tmp_path / "results"
    folder = results / "acgan-paper"
    fids = {"0": 22.7, "1": 25.1, "2": 30.2}
    write(
        folder,
        "summary.json",
        {
            "gan": "acgan",
            "metric": "fid",
            "per_seed": fids,
            "steps": dict.fromkeys(fids, 20000),
            "schedule_steps": 20000,
            "metrics": {"fid": entry(fids, None, None)},
        },
    )
    for seed, fid in fids.items():
        evaluation = {"fid": fid}
        if seed != "0":  # seed 0 was exported before the draws existed
            draws = [fid, fid + 0.3, fid - 0.2, fid + 0.1, fid - 0.4]
            sd = float(np.std(draws, ddof=1))
            evaluation["sample_draws"] = {"figures": {"fid": {"per_draw": draws, "sd": sd}}}
        write(folder, f"seed-{seed}.json", {"evaluation": evaluation})
    text = paper_results.spread_table(results, markdown_table)
    resampling = np.std([0.0, 0.3, -0.2, 0.1, -0.4], ddof=1)  # the same for both generators
    training = np.std(list(fids.values()), ddof=1)
    row = (
        f"| ACGAN | FID-style ↓ | {resampling:.4f} (2 generators) | {training:.4f} (3 seeds) "
        f"| training seeds ({training / resampling:.4f}×) |"
    )
    assert row in text
    assert "| ACGAN | KID ↓ | n/a (none drawn) | n/a (0 seeds) | n/a |" in text


def test_every_seeds_histogram_and_losses_are_drawn_for_the_paper_runs(tmp_path):
    from ganbench.stages import evaluate as evaluate_stage

    results, figures = tmp_path / "results", tmp_path / "figures"
    figures.mkdir()
    folder = results / "gan1d-paper"
    rng = np.random.default_rng(0)
    per_seed = {"0": 0.35, "1": 0.43}
    write(
        folder,
        "summary.json",
        {
            "gan": "gan1d", "metric": "w1", "per_seed": per_seed, "steps": {"0": 40, "1": 40},
            "schedule_steps": 40, "metrics": {"w1": entry(per_seed, 0.1, 0.7)},
        },
    )  # fmt: skip
    for seed in per_seed:
        sample = rng.normal(4.0, 1.25, 2_000)
        evaluation = {
            "w1": per_seed[seed], "ks": 0.1, "ks_pvalue": 0.2, "target_mean": 4.0,
            "target_std": 1.25, "histogram": evaluate_stage.density_histogram(sample, 4.0, 1.25),
        }  # fmt: skip
        write(folder, f"seed-{seed}.json", {"evaluation": evaluation})
        (folder / f"seed-{seed}-losses.csv").write_text("step,d,g\n0,0.7,0.7\n20,0.69,0.71\n")
    text = paper_results.section(results, figures, markdown_table)
    for name in ("gan1d-paper-histograms.png", "gan1d-paper-losses.png"):
        assert f"(figures/{name})" in text and (figures / name).stat().st_size > 10_000


def test_each_seeds_fid_infinity_is_shown_and_the_seeds_without_it_are_named(tmp_path):
    folder = tmp_path / "results" / "wgan-paper"
    summary = {"gan": "wgan", "steps": {"0": 40000, "1": 40000, "2": 9000}, "schedule_steps": 40000}
    write(folder, "summary.json", summary)
    write(folder, "seed-0.json", {"evaluation": {"fid": 12.0}})
    for seed, value in (("1", 10.5), ("2", 30.25)):
        infinity = {"fid_infinity": value, "fid_infinity_sd": 0.5}
        write(folder, f"seed-{seed}.json", {"evaluation": {"fid_infinity": infinity}})
    text = paper_results.fid_infinity_text(
        paper_results.seed_records(folder), paper_results.finished_seeds(summary, folder)
    )
    assert "seed 1: 10.5000 ± 0.5000; seed 2: 30.2500 ± 0.5000 (unfinished)" in text
    assert "Seed 0 lacks it: scored before FID∞ was added, its generator not kept" in text


def test_the_leaderboard_names_the_planned_seeds_not_yet_in_results(tmp_path):
    results = tmp_path / "results"
    fids = {"0": 22.7, "1": 45.1}
    write(
        results / "acgan-paper",
        "summary.json",
        {
            "gan": "acgan", "metric": "fid", "steps": dict.fromkeys(fids, 20000),
            "schedule_steps": 20000, "metrics": {"fid": entry(fids, None, None)},
        },
    )  # fmt: skip
    board = paper_results.leaderboard(results, markdown_table, {"acgan": (0, 1, 2)})
    assert "| 2 (0, 1) | seed 2 pending (of 3 planned) |" in board
    board = paper_results.leaderboard(results, markdown_table, {"acgan": (0, 1)})
    assert "| 2 (0, 1) | finished |" in board
    assert paper_results.run_state({"0": 9000}, 40000, (0, 1, 2)) == (
        "not finished: seed 0 at 9,000 of 40,000; seeds 1, 2 pending (of 3 planned)"
    )
