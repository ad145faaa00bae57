"""params.yaml -> frozen, typed configuration.

Every stage validates the whole file before doing any work, so a typo in one section is
reported at once instead of an hour into another stage. Errors are collected, not raised
one at a time: the user fixes every bad field in one edit.

The data and stage sections are declared here; each GAN family's section by the family's
own Config (found through the registry). Nothing here imports TensorFlow, scikit-learn or
matplotlib: validating takes a fraction of a second.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ganbench.data.labels import SAMPLINGS
from ganbench.data.settings import DataParams
from ganbench.models import registry
from ganbench.models.settings import AdamParams
from ganbench.plumbing.schema import (
    ParamsError,
    balanced_label_count,
    build,
    checked,
    each,
    non_empty,
    non_negative,
    one_of,
    positive,
    unit_interval,
)


@dataclass(frozen=True)
class ReferenceParams:
    # pinned: the network committed under references/<dataset>/ (the same yardstick on
    # every machine); train: train one here with the settings below.
    source: str = checked(one_of("pinned", "train"))
    seed: int
    epochs: int = checked(positive)
    batch_size: int = checked(positive)
    filters: tuple[int, ...] = checked(each(positive))
    kernel: int = checked(positive)
    feature_units: int = checked(positive)
    dropout: float = checked(unit_interval)
    batch_norm: bool  # after each convolution, before its ReLU
    optimizer: AdamParams
    # The learning rate decays from optimizer.lr to this along a cosine over all steps.
    final_lr: float = checked(positive)


@dataclass(frozen=True)
class EvaluateParams:
    samples: int = checked(positive)  # generated samples per evaluation
    real_samples: int = checked(positive)  # training images forming the real set
    seed: int  # noise of the generated samples and every random subset
    kid_subsets: int = checked(positive)
    kid_subset_size: int = checked(positive)
    nearest_k: int = checked(positive)
    # Evaluation during training (schedule.evaluate_every): generated images per point,
    # scored against as many training images, and KID subsets (of kid_subset_size).
    progress_samples: int = checked(positive)
    progress_kid_subsets: int = checked(positive)
    # Noise seeds of further sample draws of the same generator: every figure's mean and SD
    # over them (the resampling noise), beside the figures of the `seed` draw.
    sample_seeds: tuple[int, ...] = checked(each(non_negative), default=())


def iterations_per_count(value: Mapping[str, Mapping[str, int]]) -> list[str] | None:
    problems = [
        f"[{gan!r}][{count!r}]: must be > 0, got {n!r}"
        for gan, per_count in value.items()
        for count, n in per_count.items()
        if n <= 0
    ]
    return problems or None


@dataclass(frozen=True)
class StudyParams:
    label_counts: tuple[int, ...] = checked(non_empty, each(balanced_label_count))
    seeds: tuple[int, ...] = checked(non_empty, each(non_negative))
    sampling: str = checked(one_of(*SAMPLINGS))
    # Iterations of each semi-supervised GAN the cells train, per label count. Counts are
    # strings ("100") so that `dvc exp run -S study.iterations.sgan.100=...` can address
    # one entry; a cell re-runs only when its own count's entries change.
    iterations: Mapping[str, Mapping[str, int]] = checked(non_empty, iterations_per_count)
    logistic_c: float = checked(positive)
    logistic_max_iter: int = checked(positive)
    label_spreading_pool: int = checked(positive)  # unlabelled images LabelSpreading sees
    label_spreading_neighbors: int = checked(positive)
    ceiling_epochs: int = checked(positive)  # the supervised network on every label
    confidence: float = checked(unit_interval)


@dataclass(frozen=True)
class ComputeParams:
    """How every network computes. float32 is the seeds' precision; mixed_bfloat16 (opt-in)
    computes in bfloat16 with float32 weights, fast where the CPU has AVX-512 BF16 or AMX
    (emulated, slow, on AVX2). On a GPU, `deterministic: true` refuses ops that have no
    deterministic GPU kernel, naming the op; false allows them (no bit-identical rerun)."""

    precision: str = checked(one_of("float32", "mixed_bfloat16"), default="float32")
    deterministic: bool = True


STAGE_SECTIONS: dict[str, type] = {
    "reference": ReferenceParams,
    "evaluate": EvaluateParams,
    "study": StudyParams,
    "compute": ComputeParams,
}


@dataclass(frozen=True)
class Params:
    data: DataParams
    # Sections of the GAN families, validated by the family's own Config class.
    gans: Mapping[str, Any] = field(default_factory=dict)
    # Sections of the later stages (reference, evaluate, study), by name.
    stages: Mapping[str, Any] = field(default_factory=dict)

    def section(self, name: str, source: str = "params.yaml") -> Any:
        """A stage's or a family's section; a clear error if the file lacks it."""
        found = self.stages.get(name) or self.gans.get(name)
        if found is None:
            raise ParamsError(source, [f"{name}: section is missing"])
        return found

    @property
    def compute(self) -> ComputeParams:
        """The compute section, or its defaults (float32, deterministic) when absent."""
        return self.stages.get("compute") or ComputeParams()

    def study(self, source: str = "params.yaml") -> StudyParams:
        """The study section, checked against the data section it draws its subsets from
        and against the family records (by the study's stages: a prepare with a data
        section the study does not fit yet must still run)."""
        study: StudyParams = self.section("study", source)
        if problems := study_problems(study, self.data):
            raise ParamsError(source, problems)
        return study


def study_problems(study: StudyParams, data: DataParams) -> list[str]:
    """The study draws its subsets from those prepared, and trains semi-supervised GANs on
    every label count it studies."""
    problems = [
        f"study.label_counts: {n} is not in data.label_counts (no prepared subset)"
        for n in study.label_counts
        if n not in data.label_counts
    ]
    problems += [
        f"study.seeds: {s} is not in data.label_seeds (no prepared subset)"
        for s in study.seeds
        if s not in data.label_seeds
    ]
    counts = {str(n) for n in study.label_counts}
    for gan, per_count in study.iterations.items():
        if gan not in registry.FAMILIES or not registry.FAMILIES[gan].semi_supervised:
            known = ", ".join(f.name for f in registry.FAMILIES.values() if f.semi_supervised)
            problems.append(
                f"study.iterations.{gan}: not a semi-supervised GAN family (one of {known})"
            )
            continue
        problems += [
            f'study.iterations.{gan}: no entry "{n}" for label count {n}'
            for n in study.label_counts
            if str(n) not in per_count
        ]
        problems += [
            f'study.iterations.{gan}: key "{key}" is not one of study.label_counts'
            for key in per_count
            if key not in counts
        ]
    with_baseline = [f.name for f in registry.FAMILIES.values() if f.supervised_baseline]
    if not set(with_baseline) & set(study.iterations):
        problems.append(
            f"study.iterations: must include {' or '.join(with_baseline)}, whose network "
            "trained on the labels alone is the study's supervised method"
        )
    return problems


def parse(raw: Any, source: str = "params.yaml") -> Params:
    """Validate a parsed params mapping; raise ParamsError listing every bad field."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise ParamsError(source, [f"top level must be a mapping, got {type(raw).__name__}"])
    known = {"data", *registry.FAMILIES, *STAGE_SECTIONS}
    for key in raw:
        if key not in known:
            problems.append(f"{key}: unknown key (expected one of {', '.join(sorted(known))})")
    if "data" not in raw:
        problems.append("data: required section is missing")
        data = None
    else:
        data = build(DataParams, raw["data"], "data", problems)
    gans = {
        name: build(family.config, raw[name], name, problems)
        for name, family in registry.FAMILIES.items()
        if name in raw
    }
    stages = {
        name: build(schema, raw[name], name, problems)
        for name, schema in STAGE_SECTIONS.items()
        if name in raw
    }
    if problems:
        raise ParamsError(source, problems)
    return Params(
        data=data, gans=types.MappingProxyType(gans), stages=types.MappingProxyType(stages)
    )


def read_mapping(path: str | Path) -> dict[str, Any]:
    """A params or profile file's top-level mapping, unvalidated (a profile is partial)."""
    path = Path(path)
    try:
        tree = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ParamsError(str(path), [f"cannot read: {err.strerror}"]) from err
    except yaml.YAMLError as err:
        raise ParamsError(str(path), [f"not valid YAML: {err}".replace("\n", " ")]) from err
    if not isinstance(tree, dict):
        raise ParamsError(str(path), [f"top level must be a mapping, got {type(tree).__name__}"])
    return tree


def load(path: str | Path = "params.yaml") -> Params:
    """Read and validate a params file."""
    return parse(read_mapping(path), str(path))
