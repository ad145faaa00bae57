"""Turn a profile file (a partial params.yaml) into `dvc exp run -S` arguments.

    python -m ganbench.config.profiles profiles/paper.yaml
        ->   -S 'dcgan.schedule.iterations=1000' ...

Keeping profiles as overrides applied through DVC means each profile run is an ordinary
DVC experiment of the same pipeline, comparable in `dvc exp show` and in MLflow.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

from ganbench.config import params

# the seeds' own schedules: what the long runs and the report's paper sections are made under
PAPER = Path("profiles/paper.yaml")


def overrides(tree: Any, prefix: str = "") -> list[str]:
    """Flatten nested mappings into `dotted.key=value` strings (values as YAML scalars)."""
    if isinstance(tree, dict):
        flat: list[str] = []
        for key, value in tree.items():
            flat.extend(overrides(value, f"{prefix}{key}."))
        return flat
    value = yaml.safe_dump(tree, default_flow_style=True).strip().removesuffix("...").strip()
    return [f"{prefix[:-1]}={value}"]


def apply(base: Any, overlay: Any) -> Any:
    """`base` with every value of `overlay` put in at its place; neither is changed."""
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return overlay
    merged = dict(base)
    for key, value in overlay.items():
        merged[key] = apply(base.get(key), value)
    return merged


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m ganbench.config.profiles PROFILE.yaml")
    try:
        profile = params.read_mapping(sys.argv[1])
    except params.ParamsError as err:
        sys.exit(f"profiles: error: {err}")
    print(" ".join(f"-S {shlex.quote(item)}" for item in overrides(profile)))


if __name__ == "__main__":
    main()
