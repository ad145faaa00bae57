"""DVC stage `study@<labels>-<seed>`: one cell of the accuracy-versus-label-count study."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ganbench import params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("labels", type=int, help="label count (one of study.label_counts)")
    parser.add_argument("seed", type=int, help="subset seed (one of study.seeds)")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--prepared", type=Path, help="the prepared data")
    parser.add_argument("--cells", type=Path, help="where the cell's result goes")
    parser.add_argument("--checkpoints", type=Path, help="where its checkpoints go")
    args = parser.parse_args()
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.study import cells

    paths = cells.StudyPaths()
    paths = dataclasses.replace(
        paths,
        prepared=args.prepared or paths.prepared,
        cells=args.cells or paths.cells,
        checkpoints=args.checkpoints or paths.checkpoints,
    )
    cell = cells.run_cell(args.labels, args.seed, args.params, paths)
    shown = ", ".join(f"{k} {v:.4f}" for k, v in cell["accuracy"].items())
    print(f"study@{args.labels}-{args.seed}: {shown}")


if __name__ == "__main__":
    run_stage("study", main)
