"""Where one family's compiled step spends its time, per TensorFlow op type and per op.

    python benchmarks/op_profile.py wgan [--xla | --no-xla] [--steps 3] [--top 15]
        [--json FILE]

Profiles a few steps of the compiled step, built and configured as the train stage builds
it (the family's params, the pipeline's deterministic runtime), with TensorFlow's profiler,
and sums the op events of its trace: the table a speed change has to explain. Op types are
what the executor ran (after Grappler's rewrites, e.g. oneDNN's `_MklConv2D` or a fused
`_FusedConv2D`). A step compiled whole by XLA runs outside TensorFlow's executor and leaves
no op events to split: that is refused in one line; time XLA steps with throughput.py. The
machine is printed first.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import ganbench  # noqa: F401  (first: the pipeline's CPU kernels, see ganbench.training.kernels)

# isort: split
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.throughput import load_data  # noqa: E402
from ganbench.config import params  # noqa: E402
from ganbench.models import registry  # noqa: E402
from ganbench.plumbing import machine  # noqa: E402
from ganbench.training import loop  # noqa: E402

# Executor and thread-pool bookkeeping events that enclose the op events, not ops.
NOT_OPS = ("ExecutorState::Process", "ThreadpoolListener")


def op_events(logdir: Path) -> list[tuple[str, int]]:
    """(op name 'name:Type', duration in picoseconds) of every op event in the trace."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    events = []
    for path in logdir.rglob("*.xplane.pb"):
        space = xplane_pb2.XSpace()
        space.ParseFromString(path.read_bytes())
        for plane in space.planes:
            if plane.name != "/host:CPU":
                continue
            for line in plane.lines:
                if not line.name.startswith("tf_Compute"):
                    continue
                for event in line.events:
                    name = plane.event_metadata[event.metadata_id].name
                    if ":" in name and not name.startswith(NOT_OPS):
                        events.append((name, event.duration_ps))
    return events


def profile(gan: str, xla: bool | None, steps: int) -> dict:
    config = params.load(REPO / "params.yaml").gans[gan]
    if xla is not None:
        config = dataclasses.replace(config, schedule=dataclasses.replace(config.schedule, xla=xla))
    loop.set_determinism(config.schedule.seed, xla=config.schedule.xla)
    data = load_data(params.load(REPO / "params.yaml").data.dataset)
    model = registry.module(gan).create(config, data, REPO / "data/prepared")
    step = loop.compile_step(model)
    for _ in range(2):  # tracing and first-run allocations excluded
        bool(step()[1])
    with tempfile.TemporaryDirectory() as tmp:
        tf.profiler.experimental.start(tmp)
        for _ in range(steps):
            bool(step()[1])
        tf.profiler.experimental.stop()
        events = op_events(Path(tmp))
    by_type: collections.Counter[str] = collections.Counter()
    by_op: collections.Counter[str] = collections.Counter()
    for name, duration in events:
        by_type[name.rsplit(":", 1)[1]] += duration
        by_op[name] += duration
    per_step_ms = {k: v / 1e9 / steps for k, v in by_type.items()}
    return {
        "gan": gan,
        "xla": config.schedule.xla,
        "steps": steps,
        "machine": machine.describe(),
        "threads": machine.intra_op_threads(),
        "ms_per_step": sum(per_step_ms.values()),
        "by_type_ms": dict(sorted(per_step_ms.items(), key=lambda kv: -kv[1])),
        "top_ops_ms": {k: v / 1e9 / steps for k, v in by_op.most_common(40)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gan", choices=registry.FAMILIES)
    parser.add_argument("--xla", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = profile(args.gan, args.xla, args.steps)
    total = result["ms_per_step"]
    if not total:
        sys.exit(
            f"op_profile: no op events in the trace of {args.gan} (xla {result['xla']}): an "
            "XLA-compiled step is not split by op; time it with benchmarks/throughput.py"
        )
    print(f"machine: {machine.one_line(result['machine'])}")
    print(f"{args.gan}, xla {result['xla']}: {total:.1f} ms of ops per step")
    for name, ms in list(result["by_type_ms"].items())[: args.top]:
        print(f"  {name:32} {ms:9.1f} ms {100 * ms / total:5.1f}%")
    print("slowest ops:")
    for name, ms in list(result["top_ops_ms"].items())[: args.top]:
        print(f"  {ms:9.1f} ms  {name}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
