"""float32 (the seeds' precision) against mixed_bfloat16 (compute.precision), side by side in
one run: each image GAN's compiled steps per second in both, alternating, and what bfloat16
does to the result — FID-style after a short fixed schedule over three seeds, on the
evaluation-during-training sample, under the pinned reference network.

    python benchmarks/precision.py [--families dcgan,wgan,acgan] [--seconds 10]
        [--iterations dcgan=10,wgan=100] [--seeds 0 1 2 | --seeds] [--json FILE]

`--seeds` with no seed measures speed only. Each row also scores the untrained generator,
so a reader sees whether the short schedule left the untrained ceiling at all.

bfloat16 is fast only where the CPU has AVX-512 BF16 or AMX (oneDNN's bfloat16 kernels);
on AVX2 it is emulated. The machine is printed first and written into the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.throughput import load_data, rate  # noqa: E402
from ganbench.config import params  # noqa: E402
from ganbench.models import registry  # noqa: E402
from ganbench.plumbing import layout, machine  # noqa: E402
from ganbench.scoring import image_scores, reference  # noqa: E402
from ganbench.training import loop, runner  # noqa: E402
from ganbench.training.progress import progress_settings  # noqa: E402

PRECISIONS = ("float32", "mixed_bfloat16")
# A short fixed schedule per family: long enough to leave the untrained ceiling.
SHORT = {"dcgan": 20, "wgan": 200, "acgan": 300, "sgan": 1000, "sgan_fm": 1200}


def build(gan: str, config, data, precision: str):
    compute = params.ComputeParams(precision=precision)
    return runner.create_model(registry.family(gan), config, data, REPO / "data/prepared", compute)


def speed(gan: str, config, data, seconds: float) -> dict[str, list[float]]:
    """Iterations per second, float32 and bfloat16 alternating, twice each."""
    rates: dict[str, list[float]] = {p: [] for p in PRECISIONS}
    for precision in (*PRECISIONS, *PRECISIONS):
        step = loop.compile_step(build(gan, config, data, precision))
        rates[precision].append(rate(lambda step=step: bool(step()[1]), seconds))
    return rates


def iteration_overrides(text: str) -> dict[str, int]:
    """'dcgan=200,wgan=300' -> {'dcgan': 200, 'wgan': 300}."""
    overrides = {}
    for item in filter(None, text.split(",")):
        gan, _, count = item.partition("=")
        if gan not in SHORT or not count.isdigit() or int(count) < 0:
            raise SystemExit(
                f"--iterations: expected GAN=N with GAN in {sorted(SHORT)}, got {item!r}"
            )
        overrides[gan] = int(count)
    return overrides


def short_run_fid(
    gan: str, config, data, precision: str, seed: int, yardstick, iterations: int
) -> float:
    import dataclasses

    schedule = dataclasses.replace(
        config.schedule, seed=seed, iterations=iterations, evaluate_every=0
    )
    model = build(gan, dataclasses.replace(config, schedule=schedule), data, precision)
    step = loop.compile_step(model)
    for _ in range(schedule.iterations):
        step()
    loop.set_precision("float32")
    scored, _ = yardstick.score(model.generate(yardstick.settings.samples, 0))
    return scored["fid"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default="dcgan,wgan,acgan")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    parser.add_argument("--iterations", default="", help="GAN=N,... (default: SHORT)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    schedules = {**SHORT, **iteration_overrides(args.iterations)}
    config_all = params.load(REPO / "params.yaml")
    data = load_data(config_all.data.dataset)
    loop.configure_runtime(xla=False)
    net, _ = reference.load_pinned(REPO / layout.path("references"), config_all.data.dataset)
    settings = progress_settings(config_all.section("evaluate"))
    yardstick = image_scores.Yardstick.build(reference.ReferenceNetwork(net), data, settings)
    record = machine.describe()
    print(f"machine: {machine.one_line(record)}", flush=True)
    rows = []
    for gan in args.families.split(","):
        config = config_all.gans[gan]
        rates = speed(gan, config, data, args.seconds)
        ratio = max(rates["mixed_bfloat16"]) / max(rates["float32"])
        row = {"gan": gan, "it_per_s": rates, "speed_up": ratio}
        print(
            f"{gan:6} float32 {max(rates['float32']):7.3f} it/s, bfloat16 "
            f"{max(rates['mixed_bfloat16']):7.3f} it/s ({ratio:.2f}x)",
            flush=True,
        )
        if args.seeds:
            iterations = schedules[gan]
            fids = {
                p: {
                    s: short_run_fid(gan, config, data, p, s, yardstick, iterations)
                    for s in args.seeds
                }
                for p in PRECISIONS
            }
            untrained = short_run_fid(gan, config, data, "float32", args.seeds[0], yardstick, 0)
            mean = {p: sum(v.values()) / len(v) for p, v in fids.items()}
            row |= {"iterations": iterations, "fid_per_seed": fids, "fid_mean": mean,
                    "fid_untrained": untrained}  # fmt: skip
            print(
                f"{gan:6} FID-style after {iterations} iterations (untrained {untrained:.1f}), "
                f"seeds {args.seeds}: float32 {fids['float32']} mean {mean['float32']:.1f}; "
                f"bfloat16 {fids['mixed_bfloat16']} mean {mean['mixed_bfloat16']:.1f}",
                flush=True,
            )
        rows.append(row)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {"machine": record, "seconds_per_cell": args.seconds, "rows": rows}
        args.json.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
