"""A tiny SGAN-FM project for the long-run tests: prepared data, params and a profile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from ganbench.data import labels, splits
from tests.tiny import REPO, tiny_dataset


def sgan_fm_project(tmp_path: Path) -> dict[str, Path]:
    """A tiny prepared data set with 20-label subsets for seeds 0 and 1, a tiny SGAN-FM
    params file, and a profile that shortens its schedule."""
    dataset = tiny_dataset()
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    np.savez(
        splits.dataset_path(prepared, "mnist"),
        x_train=dataset.x_train,
        y_train=dataset.y_train,
        x_test=dataset.x_test,
        y_test=dataset.y_test,
    )
    for seed in (0, 1):
        labels.write_subsets(prepared / "labels", dataset.y_train, 20, seed)
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    section = raw["sgan_fm"]
    section["schedule"].update(
        {"iterations": 4, "batch_size": 4, "log_every": 1, "sample_every": 4, "xla": False}
        | {"evaluate_every": 0}  # no reference network here
    )
    section["labelled"]["count"] = 20
    section["generator"]["units"] = [16]
    section["discriminator"].update({"units": [24, 12], "init_batch": 40})
    params_path = tmp_path / "params.yaml"
    params_path.write_text(yaml.safe_dump(raw))
    profile_path = tmp_path / "short.yaml"
    profile_path.write_text(yaml.safe_dump({"sgan_fm": {"schedule": {"iterations": 2}}}))
    return {
        "params_path": params_path,
        "profile_path": profile_path,
        "prepared": prepared,
        "workdir": tmp_path / "runs",
    }


def tiny_study_project(
    tmp_path: Path, profile: dict, raw: dict | None = None
) -> tuple[Path, Path, Path]:
    """The tiny pipeline's params (or `raw`, from tiny_raw()) with no raw data source, a
    prepared data set with 20-label subsets for seeds 0 and 1, and `profile` written as a
    profile file: (params, prepared, profile) paths."""
    from ganbench.data.prepare import write_prepared
    from ganbench.data.settings import DataParams
    from tests.tiny_pipeline import tiny_raw

    raw = raw or tiny_raw()
    raw["data"]["source_dir"] = None
    prepared = tmp_path / "prepared"
    write_prepared(prepared, DataParams("mnist", (20,), (0, 1)), tiny_dataset())
    params_path = tmp_path / "params.yaml"
    params_path.write_text(yaml.safe_dump(raw))
    profile_path = tmp_path / "short.yaml"
    profile_path.write_text(yaml.safe_dump(profile))
    return params_path, prepared, profile_path
